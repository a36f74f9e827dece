"""Misuse and bad input in the switch core (issue 10): never a silent wrong result, every mistake named."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from helpers import candidates, grads_at, params

import optswitch
from optswitch import selectors


def recorder(*names, dtype=jnp.float32):
    """A selector that keeps the last value of the signals ``names`` in its state, and never switches."""
    return selectors.custom(
        lambda _: {name: jnp.zeros([], dtype) for name in names},
        lambda signals, state: (signals.active, {name: getattr(signals, name) for name in names}),
        reads=list(names),
    )


# 3: dtypes are never silently cast back.


def test_a_handoff_that_writes_a_float_into_an_int_hyperparameter_is_named_at_init():
    sgd = optax.inject_hyperparams(optax.sgd)(learning_rate=0, momentum=0.9)  # an int 0: 0.37 would become 0

    def sets_rate(from_state, to_state, context):
        if context.target != 1:
            return to_state
        return optax.tree.set(to_state, learning_rate=jnp.float32(0.37))

    tx = optswitch.switch({"adam": optax.adam(1e-2), "sgd": sgd}, on_switch=sets_rate)
    with pytest.raises(TypeError, match=r"writes float32 into state leaf .*'learning_rate'.*which is int32"):
        tx.init(params())


def test_a_custom_selector_that_averages_floats_into_an_int_is_named():
    def average(signals, state):
        return signals.active, {"avg": 0.5 * state["avg"] + 0.5 * signals.grad_sq_norm}

    tx = optswitch.switch(candidates(), selectors.custom(lambda _: {"avg": 10}, average, reads=["grad_sq_norm"]))
    with pytest.raises(
        TypeError, match=r"average selector's select writes float32 into state leaf \['avg'\], which is"
    ):
        tx.update(grads_at(0), tx.init(params()), params())


@pytest.mark.parametrize(("leaf", "value", "dtype"), [("count", 0.37, "int32"), ("flag", 0.7, "bool")])
def test_a_handoff_that_writes_a_float_into_an_int_or_bool_leaf_is_named(leaf, value, dtype):
    holder = optax.GradientTransformation(
        lambda p: {"count": jnp.zeros([], jnp.int32), "flag": jnp.zeros([], bool)}, lambda u, s, p=None: (u, s)
    )
    writes = lambda from_state, to_state, context: (
        {**to_state, leaf: to_state[leaf] + value} if context.target == 1 else to_state
    )
    tx = optswitch.switch({"sgd": optax.sgd(0.1), "holder": holder}, on_switch=writes)
    with pytest.raises(TypeError, match=rf"handoff of candidate '.*' writes float32 into state leaf \['{leaf}'\], "
                       rf"which is {dtype}"):  # fmt: skip
        tx.init(params())


# 5: complex parameters.


def test_complex_parameters_give_the_real_inner_products():
    key = jax.random.key(3)
    p = {"w": jax.random.normal(key, (5,), jnp.complex64), "b": jnp.asarray([1j, 1j])}
    g = {"w": jax.random.normal(jax.random.fold_in(key, 1), (5,), jnp.complex64), "b": jnp.asarray([1j, 1j])}
    tx = optswitch.switch({"sgd": optax.sgd(0.1)}, recorder("grad_sq_norm", "update_sq_norm", "update_dot_grad"))
    u, state = tx.update(g, tx.init(p), p)
    flat = lambda tree: np.concatenate([np.asarray(leaf).ravel() for leaf in jax.tree.leaves(tree)])
    recorded = state.selector_state
    np.testing.assert_allclose(recorded["grad_sq_norm"], np.vdot(flat(g), flat(g)).real, rtol=1e-6)
    np.testing.assert_allclose(recorded["update_sq_norm"], np.vdot(flat(u), flat(u)).real, rtol=1e-6)
    np.testing.assert_allclose(recorded["update_dot_grad"], np.vdot(flat(u), flat(g)).real, rtol=1e-6)
    assert float(recorded["update_dot_grad"]) < 0  # a descent step
    assert recorded["grad_sq_norm"].dtype == jnp.float32


# 7: a selector state that changes shape.


def test_a_custom_selector_state_that_changes_shape_is_named():
    grows = selectors.custom(
        lambda _: {"best": jnp.zeros([])}, lambda s, st: (s.active, {"best": st["best"] + jnp.zeros(2)})
    )
    tx = optswitch.switch(candidates(), grows)
    with pytest.raises(ValueError, match="selector's select changed the structure or shapes of its state"):
        tx.update(grads_at(0), tx.init(params()), params())


# 9: a float64 loss keeps its precision.


def test_a_float64_loss_reaches_the_selector_in_float64():
    with jax.enable_x64(True):
        tx = optswitch.switch(candidates(), recorder("loss", dtype=jnp.float64))
        loss = jnp.asarray(1.0 + 1e-12, jnp.float64)
        _, state = jax.jit(tx.update)(grads_at(0), tx.init(params()), params(), value=loss)
        assert state.selector_state["loss"].dtype == jnp.float64
        assert float(state.selector_state["loss"]) == 1.0 + 1e-12


# 10, 13: a state from another switch.


def test_a_state_of_a_switch_with_other_names_is_refused_outside_jit():
    p = params()
    made = optswitch.switch({"fast": optax.adam(1e-1), "slow": optax.adam(1e-4)})
    swapped = optswitch.switch({"slow": optax.adam(1e-4), "fast": optax.adam(1e-1)})
    with pytest.raises(ValueError, match=r"made by a switch with candidates \['fast', 'slow'\]; this one has selector "
                       r"manual and candidates \['slow', 'fast'\]"):  # fmt: skip
        swapped.update(grads_at(0), made.init(p), p)
    # Inside jit the names are traced: check_candidates is the check there (the README says so).
    state = made.init(p)
    jax.jit(swapped.update)(grads_at(0), state, p)
    with pytest.raises(ValueError, match="made for the candidates"):
        optswitch.check_candidates(state, swapped)


def test_an_eager_update_compares_the_names_once_per_names_array():
    tx = optswitch.switch(candidates())
    state = tx.init(params())
    _, state = tx.update(grads_at(0), state, params())
    names = state.names
    _, state = tx.update(grads_at(1), state, params())
    assert state.names is names  # passed through, so the next check hits its cache


@pytest.mark.parametrize("under_jit", [False, True])
def test_a_state_of_a_switch_with_another_selector_or_candidates_is_named(under_jit):
    p = params()
    made = optswitch.switch({"a": optax.adam(1e-2), "b": optax.adam(1e-3)})
    other_selector = optswitch.switch(
        {"a": optax.adam(1e-2), "b": optax.adam(1e-3)}, selectors.schedule({0: "a", 3: "b"})
    )
    other_types = optswitch.switch({"a": optax.adam(1e-2), "b": optax.sgd(1e-3)})
    run = lambda tx: (jax.jit(tx.update) if under_jit else tx.update)(grads_at(0), made.init(p), p)
    with pytest.raises(ValueError, match=r"this state was made by .* and another selector: .* this one has selector "
                       r"schedule and candidates \['a', 'b'\]"):  # fmt: skip
        run(other_selector)
    with pytest.raises(ValueError, match=r"candidate at 'b''s place has a state of another type \(\(ScaleByAdamState, "
                       r"EmptyState\), where 'b' has \(EmptyState, EmptyState\)\)"):  # fmt: skip
        run(other_types)


# 11: names must round-trip through the state's encoding.


@pytest.mark.parametrize(
    ("name", "match"),
    [("adam\x00", "holds a NUL character"), ("adam\ud800", "lone surrogate"), ("x" * 65, "65 bytes in UTF-8")],
)
def test_a_name_the_state_cannot_hold_is_refused_at_switch(name, match):
    with pytest.raises(ValueError, match=match):
        optswitch.switch({name: optax.adam(1e-3), "adam": optax.sgd(1e-2)})


def test_names_of_every_allowed_length_round_trip():
    names = {"é": optax.sgd(0.1), "x" * 64: optax.sgd(0.1), "日本": optax.sgd(0.1)}
    tx = optswitch.switch(names)
    state = tx.init(params())
    assert state.names.shape == (3, 64)
    assert optswitch.switch({"a": optax.sgd(0.1)}).init(params()).names.shape == (1, 64)  # any names, one shape
    assert optswitch.check_candidates(state, tx) is state
    assert optswitch.summary(state).names == tuple(names)


# 18: axis_name.


@pytest.mark.parametrize("axis_name", [123, (), ("batch", 1), ["batch"]])
def test_axis_name_of_a_wrong_type_is_refused_at_switch(axis_name):
    with pytest.raises(TypeError, match=r"axis_name=.*; pass the name of a mesh axis \(a str\) or a non-empty tuple"):
        optswitch.switch(candidates(), axis_name=axis_name)


@pytest.mark.parametrize("selector", [None, selectors.manual()])
def test_axis_name_outside_shard_map_is_named(selector):
    tx = optswitch.switch(candidates(), selector, axis_name="batch")
    with pytest.raises(ValueError, match="axis_name='batch', but mesh axis 'batch' is not bound here"):
        tx.update(grads_at(0), tx.init(params()), params())


# 22 (the core part): a complex value.


def test_a_complex_value_is_named():
    tx = optswitch.switch(candidates(), recorder("loss"))
    with pytest.raises(TypeError, match=r"value must be the real scalar loss, got complex64"):
        tx.update(grads_at(0), tx.init(params()), params(), value=jnp.asarray(1 + 1j, jnp.complex64))


# 26: a candidate's own state.


def test_candidate_state_hands_schedule_free_evaluation_its_state():
    p = params()
    sf = lambda: optax.contrib.schedule_free_adamw(1e-2, warmup_steps=2)
    inner = optswitch.switch({"adam": optax.adam(1e-2), "sf": sf()}, initial="sf")
    tx = optax.chain(optax.clip_by_global_norm(10.0), inner)
    plain = optax.chain(optax.clip_by_global_norm(10.0), sf())

    def train(tx):
        @jax.jit
        def step(p, s, t):
            u, s = tx.update(grads_at(t), s, p)
            return optax.apply_updates(p, u), s

        s = tx.init(p)
        q = p
        for t in range(5):
            q, s = step(q, s, t)
        return q, s

    q_switch, s_switch = train(tx)
    q_plain, s_plain = train(plain)
    sf_state = optswitch.candidate_state(s_switch, "sf")
    assert type(sf_state) is type(s_plain[1])
    expected = optax.contrib.schedule_free_eval_params(s_plain[1], q_plain)
    evaluated = optax.contrib.schedule_free_eval_params(sf_state, q_switch)
    jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6), evaluated, expected)
    # Inside jit the names are traced: the index works, a name is a clear error.
    index = inner.names.index("sf")
    by_index = jax.jit(lambda s: optswitch.candidate_state(s, index))(s_switch)
    jax.tree.map(np.testing.assert_array_equal, by_index, sf_state)
    with pytest.raises(TypeError, match="pass the index instead of 'sf'"):
        jax.jit(lambda s: optswitch.candidate_state(s, "sf"))(s_switch)
    with pytest.raises(
        ValueError, match=r"candidate_state: unknown candidate 'sgd'; the candidates are \['adam', 'sf'\]"
    ):
        optswitch.candidate_state(s_switch, "sgd")
