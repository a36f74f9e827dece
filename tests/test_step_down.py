"""selectors.step_down: copies at a multiple of their learning rate give way to the originals from a given update."""

import jax
import jax.numpy as jnp
import optax
import pytest
from helpers import candidates
from problems import train

import optswitch
from optswitch import selectors

PARAMS = {"w": jnp.ones(3)}


def run(tx, updates, loss=1.0):
    step = jax.jit(lambda state: tx.update(PARAMS, state, PARAMS, value=jnp.asarray(loss, jnp.float32))[1])
    state = tx.init(PARAMS)
    for _ in range(updates):
        state = step(state)
    return state


def test_each_copy_gives_way_to_its_original_from_the_update_given():
    copies = optswitch.learning_rate_multiples(candidates(), (3, 1))
    picks = selectors.schedule({0: "adam-x3", 4: "sgd-x3", 9: "rmsprop", 12: "rmsprop-x3"})
    state = run(optswitch.switch(copies, selectors.step_down(picks, at=7)), 15)
    # Before 7 the picks run as picked; from 7 on sgd-x3 runs as sgd, and rmsprop-x3 as rmsprop (no switch at 12).
    assert optswitch.summary(state).switches == [(4, "adam-x3", "sgd-x3"), (7, "sgd-x3", "sgd"), (9, "sgd", "rmsprop")]
    assert optswitch.active(state) == "rmsprop"


def test_at_zero_steps_down_from_the_second_update():
    copies = optswitch.learning_rate_multiples({"sgd": optax.sgd(0.1)}, (3, 1))
    state = run(optswitch.switch(copies, selectors.step_down(selectors.schedule({0: "sgd-x3"}), at=0)), 3)
    # Update 0 runs the switch's first candidate (the selector chooses after each update).
    assert optswitch.summary(state).switches == [(1, "sgd-x3", "sgd")]


def test_to_names_the_candidates_to_give_way_to():
    picks = selectors.schedule({0: "adam", 2: "sgd"})
    state = run(optswitch.switch(candidates(), selectors.step_down(picks, at=4, to={"sgd": "rmsprop"})), 6)
    assert optswitch.summary(state).switches == [(2, "adam", "sgd"), (4, "sgd", "rmsprop")]


def test_a_race_stopped_half_way_and_stepped_down_in_a_compiled_training_loop():
    copies = optswitch.learning_rate_multiples({"adam": optax.adam(1e-3), "sgd": optax.sgd(1e-2, momentum=0.9)})
    selector = selectors.step_down(selectors.race(window=4, stop=40), at=40)
    tx = optswitch.switch(copies, selector)
    _, state, _ = train(tx, 60)
    first, leader, stepped = optswitch.summary(state).switches[-1]
    # On the digits MLP the larger steps win the race; from update 40 its winner runs at the rate given.
    assert (first, leader, stepped) == (40, "adam-x3", "adam")
    assert optswitch.active(state) == "adam"
    # The race, stopped, sees the updates that adam makes for its leader as its leader's.
    inner = state.selector_state.inner
    assert int(inner.leader) == int(inner.arm) == list(copies).index("adam-x3")


def test_a_race_still_deciding_after_the_step_duels_its_picks_as_they_run():
    copies = optswitch.learning_rate_multiples({"adam": optax.adam(1e-3), "sgd": optax.sgd(1e-2, momentum=0.9)})
    received = []
    selector = selectors.step_down(selectors.race(window=4, fraction=0.0, growth=1.5), at=30)
    _, state, _ = train(optswitch.switch(copies, selector, on_event=received.append), 80)
    jax.effects_barrier()
    after = [event for event in received if event.update > 30]
    # Past the step the race goes on: its duels switch between the candidates that run for its picks, and it
    # reads their updates as its picks' (no switch from the host restarts its windows).
    assert after and all(event.reason.startswith(("duel", "adam", "sgd")) for event in after)
    assert all("-x" not in event.target for event in after)
    inner = state.selector_state.inner
    assert int(inner.arm) == int(state.selector_state.picked) and "-x3" in list(copies)[int(inner.arm)]


def test_the_switch_event_says_it_stepped_down():
    received = []
    copies = optswitch.learning_rate_multiples({"sgd": optax.sgd(0.1)}, (3, 1))
    picks = selectors.schedule({0: "sgd-x3"})
    run(optswitch.switch(copies, selectors.step_down(picks, at=3), on_event=received.append), 5)
    jax.effects_barrier()
    assert received == [
        optswitch.events.SwitchEvent(3, "sgd-x3", "sgd", "stepped down from update 3: sgd-x3 runs as sgd")
    ]


def test_a_switch_by_the_wrapped_selector_and_the_step_together_say_both():
    received = []
    copies = optswitch.learning_rate_multiples({"adam": optax.adam(0.1), "sgd": optax.sgd(0.1)}, (3, 1))
    picks = selectors.schedule({0: "adam-x3", 3: "sgd-x3"})
    run(optswitch.switch(copies, selectors.step_down(picks, at=3), on_event=received.append), 5)
    jax.effects_barrier()
    assert [event.reason for event in received] == ["scheduled at 3; stepped down from update 3: sgd-x3 runs as sgd"]


def never_busy(selector):
    """``selector`` with snapshots that do not say when they are busy: no wrapper may wrap it."""
    return selector._replace(snapshots=selector.snapshots._replace(busy=None))


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: selectors.step_down("race", 3),
            TypeError,
            "expected an optswitch.selectors.Selector to wrap, got str",
        ),
        (
            lambda: selectors.step_down(never_busy(selectors.trials(100)), 50),
            ValueError,
            "restores parameters from snapshots .* or give its Snapshots a busy=",
        ),
        (lambda: selectors.step_down(selectors.manual(), -1), ValueError, "at"),
    ],
)
def test_bad_settings_are_refused(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_candidates_without_copies_are_refused_when_the_switch_is_built():
    with pytest.raises(ValueError, match="no candidate is a copy made by optswitch.learning_rate_multiples"):
        optswitch.switch(candidates(), selectors.step_down(selectors.manual(), 10))


def test_an_unknown_candidate_in_to_is_refused_when_the_switch_is_built():
    with pytest.raises(
        ValueError, match=r"unknown candidate 'lion' in to=; the candidates are \['adam', 'sgd', 'rmsprop'\]"
    ):
        optswitch.switch(candidates(), selectors.step_down(selectors.manual(), 10, to={"adam": "lion"}))


def run_losses(tx, losses):
    """Feeds the losses in order; returns the final state."""
    step = jax.jit(lambda state, loss: tx.update(PARAMS, state, PARAMS, value=loss)[1])
    state = tx.init(PARAMS)
    for loss in losses:
        state = step(state, jnp.asarray(loss, jnp.float32))
    return state


FALLING = [2.0 * 0.9**t for t in range(12)]  # three windows of 4 that fall
FLAT = [1.0, 0.95, 1.1, 1.05]  # a window whose line rises: a stall


def test_a_copy_whose_loss_stops_falling_steps_every_pick_down_from_then_on():
    copies = optswitch.learning_rate_multiples(candidates(), (3, 1))
    # adam-x3 stalls on updates 12-15; from update 16 on every pick runs as its candidate, rmsprop-x3's at 20 too.
    picks = selectors.schedule({0: "adam-x3", 20: "rmsprop-x3"})
    received = []
    tx = optswitch.switch(copies, selectors.step_down(picks, at=100, stall=4), on_event=received.append)
    state = run_losses(tx, FALLING + FLAT + FALLING)
    assert optswitch.summary(state).switches == [(16, "adam-x3", "adam"), (20, "adam", "rmsprop")]
    watch = state.selector_state.stall
    assert bool(watch.stalled) and float(watch.rate) < 0
    jax.effects_barrier()
    assert received[1].reason == "scheduled at 20; stepped down from a stall: rmsprop-x3 runs as rmsprop"


def test_per_copy_a_stall_steps_down_only_the_copy_that_stalled():
    copies = optswitch.learning_rate_multiples(candidates(), (3, 1))
    # adam-x3 stalls on updates 12-15 and runs as adam from 16; rmsprop-x3, picked at 20, runs at 3x until its own
    # stall (updates 20-23); adam-x3, picked again at 28, still runs as adam.
    picks = selectors.schedule({0: "adam-x3", 20: "rmsprop-x3", 28: "adam-x3"})
    received = []
    selector = selectors.step_down(picks, at=100, stall=4, per_copy=True)
    tx = optswitch.switch(copies, selector, on_event=received.append)
    state = run_losses(tx, FALLING + FLAT + FALLING[:4] + FLAT + FALLING[:8])
    assert optswitch.summary(state).switches == [
        (16, "adam-x3", "adam"),
        (20, "adam", "rmsprop-x3"),
        (24, "rmsprop-x3", "rmsprop"),
        (28, "rmsprop", "adam"),
    ]
    assert state.selector_state.stall.stalled.tolist() == [True, False, True, False, False, False]
    jax.effects_barrier()
    assert received[0].reason.endswith("): from now on, it runs as adam")
    assert received[1].reason == "scheduled at 20"
    assert received[2].reason.startswith("rmsprop-x3's loss stalled over 4 updates (rate -0.")
    assert received[2].reason.endswith("): from now on, it runs as rmsprop")
    assert received[3].reason == "scheduled at 28; stepped down from a stall: adam-x3 runs as adam"
    # Without per_copy the first stall steps every pick down: rmsprop-x3 runs as rmsprop from 20.
    state = run_losses(optswitch.switch(copies, selectors.step_down(picks, at=100, stall=4)), FALLING + FLAT + FALLING)
    every = [(16, "adam-x3", "adam"), (20, "adam", "rmsprop"), (28, "rmsprop", "adam")]
    assert optswitch.summary(state).switches == every


def test_per_copy_needs_a_stall_window():
    with pytest.raises(ValueError, match=r"per_copy=True needs stall="):
        selectors.step_down(selectors.manual(), 10, per_copy=True)


def test_a_falling_loss_never_stalls_and_the_step_comes_at_at():
    copies = optswitch.learning_rate_multiples(candidates(), (3, 1))
    tx = optswitch.switch(copies, selectors.step_down(selectors.schedule({0: "sgd-x3"}), at=10, stall=4))
    state = run_losses(tx, FALLING)
    assert optswitch.summary(state).switches == [(10, "sgd-x3", "sgd")]
    assert not state.selector_state.stall.stalled


def test_only_copies_are_watched_and_a_window_starts_over_at_a_switch():
    copies = optswitch.learning_rate_multiples(candidates(), (3, 1))
    # sgd, not a copy, stalls on updates 0-3; adam-x3's first window, updates 4-7, takes in none of sgd's losses.
    picks = selectors.schedule({0: "sgd", 4: "adam-x3"})
    tx = optswitch.switch(copies, selectors.step_down(picks, at=100, stall=4), initial="sgd")
    state = run_losses(tx, FLAT + FALLING[:4] + FLAT)
    assert optswitch.summary(state).switches == [(4, "sgd", "adam-x3"), (12, "adam-x3", "adam")]
    # Two losses that do not count (<= 0) inside the stalled window do not end it early nor move its line.
    state = run_losses(tx, FLAT + FALLING[:4] + [1.0, 0.0, 0.95, -1.0, 1.1, 1.05])
    assert optswitch.summary(state).switches == [(4, "sgd", "adam-x3"), (14, "adam-x3", "adam")]
    assert int(state.selector_state.stall.fit.count) == 0


def test_no_stall_is_watched_from_at_on():
    copies = optswitch.learning_rate_multiples({"sgd": optax.sgd(0.1)}, (3, 1))
    tx = optswitch.switch(copies, selectors.step_down(selectors.schedule({0: "sgd-x3"}), at=4, stall=4))
    state = run_losses(tx, FLAT + FLAT + FLAT)
    assert optswitch.summary(state).switches == [(4, "sgd-x3", "sgd")]
    assert not state.selector_state.stall.stalled


@pytest.mark.parametrize(
    "optimizers, picks, target, names_the_pick",
    [
        # sgd-x3 stalls over updates 4-7 and runs as sgd from update 8.
        (("sgd",), {0: "sgd-x3"}, "sgd", ""),
        # At the update the stall is found the schedule picks adam-x3, which runs as adam: the event names the pick.
        (("sgd", "adam"), {0: "sgd-x3", 8: "adam-x3"}, "adam", "; the pick, adam-x3, runs as adam"),
    ],
)
def test_the_switch_event_says_the_copy_stalled(optimizers, picks, target, names_the_pick):
    received = []
    copies = optswitch.learning_rate_multiples({name: getattr(optax, name)(0.1) for name in optimizers}, (3, 1))
    selector = selectors.step_down(selectors.schedule(picks), at=50, stall=4)
    run_losses(optswitch.switch(copies, selector, on_event=received.append), FALLING[:4] + FLAT + FLAT)
    jax.effects_barrier()
    (event,) = received
    assert (event.update, event.source, event.target) == (8, "sgd-x3", target)
    assert event.reason.startswith("sgd-x3's loss stalled over 4 updates (rate -0.")
    assert event.reason.endswith(f"): from now on, each copy runs as its candidate{names_the_pick}")


def test_with_stall_the_loss_is_needed():
    copies = optswitch.learning_rate_multiples({"sgd": optax.sgd(0.1)}, (3, 1))
    tx = optswitch.switch(copies, selectors.step_down(selectors.schedule({0: "sgd-x3"}), at=4, stall=4))
    with pytest.raises(ValueError, match="value"):
        tx.update(PARAMS, tx.init(PARAMS), PARAMS)
    assert not selectors.step_down(selectors.schedule({0: "sgd-x3"}), at=4).needs_value


@pytest.mark.parametrize("stall", [2, 0, 2.5])
def test_a_stall_window_under_three_updates_is_refused(stall):
    with pytest.raises(ValueError, match="stall"):
        selectors.step_down(selectors.manual(), 10, stall=stall)


def test_a_copy_whose_loss_is_not_finite_twice_runs_as_its_candidate_from_the_next_update_on():
    copies = optswitch.learning_rate_multiples(candidates(), (3, 1))
    picks = selectors.schedule({0: "adam-x3", 6: "sgd-x3", 12: "adam-x3"})
    received = []
    # With stall=, step_down reads the loss (the switch skips select only after signals read that are not finite).
    tx = optswitch.switch(copies, selectors.step_down(picks, at=100, stall=50), on_event=received.append)
    # Updates 7 and 9 (sgd-x3's) have a NaN loss: the switch skips select after each, and the next one sees the gap.
    state = run_losses(tx, [1.0] * 7 + [float("nan"), 1.0, float("nan")] + [1.0] * 6)
    assert optswitch.summary(state).switches == [
        (6, "adam-x3", "sgd-x3"),
        (11, "sgd-x3", "sgd"),
        (12, "sgd", "adam-x3"),
    ]
    assert state.selector_state.diverged.tolist() == [0, 2, 0, 0, 0, 0]
    assert int(state.selector_state.last_step) == 15
    jax.effects_barrier()
    assert received[1].reason == "sgd-x3 made a second update whose loss was not finite: from now on it runs as sgd"


def test_a_copy_that_diverged_twice_is_stepped_down_at_each_later_pick_and_the_others_only_from_at():
    copies = optswitch.learning_rate_multiples(candidates(), (3, 1))
    stepped = selectors.step_down(selectors.schedule({0: "sgd-x3", 6: "adam-x3", 9: "sgd-x3"}), at=11, stall=50)
    once = run_losses(optswitch.switch(copies, stepped), [1.0, float("inf")] + [1.0] * 10)
    assert optswitch.summary(once).switches == [
        (6, "sgd-x3", "adam-x3"),
        (9, "adam-x3", "sgd-x3"),
        (11, "sgd-x3", "sgd"),
    ]
    twice = run_losses(optswitch.switch(copies, stepped), [1.0, float("inf"), 1.0, float("inf")] + [1.0] * 8)
    assert optswitch.summary(twice).switches == [(5, "sgd-x3", "sgd"), (6, "sgd", "adam-x3"), (9, "adam-x3", "sgd")]
    # Skipped updates in a row count once; and a candidate that is not a copy counts for nothing.
    assert (
        run_losses(optswitch.switch(copies, stepped), [1.0, *[float("inf")] * 3, 1.0]).selector_state.diverged[1] == 1
    )
    on_sgd = selectors.step_down(selectors.schedule({0: "sgd"}), at=9, stall=50)
    state = run_losses(optswitch.switch(copies, on_sgd), [1.0, float("nan"), 1.0, float("nan"), 1.0])
    assert not state.selector_state.diverged.any()
