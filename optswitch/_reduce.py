"""Reductions of the parameter-sized trees into the measured signals, on one device and across devices."""

from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from optswitch.signals import MEASURED, accumulator


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


def measure(
    grads, updates, wanted: frozenset[str], axis_name=None, layout: frozenset[str] | None = None
) -> dict[str, dict[tuple, jax.Array]]:
    """Computes the reductions in ``wanted`` (a subset of :data:`MEASURED`) on this device, as partial sums.

    Each sum is taken in :func:`accumulator`'s dtype, one fused pass per leaf, with no parameter-sized
    temporary. Leaves are grouped by the axes of ``axis_name`` over which their gradient varies (see
    :func:`combine`). ``updates`` must have the dtypes of ``grads``.

    Args:
        grads: the gradient the switch received.
        updates: what the active candidate returned.
        wanted: the reductions to compute.
        axis_name: as for :func:`optswitch.switch`.
        layout: the names to return (default ``wanted``); those not wanted hold NaN, so that every branch
            of the switch returns the same structure whatever its candidate reads.

    Returns:
        name -> {axes: the sum over the leaves whose gradient varies over ``axes``}; without ``axis_name``
        a single group ``()``, which is the whole sum.
    """
    axes = as_axes(axis_name)
    dtype = accumulator(grads)
    groups = [tuple(axis for axis in axes if axis in varying_axes(leaf)) for leaf in jax.tree.leaves(grads)]

    def grouped_sum(fn, *trees):
        sums: dict[Any, Any] = {}
        for group, leaves in zip(groups, zip(*(jax.tree.leaves(tree) for tree in trees), strict=True), strict=True):
            term = jnp.sum(fn(*(leaf.astype(_widened(leaf, dtype)) for leaf in leaves)))
            sums[group] = sums[group] + term if group in sums else term
        return sums

    formulas = {
        "grad_sq_norm": lambda: grouped_sum(_sq_norm, grads),
        "update_sq_norm": lambda: grouped_sum(_sq_norm, updates),
        "update_dot_grad": lambda: grouped_sum(_dot, updates, grads),
    }
    nans = {group: jnp.full([], jnp.nan, dtype) for group in groups}
    return {
        name: formula() if name in wanted else nans
        for name, formula in formulas.items()
        if name in (wanted if layout is None else layout)
    }


def _widened(leaf, dtype) -> jnp.dtype:
    """``dtype``, or its complex counterpart for a complex leaf, whose imaginary part must not be dropped."""
    return jnp.promote_types(dtype, jnp.complex64) if jnp.iscomplexobj(leaf) else dtype


def _sq_norm(x):
    """``|x|^2`` elementwise: for complex ``x``, ``real(conj(x) * x)``, not ``x * x``."""
    return jnp.real(jnp.conj(x) * x) if jnp.iscomplexobj(x) else jnp.square(x)


def _dot(a, b):
    """The terms of the real inner product ``real(conj(a) * b)``: complex leaves as pairs of real numbers."""
    if jnp.iscomplexobj(a) or jnp.iscomplexobj(b):
        return jnp.real(jnp.conj(a) * b)
    return a * b


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
    totals: dict[Any, Any] = {}
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
    dtype = next((total.dtype for total in totals.values()), jnp.dtype(jnp.float32))
    zero, nan = jnp.zeros([], dtype), jnp.full([], jnp.nan, dtype)
    return {name: totals.get(name, zero if name in measured else nan) for name in sorted(MEASURED)}
