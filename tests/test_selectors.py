"""Built-in selectors: exact switch steps on hand-built signals, references computed another way, real runs."""

import math
import re

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from helpers import bandit_reference, grads_at, params, race_reference
from problems import full_loss, train

import optswitch
from optswitch import Signals, selectors
from optswitch.selectors import _line_fit as line_fit
from optswitch.selectors import _race as selectors_race
from optswitch.selectors._race import Phase

NAN = float("nan")


def signals(step, active, loss=NAN, grad_sq_norm=NAN, update_sq_norm=NAN, update_dot_grad=NAN, probe=()):
    scalar = lambda x: jnp.asarray(x, jnp.float32)
    return Signals(
        step=jnp.asarray(step, jnp.int32),
        active=jnp.asarray(active, jnp.int32),
        steps_in_active=jnp.asarray(1, jnp.int32),
        loss=scalar(loss),
        grad_sq_norm=scalar(grad_sq_norm),
        update_sq_norm=scalar(update_sq_norm),
        update_dot_grad=scalar(update_dot_grad),
        extra={},
        probe=jax.tree.map(scalar, probe),
    )


def drive(selector, names, steps, observe, initial=0):
    """Runs ``selector`` in a closed loop: ``observe(t, active)`` gives the signals' fields after update ``t``.

    Returns the active candidate of every update (one more than ``steps``: the one chosen last) and the state.
    """
    select = jax.jit(selector.bound(names).select)
    state = selector.init(names)
    active = [initial]
    for t in range(steps):
        choice, state = select(signals(t, active[-1], **observe(t, active[-1])), state)
        active.append(int(choice))
    return active, state


def moves(active):
    """The updates at which a new candidate takes over."""
    return [t for t in range(1, len(active)) if active[t] != active[t - 1]]


# plateau


def noisy_losses(steps, seed):
    rng = np.random.default_rng(seed)
    trend = 1.0 / (1.0 + 0.05 * np.arange(steps))
    return (trend * (1 + 0.1 * rng.standard_normal(steps))).astype(np.float32)


@pytest.mark.parametrize(
    ("patience", "cooldown", "accumulation_size", "rtol", "atol"),
    [(3, 0, 1, 1e-4, 0.0), (2, 2, 1, 0.05, 0.0), (4, 1, 3, 0.0, 0.01), (1, 0, 2, 1e-3, 1e-3)],
)
def test_plateau_moves_exactly_when_reduce_on_plateau_reduces(patience, cooldown, accumulation_size, rtol, atol):
    losses = noisy_losses(240, seed=patience)
    config = dict(patience=patience, cooldown=cooldown, accumulation_size=accumulation_size, rtol=rtol, atol=atol)
    reference = optax.contrib.reduce_on_plateau(factor=0.5, **config)
    ref_update = jax.jit(lambda state, loss: reference.update(jnp.ones([]), state, value=loss)[1])
    ref_state, scales = reference.init(jnp.ones([])), []
    for loss in losses:
        ref_state = ref_update(ref_state, loss)
        scales.append(float(ref_state.scale))
    # reduce_on_plateau reduces the scale of update t itself; the selector's move applies from update t + 1.
    expected = [t + 1 for t in range(len(scales)) if scales[t] < (scales[t - 1] if t else 1.0)]
    assert len(expected) >= 3

    selector = selectors.plateau(cycle=True, **config)
    active, _ = drive(selector, ("a", "b", "c"), len(losses), lambda t, active: {"loss": losses[t]})
    assert moves(active) == expected
    assert active[expected[0]] == 1 and active[expected[1]] == 2 and active[expected[2]] == 0  # cycling

    # The same through the switch: its log records the first update of each new candidate.
    tx = optswitch.switch([optax.sgd(0.1)] * 3, selector, history=len(losses))
    update = jax.jit(lambda state, loss: tx.update(grads_at(0), state, params(), value=loss)[1])
    state = tx.init(params())
    for loss in losses:
        state = update(state, loss)
    assert [first for first, _, _ in optswitch.summary(state).switches] == expected


def test_plateau_stays_at_the_last_candidate_and_follows_its_order():
    selector = selectors.plateau(["sgd", "adam"], patience=2)
    names = ("adam", "sgd")
    assert selector.initial(names) == 1
    active, state = drive(selector, names, 12, lambda t, active: {"loss": 1.0}, initial=1)
    # Evaluations: t=0 improves on inf; t=1, 2 do not -> move at 2; t=3, 4 -> at the last one, stays.
    assert moves(active) == [3]
    assert active[3:] == [0] * 10
    assert float(state.best) == 1.0


def test_plateau_rejects_bad_configuration():
    with pytest.raises(ValueError, match="patience=0; it must be an int >= 1"):
        selectors.plateau(patience=0)
    with pytest.raises(ValueError, match="rtol and atol are both 0"):
        selectors.plateau(patience=3, rtol=0.0)
    with pytest.raises(ValueError, match="order='adam'"):
        selectors.plateau("adam", patience=3)
    with pytest.raises(ValueError, match="a candidate is named twice"):
        optswitch.switch({"adam": optax.adam(1e-3), "sgd": optax.sgd(0.1)}, selectors.plateau(["adam", 0], patience=3))


def test_plateau_on_digits_moves_when_the_rule_says_and_the_next_candidate_takes_over():
    # SGD at a tiny learning rate stalls; the plateau hands over to Adam.
    tx = optswitch.switch(
        {"slow": optax.sgd(1e-3), "adam": optax.adam(3e-3)},
        selectors.plateau(patience=3, accumulation_size=10, rtol=0.02),
    )
    final, state, losses = train(tx, 300)
    losses = np.asarray(losses)
    # Replay the rule on the losses the run recorded, in NumPy float32 as the selector averages them.
    best, plateau_count, switch_at, count, average = np.float32(np.inf), 0, None, 0, np.float32(0)
    for t, loss in enumerate(losses):
        average = (np.float32(count) * average + loss) / np.float32(count + 1)
        count += 1
        if count < 10:
            continue
        if average < np.float32(1 - 0.02) * best:
            best, plateau_count = average, 0
        else:
            plateau_count += 1
        count, average = 0, np.float32(0)
        if plateau_count == 3:
            switch_at = t + 1
            break
    summary = optswitch.summary(state)
    assert summary.switches == [(switch_at, "slow", "adam")]
    assert np.mean(losses[-20:]) < 0.5 * np.mean(losses[switch_at - 20 : switch_at])
    assert full_loss(final) < 0.5


# swats


def test_swats_switches_at_the_step_the_paper_gives_on_hand_built_signals():
    # gamma = p.p / -p.g is 2 for Adam's first update and 1 after, so Lambda_k - 1 = (1 - b2) b2^(k-1) / (1 - b2^k):
    # with b2 = 0.5, below atol = 1e-3 first at k = 10. Updates by another candidate and updates with p.g = 0 are
    # not counted as Adam steps or do not move the average.
    selector = selectors.swats("adam", "sgd", beta2=0.5, atol=1e-3)

    def observe(t, active):
        gamma = 2.0 if t == 0 else 1.0
        return {"update_sq_norm": gamma, "update_dot_grad": -1.0}

    active, state = drive(selector, ("adam", "sgd"), 15, observe)
    assert moves(active) == [10] and active[10:] == [1] * 6
    assert int(state.count) == 10 and bool(state.switched)
    expected = 1 + 0.5 * 0.5**9 / (1 - 0.5**10)
    np.testing.assert_allclose(float(state.estimate), expected, rtol=1e-6)
    assert float(state.estimate) - 1 <= 1e-3 < (1 + 0.5 * 0.5**8 / (1 - 0.5**9)) - 1

    # With p.g = 0 on updates 3 and 4, gamma is undefined there: the average skips them, k does not.
    def with_gaps(t, active):
        return {
            "update_sq_norm": 0.0 if t in (3, 4) else 2.0 if t == 0 else 1.0,
            "update_dot_grad": 0.0 if t in (3, 4) else -1.0,
        }

    active, state = drive(selector, ("adam", "sgd"), 15, with_gaps)
    lam, switch_at = 0.0, None
    for k in range(1, 16):
        if k - 1 in (3, 4):
            continue
        lam = 0.5 * lam + 0.5 * (2.0 if k == 1 else 1.0)
        if k > 1 and abs(lam / (1 - 0.5**k) - 1.0) <= 1e-3:
            switch_at = k
            break
    assert moves(active) == [switch_at]

    # From the host, SGD runs updates 3 to 6: SWATS keeps it, and counts only Adam's updates toward k = 10.
    select = jax.jit(selector.bound(("adam", "sgd")).select)
    state, choices, adam_updates = selector.init(("adam", "sgd")), [], 0
    for t in range(16):
        running = {0: 0, 3: 1, 7: 0}.get(t, choices[-1] if choices else 0)
        gamma = 2.0 if adam_updates == 0 else 1.0
        adam_updates += running == 0
        choice, state = select(signals(t, running, update_sq_norm=gamma, update_dot_grad=-1.0), state)
        choices.append(int(choice))
    assert choices[3:7] == [1] * 4 and choices.index(1, 7) == 13  # the 10th Adam update is update 13


def swats_reference(grad_fn, w, steps, lr, b1, b2, eps, atol, rtol):
    """Keskar & Socher's Algorithm 1 in NumPy, with Adam's step as optax.adam takes it (Kingma & Ba's form)."""
    m, a, v = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    lam, k, phase, switch_at, estimate = 0.0, 0, "adam", None, None
    for t in range(steps):
        g = grad_fn(w)
        if phase == "sgd":
            v = b1 * v + g
            w = w - (1 - b1) * estimate * v
            continue
        k += 1
        m = b1 * m + (1 - b1) * g
        a = b2 * a + (1 - b2) * g * g
        p = -lr * (m / (1 - b1**k)) / (np.sqrt(a / (1 - b2**k)) + eps)
        w = w + p
        if p @ g != 0:
            gamma = (p @ p) / -(p @ g)
            lam = b2 * lam + (1 - b2) * gamma
            big_lambda = lam / (1 - b2**k)
            if k > 1 and big_lambda > 0 and abs(big_lambda - gamma) <= atol + rtol * abs(gamma):
                phase, switch_at, estimate, v = "sgd", t + 1, big_lambda, np.zeros_like(w)
    return w, switch_at, estimate


@pytest.mark.parametrize(("atol", "rtol"), [(1e-9, 1e-4), (5e-7, 0.0)])
def test_swats_matches_a_numpy_implementation_of_the_paper_in_float64(atol, rtol):
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(64, 8))
    labels = (inputs @ rng.normal(size=8) + 0.5 * rng.normal(size=64) > 0).astype(np.float64)

    def numpy_grad(w):
        return inputs.T @ (1 / (1 + np.exp(-(inputs @ w))) - labels) / len(labels)

    lr, steps = 1e-3, 400
    expected_w, expected_switch, expected_estimate = swats_reference(
        numpy_grad, np.zeros(8), steps, lr, 0.9, 0.999, 1e-8, atol, rtol
    )
    assert expected_switch is not None and expected_switch < steps - 100

    with jax.enable_x64(True):
        x, y = jnp.asarray(inputs), jnp.asarray(labels)
        loss = lambda w: jnp.mean(jnp.logaddexp(0, x @ w) - y * (x @ w))
        sgd = optax.inject_hyperparams(optax.sgd)(learning_rate=0.0, momentum=0.9)
        tx = optswitch.switch(
            {"adam": optax.adam(lr), "sgd": sgd}, selectors.swats("adam", "sgd", atol=atol, rtol=rtol)
        )

        @jax.jit
        def run(w):
            def step(carry, _):
                w, state = carry
                updates, state = tx.update(jax.grad(loss)(w), state, w)
                return (optax.apply_updates(w, updates), state), None

            return jax.lax.scan(step, (w, tx.init(w)), length=steps)[0]

        w, state = run(jnp.zeros(8))
        assert w.dtype == jnp.float64 and state.selector_state.estimate.dtype == jnp.float64
        assert optswitch.summary(state).switches == [(expected_switch, "adam", "sgd")]
        np.testing.assert_allclose(float(state.selector_state.estimate), expected_estimate, rtol=1e-12)
        np.testing.assert_allclose(float(optax.tree.get(state, "learning_rate")), 0.1 * expected_estimate, rtol=1e-12)
        np.testing.assert_allclose(np.asarray(w), expected_w, rtol=1e-10, atol=1e-12)


def test_swats_reads_its_reductions_only_after_adam_updates():
    selector = selectors.swats("adam", "sgd")
    assert selector.reads_for(("sgd", "adam")) == (frozenset(), frozenset({"update_sq_norm", "update_dot_grad"}))
    assert not selector.needs_value


def adam_on_digits(learning_rate, steps, batch_size=64):
    """Plain ``optax.adam`` on :func:`problems.train`'s MLP and minibatches: each update's gradient and step.

    Returns two float64 arrays ``[steps, number of parameters]``, the gradients and Adam's steps, flattened.
    """
    from problems import batches, digits, init_mlp, loss_fn

    inputs, labels = digits()
    adam, start = optax.adam(learning_rate), init_mlp(0)
    flat = lambda tree: jnp.concatenate([leaf.ravel() for leaf in jax.tree.leaves(tree)])

    def one(carry, batch):
        params, state = carry
        grads = jax.grad(loss_fn)(params, inputs[batch], labels[batch])
        updates, state = adam.update(grads, state, params)
        return (optax.apply_updates(params, updates), state), (flat(grads), flat(updates))

    run = jax.jit(lambda indices: jax.lax.scan(one, (start, adam.init(start)), indices)[1])
    grads, steps_taken = run(batches(steps, batch_size))
    return np.asarray(grads, np.float64), np.asarray(steps_taken, np.float64)


def test_swats_on_digits_hands_its_estimate_to_sgd_and_starts_its_momentum_from_zero():
    sgd = optax.inject_hyperparams(optax.sgd)(learning_rate=0.0, momentum=0.9)
    tx = optswitch.switch({"adam": optax.adam(3e-3), "sgd": sgd}, selectors.swats("adam", "sgd", rtol=1e-2))
    _, state, losses = train(tx, 120)
    # The paper's rule in float64 on the steps and gradients of plain Adam on the same minibatches.
    lam, expected_switch, expected_estimate = 0.0, None, None
    for k, (g, p) in enumerate(zip(*adam_on_digits(3e-3, 120), strict=True), start=1):
        gamma = (p @ p) / -(p @ g)
        lam = 0.999 * lam + 0.001 * gamma
        big_lambda = lam / (1 - 0.999**k)
        if k > 1 and big_lambda > 0 and abs(big_lambda - gamma) <= 1e-9 + 1e-2 * abs(gamma):
            expected_switch, expected_estimate = k, big_lambda
            break
    assert expected_switch is not None and 5 < expected_switch < 100
    summary = optswitch.summary(state)
    assert summary.switches == [(expected_switch, "adam", "sgd")]
    assert summary.updates == {"adam": expected_switch, "sgd": 120 - expected_switch}
    estimate = float(state.selector_state.estimate)
    np.testing.assert_allclose(estimate, expected_estimate, rtol=1e-4)
    assert float(optax.tree.get(state, "learning_rate")) == np.float32(0.1 * np.float32(estimate))
    assert np.all(np.isfinite(np.asarray(losses))) and float(losses[-10:].mean()) < float(losses[:10].mean())


# bandit


def phased_rates(t, k):
    """Candidate 0 is fastest early, candidate 2 late, candidate 1 never: the best one changes as training goes."""
    late = t > 600
    return [0.02 if not late else 0.002, 0.005, 0.004 if not late else 0.01][k]


@pytest.mark.parametrize("strategy", ["ucb", "thompson", "epsilon_greedy"])
def test_bandit_decisions_match_a_numpy_reference(strategy):
    config = dict(window=20, strategy=strategy, discount=0.8, seed=3, exploration=0.5, epsilon=0.2)
    selector = selectors.bandit(**config)
    state = {"log_loss": 0.0}

    def observe(t, active):
        state["log_loss"] -= phased_rates(t, active)
        return {"loss": math.exp(state["log_loss"])}

    steps = 1200
    active, _ = drive(selector, ("a", "b", "c"), steps, observe)
    state["log_loss"] = 0.0
    expected = bandit_reference(lambda t, active: observe(t, active)["loss"], 3, steps, **config)
    assert active == expected
    first_windows = [active[20 * w] for w in range(4)]
    assert first_windows == [0, 1, 2, first_windows[3]]  # every candidate is tried first, in order
    runs = np.bincount(active[:600], minlength=3), np.bincount(active[700:], minlength=3)
    assert runs[0].argmax() == 0 and runs[1].argmax() == 2  # it follows the best candidate as that changes


def test_bandit_greedy_on_hand_built_losses_switches_at_the_window_boundaries():
    selector = selectors.bandit(window=5, exploration=0.0)
    rates = [0.1, 0.01]
    state = {"log_loss": 0.0}

    def observe(t, active):
        state["log_loss"] -= rates[active]
        return {"loss": math.exp(state["log_loss"])}

    active, bandit_state = drive(selector, ("adam", "sgd"), 30, observe)
    assert moves(active) == [5, 10]  # tries sgd after adam's window, then goes back for good
    np.testing.assert_allclose(float(bandit_state.last_reward), 0.1, rtol=1e-4)
    np.testing.assert_allclose(np.asarray(bandit_state.reward_sums / bandit_state.weights), rates, rtol=1e-4)


def test_bandit_ignores_non_positive_losses_and_restarts_a_window_after_a_host_switch():
    selector = selectors.bandit(window=3)
    select = jax.jit(selector.bound(("a", "b")).select)
    state = selector.init(("a", "b"))
    for t, (active, loss) in enumerate([(0, 1.0), (0, 0.0), (0, -1.0), (0, 0.9), (1, 0.8), (1, 0.7)]):
        _, state = select(signals(t, active, loss=loss), state)
        assert np.all(np.isfinite(np.asarray(state.trend)))
    # The zero and negative losses did not count; b's window began afresh after two updates by a.
    assert int(state.windows) == 0 and int(state.window_updates) == 2 and int(state.arm) == 1


def test_bandit_rejects_bad_configuration():
    with pytest.raises(ValueError, match="window=1"):
        selectors.bandit(window=1)
    with pytest.raises(ValueError, match=r"strategy='greedy'; choose from \['ucb', 'thompson', 'epsilon_greedy'\]"):
        selectors.bandit(window=5, strategy="greedy")
    with pytest.raises(ValueError, match="discount=0.0"):
        selectors.bandit(window=5, discount=0.0)


def test_bandit_on_digits_tries_every_candidate_and_decides_as_the_reference():
    candidates = {"adam": optax.adam(3e-3), "sgd": optax.sgd(0.1, momentum=0.9), "slow": optax.sgd(1e-3)}
    tx = optswitch.switch(candidates, selectors.bandit(window=25, strategy="thompson", seed=1))
    _, state, losses = train(tx, 400)
    summary = optswitch.summary(state)
    assert all(count >= 25 for count in summary.updates.values())
    assert summary.updates["slow"] < summary.updates["sgd"]  # the stalled candidate is not kept

    # The decisions follow from the losses alone, by the rule as the NumPy reference computes it.
    names = list(candidates)
    by_update = [names.index(name) for first, stop, name in summary.segments() for _ in range(first, stop)]
    config = dict(window=25, strategy="thompson", discount=0.9, seed=1, exploration=1.0, epsilon=0.1)
    expected = bandit_reference(lambda t, active: float(losses[t]), 3, 400, **config)
    assert [*by_update, names.index(summary.active)] == expected


# race


def phased_losses(rates, noise=0.0, seed=0):
    """``losses_of(t, active)``: the loss falls by ``rates(t, active)`` in log per update, times lognormal noise."""
    rng = np.random.default_rng(seed)
    log_loss = {"value": 0.0}

    def losses_of(t, active):
        observed = math.exp(log_loss["value"] + noise * rng.standard_normal())
        log_loss["value"] -= rates(t, active)
        return observed

    return losses_of


def race_rates(t, k):
    """Candidate 0 is fastest until update 100, then nearly stalls; 1 is steady; 2 is slow throughout."""
    return [0.05 if t < 100 else 0.001, 0.02, 0.005][k]


def test_race_switches_at_the_steps_the_rule_gives_on_exact_rates():
    selector = selectors.race(window=10, growth=2.0, fraction=0.125)
    losses_of = phased_losses(race_rates)
    active, state = drive(selector, ("a", "b", "c"), 400, lambda t, active: {"loss": losses_of(t, active)})
    # The race: legs a b c | c b a, 10 updates each; a wins (0.05 against 0.02 and 0.005) and keeps running, in
    # windows of max(10, round(t / 8)) updates: 60-70-80-90-101-114-128. The first to end past 2 x 60 = 120
    # starts a duel: the runner-up b trains for 16 updates and, a having stalled at update 100, takes over at
    # once (at 144: b is already running). Leader windows 144-162-182-205-231-260-292 end past 2 x 144; a
    # challenges for round(36.5) = 36 updates, loses, and b closes the duel for 36 more.
    assert moves(active) == [10, 20, 40, 50, 128, 292, 328]
    assert int(state.leader) == 1 and int(state.duels) == 2
    # Standings over b's rate: a's from the last duel, c's from the race (0.005 / 0.05) carried over b's takeover.
    np.testing.assert_allclose(np.asarray(state.standing), [0.001 / 0.02, 1.0, 0.1 * 0.001 / 0.02], rtol=1e-3)
    np.testing.assert_allclose(float(state.before), 0.02, rtol=1e-4)


@pytest.mark.parametrize(("confidence", "fraction", "seed"), [(1.0, 0.125, 0), (0.0, 0.0, 1), (2.0, 0.25, 2)])
def test_race_decisions_match_a_python_reference_on_noisy_losses(confidence, fraction, seed):
    config = dict(order=[2, 0, 1], window=12, growth=1.5, fraction=fraction, confidence=confidence, margin=0.0)
    rates = lambda t, k: [0.004 if t < 300 else 0.012, 0.01, 0.006 + 0.00001 * t][k]
    selector = selectors.race(**config)
    observed = phased_losses(rates, noise=0.02, seed=seed)
    losses = {}

    def observe(t, active):
        losses[t] = observed(t, active)
        return {"loss": losses[t]}

    active, _ = drive(selector, ("a", "b", "c"), 900, observe, initial=2)
    replayed = race_reference(lambda t, active: losses[t], 3, 900, **config)
    assert active == replayed
    assert len(moves(active)) >= 6  # the race, and duels that change the leader as the rates cross


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_race_with_warmup_stop_and_margin_matches_a_python_reference(seed):
    # b and c are within 2-5% of each other, under the margin of 5% and above the noise of a rate over 12 updates
    # (about 1.5%): the margin, not the noise, decides their first duels. The stop falls inside the first
    # challenger window past update 300, so that a duel is dropped there.
    order, steps = [2, 0, 1], 900
    rates = lambda t, k: [0.004 if t < 300 else 0.012, 0.0100, 0.0102 - 0.000002 * t][k]
    config = dict(order=order, window=12, growth=1.5, fraction=0.125, confidence=1.0, warmup=30)
    config |= dict(margin=selectors_race.DEFAULT_MARGIN)
    unstopped = race_reference(phased_losses(rates, noise=0.002, seed=seed), 3, steps, **config)
    stop = next(t for t in moves(unstopped) if t > 300) + 6  # a challenger window lasts at least 12 updates
    observed, losses = phased_losses(rates, noise=0.002, seed=seed), {}

    def observe(t, active):
        losses[t] = observed(t, active)
        return {"loss": losses[t]}

    active, state = drive(selectors.race(**config, stop=stop), ("a", "b", "c"), steps, observe, initial=2)
    replayed = race_reference(lambda t, active: losses[t], 3, steps, **config, stop=stop)
    assert active == replayed
    assert active[:31] == [2] * 31 and moves(active)[0] == 30 + 12  # the warmup, then c's leg of the race
    assert active[stop - 1] == unstopped[stop - 1] != active[stop]  # the duel dropped at the stop
    assert active[stop:] == [active[stop]] * (steps + 1 - stop) and int(state.leader) == active[stop]
    assert int(state.updates) == steps


@pytest.mark.parametrize(
    ("margin", "order", "leader", "switches"),
    [(0.05, [0, 1], 0, [10, 30, 80, 90]), (0.05, [1, 0], 1, [10, 30, 80, 90]), (0.0, [0, 1], 1, [10, 30, 40, 80, 90])],
)
def test_race_a_near_tie_goes_to_the_candidate_first_in_order_within_the_margin(margin, order, leader, switches):
    # b is 1% faster than a: within a margin of 5% the first in order wins the race (legs of 10 updates, ending
    # at 40), and the duel from update 80 (the challenger 80-90, the leader 90-100) does not overturn it. Compared
    # exactly, b wins.
    rates = lambda t, k: [0.01, 0.0101][k]
    selector = selectors.race(order, window=10, fraction=0.0, margin=margin)
    run = phased_losses(rates)
    active, state = drive(selector, ("a", "b"), 150, lambda t, active: {"loss": run(t, active)}, initial=order[0])
    assert moves(active) == switches and active[-1] == int(state.leader) == leader and int(state.duels) == 1


@pytest.mark.parametrize(("race_confidence", "leader"), [(0.0, 1), (2.0, 1), (2.2, 0), (3.0, 0)])
def test_race_a_lead_within_the_noise_goes_to_the_candidate_first_in_order(race_confidence, leader):
    # The last leg of a race a b b a, a's: a's two rates 0.010, b's 0.013, each with variance 2e-6. The scores (the
    # means of two rates) 0.010 and 0.013 have variances 1e-6; their difference's standard deviation is
    # sqrt(2e-6) = 0.00141, so b's lead of 0.003 is 2.12 of them. b leads when the race asks for up to 2.12 of them,
    # and a, first in order, beyond.
    snap = dict(phase="race", leg=3, race_rates={0: [(0.010, 2e-6)], 1: [(0.013, 2e-6)] * 2}, leader=0, arm=0)
    state = as_race_state(
        snap | dict(challenger=0, standing={}, next_duel=0, updates=40, before=(0, 0), challenge=(0, 0)), 2
    )
    config = selectors_race.RaceConfig(10, 2.0, 0.0, 1.0, margin=0.05, race_confidence=race_confidence)
    facts = selectors_race.facts_of(state, config, [0, 1])
    decided, chosen = selectors_race.PHASES[Phase.RACING](state, jnp.float32(0.010), jnp.float32(2e-6), config, facts)
    assert int(chosen) == int(decided.leader) == leader and int(decided.phase) == Phase.LEADING
    np.testing.assert_allclose(decided.race_variances, [4e-6, 4e-6], rtol=1e-6)


@pytest.mark.parametrize(("extra_rounds", "leader", "legs"), [(0, 0, [2, 2]), (1, 1, [4, 4])])
def test_race_runs_a_round_again_over_candidates_within_the_noise(extra_rounds, leader, legs):
    # a's rates 0.010 and b's 0.013, each with variance 4e-6. After a b b a the scores' variances are 2e-6, their
    # difference's standard deviation 0.002: b's lead of 0.003 is 1.5 of them, within the race's 2, so a, first in
    # order, leads. With a round again over a and b, the same rates again: the scores' variances are 4 x 4e-6 / 16 =
    # 1e-6, the standard deviation 0.00141, and the lead 2.12 of them: b leads.
    snap = dict(phase="race", leg=3, race_rates={0: [(0.010, 4e-6)], 1: [(0.013, 4e-6)] * 2}, leader=0, arm=0)
    state = as_race_state(
        snap | dict(challenger=0, standing={}, next_duel=0, updates=40, before=(0, 0), challenge=(0, 0)), 2
    )
    config = selectors_race.RaceConfig(10, 2.0, 0.0, 1.0, margin=0.05, race_confidence=2.0, extra_rounds=extra_rounds)
    facts = selectors_race.facts_of(state, config, [0, 1])
    race_leg, rates = jax.jit(selectors_race.PHASES[Phase.RACING], static_argnums=3), {0: 0.010, 1: 0.013}
    state, chosen = race_leg(state, jnp.float32(0.010), jnp.float32(4e-6), config, facts)
    arms = [int(chosen)]
    while int(state.phase) == Phase.RACING:
        state, chosen = race_leg(
            state._replace(arm=chosen), jnp.float32(rates[arms[-1]]), jnp.float32(4e-6), config, facts
        )
        arms.append(int(chosen))
    assert int(state.leader) == arms[-1] == leader and int(state.rounds) == extra_rounds
    assert arms[:-1] == ([0, 1, 1, 0] if extra_rounds else [])  # the round again: a b b a
    np.testing.assert_array_equal(state.race_legs, legs)
    np.testing.assert_allclose(selectors_race.race_scores(state)[0], [0.010, 0.013], rtol=1e-6)


@pytest.mark.parametrize("seed", [3, 4])
def test_race_with_extra_rounds_matches_the_python_reference(seed):
    # c and b are within the noise of each other on these seeds at 2.5 standard deviations: they race again.
    rates = lambda t, k: [0.004 if t < 300 else 0.012, 0.01, 0.006 + 0.00001 * t][k]
    config = dict(order=[2, 0, 1], window=12, growth=1.5, fraction=0.125, confidence=1.0)
    config |= dict(margin=selectors_race.DEFAULT_MARGIN, race_confidence=2.5, extra_rounds=1)
    observed, losses = phased_losses(rates, noise=0.02, seed=seed), {}

    def observe(t, active):
        losses[t] = observed(t, active)
        return {"loss": losses[t]}

    active, state = drive(selectors.race(**config), ("a", "b", "c"), 600, observe, initial=2)
    assert active == race_reference(lambda t, active: losses[t], 3, 600, **config)
    # The legs c a b b a c, then c and b again: c b b c.
    assert int(state.rounds) == 1 and moves(active)[:6] == [12, 24, 48, 60, 84, 108]
    assert active[72:120:12] == [2, 1, 1, 2]


@pytest.mark.parametrize("seed", [1, 2, 4])
def test_race_on_a_plateau_leads_with_the_first_in_order_only_when_asked_for_confidence(seed):
    # Every candidate's loss is flat with noise: which scores best is luck (b or c on these seeds, as the reference
    # races), unless the race asks for a lead beyond the noise, when a, first in order, leads. (Not on every seed:
    # on 2 of 10, noise alone puts one of two rivals 2 standard deviations ahead.)
    rng = np.random.default_rng(seed)
    losses = [float(np.exp(0.05 * rng.standard_normal())) for _ in range(60)]
    drive_race = lambda race_confidence: drive(
        selectors.race(window=10, fraction=0.0, stop=60, race_confidence=race_confidence),
        ("a", "b", "c"),
        60,
        lambda t, active: {"loss": losses[t]},
    )[1]
    lucky = race_reference(lambda t, active: losses[t], 3, 60, [0, 1, 2], 10, 2.0, 0.0, 1.0, stop=60)[-1]
    assert int(drive_race(0.0).leader) == lucky != 0 and int(drive_race(2.0).leader) == 0


def test_race_choices_do_not_hinge_on_rounding():
    # a and b train at the same rate; each run perturbs every loss by a relative 1e-6, about ten float32 roundings.
    # With the margin every run races, leads and duels alike; compared exactly (margin=0), the perturbation decides.
    def run(margin, seed):
        rng = np.random.default_rng(seed)
        loss = lambda t, active: {"loss": math.exp(-0.01 * t) * (1 + 1e-6 * rng.standard_normal())}
        return drive(selectors.race(window=10, fraction=0.0, margin=margin), ("a", "b"), 200, loss)[0]

    assert all(
        run(selectors_race.DEFAULT_MARGIN, seed) == run(selectors_race.DEFAULT_MARGIN, 0) for seed in range(1, 4)
    )
    assert len({tuple(run(0.0, seed)) for seed in range(4)}) > 1


def test_race_run_length_sets_window_and_stop():
    # run_length=1200: window max(1200 // 100, 3) = 12, stop (3 * 1200) // 4 = 900, margin DEFAULT_MARGIN.
    rates = lambda t, k: [0.004 if t < 300 else 0.012, 0.01, 0.006 + 0.00001 * t][k]
    observed, losses = phased_losses(rates, noise=0.02, seed=0), {}

    def observe(t, active):
        losses[t] = observed(t, active)
        return {"loss": losses[t]}

    active, _ = drive(selectors.race(run_length=1200), ("a", "b", "c"), 1000, observe)
    margin = selectors_race.DEFAULT_MARGIN
    expected = race_reference(lambda t, _: losses[t], 3, 1000, [0, 1, 2], 12, 2.0, 0.125, 1.0, stop=900, margin=margin)
    assert active == expected and moves(active)[:2] == [12, 24]
    assert moves(active)[-1] <= 900


@pytest.mark.parametrize(
    ("raced", "window", "window_given"),
    # run_length=1000: legs of 1000 // 100 = 10 up to six candidates; for ten, (6 * 1000) // (100 * 10) = 6, so that
    # the race's 20 legs take 120 updates, 12% of the run, as six candidates' 12 legs of 10 do. A window given wins.
    [(2, 10, None), (6, 10, None), (10, 6, None), (10, 10, 10)],
)
def test_race_legs_shorten_beyond_six_candidates_so_the_race_takes_at_most_12_percent(raced, window, window_given):
    names = tuple(f"c{k}" for k in range(raced))
    selector = selectors.race(run_length=1000, window=window_given)
    state = selector.init(names)
    active, _ = drive(selector, names, 2 * raced * window + 1, lambda t, _: {"loss": math.exp(-0.01 * t)})
    assert int(state.length) == window
    assert moves(active) == [window * leg for leg in range(1, 2 * raced) if leg != raced]
    assert selectors_race.default_window(1000, raced) == (window if window_given is None else 6)


@pytest.mark.parametrize("size", [3, 7, 40])
def test_line_fit_gives_the_slope_and_its_variance_of_a_least_squares_line(size):
    logs = np.log(noisy_losses(size, seed=size)).astype(np.float64)
    with jax.enable_x64(True):
        fit = line_fit.empty(jnp.float64)
        for y in logs:
            fit = line_fit.add(fit, jnp.asarray(y))
        rate, variance = line_fit.rate_and_variance(fit)
    index = np.arange(size)
    slope, intercept = np.polyfit(index, logs, 1)
    rss = np.sum((logs - slope * index - intercept) ** 2)
    assert int(fit.count) == size
    np.testing.assert_allclose(float(rate), -slope, rtol=1e-9)
    np.testing.assert_allclose(float(variance), rss / ((size - 2) * size * (size**2 - 1) / 12), rtol=1e-6)


REFERENCE_PHASES = {"race": Phase.RACING, "lead": Phase.LEADING, "challenge": Phase.CHALLENGING, "close": Phase.CLOSING}


def as_race_state(snap, num):
    """The reference's state ``snap`` as a :class:`selectors.RaceState` (the window's running sums left at 0)."""
    race_rates, race_variances, race_legs = np.zeros(num), np.zeros(num), np.zeros(num, np.int32)
    for k, legs in snap["race_rates"].items():
        race_rates[k] = sum(rate for rate, _ in legs)
        race_variances[k] = sum(variance for _, variance in legs)
        race_legs[k] = len(legs)
    in_round = np.isin(np.arange(num), snap.get("members", list(snap["race_rates"])))
    standing = np.zeros(num) if snap["phase"] == "race" else np.full(num, -np.inf)
    for k, value in snap["standing"].items():
        standing[k] = value
    index = lambda value: jnp.asarray(value, jnp.int32)
    scalar = lambda value: jnp.asarray(value, jnp.float32)
    return selectors.RaceState(
        phase=index(REFERENCE_PHASES[snap["phase"]]),
        leg=index(snap["leg"]),
        rounds=index(snap.get("rounds", 0)),
        leader=index(snap["leader"]),
        challenger=index(snap["challenger"]),
        arm=index(snap["arm"]),
        length=index(0),
        count=index(0),
        mean=scalar(0),
        squares=scalar(0),
        products=scalar(0),
        race_rates=scalar(race_rates),
        race_variances=scalar(race_variances),
        race_legs=index(race_legs),
        in_round=jnp.asarray(in_round),
        standing=scalar(standing),
        before=scalar(snap["before"][0]),
        before_variance=scalar(snap["before"][1]),
        challenge=scalar(snap["challenge"][0]),
        challenge_variance=scalar(snap["challenge"][1]),
        updates=index(snap["updates"]),
        next_duel=index(snap["next_duel"]),
        duels=index(0),
        ignored_losses=index(0),
    )


@pytest.mark.parametrize(
    ("confidence", "fraction", "margin", "race_confidence", "extra_rounds", "seed"),
    [
        (1.0, 0.125, 0.0, 0.0, 0, 0),
        (0.0, 0.0, 0.0, 2.0, 0, 1),
        (2.0, 0.25, 0.05, 1.0, 0, 2),
        (1.0, 0.125, 0.0, 3.0, 2, 3),
        (0.0, 0.0, 0.05, 2.5, 1, 4),
    ],
)
def test_each_race_phase_function_decides_as_the_python_reference(
    confidence, fraction, margin, race_confidence, extra_rounds, seed
):
    order, num = [2, 0, 1], 3
    config = selectors_race.RaceConfig(
        12, 1.5, fraction, confidence, margin=margin, race_confidence=race_confidence, extra_rounds=extra_rounds
    )
    rates = lambda t, k: [0.004 if t < 300 else 0.012, 0.01, 0.006 + 0.00001 * t][k]
    windows = []
    race_reference(
        phased_losses(rates, noise=0.02, seed=seed), num, 900, order, *config, record=lambda *end: windows.append(end)
    )
    phases = [jax.jit(phase, static_argnums=3) for phase in selectors_race.PHASES]
    seen = set()
    for before, rate, variance, after, choice in windows:
        state = as_race_state(before, num)
        expected = as_race_state(after, num)
        phase = REFERENCE_PHASES[before["phase"]]
        seen.add(phase)
        facts = selectors_race.facts_of(state, config, order)
        decided, chosen = phases[phase](state, jnp.float32(rate), jnp.float32(variance), config, facts)
        assert int(chosen) == choice, (phase, before, after)
        # The reference keeps no challenger outside a duel.
        in_duel = ("challenger",) if after["phase"] in ("challenge", "close") else ()
        for field in ("phase", "leg", "rounds", "leader", "next_duel", *in_duel):
            assert int(getattr(decided, field)) == int(getattr(expected, field)), (field, phase, before, after)
        for field in ("race_legs", "in_round"):
            np.testing.assert_array_equal(getattr(decided, field), getattr(expected, field), err_msg=field)
        for field in ("race_rates", "race_variances", "standing", "before", "before_variance"):
            np.testing.assert_allclose(getattr(decided, field), getattr(expected, field), rtol=1e-5, err_msg=field)
        if after["phase"] != "close" and phase in (Phase.CHALLENGING, Phase.CLOSING):
            np.testing.assert_allclose(decided.challenge, expected.challenge, rtol=1e-5)
    assert seen == set(Phase)  # every phase function was checked
    # With extra_rounds, the race ran a round again over tied candidates, and not over every one.
    rounds_run = max(after["rounds"] for *_, after, _ in windows)
    again = [after["members"] for *_, after, _ in windows if after["rounds"] > 0]
    assert rounds_run == extra_rounds if extra_rounds else rounds_run == 0
    assert all(len(members) < num for members in again)


@pytest.mark.parametrize(("challenge", "takeover"), [(0.0185, True), (0.0165, False)])
def test_race_closing_a_duel_weighs_the_mean_of_the_leaders_two_windows(challenge, takeover):
    # The leader's windows before and after the challenger's: rates 0.01 and 0.01, variances 1e-4 each. Their
    # mean has variance (1e-4 + 1e-4) / 4 = 5e-5, so the challenger (variance 0) takes over above
    # 0.01 + sqrt(5e-5) = 0.01707: at 0.0185, not at 0.0165.
    snap = dict(
        phase="close",
        leg=4,
        race_rates={0: [(0.01, 0.0)] * 2, 1: [(0.005, 0.0)] * 2},
        leader=0,
        challenger=1,
        standing={0: 1.0, 1: 0.5},
        next_duel=100,
        before=(0.01, 1e-4),
        challenge=(challenge, 0.0),
        updates=90,
        arm=0,
    )
    state = as_race_state(snap, 2)
    config = selectors_race.RaceConfig(window=10, growth=2.0, fraction=0.125, confidence=1.0)
    facts = selectors_race.facts_of(state, config, [0, 1])
    decided, chosen = selectors_race.closing_window(state, jnp.float32(0.01), jnp.float32(1e-4), config, facts)
    assert int(chosen) == int(decided.leader) == (1 if takeover else 0)


def test_race_ignores_non_positive_losses_and_restarts_a_window_after_a_host_switch():
    select = jax.jit(selectors.race(window=3).bound(("a", "b")).select)
    state = selectors.race(window=3).init(("a", "b"))
    for t, (active, loss) in enumerate([(0, 1.0), (0, 0.0), (0, -1.0), (0, 0.9), (1, 0.8), (1, 0.7)]):
        choice, state = select(signals(t, active, loss=loss), state)
        assert int(choice) == active
    # The zero and negative losses did not count; b's window began afresh, set from the host after two of a's.
    assert int(state.leg) == 0 and int(state.count) == 2 and int(state.arm) == 1


def test_race_rejects_bad_configuration():
    with pytest.raises(ValueError, match="window=2"):
        selectors.race(window=2)
    with pytest.raises(ValueError, match="growth=1.0; it must be a finite number > 1"):
        selectors.race(window=5, growth=1.0)
    with pytest.raises(ValueError, match="order='adam'"):
        selectors.race("adam", window=5)
    with pytest.raises(ValueError, match="named twice"):
        optswitch.switch({"a": optax.sgd(0.1), "b": optax.sgd(0.1)}, selectors.race(["a", "a"], window=5))


def test_race_rejects_bad_run_length_warmup_stop_and_margin():
    with pytest.raises(ValueError, match=r"race: pass run_length= \(the run's length in updates.*\) or window="):
        selectors.race()
    with pytest.raises(ValueError, match="run_length=0; it must be an int >= 1"):
        selectors.race(run_length=0)
    with pytest.raises(ValueError, match="warmup=-1; it must be an int >= 0"):
        selectors.race(window=5, warmup=-1)
    with pytest.raises(ValueError, match="stop=-1; it must be an int >= 0"):
        selectors.race(window=5, stop=-1)
    with pytest.raises(ValueError, match=r"margin=-0.01; it must be a finite number >= 0"):
        selectors.race(window=5, margin=-0.01)
    two = {"a": optax.sgd(0.1), "b": optax.sgd(0.1)}
    # The race of two candidates with legs of 5 after a warmup of 2 ends at update 2 + 2 x 2 x 5 = 22.
    late = "race: stop=21 comes before the race ends at update 22 (warmup 2 + 2 x 2 candidates x window 5); pass"
    with pytest.raises(ValueError, match=re.escape(late)):
        optswitch.switch(two, selectors.race(window=5, warmup=2, stop=21))
    optswitch.switch(two, selectors.race(window=5, warmup=2, stop=22))  # the winner trains to the end
    # With a round run again over the tied, the race may end as late as 2 + 2 x 2 x 5 x 2 = 42.
    again = "race: stop=41 comes before the race ends at update 42 (warmup 2 + 2 x 2 candidates x window 5 x 2 rounds"
    with pytest.raises(
        ValueError,
        match=re.escape(
            again + " at most); pass a later stop=, a smaller window= or warmup=, fewer extra_rounds=, or fewer"
        ),
    ):
        optswitch.switch(two, selectors.race(window=5, warmup=2, stop=41, extra_rounds=1))
    optswitch.switch(two, selectors.race(window=5, warmup=2, stop=42, extra_rounds=1))
    with pytest.raises(ValueError, match="extra_rounds=-1; it must be an int >= 0"):
        selectors.race(window=5, extra_rounds=-1)
    with pytest.raises(
        ValueError,
        match=re.escape("stop=30 (the default, 3/4 of run_length=40) comes before the race ends at update 40"),
    ):
        optswitch.switch(two, selectors.race(run_length=40, window=10))


def test_race_on_digits_keeps_the_fast_candidates_and_decides_as_the_reference():
    candidates = {"adam": optax.adam(3e-3), "sgd": optax.sgd(0.1, momentum=0.9), "slow": optax.sgd(1e-3)}
    tx = optswitch.switch(candidates, selectors.race(window=20))
    _, state, losses = train(tx, 600)
    summary = optswitch.summary(state)
    assert summary.switches[:4] == [(20, "adam", "sgd"), (40, "sgd", "slow"), (80, "slow", "sgd"), (100, "sgd", "adam")]
    assert summary.updates["slow"] == 40  # its two legs of the race, and never again
    assert int(state.selector_state.leader) != 2 and float(state.selector_state.standing[2]) < 0.5

    # The decisions follow from the losses alone, by the rule as the Python reference computes it.
    names = list(candidates)
    by_update = [names.index(name) for first, stop, name in summary.segments() for _ in range(first, stop)]
    expected = race_reference(
        lambda t, active: float(losses[t]), 3, 600, [0, 1, 2], 20, 2.0, 0.125, 1.0, margin=selectors_race.DEFAULT_MARGIN
    )
    assert [*by_update, names.index(summary.active)] == expected


# noise_scale


def test_noise_scale_switches_at_the_first_update_past_warmup_with_the_ratio_over_threshold():
    smoothing = 0.5

    def probe(t):
        return {"noise": 1.0, "signal": 2.0} if t < 30 else {"noise": 5.0, "signal": 1.0}

    selector = selectors.noise_scale("adam", "sgd", threshold=1.5, smoothing=smoothing, warmup=10)
    active, state = drive(selector, ("adam", "sgd"), 50, lambda t, active: {"probe": probe(t)})
    noise = signal = 0.0
    for t in range(50):
        noise = smoothing * noise + (1 - smoothing) * probe(t)["noise"]
        signal = smoothing * signal + (1 - smoothing) * probe(t)["signal"]
        if noise / signal > 1.5:
            break
    assert t == 30 and moves(active) == [31]
    np.testing.assert_allclose(float(state.ratio), noise / signal, rtol=1e-6)

    # Warm-up holds the switch back. A signal estimate that is not positive means the true gradient is lost in
    # the noise: the ratio is infinite and the switch follows, if the noise estimate is positive.
    late = selectors.noise_scale("adam", "sgd", threshold=1.5, warmup=40)
    assert moves(drive(late, ("adam", "sgd"), 50, lambda t, active: {"probe": probe(10 + t)})[0]) == [40]
    for noise, signal, expected in [(1.0, -1.0, [5]), (1.0, 0.0, [5]), (-1.0, -1.0, []), (-1.0, 1.0, [])]:
        constant = lambda t, active, noise=noise, signal=signal: {"probe": {"noise": noise, "signal": signal}}
        active, state = drive(selectors.noise_scale("adam", "sgd", warmup=5), ("adam", "sgd"), 20, constant)
        assert moves(active) == expected
        assert (float(state.ratio) == np.inf) == (signal <= 0)


def test_noise_scale_probe_computes_the_paper_terms_from_a_moving_average_of_the_gradient():
    beta = 0.8
    probe = selectors.noise_scale("a", "b", beta=beta).probe
    grads = [{"w": np.random.default_rng(t).normal(size=(5, 3)).astype(np.float32)} for t in range(6)]
    state = probe.init({"w": jnp.zeros((5, 3))})
    mean = np.zeros((5, 3))
    for t, g in enumerate(grads, start=1):
        values, state = jax.jit(probe.measure)(g, g, state)
        mean = beta * mean + (1 - beta) * g["w"]
        mean_sq = np.sum((mean / (1 - beta**t)) ** 2)
        grad_sq = np.sum(g["w"] ** 2)
        overlap = (1 - beta) * (1 + beta**t) / ((1 + beta) * (1 - beta**t))
        np.testing.assert_allclose(float(values["noise"]), grad_sq - mean_sq, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(float(values["signal"]), mean_sq - overlap * grad_sq, rtol=1e-5, atol=1e-5)
    assert int(state.count) == 6
    np.testing.assert_allclose(np.asarray(state.mean["w"]), mean, rtol=1e-5)


def test_noise_scale_estimates_the_noise_of_digits_minibatch_gradients():
    # At fixed parameters, the true gradient G is the full-batch gradient and the noise of a minibatch gradient
    # is measured directly over many minibatches: the selector's ratio must agree with tr(Sigma_B) / |G|^2.
    from problems import batches, digits, init_mlp, loss_fn

    inputs, labels = digits()
    params_now = init_mlp(0)
    grad = jax.jit(jax.grad(loss_fn))
    full = grad(params_now, inputs, labels)
    indices = batches(600, 32, seed=5)
    minibatch = jax.jit(jax.vmap(lambda batch: grad(params_now, inputs[batch], labels[batch])))(indices)
    noise = sum(
        float(jnp.mean(jnp.sum((g - f) ** 2, axis=tuple(range(1, g.ndim)))))
        for g, f in zip(jax.tree.leaves(minibatch), jax.tree.leaves(full), strict=True)
    )
    true_ratio = noise / sum(float(jnp.sum(f**2)) for f in jax.tree.leaves(full))

    selector = selectors.noise_scale(0, 1, smoothing=0.995, warmup=10**6)  # never switches
    tx = optswitch.switch([optax.sgd(0.0), optax.sgd(0.0)], selector)

    @jax.jit
    def run(state):
        step = lambda state, g: (tx.update(g, state, params_now)[1], None)
        return jax.lax.scan(step, state, minibatch)[0]

    estimate = float(run(tx.init(params_now)).selector_state.ratio)
    assert 0.2 < true_ratio < 5
    np.testing.assert_allclose(estimate, true_ratio, rtol=0.02)  # measured: 1.098 against 1.085


def test_noise_scale_buffer_is_one_float32_per_parameter_and_only_with_this_selector():
    p = params()
    num = sum(leaf.size for leaf in jax.tree.leaves(p))
    with_probe = optswitch.switch([optax.adam(1e-3), optax.sgd(0.1)], selectors.noise_scale(0, 1)).init(p)
    probe_bytes = sum(leaf.nbytes for leaf in jax.tree.leaves(with_probe.probe_state))
    assert probe_bytes == 4 * num + 4  # the moving average, and its count
    assert optswitch.switch([optax.adam(1e-3), optax.sgd(0.1)], selectors.plateau(patience=2)).init(p).probe_state == ()
    bf16 = jax.tree.map(lambda x: x.astype(jnp.bfloat16), p)
    state = optswitch.switch([optax.adam(1e-3), optax.sgd(0.1)], selectors.noise_scale(0, 1)).init(bf16)
    assert all(leaf.dtype == jnp.float32 for leaf in jax.tree.leaves(state.probe_state.mean))


def test_noise_scale_on_digits_switches_once_the_ratio_crosses_the_threshold():
    tx = optswitch.switch(
        {"adam": optax.adam(3e-3), "sgd": optax.sgd(0.05, momentum=0.9)},
        selectors.noise_scale("adam", "sgd", threshold=4.0, warmup=100),
    )
    _, state, losses = train(tx, 400, batch_size=32)
    # McCandlish et al.'s estimates in float64 on the gradients of plain Adam on the same minibatches.
    grads, _ = adam_on_digits(3e-3, 400, batch_size=32)
    mean, noise, signal, expected_switch = np.zeros(grads.shape[1]), 0.0, 0.0, None
    for t, g in enumerate(grads, start=1):
        mean = 0.9 * mean + 0.1 * g
        mean_sq, grad_sq = (mean @ mean) / (1 - 0.9**t) ** 2, g @ g
        overlap = 0.1 * (1 + 0.9**t) / (1.9 * (1 - 0.9**t))
        noise = 0.99 * noise + 0.01 * (grad_sq - mean_sq)
        signal = 0.99 * signal + 0.01 * (mean_sq - overlap * grad_sq)
        if t >= 100 and noise > 0 and noise > 4.0 * signal:
            expected_switch = t
            break
    assert expected_switch is not None and expected_switch > 150
    summary = optswitch.summary(state)
    assert summary.switches == [(expected_switch, "adam", "sgd")]
    np.testing.assert_allclose(float(state.selector_state.ratio), noise / signal, rtol=1e-3)
    assert int(state.probe_state.count) == expected_switch  # the probe ran only on Adam's updates
    assert np.all(np.isfinite(np.asarray(losses)))


# the protocol: reads per candidate


def keep(signals, state):
    return signals.active, state


def test_reads_per_candidate_are_checked_when_the_switch_is_built():
    candidates = {"adam": optax.adam(1e-3), "sgd": optax.sgd(0.1)}
    cases = [
        ({"adam": {"grad_norm"}}, None, r"unknown signals \['grad_norm'\]"),
        ({"lion": {"loss"}}, None, r"mine reads: unknown candidate 'lion'"),
        (frozenset({"probe"}), None, "reads 'probe' but has no probe"),
    ]
    for reads, probe, match in cases:
        selector = selectors.Selector(init=lambda names: (), select=keep, reads=reads, name="mine", probe=probe)
        with pytest.raises(ValueError, match=match):
            optswitch.switch(candidates, selector)
    with pytest.raises(ValueError, match="pass probe= together with 'probe' in reads="):
        selectors.custom(lambda names: (), keep, reads=["probe"])


@pytest.mark.parametrize("inactive", ["freeze", "track"])
def test_signals_and_their_finite_check_follow_the_active_candidates_reads(inactive):
    # The selector records what it saw; it reads the loss and |u|^2 only after "a"'s updates.
    def record(signals, state):
        return signals.active, (signals.update_sq_norm, signals.loss)

    nan = jnp.full([], jnp.nan, jnp.float32)
    selector = selectors.Selector(
        init=lambda names: (nan, nan), select=record, reads={"a": {"loss", "update_sq_norm"}}, name="record"
    )
    assert selector.needs_value
    tx = optswitch.switch({"a": optax.sgd(0.1), "b": optax.sgd(0.2)}, selector, inactive=inactive)
    update = jax.jit(lambda state, loss: tx.update(grads_at(0), state, params(), value=loss)[1])
    state = update(tx.init(params()), jnp.nan)
    assert optswitch.summary(state).skipped == 1  # "a" reads the loss, which was NaN
    state = update(state, 2.0)
    seen, loss = state.selector_state
    assert np.isfinite(float(seen)) and float(loss) == 2.0
    state = update(optswitch.set_active(state, "b"), jnp.nan)
    seen, _ = state.selector_state
    assert optswitch.summary(state).skipped == 1  # "b" reads nothing: its NaN loss is not a bad update
    assert np.isnan(float(seen))  # and |u|^2 was not computed for it
