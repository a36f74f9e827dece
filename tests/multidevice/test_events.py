"""Switch events on 8 devices: under pmap and shard_map the callback runs on every device, and the process logs each
switch once; a second run from the same state logs its switches again (no copy is left waiting). The warning of a
loss <= 0 comes once per process too."""

import logging
import warnings

import jax
import jax.numpy as jnp
import optax
import pytest
from jax.sharding import PartitionSpec as P

import optswitch

EXPECTED = ["update 3: adam -> sgd, scheduled at 3", "update 5: sgd -> adam, scheduled at 5"]


def make_tx(axis_name):
    return optswitch.switch(
        {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)},
        optswitch.selectors.schedule({0: "adam", 3: "sgd", 5: "adam"}),
        axis_name=axis_name,
        on_event=True,
    )


def logged(caplog) -> list[str]:
    jax.effects_barrier()
    found = [record.getMessage() for record in caplog.records if record.name == "optswitch"]
    caplog.clear()
    return found


def under_pmap():
    tx = make_tx("i")
    params = {"w": jnp.ones([8, 4])}
    step = jax.pmap(lambda grads, state: tx.update(grads, state, grads)[1], axis_name="i")
    return step, jax.pmap(tx.init)(params), params


def under_shard_map(mesh_shape, axes):
    mesh = jax.make_mesh(mesh_shape, axes)
    tx = make_tx(axes[0])
    params = {"w": jnp.ones([4])}
    update = lambda grads, state: tx.update(grads, state, grads)[1]
    step = jax.jit(jax.shard_map(update, mesh=mesh, in_specs=(P(), P()), out_specs=P()))
    return step, tx.init(params), params


@pytest.mark.parametrize(
    "start",
    [under_pmap, lambda: under_shard_map((8,), ("data",)), lambda: under_shard_map((4, 2), ("data", "model"))],
    ids=["pmap", "shard_map", "shard_map_2d"],
)
def test_one_line_per_switch_per_process(start, caplog):
    caplog.set_level(logging.INFO, logger="optswitch")
    step, initial, params = start()
    for _ in range(2):
        state = initial
        for t in range(7):
            state = step(params, state)
            if t not in (2, 4):
                assert logged(caplog) == []
            else:
                assert logged(caplog) == [EXPECTED[t // 4]]


def test_one_warning_of_a_loss_below_zero_per_process_under_shard_map():
    mesh = jax.make_mesh((8,), ("data",))
    tx = optswitch.switch(
        {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)},
        optswitch.selectors.race(window=3),
        axis_name="data",
        on_event=[].append,
    )
    params = {"w": jnp.ones([4])}
    update = lambda grads, state, loss: tx.update(grads, state, grads, value=loss)[1]
    step = jax.jit(jax.shard_map(update, mesh=mesh, in_specs=(P(), P(), P()), out_specs=P()))
    state = tx.init(params)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for loss in (1.0, -1.0, -2.0, 0.5, -3.0):
            state = step(params, state, jnp.float32(loss))
        jax.effects_barrier()
    messages = [str(w.message) for w in record if "loss <= 0" in str(w.message)]
    assert len(messages) == 1 and "value=-1.0 at update 1," in messages[0]
    assert optswitch.summary(state).ignored_losses == 3
