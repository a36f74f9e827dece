"""The cheap per-update numbers that selectors read."""

from collections.abc import Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

#: Signals computed from the parameter-sized trees; each is a reduction that a selector must ask for.
MEASURED = frozenset({"grad_sq_norm", "update_sq_norm", "update_dot_grad"})
#: Every signal a selector can ask for (step, active and steps_in_active are always there, for free).
REQUESTABLE = MEASURED | {"loss"}


class Signals(NamedTuple):
    """What a selector sees after each update, all scalars computed on device.

    A signal the selector did not ask for (see :attr:`optswitch.selectors.Selector.reads`) is not computed: it
    holds NaN, so that reading it by mistake cannot go unnoticed.

    Attributes:
        step: int32 ``[]``, index of the update just made (0 for the first update).
        active: int32 ``[]``, index of the candidate that made it.
        steps_in_active: int32 ``[]``, updates made by ``active`` since it was last switched to, this one
            included.
        loss: float32 ``[]``, the ``value`` passed to ``update`` (NaN when none was passed).
        grad_sq_norm: float32 ``[]``, squared global norm of the incoming gradient, ``|g|^2``.
        update_sq_norm: float32 ``[]``, squared global norm of the update the candidate returned, ``|u|^2``.
        update_dot_grad: float32 ``[]``, inner product ``u . g`` (negative when the update descends).
        extra: the other keyword arguments passed to ``update``, by name, as given.
    """

    step: jax.Array
    active: jax.Array
    steps_in_active: jax.Array
    loss: jax.Array
    grad_sq_norm: jax.Array
    update_sq_norm: jax.Array
    update_dot_grad: jax.Array
    extra: Mapping[str, Any]


def _sum_f32(fn, *trees) -> jax.Array:
    """Sums ``fn`` over matching leaves in float32: one fused pass, no parameter-sized temporary."""
    leaves = [
        jnp.sum(fn(*(leaf.astype(jnp.float32) for leaf in group)))
        for group in zip(*(jax.tree.leaves(tree) for tree in trees), strict=True)
    ]
    return sum(leaves, start=jnp.zeros([], jnp.float32))


def measure(grads, updates, wanted: frozenset[str]) -> dict[str, jax.Array]:
    """Computes the reductions in ``wanted`` (a subset of :data:`MEASURED`); the others are NaN."""
    nan = jnp.full([], jnp.nan, jnp.float32)
    formulas = {
        "grad_sq_norm": lambda: _sum_f32(jnp.square, grads),
        "update_sq_norm": lambda: _sum_f32(jnp.square, updates),
        "update_dot_grad": lambda: _sum_f32(jnp.multiply, updates, grads),
    }
    return {name: formula() if name in wanted else nan for name, formula in formulas.items()}
