"""undo_if_worse and step_down around a selector with snapshots that says when it is busy (trials, halving): they
stand aside while its rounds run, and guard the rest of the run."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from helpers import assert_trees_equal, candidates, params
from test_trials import run_switch

import optswitch
from optswitch import selectors

BUSY_SELECTORS = {
    "trials": lambda: selectors.trials(400, trial_length=8),
    "halving": lambda: selectors.halving(400, trial_length=4, rounds=(0.1,)),
}


@pytest.mark.parametrize("name", BUSY_SELECTORS)
def test_undo_if_worse_around_rounds_of_trials_changes_nothing_of_them_bit_for_bit(name):
    # Trials make no switch but at the ends of their rounds, where the guard stands aside: nothing is ever watched.
    made_alone, p_alone, state_alone = run_switch(optswitch.switch(candidates(), BUSY_SELECTORS[name]()), 120)
    guarded = selectors.undo_if_worse(BUSY_SELECTORS[name](), 5)
    made, p, state = run_switch(optswitch.switch(candidates(), guarded), 120)
    assert made == made_alone and len(set(made)) > 1
    assert_trees_equal(p, p_alone)
    assert_trees_equal(state.candidate_states, state_alone.candidate_states)
    assert len(state.snapshots.params) == len(state_alone.snapshots.params) + 1  # the guard's slot after theirs
    assert int(state.selector_state.undone) == 0 and not bool(state.selector_state.watching)


def test_step_down_leaves_a_round_s_trials_as_they_are_and_steps_down_its_picks_around_them():
    # From update 0, every pick of adam runs rmsprop; the trials of the round at update 40 run their own candidates.
    stepped = selectors.step_down(selectors.trials(400, trial_length=8, rounds=(0.1,)), at=0, to={"adam": "rmsprop"})
    made, _, state = run_switch(optswitch.switch(candidates(), stepped), 90)
    names = [("adam", "sgd", "rmsprop")[k] for k in made]
    assert names[:40] == ["adam"] + ["rmsprop"] * 39  # from the first pick on, adam runs as rmsprop
    assert names[40:64] == ["adam"] * 8 + ["sgd"] * 8 + ["rmsprop"] * 8  # the incumbent, as trials saw it: adam
    winner = ("adam", "sgd", "rmsprop")[int(state.selector_state.inner.incumbent)]
    assert set(names[64:]) == {"rmsprop" if winner == "adam" else winner}


def scripted_run(selector, steps, loss_of):
    """Adam, SGD and RMSProp on ``0.5 |w|^2`` under ``selector``, the loss given as ``value`` scripted:
    ``loss_of(name, t)``. Returns who made each update, the parameters each started from, and the state."""
    tx = optswitch.switch({"adam": optax.adam(0.1), "sgd": optax.sgd(0.1), "rmsprop": optax.rmsprop(0.1)}, selector)
    w = {"w": jnp.asarray([1.0, -2.0, 3.0])}
    state, update_and_apply = tx.init(w), jax.jit(tx.update_and_apply)
    made, starts = [], []
    for t in range(steps):
        name = optswitch.active(state)
        loss = np.float32(loss_of(name, t))
        made.append(name)
        starts.append(np.asarray(w["w"]))
        w, state = update_and_apply(w, state, w, value=loss)
    return made, starts, state


def one_round(stepped_at):
    """One round of trials of 4 from update 1 (no margin), its picks of rmsprop running sgd from ``stepped_at``."""
    round_ = selectors.trials(100, trial_length=4, rounds=(0.0,), margin=0.0, confidence=0.0)
    return selectors.step_down(round_, at=stepped_at, to={"rmsprop": "sgd"})


def test_a_switch_after_the_round_that_did_damage_is_undone_from_the_guard_s_own_slot():
    # RMSProp's losses are the lowest and it wins the round (updates 1 to 12); at update 40 its picks run SGD, whose
    # losses are four times as high: the guard watches that switch and undoes SGD's 5 updates.
    rising = lambda name, t: {"rmsprop": 0.5, "sgd": 2.0}.get(name, 1.0) * (1 + 0.01 * (t % 3))
    made, starts, state = scripted_run(selectors.undo_if_worse(one_round(40), 5), 50, rising)
    assert made[1:13] == ["adam"] * 4 + ["sgd"] * 4 + ["rmsprop"] * 4
    assert made[13:40] == ["rmsprop"] * 27 and made[40:] == ["sgd"] * 10
    guard = state.selector_state
    assert int(guard.undone) == 1 and int(guard.last_undone) == 45
    np.testing.assert_array_equal(starts[45], starts[40])  # put back to the parameters at the switch
    assert len(state.snapshots.params) == 3
    # The same run unguarded: no undo, the parameters move on.
    made_unguarded, starts_unguarded, _ = scripted_run(one_round(40), 50, rising)
    assert made_unguarded == made
    assert not np.array_equal(starts_unguarded[45], starts_unguarded[40])


def test_a_trial_lost_under_the_guard_is_lost_as_under_trials_alone():
    # SGD's loss is not finite at the second update of its trial: trials' on_skip puts back the round's start, not the
    # guard's (which has saved nothing); the runs with and without the guard are the same update for update.
    failing = lambda name, t: np.nan if (name == "sgd" and t == 6) else {"rmsprop": 0.5}.get(name, 1.0)
    made_alone, starts_alone, _ = scripted_run(one_round(1000), 30, failing)
    made, starts, state = scripted_run(selectors.undo_if_worse(one_round(1000), 5), 30, failing)
    assert made == made_alone and made[5:8] == ["sgd"] * 3 and made[8:12] == ["rmsprop"] * 4
    np.testing.assert_array_equal(np.stack(starts), np.stack(starts_alone))
    np.testing.assert_array_equal(starts[7], starts[1])
    assert int(state.log.skipped) == 1 and int(state.selector_state.undone) == 0


def test_a_selector_with_snapshots_must_say_when_it_is_busy_to_be_wrapped():
    trials = selectors.trials(100)
    silent = trials._replace(snapshots=trials.snapshots._replace(busy=None))
    for wrap in (lambda s: selectors.undo_if_worse(s, 5), lambda s: selectors.step_down(s, at=50, to={"a": "b"})):
        with pytest.raises(ValueError, match="give its Snapshots a busy="):
            wrap(silent)
    # What undo_if_worse makes of a busy selector can itself be wrapped; min_dwell still refuses it.
    guarded = selectors.undo_if_worse(selectors.step_down(trials, at=50, to={"adam": "sgd"}), 5)
    assert guarded.snapshots.busy is not None and guarded.snapshots.slots == 3
    assert not guarded.snapshots.all_or_none
    with pytest.raises(ValueError, match="min_dwell: the undo_if_worse"):
        selectors.min_dwell(guarded, 3)
    state = optswitch.switch(candidates(), guarded).init(params())
    assert len(state.snapshots.params) == 3


def test_parameters_that_stop_being_finite_after_the_round_go_back_to_those_after_it():
    # RMSProp wins the round (updates 1 to 12) and trains on; its loss is not finite at update 20, before any switch.
    # The guard saved the parameters after update 13, the first after the round: they come back, with every state.
    diverging = lambda name, t: np.nan if t == 20 else {"rmsprop": 0.5}.get(name, 1.0) * (1 + 0.01 * (t % 3))
    made, starts, state = scripted_run(selectors.undo_if_worse(one_round(1000), 5), 30, diverging)
    assert made[13:] == ["rmsprop"] * 17
    np.testing.assert_array_equal(starts[21], starts[14])
    assert int(state.selector_state.undone) == 1 and int(state.log.skipped) == 1
    # Without the guard, the run goes on from where the skipped update left it.
    _, starts_unguarded, _ = scripted_run(one_round(1000), 30, diverging)
    assert not np.array_equal(starts_unguarded[21], starts_unguarded[14])
