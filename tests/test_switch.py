"""The switch combinator: exact trajectories, frozen and tracked states, compile counts, composition."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from helpers import assert_trees_equal, avals, candidates, grads_at, params

import optswitch
from optswitch import selectors

DTYPES = [jnp.float32, jnp.bfloat16]


def run_switch(tx, steps, dtype=jnp.float32, state=None, **extra_args):
    """Runs ``steps`` jitted updates on the fixed gradient sequence; returns per-step (updates, state) and params."""
    step_fn = jax.jit(lambda g, s, p: tx.update(g, s, p, **extra_args))
    p = params(dtype)
    state = tx.init(p) if state is None else state
    trace = []
    for t in range(steps):
        updates, state = step_fn(grads_at(t, dtype), state, p)
        p = optax.apply_updates(p, updates)
        trace.append((updates, state))
    return trace, p


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["adam", "sgd", "rmsprop"])
def test_one_candidate_is_that_optimizer_bit_for_bit(name, dtype):
    opt = candidates()[name]
    trace, final = run_switch(optswitch.switch({name: opt}), 20, dtype)
    reference = jax.jit(opt.update)
    p = params(dtype)
    state = opt.init(p)
    for t in range(20):
        updates, state = reference(grads_at(t, dtype), state, p)
        p = optax.apply_updates(p, updates)
        assert_trees_equal(trace[t][0], updates)
        assert_trees_equal(trace[t][1].candidate_states[0], state)
    assert_trees_equal(final, p)


def hand_run(segments, dtype=jnp.float32, reset=False):
    """The reference: each (name, steps) segment runs that optimizer alone, jitted, resuming (or restarting)."""
    opts = candidates()
    p = params(dtype)
    states = {name: opt.init(p) for name, opt in opts.items()}
    t, out = 0, []
    for name, steps in segments:
        if reset:
            states[name] = opts[name].init(p)
        update = jax.jit(opts[name].update)
        for _ in range(steps):
            updates, states[name] = update(grads_at(t, dtype), states[name], p)
            p = optax.apply_updates(p, updates)
            out.append((updates, dict(states)))
            t += 1
    return out, p


@pytest.mark.parametrize("on_switch", ["resume", "reset"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_schedule_matches_hand_run_reference(on_switch, dtype):
    tx = optswitch.switch(candidates(), selectors.schedule({0: "adam", 5: "sgd", 12: "adam"}), on_switch=on_switch)
    trace, final = run_switch(tx, 20, dtype)
    expected, expected_final = hand_run([("adam", 5), ("sgd", 7), ("adam", 8)], dtype, reset=on_switch == "reset")
    names = list(candidates())
    for (updates, state), (ref_updates, ref_states) in zip(trace, expected, strict=True):
        assert_trees_equal(updates, ref_updates)
        for k, name in enumerate(names):
            assert_trees_equal(state.candidate_states[k], ref_states[name])
    assert_trees_equal(final, expected_final)
    summary = optswitch.summary(trace[-1][1])
    assert summary.switches == [(5, "adam", "sgd"), (12, "sgd", "adam")]
    assert summary.updates == {"adam": 13, "sgd": 7, "rmsprop": 0}


def test_reset_restarts_adam_where_resume_continues_it():
    tx = lambda on_switch: optswitch.switch(
        candidates(), selectors.schedule({0: "adam", 3: "sgd", 6: "adam"}), on_switch=on_switch
    )
    (resumed_trace, resumed), (reset_trace, reset) = run_switch(tx("resume"), 8), run_switch(tx("reset"), 8)
    # Back on Adam at update 6: resumed, its count goes on from 3; reset, it starts again from 0.
    assert int(resumed_trace[-1][1].candidate_states[0][0].count) == 5
    assert int(reset_trace[-1][1].candidate_states[0][0].count) == 2
    for on_switch, final in (("resume", resumed), ("reset", reset)):
        _, expected = hand_run([("adam", 3), ("sgd", 3), ("adam", 2)], reset=on_switch == "reset")
        assert_trees_equal(final, expected)
    assert not np.array_equal(resumed["w"], reset["w"])


def test_inactive_states_are_bitwise_frozen():
    tx = optswitch.switch(candidates(), selectors.schedule({0: "adam", 4: "sgd", 9: "rmsprop"}))
    trace, _ = run_switch(tx, 12)
    runs = {0: range(0, 4), 1: range(4, 9), 2: range(9, 12)}
    initial = tx.init(params()).candidate_states
    for k, active_steps in runs.items():
        for t in range(12):
            before = trace[t - 1][1].candidate_states[k] if t else initial[k]
            after = trace[t][1].candidate_states[k]
            if t not in active_steps:
                assert_trees_equal(after, before)


def test_track_equals_running_each_candidate_separately():
    tx = optswitch.switch(candidates(), selectors.schedule({0: "adam", 3: "sgd", 7: "rmsprop"}), inactive="track")
    step_fn = jax.jit(tx.update)
    p = params()
    state = tx.init(p)
    opts = candidates()
    refs = {name: opt.init(p) for name, opt in opts.items()}
    active_by_step = ["adam"] * 3 + ["sgd"] * 4 + ["rmsprop"] * 3
    for t, active_name in enumerate(active_by_step):
        g = grads_at(t)
        updates, state = step_fn(g, state, p)
        ref_updates = {}
        for name, opt in opts.items():
            ref_updates[name], refs[name] = jax.jit(opt.update)(g, refs[name], p)
        assert_trees_equal(updates, ref_updates[active_name])
        for k, name in enumerate(opts):
            assert_trees_equal(state.candidate_states[k], refs[name])
        p = optax.apply_updates(p, updates)


def test_update_and_apply_matches_each_optimizer_applied_in_one_jit():
    # The reference applies the update in the same jitted function, as the fused path does: XLA may then
    # contract the multiply-add into an FMA, so a reference applied outside the jit could differ in the last bit.
    tx = optswitch.switch(candidates(), selectors.schedule({0: "rmsprop", 2: "sgd", 5: "adam"}))
    fused = jax.jit(tx.update_and_apply)
    p = ref_p = params()
    state = tx.init(p)
    opts = candidates()
    ref_states = {name: opt.init(p) for name, opt in opts.items()}
    for t, name in enumerate(["rmsprop"] * 2 + ["sgd"] * 3 + ["adam"] * 3):
        p, state = fused(grads_at(t), state, p)

        @jax.jit
        def reference(g, s, p, opt=opts[name]):
            updates, s = opt.update(g, s, p)
            return optax.apply_updates(p, updates), s

        ref_p, ref_states[name] = reference(grads_at(t), ref_states[name], ref_p)
        assert_trees_equal(p, ref_p)
        for k, candidate in enumerate(opts):
            assert_trees_equal(state.candidate_states[k], ref_states[candidate])


@pytest.mark.parametrize("inactive", ["freeze", "track"])
def test_compiles_once_across_selector_and_host_switches(inactive):
    traces = []
    tx = optswitch.switch(
        candidates(),
        selectors.schedule({0: "adam", 10: "sgd", 20: "rmsprop", 30: "adam"}),
        inactive=inactive,
        on_switch="reset",
    )

    @functools.partial(jax.jit, donate_argnums=(0, 1))
    def train_step(p, state, g):
        traces.append(None)
        updates, state = tx.update(g, state, p)
        return optax.apply_updates(p, updates), state

    p = params()
    state = tx.init(p)
    host_switches = {15: "rmsprop", 40: "sgd", 45: "adam"}
    for t in range(60):
        if t in host_switches:
            state = optswitch.set_active(state, host_switches[t])
        p, state = train_step(p, state, grads_at(t))
    # The schedule's switch to rmsprop at 20 finds rmsprop already active (set from the host at 15).
    assert optswitch.summary(state).switches == [
        (10, "adam", "sgd"),
        (15, "sgd", "rmsprop"),
        (30, "rmsprop", "adam"),
        (40, "adam", "sgd"),
        (45, "sgd", "adam"),
    ]
    assert len(traces) == 1
    assert train_step._cache_size() == 1


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("inactive", ["freeze", "track"])
def test_state_types_are_stable_through_every_update(dtype, inactive):
    opts = dict(candidates(), injected=optax.inject_hyperparams(optax.sgd)(learning_rate=0.1, momentum=0.9))
    tx = optswitch.switch(
        opts,
        selectors.schedule({0: "adam", 2: "injected", 4: "rmsprop", 6: "sgd"}),
        inactive=inactive,
        on_switch="reset",
    )
    p = params(dtype)
    state = tx.init(p)
    expected = avals(state)
    update = jax.jit(tx.update)
    for t in range(8):
        updates, state = update(grads_at(t, dtype), state, p)
        assert avals(state) == expected
        assert avals(updates) == avals(p)


@pytest.mark.parametrize("inactive", ["freeze", "track"])
def test_updates_come_out_at_the_promotion_of_the_candidates_update_dtypes(inactive):
    # Adam's updates from bfloat16 gradients are bfloat16, the widening candidate's float32: every branch returns
    # float32 (lax.switch needs branches that agree, and float32 loses nothing either candidate returns), each with
    # its own candidate's values.
    in_float32 = optax.stateless(lambda updates, params: jax.tree.map(lambda u: u.astype(jnp.float32), updates))
    # A power-of-two rate, so that -0.5 g is exact in bfloat16 whether or not XLA rounds before widening.
    widening = optax.chain(optax.sgd(0.5), in_float32)
    tx = optswitch.switch(
        {"adam": optax.adam(1e-2), "widening": widening},
        selectors.schedule({0: "widening", 2: "adam"}),
        inactive=inactive,
    )
    p = params(jnp.bfloat16)
    state = tx.init(p)
    update = jax.jit(tx.update)
    adam = optax.adam(1e-2)
    adam_state = adam.init(p)
    for t in range(4):
        g = grads_at(t, jnp.bfloat16)
        updates, state = update(g, state, p)
        assert all(leaf.dtype == jnp.float32 for leaf in jax.tree.leaves(updates))
        if t >= 2 or inactive == "track":  # a tracked Adam steps on every gradient
            adam_updates, adam_state = adam.update(g, adam_state, p)
        if t < 2:
            expected, _ = widening.update(g, widening.init(p), p)
            assert_trees_equal(updates, expected)
        else:  # Adam's bfloat16 arithmetic, widened: equal up to bfloat16's rounding (XLA may skip some of it)
            expected = adam_updates
            for leaf, reference in zip(jax.tree.leaves(updates), jax.tree.leaves(expected), strict=True):
                np.testing.assert_allclose(leaf, np.asarray(reference, np.float32), rtol=2**-7)


def test_a_rebuilt_transformation_keeps_its_fused_step_and_names():
    # JAX flattens a NamedTuple as a pytree; a tree map over anything holding the transformation rebuilds it.
    tx = optswitch.switch(candidates())
    rebuilt = jax.tree.map(lambda leaf: leaf, tx)
    assert isinstance(rebuilt, optswitch.SwitchTransformation) and isinstance(rebuilt, optax.GradientTransformation)
    assert rebuilt.names == ("adam", "sgd", "rmsprop")
    state = tx.init(params())
    assert_trees_equal(
        rebuilt.update_and_apply(grads_at(0), state, params()), tx.update_and_apply(grads_at(0), state, params())
    )


def test_composes_inside_chain_after_clipping():
    inner = optswitch.switch(candidates(), selectors.schedule({0: "sgd", 3: "adam"}))
    tx = optax.chain(optax.clip_by_global_norm(0.5), inner)
    p = params()
    state = tx.init(p)
    update = jax.jit(tx.update)
    clip = optax.clip_by_global_norm(0.5)
    opts = candidates()
    ref = {name: opt.init(p) for name, opt in opts.items()}
    for t in range(6):
        updates, state = update(grads_at(t), state, p)
        clipped, _ = clip.update(grads_at(t), clip.init(p))
        name = "sgd" if t < 3 else "adam"
        ref_updates, ref[name] = opts[name].update(clipped, ref[name], p)
        np.testing.assert_allclose(updates["w"], ref_updates["w"], rtol=1e-6)
    assert optswitch.active(state) == "adam"
    assert optswitch.summary(state).switches == [(3, "sgd", "adam")]


def test_inject_hyperparams_candidate_can_be_retuned_from_the_host():
    injected = optax.inject_hyperparams(optax.sgd)(learning_rate=0.1)
    tx = optswitch.switch({"adam": optax.adam(1e-3), "sgd": injected}, initial="sgd")
    p = params()
    state = tx.init(p)
    update = jax.jit(tx.update)
    updates, state = update(grads_at(0), state, p)
    np.testing.assert_allclose(updates["w"], -0.1 * grads_at(0)["w"], rtol=1e-6)
    state = optax.tree.set(state, learning_rate=jnp.asarray(0.5, jnp.float32))
    updates, state = update(grads_at(1), state, p)
    np.testing.assert_allclose(updates["w"], -0.5 * grads_at(1)["w"], rtol=1e-6)
    assert update._cache_size() == 1


def test_under_multisteps_the_switch_sees_accumulated_gradients():
    inner = optswitch.switch(candidates(), selectors.schedule({0: "sgd", 2: "adam"}))
    tx = optax.MultiSteps(inner, every_k_schedule=3)
    p = ref_p = params()
    state = tx.init(p)
    update = jax.jit(tx.update)
    opts = candidates()
    ref_states = {name: opt.init(p) for name, opt in opts.items()}
    for t in range(12):
        updates, state = update(grads_at(t), state, p)
        p = optax.apply_updates(p, updates)
        if t % 3 == 2:  # the reference: the candidate of the moment, on the mean of the last 3 gradients
            name = "sgd" if t < 6 else "adam"
            mean = jax.tree.map(lambda *g: sum(g) / 3, *[grads_at(s) for s in range(t - 2, t + 1)])
            ref_updates, ref_states[name] = jax.jit(opts[name].update)(mean, ref_states[name], ref_p)
            ref_p = optax.apply_updates(ref_p, ref_updates)
            jax.tree.map(lambda a, e: np.testing.assert_allclose(a, e, rtol=1e-6, atol=1e-7), p, ref_p)
        else:
            assert all(np.all(np.asarray(u) == 0) for u in jax.tree.leaves(updates))
    summary = optswitch.summary(state)
    assert summary.step == 4  # 12 micro-batches, every 3 -> 4 switch updates
    assert summary.updates == {"adam": 2, "sgd": 2, "rmsprop": 0}
    assert optswitch.active(state) == "adam"


def test_under_apply_if_finite_a_nan_gradient_makes_no_update():
    tx = optax.apply_if_finite(optswitch.switch(candidates(), selectors.schedule({0: "sgd", 2: "adam"})), 3)
    p = params()
    state = tx.init(p)
    update = jax.jit(tx.update)
    bad = jax.tree.map(lambda g: g.at[0].set(jnp.nan), grads_at(0))
    updates, state = update(bad, state, p)
    assert all(np.all(np.asarray(u) == 0) for u in jax.tree.leaves(updates))
    assert optswitch.summary(state).step == 0
    updates, state = update(grads_at(1), state, p)
    assert optswitch.summary(state).step == 1


def test_candidate_that_needs_value_gets_it_and_unknown_extra_args_are_ignored():
    plateau_sgd = optax.chain(optax.sgd(0.1), optax.contrib.reduce_on_plateau(patience=1, factor=0.5))
    tx = optswitch.switch({"plateau_sgd": plateau_sgd, "adam": optax.adam(1e-3)})
    p = params()
    state = tx.init(p)
    update = jax.jit(tx.update)
    for t in range(4):
        _, state = update(grads_at(t), state, p, value=jnp.asarray(1.0), unrelated=jnp.ones(7))
    scale = optax.tree.get(state, "scale")
    assert float(scale) < 1.0  # the loss never improved, so reduce_on_plateau cut the step
    with pytest.raises(TypeError, match="value"):
        update(grads_at(0), state, p)


def test_params_none_where_candidates_allow_it():
    tx = optswitch.switch(candidates(), selectors.schedule({0: "adam", 1: "sgd"}), on_switch="reset")
    state = tx.init(params())
    update = jax.jit(lambda g, s: tx.update(g, s))
    opts = candidates()
    reference = {name: opt.init(params()) for name, opt in opts.items()}
    for t, name in enumerate(["adam", "sgd", "sgd"]):
        updates, state = update(grads_at(t), state)
        expected, reference[name] = jax.jit(lambda g, s, opt=opts[name]: opt.update(g, s))(grads_at(t), reference[name])
        assert_trees_equal(updates, expected)
    for k, name in enumerate(opts):
        assert_trees_equal(state.candidate_states[k], reference[name])
    assert optswitch.summary(state).updates == {"adam": 1, "sgd": 2, "rmsprop": 0}


def test_the_log_keeps_the_latest_switches_after_wrapping():
    # Alternate every update: 30 switches through a log of 8.
    alternate = selectors.custom(lambda names: (), lambda signals, state: (1 - signals.active, state), reads=[])
    tx = optswitch.switch({"a": optax.sgd(0.1), "b": optax.adam(0.1)}, alternate, history=8)
    trace, _ = run_switch(tx, 31)
    summary = optswitch.summary(trace[-1][1])
    assert summary.num_switches == 31
    assert summary.updates == {"a": 16, "b": 15}
    names = ["a", "b"]
    assert summary.switches == [(t, names[(t - 1) % 2], names[t % 2]) for t in range(24, 32)]
    # Segments start at the oldest switch the log kept; the last switch (to "b") has made no update yet.
    assert summary.segments() == [(t, t + 1, names[t % 2]) for t in range(24, 31)]


def test_summary_segments_and_text():
    tx = optswitch.switch(candidates(), selectors.schedule({0: "adam", 5: "sgd", 12: "adam"}))
    trace, _ = run_switch(tx, 20)
    summary = optswitch.summary(trace[-1][1])
    assert summary.segments() == [(0, 5, "adam"), (5, 12, "sgd"), (12, 20, "adam")]
    text = str(summary)
    assert "3 candidates, 20 updates, 2 switches, active: adam" in text
    assert "       5: adam -> sgd" in text and "      12: sgd -> adam" in text


def test_train_step_with_gradients_born_inside_matches_the_hand_run_bit_for_bit():
    def loss(p, t):
        target = grads_at(t)
        return sum(jnp.sum(jnp.sin(p[k]) * target[k]) for k in p)

    def make_step(update, barrier=False):
        # The reference puts barriers where the conditional puts its boundaries, so that XLA fuses (and
        # contracts multiply-adds into FMAs) the same way in both.
        fence = jax.lax.optimization_barrier if barrier else lambda tree: tree

        @jax.jit
        def step(p, state, t):
            updates, state = update(fence(jax.grad(loss)(p, t)), state, p)
            return optax.apply_updates(p, fence(updates)), state

        return step

    tx = optswitch.switch(candidates(), selectors.schedule({0: "adam", 3: "sgd", 6: "rmsprop"}), on_switch="reset")
    step = make_step(tx.update)
    opts = candidates()
    ref_steps = {name: make_step(opt.update, barrier=True) for name, opt in opts.items()}
    p = ref_p = params()
    state = tx.init(p)
    ref_state = None
    for t, name in enumerate(["adam"] * 3 + ["sgd"] * 3 + ["rmsprop"] * 3):
        p, state = step(p, state, t)
        if t % 3 == 0:  # each candidate starts fresh (on_switch="reset"; adam from init)
            ref_state = opts[name].init(ref_p)
        ref_p, ref_state = ref_steps[name](ref_p, ref_state, t)
        assert_trees_equal(p, ref_p)
        assert_trees_equal(state.candidate_states[list(opts).index(name)], ref_state)


@pytest.mark.parametrize("name", ["custom", "swats"])
def test_a_state_can_be_donated_when_an_init_puts_one_array_in_two_fields(name):
    zero = jnp.zeros([])
    selector = {
        "custom": lambda: selectors.custom(lambda names: (zero, zero), lambda signals, state: (signals.active, state)),
        "swats": lambda: selectors.swats("adam", "sgd"),  # its init shares one zero among three fields
    }[name]()
    sgd = optax.inject_hyperparams(optax.sgd)(learning_rate=0.1, momentum=0.9)
    tx = optswitch.switch({"adam": optax.adam(1e-2), "sgd": sgd}, selector)
    step = jax.jit(lambda p, state, g: tx.update(g, state, p)[1], donate_argnums=1)
    state = tx.init(params())
    for t in range(2):  # XLA would refuse: "Attempt to donate the same buffer twice"
        state = step(params(), state, grads_at(t))
    assert int(state.step) == 2


def test_a_candidate_whose_init_keeps_the_parameters_can_be_donated_with_them():
    # Prodigy keeps the parameters it starts from and schedule-free its z as the parameters' own arrays; plain optax
    # then cannot donate (params, state) together ("Attempt to donate the same buffer twice"). The switch's state
    # holds arrays of its own, and its numbers stay plain optax's, bit for bit.
    for name, candidate in {
        "prodigy": optax.contrib.prodigy(),
        "free": optax.contrib.schedule_free_adamw(1e-2),
    }.items():
        tx = optswitch.switch({name: candidate})

        def train_step(carry, g, tx=tx):
            p, state = carry
            updates, state = tx.update(g, state, p)
            return optax.apply_updates(p, updates), state

        p = params()
        state = tx.init(p)
        leaves = {id(leaf) for leaf in jax.tree.leaves(p)}
        assert not any(id(leaf) in leaves for leaf in jax.tree.leaves(state)), name
        plain = (params(), candidate.init(params()))
        donated, undonated = jax.jit(train_step, donate_argnums=0), jax.jit(functools.partial(train_step, tx=candidate))
        carry = (p, state)
        for t in range(3):
            carry, plain = donated(carry, grads_at(t)), undonated(plain, grads_at(t))
        assert_trees_equal(carry[0], plain[0])
