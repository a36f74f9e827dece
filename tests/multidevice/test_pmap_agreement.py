"""Under pmap with axis_name, replicas whose gradients (or losses) differ still make one choice, from the average.

Replica r holds the gradient (r + 1) * ones(4): its own |g|^2 is 4 (r + 1)^2, from 4 to 256, and the average
over the 8 replicas is 4 * 25.5 = 102. Each selector below picks candidate 1 when what it reads exceeds 60:
from its own numbers, replicas 0-2 would stay and 3-7 would move.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import optswitch
from optswitch.selectors import Selector

DEVICES = 8
THRESHOLD = 60.0
PARAMS = {"w": jnp.zeros([4])}


def grad_norm_selector():
    return Selector(
        init=lambda names: jnp.zeros([], jnp.float32),
        select=lambda signals, seen: (
            (signals.grad_sq_norm > THRESHOLD).astype(jnp.int32),
            signals.grad_sq_norm.astype(jnp.float32),
        ),
        reads=frozenset({"grad_sq_norm"}),
        name="grad_norm",
    )


def probe_selector():
    probe = optswitch.Probe(
        init=lambda params: (),
        measure=lambda grads, updates, state: ({"sq": jnp.sum(jnp.square(grads["w"]))}, state),
    )
    return Selector(
        init=lambda names: jnp.zeros([], jnp.float32),
        select=lambda signals, seen: ((signals.probe["sq"] > THRESHOLD).astype(jnp.int32), signals.probe["sq"]),
        reads=frozenset({"probe"}),
        name="probe",
        probe=probe,
    )


def loss_selector():
    return Selector(
        init=lambda names: jnp.zeros([], jnp.float32),
        select=lambda signals, seen: ((signals.loss > THRESHOLD).astype(jnp.int32), signals.loss),
        reads=frozenset({"loss"}),
        name="loss",
    )


@pytest.mark.parametrize(
    "make", [grad_norm_selector, probe_selector, loss_selector], ids=["grad_sq_norm", "probe", "loss"]
)
def test_under_pmap_replicas_with_different_gradients_choose_alike(make):
    assert jax.device_count() == DEVICES
    tx = optswitch.switch({"a": optax.sgd(0.1), "b": optax.sgd(0.2)}, make(), axis_name="replica")
    scale = jnp.arange(1, DEVICES + 1, dtype=jnp.float32)
    grads = {"w": scale[:, None] * jnp.ones([DEVICES, 4])}
    losses = 4 * scale**2  # the same numbers as |g|^2, for the loss-reading selector
    replicated = lambda tree: jax.tree.map(lambda x: jnp.broadcast_to(x, (DEVICES, *jnp.shape(x))), tree)
    state = replicated(tx.init(PARAMS))

    def step(grads, state, params, loss):
        return tx.update(grads, state, params, value=loss)[1]

    state = jax.pmap(step, axis_name="replica")(grads, state, replicated(PARAMS), losses)
    np.testing.assert_array_equal(np.asarray(state.active), [1] * DEVICES)
    np.testing.assert_allclose(np.asarray(state.selector_state), [102.0] * DEVICES, rtol=1e-6)
