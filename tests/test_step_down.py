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
    # The race, stopped, takes the candidate that runs for its leader, as after a switch from the host.
    assert int(state.selector_state.inner.leader) == list(copies).index("adam")


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


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: selectors.step_down("race", 3),
            TypeError,
            "expected an optswitch.selectors.Selector to wrap, got str",
        ),
        (lambda: selectors.step_down(selectors.trials(100), 50), ValueError, "restores parameters from snapshots"),
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
