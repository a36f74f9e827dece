"""The measured signals against NumPy in float64: bfloat16 gradients are squared in float32."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import optswitch
from optswitch.selectors import Selector

SIGNALS = ("grad_sq_norm", "update_sq_norm", "update_dot_grad")


def recorder():
    """Keeps the latest measured signals in its state, in float32."""
    return Selector(
        init=lambda names: {name: jnp.zeros([], jnp.float32) for name in SIGNALS},
        select=lambda signals, state: (
            signals.active,
            {name: getattr(signals, name).astype(jnp.float32) for name in SIGNALS},
        ),
        reads=frozenset(SIGNALS),
        name="recorder",
    )


@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float16, jnp.float32])
def test_the_measured_signals_of_low_precision_gradients_match_a_float64_sum(dtype):
    params = {"w": jnp.zeros([64, 64], dtype), "b": jnp.zeros([7], dtype)}
    key_w, key_b = jax.random.split(jax.random.key(3))
    grads = {
        "w": (1.0 + jax.random.uniform(key_w, [64, 64])).astype(dtype),
        "b": jax.random.normal(key_b, [7]).astype(dtype),
    }
    # A power-of-two step, so that the update is exact in any dtype, however XLA rounds inside the fusion.
    tx = optswitch.switch({"sgd": optax.sgd(0.5)}, recorder())
    updates, state = jax.jit(tx.update)(grads, tx.init(params), params)
    g = np.concatenate([np.asarray(leaf, np.float64).ravel() for leaf in jax.tree.leaves(grads)])
    u = np.concatenate([np.asarray(leaf, np.float64).ravel() for leaf in jax.tree.leaves(updates)])
    expected = {"grad_sq_norm": g @ g, "update_sq_norm": u @ u, "update_dot_grad": u @ g}
    for name in SIGNALS:
        np.testing.assert_allclose(float(state.selector_state[name]), expected[name], rtol=1e-5, err_msg=name)


def test_signals_not_read_hold_nan_and_read_ones_are_exact():
    seen = Selector(
        init=lambda names: {name: jnp.zeros([], jnp.float32) for name in SIGNALS},
        select=lambda signals, state: (signals.active, {name: getattr(signals, name) for name in SIGNALS}),
        reads=frozenset({"grad_sq_norm"}),
        name="seen",
    )
    tx = optswitch.switch({"sgd": optax.sgd(1.0)}, seen)
    params = {"w": jnp.zeros([2])}
    _, state = tx.update({"w": jnp.asarray([3.0, 4.0])}, tx.init(params), params)
    assert float(state.selector_state["grad_sq_norm"]) == 25.0
    assert np.isnan(state.selector_state["update_sq_norm"]) and np.isnan(state.selector_state["update_dot_grad"])
