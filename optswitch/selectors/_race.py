"""``race``: races the candidates, trains with the winner, and re-checks it against the runner-up now and then.

Its rule (state, settings, and one pure function per phase) is in :mod:`optswitch.selectors._race_rules`; this
module resolves and checks the settings and makes the :class:`Selector`.
"""

from collections.abc import Sequence

import jax.numpy as jnp
import numpy as np
import optax

from optswitch.selectors import _race_events, _window
from optswitch.selectors._base import Selector, default_float, for_names
from optswitch.selectors._race_rules import (
    PHASES,
    Facts,
    Phase,
    RaceConfig,
    RaceState,
    closing_window,
    end_of_window,
    facts_of,
    host_lead,
    race_scores,
    step,
)
from optswitch.selectors._settings import MAX_STEP, check_count, check_number, check_order, resolve_order

__all__ = [
    "DEFAULT_MARGIN",
    "PHASES",
    "Facts",
    "Phase",
    "RaceConfig",
    "RaceState",
    "closing_window",
    "default_window",
    "end_of_window",
    "facts_of",
    "race",
    "race_scores",
    "settings",
]

#: ``race``'s default ``margin``: a rate must beat another by more than this fraction of it to count as better.
DEFAULT_MARGIN = 0.05


def default_window(run_length: int, raced: int) -> int:
    """``race``'s default ``window`` for a run of ``run_length`` updates racing ``raced`` candidates: legs of 1% of
    the run, shorter for more than six candidates so that the race's ``2 * raced`` legs take at most 12% of the run
    (as six candidates' legs of 1% do); at least 3 updates.
    """
    return max(min(run_length // 100, (6 * run_length) // (100 * raced)), 3)


def settings(
    window, run_length, warmup, stop, growth, fraction, confidence, margin, race_confidence=0.0, extra_rounds=0
) -> RaceConfig:
    """``race``'s settings checked, with the defaults that ``run_length`` gives ``window`` and ``stop`` filled in."""
    if window is None and run_length is None:
        raise ValueError(
            "race: pass run_length= (the run's length in updates, which sets window and stop) or window= (updates "
            "per leg of the race, e.g. max(run_length // 100, 3))."
        )
    if run_length is not None:
        check_count("race", "run_length", run_length, 1, " (the run's length in updates)")
    if window is None:
        window = default_window(run_length, raced=1)  # until the number raced is known: see bound() in race
    check_count("race", "window", window, 3, " (a slope and its scatter need 3 updates)")
    check_count("race", "warmup", warmup, 0, " (updates before the race begins)")
    if stop is None:
        stop = MAX_STEP if run_length is None else (3 * run_length) // 4
    check_count("race", "stop", stop, 0, " (the update from which the race decides no more)")
    check_number("race", "growth", growth, 1.0, open_low=True)
    check_number("race", "fraction", fraction, 0.0)
    check_number("race", "confidence", confidence, 0.0)
    check_number("race", "margin", margin, 0.0)
    check_number("race", "race_confidence", race_confidence, 0.0)
    check_count("race", "extra_rounds", extra_rounds, 0, " (rounds the race may run again over tied candidates)")
    # The clock is an int32 that stops at MAX_STEP: a later stop or warmup is never reached, as MAX_STEP is not.
    clock = lambda updates: min(int(updates), MAX_STEP)
    race_settings = (clock(warmup), clock(stop), margin, race_confidence, int(extra_rounds))
    return RaceConfig(int(window), growth, fraction, confidence, *race_settings)


def check_stop(config: RaceConfig, raced: int, run_length: int | None) -> None:
    """Raises unless ``config.stop`` comes no earlier than the latest end of a race of ``raced`` candidates.

    ``run_length``: the one that set ``stop`` by default, or None for a ``stop`` given.
    """
    rounds = 1 + config.extra_rounds
    race_end = config.warmup + 2 * raced * config.window * rounds
    if config.stop < race_end:
        given = "" if run_length is None else f" (the default, 3/4 of run_length={run_length})"
        again = f" x {rounds} rounds at most" if config.extra_rounds else ""
        raise ValueError(
            f"race: stop={config.stop}{given} comes before the race ends at update {race_end} (warmup "
            f"{config.warmup} + 2 x {raced} candidates x window {config.window}{again}); pass a later stop=, a "
            f"smaller window= or warmup=, {'fewer extra_rounds=, ' if again else ''}or fewer candidates in order="
            "."
        )


def race(
    order: Sequence[str | int] | None = None,
    *,
    run_length: int | None = None,
    window: int | None = None,
    warmup: int = 0,
    stop: int | None = None,
    margin: float = DEFAULT_MARGIN,
    growth: float = 2.0,
    fraction: float = 0.125,
    confidence: float = 1.0,
    race_confidence: float = 0.0,
    extra_rounds: int = 0,
    loss_is_log: bool = False,
) -> Selector:
    """Races the candidates for a few updates each, then trains with the winner and re-checks it now and then.

    Every decision compares *rates*: a candidate's rate over a window of ``W`` of its own updates is minus the
    least-squares slope of ``log(loss)`` against the update index, and its variance that of a regression slope:

        ``r = -sum_i (i - (W-1)/2) log(loss_i) / S``, ``S = W (W^2 - 1) / 12``, ``var(r) = RSS / ((W - 2) S)``.

    0. **Warmup.** For the first ``warmup`` updates the first candidate of ``order`` trains and nothing is
       measured (for a learning-rate warmup, which would race the candidates at a tiny learning rate).
    1. **Race.** The candidates of ``order`` run ``window`` updates each, in ``order`` and then in reverse
       (``a b c c b a``). The leader is the first candidate of ``order`` whose score, the mean of its two
       rates, is within ``margin * |best|`` of the best score, or within ``race_confidence`` standard deviations
       of their difference; each candidate's *standing* is its score over the leader's. With ``extra_rounds``,
       when more than one candidate is so tied with the best, those alone race a round again (in ``order`` and
       back), their scores the mean of all their rates, before the leader is chosen among them; at most
       ``extra_rounds`` times.
    2. **Lead.** The leader trains in windows of ``max(window, fraction * t)`` updates, ``t`` the updates seen.
    3. **Duel**, at the end of the first leader window past update ``growth * T``, ``T`` the update at which the
       race or the latest duel ended. The runner-up (highest standing) runs one window, rate ``c``; then the
       leader one, rate ``a``; ``b`` is the leader's rate in its window before the duel. The challenger takes
       over at once if ``c - b > confidence * sqrt(var(c) + var(b))`` and ``c - b > margin * |b|``, else after
       the leader's window if, with ``L = (a + b) / 2``, ``c - L > confidence * sqrt(var(c) + (var(a) +
       var(b)) / 4)`` and ``c - L > margin * |L|``. Standings are then re-expressed relative to the leader.
    4. **Stop.** From update ``stop`` on, no decision is made: the leader trains to the end, and a duel in
       progress is dropped at once. The margin keeps decisions off rounding: runs that differ only by it (a
       fused and an unfused update) choose alike unless two rates are within ``margin`` of each other.

    Updates are counted on the selector's clock, ``state.updates``: those with a usable loss. Updates with a
    non-finite loss are skipped, as for every selector; so are those with a loss ``<= 0``, which
    has no log: they are counted in ``state.ignored_losses`` and in :func:`optswitch.summary`, with a warning the
    first time outside jit (and inside jit with ``switch(on_event=...)``). For a loss that can reach 0 or go
    negative, pass ``value=loss - floor``, ``floor`` below any loss the run can reach, or, for a loss that is a
    logarithm already (a negative log-likelihood), ``loss_is_log=True``. A switch from the host
    restarts the current window with the new candidate: during the race, credited with what it measures; after
    it, as the leader (a duel in progress is dropped). Why this design, and what it costs: ``docs/selectors.md``.

    Args:
        order: the candidates to race, by name or index; default every candidate, in order. The first makes
            update 0 (and the warmup); a candidate left out never runs (unless set from the host).
        run_length: the run's length in updates, an int >= 1. It sets the defaults of ``window`` and ``stop``.
            Pass it or ``window``.
        window: updates per leg of the race, and the shortest window; an int >= 3 (a slope and its scatter
            need three points). Default ``max(run_length // 100, 3)``, legs of 1% of the run, for up to six
            candidates; for more, shorter legs, so that the race takes at most 12% of the run: ``max((6 *
            run_length) // (100 * len(order)), 3)``. Given, it wins over ``run_length``.
        warmup: updates before the race's first leg, an int >= 0; default 0 (the race begins at once).
        stop: the update from which no decision is made, an int no earlier than the race's latest end
            (``warmup + 2 * len(order) * window * (1 + extra_rounds)``). Default ``(3 * run_length) // 4``: a
            challenger's window late in a run lasts ``fraction * t`` updates, and a last duel would otherwise run
            on into the end of a learning rate decay. Without ``run_length``, never. To never stop with
            ``run_length`` given, pass ``stop=run_length``.
        margin: the fraction of a rate by which another must beat it to count as better, >= 0; default
            ``DEFAULT_MARGIN`` (0.05). Ties within it go to the candidate first in ``order``; 0 compares exactly.
        growth: ratio of the update counts at which successive duels may begin, > 1.
        fraction: the windows after the race last ``fraction`` of the updates made so far (at least
            ``window``), >= 0; 0 keeps every window at ``window`` updates.
        confidence: how many standard deviations of the difference of two rates a challenger must win by,
            >= 0.
        race_confidence: the race's leader is the first candidate of ``order`` whose score is within this many
            standard deviations of its difference from the best score (or within ``margin``), >= 0; default 0
            (the margin alone). On a plateau, where every score is noise, 2 hands the lead to the first in
            ``order`` instead of to the luckiest.
        extra_rounds: how many times, at most, the candidates tied with the best score (within ``margin`` or
            ``race_confidence``) race a round again before the leader is chosen among them, an int >= 0; default
            0. Each round of ``k`` tied candidates takes ``2 k window`` updates; ``stop`` must allow for all of
            them.
        loss_is_log: whether the loss is a logarithm already, e.g. a negative log-likelihood, which may be 0 or
            below: every rate is then read from the loss itself where it would be read from ``log(loss)`` (a fall
            in nats per update), and every update counts. Default False.

    Returns:
        A :class:`Selector` that reads the loss: ``update`` needs ``value=``.

    Raises:
        ValueError: for neither ``run_length`` nor ``window``, a setting out of its range, or (when the switch
            is built) a ``stop`` before the race's end.

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> selector = optswitch.selectors.race(run_length=40, warmup=4)  # window 3, stop at update 30
        >>> tx = optswitch.switch({"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)}, selector)
        >>> params = {"w": jnp.ones(3)}
        >>> state, update = tx.init(params), jax.jit(tx.update)
        >>> loss = 1.0
        >>> for t in range(40):  # SGD's updates remove 20% of the loss, Adam's 10%
        ...     name = optswitch.active(state)
        ...     _, state = update(params, state, params, value=jnp.asarray(loss))
        ...     loss *= 0.8 if name == "sgd" else 0.9
        >>> optswitch.summary(state).switches  # warmup: adam to 4; legs: adam, sgd, sgd, adam; then the winner
        [(7, 'adam', 'sgd'), (13, 'sgd', 'adam'), (16, 'adam', 'sgd')]
        >>> print(f"{float(state.selector_state.standing[0]):.3f}")  # log(0.9) / log(0.8)
        0.472
        >>> int(state.selector_state.duels)  # the first duel would begin at 2 x 16 = 32, past the stop at 30
        0

    References:
        Maron & Moore, "Hoeffding Races: Accelerating Model Selection Search for Classification and Function
        Approximation", NeurIPS 1993; the explore-then-commit strategy of bandits with switching costs.
    """
    check_order("race", order)
    checked = settings(
        window, run_length, warmup, stop, growth, fraction, confidence, margin, race_confidence, extra_rounds
    )
    warned: list[bool] = []

    def bound(raced: int) -> RaceConfig:
        """The settings for ``raced`` candidates: the default window depends on how many."""
        if window is not None or run_length is None or raced == 0:  # a window given, or no names bound yet
            return checked
        return checked._replace(window=default_window(run_length, raced))

    def init(names, config):
        raced, n, dtype = resolve_order(order, names, "race order"), len(names), default_float()
        counters = dict(phase=Phase.RACING, leg=0, rounds=0, leader=raced[0], challenger=raced[0], arm=-1)
        counters |= dict(length=config.window)
        counters |= dict.fromkeys(("count", "updates", "next_duel", "duels", "ignored_losses"), 0)
        sums = ("mean", "squares", "products", "before", "before_variance", "challenge", "challenge_variance")
        return RaceState(
            **{field: jnp.asarray(value, jnp.int32) for field, value in counters.items()},
            **dict.fromkeys(sums, jnp.zeros([], dtype)),
            **dict.fromkeys(("race_rates", "race_variances", "standing"), jnp.zeros([n], dtype)),
            race_legs=jnp.zeros([n], jnp.int32),
            in_round=jnp.asarray(np.isin(np.arange(n), raced)),
        )

    def select(signals, before, config, facts):
        loss = signals.loss.astype(before.mean.dtype)
        counts = _window.usable(loss, "race", warned, loss_is_log)
        from_host = _window.restarts(signals.active, before.arm) & (before.arm >= 0) & (before.phase != Phase.RACING)
        state = optax.tree.where(from_host, host_lead(before, signals.active, facts.raced), before)
        new_state, choice = step(state, _window.log_loss(loss, counts, loss_is_log), signals.active, config, facts)
        return _window.settle(counts, choice, new_state, before, signals.active)

    def build(names):
        raced: list[int] = [] if names is None else resolve_order(order, names, "race order")
        config = bound(len(raced))
        if names is not None:
            check_stop(config, len(raced), run_length if stop is None else None)
        facts = None if names is None else facts_of(init(names, config), config, raced)
        return Selector(
            init=lambda names: init(names, config),
            select=lambda signals, state: select(signals, state, config, facts),
            reads=frozenset({"loss"}),
            initial=lambda names: raced[0],
            name="race",
            explain=_race_events.explainer(config.stop, loss_is_log),
            bind=build,
        )

    return for_names(build)
