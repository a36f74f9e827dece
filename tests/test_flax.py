"""In Flax: nnx.Optimizer (with value=) and a linen TrainState train step, jitted, compiled once."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import linen, nnx
from flax.training import train_state
from helpers import candidates
from nnx_problem import NnxModel, X, Y, loss_below, train, train_step

import optswitch
from optswitch import selectors


def test_nnx_optimizer_forwards_value_and_switches_inside_jit():
    model = NnxModel(nnx.Rngs(0))
    tx = optswitch.switch(candidates(), loss_below(0.3))
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    step, traces = train_step()
    losses = [float(step(model, optimizer)) for _ in range(60)]
    summary = optswitch.summary(optimizer)
    first_below = next(t for t, loss in enumerate(losses) if loss < 0.3)
    assert summary.switches == [(first_below + 1, "adam", "sgd")]
    optswitch.set_active(optimizer, "rmsprop")  # in place, as nnx objects are
    assert optswitch.active(optimizer) == "rmsprop"
    step(model, optimizer)
    assert optswitch.summary(optimizer).updates["rmsprop"] == 1
    assert len(traces) == 1


def test_nnx_without_value_gets_the_clear_error():
    model = NnxModel(nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optswitch.switch(candidates(), loss_below(0.3)), wrt=nnx.Param)
    grads = nnx.grad(lambda m: jnp.mean((m(X) - Y) ** 2))(model)
    try:
        optimizer.update(model, grads)
    except ValueError as error:
        assert "optimizer.update(model, grads, value=loss)" in str(error)
    else:
        raise AssertionError("expected a ValueError")


class LinenModel(linen.Module):
    @linen.compact
    def __call__(self, x):
        return linen.Dense(2)(linen.tanh(linen.Dense(16)(x)))


def test_linen_train_state_step_matches_the_hand_run_schedule():
    model = LinenModel()
    variables = model.init(jax.random.key(0), X)
    schedule = selectors.schedule({0: "adam", 10: "sgd", 20: "adam"})
    state = train_state.TrainState.create(
        apply_fn=model.apply, params=variables["params"], tx=optswitch.switch(candidates(), schedule)
    )
    traces = []

    @jax.jit
    def train_step(state):
        traces.append(None)
        grads = jax.grad(lambda p: jnp.mean((state.apply_fn({"params": p}, X) - Y) ** 2))(state.params)
        return state.apply_gradients(grads=grads)

    for _ in range(30):
        state = train_step(state)
    assert len(traces) == 1
    assert optswitch.summary(state.opt_state).switches == [(10, "adam", "sgd"), (20, "sgd", "adam")]

    opts = candidates()
    params = variables["params"]
    ref = {name: opt.init(params) for name, opt in opts.items()}
    for t in range(30):
        name = "sgd" if 10 <= t < 20 else "adam"
        grads = jax.grad(lambda p: jnp.mean((model.apply({"params": p}, X) - Y) ** 2))(params)
        updates, ref[name] = opts[name].update(grads, ref[name], params)
        params = optax.apply_updates(params, updates)
    for actual, expected in zip(jax.tree.leaves(state.params), jax.tree.leaves(params), strict=True):
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


def test_optswitch_nnx_optimizer_matches_nnx_optimizer_to_rounding():
    import optswitch.nnx

    def run(optimizer_class):
        model = NnxModel(nnx.Rngs(0))
        optimizer = optimizer_class(model, optswitch.switch(candidates(), loss_below(0.3)), wrt=nnx.Param)
        assert train(model, optimizer, 40) == 1
        return model, optimizer

    fused_model, fused = run(optswitch.nnx.Optimizer)
    model, plain = run(nnx.Optimizer)
    assert optswitch.summary(fused).switches == optswitch.summary(plain).switches != []
    assert int(fused.step[...]) == int(plain.step[...]) == 40
    # Applied inside the branch, XLA may contract the multiply-add differently: equal to float32 rounding.
    for a, b in zip(jax.tree.leaves(nnx.state(fused_model)), jax.tree.leaves(nnx.state(model)), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_optswitch_nnx_optimizer_with_another_transformation_is_nnx_optimizer():
    import optswitch.nnx

    model = NnxModel(nnx.Rngs(0))
    optimizer = optswitch.nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)
    grads = nnx.grad(lambda m: jnp.mean((m(X) - Y) ** 2))(model)
    optimizer.update(model, grads)
    assert int(optimizer.step[...]) == 1


def test_the_recommended_switch_in_an_nnx_loop_with_clipping_and_schedules():
    # As a user writes it: warmup + cosine candidates, clipping before the switch, the copies sharing their states
    # and branches, nnx.jit. One compile; the race steps its pick down half-way; the same switches in flax's
    # unfused nnx.Optimizer; and candidate_state reads the shared state through the optimizer. (No window of 4 of
    # AdamW at 3x's updates stalls here: test_user_loop has a stall in an nnx loop.)
    import optswitch.nnx

    schedule = optax.warmup_cosine_decay_schedule(0.0, 3e-3, 6, 80)
    scheduled = {"adamw": optax.adamw(schedule), "sgd": optax.sgd(schedule, momentum=0.9)}

    def run(optimizer_class, chain):
        model = NnxModel(nnx.Rngs(0))
        race = selectors.race(run_length=80, warmup=6, stop=40)  # legs of 3; stall: 80 // 20 = 4
        step_down = selectors.step_down(race, at=40, stall=4)
        switch = optswitch.switch(optswitch.learning_rate_multiples(scheduled), step_down)
        optimizer = optimizer_class(model, chain(optax.clip_by_global_norm(1.0), switch), wrt=nnx.Param)
        assert train(model, optimizer, 80) == 1
        return optimizer

    fused = run(optswitch.nnx.Optimizer, optswitch.chain)
    plain = run(nnx.Optimizer, optax.chain)
    switches = optswitch.summary(fused).switches
    assert switches == optswitch.summary(plain).switches
    assert switches[-1] == (40, "adamw-x3", "adamw")  # AdamW at 3x won the race; from half-way on, AdamW
    # One state for both copies: Adam's count and the schedule's are the updates of both.
    updates = optswitch.summary(fused).updates
    adam_state, _, schedule_state = optswitch.candidate_state(fused, "adamw")
    assert int(adam_state.count) == int(schedule_state.count) == updates["adamw"] + updates["adamw-x3"] == 68


def test_a_leader_that_diverges_late_is_put_back_and_steps_down_in_an_nnx_loop():
    # SGD at 0.05, then 20x that from its 20th update: at 1x the model still trains, at 3x the loss overflows long
    # after the guard judged and kept the switch to the 3x copy at update 5. The guard puts the parameters back
    # (twice: the same updates diverge again from them), step_down then runs the copy at 1x. One compile, in
    # optswitch's fused optimizer and in flax's own.
    import optswitch.nnx

    rate = optax.piecewise_constant_schedule(0.05, {20: 20.0})
    picks = selectors.step_down(selectors.schedule({0: "sgd", 5: "sgd-x3"}), at=1000, stall=500)

    def run(optimizer_class):
        model = NnxModel(nnx.Rngs(0))
        switch = optswitch.switch(
            optswitch.learning_rate_multiples({"sgd": optax.sgd(rate)}), selectors.undo_if_worse(picks, 5)
        )
        optimizer = optimizer_class(model, switch, wrt=nnx.Param)
        assert train(model, optimizer, 300) == 1
        return model, optimizer

    model, fused = run(optswitch.nnx.Optimizer)
    summary = optswitch.summary(fused)
    assert summary.skipped == 2 and int(optswitch.metrics(fused, prefix="")["undo_if_worse/undone"]) == 2
    assert [(old, new) for _, old, new in summary.switches] == [("sgd", "sgd-x3"), ("sgd-x3", "sgd")]
    assert float(jnp.mean((model(X) - Y) ** 2)) < float(jnp.mean((NnxModel(nnx.Rngs(0))(X) - Y) ** 2))
    # Unfused, a rescue lands through snapshot - params as the update, from parameters the diverging updates made
    # huge: params + (snapshot - params) is not the snapshot, the replay diverges sooner (here at 82, not 84).
    # update_and_apply (optswitch.nnx.Optimizer) writes the snapshot: bit for bit (tests/test_guards.py).
    plain_model, plain = run(nnx.Optimizer)
    plain_summary = optswitch.summary(plain)
    assert [(old, new) for _, old, new in plain_summary.switches] == [("sgd", "sgd-x3"), ("sgd-x3", "sgd")]
    assert plain_summary.skipped == 2 and plain_summary.switches[1][0] < summary.switches[1][0]
    assert float(jnp.mean((plain_model(X) - Y) ** 2)) < float(jnp.mean((NnxModel(nnx.Rngs(0))(X) - Y) ** 2))


def test_a_schedule_free_candidate_in_an_nnx_optimizer_is_evaluated_at_its_average():
    # The README's recipe: candidate_state finds the candidate's state through the optimizer (z as arrays in an
    # nnx.State), and schedule_free_eval_params takes the model's parameters as arrays in the same structure.
    model = NnxModel(nnx.Rngs(0))
    tx = optswitch.switch({"free": optax.contrib.schedule_free_adamw(1e-2), "adam": optax.adam(1e-2)})
    optimizer = optswitch.nnx.Optimizer(model, tx, wrt=nnx.Param)
    train(model, optimizer, 5)
    arrays = jax.tree.map(lambda v: v[...], nnx.state(model, nnx.Param), is_leaf=lambda x: isinstance(x, nnx.Variable))
    state = optswitch.candidate_state(optimizer, "free")
    averaged = optax.contrib.schedule_free_eval_params(state, arrays)
    b1 = float(state.b1)
    for x, y, z in zip(jax.tree.leaves(averaged), jax.tree.leaves(arrays), jax.tree.leaves(state.z), strict=True):
        np.testing.assert_allclose(x, (y - (1 - b1) * z) / b1, rtol=1e-6)
        assert not np.array_equal(x, y)
    evaluated = nnx.clone(model)
    nnx.update(evaluated, averaged)
    for got, want in zip(jax.tree.leaves(nnx.state(evaluated, nnx.Param)), jax.tree.leaves(averaged), strict=True):
        np.testing.assert_array_equal(got, want)


def below_zero_loop(selector):
    """60 updates of a user's nnx loop whose loss goes below 0 (the MSE less 0.5, as a shifted negative
    log-likelihood would), the recommended copies behind clipping, with ``on_event``: the losses, the warnings of a
    loss <= 0, the optimizer and how many times the step was traced."""
    import warnings

    import optswitch.nnx

    model = NnxModel(nnx.Rngs(0))
    switch = optswitch.switch(optswitch.learning_rate_multiples(candidates()), selector, on_event=[].append)
    optimizer = optswitch.nnx.Optimizer(model, optswitch.chain(optax.clip_by_global_norm(1.0), switch), wrt=nnx.Param)
    traces = []

    @nnx.jit
    def step(model, optimizer):
        traces.append(None)
        loss, grads = nnx.value_and_grad(lambda m: jnp.mean((m(X) - Y) ** 2) - 0.5)(model)
        optimizer.update(model, grads, value=loss)
        return loss

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        losses = [float(step(model, optimizer)) for _ in range(60)]
        jax.effects_barrier()
    messages = [str(w.message) for w in record if "loss <= 0" in str(w.message)]
    return losses, messages, optimizer, len(traces)


def test_a_loss_below_zero_in_an_nnx_loop_warns_once_from_inside_jit_with_on_event():
    # With on_event the recommended selector's first ignored loss warns from inside nnx.jit, naming its update; one
    # compile.
    losses, messages, optimizer, traces = below_zero_loop(selectors.recommended(run_length=100))
    first = next(t for t, loss in enumerate(losses) if loss <= 0)
    assert len(messages) == 1 and f" at update {first}, a loss <= 0" in messages[0]
    assert optswitch.summary(optimizer).ignored_losses == sum(loss <= 0 for loss in losses) > 1
    assert traces == 1


def test_a_loss_below_zero_read_as_a_log_in_an_nnx_loop_is_raced_on_without_a_warning():
    # The same loop with recommended(loss_is_log=True): every loss counts, none warns, the race ends its legs over
    # the six copies before half-way, and the step compiles once.
    losses, messages, optimizer, traces = below_zero_loop(selectors.recommended(run_length=100, loss_is_log=True))
    assert sum(loss <= 0 for loss in losses) > 1 and messages == []
    summary = optswitch.summary(optimizer)
    assert summary.ignored_losses == 0
    # Legs of 3 updates over the six copies, there and back (the last copy's two legs run on): ten switches.
    assert [at for at, _, _ in summary.switches[:10]] == [3, 6, 9, 12, 15, 21, 24, 27, 30, 33]
    assert traces == 1
