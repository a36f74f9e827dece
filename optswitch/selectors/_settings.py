"""Checks of a selector's settings, each written once, in the error style of the package."""

from collections.abc import Iterable, Sequence

from optswitch import _names


def is_count(value, low: int) -> bool:
    """Whether ``value`` is an int (a bool is not) of at least ``low``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


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
