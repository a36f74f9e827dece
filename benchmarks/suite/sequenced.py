"""Round 32's prototype selector: one round of trials from the start, then the race's duels from the trials' winner.

Not a library selector: ``step_down`` and the guards cannot wrap ``selectors.trials``, and the race has no way to
begin in its lead, so this module sequences the two by hand, reading the race's state (its ``_race_rules``).
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax

from optswitch import selectors
from optswitch.selectors._base import Selector, SnapshotRequest, Snapshots, default_float, for_names
from optswitch.selectors._race import default_window
from optswitch.selectors._race_rules import Phase, RaceState, ratio
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

        return Selector(
            init=init,
            select=select,
            reads=frozenset({"loss"}),
            name="trials_then_duels",
            snapshots=Snapshots(slots=2, request=request, candidate_states=True, on_skip=on_skip),
            explain=explainer(trials, duels),
            bind=build,
        )

    return for_names(build)


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
