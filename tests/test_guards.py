"""Guards (selectors.min_dwell, revert_if_worse, undo_if_worse) against plain-Python references of their rules."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from helpers import assert_trees_equal, candidates, grads_at, params

import optswitch
from optswitch import selectors

STEPS = 60


def wanting(table):
    """An inner selector that wants ``table[step]`` after update ``step``, whatever it sees."""
    choices = np.asarray(table, np.int32)
    return selectors.custom(
        lambda names: (), lambda signals, state: (jnp.asarray(choices)[signals.step], state), reads=[]
    )


@functools.cache
def updater(tx):
    return jax.jit(lambda state, loss: tx.update(grads_at(0), state, params(), value=loss)[1])


def run(tx, loss_of):
    state, made = tx.init(params()), []
    for t in range(STEPS):
        made.append(int(state.active))
        state = updater(tx)(state, jnp.float32(loss_of(made[-1], t)))
    return made


def random_table(seed):
    rng = np.random.default_rng(seed)
    table, current = [], 0
    for _ in range(STEPS):
        current = int(rng.integers(3)) if rng.random() < 0.3 else current
        table.append(current)
    return table


def reference_dwell(table, updates):
    made, active, since = [], 0, 0
    for t in range(STEPS):
        made.append(active)
        since += 1
        choice = active if since < updates else table[t]
        if choice != active:
            active, since = choice, 0
    return made


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("updates", [1, 3, 7])
def test_min_dwell_is_its_plain_python_reference(seed, updates):
    table = random_table(seed)
    made = run(optswitch.switch(candidates(), selectors.min_dwell(wanting(table), updates)), lambda k, t: 1.0)
    assert made == reference_dwell(table, updates)
    if updates == 1:
        assert made == [0, *table[:-1]]  # no veto: the inner selector's choices, one update later


def reference_revert(table, loss_of, window, confidence, hold):
    made, active, recent, seen, watching, source, before, held_until = [], 0, [], 0, False, 0, (0.0, 0.0), 0
    for t in range(STEPS):
        made.append(active)
        recent = ([*recent, float(np.float32(loss_of(active, t)))])[-window:]
        seen, updates = seen + 1, t + 1
        judged = watching and seen == window
        mean, variance = np.mean(recent), np.var(recent, ddof=1) if len(recent) > 1 else 0.0
        rounding = window * np.finfo(np.float32).eps * abs(before[0])
        if judged and mean - before[0] > max(confidence * np.sqrt((variance + before[1]) / window), rounding):
            active, seen, watching, held_until = source, 0, False, updates + hold
            continue
        choice = active if updates < held_until else table[t]
        if choice != active:
            watching = seen >= window
            if watching:
                source, before = active, (mean, variance)
            active, seen = choice, 0
        elif judged:
            watching = False
    return made


LOSSES = {  # loss(k, t): candidate 1 hurts (a bump twice the loss), candidate 2 helps, with noise
    "noisy": lambda k, t: (1.0, 2.0, 0.5)[k] * (1 + 0.2 * np.sin(7.3 * t)),
    "bump only for 1": lambda k, t: (1.0, 1.5, 0.9)[k] + 0.01 * np.cos(3.1 * t),
}


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("losses", list(LOSSES))
def test_revert_if_worse_is_its_plain_python_reference(seed, losses):
    table = random_table(seed)
    loss_of = LOSSES[losses]
    tx = optswitch.switch(candidates(), selectors.revert_if_worse(wanting(table), 4, hold=6))
    made = run(tx, loss_of)
    assert made == reference_revert(table, loss_of, 4, 2.0, 6)


def test_revert_if_worse_undoes_a_switch_that_hurt_and_keeps_one_that_helped():
    table = [0] * 9 + [1] * 20 + [2] * (STEPS - 29)
    made = run(
        optswitch.switch(candidates(), selectors.revert_if_worse(wanting(table), 4, hold=10)),
        LOSSES["bump only for 1"],
    )
    assert made[10:14] == [1] * 4 and made[14:24] == [0] * 10  # tried, undone, held for 10 updates
    assert made[24:29] == [1] * 4 + [0]  # the hold is over: tried again, undone again
    assert made[38:] == [2] * (STEPS - 38)  # after the second hold, a switch that helped is kept


def test_guards_refuse_a_selector_with_snapshots_and_bad_settings():
    with pytest.raises(ValueError, match="min_dwell: the trials selector restores parameters"):
        selectors.min_dwell(selectors.trials(100), 5)
    with pytest.raises(ValueError, match="revert_if_worse: window=1"):
        selectors.revert_if_worse(selectors.race(window=4), 1)
    with pytest.raises(ValueError, match="min_dwell: updates=0"):
        selectors.min_dwell(selectors.race(window=4), 0)
    with pytest.raises(TypeError, match="expected an optswitch.selectors.Selector"):
        selectors.min_dwell("race", 3)


def test_guards_keep_the_guarded_selector_s_reads_and_add_the_loss():
    swats = selectors.swats("adam", "sgd")
    assert selectors.min_dwell(swats, 3).reads == swats.reads
    assert selectors.revert_if_worse(swats, 4).reads == frozenset(swats.reads["adam"]) | {"loss"}


def test_guards_wrap_the_selector_bound_to_the_switch_names():
    # schedule names its candidates, so the switch binds it to its names: the guard must wrap the bound selector
    # (a guard that kept the inner selector's own bind would be dropped by the switch, silently).
    weights = {"w": jnp.ones(2)}
    for guard, expected in (
        (lambda s: optswitch.selectors.min_dwell(s, 3), [(4, "a", "b")]),
        (lambda s: optswitch.selectors.revert_if_worse(s, 2), [(4, "a", "b"), (5, "b", "a")]),
    ):
        tx = optswitch.switch(
            {"a": optax.sgd(0.1), "b": optax.sgd(0.2)}, guard(optswitch.selectors.schedule({0: "a", 4: "b", 5: "a"}))
        )
        state = tx.init(weights)
        for t in range(8):
            _, state = tx.update(weights, state, weights, value=jnp.asarray(1.0 + 0.01 * t))
        assert optswitch.summary(state).switches == expected


EVENT_PARAMS = {"w": jnp.ones(3)}


@pytest.mark.parametrize("guard", [lambda s: selectors.min_dwell(s, 2), lambda s: selectors.revert_if_worse(s, 2)])
def test_guards_explain_with_the_wrapped_selectors_state(guard):
    # A guard's state wraps the guarded selector's: the race's explanation must read the race's state.
    received = []
    tx = optswitch.switch(
        {"a": optax.sgd(0.1), "b": optax.sgd(0.2)}, guard(selectors.race(window=3)), on_event=received.append
    )
    state, step = (
        tx.init(EVENT_PARAMS),
        jax.jit(lambda state, loss: tx.update(EVENT_PARAMS, state, EVENT_PARAMS, value=loss)[1]),
    )
    for t in range(10):
        state = step(state, jnp.asarray(0.9**t, jnp.float32))
    jax.effects_barrier()
    assert [(event.update, event.reason) for event in received][:2] == [(3, "race leg 2 of 4"), (9, "race leg 4 of 4")]


@pytest.mark.parametrize("guard", [lambda s: selectors.undo_if_worse(s, 3), lambda s: selectors.revert_if_worse(s, 3)])
def test_a_switch_whose_loss_stays_exactly_the_same_is_not_undone(guard):
    # The three losses before the switch at 9 and the three after it are equal: their means differ only by rounding.
    tx = optswitch.switch(candidates(), guard(selectors.schedule({0: "adam", 5: "sgd", 9: "rmsprop"})))
    losses = [1.0, 0.9, 0.8, 0.75, 0.72] + [0.7] * (STEPS - 5)
    assert run(tx, lambda k, t: losses[t]) == [0] * 5 + [1] * 4 + [2] * (STEPS - 9)


def test_a_revert_says_it_undid_the_switch():
    received = []
    at_10 = selectors.schedule({0: 0, 10: 1})
    tx = optswitch.switch(
        [optax.sgd(0.1), optax.sgd(0.2)], selectors.revert_if_worse(at_10, 4), on_event=received.append
    )
    state, update = tx.init(EVENT_PARAMS), jax.jit(tx.update)
    for t in range(20):
        loss = (1.0 if t < 10 else 2.0) + 0.01 * (t % 3)
        _, state = update(EVENT_PARAMS, state, EVENT_PARAMS, value=jnp.asarray(loss))
    jax.effects_barrier()
    assert [event.reason for event in received] == [
        "scheduled at 10",
        "undone: the mean loss over the 4 updates after the switch was above the mean over the 4 before it by more "
        "than 2 standard errors",
    ]


def run_undo(tx, loss_of):
    """The candidates that made each update, and the guard's undo count after each."""
    state, made, undone = tx.init(params()), [], []
    for t in range(STEPS):
        made.append(int(state.active))
        state = updater(tx)(state, jnp.float32(loss_of(made[-1], t)))
        undone.append(int(state.selector_state.undone))
    return made, undone


def line_fit_reference(values):
    """Where the least-squares line through ``values`` ends, their variance about it, and the end's variance in units
    of that (numpy's fit)."""
    values = np.asarray(values, np.float64)
    index = np.arange(len(values))
    (slope, intercept), residuals = np.polyfit(index, values, 1, full=True)[:2]
    residual_variance = (residuals[0] if len(residuals) else 0.0) / (len(values) - 2)
    centred = index - index.mean()
    return slope * index[-1] + intercept, residual_variance, 1 / len(values) + centred[-1] ** 2 / np.sum(centred**2)


def line_end_reference(values):
    """Where the least-squares line through ``values`` ends, and that value's variance."""
    end, scatter, factor = line_fit_reference(values)
    return end, scatter * factor


def reference_undo(table, loss_of, window, confidence, min_losses, rescues=None, noise="each", keep_watch=False):
    """Plain Python: after each update, how many undos so far (the losses do not depend on the parameters). Each
    rescue at a loss that is not finite is added to ``rescues`` as ``(update, whether its leg was watched)``. With
    ``noise="before"`` both lines' standard errors come from the scatter of the updates before the switch; with
    ``keep_watch``, a switch made while the watched one cannot be judged yet keeps the watch."""
    logs, undone, seen, after, watching, before, total, active = [], [], 0, 0, False, None, 0, 0
    restorable, last_undone = False, -1  # the saved parameters' loss has counted; the undo's clock at the latest
    for t in range(STEPS):
        loss = np.float32(loss_of(active, t))
        if not np.isfinite(loss):  # no switch; a rescue once the snapshot is restorable and a loss counted since
            if restorable and len(logs) > last_undone:
                if rescues is not None:
                    rescues.append((t, watching))
                seen, after, total, watching, last_undone = 0, 0, total + 1, True, len(logs)
            undone.append(total)
            continue
        fresh = watching and after == 0  # this loss is the first at the parameters saved at the previous update
        logs.append(float(np.log(loss)))
        seen, after = min(seen + 1, window), min(after + 1, window)
        choice = table[t]
        switching = choice != active
        judged = watching and after >= min_losses and (switching or after == window)
        undo = False
        if judged:
            end, scatter, factor = line_fit_reference(logs[-after:])
            scatter = before[2] if noise == "before" else scatter
            undo = end - before[0] > confidence * np.sqrt(scatter * factor + before[1])
        watch = switching and not undo and seen >= min_losses
        kept = keep_watch and switching and watching and not judged and not watch
        restorable = not watch and (restorable or fresh)
        if (switching and undo) or kept:
            watching, after = True, 0  # the same start, the same updates before it
        elif watch:
            end, scatter, factor = line_fit_reference(logs[-seen:])
            watching, after, before = True, 0, (end, scatter * factor, scatter)
        elif switching or judged:
            watching = False
        seen = 0 if switching or undo else seen
        total += undo
        last_undone = len(logs) if undo else last_undone
        undone.append(total)
        active = choice
    return undone


@pytest.mark.parametrize("seed", [0, 6])
@pytest.mark.parametrize("losses", list(LOSSES))
@pytest.mark.parametrize("window, min_losses", [(6, 5), (4, 3)])
@pytest.mark.parametrize("noise", ["each", "before"])
@pytest.mark.parametrize("keep_watch", [False, True])
def test_undo_if_worse_is_its_plain_python_reference_and_never_changes_a_choice(
    seed, losses, window, min_losses, noise, keep_watch
):
    table = random_table(seed)
    loss_of = LOSSES[losses]
    guard = selectors.undo_if_worse(wanting(table), window, min_losses=min_losses, noise=noise, keep_watch=keep_watch)
    made, undone = run_undo(optswitch.switch(candidates(), guard), loss_of)
    assert made == [0, *table[:-1]]
    assert undone == reference_undo(table, loss_of, window, 2.0, min_losses, noise=noise, keep_watch=keep_watch)
    assert undone[-1] > 0  # candidate 1's switches hurt on every table here


def test_keep_watch_changes_the_undos_only_where_a_switch_comes_before_the_watched_one_is_judged():
    # On these random tables, legs shorter than min_losses are common: the two settings must part somewhere, or the
    # reference test above would pass with keep_watch ignored.
    table, loss_of = random_table(0), LOSSES["bump only for 1"]
    undone = {keep: reference_undo(table, loss_of, 4, 2.0, 3, keep_watch=keep) for keep in (False, True)}
    assert undone[False] != undone[True]


@pytest.mark.parametrize("keep_watch, undone", [(False, [0] * 12 + [1] * 9), (True, [0] * 12 + [1] * 6 + [2] * 3)])
def test_a_switch_right_after_a_rescue_is_judged_only_when_the_watch_is_kept(keep_watch, undone):
    # Held-out-30's phase retrieval (round 48): a candidate diverges, the guard puts the parameters back, and the
    # race's next leg comes two updates later, before those updates can make a beginning of their own; here
    # candidate 2 then leaves the loss 100x higher. Unwatched, it is never undone; with the watch kept it is judged
    # against the beginning saved at update 10's switch, and undone once its window is full.
    table = [0] * 10 + [1] * 4 + [2] * (STEPS - 14)
    guard = selectors.undo_if_worse(wanting(table), 4, keep_watch=keep_watch)
    tx = optswitch.switch(candidates(), guard)
    losses = [1.0] * 11 + [1.1, np.inf, 1.0, 1.05] + [100.0] * 6
    state, counts, made = tx.init(params()), [], []
    for loss in losses:
        made.append(int(state.active))
        state = updater(tx)(state, jnp.float32(loss))
        counts.append(int(state.selector_state.undone))
    assert made == [0] * 11 + [1] * 4 + [2] * 6
    assert counts == undone
    assert int(state.log.skipped) == 1


def spike_then_plateau(k, t):
    """Candidate 0's loss falls slowly with a little noise; candidate 1, in the middle of its leg (updates 11 to 20),
    throws it up to 60x its level, and elsewhere holds it on a plateau 1.3x above where it was."""
    calm = 1.0 - 0.002 * t + 0.01 * (t % 3)
    if k == 0:
        return calm
    return calm * (60.0 if t in (15, 16) else 1.3)


@pytest.mark.parametrize("noise, undone", [("each", 0), ("before", 1)])
def test_a_leg_that_throws_the_loss_up_and_leaves_it_higher_is_undone_only_by_the_scatter_before_it(noise, undone):
    # The spike in the leg's own losses widens its line's standard error until a plateau 1.3x higher is within
    # it; judged by the scatter of the calm updates before the switch, the plateau is far beyond the noise.
    table = [0] * 10 + [1] * 10 + [0] * (STEPS - 20)
    guard = selectors.undo_if_worse(wanting(table), 10, noise=noise)
    made, counts = run_undo(optswitch.switch(candidates(), guard), spike_then_plateau)
    assert counts[20] == undone == reference_undo(table, spike_then_plateau, 10, 2.0, 3, noise=noise)[20]
    assert made[:21] == [0] * 11 + [1] * 10


def diverging(k, t):
    """Candidate 1's loss is infinite or NaN at every 4th update (the others as in "bump only for 1")."""
    if k == 1 and t % 4 == 3:
        return (np.inf, np.nan)[t % 8 // 4]
    return LOSSES["bump only for 1"](k, t)


@pytest.mark.parametrize("seed", [0, 6])
@pytest.mark.parametrize("window, min_losses", [(6, 5), (4, 3)])
def test_undo_if_worse_puts_back_a_leg_at_its_first_loss_that_is_not_finite(seed, window, min_losses):
    table = random_table(seed)
    guard = selectors.undo_if_worse(wanting(table), window, min_losses=min_losses)
    made, undone = run_undo(optswitch.switch(candidates(), guard), diverging)
    rescues = []
    assert undone == reference_undo(table, diverging, window, 2.0, min_losses, rescues)
    at_skips = [t for t in range(1, STEPS) if not np.isfinite(diverging(made[t], t)) and undone[t] > undone[t - 1]]
    assert at_skips == [t for t, _ in rescues]
    assert any(watched for _, watched in rescues)
    skipped = [t for t in range(STEPS) if not np.isfinite(diverging(made[t], t))]
    assert all(made[t + 1] == made[t] for t in skipped if t + 1 < STEPS)  # no switch on a skipped update


def late(k, t):
    """Not finite for candidate 1 at updates 12 (in its watched leg), 25 and 52 (after its legs were judged), and
    for candidate 2 at 31, the first update after a switch (the parameters the switch saved are broken)."""
    if (k, t) in {(1, 12), (1, 25), (2, 31), (1, 52)}:
        return np.nan if t % 2 else np.inf
    return 1.0 + 0.01 * (t % 3)


@pytest.mark.parametrize("window, min_losses", [(6, 5), (4, 3)])
def test_undo_if_worse_puts_back_a_leg_long_after_its_judgement_but_not_at_a_switch_that_broke_the_parameters(
    window, min_losses
):
    table = [0] * 10 + [1] * 20 + [2] * 10 + [1] * 20
    guard = selectors.undo_if_worse(wanting(table), window, min_losses=min_losses)
    made, undone = run_undo(optswitch.switch(candidates(), guard), late)
    rescues = []
    assert undone == reference_undo(table, late, window, 2.0, min_losses, rescues)
    assert rescues == [(12, True), (25, False), (52, False)]
    assert made == [0, *table[:-1]]


def quadratic_loss(weights):
    return 0.5 * jnp.sum(weights["w"] ** 2) + 0.5 * jnp.sum(weights["b"] ** 2)


def calm_then(name, candidate, window):
    """On the quadratic, SGD ("calm") and then ``candidate`` from update 10, guarded: the jitted fused step, and the
    parameters and state after the 10 updates of "calm"."""
    tx = optswitch.switch(
        {"calm": optax.sgd(0.1, momentum=0.5), name: candidate},
        selectors.undo_if_worse(selectors.schedule({0: "calm", 10: name}), window),
    )
    step = jax.jit(
        lambda weights, state: tx.update_and_apply(
            jax.grad(quadratic_loss)(weights), state, weights, value=quadratic_loss(weights)
        )
    )
    weights, state = params(), tx.init(params())
    for _ in range(10):
        weights, state = step(weights, state)
    return step, weights, state


def test_undo_if_worse_puts_back_the_parameters_and_every_state_of_the_switch_bit_for_bit():
    # "wild" overshoots the quadratic (learning rate 5): each of its updates multiplies the loss by about 16.
    step, weights, state = calm_then("wild", optax.sgd(5.0, momentum=0.5), 5)
    at_switch, states_at_switch = weights, state.candidate_states
    losses = []
    for _ in range(10, 15):
        losses.append(float(quadratic_loss(weights)))
        weights, state = step(weights, state)
    assert losses[-1] > 100 * losses[0]  # the updates of "wild" blew the loss up
    assert int(state.selector_state.undone) == 1 and int(state.selector_state.last_undone) == 15
    assert_trees_equal(weights, at_switch)
    assert_trees_equal(state.candidate_states, states_at_switch)
    assert optswitch.active(state) == "wild"  # the schedule's choice stands; it is not watched again
    weights, state = step(weights, state)
    assert int(state.selector_state.undone) == 1


def test_undo_if_worse_puts_back_the_parameters_at_once_when_a_leg_diverges():
    # "exploding" multiplies the weights by about -1e4 at each update: the loss overflows to inf at its 6th.
    step, weights, state = calm_then("exploding", optax.sgd(1e4), 50)
    at_switch, states_at_switch = weights, state.candidate_states
    losses = []
    for _ in range(6):
        losses.append(float(quadratic_loss(weights)))
        weights, state = step(weights, state)
    assert np.all(np.isfinite(losses[:5])) and losses[5] == np.inf
    assert int(state.log.skipped) == 1
    assert int(state.selector_state.undone) == 1 and int(state.selector_state.last_undone) == 15
    assert_trees_equal(weights, at_switch)
    assert_trees_equal(state.candidate_states, states_at_switch)
    assert optswitch.active(state) == "exploding"  # the schedule's choice stands, and is watched from the switch
    for _ in range(6):  # the same six updates again, and the same undo
        weights, state = step(weights, state)
    assert int(state.log.skipped) == 2 and int(state.selector_state.undone) == 2
    assert_trees_equal(weights, at_switch)


def test_undo_if_worse_does_not_undo_again_before_a_loss_counts():
    # After an undo at a loss that is not finite, the next loss (the saved parameters' own) must count first.
    tx = optswitch.switch(candidates(), selectors.undo_if_worse(wanting([0] * 5 + [1] * (STEPS - 5)), 4))
    losses = [1.0] * 6 + [1.1, np.inf, np.nan, np.inf, 1.1, np.nan]  # candidate 1 from update 6
    state, undone = tx.init(params()), []
    for loss in losses:
        state = updater(tx)(state, jnp.float32(loss))
        undone.append(int(state.selector_state.undone))
    assert undone == [0] * 7 + [1, 1, 1, 1, 2]
    assert int(state.log.skipped) == 4


def test_undo_if_worse_undoes_a_first_loss_that_is_not_finite_after_a_switch_from_a_leg_not_yet_judged():
    # Candidate 1 makes updates 7 and 8 only (too few to judge with min_losses=3): candidate 2's first loss, at
    # the parameters candidate 1's last update left, is NaN, and the parameters go back to those saved at update 6.
    table = [0] * 6 + [1, 1] + [2] * (STEPS - 8)
    tx = optswitch.switch(candidates(), selectors.undo_if_worse(wanting(table), 4))
    losses = [1.0] * 7 + [1.1, 1.1, np.nan, 1.0, np.nan, np.nan]
    state, undone, made = tx.init(params()), [], []
    for loss in losses:
        made.append(int(state.active))
        state = updater(tx)(state, jnp.float32(loss))
        undone.append(int(state.selector_state.undone))
    assert made == [0] * 7 + [1, 1, 2, 2, 2, 2]
    assert undone == [0] * 9 + [1, 1, 2, 2]  # then watched from the same start: update 11 is undone too


def test_undo_if_worse_lands_on_the_switch_s_parameters_through_update_too():
    tx = optswitch.switch(
        {"calm": optax.sgd(0.1), "wild": optax.sgd(3.0)},
        selectors.undo_if_worse(selectors.schedule({0: "calm", 6: "wild"}), 3),
    )
    weights, state = params(), tx.init(params())
    for t in range(9):
        if t == 6:
            at_switch = weights
        updates, state = tx.update(jax.grad(quadratic_loss)(weights), state, weights, value=quadratic_loss(weights))
        weights = optax.apply_updates(weights, updates)
    assert int(state.selector_state.undone) == 1
    for leaf, expected in zip(jax.tree.leaves(weights), jax.tree.leaves(at_switch), strict=True):
        np.testing.assert_allclose(leaf, expected, rtol=1e-6, atol=1e-6)  # params + (snapshot - params)


def test_undo_if_worse_restores_a_state_that_copies_share():
    # trials restores one candidate's state and not another's, which copies sharing a state forbid; an undo
    # restores all of them at once, so learning_rate_multiples' shared states are allowed.
    copies = optswitch.learning_rate_multiples({"sgd": optax.sgd(0.1, momentum=0.5)}, multiples=(1, 30))
    with pytest.raises(ValueError, match="share one with other candidates"):
        optswitch.switch(copies, selectors.trials(100))
    guard = selectors.undo_if_worse(selectors.schedule({0: "sgd", 8: "sgd-x30"}), 3)
    tx = optswitch.switch(copies, guard)
    step = jax.jit(
        lambda weights, state: tx.update_and_apply(
            jax.grad(quadratic_loss)(weights), state, weights, value=quadratic_loss(weights)
        )
    )
    weights, state = params(), tx.init(params())
    for t in range(11):
        if t == 8:
            at_switch, states_at_switch = weights, state.candidate_states
        weights, state = step(weights, state)
    assert int(state.selector_state.undone) == 1
    assert_trees_equal(weights, at_switch)
    assert_trees_equal(state.candidate_states, states_at_switch)


def test_undo_if_worse_refuses_what_it_cannot_guard_and_bad_settings():
    trials = selectors.trials(100)
    never_busy = trials._replace(snapshots=trials.snapshots._replace(busy=None))
    with pytest.raises(ValueError, match=r"undo_if_worse: the trials selector .* or give its Snapshots a busy="):
        selectors.undo_if_worse(never_busy, 5)
    with pytest.raises(ValueError, match="min_dwell: the undo_if_worse\\(race\\) selector restores parameters"):
        selectors.min_dwell(selectors.undo_if_worse(selectors.race(window=4), 5), 3)
    with pytest.raises(ValueError, match=r"undo_if_worse: window=4; it must be an int >= 5 \(min_losses=5"):
        selectors.undo_if_worse(selectors.race(window=4), 4, min_losses=5)
    with pytest.raises(ValueError, match=r"undo_if_worse: window=2; it must be an int >= 3"):
        selectors.undo_if_worse(selectors.race(window=4), 2)
    with pytest.raises(ValueError, match="undo_if_worse: min_losses=2; it must be an int >= 3"):
        selectors.undo_if_worse(selectors.race(window=4), 4, min_losses=2)
    with pytest.raises(ValueError, match="undo_if_worse: confidence=-1"):
        selectors.undo_if_worse(selectors.race(window=4), 5, confidence=-1)
    with pytest.raises(ValueError, match="undo_if_worse: noise='own' is not a choice; pass 'each'"):
        selectors.undo_if_worse(selectors.race(window=4), 5, noise="own")


@pytest.mark.parametrize("noise, said", [("each", ""), ("before", ", by the scatter before the switch")])
def test_a_switch_at_an_undo_says_so(noise, said):
    received = []
    table = {0: 0, 10: 1, 14: 0}
    tx = optswitch.switch(
        [optax.sgd(0.1), optax.sgd(0.2)],
        selectors.undo_if_worse(selectors.schedule(table), 4, noise=noise),
        on_event=received.append,
    )
    weights, update_and_apply = {"w": jnp.ones(3)}, jax.jit(tx.update_and_apply)
    state = tx.init(weights)
    for t in range(20):
        loss = (1.0 if t < 10 or t >= 14 else 2.0) + 0.01 * (t % 3)
        weights, state = update_and_apply(weights, state, weights, value=jnp.asarray(loss))
    jax.effects_barrier()
    assert [event.reason for event in received] == [
        "scheduled at 10",
        "scheduled at 14; the updates since the previous switch were undone at update 14 (their log loss ended "
        f"above where it began by more than 2 standard errors{said})",
    ]


@pytest.mark.parametrize("keep_watch", [False, True])
def test_an_undo_through_a_kept_watch_says_it_goes_back_to_the_switch_watched(keep_watch):
    # The switch at 11 comes one update after the watched one at 10: unwatched by default, so the loss doubled since 10
    # is never judged; with the watch kept, the switch at 14 judges the updates since 10 and undoes them.
    received = []
    tx = optswitch.switch(
        [optax.sgd(0.1), optax.sgd(0.2)],
        selectors.undo_if_worse(selectors.schedule({0: 0, 10: 1, 11: 0, 14: 1}), 4, keep_watch=keep_watch),
        on_event=received.append,
    )
    weights, update_and_apply = {"w": jnp.ones(3)}, jax.jit(tx.update_and_apply)
    state = tx.init(weights)
    for t in range(20):
        loss = (1.0 if t < 10 else 2.0) + 0.01 * (t % 3)
        weights, state = update_and_apply(weights, state, weights, value=jnp.asarray(loss))
    jax.effects_barrier()
    undone = (
        "; the updates since the switch watched were undone at update 14 (their log loss ended above where it began "
        "by more than 2 standard errors)"
    )
    assert [event.reason for event in received] == [
        "scheduled at 10",
        "scheduled at 11",
        "scheduled at 14" + (undone if keep_watch else ""),
    ]


def test_a_leader_that_diverges_long_after_its_judgement_is_put_back_and_steps_down():
    # SGD at 0.1, then 0.9 from its 20th update: at 3x (2.7) the quadratic's loss grows ~2.9x an update and overflows.
    copies = optswitch.learning_rate_multiples({"sgd": optax.sgd(optax.piecewise_constant_schedule(0.1, {20: 9.0}))})
    picks = selectors.step_down(selectors.schedule({0: "sgd", 5: "sgd-x3"}), at=1000, stall=500)
    received = []
    tx = optswitch.switch(copies, selectors.undo_if_worse(picks, 5), on_event=received.append)
    step = jax.jit(
        lambda weights, state: tx.update_and_apply(
            jax.grad(quadratic_loss)(weights), state, weights, value=quadratic_loss(weights)
        )
    )
    weights, state = params(), tx.init(params())
    for _ in range(5):  # "sgd"'s updates; the switch's snapshot is taken after the 5th
        weights, state = step(weights, state)
    at_switch, states_at_switch = weights, state.candidate_states
    losses = []
    while not losses or np.isfinite(losses[-1]):
        losses.append(float(quadratic_loss(weights)))
        weights, state = step(weights, state)
    broke = 5 + len(losses) - 1  # the update whose loss is not finite
    assert broke > 50 and int(state.selector_state.undone) == 1  # long after the leg was judged (at 10) and kept
    assert_trees_equal(weights, at_switch)
    assert_trees_equal(state.candidate_states, states_at_switch)
    # The same updates again, on the same batches, from the same state: the same divergence, put back once more.
    for _ in range(broke - 4):
        weights, state = step(weights, state)
    assert int(state.log.skipped) == 2 and int(state.selector_state.undone) == 2
    assert_trees_equal(weights, at_switch)
    for _ in range(200):
        weights, state = step(weights, state)
    assert int(state.log.skipped) == 2 and int(state.selector_state.undone) == 2
    assert optswitch.summary(state).switches == [(5, "sgd", "sgd-x3"), (2 * broke - 2, "sgd-x3", "sgd")]
    assert float(quadratic_loss(weights)) < 1e-6 * losses[0]
    jax.effects_barrier()
    assert received[-1].reason == "sgd-x3 made a second update whose loss was not finite: from now on it runs as sgd"


@pytest.mark.parametrize("guard", [lambda s: selectors.undo_if_worse(s, 3), lambda s: selectors.revert_if_worse(s, 3)])
def test_a_scheduled_switch_whose_boundary_falls_on_skipped_updates_comes_at_the_next_one(guard):
    # Under a guard that reads the loss, updates 3 and 4 (the losses before the boundary at 5) skip select.
    received = []
    tx = optswitch.switch(
        candidates(), guard(selectors.schedule({0: "adam", 5: "sgd", 9: "rmsprop"})), on_event=received.append
    )
    losses = [1.0, 0.9, 0.8, np.nan, np.inf] + [0.7 * 0.99**t for t in range(STEPS - 5)]
    made = run(tx, lambda k, t: losses[t])
    assert made == [0] * 6 + [1] * 3 + [2] * (STEPS - 9)  # sgd from 6, one update late; rmsprop at 9 as scheduled
    jax.effects_barrier()
    assert [event.reason for event in received] == [
        "scheduled at 5, from 6 (the updates between were skipped: signals not finite)",
        "scheduled at 9",
    ]
