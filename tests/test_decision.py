"""The decision after each update: which choices count, what the log and the signals say, tracked states.

Every expected value here is worked by hand or comes from optax run by hand, never from the switch itself.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import optswitch
from optswitch.selectors import Selector

PARAMS = {"w": jnp.asarray([1.0, -2.0, 0.5])}


def grads_at(t):
    return {"w": jnp.asarray([0.3, -0.1, 0.2]) * (t + 1) + jnp.asarray([0.0, 0.05, -0.4])}


def always(index, reads=frozenset()):
    """A selector that always picks ``index``, right or wrong."""
    return Selector(
        init=lambda names: (),
        select=lambda signals, state: (jnp.asarray(index, jnp.int32), state),
        reads=reads,
        name="always",
    )


@pytest.mark.parametrize("choice", [2, 3, -1])
def test_a_choice_just_out_of_range_is_invalid_and_the_active_candidate_stays(choice):
    tx = optswitch.switch({"a": optax.sgd(0.1), "b": optax.sgd(0.2)}, always(choice))
    state = tx.init(PARAMS)
    for t in range(3):
        _, state = tx.update(grads_at(t), state, PARAMS)
    assert int(state.active) == 0
    summary = optswitch.summary(state)
    assert (summary.invalid, summary.skipped, summary.num_switches, summary.updates) == (3, 0, 0, {"a": 3, "b": 0})


def test_a_choice_of_the_first_candidate_is_valid():
    tx = optswitch.switch({"a": optax.sgd(0.1), "b": optax.sgd(0.2)}, always(0), initial="b")
    state = tx.init(PARAMS)
    for t in range(2):
        _, state = tx.update(grads_at(t), state, PARAMS)
    summary = optswitch.summary(state)
    assert (summary.invalid, summary.switches, summary.updates) == (0, [(1, "b", "a")], {"a": 1, "b": 1})


def test_an_out_of_range_choice_on_a_nan_loss_counts_as_skipped_not_invalid():
    tx = optswitch.switch({"a": optax.sgd(0.1), "b": optax.sgd(0.2)}, always(5, reads=frozenset({"loss"})))
    state = tx.init(PARAMS)
    _, state = tx.update(grads_at(0), state, PARAMS, value=jnp.asarray(jnp.nan))
    summary = optswitch.summary(state)
    assert (summary.skipped, summary.invalid) == (1, 0)
    _, state = tx.update(grads_at(1), state, PARAMS, value=jnp.asarray(1.0))
    summary = optswitch.summary(state)
    assert (summary.skipped, summary.invalid, summary.active) == (1, 1, "a")


def test_the_selector_state_is_kept_on_an_update_with_a_non_finite_signal():
    counting = Selector(
        init=lambda names: jnp.zeros([], jnp.int32),
        select=lambda signals, count: (signals.active, count + 1),
        reads=frozenset({"loss"}),
        name="counting",
    )
    tx = optswitch.switch({"a": optax.sgd(0.1)}, counting)
    state = tx.init(PARAMS)
    for t, loss in enumerate([1.0, jnp.nan, 2.0, jnp.inf, 3.0]):
        _, state = tx.update(grads_at(t), state, PARAMS, value=jnp.asarray(loss))
    assert int(state.selector_state) == 3
    assert optswitch.summary(state).skipped == 2


def promoting():
    """A candidate whose ``update`` returns its bfloat16 state promoted to float32, as careless code does."""

    def init(params):
        return {"total": jnp.zeros([3], jnp.bfloat16)}

    def update(updates, state, params=None):
        total = state["total"] + updates["w"].astype(jnp.float32)  # bf16 + f32 -> f32
        return updates, {"total": total}

    return optax.GradientTransformation(init, update)


def test_a_candidate_that_promotes_its_state_is_widened_as_plain_optax_would_be():
    # Issue 10, item 24: rounding the promoted state back to bf16 would lose what the candidate computed; the
    # state widens to float32 instead, and the step compiles once more for it, as plain optax's would.
    tx = optswitch.switch({"promoting": promoting(), "sgd": optax.sgd(0.1)}, optswitch.selectors.manual())
    state = tx.init(PARAMS)
    update = jax.jit(tx.update)
    plain_update = jax.jit(promoting().update)
    plain_state = promoting().init(PARAMS)
    for t in range(4):
        _, state = update(grads_at(t), state, PARAMS)
        _, plain_state = plain_update(grads_at(t), plain_state, PARAMS)
    total = state.candidate_states[0]["total"]
    assert total.dtype == plain_state["total"].dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(total), np.asarray(plain_state["total"]))
    assert update._cache_size() == plain_update._cache_size() == 2


def recording(switch_after: int, length: int):
    """Records ``steps_in_active`` of every update, and moves to candidate 1 after update ``switch_after``."""
    return Selector(
        init=lambda names: jnp.zeros([length], jnp.int32),
        select=lambda signals, seen: (
            jnp.where(signals.step >= switch_after, 1, signals.active).astype(jnp.int32),
            seen.at[signals.step].set(signals.steps_in_active),
        ),
        name="recording",
    )


def test_steps_in_active_counts_the_updates_since_the_last_switch():
    tx = optswitch.switch({"a": optax.sgd(0.1), "b": optax.sgd(0.2)}, recording(switch_after=2, length=6))
    state = tx.init(PARAMS)
    for t in range(6):
        _, state = tx.update(grads_at(t), state, PARAMS)
    np.testing.assert_array_equal(np.asarray(state.selector_state), [1, 2, 3, 1, 2, 3])


def test_steps_in_active_restarts_after_a_host_switch():
    tx = optswitch.switch({"a": optax.sgd(0.1), "b": optax.sgd(0.2)}, recording(switch_after=99, length=5))
    state = tx.init(PARAMS)
    for t in range(5):
        if t == 2:
            state = optswitch.set_active(state, "b")
        _, state = tx.update(grads_at(t), state, PARAMS)
    np.testing.assert_array_equal(np.asarray(state.selector_state), [1, 2, 1, 2, 3])


TRACKED = {"adam": optax.adam(0.1), "sgd": optax.sgd(0.1, momentum=0.9), "rmsprop": optax.rmsprop(0.1)}


@pytest.mark.parametrize("target", ["sgd", "rmsprop"])
def test_track_with_reset_resets_the_candidate_switched_to(target):
    tx = optswitch.switch(
        TRACKED, optswitch.selectors.schedule({0: "adam", 3: target}), inactive="track", on_switch="reset"
    )
    state = tx.init(PARAMS)
    states = {name: candidate.init(PARAMS) for name, candidate in TRACKED.items()}
    for t in range(6):
        if t == 3:
            states[target] = TRACKED[target].init(PARAMS)
        outputs = {}
        for name, candidate in TRACKED.items():
            outputs[name], states[name] = candidate.update(grads_at(t), states[name], PARAMS)
        updates, state = tx.update(grads_at(t), state, PARAMS)
        active = "adam" if t < 3 else target
        np.testing.assert_allclose(updates["w"], outputs[active]["w"], rtol=1e-6)
    for k, name in enumerate(TRACKED):
        for actual, expected in zip(
            jax.tree.leaves(state.candidate_states[k]), jax.tree.leaves(states[name]), strict=True
        ):
            np.testing.assert_allclose(actual, expected, rtol=1e-6, err_msg=name)


def test_track_keeps_the_probe_state_of_the_source_only():
    tx = optswitch.switch(
        {"a": optax.sgd(0.1), "b": optax.sgd(0.2)},
        optswitch.selectors.noise_scale("a", "b", warmup=1000),
        inactive="track",
    )
    state = tx.init(PARAMS)
    beta = 0.9
    mean = np.zeros(3)
    for t in range(5):
        if t == 2:
            state = optswitch.set_active(state, "b")
        _, state = tx.update(grads_at(t), state, PARAMS)
        if t < 2:
            mean = beta * mean + (1 - beta) * np.asarray(grads_at(t)["w"], np.float64)
    assert int(state.probe_state.count) == 2
    np.testing.assert_allclose(state.probe_state.mean["w"], mean, rtol=1e-6)


def test_a_signal_read_only_after_another_candidate_is_not_checked_while_this_one_runs():
    reads_after_a = Selector(
        init=lambda names: (),
        select=lambda signals, state: (signals.active, state),
        reads={"a": frozenset({"loss"})},
        name="reads_after_a",
    )
    tx = optswitch.switch({"a": optax.sgd(0.1), "b": optax.sgd(0.2)}, reads_after_a)
    state = optswitch.set_active(tx.init(PARAMS), "b")
    for t in range(2):
        _, state = tx.update(grads_at(t), state, PARAMS, value=jnp.asarray(jnp.nan))
    state = optswitch.set_active(state, "a")
    _, state = tx.update(grads_at(2), state, PARAMS, value=jnp.asarray(jnp.nan))
    summary = optswitch.summary(state)
    assert (summary.skipped, summary.updates) == (1, {"a": 1, "b": 2})


def test_the_log_counts_each_candidates_updates_and_the_first_update_after_each_switch():
    tx = optswitch.switch(
        {"a": optax.sgd(0.1), "b": optax.sgd(0.2), "c": optax.sgd(0.3)},
        optswitch.selectors.schedule({0: "a", 2: "c", 5: "b"}),
    )
    state = tx.init(PARAMS)
    for t in range(7):
        _, state = tx.update(grads_at(t), state, PARAMS)
    summary = optswitch.summary(state)
    assert summary.updates == {"a": 2, "b": 2, "c": 3}
    assert summary.switches == [(2, "a", "c"), (5, "c", "b")]
    assert summary.segments() == [(0, 2, "a"), (2, 5, "c"), (5, 7, "b")]
    assert (summary.step, summary.active) == (7, "b")
