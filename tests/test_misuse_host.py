"""The host-side helpers (set_active, active, summary, check_candidates) on every holder of a switch's state,
and their misuses: each gives the right result or an error that names the mistake and the fix."""

import dataclasses
import re
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp
import pytest
from flax import nnx, struct
from flax.training import train_state
from helpers import assert_trees_equal, candidates, grads_at, params

import optswitch
import optswitch.nnx
from optswitch import selectors

README = Path(__file__).resolve().parents[1] / "README.md"


def make_train_state(tx):
    return train_state.TrainState.create(apply_fn=lambda *_: 0.0, params=params(), tx=tx)


# A flax linen TrainState, a holder of one's own, ...


def test_set_active_on_a_linen_train_state_returns_a_new_one_that_runs_the_candidate():
    state = make_train_state(optswitch.switch(candidates()))
    switched = optswitch.set_active(state, "sgd")
    assert isinstance(switched, train_state.TrainState)
    assert (optswitch.active(switched), optswitch.active(state)) == ("sgd", "adam")  # the input is unchanged
    assert switched.tx is state.tx
    stepped = jax.jit(lambda s: s.apply_gradients(grads=grads_at(0)))(switched)
    assert optswitch.summary(stepped).updates == {"adam": 0, "sgd": 1, "rmsprop": 0}
    # SGD's first update, by hand: -lr * g.
    expected = jax.tree.map(lambda p, g: p - 1e-2 * g, params(), grads_at(0))
    jax.tree.map(lambda a, e: np.testing.assert_allclose(a, e, rtol=1e-6), stepped.params, expected)


@struct.dataclass
class PytreeHolder:
    opt_state: optswitch.SwitchState
    tx: optax.GradientTransformation = struct.field(pytree_node=False)


@dataclasses.dataclass
class PlainHolder:
    opt_state: optswitch.SwitchState
    tx: optax.GradientTransformation


def test_a_holder_registered_as_a_pytree_is_rebuilt_and_a_plain_one_is_refused():
    tx = optswitch.switch(candidates())
    holder = PytreeHolder(tx.init(params()), tx)
    assert optswitch.active(optswitch.set_active(holder, "rmsprop")) == "rmsprop"
    assert optswitch.active(holder) == "adam"
    plain = PlainHolder(tx.init(params()), tx)
    with pytest.raises(ValueError, match=r"set_active: .* a PlainHolder is not a pytree, .* pass holder.opt_state"):
        optswitch.set_active(plain, "sgd")
    assert optswitch.active(plain.opt_state) == "adam"
    without = make_train_state(optax.adam(1e-2))
    with pytest.raises(ValueError, match="no optswitch.SwitchState found in this TrainState; pass the state of an"):
        optswitch.set_active(without, "sgd")


# nnx: the Optimizer (in place) and its State (functional).


def nnx_optimizer(tx=None, optimizer_class=nnx.Optimizer):
    model = nnx.Linear(4, 3, rngs=nnx.Rngs(0))
    return model, optimizer_class(model, tx or optswitch.switch(candidates()), wrt=nnx.Param)


def nnx_loss(model):
    return jnp.mean(model(jnp.ones((2, 4))) ** 2)


@pytest.mark.parametrize("take", [nnx.state, lambda optimizer: nnx.split(optimizer)[1]], ids=["state", "split"])
def test_an_nnx_state_is_read_and_switched_as_a_new_state(take):
    model, optimizer = nnx_optimizer()
    optimizer.update(model, nnx.grad(nnx_loss)(model))
    state = take(optimizer)
    assert optswitch.active(state) == "adam"
    summary, expected = optswitch.summary(state), optswitch.summary(optimizer)
    assert dataclasses.replace(summary, selector_state=None) == dataclasses.replace(expected, selector_state=None)
    switched = optswitch.set_active(state, "sgd")
    assert isinstance(switched, nnx.State)
    assert (optswitch.active(switched), optswitch.active(state), optswitch.active(optimizer)) == ("sgd",) + (
        "adam",
    ) * 2
    nnx.update(optimizer, switched)
    assert optswitch.summary(optimizer).switches == [(1, "adam", "sgd")]
    optimizer.update(model, nnx.grad(nnx_loss)(model))
    assert optswitch.summary(optimizer).updates == {"adam": 1, "sgd": 1, "rmsprop": 0}
    optswitch.check_candidates(state, optimizer.tx)
    assert optswitch.active(nnx.to_pure_dict(nnx.state(optimizer))) == "sgd"


def test_the_functional_nnx_api_merges_a_switched_state():
    _, optimizer = nnx_optimizer()
    graphdef, state = nnx.split(optimizer)
    merged = nnx.merge(graphdef, optswitch.set_active(state, "rmsprop"))
    assert (optswitch.active(merged), optswitch.active(optimizer)) == ("rmsprop", "adam")


@pytest.mark.parametrize("optimizer_class", [nnx.Optimizer, optswitch.nnx.Optimizer])
def test_an_nnx_optimizer_is_still_switched_in_place(optimizer_class):
    _, optimizer = nnx_optimizer(optimizer_class=optimizer_class)
    assert optswitch.set_active(optimizer, "sgd") is optimizer
    assert optswitch.active(optimizer) == "sgd"


def test_optswitch_nnx_optimizer_update_returns_the_updates_as_nnx_optimizer_does():
    fused_model, fused = nnx_optimizer(optimizer_class=optswitch.nnx.Optimizer)
    model, plain = nnx_optimizer()
    before = nnx.as_pure(nnx.state(fused_model, nnx.Param))
    returned = fused.update(fused_model, nnx.grad(nnx_loss)(fused_model))
    expected = plain.update(model, nnx.grad(nnx_loss)(model))
    assert jax.tree.structure(returned) == jax.tree.structure(expected)
    applied = jax.tree.map(lambda new, old: new - old, nnx.as_pure(nnx.state(fused_model, nnx.Param)), before)
    assert_trees_equal(returned, applied)
    jax.tree.map(lambda a, e: np.testing.assert_allclose(a, e, rtol=1e-6, atol=1e-9), returned, expected)
    other_model, other = nnx_optimizer(optax.adam(1e-2), optimizer_class=optswitch.nnx.Optimizer)
    assert other.update(other_model, nnx.grad(nnx_loss)(other_model)) is not None


def test_a_checkpoint_restored_without_a_target_is_read_and_switched(tmp_path):
    tx = optswitch.switch(candidates())
    state = optswitch.set_active(tx.init(params()), "sgd")
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(tmp_path / "checkpoint", state)
    checkpointer.wait_until_finished()
    restored = checkpointer.restore(tmp_path / "checkpoint")  # nested dicts, as orbax writes them
    assert isinstance(restored, dict)
    assert optswitch.summary(restored) == optswitch.summary(state)
    assert optswitch.active(optswitch.set_active(restored, "rmsprop")) == "rmsprop"
    assert optswitch.check_candidates(restored, tx) is restored


# Inside jit.


@pytest.mark.parametrize(
    ("helper", "match"),
    [
        (optswitch.active, r"active is host-only: call it outside jit \(inside jit, read opt_state.active\)"),
        (optswitch.summary, r"summary is host-only: call it outside jit \(inside jit, read opt_state.active\)"),
        (lambda s: optswitch.set_active(s, "sgd"), "set_active is host-only: call it outside jit"),
        (lambda s: optswitch.check_candidates(s, optswitch.switch(candidates())), "check_candidates is host-only"),
    ],
    ids=["active", "summary", "set_active", "check_candidates"],
)
def test_the_host_helpers_inside_jit_say_so(helper, match):
    state = optswitch.switch(candidates()).init(params())
    with pytest.raises(TypeError, match=match):
        jax.jit(helper)(state)


def test_the_host_helpers_inside_nnx_jit_say_so():
    _, optimizer = nnx_optimizer()
    with pytest.raises(TypeError, match="active is host-only"):
        nnx.jit(optswitch.active)(optimizer)


HELPERS = {
    "active": optswitch.active,
    "summary": optswitch.summary,
    "set_active": lambda state: optswitch.set_active(state, "sgd"),
    "check_candidates": lambda state: optswitch.check_candidates(state, optswitch.switch(candidates())),
}


@pytest.mark.parametrize("name", HELPERS)
def test_an_abstract_state_is_named(name):
    abstract = jax.eval_shape(optswitch.switch(candidates()).init, params())
    with pytest.raises(TypeError, match=f"{name}: this state is abstract \\(jax.ShapeDtypeStruct leaves"):
        HELPERS[name](abstract)


@pytest.mark.parametrize("name", HELPERS)
def test_a_state_donated_to_a_step_is_named(name):
    tx = optswitch.switch(candidates())
    state = tx.init(params())
    jax.jit(tx.update, donate_argnums=1)(grads_at(0), state, params())
    with pytest.raises(ValueError, match=f"{name}: this state's arrays have been deleted: it was donated"):
        HELPERS[name](state)


# Several switches: optax.partition, nesting.


def partitioned(first, second):
    return optax.partition({"w": first, "b": second}, {"w": "w", "b": "b"})


def test_check_candidates_checks_each_switch_of_a_partition_by_path():
    swapped = {"rmsprop": optax.rmsprop(1e-3), "sgd": optax.sgd(1e-2, momentum=0.9), "adam": optax.adam(1e-2)}
    w_switch, b_switch = optswitch.switch(candidates()), optswitch.switch(swapped)
    state = partitioned(w_switch, b_switch).init(params())
    w_path, b_path = ".inner_states['w'].inner_state", ".inner_states['b'].inner_state"
    assert optswitch.check_candidates(state, w_switch, path=w_path) is state
    assert optswitch.check_candidates(state, b_switch, path=b_path) is state
    with pytest.raises(ValueError, match=r"made for the candidates \['rmsprop', 'sgd', 'adam'\], but this switch has"):
        optswitch.check_candidates(state, w_switch, path=b_path)
    with pytest.raises(ValueError, match=re.escape("check one switch at a time with check_candidates(opt_state, ")):
        optswitch.check_candidates(state, w_switch)
    with pytest.raises(TypeError, match=re.escape("with path= naming where its state is when there are several")):
        optswitch.check_candidates(state, partitioned(w_switch, b_switch))
    with pytest.raises(ValueError, match=re.escape("no optswitch.SwitchState at path '.w'; the switches are at")):
        optswitch.check_candidates(state, w_switch, path=".w")


def nested():
    inner = optswitch.switch(
        {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2, momentum=0.9)}, selectors.schedule({0: "adam", 2: "sgd"})
    )
    return optswitch.switch({"inner": inner, "rmsprop": optax.rmsprop(1e-3)}, selectors.schedule({0: "inner"}))


def test_a_switch_among_the_candidates_of_another_is_reached_by_path():
    tx = nested()
    state = tx.init(params())
    update = jax.jit(tx.update)
    for t in range(3):
        _, state = update(grads_at(t), state, params())
    with pytest.raises(ValueError, match=re.escape("found 2 SwitchStates, at paths ['', '.candidate_states[0]']")):
        optswitch.summary(state)
    assert optswitch.summary(state, path="").updates == {"inner": 3, "rmsprop": 0}
    assert optswitch.summary(state, path=".candidate_states[0]").switches == [(2, "adam", "sgd")]
    switched = optswitch.set_active(state, "adam", path=".candidate_states[0]")
    assert optswitch.active(switched, path=".candidate_states[0]") == "adam"
    assert optswitch.active(switched, path="") == "inner"
    assert optswitch.check_candidates(state, tx) is state
    renamed = optswitch.switch(
        {"inner": optswitch.switch({"a": optax.adam(1e-2), "s": optax.sgd(1e-2, 0.9)}), "rmsprop": optax.rmsprop(1e-3)}
    )
    with pytest.raises(
        ValueError, match=r"made for the candidates \['adam', 'sgd'\], but this switch has \['a', 's'\]"
    ):
        optswitch.check_candidates(state, renamed)


# Batches of switches (vmap).


def test_a_vmapped_ensemble_is_read_member_by_member_and_switched_as_a_whole():
    tx = optswitch.switch(candidates())
    update = jax.jit(jax.vmap(tx.update))
    ensemble = jax.vmap(tx.init)(jax.tree.map(lambda leaf: jnp.stack([leaf] * 4), params()))
    for helper in (optswitch.active, optswitch.summary):
        with pytest.raises(ValueError, match=r"holds a batch of switches \(active has shape \(4,\).*leaf\[i\]"):
            helper(ensemble)
    member = lambda i: jax.tree.map(lambda leaf: leaf[i], ensemble)
    # One member switched (its own state indexed and put back), then every member.
    ensemble = jax.tree.map(lambda leaf, new: leaf.at[2].set(new), ensemble, optswitch.set_active(member(2), "sgd"))
    batch_of = lambda tree: jax.tree.map(lambda leaf: jnp.stack([leaf] * 4), tree)
    _, ensemble = update(batch_of(grads_at(0)), ensemble, batch_of(params()))
    ensemble = optswitch.set_active(ensemble, "rmsprop")
    _, ensemble = update(batch_of(grads_at(1)), ensemble, batch_of(params()))
    assert update._cache_size() == 1
    assert [optswitch.summary(member(i)).switches for i in (0, 2)] == [
        [(1, "adam", "rmsprop")],
        [(0, "adam", "sgd"), (1, "sgd", "rmsprop")],
    ]
    assert optswitch.summary(member(3)).updates == {"adam": 1, "sgd": 0, "rmsprop": 1}
    assert optswitch.check_candidates(ensemble, tx) is ensemble
    with pytest.raises(ValueError, match=r"made for the candidates \['adam', 'sgd', 'rmsprop'\]"):
        optswitch.check_candidates(ensemble, optswitch.switch({"a": optax.sgd(1.0), "b": optax.sgd(1.0)}))


def test_pmap_replicas_are_switched_together():
    tx = optswitch.switch(candidates())
    replicated = lambda tree: jax.tree.map(lambda leaf: leaf[None], tree)
    update = jax.pmap(tx.update)
    state = jax.pmap(tx.init)(replicated(params()))
    _, state = update(replicated(grads_at(0)), optswitch.set_active(state, "sgd"), replicated(params()))
    assert optswitch.summary(jax.tree.map(lambda leaf: leaf[0], state)).updates == {"adam": 0, "sgd": 1, "rmsprop": 0}


# Candidate keys and other arguments.


@pytest.mark.parametrize("key", [jnp.int32(1), jnp.asarray(1, jnp.uint8), np.int64(1), np.asarray(1, np.int8), 1])
def test_set_active_takes_an_integer_index_of_any_kind(key):
    state = optswitch.switch(candidates()).init(params())
    assert optswitch.active(optswitch.set_active(state, key)) == "sgd"


@pytest.mark.parametrize("key", [jnp.float32(1), jnp.asarray(True), jnp.asarray([1])])
def test_set_active_refuses_other_arrays(key):
    state = optswitch.switch(candidates()).init(params())
    with pytest.raises(TypeError, match="set_active: expected a candidate name or index, got"):
        optswitch.set_active(state, key)


def test_the_transformation_passed_for_its_state_and_a_holder_passed_for_tx_are_named():
    tx = optswitch.switch(candidates())
    with pytest.raises(ValueError, match="active: .* this is the transformation: pass its state"):
        optswitch.active(tx)
    _, optimizer = nnx_optimizer(tx)
    with pytest.raises(TypeError, match=r"tx must be the optax transformation .* got Optimizer; .* its \.tx"):
        optswitch.check_candidates(optimizer, optimizer)
    with pytest.raises(TypeError, match=r"tx must be the optax transformation .* got function"):
        optswitch.check_candidates(optimizer, optax.adam)
    assert optswitch.check_candidates(optimizer, optimizer.tx) is optimizer


# The README's one-device recipe.


def test_the_readme_one_device_recipe_compiles_the_step_once_through_a_restore(tmp_path):
    text = " ".join(README.read_text().split())
    commit = "params = jax.device_put(params, jax.devices()[0])"
    place = "state = jax.jit(tx.init, out_shardings=optswitch.state_shardings(tx, params))(params)"
    assert f"`{commit}`, then `{place}`" in text
    tx = optswitch.switch(candidates(), selectors.schedule({0: "adam", 2: "sgd"}))
    namespace = {"jax": jax, "optswitch": optswitch, "tx": tx, "params": params()}
    exec(f"{commit}\n{place}", namespace)

    @jax.jit
    def step(params, state, grads):
        return tx.update_and_apply(grads, state, params)

    train = (namespace["params"], namespace["state"])
    for t in range(3):
        train = step(*train, grads_at(t))
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(tmp_path / "checkpoint", train)
    checkpointer.wait_until_finished()
    train = checkpointer.restore(tmp_path / "checkpoint", jax.eval_shape(lambda: train))
    train = step(*train, grads_at(3))
    assert optswitch.summary(train[1]).updates == {"adam": 2, "sgd": 2, "rmsprop": 0}
    assert step._cache_size() == 1


def test_without_committed_params_the_step_compiles_twice_as_the_readme_warns():
    tx = optswitch.switch(candidates())
    state = jax.jit(tx.init, out_shardings=optswitch.state_shardings(tx, params()))(params())
    step = jax.jit(lambda params, state, grads: tx.update_and_apply(grads, state, params))
    train = (params(), state)
    for t in range(3):
        train = step(*train, grads_at(t))
    assert step._cache_size() == 2
