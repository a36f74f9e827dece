"""``schedule``: switches at fixed update indices."""

from collections.abc import Mapping
from typing import NamedTuple

import jax
import jax.numpy as jnp

from optswitch import _names
from optswitch.selectors._base import Selector, for_names
from optswitch.selectors._settings import MAX_STEP, is_count


class ScheduleState(NamedTuple):
    """State of :func:`schedule`: its progress only.

    Its boundaries and targets are settings of the transformation (so a run resumed under an edited schedule
    follows the edit), not part of the state.

    Attributes:
        last_step: int32 ``[]``, the update after which ``select`` last ran (-1 before the first): a boundary
            between it and the next ``select``, reached on updates the switch skipped (signals that are not finite
            under a selector that reads them), still acts.
    """

    last_step: jax.Array


def schedule(boundaries: Mapping[int, str | int]) -> Selector:
    """Switches at fixed update indices.

    ``schedule({0: "adam", 5: "sgd", 12: "adam"})`` has Adam make updates 0 to 4, SGD updates 5 to 11 and
    Adam every update from 12 on. The schedule acts only at its boundaries, so a switch made from the host
    with :func:`optswitch.set_active` holds until the next boundary. A boundary at 0 sets the candidate of
    the first update; without one, ``switch(initial=...)`` does. Under a wrapper that reads the loss
    (:func:`undo_if_worse`, say), an update whose loss is not finite skips ``select``: a boundary passed on such
    updates acts at the next ``select`` (one update late), not never.

    Args:
        boundaries: mapping from update index (an int >= 0) to the name or index of the candidate that makes
            the updates from that index on.

    Returns:
        A :class:`Selector` that reads no signal.

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)},
        ...     optswitch.selectors.schedule({0: "adam", 2: "sgd"}))
        >>> params = {"w": jnp.ones(3)}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     updates, state = tx.update(params, state, params)
        >>> optswitch.summary(state).switches
        [(2, 'adam', 'sgd')]
    """
    if not isinstance(boundaries, Mapping) or not boundaries:
        raise ValueError(
            f"schedule: expected a non-empty mapping from update index to candidate, e.g. "
            f"{{0: 'adam', 1000: 'sgd'}}; got {boundaries!r}."
        )
    for step in boundaries:
        if not is_count(step, 0):
            raise ValueError(
                f"schedule: boundary {step!r} is not an update index; boundaries are ints >= 0, the index of "
                f"the first update a candidate makes."
            )
        if step > MAX_STEP:
            raise ValueError(
                f"schedule: boundary {step} is past the last update index an int32 step counter reaches "
                f"({MAX_STEP}); pass a boundary <= {MAX_STEP}."
            )
    steps = [int(step) for step in sorted(boundaries)]
    by_step = {int(step): target for step, target in boundaries.items()}

    def build(names):
        if names is None:
            targets: list[int] = []
        else:
            targets = [_names.resolve(by_step[step], names, what=f"schedule at step {step}") for step in steps]

        def select(signals, state: ScheduleState):
            passed = _passed(steps, state.last_step, signals.step)
            # The latest boundary passed since the previous select: more than one only after skipped updates.
            latest = len(steps) - 1 - jnp.argmax(passed[::-1])
            target = jnp.asarray(targets, jnp.int32)[latest]
            chosen = jnp.where(jnp.any(passed), target, signals.active)
            return chosen, ScheduleState(signals.step.astype(jnp.int32))

        def explain(signals, before: ScheduleState, after: ScheduleState):
            passed = _passed(steps, before.last_step, signals.step)
            latest = jnp.asarray(steps, jnp.int32)[len(steps) - 1 - jnp.argmax(passed[::-1])]
            return {"boundary": latest, "update": signals.step + 1}, explained

        return Selector(
            init=lambda names: ScheduleState(jnp.asarray(-1, jnp.int32)),
            select=select,
            initial=lambda names: targets[0] if steps[0] == 0 else None,
            name="schedule",
            explain=explain,
            bind=build,
        )

    return for_names(build)


def _passed(steps: list[int], last_step: jax.Array, step: jax.Array) -> jax.Array:
    """Which boundaries fall after the update following ``last_step`` and by the update following ``step``."""
    boundaries = jnp.asarray(steps, jnp.int32)
    return (boundaries > last_step + 1) & (boundaries <= step + 1)


def explained(numbers, names) -> str:
    """Why :func:`schedule` switched: ``"scheduled at 50"``, and when a boundary acted late, since when."""
    boundary, update = int(numbers["boundary"]), int(numbers["update"])
    if boundary == update:
        return f"scheduled at {update}"
    return f"scheduled at {boundary}, from {update} (the updates between were skipped: signals not finite)"


def key_numbers(state: ScheduleState, names: tuple[str, ...]) -> dict[str, jax.Array]:
    """The numbers of :func:`optswitch.metrics` for :func:`schedule`: none, the schedule is fixed."""
    del state, names
    return {}
