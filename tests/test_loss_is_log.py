"""``loss_is_log=True``: the selectors that read ``log(loss)`` read a loss that is a logarithm already as it is."""

import math

import jax
import jax.numpy as jnp
import optax
import pytest
from helpers import assert_trees_equal, candidates

import optswitch
from optswitch import selectors
from optswitch.events import ignored_loss_message

PARAMS = {"w": jnp.linspace(-1.0, 1.0, 5)}
GRADS = {"w": jnp.full([5], 0.1)}
STEPS = 120
#: How much each optimizer's update lowers the scripted loss (a copy at 3x 1.5 times as much, until update 60):
#: RMSProp's raises it, so that a guard has a leg to undo.
FALLS = {"adam": 0.010, "sgd": 0.025, "rmsprop": -0.020}


def fall(name: str, t: int) -> float:
    """The change of the scripted loss at update ``t`` made by candidate ``name``, with a little deterministic noise;
    from update 60 a copy at 3x is at its noise floor, where a stall watch steps it down."""
    family, _, multiple = name.partition("-x")
    rate = (0.0 if t >= 60 else 1.5 * FALLS[family]) if multiple else FALLS[family]
    return -rate + 0.004 * math.sin(1.7 * t)


def run(tx, value):
    """``STEPS`` updates whose loss starts at -1 (a negative log-likelihood) and moves by :func:`fall` of the active
    candidate; the optimizer is given ``value(loss)``."""
    state, loss, update = tx.init(PARAMS), -1.0, jax.jit(tx.update)
    for t in range(STEPS):
        loss += fall(optswitch.active(state), t)
        _, state = update(GRADS, state, PARAMS, value=jnp.float32(value(loss)))
    return state


def plain():
    return dict(candidates())


def copies():
    return optswitch.learning_rate_multiples(candidates())


SELECTORS = {
    "race": (plain, lambda log: selectors.race(window=4, loss_is_log=log)),
    "bandit": (plain, lambda log: selectors.bandit(window=4, loss_is_log=log)),
    "step_down with a stall": (
        copies,
        lambda log: selectors.step_down(selectors.race(window=4, loss_is_log=log), at=90, stall=6, loss_is_log=log),
    ),
    "undo_if_worse": (
        plain,
        lambda log: selectors.undo_if_worse(selectors.race(window=4, loss_is_log=log), 4, loss_is_log=log),
    ),
    "recommended": (copies, lambda log: selectors.recommended(STEPS, loss_is_log=log)),
}


@pytest.mark.parametrize("name", list(SELECTORS))
def test_a_loss_below_zero_read_as_a_log_decides_as_its_exp_read_by_default(name):
    # The loss is below 0 throughout: read as a log, every update counts, and the switches are those the default
    # setting makes on exp(loss), whose log is the loss again.
    make_candidates, make = SELECTORS[name]
    as_log = run(optswitch.switch(make_candidates(), make(True)), lambda loss: loss)
    exp_read = run(optswitch.switch(make_candidates(), make(False)), math.exp)
    switches = optswitch.summary(as_log).switches
    assert len(switches) >= 3
    assert switches == optswitch.summary(exp_read).switches
    numbers = {key: int(value) for key, value in optswitch.metrics(as_log, prefix="").items() if "undo" in key}
    assert numbers == {key: int(optswitch.metrics(exp_read, prefix="")[key]) for key in numbers}
    assert optswitch.summary(as_log).ignored_losses == 0 == optswitch.summary(exp_read).ignored_losses
    if "undo" in name or name == "recommended":
        assert numbers[next(key for key in numbers if key.endswith("undone"))] >= 1
    if name == "step_down with a stall":  # the stall steps the pick down before update 90
        assert any(60 < at < 90 and new == old.removesuffix("-x3") for at, old, new in switches)


@pytest.mark.parametrize("name", ["race", "recommended"])
def test_by_default_a_loss_below_zero_is_ignored_and_nothing_is_decided(name):
    make_candidates, make = SELECTORS[name]
    state = run(optswitch.switch(make_candidates(), make(False)), lambda loss: loss)
    assert optswitch.summary(state).ignored_losses == STEPS
    # The recommended selector's only switch is its step down at half-way: the race never ended its first leg.
    assert optswitch.summary(state).switches == ([] if name == "race" else [(STEPS // 2, "adam-x3", "adam")])


def test_recommended_gives_the_setting_to_the_race_the_stall_watch_and_the_guard():
    def by_hand(log):
        race = selectors.race(run_length=STEPS, stop=STEPS // 2, loss_is_log=log)
        stepped = selectors.step_down(race, at=STEPS // 2, stall=STEPS // 20, loss_is_log=log)
        return selectors.undo_if_worse(stepped, 3, keep_watch=True, loss_is_log=log)

    as_log = run(optswitch.switch(copies(), selectors.recommended(STEPS, loss_is_log=True)), lambda loss: loss)
    assert_trees_equal(as_log, run(optswitch.switch(copies(), by_hand(True)), lambda loss: loss))


def test_the_warning_of_a_loss_at_or_below_zero_names_the_setting():
    message = ignored_loss_message("race", -1.0)
    assert "value=loss - floor" in message and "loss_is_log=True" in message


def test_a_fixed_optimizer_is_unaffected():
    # Only the selectors read the loss: the candidates' updates do not depend on the setting.
    tx = optswitch.switch({"sgd": optax.sgd(0.1)}, selectors.race(window=3, loss_is_log=True))
    updates, _ = tx.update(GRADS, tx.init(PARAMS), PARAMS, value=jnp.float32(-3.0))
    assert_trees_equal(updates, {"w": -0.1 * GRADS["w"]})
