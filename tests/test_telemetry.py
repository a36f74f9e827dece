"""Reading and changing the switch from the host, wherever its state sits."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from helpers import candidates, grads_at, params

import optswitch
from optswitch import selectors


def test_names_are_recovered_from_the_state_alone():
    tx = optswitch.switch({"adam": optax.adam(1e-3), "sgd+momentum": optax.sgd(0.1, 0.9), "Ädam": optax.adam(1.0)})
    state = tx.init(params())
    assert state.names.dtype == jnp.uint8
    assert all(isinstance(leaf, jax.Array) for leaf in jax.tree.leaves(state))
    assert optswitch.summary(state).names == ("adam", "sgd+momentum", "Ädam")


def test_sequence_candidates_are_named_by_index():
    tx = optswitch.switch([optax.adam(1e-3), optax.sgd(0.1)], initial=1)
    state = tx.init(params())
    assert optswitch.active(state) == "1"
    assert optswitch.active(optswitch.set_active(state, 0)) == "0"


@pytest.mark.parametrize(
    "wrap",
    [
        lambda tx: optax.chain(optax.clip_by_global_norm(1.0), tx),
        lambda tx: optax.MultiSteps(tx, every_k_schedule=2),
        lambda tx: optax.apply_if_finite(tx, 2),
        lambda tx: optax.chain(optax.chain(tx)),
    ],
    ids=["chain", "multisteps", "apply_if_finite", "nested_chain"],
)
def test_found_anywhere_inside_a_larger_state(wrap):
    tx = wrap(optswitch.switch(candidates(), initial="sgd"))
    state = tx.init(params())
    assert optswitch.active(state) == "sgd"
    changed = optswitch.set_active(state, "rmsprop")
    assert optswitch.active(changed) == "rmsprop"
    assert optswitch.active(state) == "sgd"  # set_active returns a copy
    assert jax.tree.structure(changed) == jax.tree.structure(state)


def test_inside_a_train_state_dict():
    tx = optswitch.switch(candidates())
    train_state = {"params": params(), "opt_state": tx.init(params()), "step": 0}
    assert optswitch.active(train_state) == "adam"


def test_set_active_logs_the_switch_and_the_next_update_runs_it():
    tx = optswitch.switch(candidates())
    update = jax.jit(tx.update)
    state = tx.init(params())
    _, state = update(grads_at(0), state, params())
    state = optswitch.set_active(state, "sgd")
    assert optswitch.summary(state).switches == [(1, "adam", "sgd")]
    before = state.candidate_states
    _, state = update(grads_at(1), state, params())
    assert optswitch.summary(state).updates == {"adam": 1, "sgd": 1, "rmsprop": 0}
    np.testing.assert_array_equal(state.candidate_states[0][0].mu["w"], before[0][0].mu["w"])
    assert optswitch.set_active(state, "sgd") is state  # already active: nothing to log


def test_set_active_logs_a_switch_as_the_selector_does():
    # The same switch, adam -> sgd from update 1 on, made on device by a schedule and from the host: same log.
    params_ = params()
    by_selector = optswitch.switch(candidates(), selectors.schedule({0: "adam", 1: "sgd"}), history=2)
    _, selected = by_selector.update(grads_at(0), by_selector.init(params_), params_)
    by_host = optswitch.switch(candidates(), history=2)
    _, state = by_host.update(grads_at(0), by_host.init(params_), params_)
    hosted = optswitch.set_active(state, "sgd")
    for field in optswitch.SwitchLog._fields:
        np.testing.assert_array_equal(getattr(hosted.log, field), getattr(selected.log, field), err_msg=field)
    assert int(hosted.active) == int(selected.active) == 1


def test_set_active_errors():
    state = optswitch.switch(candidates()).init(params())
    with pytest.raises(ValueError, match=r"set_active: unknown candidate 'lion'; the candidates are \['adam'"):
        optswitch.set_active(state, "lion")
    with pytest.raises(ValueError, match="no optswitch.SwitchState found in this ScaleByAdamState"):
        optswitch.set_active(optax.adam(1e-3).init(params())[0], "adam")
    with pytest.raises(ValueError, match="no optswitch.SwitchState found"):
        optswitch.active({"a": jnp.ones(2)})


def test_several_switches_are_told_apart_by_path():
    tx = optax.multi_transform(
        {"w": optswitch.switch(candidates(), initial="sgd"), "b": optswitch.switch(candidates())},
        {"w": "w", "b": "b"},
    )
    state = tx.init(params())
    with pytest.raises(ValueError, match=r"found 2 SwitchStates, at paths \[.*\]; name one with path="):
        optswitch.active(state)
    path = ".inner_states['w'].inner_state"
    assert optswitch.active(state, path=path) == "sgd"
    changed = optswitch.set_active(state, "rmsprop", path=path)
    assert optswitch.active(changed, path=path) == "rmsprop"
    assert optswitch.active(changed, path=".inner_states['b'].inner_state") == "adam"


def test_summary_of_a_fresh_state():
    summary = optswitch.summary(optswitch.switch(candidates(), selectors.schedule({0: "sgd"})).init(params()))
    assert (summary.active, summary.step, summary.switches, summary.segments()) == ("sgd", 0, [], [])
    assert "0 updates, 0 switches, active: sgd" in str(summary)
