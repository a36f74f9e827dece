"""Bad input gets an error that names the problem and the fix, never a silent wrong route."""

import jax
import jax.numpy as jnp
import optax
import pytest
from helpers import candidates, grads_at, params

import optswitch
from optswitch import selectors


def needs_loss():
    return selectors.custom(lambda names: (), lambda signals, state: (signals.active, state), reads=["loss"])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"candidates": {}}, ValueError, "no candidates; pass at least one"),
        ({"candidates": []}, ValueError, "no candidates"),
        ({"candidates": {"adam": optax.adam}}, TypeError, "candidate 'adam' is a function, not an optax"),
        ({"candidates": [optax.adam(1e-3), 3]}, TypeError, "candidate '1' is a int"),
        ({"candidates": "adam"}, TypeError, "mapping name -> optax transformation"),
        ({"candidates": {1: optax.adam(1e-3)}}, TypeError, "names must be non-empty strings"),
        ({"initial": "adagrad"}, ValueError, r"unknown candidate 'adagrad'; the candidates are \['adam', 'sgd'"),
        ({"initial": 3}, ValueError, "candidate index 3 is out of range; use 0 to 2"),
        ({"initial": -1}, ValueError, "out of range"),
        ({"initial": 1.0}, TypeError, "expected a candidate name or index, got float"),
        ({"inactive": "frozen"}, ValueError, "inactive='frozen'; use 'freeze' or 'track'"),
        ({"on_switch": "restart"}, ValueError, "on_switch='restart' is not a handoff; use 'resume'"),
        ({"history": 0}, ValueError, "history=0"),
        ({"selector": "plateau"}, TypeError, "selector must be an optswitch.selectors.Selector"),
        ({"selector": selectors.schedule({0: "adam", 10: "adamw"})}, ValueError, "schedule at step 10: unknown"),
        ({"selector": selectors.schedule({0: "adam"}), "initial": "sgd"}, ValueError, "conflicts with the schedule"),
    ],
)
def test_switch_rejects_bad_configuration(kwargs, error, match):
    kwargs = {"candidates": candidates(), **kwargs}
    with pytest.raises(error, match=match):
        optswitch.switch(kwargs.pop("candidates"), **kwargs)


@pytest.mark.parametrize(
    ("boundaries", "match"),
    [
        ({-1: "adam"}, "boundary -1 is not an update index"),
        ({}, "non-empty mapping"),
        ({True: "adam"}, "boundary True"),
        ({2.5: "adam"}, "boundary 2.5"),
    ],
)
def test_schedule_rejects_bad_boundaries(boundaries, match):
    with pytest.raises(ValueError, match=match):
        selectors.schedule(boundaries)


def test_custom_rejects_unknown_signal_names():
    with pytest.raises(ValueError, match=r"unknown signals \['grad_norm'\]"):
        selectors.custom(lambda names: (), lambda s, st: (s.active, st), reads=["grad_norm"])


def test_selector_that_needs_value_called_without_it():
    tx = optswitch.switch(candidates(), needs_loss())
    state = tx.init(params())
    with pytest.raises(ValueError, match=r"reads the loss, but update\(\) was called without value=.*nnx"):
        tx.update(grads_at(0), state, params())
    with pytest.raises(ValueError, match="value must be the scalar loss, got shape"):
        tx.update(grads_at(0), state, params(), value=jnp.ones(3))
    tx.update(grads_at(0), state, params(), value=jnp.asarray(1.0))


def test_state_of_another_switch_is_rejected():
    two = optswitch.switch({"a": optax.sgd(0.1), "b": optax.adam(0.1)})
    three = optswitch.switch(candidates())
    with pytest.raises(ValueError, match="holds 2 candidate states but this switch has 3"):
        three.update(grads_at(0), two.init(params()), params())
    with pytest.raises(TypeError, match="expected the SwitchState made by this transformation's init"):
        three.update(grads_at(0), optax.adam(0.1).init(params()), params())


def test_selector_returning_a_non_integer_is_an_error():
    floaty = selectors.custom(lambda names: (), lambda s, st: (jnp.float32(1.0), st), reads=[])
    tx = optswitch.switch(candidates(), floaty)
    with pytest.raises(TypeError, match="must return a scalar integer candidate index, got float32"):
        tx.update(grads_at(0), tx.init(params()), params())


def test_out_of_range_choice_is_ignored_and_counted_never_clamped():
    wild = selectors.custom(
        lambda names: (), lambda s, st: (jnp.where(s.step == 1, 7, jnp.where(s.step == 2, -3, 1)), st), reads=[]
    )
    tx = optswitch.switch(candidates(), wild)
    update = jax.jit(tx.update)
    state = tx.init(params())
    actives = []
    for t in range(4):
        _, state = update(grads_at(t), state, params())
        actives.append(optswitch.active(state))
    # 7 would clamp to rmsprop and -3 to adam in a bare lax.switch; here the active candidate stays.
    assert actives == ["sgd", "sgd", "sgd", "sgd"]
    summary = optswitch.summary(state)
    assert summary.invalid == 2
    assert "the selector chose 2 out-of-range indices" in str(summary)


def test_candidate_that_changes_its_state_structure_is_named():
    def grows():
        return optax.GradientTransformation(lambda p: (jnp.zeros(1),), lambda u, s, p=None: (u, (s[0], s[0])))

    tx = optswitch.switch({"good": optax.sgd(0.1), "grows": grows()})
    with pytest.raises(ValueError, match="candidate 'grows' changed the structure or shapes of its state"):
        tx.update(grads_at(0), tx.init(params()), params())


def test_update_and_apply_needs_params():
    tx = optswitch.switch(candidates())
    with pytest.raises(ValueError, match="params is required"):
        tx.update_and_apply(grads_at(0), tx.init(params()), None)
