"""selectors.trials and the snapshots it asks for: against a plain-Python reference of the rule, and plain optax."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from helpers import assert_trees_equal, candidates, grads_at, params

import optswitch
from optswitch import selectors
from optswitch.selectors._trials import round_starts

NAMES = ("adam", "sgd", "rmsprop")


def reference(update, world, n, steps, trial_length, starts, initial=0, margin=0.02, confidence=2.0):
    """The rule of ``trials`` in plain Python: returns who made each update.

    ``update(k, world) -> loss`` makes one update with candidate ``k``, changing ``world``, a dict holding
    ``"params"`` and ``"states"`` (a list, one per candidate).
    """
    made, active, rounds, half = [], initial, 0, trial_length // 2

    def step(k):
        made.append(k)
        return float(update(k, world))

    while len(made) < steps:
        if rounds == len(starts) or len(made) < starts[rounds]:
            step(active)
            continue
        rounds += 1
        start_params, start_states = world["params"], list(world["states"])
        order = [active] + [k for k in range(n) if k != active]
        losses, ends = {}, {}
        for k in order:
            world["params"] = start_params
            losses[k] = np.array([step(k) for _ in range(trial_length) if len(made) < steps][-half:])
            if len(made) == steps:
                return made
            ends[k] = world["params"]
        incumbent = losses[active].mean()
        winner, best = active, incumbent
        for k in order[1:]:
            differences = losses[k] - losses[active]
            error = differences.std(ddof=1) / np.sqrt(half)
            mean = losses[k].mean()
            beats = mean <= incumbent - margin * abs(incumbent) and -differences.mean() >= confidence * error
            if beats and mean < best:
                winner, best = k, mean
        world["params"] = ends[winner]
        world["states"] = [world["states"][k] if k == winner else start_states[k] for k in range(n)]
        active = winner
        if len(made) < steps:
            step(active)  # a round that ends is followed by at least one update of its winner
    return made


def synthetic_losses(seed, levels, noise):
    """``loss(k, t)``: candidate ``k``'s level times a seeded noise, the same at every ``t`` (trials in a round
    run one after the other: a loss that fell with ``t`` would favour the later ones)."""
    rng = np.random.default_rng(seed)
    table = rng.standard_normal((len(levels), 400))
    return lambda k, t: np.float32(levels[k] * (1 + noise * table[k, t]))


@functools.cache
def loss_updater(tx):
    return jax.jit(lambda state, loss: tx.update(grads_at(0), state, params(), value=loss)[1])


def run_on_losses(tx, loss, steps):
    state, made = tx.init(params()), []
    update = loss_updater(tx)
    for t in range(steps):
        k = int(state.active)
        made.append(k)
        state = update(state, loss(k, t))
    return made, state


CASES = {  # levels of adam, sgd, rmsprop; noise
    "sgd clearly lower": ((1.0, 0.8, 0.95), 0.01),
    "rmsprop lower, sgd too": ((1.0, 0.9, 0.85), 0.01),
    "within the 2% margin": ((1.0, 0.99, 0.995), 0.001),
    "5% lower but within noise": ((1.0, 0.95, 1.2), 0.3),
    "the incumbent lowest": ((0.7, 0.9, 1.0), 0.05),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("warmup", [0, 70])
def test_the_switches_are_those_of_a_plain_python_reference(case, warmup):
    levels, noise = CASES[case]
    loss = synthetic_losses(sum(map(ord, case)), levels, noise)
    settings = dict(run_length=400, trial_length=8, warmup=warmup)
    tx = optswitch.switch(candidates(), selectors.trials(**settings))
    made, _ = run_on_losses(tx, loss, 130)
    starts = round_starts(400, (0.1, 0.2), warmup, 0.25)
    world = {"params": None, "states": [None] * 3}
    counter = iter(range(10**6))
    expected = reference(lambda k, world: loss(k, next(counter)), world, 3, 130, 8, starts)
    assert made == expected
    assert made[40:48] == [0] * 8 if warmup == 0 else made[70:78] == [0] * 8  # the incumbent's trial first


def test_only_a_round_s_start_and_its_trials_ends_carry_a_snapshot_request():
    # In a whole run of 400 updates: the round starts after update start - 1 (0-based) and each of its three
    # trials ends trial_length updates later; every other update asks for nothing and pays only the predicate.
    tx = optswitch.switch(candidates(), selectors.trials(400, trial_length=8))
    loss, update = synthetic_losses(0, (1.0, 0.8, 0.95), 0.01), loss_updater(tx)
    state, asked = tx.init(params()), []
    for t in range(400):
        state = update(state, loss(int(state.active), t % 400))
        request = jax.device_get(state.selector_state.request)
        if request.save >= 0 or request.load >= 0 or request.keep_states or request.restore_states.any():
            asked.append(t)
    starts = round_starts(400, (0.1, 0.2), 0, 0.25)
    assert starts == [40, 80]
    assert asked == [start - 1 + k * 8 for start in starts for k in range(4)]  # 8 of the 400


def test_the_cases_cover_a_switch_and_each_margin():
    finals = {}
    for case, (levels, noise) in CASES.items():
        loss = synthetic_losses(sum(map(ord, case)), levels, noise)
        made, _ = run_on_losses(optswitch.switch(candidates(), selectors.trials(400, trial_length=8)), loss, 130)
        finals[case] = NAMES[made[-1]]
    assert finals == {
        "sgd clearly lower": "sgd",
        "rmsprop lower, sgd too": "rmsprop",
        "within the 2% margin": "adam",
        "5% lower but within noise": "adam",
        "the incumbent lowest": "adam",
    }


TARGET = {"w": jnp.linspace(-2, 2, 12).reshape(4, 3), "b": jnp.array([0.5, -1.0, 2.0])}
SCALES = {"w": jnp.linspace(0.1, 3, 12).reshape(4, 3), "b": jnp.array([1.0, 0.2, 5.0])}


def quadratic(p, t):
    """A loss whose curvature differs by direction, with a step-dependent shift (a batch's noise)."""
    noise = grads_at(t)
    terms = jax.tree.map(lambda p, c, s, e: s * (p - c - 0.05 * e) ** 2, p, TARGET, SCALES, noise)
    return sum(jnp.sum(term) for term in jax.tree.leaves(terms))


gradient = jax.jit(jax.value_and_grad(quadratic))


def fused_step(opt, apply=True):
    # The gradient in a jit of its own, the update in another, for the switch and the reference alike: XLA
    # fuses each the same way, where one jit holding both could round differently in the last bit.
    @jax.jit
    def update(p, state, loss, grads):
        if not apply:
            updates, state = opt.update(grads, state, p, value=loss)
            return optax.apply_updates(p, updates), state
        if hasattr(opt, "update_and_apply"):
            return opt.update_and_apply(grads, state, p, value=loss)
        updates, state = opt.update(grads, state, p)
        return optax.apply_updates(p, updates), state

    def step(p, state, t):
        loss, grads = gradient(p, t)
        return *update(p, state, loss, grads), loss

    return step


def run_switch(tx, steps, apply=True):
    step = fused_step(tx, apply)
    p, made = params(), []
    state = tx.init(p)
    for t in range(steps):
        made.append(int(state.active if isinstance(state, optswitch.SwitchState) else state[-1].active))
        p, state, _ = step(p, state, t)
    return made, p, state


def test_the_winner_s_end_point_is_kept_and_the_losers_states_go_back_bit_for_bit():
    opts = candidates()
    steps = {name: fused_step(opt) for name, opt in opts.items()}
    world = {"params": params(), "states": [opt.init(params()) for opt in opts.values()]}
    clock = iter(range(10**6))

    def update(k, world):
        name = NAMES[k]
        world["params"], world["states"][k], loss = steps[name](world["params"], world["states"][k], next(clock))
        return loss

    starts = round_starts(400, (0.1, 0.2), 0, 0.25)
    expected = reference(update, world, 3, 120, 8, starts)
    tx = optswitch.switch(candidates(), selectors.trials(400, trial_length=8))
    made, p, state = run_switch(tx, 120)
    assert made == expected
    assert len(set(made[105:])) == 1 and made[-1] != 0  # a challenger won a round, and trained on
    assert_trees_equal(p, world["params"])
    for k in range(3):
        assert_trees_equal(state.candidate_states[k], world["states"][k])


def test_update_lands_on_the_snapshot_up_to_rounding_and_makes_the_same_choices():
    tx = optswitch.switch(candidates(), selectors.trials(400, trial_length=8))
    made_fused, p_fused, state_fused = run_switch(tx, 120)
    made, p, state = run_switch(tx, 120, apply=False)
    assert made == made_fused
    assert optswitch.summary(state).switches == optswitch.summary(state_fused).switches
    jax.tree.map(lambda a, e: np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-6), p, p_fused)


def test_as_the_last_transformation_of_a_chain_it_restores_as_alone():
    alone = optswitch.switch(candidates(), selectors.trials(400, trial_length=8))
    chained = optax.chain(optax.clip_by_global_norm(1e3), alone)  # a clip that never bites
    made, p, _ = run_switch(alone, 100, apply=False)
    made_chained, p_chained, _ = run_switch(chained, 100, apply=False)
    assert made_chained == made
    assert_trees_equal(p_chained, p)


def test_fused_and_unfused_make_the_same_choices_on_a_small_regression():
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal((512, 8)), jnp.float32)
    y = jnp.asarray(np.tanh(np.asarray(x) @ rng.standard_normal(8)) + 0.1 * rng.standard_normal(512), jnp.float32)

    def loss_fn(p, t):
        rows = jax.lax.dynamic_slice_in_dim(jnp.arange(512), (t * 32) % 512, 32)
        hidden = jnp.tanh(x[rows] @ p["w1"])
        return jnp.mean((hidden @ p["w2"] - y[rows]) ** 2)

    def train(apply):
        tx = optswitch.switch(
            {"adam": optax.adam(1e-3), "sgd": optax.sgd(0.05, momentum=0.9), "rmsprop": optax.rmsprop(1e-3)},
            selectors.trials(500),
        )
        p = {"w1": jnp.asarray(rng_params.standard_normal((8, 16)) * 0.3, jnp.float32), "w2": jnp.zeros(16)}

        @jax.jit
        def step(p, state, t):
            loss, grads = jax.value_and_grad(loss_fn)(p, t)
            if apply:
                return tx.update_and_apply(grads, state, p, value=loss)
            updates, state = tx.update(grads, state, p, value=loss)
            return optax.apply_updates(p, updates), state

        state = tx.init(p)
        for t in range(150):
            p, state = step(p, state, t)
        return optswitch.summary(state)

    rng_params = np.random.default_rng(1)
    fused = train(True)
    rng_params = np.random.default_rng(1)
    unfused = train(False)
    assert fused.switches == unfused.switches and len(fused.switches) >= 4  # two rounds of three trials


def test_settings_default_from_the_run_length_and_bad_ones_are_refused():
    state = selectors.trials(1500).init(NAMES)
    assert state.incumbent_losses.shape == (7,)  # trial_length 15: its second half
    assert round_starts(1500, (0.1, 0.2), 0, 0.25) == [150, 300]
    assert round_starts(1500, (0.1, 0.2), 200, 0.25) == [200, 300]
    with pytest.raises(ValueError, match="no round begins before stop=0.25"):
        selectors.trials(1000, warmup=300)
    with pytest.raises(ValueError, match="trial_length=2"):
        selectors.trials(1000, trial_length=2)
    with pytest.raises(ValueError, match="run_length"):
        selectors.trials(0)
    with pytest.raises(ValueError, match="rounds="):
        selectors.trials(1000, rounds=(0.1, 1.5))


def test_update_without_params_is_refused():
    tx = optswitch.switch(candidates(), selectors.trials(100))
    state = tx.init(params())
    with pytest.raises(ValueError, match="pass tx.update\\(grads, state, params\\)"):
        tx.update(grads_at(0), state, value=1.0)


def test_only_a_selector_with_snapshots_has_their_buffers():
    assert optswitch.switch(candidates(), selectors.race(window=4)).init(params()).snapshots == ()
    state = optswitch.switch(candidates(), selectors.trials(100)).init(params())
    assert len(state.snapshots.params) == 2
    assert jax.tree.structure(state.snapshots.params[0]) == jax.tree.structure(params())
    assert jax.tree.structure(state.snapshots.candidate_states) == jax.tree.structure(state.candidate_states)


def run_with_failing_trials(failing: set[str], steps: int):
    """Trials over Adam, SGD and RMSProp (a round at update 10, trials of 4) on ``0.5 |w|^2``, the loss given as
    ``value`` scripted: RMSProp's 0.5, the others' 1.0, and NaN at the second update of a trial of a candidate in
    ``failing``. Returns who made each update, the parameters each started from, and the state."""
    tx = optswitch.switch(
        {"adam": optax.adam(0.1), "sgd": optax.sgd(0.1), "rmsprop": optax.rmsprop(0.1)},
        selectors.trials(100, trial_length=4, rounds=(0.1,), margin=0.0, confidence=0.0),
    )
    w = {"w": jnp.asarray([1.0, -2.0, 3.0])}
    state, update_and_apply = tx.init(w), jax.jit(tx.update_and_apply)
    made, starts, in_trial = [], [], 0
    for _ in range(steps):
        name = optswitch.active(state)
        in_trial = in_trial + 1 if len(made) != 10 and made and made[-1] == name else 1
        loss = np.float32(0.5 if name == "rmsprop" else 1.0)
        if name in failing and 10 <= len(made) < 19 and in_trial == 2:
            loss = np.float32(np.nan)
        made.append(name)
        starts.append(np.asarray(w["w"]))
        w, state = update_and_apply(w, state, w, value=loss)
    return made, starts, state


def test_a_trial_whose_loss_is_not_finite_is_lost_and_the_round_goes_on_from_its_start():
    made, starts, state = run_with_failing_trials({"sgd"}, 30)
    # Adam's trial from update 10; SGD's from 14, its loss NaN at 15 (skipped): the parameters go back to the round's
    # start, SGD makes one more update from it (16, thrown away), and RMSProp's trial begins at 17, from the start.
    assert made[10:22] == ["adam"] * 4 + ["sgd"] * 3 + ["rmsprop"] * 4 + ["rmsprop"]
    for t in (14, 16, 17):
        np.testing.assert_array_equal(starts[t], starts[10])
    assert optswitch.active(state) == "rmsprop" and int(state.log.skipped) == 1
    # The loser Adam's state went back to what it was at the round's start: the incumbent's 10 updates, not 14.
    assert int(optswitch.candidate_state(state, "adam")[0].count) == 10


def test_when_every_trial_is_lost_the_round_s_start_and_every_state_come_back():
    made, starts, state = run_with_failing_trials({"adam", "sgd", "rmsprop"}, 24)
    # Each trial: one update, a NaN, one update thrown away; then the incumbent Adam trains on from the start.
    assert made[10:20] == ["adam"] * 3 + ["sgd"] * 3 + ["rmsprop"] * 3 + ["adam"]
    np.testing.assert_array_equal(starts[19], starts[10])
    assert optswitch.active(state) == "adam" and int(state.log.skipped) == 3
    # Adam's state too: its 10 updates before the round and the 5 since, not its trial's 3.
    assert int(optswitch.candidate_state(state, "adam")[0].count) == 15
    np.testing.assert_array_equal(optswitch.candidate_state(state, "rmsprop")[0].nu["w"], np.zeros(3))
