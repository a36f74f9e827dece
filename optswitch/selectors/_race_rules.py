"""The rule of :func:`race`: its state, its settings, and its decisions as pure functions.

The decisions at the end of a window are one pure function per :class:`Phase` of
``(state, rate, variance, config, facts)``, so that each can be read and tested alone; :func:`step` is what
``select`` runs after each update with a usable loss (the warmup, the stop, and the window's end).
"""

import enum
from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from optswitch.selectors import _line_fit, _window
from optswitch.selectors._settings import MAX_STEP


class Phase(enum.IntEnum):
    """What a window of :func:`race` is for (``RaceState.phase``)."""

    RACING = 0  #: a leg of the race
    LEADING = 1  #: the leader training
    CHALLENGING = 2  #: the challenger's window of a duel
    CLOSING = 3  #: the leader's window that closes a duel


class RaceConfig(NamedTuple):
    """The settings of :func:`race` that its decisions read (see its Args), resolved.

    Attributes:
        window: updates per leg of the race, and the shortest window.
        growth: ratio of the update counts at which successive duels may begin.
        fraction: the windows after the race last this fraction of the updates seen (at least ``window``).
        confidence: standard deviations of the difference of two rates that a challenger must win by.
        warmup: updates (the selector's clock) before the race's first leg, made by ``order``'s first.
        stop: the value of the clock from which no decision is made (``MAX_STEP``: never).
        margin: a fraction of a rate: the race's leader is the first in ``order`` within ``margin`` of the best
            score, and a challenger must beat the leader by more than ``margin`` of the leader's rate.
        race_confidence: standard deviations of the difference of two race scores: the race's leader is the first
            in ``order`` within this many of them (or within ``margin``) of the best score.
        extra_rounds: the rounds of legs the race may run again over the candidates tied with the best score.
    """

    window: int
    growth: float
    fraction: float
    confidence: float
    warmup: int = 0
    stop: int = MAX_STEP
    margin: float = 0.0
    race_confidence: float = 0.0
    extra_rounds: int = 0


class RaceState(NamedTuple):
    """State of :func:`race`.

    Attributes:
        phase: int32 ``[]``, what the current window is for, a :class:`Phase` (``0`` a leg of the race, and
            the warmup before it).
        leg: int32 ``[]``, legs of the race's current round completed.
        rounds: int32 ``[]``, the race's rounds run again over candidates tied with the best (``extra_rounds``).
        leader: int32 ``[]``, index of the leading candidate (``order[0]`` until the race ends).
        challenger: int32 ``[]``, index of the candidate of the current or latest duel (``leader`` before any,
            and after a duel dropped at ``stop``).
        arm: int32 ``[]``, the candidate the current window measures (-1 before the first measured update).
        length: int32 ``[]``, updates in the current window.
        count: int32 ``[]``, updates of the current window seen so far.
        mean: ``[]``, the mean of ``log(loss)`` over them.
        squares: ``[]``, the sum of squared deviations of ``log(loss)`` from ``mean``.
        products: ``[]``, ``sum_i (i - mean index) (log(loss_i) - mean)``, the co-moment of index and log loss.
        race_rates: ``[N]``, each candidate's rates in the race, summed over its legs (two a round it ran in).
        race_variances: ``[N]``, the variances of those rates, summed.
        race_legs: int32 ``[N]``, the legs each candidate has run in the race.
        in_round: bool ``[N]``, the candidates of the race's current round (first: those of ``order``).
        standing: ``[N]``, each candidate's rate over the leader's, measured at the same time (the leader: 1;
            a candidate outside ``order``: ``-inf``).
        before: ``[]``, the leader's rate in its window before the current or latest duel.
        before_variance: ``[]``, its variance.
        challenge: ``[]``, the challenger's rate in the current or latest duel.
        challenge_variance: ``[]``, its variance.
        updates: int32 ``[]``, updates seen (those with a finite, positive loss), the warmup's included: the
            selector's clock, which ``warmup`` and ``stop`` count in.
        next_duel: int32 ``[]``, the value of ``updates`` from which the next duel may begin.
        duels: int32 ``[]``, duels completed (a duel dropped at ``stop`` is not).
        ignored_losses: int32 ``[]``, updates ignored for a loss ``<= 0`` (see :func:`race`).
    """

    phase: jax.Array
    leg: jax.Array
    rounds: jax.Array
    leader: jax.Array
    challenger: jax.Array
    arm: jax.Array
    length: jax.Array
    count: jax.Array  # type: ignore[assignment]  # a counter, named so on purpose: it shadows tuple.count
    mean: jax.Array
    squares: jax.Array
    products: jax.Array
    race_rates: jax.Array
    race_variances: jax.Array
    race_legs: jax.Array
    in_round: jax.Array
    standing: jax.Array
    before: jax.Array
    before_variance: jax.Array
    challenge: jax.Array
    challenge_variance: jax.Array
    updates: jax.Array
    next_duel: jax.Array
    duels: jax.Array
    ignored_losses: jax.Array


def ratio(a: jax.Array, b: jax.Array) -> jax.Array:
    """``a / b``, as a standing: a rate over a leader's rate that made no progress is inf if higher, else 0."""
    return jnp.where(b > 0, a / jnp.where(b > 0, b, 1), jnp.where(a > b, jnp.inf, 0.0))


class Facts(NamedTuple):
    """What the decisions at the end of a window read besides the state, the window's rate and the settings.

    Attributes:
        order: int32 ``[K]``, the raced candidates' indices, in race order (``race``'s ``order``).
        candidates: int32 ``[N]``, ``0 .. N-1``.
        raced: bool ``[N]``, which candidates are in ``order``.
        next_duel: int32 ``[]``, the update count from which the next duel may begin, if a race or duel ends now.
    """

    order: jax.Array
    candidates: jax.Array
    raced: jax.Array
    next_duel: jax.Array


def next_duel(updates: jax.Array, config: RaceConfig) -> jax.Array:
    """``next_duel`` of :class:`Facts`: ``growth`` times ``updates``, the updates seen as a float, rounded up."""
    return jnp.ceil(config.growth * updates).astype(jnp.int32)


def facts_of(state: RaceState, config: RaceConfig, order: Sequence[int]) -> Facts:
    """The :class:`Facts` of ``state``, racing the candidates of indices ``order``."""
    candidates = np.arange(state.standing.shape[0])
    known = jnp.asarray(order, jnp.int32), jnp.asarray(candidates), jnp.asarray(np.isin(candidates, order))
    return Facts(*known, next_duel(state.updates.astype(state.mean.dtype), config))


def beats(rate, leader_rate, spread, config: RaceConfig) -> jax.Array:
    """Whether a challenger's ``rate`` beats ``leader_rate`` by more than ``confidence * spread`` (the standard
    deviation of their difference) and by more than ``margin`` of the leader's rate, so that float rounding alone
    does not decide.
    """
    lead = rate - leader_rate
    return (lead > config.confidence * spread) & (lead > config.margin * jnp.abs(leader_rate))


def race_ties(score: jax.Array, variance: jax.Array, config: RaceConfig, facts: Facts) -> jax.Array:
    """bool ``[K]``, in ``order``: the candidates whose ``score`` is within ``margin`` of the best one's (``|best|``
    times), or within ``race_confidence`` standard deviations of its difference from the best one (``variance``: the
    scores'). A score of ``-inf`` is never tied."""
    in_order, variances = score[facts.order], variance[facts.order]
    best = jnp.argmax(in_order)
    # At 0 (the default) no variance is read, so that the margin alone decides, exactly as without the setting.
    noise = config.race_confidence * jnp.sqrt(variances + variances[best]) if config.race_confidence else 0.0
    return in_order >= in_order[best] - jnp.maximum(config.margin * jnp.abs(in_order[best]), noise)


def race_scores(state: RaceState) -> tuple[jax.Array, jax.Array]:
    """Each candidate's score, its mean rate over its legs of the race (over 2 before its second leg ends), and the
    score's variance."""
    legs = jnp.maximum(state.race_legs, 2).astype(state.race_rates.dtype)
    return state.race_rates / legs, state.race_variances / legs**2


def race_leg(state: RaceState, rate, variance, config: RaceConfig, facts: Facts) -> tuple[RaceState, jax.Array]:
    """The end of a leg of the race: credit ``state.arm`` its rate. At the round's last leg, the candidates of the
    round tied with the best race a round again, in ``order`` and back (at most ``extra_rounds`` times); else the
    first of them leads."""
    credited = facts.candidates == state.arm
    racing = state._replace(
        leg=state.leg + 1,
        race_rates=state.race_rates + jnp.where(credited, rate, 0),
        race_variances=state.race_variances + jnp.where(credited, variance, 0),
        race_legs=state.race_legs + credited,
    )
    score, score_variance = race_scores(racing)
    score = jnp.where(facts.raced, score, -jnp.inf)
    size: jax.Array | int
    if config.extra_rounds:
        members = state.in_round[facts.order]
        size = jnp.sum(members)
        position = jnp.where(racing.leg < size, racing.leg, 2 * size - 1 - racing.leg)
        following = facts.order[jnp.argmax(jnp.cumsum(members) == position + 1)]
        tied = race_ties(jnp.where(state.in_round, score, -jnp.inf), score_variance, config, facts)
    else:  # every candidate of ``order`` races in the one round: the same program as before the setting
        size = facts.order.shape[0]
        following = facts.order[jnp.where(racing.leg < size, racing.leg, 2 * size - 1 - racing.leg) % size]
        tied = race_ties(score, score_variance, config, facts)
    winner = facts.order[jnp.argmax(tied)].astype(jnp.int32)
    ended = racing._replace(
        phase=jnp.asarray(Phase.LEADING, jnp.int32),
        leader=winner,
        challenger=winner,
        standing=jnp.where(facts.raced, ratio(score, score[winner]), -jnp.inf).at[winner].set(1),
        next_duel=facts.next_duel,
    )
    if config.extra_rounds:
        again = racing._replace(
            leg=jnp.zeros_like(state.leg),
            rounds=state.rounds + 1,
            in_round=jnp.zeros_like(state.in_round).at[facts.order].set(tied),
        )
        ended = optax.tree.where((state.rounds < config.extra_rounds) & (jnp.sum(tied) > 1), again, ended)
    over = racing.leg == 2 * size
    return optax.tree.where(over, ended, racing), jnp.where(over, winner, following)


def leader_window(state: RaceState, rate, variance, config: RaceConfig, facts: Facts) -> tuple[RaceState, jax.Array]:
    """The end of a leader's window: keep its rate as ``before``; from ``next_duel`` on, the runner-up challenges."""
    del config
    rivals = jnp.where(facts.candidates == state.leader, -jnp.inf, state.standing)
    runner_up = jnp.argmax(rivals).astype(jnp.int32)
    begin = (state.updates >= state.next_duel) & (rivals[runner_up] > -jnp.inf)
    led = state._replace(
        phase=jnp.where(begin, Phase.CHALLENGING, Phase.LEADING).astype(jnp.int32),
        challenger=jnp.where(begin, runner_up, state.challenger),
        before=rate,
        before_variance=variance,
    )
    return led, jnp.where(begin, runner_up, state.leader)


def settle(state: RaceState, takeover, leader_rate, challenge, challenge_variance, facts: Facts):
    """The end of a duel: the challenger's standing is ``challenge`` over ``leader_rate``; on a takeover it leads."""
    standing = state.standing.at[state.challenger].set(ratio(challenge, leader_rate))
    standing = jnp.where(takeover & facts.raced, ratio(standing, standing[state.challenger]), standing)
    leader = jnp.where(takeover, state.challenger, state.leader)
    settled = state._replace(
        phase=jnp.asarray(Phase.LEADING, jnp.int32),
        leader=leader,
        standing=jnp.where(facts.raced, standing, -jnp.inf).at[leader].set(1),
        challenge=challenge,
        challenge_variance=challenge_variance,
        next_duel=facts.next_duel,
        duels=state.duels + 1,
    )
    return settled, leader


def challenger_window(
    state: RaceState, rate, variance, config: RaceConfig, facts: Facts
) -> tuple[RaceState, jax.Array]:
    """The end of the challenger's window: a takeover at once if it beats the leader's earlier rate, else close."""
    early = beats(rate, state.before, jnp.sqrt(variance + state.before_variance), config)
    won, leader = settle(state, True, state.before, rate, variance, facts)
    closing = state._replace(phase=jnp.asarray(Phase.CLOSING, jnp.int32), challenge=rate, challenge_variance=variance)
    return optax.tree.where(early, won, closing), jnp.where(early, leader, state.leader)


def closing_window(state: RaceState, rate, variance, config: RaceConfig, facts: Facts) -> tuple[RaceState, jax.Array]:
    """The end of the leader's window after the challenger's, whose rate its two windows bracket: settle the duel."""
    leader_rate = (state.before + rate) / 2
    leader_variance = (state.before_variance + variance) / 4
    takeover = beats(state.challenge, leader_rate, jnp.sqrt(state.challenge_variance + leader_variance), config)
    return settle(state, takeover, leader_rate, state.challenge, state.challenge_variance, facts)


#: The decision at the end of a window, by :class:`Phase`.
PHASES = (race_leg, leader_window, challenger_window, closing_window)


def host_lead(state: RaceState, active: jax.Array, raced: jax.Array) -> RaceState:
    """After the race, a candidate set from the host leads from now on (a duel in progress is dropped)."""
    scale = state.standing[active]  # standings are re-expressed relative to it, where that can be done
    standing = jnp.where(scale > 0, jnp.where(raced, ratio(state.standing, scale), -jnp.inf), state.standing)
    lead = jnp.asarray(Phase.LEADING, jnp.int32)
    return state._replace(phase=lead, leader=active, challenger=active, standing=standing.at[active].set(1))


def stopped_lead(state: RaceState) -> tuple[RaceState, jax.Array]:
    """From ``stop`` on, after the race: the leader trains to the end, measured no more (a duel in progress is
    dropped at once)."""
    lead, leader = jnp.asarray(Phase.LEADING, jnp.int32), state.leader.astype(jnp.int32)
    fresh = _line_fit.empty(state.mean.dtype)._asdict()
    return state._replace(phase=lead, challenger=leader, arm=leader, **fresh), leader


def end_of_window(state: RaceState, config: RaceConfig, facts: Facts) -> tuple[RaceState, jax.Array]:
    """The decision of the phase ``state.phase`` on the window that just ended, and a fresh window for ``choice``."""
    fit = _line_fit.LineFit(state.count, state.mean, state.squares, state.products)
    rate, variance = _line_fit.rate_and_variance(fit, state.length)
    updates = state.updates.astype(state.mean.dtype)
    known = facts._replace(next_duel=next_duel(updates, config))
    branches = [lambda phase=phase: phase(state, rate, variance, config, known) for phase in PHASES]
    ended, choice = jax.lax.switch(state.phase, branches)
    longer = jnp.maximum(config.window, jnp.round(config.fraction * updates)).astype(jnp.int32)
    length = jnp.where(
        ended.phase == Phase.RACING, config.window, jnp.where(ended.phase == Phase.CLOSING, state.length, longer)
    )
    fresh = _line_fit.empty(state.mean.dtype)._asdict()
    ended = ended._replace(arm=choice.astype(jnp.int32), length=length.astype(jnp.int32), **fresh)
    return ended, choice.astype(jnp.int32)


def step(state: RaceState, log_loss, active, config: RaceConfig, facts: Facts) -> tuple[RaceState, jax.Array]:
    """After an update with a usable loss, ``log_loss``, made by ``active``: the new state and the next candidate.

    During the warmup only the clock moves. Then the window's line takes in ``log_loss`` (starting over if
    ``active`` is not the candidate it measures); from ``stop`` on, after the race, the leader trains with no
    decision; otherwise a window that is full ends with its phase's decision (one conditional).
    """
    clock = optax.safe_increment(state.updates)
    fit = _line_fit.LineFit(state.count, state.mean, state.squares, state.products)
    fit = _line_fit.add(_window.fresh(_window.restarts(active, state.arm), fit), log_loss)
    going = state._replace(arm=active, updates=clock, **fit._asdict())
    stopped = (clock >= config.stop) & (state.phase != Phase.RACING)
    full = going.count >= going.length
    end = lambda: end_of_window(going, config, facts)
    carry_on = lambda: (going, active.astype(jnp.int32))
    decided = jax.lax.cond(full & ~stopped, end, carry_on)
    decided = optax.tree.where(stopped, stopped_lead(going), decided)
    warming = (state._replace(updates=clock), active.astype(jnp.int32))
    return optax.tree.where(state.updates < config.warmup, warming, decided)
