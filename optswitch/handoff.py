"""Handoffs: what happens to the incoming candidate's state at a switch.

A handoff runs only on the update that follows a switch, inside the branch of the incoming candidate (a
branch of the same ``lax.switch`` that routes every update), so a run that never switches never pays for it.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import jax


class Context(NamedTuple):
    """What a handoff knows besides the two candidates' states.

    Attributes:
        step: int32 ``[]``, index of the first update the incoming candidate makes.
        source: int32 ``[]``, index of the outgoing candidate.
        target: int32 ``[]``, index of the incoming candidate.
        selector_state: the selector's state as it was when it chose the switch (e.g. SWATS's learning rate
            estimate).
        fresh_state: the incoming candidate's state as its ``init`` makes it (computed only if read).
    """

    step: jax.Array
    source: jax.Array
    target: jax.Array
    selector_state: Any
    fresh_state: Any


class Handoff(NamedTuple):
    """A handoff: ``fn(from_state, to_state, context) -> to_state``.

    Attributes:
        fn: returns the incoming candidate's state, with the structure, shapes and dtypes of ``to_state``.
        reads_source: whether ``fn`` reads ``from_state``; when it does not, the switch skips selecting the
            outgoing candidate's state.
    """

    fn: Callable[[Any, Any, Context], Any]
    reads_source: bool = True


def reset() -> Handoff:
    """The incoming candidate restarts from its ``init`` (``on_switch="reset"``)."""
    return Handoff(lambda from_state, to_state, context: context.fresh_state, reads_source=False)


def resolve(on_switch) -> Handoff | None:
    """Turns ``switch(on_switch=...)`` into a :class:`Handoff`, or None for ``"resume"`` (nothing to do)."""
    if on_switch == "resume":
        return None
    if on_switch == "reset":
        return reset()
    if isinstance(on_switch, Handoff):
        return on_switch
    if callable(on_switch):
        return Handoff(on_switch)
    raise ValueError(
        f"switch: on_switch={on_switch!r} is not a handoff; use 'resume' (the incoming candidate continues "
        f"from its frozen state), 'reset' (it restarts from init), or a callable "
        f"on_switch(from_state, to_state, context) -> to_state."
    )
