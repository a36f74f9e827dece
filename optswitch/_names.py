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


#: Bytes per name in the state. Fixed, so that renaming a candidate never changes the state's shape: a
#: checkpoint then restores under the new names and :func:`optswitch.check_candidates` names the change.
NAME_BYTES = 64


def check(names: Sequence[str]) -> None:
    """Raises unless every name survives :func:`encode` and :func:`decode` unchanged.

    Raises:
        ValueError: for a name with a NUL character, a lone surrogate, or more than :data:`NAME_BYTES` bytes.
    """
    for name in names:
        try:
            size = len(name.encode())
        except UnicodeEncodeError:
            raise ValueError(
                f"switch: candidate name {name!r} is not valid Unicode (a lone surrogate); the state stores names "
                f"as UTF-8, so pass a name made of printable characters."
            ) from None
        if "\0" in name:
            raise ValueError(
                f"switch: candidate name {name!r} holds a NUL character, which the state's zero-padded names "
                f"cannot keep apart from padding; drop it from the name."
            )
        if size > NAME_BYTES:
            raise ValueError(
                f"switch: candidate name {name!r} is {size} bytes in UTF-8; the state keeps at most {NAME_BYTES} "
                f"bytes per name, so pass a shorter one."
            )


def encode(names: Sequence[str]) -> np.ndarray:
    """Names as a zero-padded uint8 ``[N, NAME_BYTES]`` matrix of UTF-8 bytes, so the state holds only arrays."""
    check(names)
    raw = [name.encode() for name in names]
    table = np.zeros((len(raw), NAME_BYTES), np.uint8)
    for row, name in zip(table, raw, strict=True):
        row[: len(name)] = np.frombuffer(name, np.uint8)
    return table


def decode(table) -> tuple[str, ...]:
    """Inverse of :func:`encode`."""
    return tuple(bytes(row).rstrip(b"\0").decode() for row in np.asarray(table, np.uint8))
