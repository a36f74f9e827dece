"""Prototype selectors that hand the race its leader: round 32's, one round of trials from the start, then the race's
duels from the trials' winner; round 64's, the race's legs, then one fair reading of every optimizer, then the duels.

Not library selectors: the race has no way to begin in its lead, so this module sequences them by hand, reading
the race's state (its ``_race_rules``). Each says when its round is under way (``Snapshots.busy``), so that round 33's
variant and round 64's contenders wrap it in ``step_down`` and ``undo_if_worse`` (round 33's with
:func:`sibling_state` carrying a copy's optimizer state to its candidate at the step down).
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from optswitch import handoff, selectors
from optswitch.selectors._base import Selector, SnapshotRequest, Snapshots, default_float, for_names
from optswitch.selectors._race import default_window
from optswitch.selectors._race_rules import Phase, RaceState, ratio
from optswitch.selectors._trial_rounds import START, no_request, trialing
from optswitch.selectors._trials import TrialsState, scored

#: The race's defaults that its lead reads: the growth of the updates between duels, and a leader window's fraction.
GROWTH, FRACTION = 2.0, 0.125


class TrialsDuelsState(NamedTuple):
    """State of :func:`trials_then_duels`.

    Attributes:
        trials: the trials' state (its clock runs on after the round: it asks for nothing more).
        race: the race's state: as ``init`` left it until the round ends, then leading with the trials' winner.
        means: ``[N]``, each candidate's mean loss over the second half of its trial (inf before it ends).
        dueling: bool ``[]``, whether the round has ended and the race decides.
    """

    trials: TrialsState
    race: RaceState
    means: jax.Array
    dueling: jax.Array


def trials_then_duels(run_length: int, trial_length: int | None = None) -> Selector:
    """One round of ``selectors.trials`` from update 1 over every candidate (no margin), then the race's duels.

    When the round ends, its winner leads the race (``selectors.race(run_length=run_length, stop=run_length // 2)``,
    its other settings the defaults); each candidate's standing is the winner's trial mean over its own, so that the
    runner-up is the candidate of another optimizer with the lowest trial mean (the winner's own copies at other
    multiples, ``adam`` beside ``adam-x3``, never challenge it: the step down at half-way decides between them); the
    first duel may begin at ``GROWTH`` times the update at which the round ended, as after the race's own round. The
    race decides nothing from half-way on. A trial whose loss is not finite is lost, as under ``selectors.trials``;
    after the round nothing guards the run (no undo).

    Args:
        run_length: the run's length in updates.
        trial_length: updates per candidate in the round; default ``max(4, run_length // 100)``.
    """
    trial_length = max(4, run_length // 100) if trial_length is None else trial_length
    trials = selectors.trials(run_length, trial_length=trial_length, rounds=(0.0,), margin=0.0, confidence=0.0)
    race = selectors.race(run_length=run_length, stop=run_length // 2)
    half = trial_length // 2

    def build(names: tuple[str, ...] | None) -> Selector:
        duels = race if names is None else race.bound(names)
        window = default_window(run_length, len(names or ()) or 1)
        family = jnp.asarray([optimizers(names or ()).index(base) for base in bases(names or ())], jnp.int32)

        def init(names):
            means = jnp.full([len(names)], jnp.inf, default_float())
            return TrialsDuelsState(trials.init(names), duels.init(names), means, jnp.asarray(False))

        def lead(race_state: RaceState, winner, means, updates) -> RaceState:
            """The race's state with the round's ``winner`` leading, standings from the trials' ``means``."""
            standing = ratio(means[winner], means).astype(race_state.standing.dtype)
            standing = jnp.where(family == family[winner], -jnp.inf, standing).at[winner].set(1)
            return leading_from(race_state, winner, standing, updates, window)

        def select(signals, state: TrialsDuelsState):
            _, total, _, _ = scored(state.trials, signals.loss.astype(state.means.dtype), trial_length)
            ends = state.trials.trialing & (state.trials.count + 1 == trial_length)
            means = jnp.where(ends, state.means.at[signals.active].set(total / half), state.means)
            picked, trials_state = trials.select(signals, state.trials)
            over = state.trials.trialing & ~trials_state.trialing
            raced, race_state = jax.lax.cond(
                state.dueling,
                lambda: duels.select(signals, state.race),
                lambda: (
                    picked,
                    optax.tree.where(over, lead(state.race, picked, means, trials_state.updates), state.race),
                ),
            )
            choice = jnp.where(state.dueling, raced, picked).astype(jnp.int32)
            return choice, TrialsDuelsState(trials_state, race_state, means, state.dueling | over)

        def request(state: TrialsDuelsState) -> SnapshotRequest:
            return state.trials.request

        def on_skip(state: TrialsDuelsState) -> tuple[SnapshotRequest, TrialsDuelsState]:
            # A trial whose loss is not finite is lost, as under trials alone; after the round, nothing is asked.
            skip_request, trials_state = trials.snapshots.on_skip(state.trials)
            return skip_request, state._replace(trials=trials_state)

        def busy(state: TrialsDuelsState) -> jax.Array:
            return trialing(state.trials)

        return Selector(
            init=init,
            select=select,
            reads=frozenset({"loss"}),
            name="trials_then_duels",
            snapshots=Snapshots(slots=2, request=request, candidate_states=True, on_skip=on_skip, busy=busy),
            explain=explainer(trials, duels),
            bind=build,
        )

    return for_names(build)


def leading_from(race_state: RaceState, winner, standing, updates, window: int) -> RaceState:
    """The race's state with ``winner`` leading from ``updates`` on, as after the race's own round: the other
    candidates at ``standing``, the leader's first window ``max(window, FRACTION * updates)`` long, the first duel
    from ``GROWTH * updates``."""
    scale = updates.astype(standing.dtype)
    return race_state._replace(
        phase=jnp.asarray(Phase.LEADING, jnp.int32),
        leader=winner,
        challenger=winner,
        arm=winner,
        length=jnp.maximum(window, jnp.round(FRACTION * scale)).astype(jnp.int32),
        count=jnp.zeros_like(race_state.count),
        updates=updates,
        standing=standing,
        next_duel=jnp.ceil(GROWTH * scale).astype(jnp.int32),
    )


def sibling_state(after: int) -> handoff.Handoff:
    """A handoff that gives the incoming candidate the outgoing one's optimizer state where the two are copies of one
    optimizer (``adam-x3`` and ``adam``, each with a state of its own, of one structure), from update ``after`` on.

    With copies that keep states of their own, ``step_down``'s step from ``adam-x3`` to ``adam`` would otherwise
    go on from ``adam``'s state as its trial left it; with this, it goes on from the copy's, as with the shared state of
    :func:`optswitch.learning_rate_multiples` (which ``selectors.trials`` cannot restore one copy at a time).
    ``after``: the last update of the round of trials (a trial of ``adam`` that follows one of ``rmsprop-x3`` is not a
    step down; the winner coming back at the round's end may follow its own sibling's trial).
    """

    def carry(from_state, to_state, context: handoff.Context):
        family = bases(context.names)
        siblings = [k for k in range(len(family)) if k != context.target and family[k] == family[context.target]]
        # A copy is its candidate chained with the scaling of its updates: its state is (the candidate's, the
        # schedule's); the candidate's part is what carries over, either way.
        if alike(from_state, to_state):
            given = from_state
        elif isinstance(from_state, tuple) and from_state and alike(from_state[0], to_state):
            given = from_state[0]
        elif isinstance(to_state, tuple) and to_state and alike(from_state, to_state[0]):
            given = (from_state, *to_state[1:])
        else:
            return to_state
        if not siblings:
            return to_state
        carried = (context.step > after) & jnp.isin(context.source, jnp.asarray(siblings))
        return optax.tree.where(carried, given, to_state)

    return handoff.Handoff(fn=carry)


def alike(a, b) -> bool:
    """Whether the pytrees ``a`` and ``b`` have one structure, and their leaves one shape and dtype."""
    leaves_a, leaves_b = jax.tree.leaves(a), jax.tree.leaves(b)
    return jax.tree.structure(a) == jax.tree.structure(b) and all(
        jnp.shape(x) == jnp.shape(y) and jnp.result_type(x) == jnp.result_type(y)
        for x, y in zip(leaves_a, leaves_b, strict=True)
    )


def explainer(trials: Selector, duels: Selector):
    """Why :func:`trials_then_duels` switched: the trials' explanation during the round, the race's after it."""

    def explain(signals, before: TrialsDuelsState, after: TrialsDuelsState):
        trials_numbers, trials_text = trials.explain(signals, before.trials, after.trials)
        race_numbers, race_text = duels.explain(signals, before.race, after.race)
        numbers = {"trials": trials_numbers, "race": race_numbers, "dueling": before.dueling}

        def text(numbers, names):
            if numbers["dueling"]:
                return race_text(numbers["race"], names)
            return trials_text(numbers["trials"], names)

        return numbers, text

    return explain


def bases(names: tuple[str, ...]) -> list[str]:
    """Each candidate's optimizer, its name without the multiple ``learning_rate_multiples`` gave it (``adam-x3``:
    ``adam``)."""
    return [name.rsplit("-x", 1)[0] if "-x" in name else name for name in names]


def optimizers(names: tuple[str, ...]) -> list[str]:
    """The distinct optimizers among ``names``, in order of first appearance."""
    return list(dict.fromkeys(bases(names)))


class RaceReadingState(NamedTuple):
    """State of :func:`race_then_reading`.

    Attributes:
        race: the race's state: its clock stands still during the reading, which is then added to it.
        reading: bool ``[]``, whether the reading is under way.
        position: int32 ``[]``, the current trial's place in ``order``.
        count: int32 ``[]``, updates of the current trial seen so far.
        spent: int32 ``[]``, updates the reading has taken so far.
        order: int32 ``[F]``, the copies read, one of each optimizer at the race leader's multiple (or at ``at``), its
            own last.
        means: ``[F]``, each trial's mean loss over its second half (inf until it ends, and for a lost one).
        total: ``[]``, the current trial's sum of losses over its second half so far.
        request: the :class:`SnapshotRequest` the switch runs after this update.
    """

    race: RaceState
    reading: jax.Array
    position: jax.Array
    count: jax.Array  # type: ignore[assignment]  # a counter, named so on purpose: it shadows tuple.count
    spent: jax.Array
    order: jax.Array
    means: jax.Array
    total: jax.Array
    request: SnapshotRequest


def race_then_reading(run_length: int, trial_length: int | None = None, at: float | None = None) -> Selector:
    """Round 64's prototype: the race's legs, then one fair reading of every optimizer from the race's end point, then
    the race's duels from the reading's pick.

    When the race's legs end (``selectors.race(run_length=run_length, stop=run_length // 2)``), the switch saves the
    parameters and the candidates' states (they share one state per optimizer, as over
    :func:`optswitch.learning_rate_multiples`); each optimizer's copy at the race leader's multiple then makes
    ``trial_length`` updates from there, the leader's own optimizer last, each trial from the saved parameters and
    states. The pick is the lowest mean loss over a trial's second half, no margin (round 63's
    ``trial_reading --own-states``, which picked the best candidate on 435 of 675 runs where the race's end did on 307
    of 658). If the last trial (the race leader's optimizer) wins, training goes on from its end point: the reading cost
    the other trials' updates; else from the saved parameters and states with the pick. The pick then leads the race,
    each other optimizer's copy at that multiple standing at the pick's mean over its own (copies at other multiples
    out of the duels), the first duel from ``GROWTH`` times the updates seen, as after the race's own round. A trial
    whose loss is not finite is lost (the parameters and states go back to the saved ones).

    With ``at`` (round 64's second variant, ``at=1``), the reading runs each optimizer's copy at that multiple
    instead, as round 63's reading did (the fixed candidates at 1x), and the pick leads at the race leader's
    multiple: a reading at 3x favours the copies that move fastest over 50 updates (SGD at 3x on the character
    transformer, the first variant's development trial), which a reading at 1x does not.

    Args:
        run_length: the run's length in updates.
        trial_length: updates per optimizer in the reading; default ``max(4, run_length // 40)``.
        at: the multiple at which each optimizer is read (its copy named ``{name}-x{at:g}``, or ``name`` at 1);
            default: the race leader's.
    """
    trial_length = max(4, run_length // 40) if trial_length is None else trial_length
    half = trial_length // 2
    race = selectors.race(run_length=run_length, stop=run_length // 2)

    def build(names: tuple[str, ...] | None) -> Selector:
        names = names or ()
        duels = race.bound(names) if names else race
        window = default_window(run_length, len(names) or 1)
        families = optimizers(names)
        family = np.asarray([families.index(base) for base in bases(names)], np.int32)
        multiple = [name.rsplit("-x", 1)[1] if "-x" in name else "1" for name in names]
        # same_multiple[k, f]: the copy of optimizer f at copy k's multiple (k itself for its own optimizer).
        same_multiple = at_multiples(names, family, multiple, len(families))
        if names and len(families) < 2:
            raise ValueError(f"race_then_reading: {names} holds one optimizer; the reading needs two or more.")
        n_read = len(families)
        # read_from[k]: the copy whose row of same_multiple is read when copy k leads the race.
        read_from = np.arange(len(names), dtype=np.int32)
        if at is not None and names:
            at_suffix = f"{at:g}"
            for k in range(len(names)):
                sibling = [j for j in range(len(names)) if family[j] == family[k] and multiple[j] == at_suffix]
                if not sibling:
                    raise ValueError(f"race_then_reading: no copy of {bases(names)[k]} at {at:g}x among {names}.")
                read_from[k] = sibling[0]

        def init(names):
            dtype = default_float()
            return RaceReadingState(
                race=duels.init(names),
                reading=jnp.asarray(False),
                position=jnp.asarray(0, jnp.int32),
                count=jnp.asarray(0, jnp.int32),
                spent=jnp.asarray(0, jnp.int32),
                order=jnp.zeros([n_read], jnp.int32),
                means=jnp.full([n_read], jnp.inf, dtype),
                total=jnp.asarray(0, dtype),
                request=no_request(len(names)),
            )

        def reading_order(leader) -> jax.Array:
            own = jnp.asarray(family)[leader]
            last = jnp.argsort((jnp.arange(n_read) == own).astype(jnp.int32), stable=True)
            return jnp.asarray(same_multiple)[jnp.asarray(read_from)[leader]][last]

        def leading(leader, read) -> jax.Array:
            """The copies at the race ``leader``'s multiple of the optimizers of the ``read`` copies."""
            return jnp.asarray(same_multiple)[leader][jnp.asarray(family)[read]]

        def lead(race_state: RaceState, winner, order, means, updates) -> RaceState:
            """The race's state with ``winner`` leading, the read copies standing at its mean over theirs."""
            by_copy = (
                jnp.full([len(names)], -jnp.inf, means.dtype)
                .at[leading(race_state.leader, order)]
                .set(ratio(means[jnp.argmin(means)], means))
            )
            standing = by_copy.at[winner].set(1).astype(race_state.standing.dtype)
            return leading_from(race_state, winner, standing, updates, window)

        def racing(signals, state: RaceReadingState):
            choice, race_state = duels.select(signals, state.race)
            # The race's legs end once: after the reading, its state leads (``leading_from``) and never races again.
            begins = (state.race.phase == Phase.RACING) & (race_state.phase != Phase.RACING)
            order = jnp.where(begins, reading_order(race_state.leader), state.order)
            request = no_request(len(names))._replace(
                save=jnp.where(begins, START, -1).astype(jnp.int32), keep_states=begins
            )
            new_state = state._replace(race=race_state, reading=begins, order=order, request=request)
            return jnp.where(begins, order[0], choice).astype(jnp.int32), new_state

        def trialing_step(signals, state: RaceReadingState):
            loss = signals.loss.astype(state.total.dtype)
            count = state.count + 1
            total = state.total + jnp.where(count > trial_length - half, loss, 0)
            ends = count >= trial_length
            means = jnp.where(ends, state.means.at[state.position].set(total / half), state.means)
            last = state.position == n_read - 1
            over = ends & last
            finite = jnp.isfinite(means)
            best = jnp.where(jnp.any(finite), jnp.argmin(means), n_read - 1)
            winner = leading(state.race.leader, state.order[best])
            goes_on = over & (best == n_read - 1) & finite[n_read - 1]
            back = ends & ~goes_on
            request = no_request(len(names))._replace(
                load=jnp.where(back, START, -1).astype(jnp.int32),
                restore_states=jnp.broadcast_to(back, (len(names),)),
            )
            spent = state.spent + 1
            race_state = optax.tree.where(
                over, lead(state.race, winner, state.order, means, state.race.updates + spent), state.race
            )
            following = state.order[jnp.minimum(state.position + 1, n_read - 1)]
            choice = jnp.where(over, winner, jnp.where(ends, following, signals.active))
            new_state = state._replace(
                race=race_state,
                reading=~over,
                position=state.position + (ends & ~last).astype(jnp.int32),
                count=jnp.where(ends, 0, count),
                spent=spent,
                means=means,
                total=jnp.where(ends, 0, total).astype(total.dtype),
                request=request,
            )
            return choice.astype(jnp.int32), new_state

        def select(signals, state: RaceReadingState):
            return jax.lax.cond(state.reading, trialing_step, racing, signals, state)

        def on_skip(state: RaceReadingState) -> tuple[SnapshotRequest, RaceReadingState]:
            # A trial whose loss is not finite is lost: back to the saved start, and its next finite update ends it.
            lost = no_request(len(names))._replace(
                load=jnp.where(state.reading, START, -1).astype(jnp.int32),
                restore_states=jnp.broadcast_to(state.reading, (len(names),)),
            )
            total = jnp.where(state.reading, jnp.inf, state.total).astype(state.total.dtype)
            count = jnp.where(state.reading, trial_length - 1, state.count).astype(state.count.dtype)
            return lost, state._replace(total=total, count=count, request=lost)

        def explain(signals, before: RaceReadingState, after: RaceReadingState):
            race_numbers, race_text = duels.explain(signals, before.race, after.race)
            numbers = {"race": race_numbers, "reading": before.reading | after.reading, "means": after.means,
                       "order": after.order}  # fmt: skip

            def text(numbers, names):
                if not numbers["reading"]:
                    return race_text(numbers["race"], names)
                read = ", ".join(
                    f"{names[int(k)]} {float(m):.4g}" for k, m in zip(numbers["order"], numbers["means"], strict=True)
                )
                return f"reading after the race (mean loss over each trial's second half: {read})"

            return numbers, text

        return Selector(
            init=init,
            select=select,
            reads=frozenset({"loss"}),
            name="race_then_reading",
            snapshots=Snapshots(
                slots=1,
                request=lambda state: state.request,
                candidate_states=True,
                all_or_none=True,
                on_skip=on_skip,
                busy=lambda state: state.reading,
            ),
            explain=explain,
            bind=build,
        )

    return for_names(build)


def at_multiples(names: tuple[str, ...], family: np.ndarray, multiple: list[str], families: int) -> np.ndarray:
    """int32 ``[N, F]``: for each copy ``k`` and optimizer ``f``, the copy of ``f`` at ``k``'s multiple (``k`` itself
    for its own optimizer, and where ``f`` has no copy at that multiple)."""
    table = np.tile(np.arange(len(names), dtype=np.int32)[:, None], (1, families))
    for k in range(len(names)):
        for j in range(len(names)):
            if multiple[j] == multiple[k] and family[j] != family[k]:
                table[k, family[j]] = j
    return table
