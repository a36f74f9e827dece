"""The least-squares line through ``log(loss)`` over a window of updates: its slope as a rate, and its variance.

A candidate's *rate* over ``W`` consecutive updates is minus the least-squares slope of ``y_i = log(loss_i)``
against the update index ``i = 0 .. W-1``: about the fraction of the loss removed per update. Its variance is
that of a regression slope, from the scatter of ``y`` about the line:

    ``rate = -sum_i (i - (W-1)/2) y_i / S``, ``S = W (W^2 - 1) / 12``, ``var(rate) = RSS / ((W - 2) S)``,

``RSS`` the residual sum of squares. The fit is kept as running sums (Welford's updates), one update at a time,
so a window costs four scalars of state whatever its length. These are pure functions of arrays, usable outside
a selector, e.g. on a NumPy array of logged losses::

    fit = line_fit.empty(jnp.float32)
    for y in np.log(losses):
        fit = line_fit.add(fit, y)
    rate, variance = line_fit.rate_and_variance(fit)
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp


class LineFit(NamedTuple):
    """Running sums of a least-squares line through ``y_0, y_1, ...`` against their index.

    Attributes:
        count: int32 ``[]``, values added.
        mean: ``[]``, their mean.
        squares: ``[]``, the sum of their squared deviations from ``mean``.
        products: ``[]``, ``sum_i (i - mean index) (y_i - mean)``, the co-moment of index and value.
    """

    count: jax.Array  # type: ignore[assignment]  # a counter, named so on purpose: it shadows tuple.count
    mean: jax.Array
    squares: jax.Array
    products: jax.Array


def empty(dtype) -> LineFit:
    """A fit of no values, its sums in ``dtype``."""
    zero = jnp.zeros([], dtype)
    return LineFit(jnp.zeros([], jnp.int32), zero, zero, zero)


def add(fit: LineFit, y: jax.Array) -> LineFit:
    """``fit`` with ``y`` added as the value at index ``fit.count``."""
    seen = fit.count.astype(fit.mean.dtype)
    index_deviation = jnp.where(fit.count > 0, (seen + 1) / 2, 0)  # i - mean of the earlier indices
    deviation = y - fit.mean
    mean = fit.mean + deviation / (seen + 1)
    squares = fit.squares + deviation * (y - mean)
    products = fit.products + index_deviation * (y - mean)
    return LineFit(fit.count + 1, mean, squares, products)


def rate_and_variance(fit: LineFit, size: jax.Array | None = None) -> tuple[jax.Array, jax.Array]:
    """Minus the slope of the line, and its variance (needs 3 values; 2 give a variance of 0/0).

    Args:
        fit: the running sums.
        size: the number of values, if known apart from ``fit.count`` (a window's set length).

    Returns:
        ``(rate, variance)``, in the dtype of ``fit.mean``.
    """
    size = (fit.count if size is None else size).astype(fit.mean.dtype)
    spread_of_index = size * (size**2 - 1) / 12
    rate = -fit.products / spread_of_index
    variance = jnp.maximum(fit.squares - fit.products**2 / spread_of_index, 0) / ((size - 2) * spread_of_index)
    return rate, variance


def line_end(recent: jax.Array, updates: jax.Array, count: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Where the least-squares line through the latest ``count`` (>= 3) values of the ring buffer ``recent`` ends
    (the newest written at ``(updates - 1) % W``), the variance of one value about the line (their scatter), and
    what the end's variance is in units of it."""
    window = recent.shape[0]
    age = (updates - 1 - jnp.arange(window)) % window
    used = age < count
    n = jnp.maximum(count, 3).astype(recent.dtype)
    index = (n - 1 - age.astype(recent.dtype)) - (n - 1) / 2  # centred: the newest at (n - 1) / 2
    mean = jnp.sum(jnp.where(used, recent, 0)) / n
    products = jnp.sum(jnp.where(used, index * (recent - mean), 0))
    spread_of_index = n * (n**2 - 1) / 12
    slope = products / spread_of_index
    squares = jnp.sum(jnp.where(used, (recent - mean) ** 2, 0))
    residual_variance = jnp.maximum(squares - products * slope, 0) / (n - 2)
    half = (n - 1) / 2
    return mean + slope * half, residual_variance, 1 / n + half**2 / spread_of_index


def line_end_if(needed: jax.Array, recent: jax.Array, updates: jax.Array, count: jax.Array):
    """:func:`line_end` where ``needed``, zeros elsewhere."""
    zero = jnp.zeros([], recent.dtype)
    return jax.lax.cond(needed, lambda: line_end(recent, updates, count), lambda: (zero, zero, zero))
