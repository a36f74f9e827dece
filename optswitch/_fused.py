"""The fused step through chains: :func:`chain`, and finding a transformation's fused step.

``optax.chain`` returns a bare ``(init, update)`` pair whose links live in a closure, so nothing outside it
can run the links before a switch and then let the switch apply the update inside its branch.
:func:`chain` is ``optax.chain`` (the same state, the same ``update``) that keeps its links and so has
``update_and_apply``. :func:`fused_step` is how the Flax integrations pick the fused path, and warn when a
transformation holds a switch they cannot reach.
"""

import warnings
from collections.abc import Callable
from typing import Any

import jax
import optax

from optswitch import _find

__all__ = ["Chain", "chain", "fused_step"]


class Chain(optax.GradientTransformationExtraArgs):
    """What :func:`chain` returns: ``optax.chain``'s transformation, with its links and a fused step.

    Attributes:
        links: the chained transformations, in order; the last has ``update_and_apply``.
    """

    # As SwitchTransformation: a NamedTuple subclass whose extra attribute travels as pytree static data.

    def __new__(cls, init, update, links: tuple = ()):
        transformation = super().__new__(cls, init, update)
        transformation.links = links
        return transformation

    def update_and_apply(self, grads, state: tuple, params, **extra_args) -> tuple[Any, tuple]:
        """Runs every link but the last on ``grads``, then the last link's ``update_and_apply``.

        Args:
            grads: the gradients.
            state: the chain's state (as ``optax.chain`` makes it: one state per link).
            params: the parameters (required).
            **extra_args: given to every link that accepts them, as ``optax.chain`` does.

        Returns:
            The new parameters and the new state.
        """
        if params is None:
            raise ValueError("update_and_apply: params is required, since it returns the updated params.")
        *before, last = self.links
        new_states = []
        for link, link_state in zip(before, state[:-1], strict=True):
            grads, link_state = optax.with_extra_args_support(link).update(grads, link_state, params, **extra_args)
            new_states.append(link_state)
        params, last_state = last.update_and_apply(grads, state[-1], params, **extra_args)
        return params, (*new_states, last_state)


jax.tree_util.register_pytree_node(
    Chain,
    lambda transformation: ((transformation.init, transformation.update), transformation.links),
    lambda links, children: Chain(*children, links),
)


def chain(*links: optax.GradientTransformation) -> Chain:
    """``optax.chain`` for a switch that comes last: the links before it run, then it applies the update.

    The state and ``update`` are ``optax.chain``'s, so a chain built either way checkpoints the same. What it
    adds is ``update_and_apply``, which :class:`optswitch.nnx.Optimizer` and
    :class:`optswitch.linen.TrainState` call: the links before the switch transform the gradients (clipping,
    say), then the switch applies the update inside its routing branch, which saves a pass over the
    parameters and a parameter-sized buffer per update. With ``optax.chain`` those classes warn and take
    the unfused path.

    Args:
        *links: transformations; the last is an :func:`optswitch.switch` (or a :func:`chain` ending in one).

    Returns:
        A :class:`Chain` (an ``optax.GradientTransformationExtraArgs``).

    Raises:
        ValueError: when the last link has no ``update_and_apply``.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.chain(
        ...     optax.clip_by_global_norm(1.0),
        ...     optswitch.switch({"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)}))
        >>> params = {"w": jnp.ones(3)}
        >>> state = tx.init(params)
        >>> params, state = tx.update_and_apply({"w": jnp.full(3, 10.0)}, state, params)
        >>> optswitch.summary(state).updates
        {'adam': 1, 'sgd': 0}
    """
    if not links or not callable(getattr(links[-1], "update_and_apply", None)):
        last = type(links[-1]).__name__ if links else "nothing"
        raise ValueError(
            f"optswitch.chain: the last link must be an optswitch.switch (or an optswitch.chain ending in one), "
            f"whose update_and_apply applies the update; got {last}. Put the switch last, or use optax.chain "
            f"(and tx.update + optax.apply_updates) for a chain that transforms the switch's updates further."
        )
    inner = optax.chain(*links)
    return Chain(inner.init, inner.update, tuple(links))


def fused_step(tx, opt_state, owner: str) -> Callable | None:
    """``tx.update_and_apply``, or None (with a warning if ``opt_state`` holds a switch it cannot reach).

    Args:
        tx: the transformation a Flax optimizer or train state holds.
        opt_state: its state, to look for a :class:`optswitch.SwitchState` in.
        owner: who asks, for the warning (``"optswitch.nnx.Optimizer"``).
    """
    fused = getattr(tx, "update_and_apply", None)
    if callable(fused):
        return fused
    if _find.find_all(opt_state):
        warnings.warn(
            f"{owner}: tx holds an optswitch.switch inside a transformation without update_and_apply "
            f"({type(tx).__name__}, e.g. optax.chain), so each update takes the unfused path (tx.update, then "
            f"optax.apply_updates: one more pass over the parameters and a parameter-sized buffer). When the "
            f"switch is the last link, build the chain with optswitch.chain(...) instead of optax.chain(...).",
            stacklevel=3,
        )
    return None
