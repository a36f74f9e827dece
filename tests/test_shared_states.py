"""Copies made by learning_rate_multiples share one optimizer state in a switch: the state they keep, the
maths of a step between them, the handoffs that do not run, reading the state, and what they rule out."""

import helpers
import jax
import jax.numpy as jnp
import optax
import pytest

import optswitch
from optswitch import selectors


def _switch(selector=None, **kwargs):
    candidates = optswitch.learning_rate_multiples(helpers.candidates())  # adam-x3, sgd-x3, rmsprop-x3, adam, ...
    return optswitch.switch(candidates, selector, **kwargs)


def _run(tx, steps, state=None, params=None, fused=False):
    params = helpers.params() if params is None else params
    state = tx.init(params) if state is None else state

    def plain(grads, state, params):
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    step = jax.jit(tx.update_and_apply if fused else plain)
    for t in range(steps):
        params, state = step(helpers.grads_at(t), state, params)
    return params, state, step


def test_the_copies_keep_one_state_in_the_entry_of_the_first():
    state = _switch().init(helpers.params())
    for k, entry in enumerate(state.candidate_states[3:]):
        assert isinstance(entry, optswitch.SharedState) and int(entry.owner) == k
    plain = optswitch.switch(helpers.candidates()).init(helpers.params())
    # The candidates' own states plus one int32 scalar per copy that shares: as small as the three alone.
    assert jax.tree.structure(state.candidate_states[:3]) == jax.tree.structure(plain.candidate_states)
    assert len(jax.tree.leaves(state.candidate_states)) == len(jax.tree.leaves(plain.candidate_states)) + 3


@pytest.mark.parametrize("name", ["adam", "sgd", "rmsprop"])
def test_a_step_down_between_copies_carries_one_state_on(name):
    # adam-x3 for 6 updates, then adam: one optimizer state, updated by the copy and then by the candidate.
    tx = _switch(selectors.schedule({0: f"{name}-x3", 6: name}))
    candidate = helpers.candidates()[name]
    copy = optswitch.learning_rate_multiples({name: candidate})[f"{name}-x3"]
    params = helpers.params()
    state, expected_state = tx.init(params), candidate.init(params)
    update, copy_update, candidate_update = jax.jit(tx.update), jax.jit(copy.update), jax.jit(candidate.update)
    for t in range(12):
        updates, state = update(helpers.grads_at(t), state, params)
        expected, expected_state = (copy_update if t < 6 else candidate_update)(
            helpers.grads_at(t), expected_state, params
        )
        helpers.assert_trees_equal(updates, expected)
    helpers.assert_trees_equal(optswitch.candidate_state(state, name), expected_state)
    assert update._cache_size() == 1
    assert optswitch.summary(state).updates == {**dict.fromkeys(tx.names, 0), f"{name}-x3": 6, name: 6}
    # Up to rounding, that is the candidate under a step schedule: 3x its learning rate, then 1x.
    scheduled = optax.chain(candidate, optax.scale_by_schedule(lambda count: jnp.where(count < 6, 3.0, 1.0)))
    scheduled_params, _, _ = _run(scheduled, 12)
    for actual, wanted in zip(jax.tree.leaves(_run(tx, 12)[0]), jax.tree.leaves(scheduled_params), strict=True):
        assert jnp.allclose(actual, wanted, rtol=1e-5, atol=1e-7)


def test_no_handoff_runs_between_copies_of_one_candidate():
    # on_switch="reset" resets the incoming candidate's state, but a step from adam-x3 to adam changes the
    # learning rate only: Adam's count runs on through it, and restarts when Adam comes back from SGD.
    tx = _switch(selectors.schedule({0: "adam-x3", 4: "adam", 8: "sgd", 10: "adam"}), on_switch="reset")
    count = lambda state: int(optax.tree.get(optswitch.candidate_state(state, "adam"), "count"))
    _, state, _ = _run(tx, 8)
    assert count(state) == 8
    _, state, _ = _run(tx, 13)
    assert count(state) == 3  # reset at update 10, then 3 updates


def test_a_handoff_between_candidates_reads_and_writes_the_shared_state():
    # transfer_momentum from SGD's trace into Adam's moments lands in the entry adam-x3 and adam share: as in a
    # switch over the candidates alone, bit for bit.
    schedule = selectors.schedule({0: "sgd", 5: "adam"})
    handoff = optswitch.handoff.transfer_momentum()
    _, state, _ = _run(_switch(schedule, on_switch=handoff), 8)
    _, alone, _ = _run(optswitch.switch(helpers.candidates(), schedule, on_switch=handoff), 8)
    helpers.assert_trees_equal(optswitch.candidate_state(state, "adam"), optswitch.candidate_state(alone, "adam"))
    helpers.assert_trees_equal(optswitch.candidate_state(state, "adam-x3"), optswitch.candidate_state(alone, "adam"))
    assert int(optax.tree.get(optswitch.candidate_state(state, "adam"), "count")) == 3


def test_candidate_state_of_a_copy_is_the_shared_state():
    tx = _switch(selectors.schedule({0: "rmsprop-x3"}))
    _, state, _ = _run(tx, 3)
    shared = optswitch.candidate_state(state, "rmsprop")
    helpers.assert_trees_equal(shared, optswitch.candidate_state(state, "rmsprop-x3"))
    assert shared is not state.candidate_states[5]
    with pytest.raises(TypeError, match="candidate 5 shares its optax state with another candidate"):
        jax.jit(lambda state: optswitch.candidate_state(state, 5))(state)
    assert jax.jit(lambda state: optswitch.candidate_state(state, 2))(state) is not None


def test_the_shared_state_resumes_bit_for_bit_from_a_checkpoint(tmp_path):
    ocp = pytest.importorskip("orbax.checkpoint")
    tx = _switch(selectors.schedule({0: "adam-x3", 8: "sgd", 12: "adam"}))
    _, state, _ = _run(tx, 20)
    with ocp.StandardCheckpointer() as checkpointer:
        checkpointer.save(tmp_path / "state", state)
    with ocp.StandardCheckpointer() as checkpointer:
        restored = checkpointer.restore(tmp_path / "state", jax.tree.map(jnp.zeros_like, state))
    helpers.assert_trees_equal(restored, state)
    params = helpers.params()
    resumed, _, _ = _run(tx, 5, state=restored, params=params)
    helpers.assert_trees_equal(resumed, _run(tx, 5, state=state, params=params)[0])


def test_track_is_refused_for_copies_that_share_a_state():
    with pytest.raises(ValueError, match=r"inactive='track' steps every candidate's state .* share_state=False"):
        _switch(inactive="track")
    own = optswitch.learning_rate_multiples(helpers.candidates(), share_state=False)
    assert optswitch.switch(own, inactive="track").names[0] == "adam-x3"


def test_trials_are_refused_for_copies_that_share_a_state():
    with pytest.raises(ValueError, match=r"the trials selector restores each candidate's own state .* share_state"):
        _switch(selectors.trials(run_length=200))


def test_a_state_without_the_shared_entries_is_refused():
    own = optswitch.switch(optswitch.learning_rate_multiples(helpers.candidates(), share_state=False))
    with pytest.raises(ValueError, match="at 'adam-x3''s place has a state of another type.* share_state=False"):
        _switch().update(helpers.grads_at(0), own.init(helpers.params()), helpers.params())
    with pytest.raises(ValueError, match="That state's copies share one optimizer state .* share_state=True"):
        own.update(helpers.grads_at(0), _switch().init(helpers.params()), helpers.params())


def test_state_shardings_cover_the_shared_entries():
    tx = _switch(selectors.race(run_length=80))
    mesh = jax.make_mesh((1,), ("data",))
    replicated = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec())
    params = jax.device_put(helpers.params(), replicated)
    shardings = optswitch.state_shardings(tx, params)
    assert shardings.candidate_states[4].owner.spec == jax.sharding.PartitionSpec()
    state = jax.jit(tx.init, out_shardings=shardings)(params)
    assert int(state.candidate_states[4].owner) == 1


def test_a_shared_branch_keeps_the_updates_dtype_and_bits():
    # The branch that runs sgd and sgd-x3 scales by the active multiple at run time, in the updates' own dtype.
    params = helpers.params(jnp.bfloat16)
    tx = _switch(selectors.schedule({0: "sgd-x3", 3: "sgd"}))
    copy = optswitch.learning_rate_multiples(helpers.candidates())["sgd-x3"]
    state, copy_state = tx.init(params), copy.init(params)
    update, copy_update = jax.jit(tx.update), jax.jit(copy.update)
    for t in range(3):
        updates, state = update(helpers.grads_at(t, jnp.bfloat16), state, params)
        expected, copy_state = copy_update(helpers.grads_at(t, jnp.bfloat16), copy_state, params)
        helpers.assert_trees_equal(updates, expected)
    assert {leaf.dtype for leaf in jax.tree.leaves(updates)} == {jnp.dtype(jnp.bfloat16)}
