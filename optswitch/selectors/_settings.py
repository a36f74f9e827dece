"""Checks of a selector's settings, each written once, in the error style of the package."""

import math
import numbers
from collections.abc import Iterable, Sequence

from optswitch import _names

#: The last update index that the int32 step counter reaches.
MAX_STEP = 2**31 - 1


def is_count(value, low: int) -> bool:
    """Whether ``value`` is an integer (a Python or NumPy int; a bool is not) of at least ``low``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) >= low


def check_number(selector: str, label: str, value, low=None, high=None, *, open_low=False, open_high=False) -> None:
    """Raises unless ``value`` is a finite real number (a bool is not) in the interval from ``low`` to ``high``.

    NaN and inf are rejected: every setting of a selector is a tolerance, a rate or a weight, and a NaN makes
    each comparison it enters false, so the selector would switch at every evaluation or never.
    """
    real = isinstance(value, numbers.Real) and not isinstance(value, bool)
    inside = (
        real
        and math.isfinite(value)
        and (low is None or (value > low if open_low else value >= low))
        and (high is None or (value < high if open_high else value <= high))
    )
    if not inside:
        if low is not None and high is not None:
            where = f"in {'(' if open_low else '['}{low}, {high}{')' if open_high else ']'}"
        elif low is not None:
            where = f"{'>' if open_low else '>='} {low}"
        else:
            where = f"{'<' if open_high else '<='} {high}"
        raise ValueError(f"{selector}: {label}={value!r}; it must be a finite number {where}.")


def check_count(selector: str, label: str, value, low: int, why: str = "") -> None:
    """Raises unless ``value`` is an int >= ``low``; ``why`` (e.g. " (a slope needs two updates)") ends the message."""
    if not is_count(value, low):
        raise ValueError(f"{selector}: {label}={value!r}; it must be an int >= {low}{why}.")


def check_order(selector: str, order) -> None:
    """Raises unless ``order`` is None (every candidate) or a non-empty sequence of candidates that is not a string."""
    if order is not None and (isinstance(order, str) or not isinstance(order, Sequence) or not order):
        raise ValueError(
            f"{selector}: order={order!r}; pass a non-empty list of candidate names, e.g. ['adam', 'sgd']."
        )


def resolve_all(keys: Iterable, names: Sequence[str], what: str) -> list[int]:
    """The indices of the candidates ``keys`` (names or indices), each named once."""
    keys = list(keys)
    indices = [_names.resolve(key, names, what=what) for key in keys]
    if len(set(indices)) != len(indices):
        raise ValueError(f"{what}: a candidate is named twice in {keys}; name each once.")
    return indices


def resolve_order(order, names: Sequence[str], what: str) -> list[int]:
    """The indices of ``order``'s candidates, or of every candidate for ``order=None``."""
    return resolve_all(range(len(names)) if order is None else order, names, what)
