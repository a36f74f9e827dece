"""The handoff protocol (:class:`Context`, :class:`Handoff`), ``reset`` and ``chain``; see :mod:`optswitch.handoff`."""

from collections.abc import Callable
from typing import Any, NamedTuple

import jax


class Context(NamedTuple):
    """What a handoff knows besides the two candidates' states.

    Attributes:
        step: int32 ``[]``, index of the first update the incoming candidate makes.
        source: int32 ``[]``, index of the outgoing candidate.
        target: int, index of the incoming candidate: a Python int, since each candidate has a branch of
            its own, so a handoff can specialise on it while tracing (``names[target] == "sgd"``).
        selector_state: the selector's state as it was when it chose the switch (e.g. SWATS's learning rate
            estimate).
        fresh_state: the incoming candidate's state as its ``init`` makes it (computed only if read).
        names: the candidates' names, in order.
    """

    step: jax.Array
    source: jax.Array
    target: int
    selector_state: Any
    fresh_state: Any
    names: tuple[str, ...] = ()


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


def chain(*handoffs: Handoff | Callable[..., Any] | str) -> Handoff:
    """Runs handoffs one after the other, each on the incoming state the previous one returned.

    Args:
        *handoffs: :class:`Handoff` objects, functions ``fn(from_state, to_state, context) -> to_state``, or
            ``"reset"``.

    Returns:
        A :class:`Handoff`.

    Examples:
        >>> import optax
        >>> from optswitch import handoff
        >>> def halve_rate(from_state, to_state, context):
        ...     if context.names[context.target] != "sgd":  # the other candidates have no learning_rate
        ...         return to_state
        ...     return optax.tree.set(to_state, learning_rate=0.5 * optax.tree.get(to_state, "learning_rate"))
        >>> both = handoff.chain(handoff.transfer_momentum(), halve_rate)
        >>> both.reads_source
        True
    """
    parts = [part for part in map(resolve, handoffs) if part is not None]

    def fn(from_state, to_state, context):
        for part in parts:
            to_state = part.fn(from_state, to_state, context)
        return to_state

    return Handoff(fn, reads_source=any(part.reads_source for part in parts))


def resolve(on_switch) -> Handoff | None:
    """Turns ``switch(on_switch=...)`` into a :class:`Handoff`, or None for ``"resume"`` (nothing to do)."""
    if isinstance(on_switch, str) and on_switch == "resume":
        return None
    if isinstance(on_switch, str) and on_switch == "reset":
        return reset()
    if isinstance(on_switch, Handoff):
        return on_switch
    if callable(on_switch):
        return Handoff(on_switch)
    raise ValueError(
        f"switch: on_switch={on_switch!r} is not a handoff; use 'resume' (the incoming candidate continues "
        f"from its frozen state), 'reset' (it restarts from init), a handoff such as "
        f"optswitch.handoff.transfer_momentum(), or a callable on_switch(from_state, to_state, context) -> to_state."
    )
