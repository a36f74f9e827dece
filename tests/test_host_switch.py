"""Switches made from the host with ``set_active``: the log, the handoff they trigger, the windows they restart.

Expected values come from optax run by hand and from losses worked by hand.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import optax

import optswitch

PARAMS = {"w": jnp.asarray([1.0, -2.0, 0.5])}


def grads_at(t):
    return {"w": jnp.asarray([0.3, -0.1, 0.2]) * (t + 1) + jnp.asarray([0.0, 0.05, -0.4])}


def test_the_log_of_host_switches_wraps_around_a_short_history():
    tx = optswitch.switch({"a": optax.sgd(0.1), "b": optax.sgd(0.2)}, history=2)
    state = tx.init(PARAMS)
    for t, name in enumerate(["b", "a", "b", "a"]):
        _, state = tx.update(grads_at(t), state, PARAMS)
        state = optswitch.set_active(state, name)
    summary = optswitch.summary(state)
    assert summary.num_switches == 4
    assert summary.switches == [(3, "a", "b"), (4, "b", "a")]
    assert summary.active == "a"


def test_a_host_switch_logs_the_first_update_of_the_new_candidate():
    tx = optswitch.switch({"a": optax.sgd(0.1), "b": optax.sgd(0.2)})
    state = tx.init(PARAMS)
    state = optswitch.set_active(state, "b")
    for t in range(3):
        _, state = tx.update(grads_at(t), state, PARAMS)
    state = optswitch.set_active(state, "a")
    _, state = tx.update(grads_at(3), state, PARAMS)
    summary = optswitch.summary(state)
    assert summary.switches == [(0, "a", "b"), (3, "b", "a")]
    assert summary.updates == {"a": 1, "b": 3}
    assert summary.segments() == [(0, 3, "b"), (3, 4, "a")]


def test_a_host_switch_back_with_reset_restarts_the_candidate_from_init():
    adam, sgd = optax.adam(0.1), optax.sgd(0.1, momentum=0.9)
    tx = optswitch.switch({"adam": adam, "sgd": sgd}, on_switch="reset")
    state = tx.init(PARAMS)
    for t in range(2):
        _, state = tx.update(grads_at(t), state, PARAMS)
    state = optswitch.set_active(state, "sgd")
    _, state = tx.update(grads_at(2), state, PARAMS)
    state = optswitch.set_active(state, "adam")
    updates, state = tx.update(grads_at(3), state, PARAMS)
    expected_updates, expected_state = adam.update(grads_at(3), adam.init(PARAMS), PARAMS)
    np.testing.assert_allclose(updates["w"], expected_updates["w"], rtol=1e-6)
    for actual, expected in zip(
        jax.tree.leaves(state.candidate_states[0]), jax.tree.leaves(expected_state), strict=True
    ):
        np.testing.assert_allclose(actual, expected, rtol=1e-6)
    # sgd's momentum started from zero too, at its first update after the first host switch.
    _, sgd_state = sgd.update(grads_at(2), sgd.init(PARAMS), PARAMS)
    np.testing.assert_allclose(state.candidate_states[1][0].trace["w"], sgd_state[0].trace["w"], rtol=1e-6)


def test_a_host_switch_leaves_previous_so_that_the_next_update_runs_the_handoff():
    tx = optswitch.switch({"a": optax.sgd(0.1), "b": optax.sgd(0.2)}, on_switch="reset")
    state = tx.init(PARAMS)
    _, state = tx.update(grads_at(0), state, PARAMS)
    switched = optswitch.set_active(state, "b")
    assert (int(switched.active), int(switched.previous)) == (1, 0)


def falling(rate, count):
    return [math.exp(-rate * i) for i in range(count)]


def test_bandit_measures_a_window_restarted_by_a_host_switch_on_the_new_candidate_only():
    tx = optswitch.switch({"a": optax.sgd(0.1), "b": optax.sgd(0.2)}, optswitch.selectors.bandit(window=3))
    state = tx.init(PARAMS)
    for t, loss in enumerate([2.0, 0.5]):
        _, state = tx.update(grads_at(t), state, PARAMS, value=jnp.asarray(loss))
    state = optswitch.set_active(state, "b")
    for t, loss in enumerate(falling(0.1, 3)):
        _, state = tx.update(grads_at(2 + t), state, PARAMS, value=jnp.asarray(loss))
    selector = state.selector_state
    np.testing.assert_allclose(float(selector.last_reward), 0.1, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(selector.reward_sums), [0.0, 0.1], rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(np.asarray(selector.weights), [0.0, 1.0])


def test_race_measures_a_window_restarted_by_a_host_switch_on_the_new_candidate_only():
    tx = optswitch.switch({"a": optax.sgd(0.1), "b": optax.sgd(0.2)}, optswitch.selectors.race(window=3))
    state = tx.init(PARAMS)
    for t, loss in enumerate([2.0, 0.5]):
        _, state = tx.update(grads_at(t), state, PARAMS, value=jnp.asarray(loss))
    state = optswitch.set_active(state, "b")
    for t, loss in enumerate(falling(0.1, 3)):
        _, state = tx.update(grads_at(2 + t), state, PARAMS, value=jnp.asarray(loss))
    selector = state.selector_state
    np.testing.assert_allclose(np.asarray(selector.race_rates), [0.0, 0.1], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(np.asarray(selector.race_variances), [0.0, 0.0], atol=1e-10)
