"""selectors.halving: against a plain-Python reference of successive halving, on losses and on plain optax."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from helpers import assert_trees_equal, candidates, grads_at, params
from test_trials import fused_step

import optswitch
from optswitch import selectors
from optswitch.selectors._halving import rung_sizes, trial_lengths
from optswitch.selectors._trials import round_starts

FIVE = ("adam", "sgd", "rmsprop", "adam-3e-4", "lion")


def five():
    return {
        **candidates(),
        "adam-3e-4": optax.adam(3e-4),
        "lion": optax.lion(1e-4),
    }


def reference(update, world, n, steps, lengths, starts, *, eta, margin=0.01):
    """Successive halving in plain Python: returns who made each update.

    ``update(k, world) -> loss`` makes one update with candidate ``k``, changing ``world``, a dict holding
    ``"params"`` and ``"states"`` (a list, one per candidate).
    """
    made, active, rounds = [], 0, 0

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
        sizes = rung_sizes(n, eta)
        for rung, (size, length) in enumerate(zip(sizes, lengths, strict=True)):
            means, ends = {}, {}
            for k in order[:size]:
                world["params"], world["states"][k] = start_params, start_states[k]
                losses = [step(k) for _ in range(length) if len(made) < steps]
                if len(made) == steps:
                    return made
                means[k] = np.mean(np.float32(losses[-(length // 2) :]))
                ends[k] = world["params"], world["states"][k]
            if rung < len(sizes) - 1:
                order = sorted(order[:size], key=lambda k: (means[k], k))
        leader = order[0]
        for k in order[1:size]:
            if means[k] < means[leader] - margin * abs(means[leader]):
                leader = k
        world["params"] = ends[leader][0]
        world["states"] = [ends[k][1] if k == leader else start_states[k] for k in range(n)]
        active = leader
        if len(made) < steps:
            step(active)  # a round that ends is followed by at least one update of its winner
    return made


def trailing(made):
    """How many of the last updates the last candidate made in a row: the update's place in its trial."""
    k, count = made[-1], 0
    while count < len(made) and made[-1 - count] == k:
        count += 1
    return count


def history_losses(levels, slopes, noise, seed):
    """``loss(made)``: the last candidate's level, lowered by its slope per update into its trial, times noise."""
    table = np.random.default_rng(seed).standard_normal((len(levels), 1000))

    def loss(made):
        k = made[-1]
        return np.float32((levels[k] - slopes[k] * trailing(made)) * (1 + noise * table[k, len(made) % 1000]))

    return loss


@functools.cache
def loss_updater(tx):
    return jax.jit(lambda state, loss: tx.update(grads_at(0), state, params(), value=loss)[1])


def run_on_history(tx, loss, steps):
    state, made = tx.init(params()), []
    update = loss_updater(tx)
    for _ in range(steps):
        made.append(int(state.active))
        state = update(state, loss(made))
    return made, state


CASES = {  # candidates, eta, levels, slopes per update into a trial, noise; the winner
    "sgd clearly lower": (3, 2, (1.0, 0.8, 0.95), (0, 0, 0), 0.01, 1),
    "rmsprop lower, sgd too": (3, 2, (1.0, 0.9, 0.85), (0, 0, 0), 0.01, 2),
    # rmsprop ranks below sgd over 8 updates (0.902 against 0.9) and above it over 16 (0.895), by less than 1%.
    "lower in the last rung, within the 1% margin": (3, 2, (1.0, 0.9, 0.91), (0, 0, 0.0012), 0.0005, 1),
    "the incumbent lowest": (3, 2, (0.7, 0.9, 1.0), (0, 0, 0), 0.05, 0),
    # sgd leads over 8 updates, rmsprop over 16: the first rung keeps both, the second picks rmsprop.
    "a short lead dropped in the longer rung": (3, 2, (1.0, 0.8, 1.0), (0, 0, 0.02), 0.001, 2),
    "five candidates, three rungs": (5, 2, (1.0, 0.95, 0.9, 0.97, 0.85), (0, 0, 0, 0, 0), 0.01, 4),
    "nine candidates in two rungs": (9, 3, tuple(np.linspace(1.0, 0.8, 9)[::-1]), (0,) * 9, 0.005, 0),
}


def switch_of(n, selector):
    opts = (
        candidates()
        if n == 3
        else five()
        if n == 5
        else optswitch.learning_rate_multiples(candidates(), (10, 3, 1), share_state=False)
    )
    return optswitch.switch(opts, selector)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("warmup", [0, 70])
def test_the_switches_are_those_of_a_plain_python_reference(case, warmup):
    n, eta, levels, slopes, noise, winner = CASES[case]
    loss = history_losses(levels, slopes, noise, sum(map(ord, case)))
    tx = switch_of(n, selectors.halving(400, warmup=warmup, eta=eta, trial_length=8))
    lengths = trial_lengths(400, n, eta, 0.2, 8)
    steps = max(warmup, 1) + sum(size * length for size, length in zip(rung_sizes(n, eta), lengths, strict=True))
    made, _ = run_on_history(tx, loss, steps + 20)
    world, history = {"params": None, "states": [None] * n}, []
    expected = reference(
        lambda k, world: (history.append(k), loss(history))[1],
        world,
        n,
        steps + 20,
        lengths,
        round_starts(400, (0.0,), warmup, 1),
        eta=eta,
    )
    assert made == expected
    assert made[-20:] == [winner] * 20
    assert made[max(warmup, 1) : max(warmup, 1) + 8] == [0] * 8  # the incumbent's trial first


def test_the_first_rung_reads_a_short_lead_the_second_a_lasting_one():
    n, eta, levels, slopes, noise, _ = CASES["a short lead dropped in the longer rung"]
    made, _ = run_on_history(
        switch_of(n, selectors.halving(400, eta=eta, trial_length=8)), history_losses(levels, slopes, noise, 0), 60
    )
    # Rung 1: adam, sgd, rmsprop for 8 each; sgd (mean 0.8) ranks above rmsprop (1 - 0.02 * 6.5 = 0.87); rung 2:
    # sgd, then rmsprop for 16 each, where rmsprop's mean (1 - 0.02 * 12.5 = 0.75) beats sgd's.
    assert made[1:57] == [0] * 8 + [1] * 8 + [2] * 8 + [1] * 16 + [2] * 16
    assert set(made[57:]) == {2}


def test_only_a_round_s_start_and_its_trials_ends_carry_a_snapshot_request():
    tx = switch_of(3, selectors.halving(400, eta=2, trial_length=8))
    loss, update = history_losses((1.0, 0.8, 0.95), (0, 0, 0), 0.01, 0), loss_updater(tx)
    state, made, asked = tx.init(params()), [], []
    for t in range(120):
        made.append(int(state.active))
        state = update(state, loss(made))
        request = jax.device_get(state.selector_state.request)
        if request.save >= 0 or request.load >= 0 or request.keep_states or request.restore_states.any():
            asked.append(t)
    assert asked == [0, 8, 16, 24, 40, 56]  # the start; three trials of 8; two of 16


def test_the_winner_s_end_point_is_kept_and_the_losers_states_go_back_bit_for_bit():
    opts = five()
    steps = {name: fused_step(opt) for name, opt in opts.items()}
    world = {"params": params(), "states": [opt.init(params()) for opt in opts.values()]}
    clock = iter(range(10**6))

    def update(k, world):
        name = FIVE[k]
        world["params"], world["states"][k], loss = steps[name](world["params"], world["states"][k], next(clock))
        return loss

    selector = selectors.halving(400, warmup=10, eta=2, trial_length=8)
    lengths, starts = trial_lengths(400, 5, 2, 0.2, 8), round_starts(400, (0.0,), 10, 1)
    assert rung_sizes(5, 2) == [5, 3, 2] and lengths == [8, 16, 32]
    expected = reference(update, world, 5, 200, lengths, starts, eta=2)
    made, p, state = run_switch(optswitch.switch(five(), selector), 200)
    assert made == expected
    assert made[-1] != 0 and len(set(made[-10:])) == 1  # a challenger won, and trained on
    assert_trees_equal(p, world["params"])
    for k in range(5):
        assert_trees_equal(state.candidate_states[k], world["states"][k])


def run_switch(tx, steps, apply=True):
    step = fused_step(tx, apply)
    p, made = params(), []
    state = tx.init(p)
    for t in range(steps):
        made.append(int(state.active))
        p, state, _ = step(p, state, t)
    return made, p, state


def test_fused_and_unfused_make_the_same_choices_over_nine_copies():
    tx = switch_of(9, selectors.halving(500, trial_length=6))
    made_fused, p_fused, state_fused = run_switch(tx, 150)
    made, p, state = run_switch(tx, 150, apply=False)
    assert made == made_fused
    assert len(optswitch.summary(state).switches) >= 9  # nine trials of 6, three of 18
    assert optswitch.summary(state).switches == optswitch.summary(state_fused).switches
    jax.tree.map(lambda a, e: np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-6), p, p_fused)


def test_its_key_numbers_and_reasons_are_readable():
    tx = switch_of(3, selectors.halving(400, eta=2, trial_length=8))
    _, state = run_on_history(tx, history_losses((1.0, 0.8, 0.95), (0, 0, 0), 0.01, 0), 60)
    numbers = optswitch.metrics(state)
    assert int(numbers["optswitch/halving/rounds"]) == 1 and not bool(numbers["optswitch/halving/trialing"])
    assert int(numbers["optswitch/halving/rung"]) == 1
    assert 0.75 < float(numbers["optswitch/halving/leader_mean"]) < 0.85


def test_settings_default_from_the_run_length_and_bad_ones_are_refused():
    assert [rung_sizes(n, 3) for n in (1, 2, 3, 9, 15)] == [[1], [2], [3], [9, 3], [15, 5, 2]]
    assert rung_sizes(5, 2) == [5, 3, 2]
    assert trial_lengths(2000, 9, 3, 0.2, None) == [22, 66]  # 9 * 22 + 3 * 66 = 396 updates, under 20% of 2000
    assert trial_lengths(2000, 3, 3, 0.2, None) == [133]
    assert trial_lengths(100, 15, 3, 0.2, None) == [4, 12, 36]  # at least 4
    state = selectors.halving(1500).init(("a",) * 9)
    assert state.order.tolist() == list(range(9)) and state.means.shape == (9,)
    with pytest.raises(ValueError, match="eta=1"):
        selectors.halving(1000, eta=1)
    with pytest.raises(ValueError, match="exploration=0"):
        selectors.halving(1000, exploration=0)
    with pytest.raises(ValueError, match="trial_length=3"):
        selectors.halving(1000, trial_length=3)
    with pytest.raises(ValueError, match="no round begins"):
        selectors.halving(100, warmup=100)
    with pytest.raises(ValueError, match="run_length"):
        selectors.halving(0)


def test_update_without_params_is_refused_and_the_buffers_are_two_slots():
    tx = switch_of(3, selectors.halving(100))
    state = tx.init(params())
    assert len(state.snapshots.params) == 2
    assert jax.tree.structure(state.snapshots.candidate_states) == jax.tree.structure(state.candidate_states)
    with pytest.raises(ValueError, match="pass tx.update\\(grads, state, params\\)"):
        tx.update(grads_at(0), state, value=1.0)
    assert jnp.all(state.selector_state.means == jnp.inf)


def test_copies_that_share_a_state_are_refused():
    shared = optswitch.learning_rate_multiples(candidates(), (3, 1))
    with pytest.raises(ValueError, match="the halving selector restores each candidate's own state"):
        optswitch.switch(shared, selectors.halving(100)).init(params())


def run_with_failing_trials(levels: dict[str, float], failing, steps: int):
    """Halving over four candidates (``eta=2``: a rung of four trials of 4 updates, then the best two for 8) from
    update 1 on ``0.5 |w|^2``, the loss given as ``value`` scripted: each candidate's level, NaN at the second update
    of its trials where ``failing(name, rung_start)`` says. Returns who made each update, the parameters each started
    from, and the state."""
    tx = optswitch.switch(
        {"adam": optax.adam(0.1), "sgd": optax.sgd(0.1), "rmsprop": optax.rmsprop(0.1), "slow": optax.sgd(0.05)},
        selectors.halving(100, eta=2, trial_length=4),
    )
    w = {"w": jnp.asarray([1.0, -2.0, 3.0])}
    state, update_and_apply = tx.init(w), jax.jit(tx.update_and_apply)
    made, starts, in_trial = [], [], 0
    for t in range(steps):
        name = optswitch.active(state)
        in_trial = in_trial + 1 if t not in (1, 16) and made and made[-1] == name else 1
        loss = np.float32(np.nan if in_trial == 2 and failing(name, t) else levels[name])
        made.append(name)
        starts.append(np.asarray(w["w"]))
        w, state = update_and_apply(w, state, w, value=loss)
    return made, starts, state


def test_a_trial_whose_loss_is_not_finite_is_lost_ranked_last_and_the_round_goes_on():
    levels = {"adam": 1.0, "sgd": 0.5, "rmsprop": 0.8, "slow": 0.9}
    made, starts, state = run_with_failing_trials(levels, lambda name, t: name == "sgd" and t < 16, 40)
    # SGD's trial from update 5 is lost at its NaN (6): one more update from the round's start (7), thrown away. Its
    # mean, inf, ranks it last: the second rung runs RMSProp, then slow SGD, 8 updates each, and RMSProp wins.
    assert made[1:32] == ["adam"] * 4 + ["sgd"] * 3 + ["rmsprop"] * 4 + ["slow"] * 4 + ["rmsprop"] * 8 + ["slow"] * 8
    for t in (5, 7, 8, 12, 16, 24):
        np.testing.assert_array_equal(starts[t], starts[1])
    assert optswitch.active(state) == "rmsprop" and int(state.log.skipped) == 1


def test_when_every_trial_of_the_last_rung_is_lost_the_round_s_start_and_every_state_come_back():
    levels = {"adam": 1.0, "sgd": 0.5, "rmsprop": 0.8, "slow": 0.9}
    made, starts, state = run_with_failing_trials(levels, lambda name, t: 16 <= t < 23, 40)
    # The first rung runs whole (updates 1 to 16); the second's trials, SGD's from 17 and RMSProp's from 20, are both
    # lost: the round's start comes back, and the incumbent Adam trains on from it, its state as at the round's start
    # (its one update before the round) plus the 17 since.
    assert made[17:24] == ["sgd"] * 3 + ["rmsprop"] * 3 + ["adam"] and optswitch.active(state) == "adam"
    np.testing.assert_array_equal(starts[23], starts[1])
    assert int(optswitch.candidate_state(state, "adam")[0].count) == 1 + 17 and int(state.log.skipped) == 2
    np.testing.assert_array_equal(optswitch.candidate_state(state, "rmsprop")[0].nu["w"], np.zeros(3))
