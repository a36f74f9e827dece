"""The recommended selector in a user's Flax nnx loop (examples/nnx_user_loop.py), run tiny: one compile across
the race's switches, a checkpoint resumed bit for bit into fresh objects, and no decision from ``stop`` on."""

import importlib.util
import pathlib

import numpy as np
import pytest

import optswitch

STEPS = 120  # warmup 6, window 3: the race ends at update 24, the default stop is update 90
RACE_END = 6 + 2 * 3 * 3  # warmup + 2 legs x 3 candidates x window


def load_example():
    path = pathlib.Path(__file__).parent.parent / "examples" / "nnx_user_loop.py"
    spec = importlib.util.spec_from_file_location("nnx_user_loop", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example():
    return load_example()


@pytest.fixture(scope="module")
def uninterrupted(example):
    return example.run("race", seed=1, steps=STEPS)


def test_the_train_step_compiles_once_across_the_switches(uninterrupted):
    assert len(uninterrupted["switches"]) >= 2  # the race ran its legs
    assert uninterrupted["compiles"] == 1
    assert sum(uninterrupted["updates"].values()) == STEPS


def test_a_run_resumed_from_a_checkpoint_into_fresh_objects_ends_bit_exactly(example, uninterrupted):
    # Seed 1 trains; restore builds its fresh model from seed 0, so only the checkpoint can make them agree.
    model, optimizer, compiles = example.resumed("race", seed=1, steps=STEPS, save_at=STEPS // 2)
    assert compiles == (1, 1)
    for resumed, reference in zip(example.parameters(model), example.parameters(uninterrupted["model"]), strict=True):
        np.testing.assert_array_equal(resumed, reference)
    assert optswitch.summary(optimizer).switches == uninterrupted["switches"]
    assert optswitch.summary(optimizer).updates == uninterrupted["updates"]
    assert int(optimizer.step[...]) == STEPS


def test_no_switch_at_or_after_the_default_stop(uninterrupted):
    stop = (3 * STEPS) // 4
    assert all(update < stop for update, _, _ in uninterrupted["switches"])


def test_an_earlier_stop_cuts_the_switches_the_run_would_make(example, uninterrupted):
    stop = 40
    assert any(update >= stop for update, _, _ in uninterrupted["switches"])  # so the stop has work to do
    stopped = example.run("race", seed=1, steps=STEPS, stop=stop)
    assert all(update < stop for update, _, _ in stopped["switches"])
    assert stopped["switches"] == [switch for switch in uninterrupted["switches"] if switch[0] < stop]


def test_a_duel_in_progress_at_stop_hands_back_to_the_leader_at_stop(example, uninterrupted):
    (duel_start, leader, challenger), *_ = [switch for switch in uninterrupted["switches"] if switch[0] > RACE_END]
    stop = duel_start + 2  # inside the challenger's window
    stopped = example.run("race", seed=1, steps=STEPS, stop=stop)
    late = [switch for switch in stopped["switches"] if switch[0] >= stop]
    assert late == [(stop, challenger, leader)]  # dropped at once: the one switch at stop is back to the leader


def test_flax_own_unfused_optimizer_makes_the_same_switches(example, uninterrupted):
    # nnx.Optimizer runs tx.update then optax.apply_updates: the same maths up to rounding, which the margin ignores.
    unfused = example.run("race", seed=1, steps=STEPS, fused=False)
    assert unfused["switches"] == uninterrupted["switches"] and unfused["compiles"] == 1
