"""The cheap per-update numbers that selectors read."""

from collections.abc import Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

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


def varying_axes(x) -> frozenset[str]:
    """The mesh axes over which ``x`` differs from device to device, by ``shard_map``'s types.

    Empty outside ``shard_map``, and inside it where JAX does not type values by their variance: under
    ``check_vma=False`` and under ``pmap``.
    """
    aval = jax.typeof(x)
    manual = getattr(aval, "manual_axis_type", None)  # jax >= 0.12; before, the same set was ``aval.vma``.
    return frozenset(manual.varying if manual is not None else getattr(aval, "vma", ()))


def as_axes(axis_name) -> tuple:
    """``switch(axis_name=...)`` as a tuple of mesh axes (empty for None)."""
    if axis_name is None:
        return ()
    return tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)


def measure(grads, updates, wanted: frozenset[str], axis_name=None) -> dict[str, dict[tuple, jax.Array]]:
    """Computes the reductions in ``wanted`` (a subset of :data:`MEASURED`) on this device, as partial sums.

    Each sum is taken in float32, one fused pass per leaf, with no parameter-sized temporary. Leaves are
    grouped by the axes of ``axis_name`` over which their gradient varies (see :func:`combine`).

    Returns:
        name -> {axes: the sum over the leaves whose gradient varies over ``axes``}; without ``axis_name``
        a single group ``()``, which is the whole sum.
    """
    axes = as_axes(axis_name)
    groups = [tuple(axis for axis in axes if axis in varying_axes(leaf)) for leaf in jax.tree.leaves(grads)]

    def grouped_sum(fn, *trees):
        sums = {}
        for group, leaves in zip(groups, zip(*(jax.tree.leaves(tree) for tree in trees), strict=True), strict=True):
            term = jnp.sum(fn(*(leaf.astype(jnp.float32) for leaf in leaves)))
            sums[group] = sums[group] + term if group in sums else term
        return sums

    formulas = {
        "grad_sq_norm": lambda: grouped_sum(jnp.square, grads),
        "update_sq_norm": lambda: grouped_sum(jnp.square, updates),
        "update_dot_grad": lambda: grouped_sum(jnp.multiply, updates, grads),
    }
    return {name: formula() for name, formula in formulas.items() if name in wanted}


def combine(measured: dict[str, dict[tuple, jax.Array]], axis_name=None) -> dict[str, jax.Array]:
    """The value of every measured signal over all devices, from :func:`measure`'s partial sums; NaN if unmeasured.

    Under ``shard_map`` or ``pmap`` with ``axis_name``, so that every device ends with the same numbers: a
    leaf that varies over some of the axes, by ``shard_map``'s types, is a shard of a larger array, so its
    sums add up over those axes (``psum``); over the other axes each device holds a copy of the same leaf,
    and the copies' sums are averaged (``pmean``), which leaves them unchanged when they agree, as they do
    when the gradients were reduced over the axis, and makes the devices agree where JAX cannot tell
    (``pmap``, ``check_vma=False``). Without ``axis_name``, the sums are the values.
    """
    axes = as_axes(axis_name)
    totals = {}
    # In the order the leaves came, never a set's: every process must trace the same collectives in the same order.
    for group in dict.fromkeys(group for partial in measured.values() for group in partial):
        parts = {name: partial[group] for name, partial in measured.items() if group in partial}
        if group:
            parts = lax.psum(parts, group)
        rest = tuple(axis for axis in axes if axis not in group)
        if rest:
            parts = lax.pmean(parts, rest)
        for name, part in parts.items():
            totals[name] = totals[name] + part if name in totals else part
    zero, nan = jnp.zeros([], jnp.float32), jnp.full([], jnp.nan, jnp.float32)
    return {name: totals.get(name, zero if name in measured else nan) for name in sorted(MEASURED)}
