"""learning_rate_multiples: the copies, their names and order, their updates, and a race that picks among them."""

import helpers
import jax
import jax.numpy as jnp
import numpy as np
import optax
import problems
import pytest

import optswitch
from optswitch import selectors


def test_names_and_order_multiple_by_multiple():
    candidates = helpers.candidates()
    copies = optswitch.learning_rate_multiples(candidates, (1, 0.3, 3))
    assert list(copies) == [
        "adam",
        "sgd",
        "rmsprop",
        "adam-x0.3",
        "sgd-x0.3",
        "rmsprop-x0.3",
        "adam-x3",
        "sgd-x3",
        "rmsprop-x3",
    ]
    for name, candidate in candidates.items():
        assert copies[name].candidate is candidate and copies[name].multiple == 1
        assert copies[f"{name}-x3"].candidate is candidate and copies[f"{name}-x3"].multiple == 3
    own = optswitch.learning_rate_multiples(candidates, (1, 3), share_state=False)
    for name, candidate in candidates.items():
        assert own[name] is candidate  # at 1: the candidate itself


def test_default_multiples_are_three_then_one():
    assert list(optswitch.learning_rate_multiples({"adam": optax.adam(1e-3)})) == ["adam-x3", "adam"]


@pytest.mark.parametrize(("multiple", "share_state"), [(3, True), (3, False), (1, True)])
@pytest.mark.parametrize("name", ["adam", "sgd", "rmsprop"])
def test_a_copy_updates_by_the_multiple_of_the_candidate(name, multiple, share_state):
    # At 1, bit for bit the candidate, its state included; at 3, the candidate's updates times 3.
    candidate = helpers.candidates()[name]
    copies = optswitch.learning_rate_multiples({name: candidate}, (1, 3), share_state=share_state)
    copy = copies[optswitch._multiples.multiple_name(name, multiple)]
    params = helpers.params()
    state, copy_state = candidate.init(params), copy.init(params)
    for step in range(5):
        grads = helpers.grads_at(step)
        updates, state = candidate.update(grads, state, params)
        copy_updates, copy_state = copy.update(grads, copy_state, params)
        helpers.assert_trees_equal(copy_updates, jax.tree.map(lambda u: multiple * u, updates))
        if share_state:
            helpers.assert_trees_equal(copy_state, state)


def test_adam_at_three_times_its_learning_rate_up_to_rounding():
    copy = optswitch.learning_rate_multiples({"adam": optax.adam(1e-3)})["adam-x3"]
    reference = optax.adam(3e-3)
    params = helpers.params()
    state, reference_state = copy.init(params), reference.init(params)
    for step in range(5):
        grads = helpers.grads_at(step)
        updates, state = copy.update(grads, state, params)
        expected, reference_state = reference.update(grads, reference_state, params)
        for actual, wanted in zip(jax.tree.leaves(updates), jax.tree.leaves(expected), strict=True):
            np.testing.assert_allclose(actual, wanted, rtol=1e-6)


def test_the_switch_on_a_copy_is_the_copy_alone_bit_for_bit():
    candidates = optswitch.learning_rate_multiples(helpers.candidates())
    tx = optswitch.switch(candidates, initial="sgd-x3")
    alone = candidates["sgd-x3"]
    params = helpers.params()
    state, alone_state = tx.init(params), alone.init(params)
    update, alone_update = jax.jit(tx.update), jax.jit(alone.update)  # both compiled, as XLA fuses alike
    for step in range(4):
        grads = helpers.grads_at(step)
        updates, state = update(grads, state, params)
        expected, alone_state = alone_update(grads, alone_state, params)
        helpers.assert_trees_equal(updates, expected)
    assert optswitch.active(state) == "sgd-x3"


def test_a_race_over_the_copies_picks_the_larger_learning_rate_where_it_is_faster():
    # Adam at 1e-3 on the digits MLP: three times the step makes the loss fall faster early on, so the race over
    # Adam and its copy crowns the copy. Without the multiple the two would tie, and a tie goes to "adam", first here.
    candidates = optswitch.learning_rate_multiples({"adam": optax.adam(1e-3)}, (1, 3))
    tx = optswitch.switch(candidates, selectors.race(window=10))
    _, state, _ = problems.train(tx, 60)
    assert optswitch.active(state) == "adam-x3"
    assert int(state.selector_state.leader) == 1


@pytest.mark.parametrize(
    ("multiples", "message"),
    [
        ((), "no multiples; pass at least one"),
        ((1, 0), "multiple 0 is not above 0"),
        ((1, -3.0), "multiple -3.0 is not above 0"),
        ((1, float("nan")), "multiple nan is not a finite number"),
        ((1, float("inf")), "multiple inf is not a finite number"),
        ((1, True), "multiple True is not a finite number"),
        ((1, "3"), "multiple '3' is not a finite number"),
        ((1, 3, 3.0), r"multiples \(1.0, 3.0, 3.0\) repeat one"),
    ],
)
def test_bad_multiples_are_refused(multiples, message):
    with pytest.raises(ValueError, match=message):
        optswitch.learning_rate_multiples(helpers.candidates(), multiples)


def test_a_multiple_made_directly_checks_its_multiple():
    with pytest.raises(ValueError, match=r"Multiple: multiple -1 is not above 0"):
        optswitch.Multiple(optax.adam(1e-3), -1)
    assert optswitch.Multiple(optax.adam(1e-3), 3).multiple == 3.0


def test_a_copy_named_as_a_candidate_is_refused():
    candidates = {"adam": optax.adam(1e-3), "adam-x3": optax.adam(3e-3)}
    with pytest.raises(ValueError, match=r"copy of 'adam' at 3x would be named 'adam-x3', which is already"):
        optswitch.learning_rate_multiples(candidates)


def test_candidates_must_be_a_mapping():
    with pytest.raises(TypeError, match="candidates must be a mapping of names to optax transformations"):
        optswitch.learning_rate_multiples([optax.adam(1e-3)])


def test_share_state_must_be_a_bool():
    with pytest.raises(TypeError, match="share_state='yes'; pass True or False"):
        optswitch.learning_rate_multiples(helpers.candidates(), share_state="yes")


def test_numpy_multiples_are_taken():
    copies = optswitch.learning_rate_multiples({"sgd": optax.sgd(0.1)}, (np.float32(1), np.int64(3)))
    assert list(copies) == ["sgd", "sgd-x3"]
    assert jnp.allclose(
        copies["sgd-x3"].update({"w": jnp.ones(2)}, copies["sgd-x3"].init({"w": jnp.ones(2)}))[0]["w"], -0.3
    )
