"""Misuse of the selectors (issue 10): each mistake gives correct behaviour or a clear error, never a silent one.

A selector's settings belong to the transformation: a state made by another switch (an edited schedule, a
restored checkpoint) carries only progress. A selector carries on from the candidate set from the host. Bad
settings, a loss a selector cannot read and a custom selector's wrong return are named.
"""

import functools
import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import optswitch
from optswitch import selectors

PARAMS = {"w": jnp.linspace(-1.0, 1.0, 5)}
GRADS = {"w": jnp.linspace(-1.0, 1.0, 5)}


def sgd(momentum=0.9):
    """SGD with an injectable rate of 0, the placeholder SWATS replaces."""
    return optax.inject_hyperparams(optax.sgd)(learning_rate=0.0, momentum=momentum)


def three():
    return {"adam": optax.adam(1e-2), "sgd": sgd(), "rms": optax.rmsprop(1e-2)}


def run(tx, state, steps, loss=lambda t: 1.0, grads=lambda t: GRADS, jit=True):
    """``steps`` updates of ``tx`` from ``state`` (jitted unless ``jit=False``); returns the state and the active
    candidate before each."""
    active, update = [], jitted_update(tx) if jit else tx.update
    for t in range(steps):
        active.append(optswitch.active(state))
        _, state = update(grads(t), state, PARAMS, value=jnp.asarray(loss(t), jnp.float32))
    return state, active


@functools.cache
def jitted_update(tx):
    return jax.jit(tx.update)


def noisy(t):
    """A gradient of mean 0: pure noise, which noise_scale switches on after its warmup."""
    return {"w": jax.random.normal(jax.random.key(t), [5])}


# A state from another switch carries progress only: the transformation's settings decide.


def test_an_edited_schedule_decides_on_the_old_schedules_state():
    old = optswitch.switch(three(), selectors.schedule({0: "adam", 100: "sgd"}))
    new = optswitch.switch(three(), selectors.schedule({0: "adam", 5: "sgd"}))
    state, _ = run(new, old.init(PARAMS), 7)
    assert optswitch.summary(state).switches == [(5, "adam", "sgd")]


@pytest.mark.parametrize(
    ("old", "new", "steps", "expected"),
    [
        # patience 1 and a constant loss: the first evaluation improves on inf, the second moves.
        (
            selectors.plateau(["adam", "sgd", "rms"], patience=1),
            selectors.plateau(["adam", "rms", "sgd"], patience=1),
            2,
            [(2, "adam", "rms")],
        ),
        # The race's first leg is Adam's; the second goes to the next of new's order.
        (selectors.race(["adam", "sgd"], window=3), selectors.race(["adam", "rms"], window=3), 4, [(3, "adam", "rms")]),
    ],
    ids=["plateau", "race"],
)
def test_a_new_order_decides_on_the_old_orders_state(old, new, steps, expected):
    old_tx, new_tx = optswitch.switch(three(), old), optswitch.switch(three(), new)
    losses = (lambda t: 1.0) if new.name == "plateau" else (lambda t: 0.9**t)
    state, _ = run(new_tx, old_tx.init(PARAMS), steps, loss=losses)
    assert optswitch.summary(state).switches == expected


def test_swats_switches_to_the_new_sgd_candidate_on_the_old_state():
    candidates = {"adam": optax.adam(1e-2), "sgd": sgd(), "sgd2": sgd()}
    old = optswitch.switch(candidates, selectors.swats("adam", "sgd", rtol=1e-2))
    new = optswitch.switch(candidates, selectors.swats("adam", "sgd2", rtol=1e-2))
    state, _ = run(new, old.init(PARAMS), 4)
    assert optswitch.summary(state).switches == [(2, "adam", "sgd2")]


def test_noise_scale_switches_to_the_new_target_on_the_old_state():
    old = optswitch.switch(three(), selectors.noise_scale("adam", "sgd", warmup=2))
    new = optswitch.switch(three(), selectors.noise_scale("adam", "rms", warmup=2))
    state, _ = run(new, old.init(PARAMS), 6, grads=noisy)
    switches = optswitch.summary(state).switches
    assert len(switches) == 1 and switches[0][1:] == ("adam", "rms")


def test_a_selector_select_without_names_says_to_bind_it():
    selector = selectors.plateau(["b", "a"], patience=1)
    with pytest.raises(TypeError, match=r"plateau: select needs the candidates' names.*selector.bound\(names\)"):
        selector.select(None, selector.init(("a", "b")))
    assert selector.bound(("a", "b")).initial(("a", "b")) == 1


# A switch made from the host: every built-in selector carries on from the candidate active now.


# patience 1 and a constant loss: the first evaluation improves on inf, then every evaluation moves.
@pytest.mark.parametrize(("cycle", "expected"), [(False, []), (True, [(2, "rms", "sgd"), (3, "sgd", "adam")])])
def test_plateau_carries_on_from_a_candidate_set_from_the_host(cycle, expected):
    tx = optswitch.switch(
        {"sgd": sgd(), "adam": optax.adam(1e-2), "rms": optax.rmsprop(1e-2)}, selectors.plateau(patience=1, cycle=cycle)
    )
    state = optswitch.set_active(tx.init(PARAMS), "rms")  # the last of its order
    state, _ = run(tx, state, 3)
    assert optswitch.summary(state).switches == [(0, "sgd", "rms"), *expected]


def test_plateau_moves_on_from_the_middle_of_its_order_after_a_host_switch():
    tx = optswitch.switch(
        {"sgd": sgd(), "adam": optax.adam(1e-2), "rms": optax.rmsprop(1e-2)}, selectors.plateau(patience=1)
    )
    state = optswitch.set_active(tx.init(PARAMS), "adam")
    state, _ = run(tx, state, 2)
    assert optswitch.summary(state).switches == [(0, "sgd", "adam"), (2, "adam", "rms")]


def test_a_plateau_move_from_a_candidate_outside_its_order_goes_to_its_first():
    tx = optswitch.switch(three(), selectors.plateau(["sgd", "rms"], patience=1))
    state = optswitch.set_active(tx.init(PARAMS), "adam")
    state, _ = run(tx, state, 2)
    assert optswitch.summary(state).switches == [(0, "sgd", "adam"), (2, "adam", "sgd")]


def test_race_keeps_a_candidate_set_from_the_host_after_the_race_as_its_leader():
    tx = optswitch.switch({"adam": optax.adam(1e-2), "sgd": sgd()}, selectors.race(window=3, growth=100.0))
    # Legs adam, sgd, sgd, adam; SGD's updates remove more of the loss, so it wins at update 12.
    loss, state = 1.0, tx.init(PARAMS)
    for _ in range(12):
        name = optswitch.active(state)
        _, state = jitted_update(tx)(GRADS, state, PARAMS, value=jnp.asarray(loss))
        loss *= 0.8 if name == "sgd" else 0.9
    assert optswitch.active(state) == "sgd"
    state = optswitch.set_active(state, "adam")
    state, active = run(tx, state, 12, loss=lambda t: loss * 0.9**t)
    assert active == ["adam"] * 12  # on today's main, back to SGD at the end of the window
    assert int(state.selector_state.leader) == 0


@pytest.mark.parametrize(
    "selector",
    [
        selectors.manual(),
        selectors.schedule({0: "adam", 50: "sgd"}),
        selectors.bandit(window=3),
        selectors.swats("adam", "sgd"),
        selectors.noise_scale("adam", "sgd", warmup=100),
    ],
    ids=["manual", "schedule", "bandit", "swats", "noise_scale"],
)
def test_the_other_selectors_keep_a_candidate_set_from_the_host(selector):
    tx = optswitch.switch(three(), selector)
    state, _ = run(tx, tx.init(PARAMS), 2, loss=lambda t: 0.9**t)
    state = optswitch.set_active(state, "rms")
    # bandit restarts its window with rms; the one-way selectors and the schedule (until a boundary) keep it.
    state, active = run(tx, state, 2, loss=lambda t: 0.8 * 0.9**t)
    assert active == ["rms", "rms"]


# SWATS and a switch to SGD made from the host.


def test_a_host_switch_to_sgd_gets_swats_estimate_so_far():
    tx = optswitch.switch({"adam": optax.adam(1e-2), "sgd": sgd()}, selectors.swats("adam", "sgd", atol=0.0))
    state, _ = run(tx, tx.init(PARAMS), 3)  # the estimate settles, but atol=0 never switches
    estimate = float(state.selector_state.estimate)
    assert estimate > 0 and not bool(state.selector_state.switched)
    state = optswitch.set_active(state, "sgd")
    updates, state = tx.update(GRADS, state, PARAMS)
    rate = state.candidate_states[1].hyperparams["learning_rate"]
    np.testing.assert_allclose(float(rate), 0.1 * estimate, rtol=1e-6)
    np.testing.assert_allclose(updates["w"], -0.1 * estimate * GRADS["w"], rtol=1e-6)


def test_a_host_switch_to_sgd_before_swats_has_an_estimate_warns():
    tx = optswitch.switch({"adam": optax.adam(1e-2), "sgd": sgd()}, selectors.swats("adam", "sgd"))
    with pytest.warns(UserWarning, match=r"set_active: 'sgd' has learning_rate 0.*zero updates"):
        optswitch.set_active(tx.init(PARAMS), "sgd")
    state, _ = run(tx, tx.init(PARAMS), 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optswitch.set_active(state, "sgd")  # an estimate now: the handoff sets the rate


# A loss <= 0 stalls race and bandit: counted, reported, warned about once.


def recommended_step_down():
    """The recommended setup's race and step down (mapped among the three, which are not learning-rate copies)."""
    return selectors.step_down(selectors.race(window=3), at=50, to={"adam": "rms"}, stall=5)


RECOMMENDED = selectors.undo_if_worse(recommended_step_down(), 5)


@pytest.mark.parametrize(
    "selector",
    [selectors.race(window=3), selectors.bandit(window=3), RECOMMENDED],
    ids=["race", "bandit", "race under step_down and undo_if_worse"],
)
def test_losses_at_or_below_zero_are_counted_reported_and_warned_about_once(selector):
    tx = optswitch.switch(three(), selector)
    losses = [1.0, 0.0, -2.0, 0.5, -1.0]
    with pytest.warns(UserWarning, match=r"a loss <= 0, which has no log.*value=loss - floor") as record:
        # Unjitted: the warning needs a concrete loss (under jit the summary counts them, below).
        state, _ = run(tx, tx.init(PARAMS), len(losses), loss=lambda t: losses[t], jit=False)
    assert len([w for w in record if "loss <= 0" in str(w.message)]) == 1
    summary = optswitch.summary(state)
    assert summary.ignored_losses == 3 and summary.skipped == 0
    assert "warning: 3 updates had a loss <= 0" in str(summary)
    jitted = jax.jit(tx.update)
    _, state = jitted(GRADS, state, PARAMS, value=jnp.asarray(0.0))
    assert optswitch.summary(state).ignored_losses == 4
    assert int(optswitch.metrics(state, prefix="")["ignored_losses"]) == 4


LOSSES_BELOW_ZERO_FROM_2 = [1.0, 0.5, -2.0, 0.0, -1.0, 0.3, -0.5]


def warnings_of_losses_below_zero(tx, jit: bool) -> tuple[list[str], optswitch.Summary]:
    """The warnings of losses <= 0 over ``LOSSES_BELOW_ZERO_FROM_2``, in two calls as a resumed run makes them."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        state, _ = run(tx, tx.init(PARAMS), 4, loss=lambda t: LOSSES_BELOW_ZERO_FROM_2[t], jit=jit)
        state, _ = run(tx, state, 3, loss=lambda t: LOSSES_BELOW_ZERO_FROM_2[4 + t], jit=jit)
        jax.effects_barrier()
    return [str(w.message) for w in record if "loss <= 0" in str(w.message)], optswitch.summary(state)


@pytest.mark.parametrize(
    "make",
    [lambda: selectors.race(window=3), lambda: selectors.undo_if_worse(recommended_step_down(), 5)],
    ids=["race", "recommended setup"],
)
def test_under_jit_with_on_event_the_first_loss_at_or_below_zero_warns_once_naming_its_update(make):
    events, selector = [], make()
    messages, summary = warnings_of_losses_below_zero(optswitch.switch(three(), selector, on_event=events.append), True)
    assert len(messages) == 1 and summary.ignored_losses == 4
    assert f"{selector.name}: update() was given value=-2.0 at update 2, a loss <= 0, which has no log" in messages[0]
    assert "value=loss - floor" in messages[0]
    # Without on_event the compiled step has no callback: the summary is the only sign.
    messages, summary = warnings_of_losses_below_zero(optswitch.switch(three(), selector), True)
    assert messages == [] and summary.ignored_losses == 4
    # Unjitted, the selector warns by itself, once, and on_event adds no second warning.
    messages, _ = warnings_of_losses_below_zero(optswitch.switch(three(), make(), on_event=events.append), False)
    assert len(messages) == 1 and "value=-2.0, a loss <= 0" in messages[0]


def test_a_selector_that_reads_no_log_puts_no_warning_of_losses_below_zero_in_the_compiled_step():
    def callbacks(selector, on_event=[].append) -> int:
        tx = optswitch.switch(three(), selector, on_event=on_event)
        update = jax.jit(lambda grads, state, loss: tx.update(grads, state, PARAMS, value=loss))
        compiled = update.lower(GRADS, tx.init(PARAMS), jnp.float32(-1.0)).compile().as_text()
        return compiled.count("python_cpu_callback")

    # The race's step holds the switch's event and the warning; the plateau's only the event.
    assert callbacks(selectors.plateau(patience=1)) >= 1
    assert callbacks(selectors.race(window=3)) == 2 * callbacks(selectors.plateau(patience=1))
    assert callbacks(selectors.race(window=3), on_event=None) == 0  # without on_event, no callback at all
    assert (
        warnings_of_losses_below_zero(
            optswitch.switch(three(), selectors.plateau(patience=1), on_event=[].append), True
        )[0]
        == []
    )


def test_a_summary_of_a_selector_that_reads_no_log_reports_no_ignored_losses():
    tx = optswitch.switch(three(), selectors.plateau(patience=1))
    state, _ = run(tx, tx.init(PARAMS), 2, loss=lambda t: -1.0)
    assert optswitch.summary(state).ignored_losses == 0 and "loss <= 0" not in str(optswitch.summary(state))
    assert "ignored_losses" not in optswitch.metrics(state, prefix="")


# Settings: NaN and inf are rejected when the selector is built.


@pytest.mark.parametrize(
    ("make", "label"),
    [
        (lambda bad: selectors.plateau(patience=1, atol=bad), "atol"),
        (lambda bad: selectors.plateau(patience=1, rtol=bad), "rtol"),
        (lambda bad: selectors.bandit(window=2, exploration=bad), "exploration"),
        (lambda bad: selectors.bandit(window=2, epsilon=bad), "epsilon"),
        (lambda bad: selectors.bandit(window=2, discount=bad), "discount"),
        (lambda bad: selectors.noise_scale("a", "b", threshold=bad), "threshold"),
        (lambda bad: selectors.noise_scale("a", "b", beta=bad), "beta"),
        (lambda bad: selectors.noise_scale("a", "b", smoothing=bad), "smoothing"),
        (lambda bad: selectors.race(window=3, growth=bad), "growth"),
        (lambda bad: selectors.race(window=3, fraction=bad), "fraction"),
        (lambda bad: selectors.race(window=3, confidence=bad), "confidence"),
        (lambda bad: selectors.race(window=3, margin=bad), "margin"),
        (lambda bad: selectors.swats("a", "b", atol=bad), "atol"),
        (lambda bad: selectors.swats("a", "b", rtol=bad), "rtol"),
        (lambda bad: selectors.swats("a", "b", beta1=bad), "beta1"),
        (lambda bad: selectors.swats("a", "b", beta2=bad), "beta2"),
    ],
)
@pytest.mark.parametrize("bad", [math.nan, math.inf, "0.1", True], ids=["nan", "inf", "str", "bool"])
def test_a_setting_that_is_not_a_finite_number_is_rejected(make, label, bad):
    with pytest.raises(ValueError, match=rf"{label}={bad!r}; it must be a finite number"):
        make(bad)


def test_a_bandit_seed_must_be_an_int():
    with pytest.raises(ValueError, match=r"bandit: seed=0.5; it must be an int"):
        selectors.bandit(window=2, seed=0.5)
    selectors.bandit(window=2, seed=np.int64(-3))


# schedule's boundaries.


def test_a_schedule_accepts_numpy_integer_boundaries():
    tx = optswitch.switch(three(), selectors.schedule({np.int64(0): "adam", np.int32(2): "sgd"}))
    state, _ = run(tx, tx.init(PARAMS), 3)
    assert optswitch.summary(state).switches == [(2, "adam", "sgd")]


def test_a_schedule_boundary_past_int32_is_a_clear_error():
    with pytest.raises(ValueError, match=r"schedule: boundary 2147483648 is past the last update index.*2147483647"):
        selectors.schedule({0: "adam", 2**31: "sgd"})
    selectors.schedule({0: "adam", 2**31 - 1: "sgd"})


# custom: what select_fn must return, and reads.


@pytest.mark.parametrize(
    ("select_fn", "message"),
    [
        (lambda signals, state: ("sgd", state), r"returned 'sgd' as next_index.*names.index\('sgd'\)"),
        (lambda signals, state: signals.active, r"returned a .*Array.* of shape \(\); it must return a pair"),
        (lambda signals, state: (signals.active, state, 0), r"returned a tuple; it must return a pair"),
        (lambda signals, state: (None, state), r"returned None as next_index"),
    ],
    ids=["name", "index-only", "triple", "none"],
)
def test_custom_select_fn_returning_the_wrong_thing_says_what_it_must_return(select_fn, message):
    tx = optswitch.switch(three(), selectors.custom(lambda names: (), select_fn, reads=[]))
    with pytest.raises(TypeError, match=message):
        tx.update(GRADS, tx.init(PARAMS), PARAMS)


def test_custom_reads_a_single_signal_given_as_a_string():
    selector = selectors.custom(lambda names: (), lambda signals, state: (signals.active, state), reads="grad_sq_norm")
    assert selector.reads == frozenset({"grad_sq_norm"})
    with pytest.raises(ValueError, match=r"unknown signals \['grad_norm'\]"):
        selectors.custom(lambda names: (), lambda signals, state: (signals.active, state), reads="grad_norm")
    with pytest.raises(TypeError, match=r"reads=3; pass a signal's name or a list of them"):
        selectors.custom(lambda names: (), lambda signals, state: (signals.active, state), reads=3)


def test_a_selector_built_by_hand_with_reads_as_a_string_reads_that_signal():
    selector = selectors.Selector(init=lambda names: (), select=lambda s, state: (s.active, state), reads="loss")
    assert selector.needs_value and selector.reads_for(("a", "b")) == (frozenset({"loss"}),) * 2


def test_custom_given_something_other_than_functions_says_what_it_takes():
    with pytest.raises(TypeError, match=r"custom: init_fn is a tuple, not a function.*init_fn\(names\) -> state"):
        selectors.custom((), lambda signals, state: (signals.active, state))
    with pytest.raises(TypeError, match=r"custom: select_fn is a NoneType, not a function"):
        selectors.custom(lambda names: (), None)


def test_swats_refuses_an_integer_learning_rate_that_would_truncate_its_estimate():
    # inject_hyperparams(sgd)(learning_rate=0) stores an int32 rate: SWATS's estimate written into it would be 0.
    sgd = optax.inject_hyperparams(optax.sgd)(learning_rate=0, momentum=0.9)
    tx = optswitch.switch({"adam": optax.adam(1e-3), "sgd": sgd}, optswitch.selectors.swats("adam", "sgd"))
    with pytest.raises(TypeError, match=r"swats: the learning_rate of the SGD candidate 'sgd' is an int32.*float"):
        tx.init({"w": jnp.ones(3)})


def saving_at_update_3(on_skip):
    """A selector of one's own with one snapshot slot: it saves the parameters after update 3 (its state counts
    the updates it saw) and asks ``on_skip`` what to do after an update whose loss is not finite."""
    nothing = selectors.SnapshotRequest(jnp.int32(-1), jnp.int32(-1), jnp.asarray(False), jnp.zeros([1], bool))
    counter = selectors.custom(lambda names: jnp.int32(0), lambda signals, seen: (0, seen + 1), reads=["loss"])
    request = lambda seen: nothing._replace(save=jnp.where(seen == 3, 0, -1).astype(jnp.int32))
    return counter._replace(snapshots=selectors.Snapshots(slots=1, request=request, on_skip=on_skip))


def test_a_selector_of_one_s_own_puts_back_a_snapshot_after_a_loss_that_is_not_finite():
    load = lambda seen: (
        selectors.SnapshotRequest(jnp.int32(-1), jnp.int32(0), jnp.asarray(False), jnp.zeros([1], bool)),
        seen,
    )
    tx = optswitch.switch([optax.sgd(0.1)], saving_at_update_3(load))
    params = {"w": jnp.ones(3)}
    state = tx.init(params)
    for t in range(6):
        if t == 3:
            saved = params
        loss = jnp.float32(jnp.nan if t == 5 else 1.0)
        params, state = tx.update_and_apply({"w": jnp.ones(3)}, state, params, value=loss)
    np.testing.assert_array_equal(params["w"], saved["w"])  # the update at the NaN loss put the snapshot back
    assert int(state.log.skipped) == 1 and int(state.selector_state) == 5


def test_an_on_skip_that_changes_the_selector_s_state_structure_is_an_error():
    tx = optswitch.switch([optax.sgd(0.1)], saving_at_update_3(lambda seen: (None, (seen, seen))))
    with pytest.raises(ValueError, match=r"Snapshots\.on_skip changed the structure or shapes of its state"):
        tx.update({"w": jnp.ones(3)}, tx.init({"w": jnp.ones(3)}), {"w": jnp.ones(3)}, value=jnp.float32(1.0))
