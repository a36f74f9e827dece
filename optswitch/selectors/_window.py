"""Window bookkeeping shared by :func:`bandit` and :func:`race`, which measure candidates over windows of updates.

A window measures one candidate (its ``arm``): when the active candidate is not the arm (a switch made from the
host), the window starts over with the new one. Only updates with a positive loss count, since the rate is read
from ``log(loss)``; on any other update the selector's choice is the active candidate and its state is left as
it was, but for its count of them, ``ignored_losses``. With ``loss_is_log`` (a loss that is a logarithm already,
such as a negative log-likelihood) the rate is read from the loss itself, and every update counts.
"""

import warnings
from typing import Any

import jax
import jax.numpy as jnp
import optax

from optswitch.events import ignored_loss_message
from optswitch.selectors._base import selector_chain


def usable(loss: jax.Array, selector: str, warned: list, loss_is_log: bool = False) -> jax.Array:
    """Whether an update counts: a positive loss, or with ``loss_is_log`` any (a non-finite one never reaches the
    selector).

    Outside jit, the first loss <= 0 a selector sees also warns (``warned`` holds whether it has).
    """
    if loss_is_log:
        return jnp.isfinite(loss)
    concrete = not isinstance(loss, jax.core.Tracer) and getattr(loss, "is_fully_addressable", True)
    if not warned and concrete and float(loss) <= 0:
        warned.append(True)
        warnings.warn(ignored_loss_message(selector, float(loss)), stacklevel=2)
    return loss > 0


def counts_ignored(selector_state) -> bool:
    """Whether the selector, or one a wrapper wraps, reads ``log(loss)`` and counts the losses it ignores."""
    return any(hasattr(state, "ignored_losses") for state in selector_chain(selector_state))


def ignored_losses(selector_state) -> Any:
    """Updates whose loss was ``<= 0`` that the selector, or one a wrapper wraps, ignored (0 if none reads it)."""
    counts = [state.ignored_losses for state in selector_chain(selector_state) if hasattr(state, "ignored_losses")]
    return counts[0] if counts else 0


def leave_warning_to(wrapped_state, warned: list) -> None:
    """Marks ``warned`` (a wrapper's) when a selector inside ``wrapped_state`` counts losses <= 0 and warns of them."""
    if counts_ignored(wrapped_state) and not warned:
        warned.append(True)


def log_loss(loss: jax.Array, counts: jax.Array, loss_is_log: bool = False) -> jax.Array:
    """``log(loss)`` (with ``loss_is_log``, the loss itself), with 0 in place of an update that does not count."""
    if loss_is_log:
        return jnp.where(counts, loss, 0)
    return jnp.log(jnp.where(counts, loss, 1))


def restarts(active: jax.Array, arm: jax.Array) -> jax.Array:
    """Whether the window starts over: the active candidate is not the one it measures."""
    return active != arm


def fresh(restart: jax.Array, sums):
    """``sums``, a pytree of the window's running sums, zeroed where the window starts over."""
    return jax.tree.map(lambda x: jnp.where(restart, 0, x), sums)


def settle(counts: jax.Array, choice: jax.Array, new_state, state, active: jax.Array):
    """``(choice, new_state)`` for an update that counts, ``(active, state)`` for one that does not (counted)."""
    ignored = state._replace(ignored_losses=optax.safe_increment(state.ignored_losses))
    new_state = optax.tree.where(counts, new_state, ignored)
    return jnp.where(counts, choice, active), new_state
