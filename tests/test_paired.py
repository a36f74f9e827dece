"""benchmarks.suite.paired: two contenders compared run by run, with a sign test and a bootstrap over tasks."""

import doctest
import json
import math

import pytest

from benchmarks.suite import harness, paired, scoring, store


def test_paired_examples_hold():
    assert doctest.testmod(paired).failed == 0


def _sign_test_p(sooner: int, later: int) -> float:
    """The exact two-sided binomial p-value at 1/2, by hand: twice the smaller tail, at most 1."""
    n, k = sooner + later, min(sooner, later)
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2**n)


def test_runs_pair_by_task_and_seed_and_a_miss_counts_against_the_one_that_misses():
    inf = math.inf
    a = {
        "quick": {0: 100.0, 1: 200.0, 2: 300.0, 3: 50.0},  # seed 3 only here: not paired
        "slow": {0: inf, 1: 400.0, 2: 400.0},  # reaches on 2 of 3: its median, 400, is finite
        "missed": {0: inf, 1: inf, 2: 500.0},  # 1 of 3: the median is inf
    }
    b = {
        "quick": {0: 200.0, 1: 200.0, 2: 600.0},
        "slow": {0: 300.0, 1: 800.0, 2: inf},
        "missed": {0: 700.0, 1: 700.0, 2: inf},
        "other": {0: 1.0},  # a task only one side ran
    }
    result = paired.compare(a, b)
    # quick: sooner, level, sooner; slow: later (a misses), sooner, sooner (b misses); missed: later, later, sooner.
    assert (result.sooner, result.later, result.level) == (5, 3, 1)
    assert result.p_value == pytest.approx(_sign_test_p(5, 3), rel=1e-12)
    # Both reach quick (medians 200 against 200) and slow (400 against 800); only b reaches missed.
    assert (result.tasks_both, result.tasks_only_a, result.tasks_only_b) == (2, 0, 1)
    assert result.geometric_mean == pytest.approx(math.sqrt(1.0 * 0.5))
    assert math.isnan(result.interval[0])  # fewer than 3 tasks: no interval
    assert result.verdict == "no difference"
    # Two tasks, each sooner on every seed by the same ratio: still no interval, so no verdict of "sooner".
    two = paired.compare(
        {t: {s: 50.0 for s in range(9)} for t in "xy"}, {t: {s: 100.0 for s in range(9)} for t in "xy"}
    )
    assert two.p_value < 0.05 and math.isnan(two.interval[0]) and two.verdict == "no difference"
    assert "0.500x (geometric mean; 95% bootstrap interval over tasks none under 3 tasks)" in paired.report(two, "", "")
    # Three such tasks: the interval is the one ratio.
    three = paired.compare(
        {t: {s: 50.0 for s in range(3)} for t in "xyz"}, {t: {s: 100.0 for s in range(3)} for t in "xyz"}
    )
    assert three.interval == (0.5, 0.5) and three.verdict == "sooner"
    assert "interval over tasks 0.500-0.500)" in paired.report(three, "a", "b")


def test_a_consistent_difference_is_beyond_noise_and_a_coin_flip_is_not():
    tasks = [f"task{i}" for i in range(8)]
    b = {task: {seed: 100.0 + 10 * seed + i for seed in range(5)} for i, task in enumerate(tasks)}
    faster = {
        task: {seed: steps * (0.7 + 0.02 * (i % 3)) for seed, steps in b[task].items()} for i, task in enumerate(tasks)
    }
    result = paired.compare(faster, b)
    assert (result.sooner, result.later) == (40, 0)
    assert result.p_value == pytest.approx(_sign_test_p(40, 0), rel=1e-9)
    low, high = result.interval
    assert low <= result.geometric_mean <= high < 1
    assert result.verdict == "sooner"
    assert paired.compare(b, faster).verdict == "later"
    # The same with every other task's ratio inverted: sooner and later runs balance, and the interval holds 1.
    mixed = {
        task: faster[task] if i % 2 else {seed: steps / 0.7 for seed, steps in b[task].items()}
        for i, task in enumerate(tasks)
    }
    result = paired.compare(mixed, b)
    assert (result.sooner, result.later) == (20, 20) and result.p_value == pytest.approx(1.0)
    assert result.interval[0] < 1 < result.interval[1]
    assert result.verdict == "no difference"
    # The bootstrap draws from a fixed seed: the same data give the same interval.
    assert paired.compare(mixed, b).interval == result.interval


def _run(task, contender, seed, metric, discarded=()):
    return harness.Run(
        task,
        contender,
        seed,
        [0, 100, 200, 300],
        metric,
        [0.0, 1.0, 2.0, 3.0],
        [math.nan, 1.0, 0.5, 0.2],
        ["", "", "", ""],
        0.5,
        [],
        {},
        False,
        0,
        list(discarded),
    )


def _write(path, runs, contenders):
    target = scoring.Target(0.5, False, "adam", 0.49, 0.01, "", (100,), 300)
    stored = {
        "meta": {},
        "tasks": {"t": {"target": store.target_json(target)}},
        "contenders": {name: {"is_switch": False} for name in contenders},
        "runs": store.runs_json(runs),
    }
    path.write_text(json.dumps(stored))


def test_run_files_give_steps_to_target_from_the_kept_evaluations_and_the_command_reports(tmp_path, capsys):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    # The switch's evaluation at 100 is inside a leg the run put back: it reaches no target for it.
    _write(first, [_run("t", "switch", 0, [1.0, 0.4, 0.45, 0.3], [False, True, False, False])], ["switch"])
    _write(
        second,
        [
            _run("t", "switch", 1, [1.0, 0.6, 0.6, 0.6]),
            _run("t", "adam", 0, [1.0, 0.8, 0.4, 0.3]),
            _run("t", "adam", 1, [1.0, 0.45, 0.4, 0.3]),
        ],
        ["switch", "adam"],
    )
    switch = paired.load(f"{first}+{second}:switch")
    assert switch == {"t": {0: 200.0, 1: math.inf}}
    assert paired.load(f"{tmp_path}/*.json:switch") == switch  # a glob pattern, its matches in sorted order
    result = paired.main([f"{first}+{second}:switch", f"{second}:adam"])
    assert (result.sooner, result.later, result.level) == (0, 1, 1)
    out = capsys.readouterr().out
    assert "switch against adam" in out and "sooner on 0, later on 1, level on 1" in out
    assert "tasks only switch reaches: 0; only adam: 1" in out and "verdict: no difference beyond noise" in out
    with pytest.raises(FileNotFoundError):
        paired.load(f"{tmp_path}/third.json:switch")
    with pytest.raises(SystemExit, match="FILE"):
        paired.load(str(first))
    with pytest.raises(SystemExit, match="no runs of 'sgd'"):
        paired.load(f"{first}:sgd")


def test_a_run_file_is_parsed_once_and_read_again_when_it_changes(tmp_path):
    path = tmp_path / "runs.json"
    _write(path, [_run("t", "switch", 0, [1.0, 0.6, 0.45, 0.3])], ["switch"])
    first, _ = paired.read_runs(str(path), ["switch"])
    again, _ = paired.read_runs(str(path), ["switch"])
    assert again[0] is first[0]  # the parsed run, not a second parse of the same file
    _write(
        path, [_run("t", "switch", 0, [1.0, 0.4, 0.4, 0.3]), _run("t", "switch", 1, [1.0, 0.4, 0.4, 0.3])], ["switch"]
    )
    changed, _ = paired.read_runs(str(path), ["switch"])
    assert [run.metric[1] for run in changed] == [0.4, 0.4]
    assert paired.load(f"{path}:switch") == {"t": {0: 100.0, 1: 100.0}}
