"""optswitch.data_step: the batch each update should use, so that trials from one saved start see the same batches."""

import jax
import jax.numpy as jnp
import optax
import pytest
from helpers import candidates, grads_at, params

import optswitch
from optswitch import selectors
from optswitch.selectors._trials import round_starts

STEPS, TRIAL_LENGTH = 60, 4
STARTS = round_starts(STEPS, (0.2, 0.5), warmup=0, stop=0.9)  # [12, 30]
# Each candidate's loss level: who wins a round is the point of each case (the switch order is adam, sgd, rmsprop).
WINNERS = {"adam": (1.0, 1.5, 1.5), "sgd": (1.5, 1.0, 1.5), "rmsprop": (1.5, 1.5, 1.0)}


def expected_data_steps(steps, starts, trial_length, n):
    """The batch of each update: the update's index, but each round's trials all use the batches of its first."""
    indices, data, rounds = [], 0, list(starts)
    while len(indices) < steps:
        if rounds and len(indices) == rounds[0]:
            rounds.pop(0)
            indices += [data + j for _ in range(n) for j in range(trial_length)]
            data += trial_length
        else:
            indices.append(data)
            data += 1
    return indices[:steps]


def trials_switch():
    return optswitch.switch(
        candidates(), selectors.trials(STEPS, trial_length=TRIAL_LENGTH, rounds=(0.2, 0.5), stop=0.9)
    )


def run(tx, levels, *, fused: bool, values=None):
    """Who made each update and the data step read before it; the loss is the active candidate's level."""
    current, state = params(), tx.init(params())
    made, data_steps = [], []
    step = jax.jit(
        (lambda p, s, g, v: tx.update_and_apply(g, s, p, value=v))
        if fused
        else (lambda p, s, g, v: (lambda u, s: (optax.apply_updates(p, u), s))(*tx.update(g, s, p, value=v)))
    )
    for t in range(STEPS):
        k = int(state.active)
        made.append(k)
        data_steps.append(int(optswitch.data_step(state)))
        value = levels[k] if values is None else values[t]
        current, state = step(current, state, grads_at(t), jnp.asarray(value, jnp.float32))
    return made, data_steps, state


@pytest.mark.parametrize("fused", [True, False], ids=["update_and_apply", "update"])
@pytest.mark.parametrize("winner", list(WINNERS))
def test_every_trial_of_a_round_uses_the_batches_of_the_first_and_the_run_goes_on_after_them(winner, fused):
    made, data_steps, _ = run(trials_switch(), WINNERS[winner], fused=fused)
    assert data_steps == expected_data_steps(STEPS, STARTS, TRIAL_LENGTH, 3)
    # The three ways a round ends: the incumbent stays (its end point is loaded back), a challenger that is not the
    # last wins (its end point is loaded), the last one wins (nothing is loaded).
    winner_index = list(candidates()).index(winner)
    first_round_end = STARTS[0] + 3 * TRIAL_LENGTH
    assert made[first_round_end] == winner_index


def test_inside_jit_it_is_the_same_traced_value():
    tx = trials_switch()
    _, _, state = run(tx, WINNERS["sgd"], fused=True)
    traced = jax.jit(optswitch.data_step)(state)
    assert int(traced) == int(optswitch.data_step(state)) == STEPS - 2 * 2 * TRIAL_LENGTH


def test_a_skipped_update_moves_it_on_so_that_a_bad_batch_is_not_drawn_again():
    values = [1.0] * STEPS
    values[5] = float("nan")
    _, data_steps, state = run(trials_switch(), WINNERS["adam"], fused=True, values=values)
    assert optswitch.summary(state).skipped == 1
    # The skipped update is not seen by the selector, so its rounds begin one update later, and batch 5 is not reused.
    assert data_steps[:8] == list(range(8))
    assert data_steps == expected_data_steps(STEPS, [start + 1 for start in STARTS], TRIAL_LENGTH, 3)


def test_without_snapshots_it_is_the_update_count_wherever_the_switch_sits():
    tx = optax.chain(optax.clip_by_global_norm(1.0), optswitch.switch(candidates(), selectors.manual()))
    state = tx.init(params())
    for t in range(3):
        assert int(optswitch.data_step(state)) == t
        _, state = tx.update(grads_at(t), state, params())


def test_an_nnx_optimizer_and_its_nnx_state_give_it():
    nnx = pytest.importorskip("flax.nnx")
    model = nnx.Linear(3, 2, rngs=nnx.Rngs(0))
    optimizer = optswitch.nnx.Optimizer(model, trials_switch(), wrt=nnx.Param)
    grads = nnx.state(model, nnx.Param)
    update = nnx.jit(lambda optimizer, model, grads: optimizer.update(model, grads, value=jnp.asarray(1.0)))
    for _ in range(STARTS[0] + TRIAL_LENGTH + 1):  # into the second trial of the first round
        update(optimizer, model, grads)
    assert int(optswitch.data_step(optimizer)) == STARTS[0] + 1
    assert int(optswitch.data_step(nnx.state(optimizer))) == STARTS[0] + 1


def test_a_state_without_a_switch_is_refused_by_name():
    with pytest.raises(ValueError, match="data_step: no optswitch.SwitchState found"):
        optswitch.data_step(optax.adam(1e-3).init(params()))


def test_the_stream_of_batches_is_the_same_on_every_trial_of_a_round_in_a_real_loop():
    # The suite's loop draws batch data_step: every trial of a round sees the batches of the incumbent's.
    from optswitch.demo import train_loop

    seen = []

    def loss(p, batch):
        return jnp.sum(p["w"] ** 2) * (1 + 0 * batch)

    def sample(data, key):
        jax.debug.callback(lambda value: seen.append(int(value)), jax.random.key_data(key)[-1])
        return jnp.float32(0)

    tx = trials_switch()
    current = params()
    carry = (current, tx.init(current), jnp.zeros([], jnp.int32), jax.random.key(7))
    jax.jit(train_loop(loss, sample, tx, STEPS))(carry, ())
    keys = [int(jax.random.key_data(jax.random.fold_in(jax.random.key(7), t))[-1]) for t in range(STEPS)]
    assert seen == [keys[t] for t in expected_data_steps(STEPS, STARTS, TRIAL_LENGTH, 3)]
    assert len(set(seen)) == STEPS - len(STARTS) * 2 * TRIAL_LENGTH  # two replays of a trial's batches per round


def test_under_multisteps_it_counts_the_switch_s_own_updates():
    # The switch updates once every 2 minibatches: data_step counts those updates (the loop multiplies by k).
    tx = optax.MultiSteps(trials_switch(), every_k_schedule=2)
    state, current = tx.init(params()), params()
    step = jax.jit(lambda grads, state, current: tx.update(grads, state, current, value=jnp.asarray(1.0)))
    seen = []
    for t in range(2 * (STARTS[0] + TRIAL_LENGTH + 1)):
        seen.append(int(optswitch.data_step(state)))
        updates, state = step(grads_at(t), state, current)
        current = optax.apply_updates(current, updates)
    assert seen[::2] == expected_data_steps(STARTS[0] + TRIAL_LENGTH + 1, STARTS, TRIAL_LENGTH, 3)
    assert seen[1::2] == seen[::2]  # unchanged between the two minibatches of one update


def test_inside_nnx_jit_it_indexes_device_data_from_the_optimizer():
    nnx = pytest.importorskip("flax.nnx")
    model = nnx.Linear(3, 2, rngs=nnx.Rngs(0))
    optimizer = optswitch.nnx.Optimizer(model, trials_switch(), wrt=nnx.Param)
    inputs = jnp.arange(STEPS, dtype=jnp.float32)  # batch i: the i-th input

    @nnx.jit
    def train_step(model, optimizer):
        index = optswitch.data_step(optimizer)
        loss, grads = nnx.value_and_grad(lambda m: jnp.sum(m(jnp.ones((1, 3)) * inputs[index]) ** 2) + 1.0)(model)
        optimizer.update(model, grads, value=loss)
        return index

    updates = STARTS[0] + 3 * TRIAL_LENGTH + 2
    assert [int(train_step(model, optimizer)) for _ in range(updates)] == expected_data_steps(
        updates, STARTS, TRIAL_LENGTH, 3
    )
