"""Round 32's prototype selector: one round of trials from the start, then the race's duels from the trials' winner.

Not a library selector: the race has no way to begin in its lead, so this module sequences the two by hand, reading
the race's state (its ``_race_rules``). It says when its round is under way (``Snapshots.busy``), so that round 33's
variant wraps it in ``step_down`` and ``undo_if_worse``, with :func:`sibling_state` carrying a copy's optimizer state
to its candidate at the step down.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax

from optswitch import handoff, selectors
from optswitch.selectors._base import Selector, SnapshotRequest, Snapshots, default_float, for_names
from optswitch.selectors._race import default_window
from optswitch.selectors._race_rules import Phase, RaceState, ratio
from optswitch.selectors._trial_rounds import trialing
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
            length = jnp.maximum(window, jnp.round(FRACTION * updates.astype(means.dtype))).astype(jnp.int32)
            return race_state._replace(
                phase=jnp.asarray(Phase.LEADING, jnp.int32),
                leader=winner,
                challenger=winner,
                arm=winner,
                length=length,
                updates=updates,
                standing=standing,
                next_duel=jnp.ceil(GROWTH * updates.astype(means.dtype)).astype(jnp.int32),
            )

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
