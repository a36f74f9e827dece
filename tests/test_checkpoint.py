"""Checkpoints with orbax: a run restored mid-way continues exactly, on the same compiled step, and a checkpoint
made for other candidates fails to restore, loudly."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp
import pytest
from helpers import assert_trees_equal, candidates, grads_at, params

import optswitch
from optswitch import selectors

STEPS, SAVE_AT = 16, 8


def by_gradient_norm():
    """Adam on large gradients, SGD on small ones; counts the large ones (a selector state to restore)."""

    def select(signals, large):
        is_large = signals.grad_sq_norm > 15.0
        return jnp.where(is_large, 0, 1), large + is_large.astype(jnp.int32)

    return selectors.custom(lambda names: jnp.zeros([], jnp.int32), select, reads=["grad_sq_norm"])


def start(tx):
    """The train state, committed to its device as a restored one is, so that both hit the same compiled step."""
    p = jax.device_put(params(), jax.devices()[0])
    init = jax.jit(tx.init, out_shardings=optswitch.state_shardings(tx, p))
    abstract = {"params": jax.eval_shape(lambda: p), "opt_state": jax.eval_shape(init, p)}
    return {"params": p, "opt_state": init(p)}, abstract


def test_a_restored_run_continues_exactly_on_the_same_compiled_step(tmp_path):
    tx = optswitch.switch(candidates(), by_gradient_norm())
    traces = []

    @functools.partial(jax.jit, donate_argnums=0)
    def step(train_state, grads):
        traces.append(None)
        p, s = tx.update_and_apply(grads, train_state["opt_state"], train_state["params"])
        return {"params": p, "opt_state": s}

    train_state, _ = start(tx)
    for t in range(STEPS):
        train_state = step(train_state, grads_at(t))
    uninterrupted = jax.tree.map(np.asarray, train_state)

    train_state, abstract = start(tx)
    for t in range(SAVE_AT):
        train_state = step(train_state, grads_at(t))
    assert optswitch.summary(train_state["opt_state"]).num_switches >= 1
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(tmp_path / "checkpoint", train_state)
    checkpointer.wait_until_finished()
    del train_state

    train_state = checkpointer.restore(tmp_path / "checkpoint", abstract)
    optswitch.check_candidates(train_state["opt_state"], tx)
    for t in range(SAVE_AT, STEPS):
        train_state = step(train_state, grads_at(t))
    assert_trees_equal(jax.tree.map(np.asarray, train_state), uninterrupted)
    assert (
        optswitch.summary(train_state["opt_state"]).switches == optswitch.summary(uninterrupted["opt_state"]).switches
    )
    assert len(traces) == 1 and step._cache_size() == 1


def save(tmp_path, tx):
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(tmp_path / "checkpoint", {"params": params(), "opt_state": tx.init(params())})
    checkpointer.wait_until_finished()
    return checkpointer


def restore(checkpointer, tmp_path, tx):
    abstract = jax.eval_shape(lambda: {"params": params(), "opt_state": tx.init(params())})
    return checkpointer.restore(tmp_path / "checkpoint", abstract)


@pytest.mark.parametrize(
    "changed",
    [
        dict(candidates(), adamw=optax.adamw(1e-3)),
        dict(candidates(), plain_sgd=optax.sgd(1e-2)),  # adds no array, but a place in the tuple of states
        {name: candidates()[name] for name in ["adam", "sgd"]},
        {name: candidates()[name] for name in ["sgd", "adam", "rmsprop"]},
    ],
    ids=["added", "added_stateless", "removed", "reordered"],
)
def test_a_change_of_the_candidates_that_changes_the_state_fails_in_orbax(tmp_path, changed):
    checkpointer = save(tmp_path, optswitch.switch(candidates()))
    with pytest.raises(ValueError, match="candidate_states"):
        restore(checkpointer, tmp_path, optswitch.switch(changed))


@pytest.mark.parametrize(
    "changed",
    [
        {"slow": optax.adam(1e-4), "fast": optax.adam(1e-2), "sgd": optax.sgd(0.1)},
        {"fast": optax.adam(1e-2), "slow": optax.adam(1e-4), "SGD": optax.sgd(0.1)},
    ],
    ids=["reordered", "renamed"],
)
def test_a_change_of_the_candidates_that_keeps_the_state_fails_in_check_candidates(tmp_path, changed):
    saved = {"fast": optax.adam(1e-2), "slow": optax.adam(1e-4), "sgd": optax.sgd(0.1)}
    checkpointer = save(tmp_path, optswitch.switch(saved))
    tx = optswitch.switch(changed)
    restored = restore(checkpointer, tmp_path, tx)  # orbax cannot tell
    with pytest.raises(ValueError, match=r"made for the candidates \['fast', 'slow', 'sgd'\], but this switch has "):
        optswitch.check_candidates(restored["opt_state"], tx)


def test_check_candidates_finds_switches_inside_other_transformations():
    inner = optswitch.switch(candidates())
    tx = optax.chain(optax.clip_by_global_norm(1.0), inner)
    state = tx.init(params())
    assert optswitch.check_candidates(state, tx) is state
    assert optswitch.check_candidates({"opt_state": state, "step": 3}, inner) is not None
    reordered = optswitch.switch({name: candidates()[name] for name in ["rmsprop", "sgd", "adam"]})
    with pytest.raises(
        ValueError, match=r"\['adam', 'sgd', 'rmsprop'\], but this switch has \['rmsprop', 'sgd', 'adam'\]"
    ):
        optswitch.check_candidates(state, optax.chain(optax.clip_by_global_norm(1.0), reordered))
    with pytest.raises(ValueError, match="holds 0 switch states but the transformation has 1"):
        optswitch.check_candidates(optax.adam(1e-3).init(params()), inner)


@pytest.mark.parametrize("new_name", ["s", "SGD", "stochastic_gd", "x" * 64, "日本語"])
def test_a_rename_of_any_length_restores_and_check_candidates_names_it(tmp_path, new_name):
    saved = {"fast": optax.adam(1e-2), "slow": optax.adam(1e-4), "sgd": optax.sgd(0.1)}
    checkpointer = save(tmp_path, optswitch.switch(saved))
    tx = optswitch.switch({"fast": optax.adam(1e-2), "slow": optax.adam(1e-4), new_name: optax.sgd(0.1)})
    restored = restore(checkpointer, tmp_path, tx)  # the names' shape does not depend on their lengths
    with pytest.raises(ValueError, match=rf"made for the candidates \['fast', 'slow', 'sgd'\], but this switch has "
                       rf"\['fast', 'slow', '{new_name}'\]"):  # fmt: skip
        optswitch.check_candidates(restored["opt_state"], tx)
