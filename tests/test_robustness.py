"""Non-finite losses and gradients, determinism, checkpoints, and switching one group of parameters."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp
import pytest
from helpers import assert_trees_equal, bandit_reference, grads_at, load_example, params

import optswitch
from optswitch import selectors

STEPS = 60
BAD = sorted({*range(5, STEPS, 7), 30, 31, 32})  # updates of the run with injected non-finite values
POISONS = [jnp.nan, jnp.inf, -jnp.inf]


def losses(count):
    rng = np.random.default_rng(0)
    return (1.0 / (1.0 + 0.05 * np.arange(count)) * (1 + 0.1 * rng.standard_normal(count))).astype(np.float32)


@functools.cache
def good_grads(i):
    """A true gradient of 1 under noise that grows with ``i``: SWATS settles, the noise ratio rises."""
    return jax.tree.map(lambda g: 1.0 + 0.05 * i * g, grads_at(i))


def guarded(opt):
    # A candidate that skips non-finite gradients keeps its state, so the runs with and without bad updates see
    # the same candidate states: what differs is only what the selector is shown.
    return optax.apply_if_finite(opt, max_consecutive_errors=10**6)


SELECTORS = {
    "plateau": lambda: selectors.plateau(patience=2, cycle=True),
    "swats": lambda: selectors.swats("adam", "sgd", atol=0.0, rtol=1e-4),
    "bandit": lambda: selectors.bandit(window=4, strategy="thompson", seed=2),
    "noise_scale": lambda: selectors.noise_scale("adam", "sgd", threshold=0.5, smoothing=0.8, warmup=10),
    "race": lambda: selectors.race(window=4, fraction=0.0),
    "trials": lambda: selectors.trials(STEPS),
    "min_dwell": lambda: selectors.min_dwell(selectors.race(window=4, fraction=0.0), 6),
    "revert_if_worse": lambda: selectors.revert_if_worse(selectors.plateau(patience=2, cycle=True), 4),
    # adam "is a copy" of sgd here: a window of 6 of adam's updates whose loss does not fall hands over to sgd.
    "step_down": lambda: selectors.step_down(selectors.race(window=4, fraction=0.0), STEPS, {"adam": "sgd"}, stall=6),
    # Trials inside the guards: adam's picks run sgd from half-way, and the guard watches that step.
    "guarded_trials": lambda: selectors.undo_if_worse(
        selectors.step_down(selectors.trials(STEPS, trial_length=4), STEPS // 2, {"adam": "sgd"}), 3
    ),
}

# The candidates (0: adam, 1: sgd) after whose updates each selector reads a signal, from their docstrings:
# the loss-driven ones read the loss after every update; SWATS reads Adam's step, noise_scale its probe.
READ_AFTER = {"plateau": {0, 1}, "swats": {0}, "bandit": {0, 1}, "noise_scale": {0}, "race": {0, 1}}
# The loss, after either candidate: trials compares them, the guards read it and wrap selectors that read it.
READ_AFTER |= {"trials": {0, 1}, "min_dwell": {0, 1}, "revert_if_worse": {0, 1}, "step_down": {0, 1}}
READ_AFTER |= {"guarded_trials": {0, 1}}


def make_switch(selector):
    sgd = optax.inject_hyperparams(optax.sgd)(learning_rate=0.05, momentum=0.9)
    return optswitch.switch({"adam": guarded(optax.adam(1e-2)), "sgd": guarded(sgd)}, selector)


@functools.cache
def updater(tx):
    return jax.jit(lambda g, state, loss: tx.update(g, state, params(), value=loss)[1])


def run(tx, feed, state=None):
    """Feeds ``(grads, loss)`` pairs; returns who made each update and the final state."""
    update = updater(tx)
    state = tx.init(params()) if state is None else state
    made = []
    for grads, loss in feed:
        made.append(int(state.active))
        state = update(grads, state, loss)
    return made, state


# trials is left out (and with it the guards around it): a trial whose loss is not finite is lost (test_trials.py), so
# that a candidate that diverges in its trial does not hold the round forever.
@pytest.mark.parametrize("name", [name for name in SELECTORS if "trials" not in name])
def test_non_finite_updates_are_as_if_skipped(name):
    loss = losses(STEPS)
    feed, good, i = [], [], 0
    for t in range(STEPS):
        if t in BAD:
            poison = POISONS[t % 3]
            feed.append((jax.tree.map(lambda g, poison=poison: g.at[0].set(poison), good_grads(i)), poison))
        else:
            feed.append((good_grads(i), loss[i]))
            good.append(t)
            i += 1
    selector = SELECTORS[name]()
    tx = make_switch(selector)
    made, state = run(tx, feed)
    made_skipping, state_skipping = run(tx, [(good_grads(i), loss[i]) for i in range(i)])

    assert [made[t] for t in good] == made_skipping
    assert len(set(made_skipping)) == 2  # the runs did switch
    if name == "step_down":  # by design it counts, per copy, the gaps that skipped updates leave in Signals.step
        called = [t for t in range(STEPS) if not (t in BAD and made[t] in READ_AFTER[name])]
        gaps = [t for before, t in zip([-1, *called], called, strict=False) if t > before + 1]
        assert state.selector_state.diverged.tolist() == [sum(made[t] == 0 for t in gaps), 0] != [0, 0]
        assert int(state.selector_state.last_step) == STEPS - 1
        counted = state_skipping.selector_state
        state = state._replace(
            selector_state=state.selector_state._replace(last_step=counted.last_step, diverged=counted.diverged)
        )
    assert_trees_equal(state.selector_state, state_skipping.selector_state)
    assert_trees_equal(state.probe_state, state_skipping.probe_state)
    assert_trees_equal(getattr(state.snapshots, "params", ()), getattr(state_skipping.snapshots, "params", ()))
    assert all(np.all(np.isfinite(np.asarray(leaf, float))) for leaf in jax.tree.leaves(state.selector_state))
    # Skipped: the bad updates made by a candidate after whose updates the selector reads something.
    skipped = optswitch.summary(state).skipped
    assert skipped == sum(made[t] in READ_AFTER[name] for t in BAD) and skipped >= 2


def test_a_selector_is_shown_only_what_it_reads():
    # plateau reads the loss alone: a non-finite gradient with a finite loss is an update like any other for it.
    tx = make_switch(selectors.plateau(patience=2))
    bad_grads = jax.tree.map(lambda g: g.at[0].set(jnp.nan), grads_at(0))
    _, state = run(tx, [(bad_grads, 1.0), (grads_at(1), 1.0)])
    assert optswitch.summary(state).skipped == 0 and int(state.selector_state.plateau_count) == 1


@pytest.mark.parametrize("name", list(SELECTORS))
def test_same_inputs_same_switches_across_runs_and_a_checkpoint_round_trip(name, tmp_path):
    loss = losses(STEPS)
    feed = [(good_grads(i), loss[i]) for i in range(STEPS)]
    tx = make_switch(SELECTORS[name]())
    made, state = run(tx, feed)
    made_again, state_again = run(tx, feed)
    assert made == made_again
    assert_trees_equal(state, state_again)

    # Stop half-way, checkpoint with orbax, restore into a fresh process's abstract state, and go on.
    half = STEPS // 2
    _, state_half = run(tx, feed[:half])
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(tmp_path / "state", state_half)
    checkpointer.wait_until_finished()
    abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, jax.eval_shape(tx.init, params()))
    _, restored = run(tx, feed[half:], checkpointer.restore(tmp_path / "state", abstract))
    assert_trees_equal(restored, state)
    assert optswitch.summary(restored).switches == optswitch.summary(state).switches


def test_the_seed_decides_the_bandits_draws():
    loss = losses(STEPS)
    feed = [(good_grads(i), loss[i]) for i in range(STEPS)]
    made = {}
    for seed in (0, 1):
        made[seed], _ = run(make_switch(selectors.bandit(window=4, strategy="thompson", seed=seed)), feed)
        config = dict(window=4, strategy="thompson", discount=0.9, seed=seed, exploration=1.0, epsilon=0.1)
        assert made[seed] == bandit_reference(lambda t, active: float(loss[t]), 2, STEPS, **config)[:STEPS]
    assert made[0] != made[1]


def adam_then_sgd(switch_at):
    """The hidden layer's reference, without optswitch: Adam for ``switch_at`` updates, then SGD with momentum."""
    adam, sgd = optax.adam(3e-3), optax.sgd(0.05, momentum=0.9)

    def update(updates, state, params=None, **extra_args):
        adam_state, sgd_state, count = state

        def run_adam():
            new_updates, new_state = adam.update(updates, adam_state, params)
            return new_updates, (new_state, sgd_state)

        def run_sgd():
            new_updates, new_state = sgd.update(updates, sgd_state, params)
            return new_updates, (adam_state, new_state)

        new_updates, (adam_state, sgd_state) = jax.lax.cond(count < switch_at, run_adam, run_sgd)
        return new_updates, (adam_state, sgd_state, count + 1)

    return optax.GradientTransformation(lambda p: (adam.init(p), sgd.init(p), jnp.zeros([], jnp.int32)), update)


def test_per_group_switching_with_optax_partition_switches_only_that_group():
    example = load_example("per_group_switching")
    final, state, seen = example.train(steps=450)
    summary = optswitch.summary(state)
    assert summary.switches == [(360, "adam", "sgd")]
    assert summary.updates == {"adam": 360, "sgd": 90}

    # The output layer on Adam throughout; the hidden layer on Adam, then SGD from update 360, each group on its
    # own parameters only: the same losses and parameters.
    reference_final, _, reference_seen = example.train(steps=450, hidden=adam_then_sgd(360))
    np.testing.assert_allclose(np.asarray(seen), np.asarray(reference_seen), rtol=1e-6)
    jax.tree.map(lambda a, e: np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-6), final, reference_final)
    assert example.full_loss(final) < 0.1
