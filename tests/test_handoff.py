"""Handoffs: momentum transfer, user hooks, chains of them, the selector's own handoff, and their errors."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from helpers import assert_trees_equal, grads_at, params

import optswitch
from optswitch import handoff, selectors


def run(tx, steps):
    update = jax.jit(tx.update)
    p = params()
    state = tx.init(p)
    for t in range(steps):
        updates, state = update(grads_at(t), state, p)
    return updates, state


def hand_run(opt, steps, state=None, start=0):
    update = jax.jit(opt.update)
    state = opt.init(params()) if state is None else state
    for t in range(start, start + steps):
        updates, state = update(grads_at(t), state, params())
    return updates, state


SGD_FORMS = {
    "sgd": lambda: optax.sgd(0.1, momentum=0.9),
    "chain": lambda: optax.chain(optax.clip_by_global_norm(10.0), optax.sgd(0.1, momentum=0.9)),
    "injected": lambda: optax.inject_hyperparams(optax.sgd)(learning_rate=0.1, momentum=0.9),
}
ADAM_FORMS = {
    "adam": lambda: optax.adam(1e-2),
    "chain": lambda: optax.chain(optax.clip_by_global_norm(10.0), optax.adam(1e-2)),
}


@pytest.mark.parametrize("sgd_form", list(SGD_FORMS))
@pytest.mark.parametrize("adam_form", list(ADAM_FORMS))
def test_transfer_momentum_carries_adams_mu_into_sgds_trace_and_back(adam_form, sgd_form):
    adam, sgd = ADAM_FORMS[adam_form], SGD_FORMS[sgd_form]
    tx = optswitch.switch(
        {"adam": adam(), "sgd": sgd()},
        selectors.schedule({0: "adam", 3: "sgd", 5: "adam"}),
        on_switch=handoff.transfer_momentum(),
    )
    updates, state = run(tx, 6)

    # Reference: each optimizer by hand, its first-moment buffer replaced by the other's at each switch.
    _, adam_state = hand_run(adam(), 3)
    sgd_state = optax.tree.set(sgd().init(params()), trace=optax.tree.get(adam_state, "mu"))
    _, sgd_state = hand_run(sgd(), 2, sgd_state, start=3)
    adam_state = optax.tree.set(adam_state, mu=optax.tree.get(sgd_state, "trace"))
    ref_updates, adam_state = hand_run(adam(), 1, adam_state, start=5)
    assert_trees_equal(state.candidate_states, (adam_state, sgd_state))
    assert_trees_equal(updates, ref_updates)
    assert int(optax.tree.get(state.candidate_states[0], "count")) == 4  # Adam's count and nu stay its own


def test_transfer_momentum_scales_and_leaves_candidates_without_a_matching_buffer_alone():
    scaled = optswitch.switch(
        {"adam": optax.adam(1e-2), "sgd": optax.sgd(0.1, momentum=0.9)},
        selectors.schedule({0: "adam", 2: "sgd"}),
        on_switch=handoff.transfer_momentum(scale=10.0),
    )
    _, state = run(scaled, 2)
    mu = optax.tree.get(state.candidate_states[0], "mu")
    _, state = jax.jit(scaled.update)(grads_at(2), state, params())
    expected = jax.tree.map(lambda g, m: g + 0.9 * (10.0 * m), grads_at(2), mu)
    trace = optax.tree.get(state.candidate_states[1], "trace")
    jax.tree.map(lambda a, e: np.testing.assert_allclose(a, e, rtol=1e-6), trace, expected)

    # rmsprop has no first moment; a trace of another shape does not fit: both resume as they were.
    other_shape = optax.GradientTransformation(
        lambda p: optax.TraceState(trace=jnp.zeros(3)), lambda u, s, p=None: (u, s)
    )
    for incoming in (optax.rmsprop(1e-3), other_shape):
        candidates = lambda incoming=incoming: {"adam": optax.adam(1e-2), "other": incoming}
        schedule = selectors.schedule({0: "adam", 2: "other", 4: "adam"})
        _, moved = run(optswitch.switch(candidates(), schedule, on_switch=handoff.transfer_momentum()), 6)
        _, resumed = run(optswitch.switch(candidates(), schedule), 6)
        assert_trees_equal(moved.candidate_states, resumed.candidate_states)


def test_first_moment_is_found_by_name_and_ambiguity_is_an_error_at_init():
    assert handoff.first_moment(optax.adam(1e-3).init(params()))[0] == "mu"
    assert handoff.first_moment(optax.rmsprop(1e-3).init(params())) is None
    two_traces = optax.chain(optax.trace(0.9), optax.sgd(0.1, momentum=0.9))
    tx = optswitch.switch({"adam": optax.adam(1e-3), "odd": two_traces}, on_switch=handoff.transfer_momentum())
    with pytest.raises(ValueError, match=r"holds 2 first-moment buffers \(trace, trace\); write a handoff"):
        tx.init(params())


def test_a_user_hook_runs_only_on_the_update_after_a_switch_with_its_context():
    calls = []

    def hook(from_state, to_state, context):
        record = lambda step, source: calls.append((int(step), int(source), context.names[context.target]))
        jax.debug.callback(record, context.step, context.source)
        return optax.tree.set(to_state, count=optax.tree.get(to_state, "count") + 1000)

    tx = optswitch.switch(
        {"a": optax.adam(1e-2), "b": optax.adam(1e-3)},
        selectors.schedule({0: "a", 2: "b", 5: "a", 7: "b"}),
        on_switch=hook,
    )
    _, state = run(tx, 10)
    jax.effects_barrier()
    assert calls == [(2, 0, "b"), (5, 1, "a"), (7, 0, "b")]
    # a: updates 0, 1, 5, 6 and one switch into it; b: updates 2-4, 7-9 and two switches into it.
    assert [int(optax.tree.get(s, "count")) for s in state.candidate_states] == [1004, 2006]


def test_chained_handoffs_run_in_order():
    def halve_rate(from_state, to_state, context):
        if context.names[context.target] != "sgd":  # a static choice: each target has its own branch
            return to_state
        return optax.tree.set(to_state, learning_rate=0.5 * optax.tree.get(to_state, "learning_rate"))

    sgd = optax.inject_hyperparams(optax.sgd)(learning_rate=0.1, momentum=0.9)
    tx = optswitch.switch(
        {"adam": optax.adam(1e-2), "sgd": sgd},
        selectors.schedule({0: "adam", 2: "sgd"}),
        on_switch=handoff.chain(handoff.transfer_momentum(), halve_rate),
    )
    _, state = run(tx, 2)
    mu = optax.tree.get(state.candidate_states[0], "mu")
    updates, state = jax.jit(tx.update)(grads_at(2), state, params())
    np.testing.assert_allclose(float(optax.tree.get(state, "learning_rate")), 0.05)
    expected = jax.tree.map(lambda g, m: -0.05 * (g + 0.9 * m), grads_at(2), mu)
    jax.tree.map(lambda u, e: np.testing.assert_allclose(u, e, rtol=1e-6), updates, expected)


def swats_candidates(**sgd_kwargs):
    sgd = optax.inject_hyperparams(optax.sgd)(**{"learning_rate": 0.0, "momentum": 0.9, **sgd_kwargs})
    return {"adam": optax.adam(1e-2), "sgd": sgd}


@pytest.mark.parametrize(
    "on_switch", ["resume", "reset", handoff.transfer_momentum()], ids=["resume", "reset", "transfer"]
)
def test_swats_handoff_runs_after_on_switch_and_wins(on_switch):
    # A constant gradient makes Adam's step constant, so SWATS switches after its second update.
    tx = optswitch.switch(swats_candidates(), selectors.swats("adam", "sgd", rtol=1e-3), on_switch=on_switch)
    g = grads_at(0)
    update = jax.jit(lambda s: tx.update(g, s, params()))
    state = tx.init(params())
    for _ in range(2):
        _, state = update(state)
    assert optswitch.active(state) == "sgd"
    estimate = state.selector_state.estimate
    updates, state = update(state)
    # Momentum from zero, learning rate (1 - beta1) Lambda: the first SGD step is -(1 - beta1) Lambda g.
    rate = (1 - 0.9) * estimate
    assert optax.tree.get(state, "learning_rate") == rate.astype(jnp.float32)
    jax.tree.map(lambda u, g: np.testing.assert_allclose(u, -rate * g, rtol=1e-6), updates, g)


def test_swats_handoff_leaves_sgd_alone_when_the_host_switches_before_swats_does():
    tx = optswitch.switch(swats_candidates(learning_rate=0.3), selectors.swats("adam", "sgd"))
    update = jax.jit(tx.update)
    state = optswitch.set_active(tx.init(params()), "sgd")
    updates, state = update(grads_at(0), state, params())
    assert float(optax.tree.get(state, "learning_rate")) == pytest.approx(0.3)
    jax.tree.map(lambda u, g: np.testing.assert_allclose(u, -0.3 * g, rtol=1e-6), updates, grads_at(0))
    assert not bool(state.selector_state.switched)


@pytest.mark.parametrize(
    ("sgd", "why"),
    [
        (optax.sgd(0.1, momentum=0.9), "is not injectable"),
        (optax.inject_hyperparams(optax.sgd)(learning_rate=optax.linear_schedule(0.1, 0.0, 10)), "is a schedule"),
    ],
    ids=["plain", "schedule"],
)
def test_swats_needs_an_injectable_constant_learning_rate_and_says_so_at_init(sgd, why):
    tx = optswitch.switch({"adam": optax.adam(1e-3), "sgd": sgd}, selectors.swats("adam", "sgd"))
    with pytest.raises(ValueError, match=f"learning_rate of the SGD candidate 'sgd' {why}.*inject_hyperparams"):
        tx.init(params())


def test_a_handoff_that_changes_the_state_structure_fails_at_init():
    grows = lambda from_state, to_state, context: (to_state, to_state)
    tx = optswitch.switch({"adam": optax.adam(1e-3), "sgd": optax.sgd(0.1)}, on_switch=grows)
    with pytest.raises(ValueError, match="the handoff of candidate 'adam' changed the structure"):
        tx.init(params())


RMSPROP_FORMS = {
    "rmsprop": lambda: optax.rmsprop(1e-2),
    "chain": lambda: optax.chain(optax.clip_by_global_norm(10.0), optax.rmsprop(1e-2)),
}


@pytest.mark.parametrize("rmsprop_form", list(RMSPROP_FORMS))
@pytest.mark.parametrize("adam_form", list(ADAM_FORMS))
def test_transfer_second_moment_carries_adams_nu_into_rmsprops_and_back(adam_form, rmsprop_form):
    adam, rmsprop = ADAM_FORMS[adam_form], RMSPROP_FORMS[rmsprop_form]
    tx = optswitch.switch(
        {"adam": adam(), "rmsprop": rmsprop()},
        selectors.schedule({0: "adam", 3: "rmsprop", 5: "adam"}),
        on_switch=handoff.transfer_second_moment(),
    )
    updates, state = run(tx, 6)

    _, adam_state = hand_run(adam(), 3)
    rms_state = optax.tree.set(rmsprop().init(params()), nu=optax.tree.get(adam_state, "nu"))
    _, rms_state = hand_run(rmsprop(), 2, rms_state, start=3)
    adam_state = optax.tree.set(adam_state, nu=optax.tree.get(rms_state, "nu"))
    ref_updates, adam_state = hand_run(adam(), 1, adam_state, start=5)
    assert_trees_equal(state.candidate_states, (adam_state, rms_state))
    assert_trees_equal(updates, ref_updates)
    assert int(optax.tree.get(state.candidate_states[0], "count")) == 4  # Adam's count and mu stay its own


def test_transfer_second_moment_with_b2_carries_adams_bias_corrected_estimate():
    b2 = 0.999
    tx = optswitch.switch(
        {"adam": optax.adam(1e-2, b2=b2), "rmsprop": optax.rmsprop(1e-2), "sgd": optax.sgd(0.1, momentum=0.9)},
        selectors.schedule({0: "adam", 3: "rmsprop", 5: "adam", 6: "sgd"}),
        on_switch=handoff.transfer_second_moment(scale=2.0, b2=b2),
    )
    _, state = run(tx, 7)

    _, adam_state = hand_run(optax.adam(1e-2, b2=b2), 3)
    carried = jax.tree.map(lambda nu: 2.0 * nu / (1 - b2**3), optax.tree.get(adam_state, "nu"))
    _, rms_state = hand_run(optax.rmsprop(1e-2), 2, optax.tree.set(optax.rmsprop(1e-2).init(params()), nu=carried), 3)
    back = jax.tree.map(lambda nu: 2.0 * nu * (1 - b2**4), optax.tree.get(rms_state, "nu"))
    _, adam_state = hand_run(optax.adam(1e-2, b2=b2), 1, optax.tree.set(adam_state, nu=back), start=5)
    # 1 - b2**3 is 0.003: float32's rounding of b2**3 (the switch's) weighs ~20x more in it than in b2**3.
    close = lambda a, e: np.testing.assert_allclose(a, e, rtol=1e-4)
    jax.tree.map(close, state.candidate_states[1], rms_state)
    jax.tree.map(close, state.candidate_states[0], adam_state)
    # SGD has no second moment: it starts from its own state.
    assert_trees_equal(state.candidate_states[2], hand_run(optax.sgd(0.1, momentum=0.9), 1, start=6)[1])


def test_second_moment_is_found_by_name_and_ambiguity_is_an_error():
    assert handoff.second_moment(optax.sgd(0.1).init(params())) is None
    both = optax.chain(optax.scale_by_adam(), optax.scale_by_rms())
    with pytest.raises(ValueError, match="2 second-moment buffers"):
        handoff.second_moment(both.init(params()))


WARMUP_COSINE = optax.warmup_cosine_decay_schedule(0.0, 1.0, warmup_steps=10, decay_steps=60, end_value=0.05)


def schedule_candidates():
    """Three ways to put a schedule in a candidate; each one's rate is readable from its update or state."""
    return {
        "sgd": optax.sgd(WARMUP_COSINE),  # scale_by_schedule: the update is -rate * g
        "injected": optax.inject_hyperparams(optax.sgd)(learning_rate=WARMUP_COSINE),
        "adam": optax.adam(WARMUP_COSINE),  # its bias correction must keep counting adam's own updates
    }


@pytest.mark.parametrize("inactive", ["freeze", "track"])
def test_sync_schedules_puts_every_candidate_on_the_run_clock(inactive):
    switches = {0: "sgd", 8: "injected", 13: "adam", 29: "sgd", 41: "injected", 55: "adam", 62: "sgd"}
    tx = optswitch.switch(
        schedule_candidates(), selectors.schedule(switches), inactive=inactive, on_switch=handoff.sync_schedules()
    )
    update = jax.jit(tx.update)
    p = params()
    state = tx.init(p)
    adam_updates = 0
    for t in range(70):
        g = grads_at(t)
        active = optswitch.active(state)
        updates, state = update(g, state, p)
        expected = WARMUP_COSINE(t)
        if active == "sgd":
            np.testing.assert_allclose(-updates["w"] / g["w"], expected, rtol=1e-6, atol=1e-9)
        elif active == "injected":
            rate = state.candidate_states[1].hyperparams["learning_rate"]
            np.testing.assert_allclose(rate, expected, rtol=1e-6)  # (jitted and eager cosines differ by an ulp)
            np.testing.assert_allclose(-updates["w"] / g["w"], expected, rtol=1e-6, atol=1e-9)
        else:
            adam_updates += 1
            schedule_state, adam_state = optax.tree.get_all_with_path(state.candidate_states[2], "count")[::-1]
            assert int(schedule_state[1]) == t + 1  # the count after the update at t, which used schedule(t)
            assert int(adam_state[1]) == (t + 1 if inactive == "track" else adam_updates)  # its own updates
    assert len(optswitch.summary(state).switches) == len(switches) - 1


def test_without_sync_schedules_a_frozen_candidate_keeps_its_own_clock():
    rate = optax.linear_schedule(1.0, 0.0, 100)
    tx = optswitch.switch(
        {"adam": optax.adam(rate), "sgd": optax.sgd(rate)}, selectors.schedule({0: "adam", 59: "sgd"})
    )
    updates, _ = run(tx, 60)
    np.testing.assert_allclose(-updates["w"] / grads_at(59)["w"], rate(0), rtol=1e-6)  # the 0.91 for 0.41
