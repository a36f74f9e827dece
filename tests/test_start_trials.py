"""benchmarks.diagnostics.start_trials: what trials of every candidate from the start could reach, from stored runs."""

import dataclasses
import json
import math
import re
import shlex
from pathlib import Path

import pytest

from benchmarks.diagnostics import start_trials
from benchmarks.suite import harness, scoring, store

#: A loss target, reached at the first evaluation at or below 0.5, over a budget of 300 steps.
TARGET = scoring.Target(0.5, False, "adam", 0.49, 0.01, "", (0,), 300)
STEPS = [0, 50, 100, 150, 200, 250, 300]


def _run(contender, metric, train_loss, task="a", seed=0, diverged=False):
    steps = STEPS[: len(metric)]
    return harness.Run(
        task, contender, seed, steps, [float(m) for m in metric], [0.1 * s for s in steps],
        [math.nan] + [float(x) for x in train_loss], [""] * len(steps), 0.5, [], {}, diverged, 0, [],
    )  # fmt: skip


def _trio():
    """Adam's training loss is lowest at step 50, SGD's validation metric best there, RMSProp first to the target
    (at 150) and the best at the end; none diverges."""
    return {
        "adam": _run("adam", [1, 0.8, 0.7, 0.6, 0.55, 0.5, 0.45], [0.2, 0.3, 0.3, 0.3, 0.3, 0.3]),
        "sgd": _run("sgd", [1, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]),
        "rmsprop": _run("rmsprop", [1, 0.9, 0.7, 0.5, 0.4, 0.3, 0.2], [0.6, 0.25, 0.3, 0.2, 0.2, 0.2]),
    }


def test_each_rule_picks_from_what_a_trial_of_that_length_shows():
    runs = _trio()
    assert start_trials.pick("train-end", runs, 50, TARGET) == "adam"
    assert start_trials.pick("validation", runs, 50, TARGET) == "sgd"
    assert start_trials.pick("oracle", runs, 50, TARGET) == "rmsprop"
    # Over 100 updates RMSProp's training loss is lowest (0.25) and the validation metrics tie (0.7): the first wins.
    assert start_trials.pick("train-end", runs, 100, TARGET) == "rmsprop"
    assert start_trials.pick("validation", runs, 100, TARGET) == "adam"
    # An accuracy: higher is better.
    accuracy = scoring.Target(0.5, True, "adam", 0.6, 0.1, "", (0,), 300)
    assert start_trials.pick("validation", runs, 50, accuracy) == "rmsprop"
    # A run that stopped before the trial's end is never picked over one that did not.
    runs["sgd"] = _run("sgd", [1, math.nan], [math.nan], diverged=True)
    runs["adam"] = _run("adam", [1, 0.95, 0.9], [0.1, 0.1])
    assert start_trials.pick("validation", runs, 100, TARGET) == "rmsprop"
    assert start_trials.pick("train-end", runs, 100, TARGET) == "adam"
    with pytest.raises(ValueError, match="Unknown rule 'best'"):
        start_trials.pick("best", runs, 50, TARGET)


def test_the_switch_follows_the_winner_late_by_the_other_trials_and_stops_at_the_budget():
    runs = _trio()
    # RMSProp wins trials of 50: from step 50 of its run on, 100 steps late; its step 200 is the budget's end.
    run = start_trials.follow("rmsprop", runs, 50, TARGET)
    assert run.steps == [0, 150, 200, 250, 300]
    assert run.metric == [1.0, 0.9, 0.7, 0.5, 0.4]
    assert run.active == ["rmsprop"] * 5 and run.steps_per_candidate == {"rmsprop": 200}
    assert scoring.time_to_target(run.steps, run.kept_metric, TARGET) == 250.0  # alone: 150
    assert run.final_metric == 0.4 and not run.diverged
    # No trials: the winner's own run.
    alone = start_trials.follow("rmsprop", runs, 0, TARGET)
    assert (alone.steps, alone.metric) == (runs["rmsprop"].steps, runs["rmsprop"].metric)
    # A winner whose run stopped at step 150: kept up to 300 - 2 * 50 = 200, so the switch stops too.
    runs["rmsprop"] = _run("rmsprop", [1, 0.9, 0.7, math.nan], [0.6, 0.25, math.nan], diverged=True)
    run = start_trials.follow("rmsprop", runs, 50, TARGET)
    assert run.steps == [0, 150, 200, 250] and run.diverged and math.isnan(run.final_metric)
    # Trials of 100: the kept part ends at step 100, before it stopped.
    run = start_trials.follow("rmsprop", runs, 100, TARGET)
    assert run.steps == [0, 300] and run.metric == [1.0, 0.7] and not run.diverged


def _two_tasks():
    """Task a as :func:`_trio` on seeds 0 and 1; task b where only Adam reaches the target, at 100. A trial of 50 by
    training loss picks Adam on every pair; by validation SGD on a, RMSProp on b."""
    runs = []
    for seed in (0, 1):
        runs += [_run(r.contender, r.metric, r.train_loss[1:], seed=seed) for r in _trio().values()]
        runs += [
            _run("adam", [1, 0.7, 0.5, 0.5, 0.5, 0.5, 0.5], [0.1] * 6, task="b", seed=seed),
            _run("sgd", [1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9], [0.5] * 6, task="b", seed=seed),
            _run("rmsprop", [1, 0.65, 0.7, 0.7, 0.7, 0.7, 0.7], [0.5] * 6, task="b", seed=seed),
        ]
    return runs


def test_picks_are_counted_on_the_pairs_where_some_candidate_reaches_the_target():
    runs = _two_tasks()
    fixed = {name: [run for run in runs if run.contender == name] for name in ("adam", "sgd", "rmsprop")}
    targets = dict.fromkeys("ab", TARGET)
    simulated, picks = start_trials.simulate_all("train-end", 0.2, fixed, targets)  # 0.2 of 300: 50 updates
    assert [(run.task, run.seed, run.active[0], run.contender) for run in simulated] == [
        ("a", 0, "adam", "train-end@0.2"), ("a", 1, "adam", "train-end@0.2"),
        ("b", 0, "adam", "train-end@0.2"), ("b", 1, "adam", "train-end@0.2"),
    ]  # fmt: skip
    # The seed's fastest and the best fixed candidate: RMSProp on a (150 against Adam's 250), Adam on b.
    assert picks == start_trials.Picks(runs=4, fastest=2, best_fixed=2)
    _, picks = start_trials.simulate_all("validation", 0.2, fixed, targets)
    assert picks == start_trials.Picks(runs=4, fastest=0, best_fixed=0)
    _, picks = start_trials.simulate_all("oracle", 0, fixed, targets)
    assert picks == start_trials.Picks(runs=4, fastest=4, best_fixed=4)
    # A pair where no candidate reaches the target is not counted.
    unreached = scoring.Target(0.1, False, "adam", 0.09, 0.01, "", (0,), 300)
    _, picks = start_trials.simulate_all("oracle", 0, fixed, {"a": TARGET, "b": unreached})
    assert picks == start_trials.Picks(runs=2, fastest=2, best_fixed=2)
    # A pair that not every candidate ran is left out.
    fixed["sgd"] = [run for run in fixed["sgd"] if (run.task, run.seed) != ("b", 1)]
    simulated, _ = start_trials.simulate_all("oracle", 0, fixed, targets)
    assert [(run.task, run.seed) for run in simulated] == [("a", 0), ("a", 1), ("b", 0)]


def test_the_command_sets_each_rule_beside_a_stored_switch(tmp_path, capsys, monkeypatch):
    runs = _two_tasks()
    # A stored switch that follows RMSProp on a and Adam on b, with no trials.
    runs += [dataclasses.replace(run, contender="switch") for run in runs if run.contender == "rmsprop"]
    stored = {
        "meta": {},
        "tasks": {task: {"target": store.target_json(TARGET)} for task in "ab"},
        "contenders": {},
        "runs": store.runs_json(runs),
    }
    path = tmp_path / "runs.json"
    path.write_text(json.dumps(stored))
    monkeypatch.setattr(start_trials.standing.tasks_lib, "SPLITS", {"a": "one", "b": "two"})
    rows = start_trials.main(
        [f"--fixed={path}:adam,sgd,rmsprop", f"--switch={path}:switch", "--fractions=0.2", "--rules=train-end"]
    )
    assert list(rows) == ["switch", "oracle@0", "train-end@0.2"]
    counts, picks = rows["train-end@0.2"]
    # Adam's run from step 50, 100 steps late: on a it never reaches 0.5 within the budget (0.55 at its step 200);
    # on b it reaches it at 200, twice Adam's 100.
    assert (counts.within, counts.later, counts.missed) == ((), {"b": 2.0}, ("a",))
    assert picks == start_trials.Picks(4, 2, 2)
    oracle, _ = rows["oracle@0"]
    # Free of trials, the oracle is the best fixed candidate on each task here: as fast, not above it.
    assert oracle.within == ("a", "b") and oracle.above_every_fixed == 0
    out = capsys.readouterr().out
    assert "| switch | 0/2 | — | 1 / 0 / 1 of 2 | 1/2 | — | — |" in out
    assert "| train-end@0.2 | 0/2 | — | 0 / 1 / 1 of 2 | 1/2 | 2/4 | 2/4 |" in out


@pytest.mark.parametrize(
    "round_, count",
    [
        ("round30", 6),
        ("round56", 4),
        ("round57", 4),
        ("round58", 4),
        ("round59", 4),
        ("round60", 4),
        ("round61", 4),
        ("round62", 4),
        ("round63", 4),
        ("round64", 4),
        ("round65", 4),
        ("round66", 4),
        ("round67", 4),
        ("round68", 4),
        ("round69", 4),
        ("round70", 4),
        ("round71", 4),
    ],
)
def test_the_stored_run_files_give_back_the_tables_the_readme_quotes(round_, count, capsys, monkeypatch):
    # benchmarks/results/round30/start_trials.txt (18 splits kept aside) and round56/start_trials.txt to
    # round71/start_trials.txt (39 to 54), which the README quotes, are what each of their commands prints today: the
    # newest file's every command, an older one's first (round 70: each command takes 3 to 5 s, and the older ones read
    # the same stored runs through the same code over fewer splits).
    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)
    text = (root / "benchmarks" / "results" / round_ / "start_trials.txt").read_text()
    pattern = r"^\$ python -m benchmarks\.diagnostics\.start_trials (.*)\n((?:.+\n)+)"
    commands = re.findall(pattern, text, flags=re.MULTILINE)
    assert len(commands) == count
    newest = max(root.glob("benchmarks/results/round*/start_trials.txt"), key=lambda path: int(path.parent.name[5:]))
    for arguments, printed in commands if round_ == newest.parent.name else commands[:1]:
        start_trials.main(shlex.split(arguments))
        assert capsys.readouterr().out == printed


def test_over_39_splits_no_pick_among_the_candidates_reaches_the_baseline_and_the_switch_is_near_the_best_pick():
    # benchmarks/results/round56/start_trials.txt (replayed above), which the README's "What no pick among these
    # candidates can reach" quotes: over the 39 splits kept aside, three candidates, seeds 0-4, the best candidate of
    # each seed known in advance is above every fixed candidate on 33 splits (the switch on 30) and at least the tuned
    # baseline on 1 (the switch on 2); trials of 2.5% from the start with the winner known reach 91 targets within
    # 1.15x (the switch 83), picked by their training loss 45.
    text = (Path(__file__).resolve().parents[1] / "benchmarks/results/round56/start_trials.txt").read_text()
    first = text.split("## The same splits, three candidates, seeds 5-9")[0]
    assert "| race-multiples-undo | 30/39 | 2/39 | 83 / 9 / 25 of 117 | 87/118 | — | — |" in first
    assert "| oracle@0 | 33/39 | 1/39 | 117 / 0 / 0 of 117 | 109/118 | 553/553 | 512/553 |" in first
    assert "| oracle@0.025 | 25/39 | 0/39 | 91 / 12 / 14 of 117 | 88/118 | 553/553 | 512/553 |" in first
    assert "| train-end@0.025 | 8/39 | 0/39 | 45 / 23 / 49 of 117 | 53/118 | 279/553 | 267/553 |" in first
