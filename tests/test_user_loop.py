"""The recommended selector in a user's Flax nnx loop (examples/nnx_user_loop.py), run tiny: one compile across
the race's switches, a checkpoint resumed bit for bit into fresh objects, and no decision from ``stop`` on; and
``trials`` in the same loop, fed a held-out loss, resumed from a checkpoint taken in the middle of a trial."""

import jax
import numpy as np
import pytest
from helpers import load_example

import optswitch

STEPS = 120  # warmup 6, window 3: the race ends at update 24, the default stop is update 90
RACE_END = 6 + 2 * 3 * 3  # warmup + 2 legs x 3 candidates x window


def assert_resumes_bit_exactly(example, reference, contender, **run):
    """A run of ``contender`` (``run``: its seed, steps and ``save_at``) checkpointed at ``save_at`` and resumed into
    fresh objects ends as ``reference`` did, parameters bit for bit and the same switches, each half compiling once.
    Returns the resumed optimizer."""
    model, optimizer, compiles = example.resumed(contender, **run)
    assert compiles == (1, 1)
    for resumed, expected in zip(example.parameters(model), example.parameters(reference["model"]), strict=True):
        np.testing.assert_array_equal(resumed, expected)
    assert optswitch.summary(optimizer).switches == reference["switches"]
    return optimizer


@pytest.fixture(scope="module")
def example():
    return load_example("nnx_user_loop")


@pytest.fixture(scope="module")
def uninterrupted(example):
    return example.run("race", seed=1, steps=STEPS)


def test_the_train_step_compiles_once_across_the_switches(uninterrupted):
    assert len(uninterrupted["switches"]) >= 2  # the race ran its legs
    assert uninterrupted["compiles"] == 1
    assert sum(uninterrupted["updates"].values()) == STEPS


def test_a_run_resumed_from_a_checkpoint_into_fresh_objects_ends_bit_exactly(example, uninterrupted):
    # Seed 1 trains; restore builds its fresh model from seed 0, so only the checkpoint can make them agree.
    optimizer = assert_resumes_bit_exactly(example, uninterrupted, "race", seed=1, steps=STEPS, save_at=STEPS // 2)
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


def test_race_heldout_trains_on_the_training_images_but_its_held_out_slice(example):
    (x_train, y_train), (x_heldout, y_heldout) = example.training_images("race_heldout")
    (x_all, _), _ = example.data()
    assert len(y_heldout) == example.HELDOUT_SIZE and len(y_train) + len(y_heldout) == len(x_all)
    np.testing.assert_array_equal(np.concatenate([x_train, x_heldout]), x_all)  # disjoint slices of the split
    (x_everything, _), no_heldout = example.training_images("race")
    assert no_heldout is None and len(x_everything) == len(x_all)
    # AdamW's control trains on the same images, and its step gets no held-out minibatch.
    (x_control, _), _ = example.training_images("adamw_heldout_split")
    np.testing.assert_array_equal(x_control, x_train)
    assert len(example.minibatches("adamw_heldout_split", seed=1, steps=STEPS)(0)) == 2


def test_race_heldout_passes_the_held_out_loss_as_value_and_compiles_once(example):
    model, optimizer = example.build("race_heldout", STEPS, seed=1)
    train_step, traces = example.make_train_step("race_heldout")
    batch = example.minibatches("race_heldout", seed=1, steps=STEPS)
    warmup = example.warmup_steps(STEPS)  # the race's window reads no loss before its first leg
    heldout_logs, training_logs = [], []
    for t in range(warmup + 2):
        x, y, x_heldout, y_heldout = batch(t)
        heldout_logs.append(np.log(float(example.loss_fn(model, x_heldout, y_heldout))))
        training_logs.append(np.log(float(example.loss_fn(model, x, y))))
        train_step(model, optimizer, *batch(t))
    race_state = optswitch.summary(optimizer).selector_state
    assert int(race_state.count) == 2
    # The window's mean log loss is that of the held-out minibatches, computed here, not of the training ones.
    np.testing.assert_allclose(race_state.mean, np.mean(heldout_logs[warmup:]), rtol=1e-6)
    assert abs(np.mean(training_logs[warmup:]) - np.mean(heldout_logs[warmup:])) > 1e-3
    assert len(traces) == 1


def test_race_heldout_takes_its_gradients_from_the_training_minibatch_only(example):
    # In the warmup both switches run AdamW: the same training minibatch must give the same update.
    x, y, x_heldout, y_heldout = example.minibatches("race_heldout", seed=1, steps=STEPS)(0)
    heldout_model, heldout_optimizer = example.build("race_heldout", STEPS, seed=1)
    example.make_train_step("race_heldout")[0](heldout_model, heldout_optimizer, x, y, x_heldout, y_heldout)
    model, optimizer = example.build("race", STEPS, seed=1)
    example.make_train_step("race")[0](model, optimizer, x, y)
    for heldout_leaf, leaf in zip(example.parameters(heldout_model), example.parameters(model), strict=True):
        np.testing.assert_allclose(heldout_leaf, leaf, rtol=1e-6, atol=1e-9)


def test_race_heldout_compiles_once_across_its_switches(example):
    result = example.run("race_heldout", seed=1, steps=STEPS)
    assert len(result["switches"]) >= 2 and result["compiles"] == 1
    assert sum(result["updates"].values()) == STEPS


TRIALS_ROUND = 12  # trials(120, warmup=6): rounds at 10% and 20% of the run, trials of 4 updates per candidate


@pytest.fixture(scope="module")
def trials_heldout(example):
    return example.run("trials_heldout", seed=1, steps=STEPS)


def test_trials_fed_the_held_out_loss_compiles_once_and_tries_every_candidate(trials_heldout):
    assert trials_heldout["compiles"] == 1
    assert sum(trials_heldout["updates"].values()) == STEPS
    first_round = [switch for switch in trials_heldout["switches"] if switch[0] <= TRIALS_ROUND + 3 * 4]
    # AdamW's trial from update 12, then SGD's and Lion's from the same saved start, each 4 updates long.
    assert [(update, to) for update, _, to in first_round[:2]] == [(16, "sgd"), (20, "lion")]


def test_trials_resumed_from_a_checkpoint_taken_mid_trial_ends_bit_exactly(example, trials_heldout):
    # Saved inside SGD's trial: the saved start, AdamW's kept end point and the trial's losses are in the checkpoint.
    assert_resumes_bit_exactly(example, trials_heldout, "trials_heldout", seed=1, steps=STEPS, save_at=TRIALS_ROUND + 6)


def test_trials_in_flax_own_unfused_optimizer_makes_the_same_choices(example, trials_heldout):
    # nnx.Optimizer lands on a saved start through tx.update's `snapshot - params`: exact up to rounding. Rounding
    # can flip the sign of a Lion update whose momentum is near 0, which moves that weight by up to twice Lion's rate
    # (with jax 0.12.1, one weight of 16 ends 3e-5 apart, 5e-4 of it, where rtol=1e-4 and atol=1e-6 held on 0.12.0).
    unfused = example.run("trials_heldout", seed=1, steps=STEPS, fused=False)
    assert unfused["switches"] == trials_heldout["switches"] and unfused["compiles"] == 1
    one_flip = 2 * example.PEAK_RATES["lion"]
    for leaf, expected in zip(
        example.parameters(unfused["model"]), example.parameters(trials_heldout["model"]), strict=True
    ):
        np.testing.assert_allclose(leaf, expected, rtol=1e-4, atol=one_flip)


def test_trials_inside_undo_if_worse_run_as_trials_alone_and_resume_mid_round_bit_exactly(example):
    # Round 33: undo_if_worse stands aside while a round of trials runs, and trials switch only at their rounds: the
    # guarded run is trials' own, bit for bit, in the user's loop (clipping, warmup + cosine, one compile), and a
    # checkpoint taken inside SGD's trial of the first round (the guard's slot beside the trials' two) resumes exactly.
    alone = example.run("trials", seed=1, steps=STEPS)
    guarded = example.run("trials_guarded", seed=1, steps=STEPS)
    assert guarded["compiles"] == 1 and guarded["switches"] == alone["switches"]
    assert len(alone["switches"]) >= 4  # two rounds of trials ran
    for leaf, expected in zip(example.parameters(guarded["model"]), example.parameters(alone["model"]), strict=True):
        np.testing.assert_array_equal(leaf, expected)
    assert_resumes_bit_exactly(example, alone, "trials_guarded", seed=1, steps=STEPS, save_at=TRIALS_ROUND + 6)


@pytest.fixture(scope="module")
def multiples(example):
    return example.run("race_multiples", seed=0, steps=STEPS)  # seed 0: a 3x copy wins the race


def test_race_over_learning_rate_multiples_steps_down_half_way_and_compiles_once(multiples):
    # AdamW, SGD and Lion at 3x and at 1x their peak rates: six candidates, one compile across every switch.
    assert multiples["compiles"] == 1 and sum(multiples["updates"].values()) == STEPS
    assert set(multiples["updates"]) == {"adamw-x3", "sgd-x3", "lion-x3", "adamw", "sgd", "lion"}
    late = [switch for switch in multiples["switches"] if switch[0] >= STEPS // 2]
    # The race stops at update 60; its winner, a 3x copy here, runs at its own peak rate from then on.
    (update, winner, stepped), *rest = late
    assert not rest and update == STEPS // 2 and stepped == winner.removesuffix("-x3") != winner


@pytest.fixture(scope="module")
def stalled(example):
    return example.run("race_multiples_stall", seed=2, steps=STEPS)  # seed 2: the race's winner stalls


def test_a_stalled_copy_steps_down_before_half_way_in_the_nnx_loop(stalled):
    # step_down(stall=6): AdamW at 3x wins the race at update 39 and its loss does not fall over updates 39-44,
    # so it runs as AdamW from update 45, not 60; one compile across every switch.
    assert stalled["compiles"] == 1
    assert stalled["switches"][-2:] == [(39, "sgd-x3", "adamw-x3"), (45, "adamw-x3", "adamw")]


#: The runs over multiples resumed from a checkpoint: (contender, seed, update saved at, the fixture of its run).
#: The stalled run is saved in the middle of the window that stalls.
MULTIPLES_RUNS = [("race_multiples", 0, STEPS // 2 - 3, "multiples"), ("race_multiples_stall", 2, 42, "stalled")]


@pytest.mark.parametrize(("contender", "seed", "save_at", "fixture"), MULTIPLES_RUNS)
def test_a_run_over_multiples_resumed_from_a_checkpoint_ends_bit_exactly(
    example, request, contender, seed, save_at, fixture
):
    uninterrupted = request.getfixturevalue(fixture)
    assert_resumes_bit_exactly(example, uninterrupted, contender, seed=seed, steps=STEPS, save_at=save_at)


@pytest.mark.parametrize(("contender", "seed", "save_at", "fixture"), MULTIPLES_RUNS)
def test_a_run_over_multiples_in_flax_own_unfused_optimizer_makes_the_same_switches(
    example, request, contender, seed, save_at, fixture
):
    del save_at
    uninterrupted = request.getfixturevalue(fixture)
    unfused = example.run(contender, seed=seed, steps=STEPS, fused=False)
    assert unfused["switches"] == uninterrupted["switches"] and unfused["compiles"] == 1


UNDO_STEPS = 300  # window 3 and legs of 3 after a warmup of 15: the race ends at update 51


@pytest.fixture(scope="module")
def undone(example):
    return example.run("race_multiples_undo", seed=6, steps=UNDO_STEPS)  # seed 6: one leg undone, at update 39


def test_undo_if_worse_puts_a_leg_back_in_the_nnx_loop_and_compiles_once(undone):
    # The recommended setup under undo_if_worse, behind clipping, on warmup + cosine schedules: one compile across
    # the switches and the undo, whose update the metrics give.
    numbers = optswitch.metrics(undone["optimizer"], prefix="")
    assert undone["compiles"] == 1 and undone["undone"] == 1 and int(numbers["undo_if_worse/last_undone"]) == 39
    assert sum(undone["updates"].values()) == UNDO_STEPS


def test_a_run_resumed_from_a_checkpoint_taken_in_a_watched_leg_ends_bit_exactly(example, undone):
    # Saved at update 38, between the save at the leg's switch (36) and its undo (39): the snapshot, the line
    # before the switch and the leg's losses so far must come back from the checkpoint.
    optimizer = assert_resumes_bit_exactly(example, undone, "race_multiples_undo", seed=6, steps=UNDO_STEPS, save_at=38)
    assert int(optswitch.metrics(optimizer, prefix="")["undo_if_worse/undone"]) == 1


def test_undo_if_worse_in_flax_own_unfused_optimizer_makes_the_same_switches_and_undo(example, undone):
    # Unfused, the undo lands through tx.update as snapshot - params: the same choices, the same undo.
    unfused = example.run("race_multiples_undo", seed=6, steps=UNDO_STEPS, fused=False)
    assert unfused["switches"] == undone["switches"] and unfused["undone"] == 1 and unfused["compiles"] == 1


@pytest.fixture(scope="module")
def before_noise(example):
    return example.run("race_multiples_undo_before_noise", seed=1, steps=UNDO_STEPS)


def test_round_37_s_undo_by_the_scatter_before_a_leg_puts_back_one_the_recommended_keeps_and_resumes_bit_exactly(
    example, before_noise
):
    # Seed 1: the recommended switch undoes no leg; judged by the scatter of the updates before each switch, the leg
    # that began at update 30 is put back at 33. One compile; a checkpoint taken inside that leg (at 32, after the save
    # at its switch, before its undo) must bring back the scatter it is judged by; flax's unfused optimizer makes the
    # same switches and the same undo.
    recommended = example.run("race_multiples_undo", seed=1, steps=UNDO_STEPS)
    assert recommended["undone"] == 0
    numbers = optswitch.metrics(before_noise["optimizer"], prefix="")
    assert before_noise["compiles"] == 1 and before_noise["undone"] == 1
    assert int(numbers["undo_if_worse/last_undone"]) == 33
    assert_resumes_bit_exactly(
        example, before_noise, "race_multiples_undo_before_noise", seed=1, steps=UNDO_STEPS, save_at=32
    )
    unfused = example.run("race_multiples_undo_before_noise", seed=1, steps=UNDO_STEPS, fused=False)
    assert unfused["switches"] == before_noise["switches"] and unfused["undone"] == 1


def test_round_38_s_variant_keeps_the_leg_the_recommended_switch_puts_back_and_resumes_bit_exactly(example, undone):
    # Seed 6: the recommended switch (and round 37's option) put back the leg that ends at update 39; asking 4
    # standard errors of the scatter before it, round 38's variant keeps it and puts back none. One compile; a
    # checkpoint inside that leg resumes bit for bit; flax's unfused optimizer makes the same switches.
    variant = example.run("race_multiples_undo_before_noise_4se", seed=6, steps=UNDO_STEPS)
    assert int(optswitch.metrics(undone["optimizer"], prefix="")["undo_if_worse/last_undone"]) == 39
    assert variant["compiles"] == 1 and variant["undone"] == 0
    assert variant["switches"][:6] == undone["switches"][:6]
    assert_resumes_bit_exactly(
        example, variant, "race_multiples_undo_before_noise_4se", seed=6, steps=UNDO_STEPS, save_at=38
    )
    unfused = example.run("race_multiples_undo_before_noise_4se", seed=6, steps=UNDO_STEPS, fused=False)
    assert unfused["switches"] == variant["switches"] and unfused["undone"] == 0


def test_round_17_s_race_over_the_copies_at_10x_3x_and_1x_races_nine_legs_and_never_steps_down(example):
    # race_undo_10x: nine copies, legs of 3 updates after the warmup of 6, the 10x copies first; the race ends at
    # update 6 + 2 x 9 x 3 = 60, its stop, where its pick takes over to the end: no step down (the schedules decay).
    run = example.run("race_undo_10x", seed=0, steps=STEPS)
    nine = [f"{name}-x{m}" if m > 1 else name for m in (10, 3) for name in ("adamw", "sgd", "lion")]
    nine += ["adamw", "sgd", "lion"]
    assert run["compiles"] == 1 and list(run["updates"]) == nine and sum(run["updates"].values()) == STEPS
    assert run["switches"][:8] == [(6 + 3 * (k + 1), nine[k], nine[k + 1]) for k in range(8)]
    (last_update, _, pick), *_ = reversed(run["switches"])
    assert last_update == STEPS // 2 and run["updates"][pick] >= STEPS // 2


def test_schedule_free_adamw_is_evaluated_at_the_average_it_keeps_and_prodigy_at_its_parameters(example):
    model, optimizer = example.build("schedule_free_adamw", STEPS, seed=0)
    train_step, traces = example.make_train_step("schedule_free_adamw")
    example.train(model, optimizer, train_step, "schedule_free_adamw", seed=0, steps=STEPS, end=10)
    assert len(traces) == 1 and not example.is_switch("schedule_free_adamw")
    # optax's own arithmetic on the raw arrays: x = (y - (1 - b1) z) / b1, z the schedule-free state's.
    (state,) = [node for node in optimizer.opt_state if hasattr(node, "z")]
    b1 = np.asarray(state.b1[...])
    z = [np.asarray(leaf) for leaf in jax.tree.leaves(state.z)]
    expected = [(y - (1 - b1) * zi) / b1 for y, zi in zip(example.parameters(model), z, strict=True)]
    averaged = example.parameters(example.evaluated(model, optimizer))
    for got, want, y in zip(averaged, expected, example.parameters(model), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6)
        assert not np.array_equal(got, y)
    prodigy, prodigy_optimizer = example.build("prodigy", STEPS, seed=0)
    assert example.evaluated(prodigy, prodigy_optimizer) is prodigy


def test_prodigy_checked_once_against_adam_compiles_once_and_resumes_mid_trial_bit_exactly(example):
    # STEPS 120: the trial at update 24, 6 updates each: Prodigy's 24-29, then Adam's 30-35 from the same point.
    run = example.run("prodigy_trial", seed=1, steps=STEPS)
    assert run["compiles"] == 1 and example.is_switch("prodigy_trial")
    assert run["switches"][0] == (30, "prodigy", "adam") and sum(run["updates"].values()) == STEPS
    assert_resumes_bit_exactly(example, run, "prodigy_trial", seed=1, steps=STEPS, save_at=33)  # in Adam's trial


@pytest.fixture(scope="module")
def prior(example):
    return example.run("prior_guarded", seed=1, steps=STEPS)  # seed 1: AdamW at 3x stalls before half-way


def test_round_35_s_guarded_prior_runs_adamw_at_3x_then_at_1x_only_and_resumes_bit_exactly(example, prior):
    # No race: AdamW at 3x from the first update (through the warmup), stepped down on a stall of its loss over a
    # window of 6 updates at update 54, before half-way (60); no other candidate runs; one compile.
    assert prior["compiles"] == 1 and prior["switches"] == [(54, "adamw-x3", "adamw")]
    assert {name: count for name, count in prior["updates"].items() if count} == {"adamw-x3": 54, "adamw": 66}
    assert_resumes_bit_exactly(example, prior, "prior_guarded", seed=1, steps=STEPS, save_at=50)  # in the window
    unfused = example.run("prior_guarded", seed=1, steps=STEPS, fused=False)
    assert unfused["switches"] == prior["switches"] and unfused["compiles"] == 1


def test_round_53_s_rungs_steps_a_pick_at_1x_down_to_a_third_in_the_user_s_loop_and_resumes_bit_exactly(example):
    # Round 53's variant in the user's loop (clipping, warmup and cosine, sync_schedules): on seed 1 the race picks
    # SGD at 1x, and the step down (a stall at update 54, before half-way) runs it at a third of its peak rate, the
    # copy at a third sharing SGD's state; one compile, and a checkpoint taken after the step resumes bit for bit.
    reference = example.run("race_multiples_undo_rungs", seed=1, steps=STEPS)
    assert reference["compiles"] == 1
    assert reference["switches"][-1] == (54, "sgd", "sgd-x0.333333")
    assert reference["updates"]["sgd-x0.333333"] == STEPS - 54
    assert_resumes_bit_exactly(example, reference, "race_multiples_undo_rungs", seed=1, steps=STEPS, save_at=STEPS - 30)


def test_round_54_s_stall_rung_steps_a_pick_at_1x_down_only_on_its_own_stall_and_resumes_bit_exactly(example):
    # Round 54's variant in the user's loop: on seed 2 the recommended setup ends on AdamW at 1x from update 45; the
    # stall rung runs the same switches until AdamW's own loss stalls over a window of steps // 20 = 6 of its updates
    # (the fifth, ending at update 75), then AdamW at a third of its peak rate to the end. One compile, and a checkpoint
    # taken after that step resumes bit for bit.
    recommended = example.run("race_multiples_undo", seed=2, steps=STEPS)
    reference = example.run("race_multiples_undo_stall_rung", seed=2, steps=STEPS)
    assert reference["compiles"] == 1
    assert reference["switches"] == [*recommended["switches"], (75, "adamw", "adamw-x0.333333")]
    assert reference["updates"]["adamw-x0.333333"] == STEPS - 75
    assert_resumes_bit_exactly(
        example, reference, "race_multiples_undo_stall_rung", seed=2, steps=STEPS, save_at=STEPS - 30
    )


def test_round_55_s_late_duels_duel_after_the_step_down_in_the_user_s_loop_and_resume_bit_exactly(example):
    # Round 55's trial in the user's loop: on seed 1 the recommended setup makes no decision from update 60 (half-way);
    # the late duels make the same switches, then a duel with Lion at 1x at update 86, dropped at update 90 (3/4 of
    # the run) with SGD still leading. One compile, and a checkpoint taken inside that duel resumes bit for bit.
    recommended = example.run("race_multiples_undo", seed=1, steps=STEPS)
    reference = example.run("race_multiples_undo_late_duels", seed=1, steps=STEPS)
    assert reference["compiles"] == 1
    assert reference["switches"] == [*recommended["switches"], (86, "sgd", "lion"), (90, "lion", "sgd")]
    assert_resumes_bit_exactly(example, reference, "race_multiples_undo_late_duels", seed=1, steps=STEPS, save_at=88)
