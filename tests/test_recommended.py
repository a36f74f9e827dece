"""selectors.recommended: the README's race over learning-rate copies, stepped down and guarded, in one call."""

import optax
import pytest
from helpers import assert_trees_equal, candidates
from problems import train

import optswitch
from optswitch import selectors


def by_hand(run_length, warmup=0):
    """The composition ``recommended`` documents, written out as the README did before it."""
    race = selectors.race(run_length=run_length, warmup=warmup, stop=run_length // 2)
    stepped = selectors.step_down(race, at=run_length // 2, stall=run_length // 20)
    return selectors.undo_if_worse(stepped, max(run_length // 100, 3))


@pytest.mark.parametrize("warmup", [0, 30])
def test_it_is_the_documented_composition_bit_for_bit(warmup):
    steps = 300
    copies = optswitch.learning_rate_multiples(candidates())
    params, state, losses = train(optswitch.switch(copies, selectors.recommended(steps, warmup=warmup)), steps)
    expected = train(optswitch.switch(copies, by_hand(steps, warmup)), steps)
    assert_trees_equal((params, state, losses), expected)
    switches = optswitch.summary(state).switches
    # The warmup trains the first copy; the race's legs (3 updates: default_window(300, 6)) begin after it, and the
    # race decides before half-way, from where its pick runs at 1x.
    assert switches[0] == (warmup + 3, "adam-x3", "sgd-x3")
    assert optswitch.active(state) in ("adam", "sgd", "rmsprop")


def test_a_run_too_short_for_its_windows_is_refused():
    with pytest.raises(ValueError, match=r"recommended: run_length=59; it must be an int >= 60 \(its stall windows"):
        selectors.recommended(59)
    with pytest.raises(ValueError, match="recommended: warmup=-1; it must be an int >= 0"):
        selectors.recommended(100, warmup=-1)


def test_a_warmup_that_leaves_the_race_no_time_is_refused_when_the_switch_is_built():
    copies = optswitch.learning_rate_multiples(candidates())
    selector = selectors.recommended(200, warmup=70)  # six copies, legs of 3: the race would end at 106 > 100
    with pytest.raises(ValueError, match=r"the race over 6 candidates ends at update 106 \(warmup 70 \+ 2 x 6 legs"):
        optswitch.switch(copies, selector)
    optswitch.switch(copies, selectors.recommended(200, warmup=64))  # ends at 100: in time


def test_candidates_that_are_not_copies_get_step_down_s_error():
    with pytest.raises(ValueError, match="no candidate is a copy made by optswitch.learning_rate_multiples"):
        optswitch.switch({"adam": optax.adam(1e-3), "sgd": optax.sgd(1e-2)}, selectors.recommended(1000))
