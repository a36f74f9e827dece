"""``race``: races the candidates, trains with the winner, and re-checks it against the runner-up now and then.

The decisions at the end of a window are one pure function per :class:`Phase` of
``(state, rate, variance, config, facts)``, so that each can be read and tested alone.
"""

import enum
from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from optswitch.selectors import _line_fit, _window
from optswitch.selectors._base import Selector, default_float, for_names
from optswitch.selectors._settings import check_count, check_number, check_order, resolve_order


class Phase(enum.IntEnum):
    """What a window of :func:`race` is for (``RaceState.phase``)."""

    RACING = 0  #: a leg of the race
    LEADING = 1  #: the leader training
    CHALLENGING = 2  #: the challenger's window of a duel
    CLOSING = 3  #: the leader's window that closes a duel


class RaceConfig(NamedTuple):
    """The settings of :func:`race` that its decisions read (see its Args)."""

    window: int
    growth: float
    fraction: float
    confidence: float


class RaceState(NamedTuple):
    """State of :func:`race`.

    Attributes:
        phase: int32 ``[]``, what the current window is for, a :class:`Phase` (``0`` a leg of the race).
        leg: int32 ``[]``, legs of the race completed.
        leader: int32 ``[]``, index of the leading candidate (``order[0]`` until the race ends).
        challenger: int32 ``[]``, index of the candidate of the current or latest duel (``leader`` before any).
        arm: int32 ``[]``, the candidate the current window measures (-1 before the first update).
        length: int32 ``[]``, updates in the current window.
        count: int32 ``[]``, updates of the current window seen so far.
        mean: ``[]``, the mean of ``log(loss)`` over them.
        squares: ``[]``, the sum of squared deviations of ``log(loss)`` from ``mean``.
        products: ``[]``, ``sum_i (i - mean index) (log(loss_i) - mean)``, the co-moment of index and log loss.
        race_rates: ``[N]``, each candidate's rates in the race, summed over its two legs.
        race_variances: ``[N]``, the variances of those rates, summed.
        standing: ``[N]``, each candidate's rate over the leader's, measured at the same time (the leader: 1;
            a candidate outside ``order``: ``-inf``).
        before: ``[]``, the leader's rate in its window before the current or latest duel.
        before_variance: ``[]``, its variance.
        challenge: ``[]``, the challenger's rate in the current or latest duel.
        challenge_variance: ``[]``, its variance.
        updates: int32 ``[]``, updates seen (those with a finite, positive loss): the selector's clock.
        next_duel: int32 ``[]``, the value of ``updates`` from which the next duel may begin.
        duels: int32 ``[]``, duels completed.
        ignored_losses: int32 ``[]``, updates ignored for a loss ``<= 0`` (see :func:`race`).
    """

    phase: jax.Array
    leg: jax.Array
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


def race_leg(state: RaceState, rate, variance, config: RaceConfig, facts: Facts) -> tuple[RaceState, jax.Array]:
    """The end of a leg of the race: credit ``state.arm`` its rate; at the last leg, the winner leads."""
    del config
    legs = 2 * facts.order.shape[0]
    credited = facts.candidates == state.arm
    race_rates = state.race_rates + jnp.where(credited, rate, 0)
    race_variances = state.race_variances + jnp.where(credited, variance, 0)
    leg = state.leg + 1
    racing = state._replace(leg=leg, race_rates=race_rates, race_variances=race_variances)
    following = facts.order[jnp.where(leg < legs // 2, leg, legs - 1 - leg) % (legs // 2)]
    score = jnp.where(facts.raced, race_rates / 2, -jnp.inf)
    winner = jnp.argmax(score).astype(jnp.int32)
    finished = racing._replace(
        phase=jnp.asarray(Phase.LEADING, jnp.int32),
        leader=winner,
        challenger=winner,
        standing=jnp.where(facts.raced, ratio(score, score[winner]), -jnp.inf).at[winner].set(1),
        next_duel=facts.next_duel,
    )
    over = leg == legs
    return optax.tree.where(over, finished, racing), jnp.where(over, winner, following)


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
    early = rate - state.before > config.confidence * jnp.sqrt(variance + state.before_variance)
    won, leader = settle(state, True, state.before, rate, variance, facts)
    closing = state._replace(phase=jnp.asarray(Phase.CLOSING, jnp.int32), challenge=rate, challenge_variance=variance)
    return optax.tree.where(early, won, closing), jnp.where(early, leader, state.leader)


def closing_window(state: RaceState, rate, variance, config: RaceConfig, facts: Facts) -> tuple[RaceState, jax.Array]:
    """The end of the leader's window after the challenger's, whose rate its two windows bracket: settle the duel."""
    leader_rate = (state.before + rate) / 2
    leader_variance = (state.before_variance + variance) / 4
    margin = config.confidence * jnp.sqrt(state.challenge_variance + leader_variance)
    takeover = state.challenge - leader_rate > margin
    return settle(state, takeover, leader_rate, state.challenge, state.challenge_variance, facts)


#: The decision at the end of a window, by :class:`Phase`.
PHASES = (race_leg, leader_window, challenger_window, closing_window)


def host_lead(state: RaceState, active: jax.Array, raced: jax.Array) -> RaceState:
    """After the race, a candidate set from the host leads from now on (a duel in progress is dropped)."""
    scale = state.standing[active]  # standings are re-expressed relative to it, where that can be done
    standing = jnp.where(scale > 0, jnp.where(raced, ratio(state.standing, scale), -jnp.inf), state.standing)
    lead = jnp.asarray(Phase.LEADING, jnp.int32)
    return state._replace(phase=lead, leader=active, challenger=active, standing=standing.at[active].set(1))


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


def race(
    order: Sequence[str | int] | None = None,
    *,
    window: int,
    growth: float = 2.0,
    fraction: float = 0.125,
    confidence: float = 1.0,
) -> Selector:
    """Races the candidates for a few updates each, then trains with the winner and re-checks it now and then.

    Every decision compares *rates*: a candidate's rate over a window of ``W`` of its own updates is minus the
    least-squares slope of ``log(loss)`` against the update index, and its variance that of a regression slope:

        ``r = -sum_i (i - (W-1)/2) log(loss_i) / S``, ``S = W (W^2 - 1) / 12``, ``var(r) = RSS / ((W - 2) S)``.

    1. **Race.** The candidates of ``order`` run ``window`` updates each, in ``order`` and then in reverse
       (``a b c c b a``). The best mean of its two rates leads; each candidate's *standing* is its mean over
       the leader's.
    2. **Lead.** The leader trains in windows of ``max(window, fraction * t)`` updates, ``t`` the updates seen.
    3. **Duel**, at the end of the first leader window past update ``growth * T``, ``T`` the update at which the
       race or the latest duel ended. The runner-up (highest standing) runs one window, rate ``c``; then the
       leader one, rate ``a``; ``b`` is the leader's rate in its window before the duel. The challenger takes
       over at once if ``c - b > confidence * sqrt(var(c) + var(b))``, else after the leader's window if
       ``c - (a + b) / 2 > confidence * sqrt(var(c) + (var(a) + var(b)) / 4)``. Standings are then
       re-expressed relative to the leader.

    Updates with a non-finite loss are skipped, as for every selector; so are those with a loss ``<= 0``, which
    has no log: they are counted in ``state.ignored_losses`` and in :func:`optswitch.summary`, with a warning the
    first time outside jit. For a loss that can reach 0 or go negative, pass ``value=loss - floor``, ``floor``
    below any loss the run can reach. A switch from the host restarts the current window with the new
    candidate: during the race, credited with what it measures; after it, as the leader (a duel in progress
    is dropped). Why this design, and what it costs: ``docs/selectors.md``.

    Args:
        order: the candidates to race, by name or index; default every candidate, in order. The first makes
            update 0; a candidate left out never runs (unless set from the host).
        window: updates per leg of the race, and the shortest window; an int >= 3 (a slope and its scatter
            need three points).
        growth: ratio of the update counts at which successive duels may begin, > 1.
        fraction: the windows after the race last ``fraction`` of the updates made so far (at least
            ``window``), >= 0; 0 keeps every window at ``window`` updates.
        confidence: how many standard deviations of the difference of two rates a challenger must win by,
            >= 0.

    Returns:
        A :class:`Selector` that reads the loss: ``update`` needs ``value=``.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)}, optswitch.selectors.race(window=3))
        >>> params = {"w": jnp.ones(3)}
        >>> state = tx.init(params)
        >>> loss = 1.0
        >>> for t in range(14):  # SGD's updates remove 20% of the loss, Adam's 10%
        ...     name = optswitch.active(state)
        ...     _, state = tx.update(params, state, params, value=jnp.asarray(loss))
        ...     loss *= 0.8 if name == "sgd" else 0.9
        >>> optswitch.summary(state).switches  # legs: adam, sgd, sgd, adam; then the winner
        [(3, 'adam', 'sgd'), (9, 'sgd', 'adam'), (12, 'adam', 'sgd')]
        >>> print(f"{float(state.selector_state.standing[0]):.3f}")  # log(0.9) / log(0.8)
        0.472

    References:
        Maron & Moore, "Hoeffding Races: Accelerating Model Selection Search for Classification and Function
        Approximation", NeurIPS 1993; the explore-then-commit strategy of bandits with switching costs.
    """
    check_count("race", "window", window, 3, " (a slope and its scatter need 3 updates)")
    check_number("race", "growth", growth, 1.0, open_low=True)
    check_number("race", "fraction", fraction, 0.0)
    check_number("race", "confidence", confidence, 0.0)
    check_order("race", order)
    config = RaceConfig(int(window), growth, fraction, confidence)
    warned: list[bool] = []

    from optswitch.selectors import _race_events  # here: it imports this module

    def init(names):
        raced, n, dtype = resolve_order(order, names, "race order"), len(names), default_float()
        counters = dict(phase=Phase.RACING, leg=0, leader=raced[0], challenger=raced[0], arm=-1, length=window)
        counters |= dict.fromkeys(("count", "updates", "next_duel", "duels", "ignored_losses"), 0)
        sums = ("mean", "squares", "products", "before", "before_variance", "challenge", "challenge_variance")
        return RaceState(
            **{field: jnp.asarray(value, jnp.int32) for field, value in counters.items()},
            **dict.fromkeys(sums, jnp.zeros([], dtype)),
            **dict.fromkeys(("race_rates", "race_variances", "standing"), jnp.zeros([n], dtype)),
        )

    def select(signals, before, facts):
        loss = signals.loss.astype(before.mean.dtype)
        counts = _window.usable(loss, "race", warned)
        log_loss = _window.log_loss(loss, counts)
        restart = _window.restarts(signals.active, before.arm)
        from_host = restart & (before.arm >= 0) & (before.phase != Phase.RACING)
        state = optax.tree.where(from_host, host_lead(before, signals.active, facts.raced), before)
        fit = _window.fresh(restart, _line_fit.LineFit(state.count, state.mean, state.squares, state.products))
        fit = _line_fit.add(fit, log_loss)
        going = state._replace(
            arm=signals.active,
            count=fit.count,
            mean=fit.mean,
            squares=fit.squares,
            products=fit.products,
            updates=optax.safe_increment(state.updates),
        )
        # The decisions run only where a window ends: one conditional, and one branch per phase within it.
        end = lambda: end_of_window(going, config, facts)
        carry_on = lambda: (going, signals.active.astype(jnp.int32))
        new_state, choice = jax.lax.cond(going.count >= going.length, end, carry_on)
        return _window.settle(counts, choice, new_state, before, signals.active)

    def build(names):
        raced: list[int] = [] if names is None else resolve_order(order, names, "race order")
        facts = None if names is None else facts_of(init(names), config, raced)
        return Selector(
            init=init,
            select=lambda signals, state: select(signals, state, facts),
            reads=frozenset({"loss"}),
            initial=lambda names: raced[0],
            name="race",
            explain=_race_events.explainer(len(raced)),
            bind=build,
        )

    return for_names(build)
