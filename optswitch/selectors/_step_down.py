"""``step_down``: from a given update on, candidates at a multiple of their learning rate give way to the originals."""

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from optswitch.selectors import _line_fit, _window
from optswitch.selectors._base import Selector, default_float, for_names, with_loss
from optswitch.selectors._guards import check_wrappable, explain_through, snapshots_within, standing_aside
from optswitch.selectors._settings import check_count

#: How many times a copy's updates are found skipped (signals not finite) before it runs as its candidate.
_DIVERGED = 2

#: How :func:`optswitch.learning_rate_multiples` names a copy: ``{name}-x{multiple:g}``.
_COPY_NAME = re.compile(r"^(?P<name>.+)-x(?P<multiple>[0-9.e+-]+)$")


class StepDownState(NamedTuple):
    """State of :func:`step_down`.

    Attributes:
        inner: the wrapped selector's state.
        picked: int32 ``[]``, the wrapped selector's latest pick, before any step down (-1 before its first).
        last_step: int32 ``[]``, the update the latest ``select`` followed (-1 before the first): a later one
            than the next means the updates between were skipped, their loss not finite.
        diverged: int32 ``[N]``, per candidate, how many times a ``select`` found skipped updates (their signals
            not finite; several in a row count once) made by it as a copy: from the second, its picks run as its
            candidate.
        stall: with ``stall=`` given, the line through the log loss of the copy in the current window
            (:class:`StallWatch`); else None.
    """

    inner: Any
    picked: Any
    last_step: Any
    diverged: Any
    stall: Any = None


class StallWatch(NamedTuple):
    """The window of :func:`step_down` that watches the active copy's loss for a stall.

    Attributes:
        arm: int32 ``[]``, the candidate the window measures (-1 before the first update).
        fit: the least-squares line through ``log(loss)`` over the window's updates so far
            (:class:`optswitch.selectors._line_fit.LineFit`).
        stalled: bool ``[]``, whether a copy has stalled: picks are stepped down from the update after that; with
            ``per_copy=True``, bool ``[N]``, per candidate, whether it has stalled: its picks are stepped down.
        rate: ``[]``, minus the slope of the line over the window that stalled, and ``rate_sd`` its standard
            error (0 before a stall).
        rate_sd: ``[]``, see ``rate``.
    """

    arm: jax.Array
    fit: _line_fit.LineFit
    stalled: jax.Array
    rate: jax.Array
    rate_sd: jax.Array


def originals(names: tuple[str, ...]) -> dict[str, str]:
    """Each copy that :func:`optswitch.learning_rate_multiples` made, by name, mapped to the candidate it copies."""
    found = {}
    for name in names:
        match = _COPY_NAME.match(name)
        if match and match["name"] in names:
            found[name] = match["name"]
    return found


def _lowering_table(names: tuple[str, ...], to: Mapping[str, str] | None) -> list[int]:
    if to is None:
        to = originals(names)
        if not to:
            raise ValueError(
                f"step_down: no candidate is a copy made by optswitch.learning_rate_multiples (named like "
                f"'adam-x3' beside 'adam'); the candidates are {list(names)}. Make them with "
                f"learning_rate_multiples, or pass to= (a mapping from candidate to candidate)."
            )
    for source, target in to.items():
        for name in (source, target):
            if name not in names:
                raise ValueError(f"step_down: unknown candidate {name!r} in to=; the candidates are {list(names)}.")
    return [names.index(to.get(name, name)) for name in names]


def step_down(
    selector: Selector,
    at: int,
    to: Mapping[str, str] | None = None,
    *,
    stall: int | None = None,
    per_copy: bool = False,
    loss_is_log: bool = False,
) -> Selector:
    """``selector``, except that from update ``at`` on, its pick of a faster copy of a candidate runs the candidate.

    Made for the candidates of :func:`optswitch.learning_rate_multiples`: the wrapped selector picks an
    optimizer and a multiple of its learning rate early in the run, and from update ``at`` on the pick runs at
    the learning rate it was given (``adam-x3`` gives way to ``adam``): a step decay of the learning rate, the
    schedule that large steps early and small steps late call for. Measured on the project's development tasks,
    a race over the candidates at 3x and at 1x their learning rates, stepped down half-way, reached the targets
    that the race without the step missed where 3x leaves the loss on a noise floor above the target
    (``benchmarks/README.md``, "Selection, round 6").

    The wrapped selector's state still advances, and it sees the updates made for its picks as its picks'
    (``adam`` running for ``adam-x3`` is ``adam-x3`` to it, at the learning rate now given): a race still deciding
    after the step goes on measuring and dueling its picks. A switch made with :func:`optswitch.set_active` is
    seen as it is, unless it sets the very candidate the wrapped selector's pick runs as.

    With ``stall``, the step down comes earlier where a copy has stopped making progress: the active copy's loss
    is watched over windows of ``stall`` of its updates (a window starts over when the active candidate changes),
    and at the end of the first window before ``at`` in which the least-squares line through ``log(loss)`` does
    not fall, the step down begins, for every pick as from ``at``. A copy that stalls sits on the noise floor of
    its larger steps; the same optimizer with smaller steps, on the same state, can go below it. A copy only
    tried for a window shorter than ``stall`` (a race's leg, or a challenger's window in a duel) is not judged.
    With ``per_copy=True`` only the copy that stalled steps down; another copy keeps its multiple until ``at`` or
    a stall of its own (so that a duel after a stall can still try a challenger at its multiple).

    A copy that makes a second update whose signals are not finite (the switch skips ``select`` after each; the
    next ``select`` sees the gap in ``Signals.step``) runs as its candidate from then on, from any update. Once
    may be a race's leg that :func:`undo_if_worse` around ``step_down`` puts back; a second time, from parameters
    put back with the same batches to come, the learning rate is too large for where training is. That needs
    parameters that are finite again, which :func:`undo_if_worse` puts back.

    A selector with snapshots can be wrapped if it says when it is busy (:attr:`Snapshots.busy`: ``trials``,
    ``halving``): while a round of its trials runs, and at the updates where it asks for a snapshot, its picks run as
    they are (a trial of ``adam-x3`` runs ``adam-x3``, even after ``at``), skipped updates count for nothing, and
    the stall watch waits for the round to end. The two candidates of a step then need states of their own
    (``trials`` restores them one at a time): hand the copy's state on with a handoff, or the candidate goes on
    from its own.

    Args:
        selector: the selector whose picks are stepped down.
        at: the update (``Signals.step``, counting every update the switch made) from which a pick is stepped
            down, an int >= 0.
        to: which candidate gives way to which, by name; default: every copy that
            :func:`optswitch.learning_rate_multiples` made (``name-x{m}``) gives way to ``name``. A candidate
            not in it runs as picked.
        stall: updates per window over which a copy's loss is watched for a stall, an int >= 3 (a line and its
            scatter need three points), or None (the default) to step down at ``at`` only. With it, ``update``
            needs ``value=`` (the loss; updates with a loss ``<= 0`` are not counted, as for :func:`race`).
            Default ``None``; :func:`recommended` passes ``run_length // 20``.
        per_copy: with ``stall``, whether a stall steps down only the copy that stalled (True) or every copy from
            then on (False, the default, as :func:`recommended` does).
        loss_is_log: whether the loss is a logarithm already (a negative log-likelihood, which may be 0 or less):
            the stall's line then fits the loss itself, not ``log(loss)``, and every update counts. Default False.

    Returns:
        A :class:`Selector` with the wrapped one's reads (and the loss, with ``stall``), probe and handoff.

    Raises:
        ValueError: for ``at`` or ``stall`` out of range, or (when the switch is built) for a ``to`` naming an
            unknown candidate, or, without ``to``, candidates of which none is a copy.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> candidates = optswitch.learning_rate_multiples({"sgd": optax.sgd(0.1)}, (3, 1))
        >>> always_first = optswitch.selectors.schedule({0: "sgd-x3"})
        >>> tx = optswitch.switch(candidates, optswitch.selectors.step_down(always_first, at=5))
        >>> params = {"w": jnp.ones(2)}
        >>> state = tx.init(params)
        >>> for _ in range(8):
        ...     _, state = tx.update(params, state, params)
        >>> optswitch.summary(state).switches
        [(5, 'sgd-x3', 'sgd')]

        With ``stall=4``, a loss that stops falling steps the copy down before ``at``:

        >>> tx = optswitch.switch(candidates, optswitch.selectors.step_down(always_first, at=50, stall=4))
        >>> state = tx.init(params)
        >>> for loss in [8.0, 4.0, 2.0, 1.0, 0.9, 1.1, 0.95, 1.05, 1.0]:
        ...     _, state = tx.update(params, state, params, value=jnp.asarray(loss))
        >>> optswitch.summary(state).switches  # the second window, updates 4 to 7, does not fall
        [(8, 'sgd-x3', 'sgd')]
        >>> bool(state.selector_state.stall.stalled)
        True
    """
    check_wrappable(
        "step_down", selector, verb="wrap", change="replacing its picks", fix="without step_down", while_idle=True
    )
    check_count("step_down", "at", at, 0, " (the update from which picks are stepped down)")
    if stall is not None:
        check_count("step_down", "stall", stall, 3, " (updates per window watched for a stall; a line needs 3)")
    elif per_copy:
        raise ValueError("step_down: per_copy=True needs stall= (the window over which a copy's loss stalls).")
    warned: list[bool] = []

    def build(names: tuple[str, ...] | None) -> Selector:
        inner = selector.bound(names) if (names and selector.bind is not None) else selector
        # Resolved on the host, once: the candidate that runs for each pick, by index (unused before binding).
        table = np.asarray([] if names is None else _lowering_table(names, to), np.int32)

        def init(names):
            watch = None
            if stall is not None:
                zero = jnp.zeros([], default_float())
                stalled = jnp.zeros([len(names)] if per_copy else [], bool)
                watch = StallWatch(jnp.asarray(-1, jnp.int32), _line_fit.empty(zero.dtype), stalled, zero, zero)
            inner_state = inner.init(names)
            _window.leave_warning_to(inner_state, warned)
            minus_one = jnp.asarray(-1, jnp.int32)
            return StepDownState(inner_state, minus_one, minus_one, jnp.zeros([len(names)], jnp.int32), watch)

        def stalled(watch: StallWatch | None, pick):
            """Whether a stall steps ``pick`` down: any copy's, or with ``per_copy`` its own."""
            if watch is None:
                return False
            return watch.stalled[pick] if per_copy else watch.stalled

        def stepping(step, watch: StallWatch | None, pick):
            """Whether the update of index ``step`` runs the candidate of ``pick``: from ``at`` or a stall on."""
            return (step >= at) | stalled(watch, pick)

        def watched(signals, watch: StallWatch, length: int) -> StallWatch:
            """``watch`` after the update: the window takes in its loss; a full window that did not fall stalls."""
            loss = signals.loss.astype(watch.fit.mean.dtype)
            counts = _window.usable(loss, "step_down", warned, loss_is_log)
            fit = _window.fresh(_window.restarts(signals.active, watch.arm), watch.fit)
            fit = _line_fit.add(fit, _window.log_loss(loss, counts, loss_is_log))
            rate, variance = _line_fit.rate_and_variance(fit)
            full = fit.count >= length
            is_copy = jnp.asarray(table)[signals.active] != signals.active
            stalls = full & (rate <= 0) & is_copy & ~stepping(signals.step + 1, watch, signals.active)
            rate, rate_sd = jnp.where(stalls, rate, watch.rate), jnp.where(stalls, jnp.sqrt(variance), watch.rate_sd)
            fit = _window.fresh(full, fit)
            now = (jnp.arange(len(table)) == signals.active) & stalls if per_copy else stalls
            going = StallWatch(signals.active.astype(jnp.int32), fit, now | watch.stalled, rate, rate_sd)
            return jax.tree.map(lambda new, old: jnp.where(counts, new, old), going, watch)

        def select(signals, state: StepDownState):
            # The switch skips select after an update whose signals are not finite, and the candidate that made it
            # is still the active one: a copy's skipped update is that copy diverging.
            lowered = jnp.asarray(table)
            skipped = (signals.step > state.last_step + 1) & (lowered[signals.active] != signals.active)
            diverged = state.diverged + (skipped & (jnp.arange(len(table)) == signals.active)).astype(jnp.int32)
            # An update made for the previous pick by the candidate it steps down to is the pick's, to the wrapped
            # selector, so that its windows go on across the step.
            lowered_before = stepping(signals.step, state.stall, state.picked)
            lowered_before |= state.diverged[state.picked] >= _DIVERGED
            # After a select that stood aside for a busy selector, the update ran its pick as it was.
            lowered_before &= ~standing_aside(inner, state.inner, state.inner)
            ran_for_pick = lowered_before & (signals.active == lowered[state.picked])
            seen = signals._replace(active=jnp.where(ran_for_pick & (state.picked >= 0), state.picked, signals.active))
            choice, inner_state = inner.select(seen, state.inner)
            choice = choice.astype(jnp.int32)
            # While a selector with snapshots is busy (a round of trials), its picks and the skipped updates are its
            # own: a trial of a copy runs the copy, and its windows are not watched for a stall.
            aside = standing_aside(inner, state.inner, inner_state)
            diverged = jnp.where(aside, state.diverged, diverged)
            watch = state.stall
            if watch is not None and stall is not None:
                idle = watch._replace(arm=jnp.asarray(-1, jnp.int32), fit=_window.fresh(jnp.asarray(True), watch.fit))
                watch = optax.tree.where(aside, idle, watched(signals, watch, stall))
            # The choice is for the next update, index step + 1.
            stepping_next = stepping(signals.step + 1, watch, choice) | (diverged[choice] >= _DIVERGED)
            stepped = jnp.where(stepping_next & ~aside, lowered[choice], choice)
            last_step = signals.step.astype(jnp.int32)
            return stepped.astype(jnp.int32), StepDownState(inner_state, choice, last_step, diverged, watch)

        def stepped(signals, before: StepDownState, after: StepDownState):
            picked_copy = jnp.asarray(table)[after.picked] != after.picked
            at_step = (signals.step + 1 >= at) & picked_copy
            diverged_now = jnp.any((after.diverged >= _DIVERGED) & (before.diverged < _DIVERGED))
            stepping_now = at_step | ((after.diverged[after.picked] >= _DIVERGED) & picked_copy)
            numbers = {"picked": after.picked, "copy": signals.active, "diverged": diverged_now}
            alone = diverged_now | (after.picked == before.picked)
            if after.stall is None:
                return stepping_now, alone, numbers
            stalled_now = jnp.any(after.stall.stalled & ~before.stall.stalled)
            early = stalled(after.stall, after.picked)
            numbers |= {"stalled": stalled_now, "early": early}
            numbers |= {"rate": after.stall.rate, "rate_sd": after.stall.rate_sd}
            stepping_now |= early & picked_copy
            return stepping_now, stalled_now | alone, numbers

        def step_text(numbers, names):
            copy = int(numbers["copy"])
            if numbers["diverged"]:
                return (
                    f"{names[copy]} made a second update whose loss was not finite: from now on it runs as "
                    f"{names[int(table[copy])]}"
                )
            picked = int(numbers["picked"])
            if numbers.get("stalled", False):
                if per_copy:
                    which, also = f"it runs as {names[int(table[copy])]}", ""
                else:
                    # The wrapped selector may pick another copy at the very update the stall is found (a race's
                    # duel beginning): name it, as the target is its candidate, not the stalled copy's.
                    which = "each copy runs as its candidate"
                    also = "" if picked == copy else f"; the pick, {names[picked]}, runs as {names[int(table[picked])]}"
                return (
                    f"{names[copy]}'s loss stalled over {stall} updates (rate {numbers['rate']:.2g} +- "
                    f"{numbers['rate_sd']:.1g}): from now on, {which}{also}"
                )
            start = "a stall" if numbers.get("early", False) else f"update {at}"
            return f"stepped down from {start}: {names[picked]} runs as {names[int(table[picked])]}"

        reads = inner.reads if stall is None else with_loss(inner.reads)
        return inner._replace(
            init=init,
            select=select,
            reads=reads,
            name=f"step_down({inner.name})",
            bind=None,
            snapshots=snapshots_within(inner),
            explain=explain_through(inner, stepped, step_text),
        )

    return for_names(build)
