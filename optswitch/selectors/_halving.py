"""``halving``: successive halving from a common start; every candidate tried briefly, the best ones for longer."""

import math
from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from optswitch.selectors._base import Selector, SnapshotRequest, Snapshots, default_float
from optswitch.selectors._settings import check_count, check_number
from optswitch.selectors._trial_rounds import BEST, START, lose_trial, no_request, trialing
from optswitch.selectors._trials import round_starts


class HalvingState(NamedTuple):
    """State of :func:`halving`.

    Attributes:
        updates: int32 ``[]``, updates seen (those with a finite loss): the selector's clock.
        rounds: int32 ``[]``, rounds begun.
        trialing: bool ``[]``, whether a round is under way.
        rung: int32 ``[]``, the round's current rung (0: every candidate).
        position: int32 ``[]``, the current trial's place in its rung.
        count: int32 ``[]``, updates of the current trial seen so far.
        order: int32 ``[N]``, the candidates in the order the current rung tries them: its first
            ``rung_sizes(N, eta)[rung]`` entries run; a permutation of the candidates.
        means: ``[N]``, each candidate's mean loss over the second half of its trial in the current rung; inf for
            one that has not run in it.
        total: ``[]``, the current trial's sum of losses over its second half so far.
        leader: int32 ``[]``, the last rung's leader so far, whose end point the ``BEST`` slot holds.
        leader_mean: ``[]``, its mean loss.
        request: the :class:`SnapshotRequest` the switch runs after this update.
    """

    updates: jax.Array
    rounds: jax.Array
    trialing: jax.Array
    rung: jax.Array
    position: jax.Array
    count: jax.Array  # type: ignore[assignment]  # a counter, named so on purpose: it shadows tuple.count
    order: jax.Array
    means: jax.Array
    total: jax.Array
    leader: jax.Array
    leader_mean: jax.Array
    request: SnapshotRequest


def rung_sizes(n: int, eta: int) -> list[int]:
    """How many candidates each rung of :func:`halving` tries: all ``n``, then the best ``1/eta`` of them (rounded
    up), and so on while more than one is left; a single candidate makes one rung."""
    sizes = [n]
    while math.ceil(sizes[-1] / eta) > 1:
        sizes.append(math.ceil(sizes[-1] / eta))
    return sizes


def trial_lengths(run_length: int, n: int, eta: int, exploration: float, trial_length: int | None) -> list[int]:
    """Each rung's trial length: ``eta`` times the previous rung's. The first is ``trial_length``, or by default
    the longest (at least 4) with which a round's trials take at most ``exploration`` of ``run_length``."""
    sizes = rung_sizes(n, eta)
    if trial_length is None:
        units = sum(size * eta**rung for rung, size in enumerate(sizes))
        trial_length = max(4, int(exploration * run_length) // units)
    return [trial_length * eta**rung for rung in range(len(sizes))]


def halving(
    run_length: int,
    *,
    warmup: int = 0,
    rounds: Sequence[float] = (0.0,),
    eta: int = 3,
    exploration: float = 0.2,
    trial_length: int | None = None,
    margin: float = 0.01,
) -> Selector:
    """Successive halving from a common start: every candidate runs a short trial from the same parameters, the
    best third again for three times as long, and so on; training goes on from the last rung's best end point.

    At the start of a round the switch saves the parameters and every candidate's state. In the first rung each
    candidate (the one training until then first) makes ``L`` updates from the saved parameters, its state as
    saved; each trial is scored by its mean loss (``value=``) over its second half. The ``ceil(N / eta)`` lowest
    go on to the next rung, lowest first, and make ``eta * L`` updates each from the same start, and so on while
    more than one would go on. In the last rung a trial takes the lead only with a mean lower than the leader's
    by ``margin`` of it (so that a decision does not turn on rounding: the fused and the unfused step make the
    same choices); training continues from the leader's end point, with its optimizer state, and every other
    candidate's state goes back to what it was at the round's start. A trial whose loss stops being finite is lost
    (its mean inf, ranked after every finite one): the parameters go back to the round's start (use
    ``update_and_apply``), its candidate makes one more update from there, which is thrown away, and the round goes
    on; if every trial of the last rung is lost, the round's start and every candidate's state come back.

    Where :func:`trials` reads every candidate over one short horizon, this spends the same updates reading the
    promising ones over a longer one: a short trial favours whatever lowers the loss soonest (a lower learning
    rate, momentum's fast start), which need not lead later. With nine candidates and ``eta=3``: nine trials of
    ``L`` and three of ``3L``, ``18 L`` updates a round, of which the winner's ``3L`` are progress.

    Memory, needs and handoffs as :func:`trials`: two parameter-sized snapshots plus one copy of every
    candidate's state; ``params`` in ``update`` (or ``update_and_apply``), the switch last in a chain; keep
    ``switch(on_switch="resume")`` or ``handoff.sync_schedules()``. Give copies of one optimizer
    (:func:`optswitch.learning_rate_multiples`) their own states (``share_state=False``): a state that several
    copies share cannot go back for one of them.

    Args:
        run_length: the number of updates the run will make.
        warmup: no round begins before this many updates (e.g. the learning-rate warmup's length).
        rounds: when rounds begin, as fractions of ``run_length`` (each at ``warmup`` at the earliest).
        eta: the factor by which each rung cuts the candidates and lengthens the trials, at least 2.
        exploration: the fraction of ``run_length`` a round's trials take, which sets the first rung's length.
        trial_length: the first rung's trial length, at least 4, instead of the one ``exploration`` gives.
        margin: the relative margin by which a trial of the last rung must beat the leader's mean loss.

    Returns:
        A :class:`Selector` that reads the loss: ``update`` must be given ``value=loss``.

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)},
        ...     optswitch.selectors.halving(100, trial_length=4))
        >>> params = {"w": jnp.ones(3)}
        >>> state, update_and_apply = tx.init(params), jax.jit(tx.update_and_apply)
        >>> for t in range(12):  # SGD's losses are 10% lower than Adam's
        ...     loss = 1.0 if optswitch.active(state) == "adam" else 0.9
        ...     params, state = update_and_apply(params, state, params, value=jnp.asarray(loss))
        >>> optswitch.summary(state).switches  # adam's trial, sgd's trial; two candidates make one rung
        [(5, 'adam', 'sgd')]
    """
    run_length_ok = isinstance(run_length, int) and not isinstance(run_length, bool) and run_length >= 1
    if not run_length_ok:
        raise ValueError(f"halving: run_length={run_length!r}; pass the number of updates the run will make, an int.")
    check_count("halving", "warmup", warmup, 0)
    check_count("halving", "eta", eta, 2)
    check_number("halving", "exploration", exploration, 0, 1, open_low=True)
    check_number("halving", "margin", margin, 0)
    if trial_length is not None:
        check_count("halving", "trial_length", trial_length, 4, " (its second half is averaged)")
    if not all(isinstance(fraction, (int, float)) and 0 <= fraction < 1 for fraction in rounds):
        raise ValueError(f"halving: rounds={rounds!r}; pass fractions of run_length in [0, 1), e.g. (0.0,).")
    starts = round_starts(run_length, rounds, warmup, 1.0)
    if not starts:
        raise ValueError(
            f"halving: no round begins before the end of run_length={run_length} (rounds={tuple(rounds)}, "
            f"warmup={warmup}); lower warmup."
        )

    def lost(state: HalvingState) -> tuple[SnapshotRequest, HalvingState]:
        lengths = trial_lengths(run_length, state.order.shape[0], eta, exploration, trial_length)
        return lose_trial(state, jnp.asarray(lengths, jnp.int32)[state.rung])

    def init(names):
        n, dtype = len(names), default_float()
        scalar = lambda value, dtype=jnp.int32: jnp.asarray(value, dtype)
        return HalvingState(
            updates=scalar(0),
            rounds=scalar(0),
            trialing=scalar(False, bool),
            rung=scalar(0),
            position=scalar(0),
            count=scalar(0),
            order=jnp.arange(n, dtype=jnp.int32),
            means=jnp.full([n], jnp.inf, dtype),
            total=scalar(0, dtype),
            leader=scalar(0),
            leader_mean=scalar(jnp.inf, dtype),
            request=no_request(n),
        )

    def select(signals, state: HalvingState):
        n = state.order.shape[0]
        dtype = state.total.dtype
        sizes = rung_sizes(n, eta)
        lengths = jnp.asarray(trial_lengths(run_length, n, eta, exploration, trial_length), jnp.int32)
        loss, active, candidates = signals.loss.astype(dtype), signals.active, jnp.arange(n)
        schedule = jnp.asarray(np.array(starts, np.int32))
        updates = state.updates + 1
        begin = (
            ~state.trialing
            & (state.rounds < len(starts))
            & (updates >= schedule[jnp.minimum(state.rounds, len(starts) - 1)])
        )

        length = lengths[state.rung]
        half = length // 2
        count = state.count + state.trialing.astype(jnp.int32)
        total = state.total + jnp.where(state.trialing & (count > length - half), loss, 0)
        ends = state.trialing & (count == length)
        mean = total / half
        means = jnp.where(ends, state.means.at[active].set(mean), state.means)

        last = state.position == jnp.asarray(sizes, jnp.int32)[state.rung] - 1
        final = state.rung == len(sizes) - 1
        beaten = (mean < state.leader_mean - margin * jnp.abs(state.leader_mean)) | jnp.isinf(state.leader_mean)
        leads = ends & final & jnp.isfinite(mean) & ((state.position == 0) | beaten)
        leader = jnp.where(begin, active, jnp.where(leads, active, state.leader))
        over = ends & final & last
        finished = jnp.isfinite(jnp.where(leads, mean, state.leader_mean))  # else every trial of the rung was lost
        promoted = ends & last & ~final
        # The next rung: the lowest means first; one that ran in this rung before any that did not, a diverged one
        # (its mean not finite) after every finite one.
        ran = jnp.zeros([n], bool).at[state.order].set(candidates <= state.position)
        ranking = jnp.where(ran, jnp.where(jnp.isfinite(means), means, jnp.finfo(dtype).max), jnp.inf)
        incumbent_first = jnp.argsort(candidates != active, stable=True).astype(jnp.int32)
        order = jnp.where(begin, incumbent_first, jnp.where(promoted, jnp.argsort(ranking, stable=True), state.order))
        position = jnp.where(begin | promoted, 0, state.position + (ends & ~last).astype(jnp.int32))
        following = order[position]
        goes_on = ends & ~over
        request = SnapshotRequest(
            save=jnp.where(begin, START, jnp.where(leads & ~last, BEST, -1)).astype(jnp.int32),
            load=jnp.where(
                goes_on,
                START,
                jnp.where(over & finished & (leader != active), BEST, jnp.where(over & ~finished, START, -1)),
            ).astype(jnp.int32),
            keep_states=begin,
            restore_states=(goes_on & (candidates == following)) | (over & ((candidates != leader) | ~finished)),
        )
        restart = begin | ends
        new_state = HalvingState(
            updates=updates,
            rounds=state.rounds + begin.astype(jnp.int32),
            trialing=(state.trialing & ~over) | begin,
            rung=jnp.where(begin, 0, state.rung + promoted.astype(jnp.int32)),
            position=position,
            count=jnp.where(restart, 0, count),
            order=order.astype(jnp.int32),
            means=jnp.where(begin | promoted, jnp.inf, means).astype(dtype),
            total=jnp.where(restart, 0, total).astype(dtype),
            leader=leader,
            leader_mean=jnp.where(begin, jnp.inf, jnp.where(leads, mean, state.leader_mean)).astype(dtype),
            request=request,
        )
        choice = jnp.where(goes_on, following, jnp.where(over, leader, active))
        return choice.astype(jnp.int32), new_state

    return Selector(
        init=init,
        select=select,
        reads=frozenset({"loss"}),
        name="halving",
        snapshots=Snapshots(
            slots=2, request=lambda state: state.request, candidate_states=True, on_skip=lost, busy=trialing
        ),
        explain=explainer(run_length, eta, exploration, trial_length),
    )


def explainer(run_length: int, eta: int, exploration: float, trial_length: int | None):
    """Why :func:`halving` switched (:attr:`Selector.explain`): at a trial's end, its mean loss; at a rung's end,
    who goes on; at the round's end, who won."""

    def explain(signals, before: HalvingState, after: HalvingState):
        n = before.order.shape[0]
        lengths = jnp.asarray(trial_lengths(run_length, n, eta, exploration, trial_length), jnp.int32)
        half = lengths[before.rung] // 2
        loss = signals.loss.astype(before.total.dtype)
        numbers = {
            "round": after.rounds,
            "rung": before.rung,
            "ended": signals.active,
            "mean": (before.total + loss) / half,
            "half": half,
            "over": before.trialing & ~after.trialing,
            "promoted": after.rung > before.rung,
            "survivors": after.order,
            "survivor_count": jnp.asarray(rung_sizes(n, eta), jnp.int32)[after.rung],
            "leader": after.leader,
            "leader_mean": after.leader_mean,
        }
        return numbers, text

    def text(numbers, names):
        ended = names[int(numbers["ended"])]
        head = f"halving round {int(numbers['round'])}, rung {int(numbers['rung'])}"
        trial = f"{ended}'s trial ended at mean loss {float(numbers['mean']):.4g} over its last {int(numbers['half'])}"
        if bool(numbers["over"]):
            leader = names[int(numbers["leader"])]
            return f"{head}: {trial}; {leader} won at {float(numbers['leader_mean']):.4g}, on from its end point"
        if bool(numbers["promoted"]):
            survivors = [names[int(k)] for k in numbers["survivors"][: int(numbers["survivor_count"])]]
            return f"{head}: {trial}; on to the next rung, longer trials from the round's start: {', '.join(survivors)}"
        return f"{head}: {trial}; the next trial starts from the round's saved start"

    return explain


def key_numbers(state: HalvingState, names: tuple[str, ...]) -> dict[str, jax.Array]:
    """The numbers of :func:`optswitch.metrics` for :func:`halving`: rounds begun, whether one is under way, its
    rung, and the last rung's leading mean loss."""
    del names
    return {"rounds": state.rounds, "trialing": state.trialing, "rung": state.rung, "leader_mean": state.leader_mean}
