"""Checkpoints of a sharded run: restored into an abstract target with the state's shardings, a run continues
exactly, each array back on its devices, on the same compiled step."""

import jax
import numpy as np
import orbax.checkpoint as ocp
import problem

import optswitch

SAVE_AT = 8


def test_a_sharded_run_restored_mid_way_continues_exactly(tmp_path):
    mesh = problem.data_mesh()
    tx, init, params, state, x, y = problem.sharded_start(mesh)
    step = jax.jit(problem.train_step(tx), donate_argnums=(0, 1))
    for _ in range(problem.STEPS):
        params, state, _ = step(params, state, x, y)
    uninterrupted = jax.tree.map(np.asarray, (params, state))

    _, _, params, state, _, _ = problem.sharded_start(mesh)
    shardings = jax.tree.map(lambda leaf: leaf.sharding, (params, state))
    abstract = (jax.tree.map(lambda p: jax.ShapeDtypeStruct(p.shape, p.dtype, sharding=p.sharding), params),)
    abstract += (jax.eval_shape(init, params),)
    for _ in range(SAVE_AT):
        params, state, _ = step(params, state, x, y)
    assert optswitch.summary(state).num_switches == 2
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(tmp_path / "checkpoint", (params, state))
    checkpointer.wait_until_finished()
    del params, state

    params, state = optswitch.check_candidates(checkpointer.restore(tmp_path / "checkpoint", abstract), tx)
    assert jax.tree.map(lambda leaf: leaf.sharding, (params, state)) == shardings
    for _ in range(SAVE_AT, problem.STEPS):
        params, state, _ = step(params, state, x, y)
    for leaf, expected in zip(jax.tree.leaves((params, state)), jax.tree.leaves(uninterrupted), strict=True):
        np.testing.assert_array_equal(np.asarray(leaf), expected)
    assert optswitch.summary(state).switches == optswitch.summary(uninterrupted[1]).switches
    assert step._cache_size() == 1
