"""The fused step through chains: optswitch.chain, optswitch.nnx.Optimizer, optswitch.linen.TrainState."""

import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import linen, nnx
from flax.training import train_state
from helpers import assert_trees_equal, candidates, grads_at, hlo_stats, params
from nnx_problem import NnxModel, X, Y, loss_below, train

import optswitch
import optswitch.linen
import optswitch.nnx
from optswitch import selectors

SCHEDULE = {0: "adam", 7: "sgd", 15: "rmsprop", 22: "adam"}


def clipped(chain):
    return chain(optax.clip_by_global_norm(0.5), optswitch.switch(candidates(), selectors.schedule(SCHEDULE)))


def test_chain_fused_step_equals_the_unfused_one_to_one_rounding():
    fused_tx, plain_tx = clipped(optswitch.chain), clipped(optax.chain)
    fused_step = jax.jit(fused_tx.update_and_apply)
    update = jax.jit(plain_tx.update)
    p, state = params(), plain_tx.init(params())
    assert_trees_equal(fused_tx.init(params()), state)  # optax.chain's state: either checkpoints the same
    for t in range(30):
        g = jax.tree.map(lambda x: 10.0 * x, grads_at(t))  # large enough for the clip to act
        fused_params, fused_state = fused_step(g, state, p)
        updates, state = update(g, state, p)
        # Applied inside the branch, XLA:CPU may contract the update's last multiply with the add into one FMA,
        # which skips one rounding of the update: at most one float32 epsilon of |p| + |u| apart.
        bound = jax.tree.map(lambda x, u: np.finfo(np.float32).eps * (np.abs(x) + np.abs(u)), p, updates)
        p = optax.apply_updates(p, updates)
        assert_trees_equal(fused_state, state)
        for a, b, most in zip(jax.tree.leaves(fused_params), jax.tree.leaves(p), jax.tree.leaves(bound), strict=True):
            assert np.all(np.abs(a - b) <= most)
    assert optswitch.summary(state).switches == [(7, "adam", "sgd"), (15, "sgd", "rmsprop"), (22, "rmsprop", "adam")]


def test_chain_is_bitwise_the_links_run_by_hand_then_the_switch_fused():
    tx = clipped(optswitch.chain)
    clip, switch = tx.links
    p, state = params(), tx.init(params())
    by_hand_p, clip_state, switch_state = p, *state

    @jax.jit
    def by_hand(g, clip_state, switch_state, p):
        g, clip_state = clip.update(g, clip_state, p)
        return clip_state, *switch.update_and_apply(g, switch_state, p)

    for t in range(12):
        g = jax.tree.map(lambda x: 10.0 * x, grads_at(t))
        p, state = jax.jit(tx.update_and_apply)(g, state, p)
        clip_state, by_hand_p, switch_state = by_hand(g, clip_state, switch_state, by_hand_p)
    assert_trees_equal(p, by_hand_p)
    assert_trees_equal(state, (clip_state, switch_state))


def test_chain_needs_a_switch_last():
    with pytest.raises(ValueError, match=r"last link must be an optswitch.switch .* use optax.chain"):
        optswitch.chain(optswitch.switch(candidates()), optax.scale(0.5))
    nested = optswitch.chain(optax.scale(0.5), optswitch.chain(optax.clip(1.0), optswitch.switch(candidates())))
    _, state = nested.update_and_apply(grads_at(0), nested.init(params()), params())
    assert optswitch.summary(state).updates["adam"] == 1


# About 50M float32 parameters, abstract only, as in test_compiled.py.
SHAPES = {"w1": (4096, 8192), "b1": (8192,), "w2": (8192, 2048), "b2": (2048,)}
ABSTRACT = {name: jax.ShapeDtypeStruct(shape, jnp.float32) for name, shape in SHAPES.items()}
PARAM_BYTES = sum(4 * math.prod(shape) for shape in SHAPES.values())
SLACK = 1 << 20


def temp_bytes(step, state):
    compiled = jax.jit(step, donate_argnums=(0,)).lower(state, ABSTRACT).compile()
    assert hlo_stats(compiled)["conditionals"] <= 1 and hlo_stats(compiled)["big_copies"] == 0
    return compiled.memory_analysis().temp_size_in_bytes


def test_chain_compiled_fused_holds_only_what_the_clip_holds_for_the_plain_optimizer():
    def functional(tx, fused):
        def step(carry, grads):
            p, state = carry
            if fused:
                return tx.update_and_apply(grads, state, p)
            updates, state = tx.update(grads, state, p)
            return optax.apply_updates(p, updates), state

        return temp_bytes(step, (ABSTRACT, jax.eval_shape(tx.init, ABSTRACT)))

    # Clipping writes the clipped gradients into a buffer of their own, with the plain optimizer too.
    plain = functional(optax.chain(optax.clip_by_global_norm(1.0), optax.adam(1e-3)), fused=False)
    assert PARAM_BYTES <= plain <= PARAM_BYTES + SLACK
    assert functional(clipped(optswitch.chain), fused=True) <= plain + SLACK
    assert functional(clipped(optax.chain), fused=False) >= plain + PARAM_BYTES


def test_linen_train_state_compiled_fused_path():
    def linen_temp(state_class, tx):
        state = jax.eval_shape(lambda p: state_class.create(apply_fn=None, params=p, tx=tx), ABSTRACT)
        return temp_bytes(lambda s, grads: s.apply_gradients(grads=grads), state)

    plain = linen_temp(train_state.TrainState, optax.chain(optax.clip_by_global_norm(1.0), optax.adam(1e-3)))
    assert linen_temp(optswitch.linen.TrainState, clipped(optswitch.chain)) <= plain + SLACK
    assert linen_temp(train_state.TrainState, clipped(optax.chain)) >= plain + PARAM_BYTES
    assert linen_temp(optswitch.linen.TrainState, optswitch.switch(candidates())) <= SLACK


def test_nnx_optimizer_with_a_chain_is_fused_and_matches_nnx_optimizer():
    def run(optimizer_class, chain):
        model = NnxModel(nnx.Rngs(0))
        tx = chain(optax.clip_by_global_norm(0.1), optswitch.switch(candidates(), loss_below(0.3)))
        optimizer = optimizer_class(model, tx, wrt=nnx.Param)
        assert train(model, optimizer, 40) == 1
        return model, optimizer

    fused_model, fused = run(optswitch.nnx.Optimizer, optswitch.chain)
    model, plain = run(nnx.Optimizer, optax.chain)
    assert optswitch.summary(fused).switches == optswitch.summary(plain).switches != []
    # One rounding per update (see the chain test above), compounded over 40 updates.
    for a, b in zip(jax.tree.leaves(nnx.state(fused_model)), jax.tree.leaves(nnx.state(model)), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_a_switch_the_fused_path_cannot_reach_is_a_warning_naming_the_fix():
    model = NnxModel(nnx.Rngs(0))
    with pytest.warns(UserWarning, match=r"optswitch.nnx.Optimizer: .*build the chain with optswitch.chain"):
        optswitch.nnx.Optimizer(model, clipped(optax.chain), wrt=nnx.Param)
    with pytest.warns(UserWarning, match=r"optswitch.linen.TrainState: .*optswitch.chain"):
        optswitch.linen.TrainState.create(apply_fn=None, params=params(), tx=clipped(optax.chain))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optswitch.nnx.Optimizer(model, clipped(optswitch.chain), wrt=nnx.Param)
        optswitch.nnx.Optimizer(model, optax.adam(1e-3), wrt=nnx.Param)
        optswitch.linen.TrainState.create(apply_fn=None, params=params(), tx=optax.adam(1e-3))


class LinenModel(linen.Module):
    @linen.compact
    def __call__(self, x):
        return linen.Dense(2)(linen.tanh(linen.Dense(16)(x)))


def test_linen_train_state_passes_value_and_matches_flax_train_state():
    model = LinenModel()
    variables = model.init(jax.random.key(0), X)

    def run(state_class, chain, pass_value):
        state = state_class.create(
            apply_fn=model.apply,
            params=variables["params"],
            tx=chain(optax.clip_by_global_norm(0.1), optswitch.switch(candidates(), loss_below(0.3))),
        )

        @jax.jit
        def train_step(state):
            loss, grads = jax.value_and_grad(lambda p: jnp.mean((state.apply_fn({"params": p}, X) - Y) ** 2))(
                state.params
            )
            if pass_value:
                return state.apply_gradients(grads=grads, value=loss)
            updates, opt_state = state.tx.update(grads, state.opt_state, state.params, value=loss)
            params = optax.apply_updates(state.params, updates)
            return state.replace(step=state.step + 1, params=params, opt_state=opt_state)

        for _ in range(40):
            state = train_step(state)
        return state

    fused = run(optswitch.linen.TrainState, optswitch.chain, pass_value=True)
    plain = run(train_state.TrainState, optax.chain, pass_value=False)
    assert int(fused.step) == int(plain.step) == 40
    assert optswitch.summary(fused.opt_state).switches == optswitch.summary(plain.opt_state).switches != []
    for a, b in zip(jax.tree.leaves(fused.params), jax.tree.leaves(plain.params), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
