"""``trials``: fair trials from a common start, each candidate run for the same number of updates from one snapshot."""

from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from optswitch.selectors._base import Selector, SnapshotRequest, Snapshots, default_float
from optswitch.selectors._settings import check_count
from optswitch.selectors._trial_rounds import BEST, START, lose_trial, next_in_round, no_request, trialing


class TrialsState(NamedTuple):
    """State of :func:`trials`.

    Attributes:
        updates: int32 ``[]``, updates seen (those with a finite loss): the selector's clock.
        rounds: int32 ``[]``, rounds of trials begun.
        trialing: bool ``[]``, whether a trial is under way.
        position: int32 ``[]``, the current trial's place in its round (0: the incumbent's).
        count: int32 ``[]``, updates of the current trial seen so far.
        incumbent: int32 ``[]``, the candidate that trained before the round (and after it, unless beaten).
        winner: int32 ``[]``, the round's winner so far, whose end point the ``BEST`` slot holds.
        winner_mean: ``[]``, the winner's mean loss over the second half of its trial.
        incumbent_mean: ``[]``, the incumbent's.
        incumbent_losses: ``[H]``, the incumbent's losses over the second half of its trial (``H = trial // 2``),
            which each challenger's losses are paired with, update for update.
        total: ``[]``, the current trial's sum of losses over its second half so far.
        differences: ``[]``, the sum of the current challenger's losses minus the incumbent's, paired.
        squared_differences: ``[]``, the sum of their squares.
        request: the :class:`SnapshotRequest` the switch runs after this update.
    """

    updates: jax.Array
    rounds: jax.Array
    trialing: jax.Array
    position: jax.Array
    count: jax.Array  # type: ignore[assignment]  # a counter, named so on purpose: it shadows tuple.count
    incumbent: jax.Array
    winner: jax.Array
    winner_mean: jax.Array
    incumbent_mean: jax.Array
    incumbent_losses: jax.Array
    total: jax.Array
    differences: jax.Array
    squared_differences: jax.Array
    request: SnapshotRequest


def round_starts(run_length: int, rounds: Sequence[float], warmup: int, stop: float) -> list[int]:
    """The updates (counted as the selector sees them) before which each round of :func:`trials` begins."""
    starts = sorted({max(round(fraction * run_length), warmup, 1) for fraction in rounds})
    return [start for start in starts if start < stop * run_length]


def trials(
    run_length: int,
    *,
    trial_length: int | None = None,
    rounds: Sequence[float] = (0.1, 0.2),
    warmup: int = 0,
    stop: float = 0.25,
    margin: float = 0.02,
    confidence: float = 2.0,
) -> Selector:
    """Runs every candidate for the same updates from the same parameters, and trains on with the winner.

    At the start of each round the switch saves the parameters and every candidate's state. The incumbent
    (the candidate training until then) makes ``trial_length`` updates; the parameters go back to the saved
    ones and the next candidate makes as many, and so on through every candidate. Each trial is scored by its
    mean loss (``value=``) over its second half. A challenger beats the incumbent only by both margins: its
    mean is lower by at least ``margin`` of the incumbent's, and the mean of its losses minus the
    incumbent's, paired update for update over the second halves, is below zero by ``confidence`` standard
    errors. Of the challengers that do, the lowest mean wins; else the incumbent stays. Training continues
    from the winner's end point (its parameters and optimizer state); every other candidate's state goes
    back to what it was before the round. The margins keep a decision from turning on rounding: the fused
    and the unfused step make the same choices. A trial whose loss stops being finite is lost: the parameters go
    back to the round's start (use ``update_and_apply``: see :class:`Snapshots`), its candidate makes one more
    update from there, which is thrown away, and the round goes on; if every trial is lost, the round's start and
    every candidate's state come back.

    Comparing from one start is fair where comparing windows of one trajectory is not (each later window
    starts from a better model), and a losing trial leaves the parameters as they were. The price is the
    losers' updates, ``(N - 1) * trial_length`` per round: with the defaults and three candidates, 4% of
    the run. Pairing is by position: a challenger's ``i``-th update is compared with the incumbent's
    ``i``-th, on whatever batches the training loop feeds them.

    Measured (a host-loop prototype of this rule over plain optax, candidates Adam 1e-3, SGD with momentum,
    RMSProp, on the project's four benchmark tasks): it reached the target wherever the best fixed candidate
    did, at 1.05-1.96x its steps, and scored 0.888 by steps against Adam alone's 0.897: it finds a good
    candidate, it does not beat the best one.

    Memory: two parameter-sized snapshots plus one copy of every candidate's state (for Adam, SGD with
    momentum and RMSProp on float32 parameters ``P``: ``2 * 4P + 4 * 4P = 24P`` bytes), plus ``trial_length // 2``
    floats. The switch keeps them in :attr:`optswitch.SwitchState.snapshots`, sharded like the parameters.
    It needs ``params`` in ``update`` (or use ``update_and_apply``); with ``update``, the switch must be the
    last transformation of a chain, since it lands on the snapshot by returning ``snapshot - params``. Keep
    ``switch(on_switch="resume")``, the default: any other handoff also runs at the start of each trial and
    when the winner comes back, and would change the end point it kept.

    Args:
        run_length: the number of updates the run will make; the other settings default to fractions of it.
        trial_length: updates per candidate per trial, at least 4; default ``max(4, run_length // 100)``.
        rounds: when rounds begin, as fractions of ``run_length``.
        warmup: no round begins before this many updates (e.g. the learning-rate warmup's length).
        stop: no round begins at or after this fraction of ``run_length``: late in a run a short trial
            favours whichever candidate moves least.
        margin: the relative margin by which a challenger's mean loss must be lower.
        confidence: how many standard errors of the paired differences it must be lower by.

    Returns:
        A :class:`Selector` that reads the loss: ``update`` must be given ``value=loss``.

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)}, optswitch.selectors.trials(100))
        >>> params = {"w": jnp.ones(3)}
        >>> state, update_and_apply = tx.init(params), jax.jit(tx.update_and_apply)
        >>> for t in range(20):  # SGD's losses are 10% lower than Adam's
        ...     name = optswitch.active(state)
        ...     loss = 1.0 if name == "adam" else 0.9 - 1e-3 * t
        ...     params, state = update_and_apply(params, state, params, value=jnp.asarray(loss))
        >>> optswitch.summary(state).switches  # the round at update 10: adam's trial, sgd's trial, sgd wins
        [(14, 'adam', 'sgd')]
    """
    run_length_ok = isinstance(run_length, int) and not isinstance(run_length, bool) and run_length >= 1
    if not run_length_ok:
        raise ValueError(f"trials: run_length={run_length!r}; pass the number of updates the run will make, an int.")
    trial_length = max(4, run_length // 100) if trial_length is None else trial_length
    check_count("trials", "trial_length", trial_length, 4, " (a standard error over its second half needs two)")
    check_count("trials", "warmup", warmup, 0)
    if not all(isinstance(fraction, (int, float)) and 0 <= fraction < 1 for fraction in rounds):
        raise ValueError(f"trials: rounds={rounds!r}; pass fractions of run_length in [0, 1), e.g. (0.1, 0.2).")
    if margin < 0 or confidence < 0:
        raise ValueError(f"trials: margin={margin!r}, confidence={confidence!r}; both must be >= 0.")
    starts = round_starts(run_length, rounds, warmup, stop)
    if not starts:
        raise ValueError(
            f"trials: no round begins before stop={stop!r} of run_length={run_length} (rounds={tuple(rounds)}, "
            f"warmup={warmup}); lower warmup, or raise stop."
        )
    half = trial_length // 2

    def init(names):
        dtype = default_float()
        scalar = lambda value, dtype=jnp.int32: jnp.asarray(value, dtype)
        return TrialsState(
            updates=scalar(0),
            rounds=scalar(0),
            trialing=scalar(False, bool),
            position=scalar(0),
            count=scalar(0),
            incumbent=scalar(0),
            winner=scalar(0),
            winner_mean=scalar(jnp.inf, dtype),
            incumbent_mean=scalar(jnp.inf, dtype),
            incumbent_losses=jnp.zeros([half], dtype),
            total=scalar(0, dtype),
            differences=scalar(0, dtype),
            squared_differences=scalar(0, dtype),
            request=no_request(len(names)),
        )

    def select(signals, state: TrialsState):
        n = state.request.restore_states.shape[0]
        dtype = state.total.dtype
        loss, active, candidates = signals.loss.astype(dtype), signals.active, jnp.arange(n)
        schedule = jnp.asarray(np.array(starts, np.int32))
        updates = state.updates + 1
        begin = (
            ~state.trialing
            & (state.rounds < len(starts))
            & (updates >= schedule[jnp.minimum(state.rounds, len(starts) - 1)])
        )

        incumbent_losses, total, differences, squared_differences = scored(state, loss, trial_length)
        first = state.position == 0

        count = state.count + state.trialing.astype(jnp.int32)
        ends = state.trialing & (count == trial_length)
        mean = total / half
        beats = ~first & beats_incumbent(
            mean, state.incumbent_mean, differences, squared_differences, half, margin, confidence
        )
        leads = ends & jnp.isfinite(mean) & (first | (beats & (mean < state.winner_mean)))
        winner = jnp.where(leads, active, state.winner)
        last = state.position == n - 1
        over = ends & last
        following = next_in_round(state.position + 1, state.incumbent, n)
        finished = jnp.isfinite(jnp.where(leads, mean, state.winner_mean))  # else every trial so far was lost
        back = jnp.where(over & ((winner != active) | ~finished), jnp.where(finished, BEST, START), -1)
        request = SnapshotRequest(
            save=jnp.where(begin, START, jnp.where(leads & ~last, BEST, -1)).astype(jnp.int32),
            load=jnp.where(ends & ~last, START, back).astype(jnp.int32),
            keep_states=begin,
            restore_states=over & ((candidates != winner) | ~finished),
        )
        restart = begin | ends
        new_state = TrialsState(
            updates=updates,
            rounds=state.rounds + begin.astype(jnp.int32),
            trialing=(state.trialing & ~over) | begin,
            position=jnp.where(begin, 0, state.position + (ends & ~last).astype(jnp.int32)),
            count=jnp.where(restart, 0, count),
            incumbent=jnp.where(begin, active, jnp.where(over, winner, state.incumbent)),
            winner=jnp.where(begin, active, winner),
            winner_mean=jnp.where(begin, jnp.inf, jnp.where(leads, mean, state.winner_mean)).astype(dtype),
            incumbent_mean=jnp.where(ends & first, mean, state.incumbent_mean).astype(dtype),
            incumbent_losses=incumbent_losses,
            total=jnp.where(restart, 0, total).astype(dtype),
            differences=jnp.where(restart, 0, differences).astype(dtype),
            squared_differences=jnp.where(restart, 0, squared_differences).astype(dtype),
            request=request,
        )
        choice = jnp.where(ends & ~last, following, jnp.where(over, winner, active))
        return choice.astype(jnp.int32), new_state

    lost = lambda state: lose_trial(state, trial_length)
    return Selector(
        init=init,
        select=select,
        reads=frozenset({"loss"}),
        name="trials",
        snapshots=Snapshots(
            slots=2, request=lambda state: state.request, candidate_states=True, on_skip=lost, busy=trialing
        ),
        explain=explainer(trial_length, margin, confidence),
    )


def scored(state: TrialsState, loss: jax.Array, trial_length: int):
    """The current trial's sums with this update's ``loss`` taken in (it counts in the trial's second half only).

    Returns:
        ``(incumbent_losses, total, differences, squared_differences)``, as :class:`TrialsState` names them.
    """
    half = trial_length // 2
    counted = state.trialing & (state.count >= trial_length - half)
    i = jnp.clip(state.count - (trial_length - half), 0, half - 1)
    first = state.position == 0
    paired = loss - state.incumbent_losses[i]
    incumbent_losses = jnp.where(counted & first, state.incumbent_losses.at[i].set(loss), state.incumbent_losses)
    total = state.total + jnp.where(counted, loss, 0)
    differences = state.differences + jnp.where(counted & ~first, paired, 0)
    squared_differences = state.squared_differences + jnp.where(counted & ~first, paired * paired, 0)
    return incumbent_losses, total, differences, squared_differences


def paired(differences, squared_differences, half: int) -> tuple[jax.Array, jax.Array]:
    """The mean of a challenger's losses minus the incumbent's, paired over ``half`` updates, and its standard error."""
    mean_difference = differences / half
    variance = jnp.maximum(squared_differences - half * mean_difference**2, 0) / (half - 1)
    return mean_difference, jnp.sqrt(variance / half)


def beats_incumbent(mean, incumbent_mean, differences, squared_differences, half, margin, confidence) -> jax.Array:
    """Whether a challenger's trial beats the incumbent's by both margins (see :func:`trials`)."""
    mean_difference, standard_error = paired(differences, squared_differences, half)
    lower = mean <= incumbent_mean - margin * jnp.abs(incumbent_mean)
    return (lower & (-mean_difference >= confidence * standard_error)) | (
        jnp.isinf(incumbent_mean) & jnp.isfinite(mean)
    )


def explainer(trial_length: int, margin: float, confidence: float):
    """Why :func:`trials` switched (:attr:`Selector.explain`): at the end of a trial, its mean loss (and a
    challenger's against the incumbent's); at the end of a round, who won, or that the incumbent was kept."""
    half = trial_length // 2

    def explain(signals, before: TrialsState, after: TrialsState):
        loss = signals.loss.astype(before.total.dtype)
        _, total, differences, squared_differences = scored(before, loss, trial_length)
        difference, error = paired(differences, squared_differences, half)
        mean = total / half
        numbers = {
            "round": after.rounds,
            "position": before.position,
            "last": before.position == before.request.restore_states.shape[0] - 1,
            "ended": signals.active,
            "mean": mean,
            "incumbent": before.incumbent,
            "incumbent_mean": jnp.where(before.position == 0, mean, before.incumbent_mean),
            "difference": difference,
            "error": error,
            "winner": after.incumbent,
            "winner_mean": after.winner_mean,
        }
        return numbers, text

    def text(numbers, names):
        ended, incumbent = names[int(numbers["ended"])], names[int(numbers["incumbent"])]
        incumbent_mean = float(numbers["incumbent_mean"])
        relative = lambda mean: f"{(float(mean) - incumbent_mean) / abs(incumbent_mean):+.1%}"
        error = float(numbers["error"])
        z = -float(numbers["difference"]) / error if error > 0 else np.copysign(np.inf, -float(numbers["difference"]))
        against = f"{relative(numbers['mean'])} against {incumbent}'s {incumbent_mean:.4g}, z {z:+.1f}"
        round_ = f"trials round {int(numbers['round'])}"
        if not numbers["last"]:
            trial = f"{ended}'s trial (the incumbent's)" if int(numbers["position"]) == 0 else f"{ended}'s trial"
            score = f"mean loss {float(numbers['mean']):.4g} over its last {half} updates"
            score += "" if int(numbers["position"]) == 0 else f" ({against})"
            return f"{round_}: {trial} ended, {score}; the next trial starts from the round's saved start"
        winner = names[int(numbers["winner"])]
        if winner == incumbent:
            return (
                f"{round_}: {incumbent} kept, no trial lower by {margin:.0%} and {confidence:g} standard errors "
                f"(the last, {ended}: {against}); on from its end point"
            )
        return (
            f"{round_}: {winner} won at mean loss {float(numbers['winner_mean']):.4g} ("
            f"{relative(numbers['winner_mean'])} against {incumbent}'s {incumbent_mean:.4g}); on from its end point"
        )

    return explain


def key_numbers(state: TrialsState, names: tuple[str, ...]) -> dict[str, jax.Array]:
    """The numbers of :func:`optswitch.metrics` for :func:`trials`: rounds begun, whether one is under way, the
    incumbent's mean loss over its latest trial."""
    del names
    return {"rounds": state.rounds, "trialing": state.trialing, "incumbent_mean": state.incumbent_mean}
