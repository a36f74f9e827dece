"""Candidate names: resolving what users write, and storing names in the state as arrays."""

from collections.abc import Sequence

import numpy as np


def resolve(key: str | int, names: Sequence[str], *, what: str) -> int:
    """Returns the index of candidate ``key`` (a name, or an index into ``names``).

    Raises:
        ValueError: naming ``what`` asked for it and listing the candidates, when ``key`` is none of them.
        TypeError: when ``key`` is neither a string nor an int.
    """
    if isinstance(key, str):
        if key in names:
            return list(names).index(key)
        raise ValueError(f"{what}: unknown candidate {key!r}; the candidates are {list(names)}.")
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        if 0 <= key < len(names):
            return int(key)
        raise ValueError(
            f"{what}: candidate index {key} is out of range; use 0 to {len(names) - 1} or one of the names "
            f"{list(names)}."
        )
    raise TypeError(f"{what}: expected a candidate name or index, got {type(key).__name__} {key!r}.")


def encode(names: Sequence[str]) -> np.ndarray:
    """Names as a zero-padded uint8 matrix of UTF-8 bytes, one row per name, so the state holds only arrays."""
    raw = [name.encode() for name in names]
    table = np.zeros((len(raw), max(1, max(map(len, raw)))), np.uint8)
    for row, name in zip(table, raw, strict=True):
        row[: len(name)] = np.frombuffer(name, np.uint8)
    return table


def decode(table) -> tuple[str, ...]:
    """Inverse of :func:`encode`."""
    return tuple(bytes(row).rstrip(b"\0").decode() for row in np.asarray(table, np.uint8))
