"""The built-in selectors' rules at their boundaries, against values worked by hand or NumPy in float64."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import optswitch
from optswitch import selectors
from optswitch.selectors._race import Phase

PARAMS = {"w": jnp.asarray([1.0, -2.0, 0.5])}
GRADS = {"w": jnp.asarray([0.3, -0.1, 0.2])}
TWO = {"a": optax.sgd(0.1), "b": optax.sgd(0.2)}
THREE = {"a": optax.sgd(0.1), "b": optax.sgd(0.2), "c": optax.sgd(0.3)}


def run(candidates, selector, losses, grads=lambda t: GRADS):
    tx = optswitch.switch(candidates, selector)
    state = tx.init(PARAMS)
    update = jax.jit(tx.update)
    for t, loss in enumerate(losses):
        _, state = update(grads(t), state, PARAMS, value=jnp.asarray(loss, jnp.float32))
    return state


# plateau: improvement is L < (1 - rtol) best - atol, strictly.


def test_plateau_a_loss_exactly_at_the_threshold_is_no_improvement():
    state = run(TWO, selectors.plateau(rtol=0.5, patience=1), [1.0, 0.5, 0.5])
    assert optswitch.summary(state).switches == [(2, "a", "b")]


def test_plateau_a_loss_just_below_the_threshold_improves():
    state = run(TWO, selectors.plateau(rtol=0.5, patience=1), [1.0, 0.49, 0.5])
    assert optswitch.summary(state).switches == [(3, "a", "b")]
    assert float(state.selector_state.best) == pytest.approx(0.49)


def test_plateau_atol_is_subtracted():
    state = run(TWO, selectors.plateau(rtol=1e-9, atol=0.25, patience=1), [1.0, 0.75, 0.74])
    assert optswitch.summary(state).switches == [(2, "a", "b")]


@pytest.mark.parametrize(("loss", "improved"), [(0.39, True), (0.42, False)])
def test_plateau_atol_is_subtracted_after_rtol_scales_the_best(loss, improved):
    # (1 - 0.5) * 1.0 - 0.1 = 0.4, as optax.contrib.reduce_on_plateau; (1 - 0.5) * (1.0 - 0.1) would be 0.45.
    state = run(TWO, selectors.plateau(rtol=0.5, atol=0.1, patience=1), [1.0, loss])
    assert optswitch.summary(state).switches == ([] if improved else [(2, "a", "b")])


@pytest.mark.parametrize(
    "cycle, expected",
    [(True, [(2, "a", "b"), (3, "b", "c"), (4, "c", "a"), (5, "a", "b")]), (False, [(2, "a", "b"), (3, "b", "c")])],
)
def test_plateau_moves_through_the_order_and_wraps_only_with_cycle(cycle, expected):
    state = run(THREE, selectors.plateau(patience=1, cycle=cycle), [1.0] * 5)
    assert optswitch.summary(state).switches == expected


def test_plateau_waits_cooldown_evaluations_after_a_move():
    state = run(THREE, selectors.plateau(patience=1, cooldown=1), [1.0] * 5)
    assert optswitch.summary(state).switches == [(2, "a", "b"), (4, "b", "c")]


def test_plateau_patience_counts_evaluations_in_a_row():
    state = run(TWO, selectors.plateau(patience=2), [1.0, 1.0, 0.5, 1.0, 1.0])
    assert optswitch.summary(state).switches == [(5, "a", "b")]


def test_plateau_averages_three_losses_into_one_evaluation():
    # Evaluations: mean(3, 1, 2) = 2; mean(1, 0.5, 1.4) = 0.9667 < 0.5 * 2; mean(1, 1, 1) = 1, none.
    state = run(
        TWO, selectors.plateau(rtol=0.5, patience=1, accumulation_size=3), [3.0, 1.0, 2.0, 1.0, 0.5, 1.4] + [1.0] * 3
    )
    assert optswitch.summary(state).switches == [(9, "a", "b")]
    assert float(state.selector_state.best) == pytest.approx(2.9 / 3)


def test_plateau_averages_accumulation_size_losses_into_one_evaluation():
    # Evaluations: mean(3, 1) = 2; mean(1.2, 0.7) = 0.95 < 0.5 * 2, an improvement; mean(1, 1) = 1, none.
    state = run(TWO, selectors.plateau(rtol=0.5, patience=1, accumulation_size=2), [3.0, 1.0, 1.2, 0.7, 1.0, 1.0])
    assert optswitch.summary(state).switches == [(6, "a", "b")]
    assert float(state.selector_state.best) == pytest.approx(0.95)


# noise_scale: switch when noise > 0 and noise > threshold * signal, after warmup updates of the source.


def signals_with(noise, signal, active=0):
    nan = jnp.full([], jnp.nan, jnp.float32)
    return optswitch.Signals(
        step=jnp.asarray(0, jnp.int32),
        active=jnp.asarray(active, jnp.int32),
        steps_in_active=jnp.asarray(1, jnp.int32),
        loss=nan,
        grad_sq_norm=nan,
        update_sq_norm=nan,
        update_dot_grad=nan,
        extra={},
        probe={"noise": jnp.asarray(noise, jnp.float32), "signal": jnp.asarray(signal, jnp.float32)},
    )


def choices(selector, probes, active=0):
    state = selector.init(("a", "b"))
    made = []
    for noise, signal in probes:
        choice, state = selector.bound(("a", "b")).select(signals_with(noise, signal, active), state)
        made.append(int(choice))
    return made, state


@pytest.mark.parametrize(
    "threshold, noise, signal, expected",
    [
        (2.0, -1.0, -1.0, 0),
        (1.0, 1.0, 1.0, 0),
        (1.0, 1.0, 0.999, 1),
        (2.0, 1.0, 0.4, 1),
        (2.0, 1.0, 0.5, 0),
        (1.0, 0.0, -1.0, 0),
    ],
)
def test_noise_scale_switches_only_on_positive_noise_strictly_above_threshold_times_signal(
    threshold, noise, signal, expected
):
    made, _ = choices(selectors.noise_scale("a", "b", threshold=threshold, smoothing=0.0, warmup=1), [(noise, signal)])
    assert made == [expected]


def test_noise_scale_waits_warmup_updates_of_the_source():
    made, state = choices(selectors.noise_scale("a", "b", smoothing=0.0, warmup=3), [(2.0, 1.0)] * 3)
    assert made == [0, 0, 1]
    assert bool(state.switched) and int(state.steps) == 3


def test_noise_scale_ignores_updates_of_other_candidates():
    made, state = choices(selectors.noise_scale("a", "b", smoothing=0.0, warmup=1), [(2.0, 1.0)] * 2, active=1)
    assert made == [1, 1]
    assert int(state.steps) == 0 and not bool(state.switched)


def test_noise_scale_smooths_the_probe_values():
    made, state = choices(
        selectors.noise_scale("a", "b", threshold=1.5, smoothing=0.5, warmup=1), [(2.0, 1.0), (0.0, 2.0)]
    )
    assert made == [1, 0]  # noise 1 > 1.5 * 0.5 at once; then it watches no more, and its state stays
    assert (float(state.noise), float(state.signal)) == (1.0, 0.5)


def test_noise_scale_estimates_match_a_float64_reference():
    beta, smoothing = 0.9, 0.5
    rng = np.random.default_rng(0)
    gradients = [rng.normal(1.0, 0.5, size=3) for _ in range(5)]
    state = run(
        TWO,
        selectors.noise_scale("a", "b", beta=beta, smoothing=smoothing, warmup=1000),
        [1.0] * 5,
        grads=lambda t: {"w": jnp.asarray(gradients[t], jnp.float32)},
    )
    m, noise, signal = np.zeros(3), 0.0, 0.0
    for t, g in enumerate(gradients, start=1):
        g = np.asarray(np.float32(g), np.float64)
        m = beta * m + (1 - beta) * g
        mhat_sq = (m @ m) / (1 - beta**t) ** 2
        overlap = (1 - beta) * (1 + beta**t) / ((1 + beta) * (1 - beta**t))
        noise = smoothing * noise + (1 - smoothing) * (g @ g - mhat_sq)
        signal = smoothing * signal + (1 - smoothing) * (mhat_sq - overlap * (g @ g))
    np.testing.assert_allclose(
        [float(state.selector_state.noise), float(state.selector_state.signal)], [noise, signal], rtol=1e-4
    )
    assert int(state.probe_state.count) == 5


# swats: switch at the first k > 1 with Lambda_k > 0 and |Lambda_k - gamma_k| <= atol + rtol |gamma_k|.


def swats_candidates(adam):
    return {"adam": adam, "sgd": optax.inject_hyperparams(optax.sgd)(learning_rate=0.0, momentum=0.9)}


def test_swats_never_switches_on_steps_that_ascend():
    # p = +g: p . g > 0, gamma = -1 at every update, perfectly settled, but negative.
    state = run(swats_candidates(optax.scale(1.0)), selectors.swats("adam", "sgd", rtol=1e-3), [1.0] * 6)
    assert optswitch.summary(state).switches == []
    assert float(state.selector_state.gamma) == -1.0


def test_swats_switches_at_the_second_adam_update_when_the_step_is_constant():
    # p = -0.1 g: gamma = 0.1 at every update, so Lambda_k = gamma_k from k = 1, and k = 2 is the first allowed.
    state = run(swats_candidates(optax.scale(-0.1)), selectors.swats("adam", "sgd", rtol=1e-4), [1.0] * 4)
    assert optswitch.summary(state).switches == [(2, "adam", "sgd")]
    assert float(state.selector_state.estimate) == pytest.approx(0.1, rel=1e-4)
    assert float(state.candidate_states[1].hyperparams["learning_rate"]) == pytest.approx(0.01, rel=1e-4)


# race: duels begin at the end of the first leader window past growth * T, rounded up.


def race_run(selector, updates, rates):
    tx = optswitch.switch(TWO, selector)
    state = tx.init(PARAMS)
    update = jax.jit(tx.update)
    loss = 1.0
    for t in range(updates):
        name = optswitch.active(state)
        _, state = update(GRADS, state, PARAMS, value=jnp.asarray(loss, jnp.float32))
        loss *= rates(t, name) if callable(rates) else rates[name]
    return state


def test_race_first_duel_waits_for_the_update_count_rounded_up():
    # The race (a b b a) ends at update 12; a duel may begin once 12 * 1.3 = 15.6 updates are seen: at 16,
    # so at the end of the leader window that ends at 18, not the one that ends at 15.
    state = race_run(selectors.race(window=3, growth=1.3, fraction=0.0), 19, {"a": 0.8, "b": 0.9})
    assert optswitch.summary(state).switches == [(3, "a", "b"), (9, "b", "a"), (18, "a", "b")]
    assert int(state.selector_state.next_duel) == 16


def test_race_a_duel_begins_at_the_window_that_ends_exactly_on_the_update_count():
    # 12 * 1.25 = 15: the leader window that ends at 15 starts the duel.
    state = race_run(selectors.race(window=3, growth=1.25, fraction=0.0), 16, {"a": 0.8, "b": 0.9})
    assert optswitch.summary(state).switches == [(3, "a", "b"), (9, "b", "a"), (15, "a", "b")]


def test_race_leader_windows_last_fraction_of_the_updates_rounded():
    # After the race (12 updates) windows last max(3, round(0.3 t)): 4 at t = 12 (3.6), so the leader's window
    # ends at 16 >= ceil(1.2 * 12) = 15 and the duel begins; then 5 (4.8) for the challenger, who loses and
    # hands back at 21.
    state = race_run(selectors.race(window=3, growth=1.2, fraction=0.3), 22, {"a": 0.8, "b": 0.9})
    assert optswitch.summary(state).switches == [(3, "a", "b"), (9, "b", "a"), (16, "a", "b"), (21, "b", "a")]


def test_race_warmup_delays_the_race_and_measures_nothing():
    # Five updates of a first, whose losses rise (as a warmup's may) and are not measured; then the legs a b b a
    # from update 5, each measuring its candidate's own rate.
    rates = lambda t, name: 1.5 if t < 5 else {"a": 0.8, "b": 0.9}[name]
    state = race_run(selectors.race(window=3, warmup=5, fraction=0.0), 18, rates)
    assert optswitch.summary(state).switches == [(8, "a", "b"), (14, "b", "a")]
    race_rates = np.asarray(state.selector_state.race_rates)
    np.testing.assert_allclose(race_rates, [-2 * math.log(0.8), -2 * math.log(0.9)], rtol=1e-5)
    assert int(state.selector_state.updates) == 18 and int(state.selector_state.leader) == 0


@pytest.mark.parametrize(("stop", "switches"), [(17, [(17, "b", "a")]), (16, [(16, "b", "a")]), (15, [])])
def test_race_stop_drops_a_duel_at_once_and_decides_no_more(stop, switches):
    # As above, the duel begins at 15 (12 x 1.25), b challenging for 3 updates. From the stop on, a trains to the
    # end: the duel is dropped at once, and none begins after it.
    state = race_run(selectors.race(window=3, growth=1.25, fraction=0.0, stop=stop), 40, {"a": 0.8, "b": 0.9})
    race = [(3, "a", "b"), (9, "b", "a")]
    assert optswitch.summary(state).switches == race + ([(15, "a", "b")] if stop > 15 else []) + switches
    assert int(state.selector_state.duels) == 0 and int(state.selector_state.phase) == Phase.LEADING


def test_race_a_stop_past_the_int32_clock_never_comes():
    state = race_run(selectors.race(window=3, growth=1.25, fraction=0.0, stop=2**40), 22, {"a": 0.8, "b": 0.9})
    assert optswitch.summary(state).switches == [(3, "a", "b"), (9, "b", "a"), (15, "a", "b"), (18, "b", "a")]
    assert int(state.selector_state.duels) == 1


def test_race_stop_at_the_end_of_the_race_keeps_its_winner():
    state = race_run(selectors.race(window=3, stop=12), 40, {"a": 0.9, "b": 0.8})
    assert optswitch.summary(state).switches == [(3, "a", "b"), (9, "b", "a"), (12, "a", "b")]


def window_losses(rate, noise):
    return [math.exp(-rate * i + e) for i, e in enumerate(noise)]


def slope_and_variance(losses):
    """Least-squares slope of log(loss) on 0..W-1 and its variance RSS / ((W - 2) S), in float64."""
    y = np.log(np.asarray(losses, np.float32).astype(np.float64))
    x = np.arange(len(y), dtype=np.float64)
    slope, intercept = np.polyfit(x, y, 1)
    rss = np.sum((y - (slope * x + intercept)) ** 2)
    return slope, rss / ((len(y) - 2) * np.sum((x - x.mean()) ** 2))


def test_race_rate_and_variance_of_a_noisy_window_match_a_least_squares_fit():
    losses = window_losses(0.1, [0.0, 0.03, -0.02, 0.05, -0.01])
    state = run(TWO, selectors.race(window=5), losses)
    slope, variance = slope_and_variance(losses)
    np.testing.assert_allclose(float(state.selector_state.race_rates[0]), -slope, rtol=1e-5)
    np.testing.assert_allclose(float(state.selector_state.race_variances[0]), variance, rtol=1e-4)


def test_bandit_reward_of_a_noisy_window_matches_a_least_squares_fit():
    losses = window_losses(0.1, [0.0, 0.03, -0.02, 0.05])
    state = run(TWO, selectors.bandit(window=4), losses)
    slope, _ = slope_and_variance(losses)
    np.testing.assert_allclose(float(state.selector_state.last_reward), -slope, rtol=1e-5)
    assert optswitch.summary(state).switches == [(4, "a", "b")]


def test_bandit_ignores_non_positive_losses_in_its_windows():
    losses = window_losses(0.1, [0.0] * 4)
    state = run(TWO, selectors.bandit(window=4), [losses[0], 0.0, losses[1], -1.0, losses[2], losses[3]])
    np.testing.assert_allclose(float(state.selector_state.last_reward), 0.1, rtol=1e-5)
    assert optswitch.summary(state).switches == [(6, "a", "b")]


def test_bandit_discounts_every_candidate_after_each_window():
    losses = window_losses(0.1, [0.0] * 3) + window_losses(0.2, [0.0] * 3) + window_losses(0.3, [0.0] * 3)
    state = run(TWO, selectors.bandit(window=3, discount=0.5), losses)
    # Windows: a (0.1), b (0.2), then b again by UCB (the higher mean), 0.3.
    np.testing.assert_allclose(np.asarray(state.selector_state.weights), [0.25, 1.5], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(state.selector_state.reward_sums), [0.025, 0.1 + 0.3], rtol=1e-5)
