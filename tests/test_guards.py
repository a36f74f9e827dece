"""Guards (selectors.min_dwell, selectors.revert_if_worse) against plain-Python references of their rules."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from helpers import candidates, grads_at, params

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
        if judged and mean - before[0] > confidence * np.sqrt((variance + before[1]) / window):
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


def test_a_revert_says_it_undid_the_switch():
    received = []
    at_10 = selectors.schedule({0: 0, 10: 1})
    tx = optswitch.switch(
        [optax.sgd(0.1), optax.sgd(0.2)], selectors.revert_if_worse(at_10, 4), on_event=received.append
    )
    state = tx.init(EVENT_PARAMS)
    for t in range(20):
        loss = (1.0 if t < 10 else 2.0) + 0.01 * (t % 3)
        _, state = tx.update(EVENT_PARAMS, state, EVENT_PARAMS, value=jnp.asarray(loss))
    jax.effects_barrier()
    assert [event.reason for event in received] == [
        "scheduled at 10",
        "undone: the mean loss over the 4 updates after the switch was above the mean over the 4 before it by more "
        "than 2 standard errors",
    ]
