"""One small regression, trained by a switch that a loss-driven selector steers: every multi-device test runs it.

The batch's rows are scaled so that the 8 devices that each hold 8 of its 64 rows see very different losses: a
switch that decided from its own device's loss alone would pick a different candidate on each device.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

import optswitch

DEVICES = 8
BATCH = 64
STEPS = 24
# The selector's bands of the loss (of the whole batch): Adam above the first, RMSProp between, SGD below.
BANDS = (1.5, 0.6)


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH, 16)).astype(np.float32)
    x *= np.repeat(np.geomspace(0.25, 2.0, DEVICES), BATCH // DEVICES)[:, None].astype(np.float32)
    w = rng.normal(size=(16, 8)).astype(np.float32) / 4
    y = np.tanh(x @ w).astype(np.float32)
    return x, y


def init_params() -> dict[str, jax.Array]:
    return {"w": jnp.zeros((16, 8), jnp.float32), "b": jnp.zeros((8,), jnp.float32)}


def loss_fn(params, x, y) -> jax.Array:
    return jnp.mean((jnp.tanh(x @ params["w"] + params["b"]) - y) ** 2) * 10


class Seen(NamedTuple):
    """The selector's state: the signals it saw at the latest update, so tests can compare them."""

    loss: jax.Array
    grad_sq_norm: jax.Array
    update_sq_norm: jax.Array
    update_dot_grad: jax.Array


def by_loss(signals, state):
    band = jnp.sum(signals.loss < jnp.asarray(BANDS, jnp.float32))
    seen = Seen(signals.loss, signals.grad_sq_norm, signals.update_sq_norm, signals.update_dot_grad)
    return jnp.asarray([0, 2, 1], jnp.int32)[band], seen


def candidates() -> dict[str, optax.GradientTransformation]:
    return {"adam": optax.adam(0.05), "sgd": optax.sgd(0.05, momentum=0.9), "rmsprop": optax.rmsprop(0.01)}


def make_tx(axis_name=None, on_event=None) -> optax.GradientTransformationExtraArgs:
    selector = optswitch.selectors.custom(
        lambda names: Seen(*[jnp.zeros([], jnp.float32)] * 4),
        by_loss,
        reads=["loss", "grad_sq_norm", "update_sq_norm", "update_dot_grad"],
    )
    return optswitch.switch(candidates(), selector, axis_name=axis_name, on_event=on_event)


def train_step(tx):
    """The jitted-ready step ``(params, state, x, y) -> (params, state, loss)`` on the whole batch."""

    def step(params, state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        params, state = tx.update_and_apply(grads, state, params, value=loss)
        return params, state, loss

    return step


def single_device_run(steps=STEPS, tx=None) -> list[tuple[dict, optswitch.SwitchState]]:
    """The reference: the whole batch on one device, with ``tx`` (default :func:`make_tx`'s). Returns (params,
    state) after each update."""
    tx = make_tx() if tx is None else tx
    step = jax.jit(train_step(tx))
    x, y = data()
    params = init_params()
    state = tx.init(params)
    trace = []
    for _ in range(steps):
        params, state, _ = step(params, state, x, y)
        trace.append((params, state))
    return trace


def assert_same_run(actual, expected, rtol=2e-5):
    """Same switches at the same updates, the same integers, and the same floats up to the order of their sums.

    A float leaf may differ by ``rtol`` times its largest magnitude: a sum's rounding scales with its terms, not
    with the one entry compared, so an entry near zero gets no looser bound than the rest of its leaf. Measured
    over the tests of this folder: at most 5.1e-6 (the two-axes shard_map), 1.1e-6 elsewhere, but for the recommended
    switch's run at 3x learning rates, which passes its own bound.
    """
    actual_params, actual_state = actual
    expected_params, expected_state = expected
    assert optswitch.summary(actual_state).switches == optswitch.summary(expected_state).switches
    assert optswitch.summary(actual_state).updates == optswitch.summary(expected_state).updates
    for leaf, reference in zip(
        jax.tree.leaves((actual_params, actual_state)), jax.tree.leaves((expected_params, expected_state)), strict=True
    ):
        leaf, reference = np.asarray(leaf), np.asarray(reference)
        assert leaf.dtype == reference.dtype and leaf.shape == reference.shape
        if not np.issubdtype(reference.dtype, np.floating):
            np.testing.assert_array_equal(leaf, reference)
            continue
        scale = float(np.max(np.abs(reference), initial=0.0))
        np.testing.assert_allclose(leaf, reference, rtol=0, atol=rtol * scale)


def data_mesh() -> jax.sharding.Mesh:
    """All devices, of every process, along one axis ``"data"``."""
    return jax.make_mesh((DEVICES,), ("data",), axis_types=(jax.sharding.AxisType.Auto,))


def sharded_start(mesh, on_event=None):
    """The problem placed on a global mesh ``("data",)``, by one process or several: each places its own shards.

    ``w``'s rows and the batch are split over the devices, ``b`` is replicated, the state follows the params.

    Returns:
        (tx, init, params, state, x, y), where ``init`` is the jitted ``tx.init`` that places the state.
    """
    x, y = data()

    def place(value, spec):
        value = np.asarray(value)
        return jax.make_array_from_callback(value.shape, NamedSharding(mesh, spec), lambda index: value[index])

    params = {"w": place(init_params()["w"], P("data")), "b": place(init_params()["b"], P())}
    tx = make_tx(on_event=on_event)
    init = jax.jit(tx.init, out_shardings=optswitch.state_shardings(tx, params))
    return tx, init, params, init(params), place(x, P("data")), place(y, P("data"))


def global_run(mesh, steps=STEPS, host_switches=None, on_event=None):
    """:func:`sharded_start`, then ``steps`` updates.

    ``host_switches`` maps an update index to a candidate that :func:`optswitch.set_active` makes active before
    that update, in every process. ``on_event`` goes to the switch and to ``set_active``.

    Returns:
        (params, state, the active candidate after each update, the number of compiles of the step).
    """
    tx, _, params, state, x, y = sharded_start(mesh, on_event)
    step = jax.jit(train_step(tx), donate_argnums=(0, 1))
    actives = []
    for t in range(steps):
        if t in (host_switches or {}):
            state = optswitch.set_active(state, host_switches[t], on_event=on_event)
        params, state, _ = step(params, state, x, y)
        actives.append(optswitch.active(state))
    return params, state, actives, step._cache_size()


#: A switch made from the host, in every process, before update 12 (the selector goes back to SGD after it).
HOST_SWITCHES = {12: "rmsprop"}
