"""On 8 devices: under jit the state follows the params' shardings; under shard_map and pmap every device makes
the same choice; and every way of running matches the single-device run."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import problem
import pytest
from jax import lax
from jax.sharding import AxisType, NamedSharding
from jax.sharding import PartitionSpec as P

import optswitch


@pytest.fixture(scope="module")
def reference():
    return problem.single_device_run()


def conditionals(compiled) -> int:
    return compiled.as_text().count(" conditional(")


def place(mesh, tree, specs):
    return jax.tree.map(lambda leaf, spec: jax.device_put(leaf, NamedSharding(mesh, spec)), tree, specs)


def assert_state_follows(state, params):
    """Each candidate's copies of the params are sharded as the params; everything else is replicated."""
    for k, candidate in enumerate(problem.candidates().values()):
        follows = optax.tree_map_params(
            candidate,
            lambda leaf, param: leaf.sharding.is_equivalent_to(param.sharding, param.ndim),
            state.candidate_states[k],
            params,
            transform_non_params=lambda leaf: leaf.sharding.is_fully_replicated,
        )
        assert all(jax.tree.leaves(follows))
    assert all(leaf.sharding.is_fully_replicated for leaf in jax.tree.leaves(state._replace(candidate_states=())))


PARAM_SPECS = {"w": P(None, "model"), "b": P("model")}


def sharded_problem(axis_type):
    mesh = jax.make_mesh((4, 2), ("data", "model"), axis_types=(axis_type,) * 2)
    x, y = problem.data()
    params = place(mesh, problem.init_params(), PARAM_SPECS)
    return mesh, params, place(mesh, (x, y), (P("data", None), P("data", "model")))


@pytest.mark.parametrize("axis_type", [AxisType.Auto, AxisType.Explicit], ids=["auto", "explicit"])
def test_under_jit_the_state_follows_the_params_and_the_run_matches_one_device(axis_type, reference):
    _, params, (x, y) = sharded_problem(axis_type)
    tx = problem.make_tx()
    state = jax.jit(tx.init, out_shardings=optswitch.state_shardings(tx, params))(params)
    assert_state_follows(state, params)
    step = jax.jit(problem.train_step(tx), donate_argnums=(0, 1))
    for t in range(problem.STEPS):
        params, state, _ = step(params, state, x, y)
        assert_state_follows(state, params)
        problem.assert_same_run((params, state), reference[t])
    assert optswitch.summary(state).num_switches == 2
    assert step._cache_size() == 1
    assert conditionals(step.lower(params, state, x, y).compile()) == 1


def test_with_explicit_axes_jit_of_init_follows_the_params_by_itself():
    mesh, params, _ = sharded_problem(AxisType.Explicit)
    tx = problem.make_tx()
    with jax.set_mesh(mesh):
        state = jax.jit(tx.init)(params)
    assert_state_follows(state, params)
    equivalent = lambda leaf, sharding: leaf.sharding.is_equivalent_to(sharding, leaf.ndim)
    assert all(jax.tree.leaves(jax.tree.map(equivalent, state, optswitch.state_shardings(tx, params))))


def test_init_and_shardings_from_abstract_params():
    _, params, _ = sharded_problem(AxisType.Auto)
    abstract = jax.tree.map(lambda p: jax.ShapeDtypeStruct(p.shape, p.dtype, sharding=p.sharding), params)
    tx = problem.make_tx()
    shape = lambda tree: jax.tree.map(lambda leaf: (leaf.shape, leaf.dtype), tree)
    assert shape(jax.eval_shape(tx.init, abstract)) == shape(tx.init(params))
    assert optswitch.state_shardings(tx, abstract) == optswitch.state_shardings(tx, params)


def test_state_shardings_of_params_off_the_mesh():
    tx = problem.make_tx()
    mesh = jax.make_mesh((8,), ("a",), axis_types=(AxisType.Auto,))
    partly = {"w": jax.device_put(problem.init_params()["w"], NamedSharding(mesh, P("a"))), "b": jnp.zeros(8)}
    adam = optswitch.state_shardings(tx, partly).candidate_states[0][0]
    assert adam.mu["w"] == NamedSharding(mesh, P("a")) and adam.mu["b"] == NamedSharding(mesh, P())
    unplaced = jax.tree.map(lambda p: jax.ShapeDtypeStruct(p.shape, p.dtype), problem.init_params())
    with pytest.raises(ValueError, match="carry no common sharding"):
        optswitch.state_shardings(tx, unplaced)
    params = problem.init_params()
    params = {
        "w": jax.device_put(params["w"], NamedSharding(jax.make_mesh((8,), ("a",)), P())),
        "b": jax.device_put(params["b"], NamedSharding(jax.make_mesh((8,), ("b",)), P())),
    }
    with pytest.raises(ValueError, match="2 different meshes"):
        optswitch.state_shardings(tx, params)


# shard_map: each device holds 8 rows of the batch, and sees its own loss.

DATA = jax.make_mesh((8,), ("data",), axis_types=(AxisType.Auto,))


def data_parallel(tx, check_vma):
    """A data-parallel step under shard_map: replicated params, this device's rows of the batch."""

    def step(params, state, x, y):
        loss, grads = jax.value_and_grad(problem.loss_fn)(params, x, y)
        # With check_vma, jax.grad has already summed the devices' gradients (the transpose of the implicit
        # broadcast of the replicated params): average them. Without, reduce them as under pmap.
        grads = jax.tree.map(lambda g: g / problem.DEVICES, grads) if check_vma else lax.pmean(grads, "data")
        params, state = tx.update_and_apply(grads, state, params, value=loss)
        # Each device's own choice, to show whether they agree.
        return params, state, state.active[None]

    mapped = jax.shard_map(
        step, mesh=DATA, in_specs=(P(), P(), P("data"), P("data")), out_specs=(P(), P(), P("data")), check_vma=check_vma
    )
    return jax.jit(mapped)


def run_data_parallel(tx, check_vma, steps=problem.STEPS):
    x, y = problem.data()
    params = place(DATA, problem.init_params(), {"w": P(), "b": P()})
    state = jax.jit(tx.init, out_shardings=optswitch.state_shardings(tx, params))(params)
    x, y = place(DATA, (x, y), (P("data"), P("data")))
    step = data_parallel(tx, check_vma)
    trace = []
    for _ in range(steps):
        params, state, choices = step(params, state, x, y)
        trace.append((params, state, np.asarray(choices)))
    return step, trace


@pytest.mark.parametrize("check_vma", [True, False])
def test_under_shard_map_with_axis_name_every_device_makes_the_run_of_one_device(check_vma, reference):
    step, trace = run_data_parallel(problem.make_tx(axis_name="data"), check_vma)
    for t, (params, state, choices) in enumerate(trace):
        assert (choices == choices[0]).all()
        problem.assert_same_run((params, state), reference[t])
    assert step._cache_size() == 1
    params, state, _ = trace[-1]
    # The batch placed as the run placed it: the program that ran, already compiled, not one for unplaced arrays.
    x, y = place(DATA, problem.data(), (P("data"), P("data")))
    assert conditionals(step.lower(params, state, x, y).compile()) == 1


def test_under_shard_map_without_axis_name_a_device_varying_choice_is_an_error():
    with pytest.raises(ValueError, match=r"differs from device to device along mesh axes \['data'\].*axis_name='data'"):
        run_data_parallel(problem.make_tx(), check_vma=True, steps=1)


def test_where_jax_cannot_tell_without_axis_name_the_devices_silently_diverge():
    # With check_vma=False the same mistake passes unseen: each device follows its own loss.
    _, trace = run_data_parallel(problem.make_tx(), check_vma=False, steps=1)
    names = list(problem.candidates())
    assert [names[k] for k in trace[0][2]] == ["sgd", "rmsprop", "rmsprop"] + ["adam"] * 5


def test_under_shard_map_sharded_params_give_the_signals_of_the_whole_arrays(reference):
    # Params and state sharded over the devices (each holds 2 rows of w, 1 entry of b) and gathered for the
    # forward pass: the gradients are shards, whose squared norms and products add up over the axis.
    tx = problem.make_tx(axis_name="data")
    param_specs = {"w": P("data"), "b": P("data")}
    params = place(DATA, problem.init_params(), param_specs)
    state_shardings = optswitch.state_shardings(tx, params)
    state = jax.jit(tx.init, out_shardings=state_shardings)(params)
    state_specs = jax.tree.map(lambda sharding: sharding.spec, state_shardings)

    def step(params, state, x, y):
        gathered = lambda shards: jax.tree.map(lambda shard: lax.all_gather(shard, "data", tiled=True), shards)
        loss, grads = jax.value_and_grad(lambda shards: problem.loss_fn(gathered(shards), x, y))(params)
        grads = jax.tree.map(lambda g: g / problem.DEVICES, grads)
        return tx.update_and_apply(grads, state, params, value=loss)

    specs = (param_specs, state_specs)
    step = jax.jit(jax.shard_map(step, mesh=DATA, in_specs=(*specs, P("data"), P("data")), out_specs=specs))
    x, y = place(DATA, problem.data(), (P("data"), P("data")))
    for t in range(problem.STEPS):
        params, state = step(params, state, x, y)
        assert_state_follows(state, params)
        problem.assert_same_run((params, state), reference[t])
    assert step._cache_size() == 1


@pytest.mark.parametrize("axis_name", ["data", None])
def test_under_pmap(axis_name, reference):
    tx = problem.make_tx(axis_name=axis_name)

    def step(params, state, x, y):
        loss, grads = jax.value_and_grad(problem.loss_fn)(params, x, y)
        return tx.update_and_apply(lax.pmean(grads, "data"), state, params, value=loss)

    step = jax.pmap(step, axis_name="data")
    replicate = lambda tree: jax.tree.map(lambda leaf: np.broadcast_to(leaf, (problem.DEVICES, *leaf.shape)), tree)
    params = replicate(problem.init_params())
    state = replicate(tx.init(problem.init_params()))
    x, y = (a.reshape(problem.DEVICES, -1, a.shape[-1]) for a in problem.data())
    for t in range(problem.STEPS if axis_name else 1):
        params, state = step(params, state, x, y)
        on_host = jax.tree.map(np.asarray, (params, state))
        replicas = [jax.tree.map(lambda leaf, d=d: leaf[d], on_host) for d in range(problem.DEVICES)]
        if axis_name:
            for replica in replicas:
                problem.assert_same_run(replica, reference[t])
    if not axis_name:
        # pmap does not type values by their variance: nothing can tell, and each replica follows its own loss.
        assert len({optswitch.active(replica_state) for _, replica_state in replicas}) == 3


def bytes_per_device(tree) -> list[int]:
    totals = dict.fromkeys(range(jax.device_count()), 0)
    for leaf in jax.tree.leaves(tree):
        for shard in leaf.addressable_shards:
            totals[shard.device.id] += shard.data.nbytes
    return list(totals.values())


def test_the_candidate_states_take_the_candidates_own_bytes_split_evenly():
    params = place(
        DATA, {"w": np.ones((64, 8), np.float32), "b": np.ones(8, np.float32)}, {"w": P("data"), "b": P("data")}
    )
    tx = problem.make_tx()
    state = jax.jit(tx.init, out_shardings=optswitch.state_shardings(tx, params))(params)
    own = [
        bytes_per_device(jax.jit(opt.init, out_shardings=optswitch.state_shardings(opt, params))(params))
        for opt in problem.candidates().values()
    ]
    # Adam's moments (2), SGD's trace (1), RMSProp's average (1): 4 times the 65 floats of params each device holds,
    # and Adam's replicated count.
    assert bytes_per_device(state.candidate_states) == [sum(column) for column in zip(*own, strict=True)]
    assert bytes_per_device(state.candidate_states) == [4 * 4 * (64 * 8 + 8) // 8 + 4] * 8


def test_under_shard_map_over_two_axes_each_leaf_is_reduced_by_how_it_is_split():
    # Data parallel over "data" (4), w's columns and b split over "model" (2), and a scale replicated over both:
    # the sums of w and b add up over "model" and agree over "data"; the scale's agree over both.
    mesh = jax.make_mesh((4, 2), ("data", "model"), axis_types=(AxisType.Auto,) * 2)
    x, y = problem.data()
    start = dict(problem.init_params(), scale=np.ones([], np.float32))

    def loss_fn(params, x, y):
        return jnp.mean((jnp.tanh(params["scale"] * (x @ params["w"]) + params["b"]) - y) ** 2) * 10

    def train_step(tx, grads_scale=1.0):
        def step(params, state, x, y):
            loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
            grads = jax.tree.map(lambda g: g * grads_scale, grads)
            return tx.update_and_apply(grads, state, params, value=loss)

        return step

    reference_tx = problem.make_tx()
    reference_step = jax.jit(train_step(reference_tx))
    reference = (start, reference_tx.init(start))

    tx = problem.make_tx(axis_name=("data", "model"))
    param_specs = {"w": P(None, "model"), "b": P("model"), "scale": P()}
    params = place(mesh, start, param_specs)
    state_shardings = optswitch.state_shardings(tx, params)
    state = jax.jit(tx.init, out_shardings=state_shardings)(params)
    specs = (param_specs, jax.tree.map(lambda sharding: sharding.spec, state_shardings))
    # jax.grad sums each leaf's gradient over the axes that leaf is replicated on; the loss is the mean of 8.
    mapped = jax.shard_map(
        train_step(tx, grads_scale=1 / 8), mesh=mesh, in_specs=(*specs, P("data"), P("data", "model")), out_specs=specs
    )
    step = jax.jit(mapped)
    x_sharded, y_sharded = place(mesh, (x, y), (P("data"), P("data", "model")))
    for _ in range(problem.STEPS):
        reference = reference_step(*reference, x, y)
        params, state = step(params, state, x_sharded, y_sharded)
        problem.assert_same_run((params, state), reference)
    assert optswitch.summary(state).num_switches >= 1


@pytest.mark.parametrize(
    "tx",
    [
        optax.adafactor(1e-3, min_dim_size_to_factor=8),
        optax.chain(optax.clip_by_global_norm(1.0), optax.adamw(1e-3)),
        optax.MultiSteps(optax.adam(1e-3), every_k_schedule=2),
        optax.inject_hyperparams(optax.sgd)(learning_rate=0.1, momentum=0.9),
        optswitch.switch({"lion": optax.lion(1e-3), "adafactor": optax.adafactor(1e-3, min_dim_size_to_factor=8)}),
        optax.lbfgs(),
    ],
    ids=["adafactor", "chain", "multisteps", "inject_hyperparams", "switch", "lbfgs"],
)
def test_state_shardings_agree_with_an_eager_init_and_with_what_an_update_gives_back(tx):
    params = place(DATA, {"w": np.ones((64, 16), np.float32), "b": np.ones(16, np.float32)}, {"w": P("data"), "b": P()})
    shardings = optswitch.state_shardings(tx, params)
    # An eager init keeps the params' sharding on the leaves it derives from them (zeros_like on a sharded
    # array): an oracle that shares nothing with state_shardings' tracing.
    for leaf, sharding in zip(jax.tree.leaves(tx.init(params)), jax.tree.leaves(shardings), strict=True):
        if isinstance(leaf.sharding, NamedSharding):
            assert sharding.is_equivalent_to(leaf.sharding, leaf.ndim)
    state = jax.jit(tx.init, out_shardings=shardings)(params)
    loss_fn = lambda p: sum(jnp.sum(leaf**2) for leaf in jax.tree.leaves(p))

    def update(params, state):
        value, grads = jax.value_and_grad(loss_fn)(params)
        extra_args = {"value": value, "grad": grads, "value_fn": loss_fn}
        return optax.with_extra_args_support(tx).update(grads, state, params, **extra_args)[1]

    free = jax.tree.leaves(jax.jit(update)(params, state))
    pinned = jax.tree.leaves(jax.jit(update, out_shardings=shardings)(params, state))
    for free_leaf, pinned_leaf, sharding in zip(free, pinned, jax.tree.leaves(shardings), strict=True):
        assert pinned_leaf.sharding == sharding
        if free_leaf.ndim == 3:
            # L-BFGS's memory, [history, *param shape]: no type ties it to a parameter, so state_shardings
            # replicates it, while XLA, left free, moves it along the parameter's split: pin the step's
            # out_shardings to keep it where it was born (else the step compiles a second time).
            assert sharding.is_fully_replicated and not free_leaf.sharding.is_fully_replicated
        else:
            # Every other leaf (adafactor's factored moments too, which follow the rows of w) stays put.
            assert free_leaf.sharding.is_equivalent_to(sharding, free_leaf.ndim)


# selectors.trials: parameter-sized snapshots, saved and loaded at the ends of its trials.

TRIAL_STEPS = 40  # two rounds of three trials of 4 updates, from update 10 and 20


def trials_tx(axis_name=None):
    return optswitch.switch(problem.candidates(), optswitch.selectors.trials(100, trial_length=4), axis_name=axis_name)


@functools.cache  # three tests compare with it: one compile and one run of the single-device reference
def trials_reference():
    tx = trials_tx()
    step = jax.jit(problem.train_step(tx))
    x, y = problem.data()
    params = problem.init_params()
    state = tx.init(params)
    for _ in range(TRIAL_STEPS):
        params, state, _ = step(params, state, x, y)
    return params, state


def assert_sharded_like(tree, params):
    assert all(
        jax.tree.leaves(jax.tree.map(lambda leaf, p: leaf.sharding.is_equivalent_to(p.sharding, p.ndim), tree, params))
    )


def test_trials_snapshots_are_sharded_like_the_params_and_the_run_matches_one_device():
    _, params, (x, y) = sharded_problem(AxisType.Auto)
    tx = trials_tx()
    shardings = optswitch.state_shardings(tx, params)
    for slot in shardings.snapshots.params:
        assert all(jax.tree.leaves(jax.tree.map(lambda s, p: s.is_equivalent_to(p.sharding, p.ndim), slot, params)))
    assert shardings.snapshots.candidate_states == shardings.candidate_states
    state = jax.jit(tx.init, out_shardings=shardings)(params)
    step = jax.jit(problem.train_step(tx), donate_argnums=(0, 1))
    for _ in range(TRIAL_STEPS):
        params, state, _ = step(params, state, x, y)
    for slot in state.snapshots.params:
        assert_sharded_like(slot, params)
    assert optswitch.summary(state).num_switches >= 4
    problem.assert_same_run((params, state), trials_reference())
    assert step._cache_size() == 1


@pytest.mark.parametrize("check_vma", [True, False])
def test_trials_under_shard_map_with_axis_name_make_the_run_of_one_device(check_vma):
    _, trace = run_data_parallel(trials_tx(axis_name="data"), check_vma, steps=TRIAL_STEPS)
    assert all((choices == choices[0]).all() for _, _, choices in trace)
    params, state, _ = trace[-1]
    problem.assert_same_run((params, state), trials_reference())


def recommended_tx(axis_name=None, stall=None):
    """The recommended setup over the problem's candidates: copies at 3x sharing their states and branches."""
    race = optswitch.selectors.race(run_length=60, window=3, stop=38)  # legs of 3 updates, 36 in all
    copies = optswitch.learning_rate_multiples(problem.candidates())
    step_down = optswitch.selectors.step_down(race, at=38, stall=stall)
    return optswitch.switch(copies, step_down, axis_name=axis_name)


@pytest.mark.parametrize("stall", [None, 3])
def test_the_recommended_switch_under_shard_map_makes_the_run_of_one_device(stall):
    # Shared states and branches: the race reads the loss averaged over the devices, every device races alike,
    # and the run is the single-device one, step down included (with stall=3, a leg of 3 updates whose loss did
    # not fall steps every pick down before update 38).
    step, trace = run_data_parallel(recommended_tx(axis_name="data", stall=stall), check_vma=True, steps=44)
    for (sharded_params, sharded_state, choices), (params, state) in zip(
        trace, problem.single_device_run(44, recommended_tx(stall=stall)), strict=True
    ):
        assert (choices == choices[0]).all()
        # The race's own statistics difference near-equal losses, which magnifies the summation order's rounding:
        # its choices are compared (the switches), its floats are not.
        # 44 updates at 3x the learning rates magnify the rounding more than the other runs here, and by how much
        # depends on the CPU XLA compiles for: at most 8.3e-5 of a leaf's largest entry on round 12's machine,
        # under 2e-5 on round 11's. A wrong reduction or a different candidate is off by orders of magnitude more.
        without_race = lambda state: state._replace(selector_state=())
        problem.assert_same_run((sharded_params, without_race(sharded_state)), (params, without_race(state)), rtol=4e-4)
    switches = optswitch.summary(state).switches
    assert len(switches) >= 6
    if stall is None:
        assert any(at == 38 for at, _, _ in switches)
    else:  # rmsprop-x3's leg (updates 27-29) did not fall: from update 30 on the legs of copies run the candidates
        assert switches[-2:] == [(30, "rmsprop-x3", "sgd"), (33, "sgd", "adam")]
    assert step._cache_size() == 1
    assert isinstance(state.candidate_states[3], optswitch.SharedState)


def broken_tx(axis_name=None):
    """Adam, then a candidate whose updates are NaN (its leg is put back at once), then Adam again."""
    candidates = {"adam": optax.adam(0.05), "broken": optax.chain(optax.sgd(0.05), optax.scale(float("nan")))}
    guard = optswitch.selectors.undo_if_worse(optswitch.selectors.schedule({0: "adam", 8: "broken", 17: "adam"}), 20)
    return optswitch.switch(candidates, guard, axis_name=axis_name)


def test_an_undo_at_a_loss_that_is_not_finite_is_the_run_of_one_device():
    # The loss that is not finite is the devices' mean, so every device undoes the leg at the same update.
    _, trace = run_data_parallel(broken_tx(axis_name="data"), check_vma=True, steps=24)
    for (sharded_params, sharded_state, choices), (params, state) in zip(
        trace, problem.single_device_run(24, broken_tx()), strict=True
    ):
        assert (choices == choices[0]).all()
        assert int(sharded_state.selector_state.undone) == int(state.selector_state.undone)
        assert int(sharded_state.log.skipped) == int(state.log.skipped)
        if all(np.isfinite(leaf).all() for leaf in jax.tree.leaves(params)):
            problem.assert_same_run((sharded_params, sharded_state), (params, state))
    # 'broken' makes updates 8 to 16; the loss of every other one (9, 11, 13, 15) is NaN, and each is undone; so is
    # Adam's first (17), at the parameters that broken's last update left.
    assert optswitch.summary(state).switches == [(8, "adam", "broken"), (17, "broken", "adam")]
    assert int(state.log.skipped) == 5 and int(state.selector_state.undone) == 5
    assert all(np.isfinite(leaf).all() for leaf in jax.tree.leaves(sharded_params))
