"""Checks that every split kept aside for a later blind run needs, shared by the split's own test module
(``tests/test_held_out_19.py`` to ``tests/test_held_out_54.py``): it runs only when asked, it trains, and it stayed
blind. ``tests/test_development_2.py`` to ``tests/test_development_6.py`` read the check of a development split, of the
targets' and the baseline's provenance, the training check (development-3 to -6) and the stored runs' readers."""

import json
import math
from pathlib import Path
from types import ModuleType

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from benchmarks.suite import cli, contenders, harness, scoring, store, tasks

ROOT = Path(__file__).resolve().parents[1]


def check_runs_only_when_asked(module: ModuleType, names: list[str], previous: str, round_: int, help_text: str):
    """``module``'s split holds ``names``, comes right after ``previous`` among the splits kept aside (later ones may
    follow), runs only when asked, and the CLI's ``help_text`` and docstring say it was added in ``round_``."""
    split = module.SPLIT
    kept_aside = list(tasks.KEPT_ASIDE)
    assert kept_aside[kept_aside.index(previous) + 1] == split and module in tasks.SPLIT_MODULES
    assert [name for name, task_split in tasks.SPLITS.items() if task_split == split] == names
    assert list(module.TASKS) == names
    assert cli.parse_args([]).tasks == ["digits-mlp", "mnist1d-cnn", "shakespeare-char", "noisy-quadratic"]
    args = cli.parse_args(["--split", split])
    assert args.tasks == names and args.out == cli.DEFAULT_OUT / split
    assert cli.parse_args(["--split", split, "--quick"]).out == cli.DEFAULT_OUT / "quick" / split
    for other in set(tasks.SPLITS.values()) - {split}:
        assert not set(cli.parse_args(["--split", other]).tasks) & set(names), other
    every = cli.parse_args(["--split", "all"]).tasks
    assert every[every.index(names[0]) :][: len(names)] == names
    calibrate = cli.parse_args(["--split", split, "--calibrate"])
    assert calibrate.tasks == names and calibrate.out == cli.DEFAULT_OUT / split
    # The help lists each split's tasks, "; " between splits and "." after the last.
    assert any(f"{split}: {', '.join(names)}{end}" in help_text for end in ".;")
    assert f"{split} (the same, added in round {round_} for a later round)" in help_text
    assert f"--split {split} # the same, added in round {round_} for a later round" in cli.__doc__


def check_development_split(module: ModuleType, names: list[str], after: str | None, help_text: str, help_says: str):
    """``module``'s split holds ``names``, is a development split (open to every design, not kept aside), comes in
    ``--split all`` right after the task ``after`` (None: anywhere), runs only when asked, and the CLI's ``help_text``
    lists its tasks and says ``help_says`` of it."""
    split = module.SPLIT
    assert module in tasks.SPLIT_MODULES and list(module.TASKS) == names
    assert [name for name, task_split in tasks.SPLITS.items() if task_split == split] == names
    assert split in tasks.DEVELOPMENT_SPLITS and split not in tasks.KEPT_ASIDE
    assert cli.SPLITS[: len(tasks.DEVELOPMENT_SPLITS)] == tasks.DEVELOPMENT_SPLITS
    # Run only when asked: the default run is still the development split's four tasks.
    assert cli.parse_args([]).tasks == ["digits-mlp", "mnist1d-cnn", "shakespeare-char", "noisy-quadratic"]
    args = cli.parse_args(["--split", split])
    assert args.tasks == names and args.out == cli.DEFAULT_OUT / split
    assert cli.parse_args(["--split", split, "--quick"]).out == cli.DEFAULT_OUT / "quick" / split
    calibrate = cli.parse_args(["--split", split, "--calibrate"])
    assert calibrate.tasks == names and calibrate.out == cli.DEFAULT_OUT / split
    for other in set(tasks.SPLITS.values()) - {split}:
        assert not set(cli.parse_args(["--split", other]).tasks) & set(names), other
    every = cli.parse_args(["--split", "all"]).tasks
    assert every[every.index(names[0]) :][: len(names)] == names
    if after is not None:
        assert every.index(names[0]) == every.index(after) + 1
    assert f"{split}: {', '.join(names)};" in help_text
    assert f"{split} ({help_says}" in help_text


def check_targets_and_baseline_rates_come_from_fixed_optimizers_only(split: str, names: list[str]):
    """The split is blind: its targets were set by --calibrate (adam, sgd and rmsprop alone) and the baseline's rates
    by --tune-baseline (adamw-cosine over its grid), on the calibration seeds; no switch or selector ran on it (a
    development split's calibration and tuning files hold the same, whatever later runs beside them hold)."""
    results = ROOT / "benchmarks" / "results" / split
    calibration = json.loads((results / "calibration.json").read_text())
    tuning = json.loads((results / "baseline_tuning.json").read_text())
    seeds = list(range(cli.CALIBRATION_SEED, cli.CALIBRATION_SEED + 5))
    fixed = ["adam", "sgd", "rmsprop"]
    assert {run["contender"] for run in calibration["runs"]} == set(fixed)
    assert {run["contender"] for run in tuning["runs"]} == {f"adamw-cosine@{lr:g}" for lr in contenders.BASELINE_GRID}
    for record in (calibration, tuning):
        assert {(run["task"], run["seed"]) for run in record["runs"]} == {(n, s) for n in names for s in seeds}
        assert f"--split {split}" in record["meta"]["command"]
    targets = json.loads((ROOT / "benchmarks" / "targets.json").read_text())
    rates = json.loads((ROOT / "benchmarks" / "baseline.json").read_text())
    built = {name: tasks.TASKS[name]() for name in names}
    # The stored targets are the rule's, from the stored calibration runs.
    again = cli.targets_from_runs(built, store.load_runs(calibration["runs"]), seeds, fixed)
    for name, task in built.items():
        entry = targets[name]
        assert (entry["task"], entry["budget"], entry["seeds"]) == (task.description, task.budget, seeds)
        assert set(entry["best_metrics"]) == set(fixed) and entry["best_fixed"] in fixed
        assert entry["value"] == pytest.approx(again[name].value, rel=1e-5)
        pick = rates[name]
        assert (pick["task"], pick["budget"], pick["seeds"]) == (task.description, task.budget, seeds)
        assert pick["learning_rate"] == min(contenders.BASELINE_GRID, key=lambda lr: pick["median_best"][f"{lr:g}"])


def check_trains(name: str, updates: int = 20):
    """As every kept-aside task is checked: ``updates`` Adam updates at 1e-2 (20, or more for a task that starts on a
    plateau, :data:`PLATEAU_UPDATES`) lower task ``name``'s validation metric (lower is better) and do not diverge."""
    task = tasks.TASKS[name](quick=True)._replace(budget=updates, eval_every=10)
    result = harness.run(task, optax.adam(1e-2), seed=0)
    assert result.steps == list(range(0, updates + 1, 10)) and not result.diverged
    assert result.metric[-1] < result.metric[0]


#: The kept-aside tasks that start on a plateau, with the Adam updates at 1e-2 that lower their validation metric:
#: tucker-completion's entries are sums of products of four small numbers, and after 20 updates (and 50) its metric is
#: still a little above the start (0.5972 to 0.6014 on seed 0), as the model fits the batches' noise; after 100 it is
#: 0.345.
PLATEAU_UPDATES = {"tucker-completion": 100}


def check_each_fixed_candidate_sets_one_target(split: str, setters: dict, baseline_reaches: dict | None = None):
    """From ``split``'s stored calibration and baseline tuning: each task's target is set by the candidate that
    ``setters[name] = (setter, seeds reaching it, (first, last) update reaching it, the baseline's rate)`` names, which
    reaches it on that many calibration seeds within those updates, the other two fixed candidates on none, no fixed
    candidate diverging; the baseline, at its tuned rate, reaches each on every seed (or on ``baseline_reaches[name]``
    of them, where the split's docstrings say so)."""
    results = ROOT / "benchmarks" / "results" / split
    targets = json.loads((ROOT / "benchmarks" / "targets.json").read_text())
    rates = json.loads((ROOT / "benchmarks" / "baseline.json").read_text())
    runs = runs_by(results / "calibration.json") | runs_by(results / "baseline_tuning.json")
    seeds = range(cli.CALIBRATION_SEED, cli.CALIBRATION_SEED + 5)
    fixed = ("adam", "sgd", "rmsprop")
    for name, (setter, count, reached, rate) in setters.items():
        target = store.load_target(targets[name])
        assert target.best_fixed == setter and rates[name]["learning_rate"] == rate, name
        steps = {c: [steps_to_target(runs[name, c, seed], target) for seed in seeds] for c in fixed}
        finite = [v for v in steps[setter] if math.isfinite(v)]
        assert len(finite) == count and (min(finite), max(finite)) == reached, name
        assert all(math.isinf(v) for c in fixed if c != setter for v in steps[c]), name
        assert not any(runs[name, c, seed].diverged for c in fixed for seed in seeds), name
        baseline = [steps_to_target(runs[name, f"adamw-cosine@{rate:g}", seed], target) for seed in seeds]
        assert sum(math.isfinite(v) for v in baseline) == (baseline_reaches or {}).get(name, len(seeds)), name


def check_docstrings_state_the_setters(setters: dict):
    """Each task's docstring states its target as stored, the updates over which ``setters[name]`` (as
    :func:`check_each_fixed_candidate_sets_one_target` takes them) reaches it, and the baseline's tuned rate."""
    targets = json.loads((ROOT / "benchmarks" / "targets.json").read_text())
    names = {"adam": "Adam at 1e-3", "sgd": "SGD with momentum at 1e-2", "rmsprop": "RMSProp at 1e-3"}
    for name, (setter, _, (first, last), rate) in setters.items():
        doc = " ".join(tasks.TASKS[name].__doc__.split())
        target = store.load_target(targets[name])
        assert f"{names[setter]} sets the target, {target.value:.5g}," in doc, name
        assert f"every seed within {first:,} to {last:,} updates" in doc, name
        assert f"The baseline's tuned rate is {rate:.0e}".replace("e-0", "e-") in doc, name


def check_docstrings_state_the_references(names: list[str], keys: list[str], references: dict):
    """Each task's docstring states, as ``references[key + "-zero" / "-mean" / "-true" / "-floor"]`` hold them, the
    metric of a zero prediction, of the validation mean, of the true model and of the model's best fit."""
    for name, key in zip(names, keys, strict=True):
        doc = " ".join(tasks.TASKS[name].__doc__.split())
        stated = (
            f"{references[key + '-zero']:.6g} for a zero prediction (the start), {references[key + '-mean']:.6g} for "
            f"the validation mean, {references[key + '-true']:.6g} for the true model (the noise), "
            f"{references[key + '-floor']:.6g} for the model's best fit (its floor)"
        )
        assert stated in doc, name


def loss_on(task, params: dict, batch) -> float:
    """``task``'s training loss at ``params`` (arrays or numbers) on ``batch``, jitted as the suite runs it."""
    return float(jax.jit(task.loss)(jax.tree.map(jnp.asarray, params), batch))


def metric_on(task, params: dict) -> float:
    """``task``'s validation metric at ``params`` (arrays or numbers), jitted as the suite evaluates it."""
    return float(jax.jit(task.evaluate)(jax.tree.map(jnp.asarray, params), task.data))


def squared_error(predicted, y) -> float:
    """The mean squared error of ``predicted`` against ``y``, in numpy."""
    return float(np.mean((np.asarray(predicted) - y) ** 2))


def check_start_and_references(task, data: dict, noise, references: dict, name: str, tolerances: tuple):
    """A regression task of a split kept aside starts from 0 on any seed, and its references on the validation rows
    (the first rows drawn, ``noise`` their noise as drawn by hand) are ``references[name + "-zero"]`` for a zero
    prediction (the start), ``-mean`` for the validation mean and ``-true`` for the true model, each within its absolute
    tolerance in ``tolerances`` (zero, mean, true)."""
    for seed in (0, 3):
        start = task.init(jax.random.PRNGKey(seed))
        assert not any(np.asarray(value).any() for value in start.values())
    y_val = data["y_val"]
    zero, mean, true = tolerances
    assert squared_error(0.0, y_val) == pytest.approx(references[f"{name}-zero"], abs=zero)
    assert metric_on(task, start) == pytest.approx(references[f"{name}-zero"], rel=1e-5)
    assert squared_error(np.mean(y_val), y_val) == pytest.approx(references[f"{name}-mean"], abs=mean)
    assert np.mean(noise[: len(y_val)] ** 2) == pytest.approx(references[f"{name}-true"], abs=true)


def check_the_model_by_hand(task, params: dict, x, y, predicted):
    """``task``'s loss on the batch ``(x, y)`` is the squared error of ``predicted``, its model computed by hand, and
    it is scored lower-is-better over the suite's budget of 2,000 updates, evaluated every 50."""
    batch = (jnp.asarray(x, jnp.float32), jnp.asarray(y, jnp.float32))
    assert loss_on(task, params, batch) == pytest.approx(squared_error(predicted, y), rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def runs_by(path: Path) -> dict:
    """The stored runs of a run file, by (task, contender, seed)."""
    return {(run.task, run.contender, run.seed): run for run in store.load_runs(json.loads(path.read_text())["runs"])}


def steps_to_target(run, target: scoring.Target) -> float:
    """A stored run's steps to ``target`` (inf: never reached)."""
    return scoring.time_to_target(run.steps, run.kept_metric, target)


def train_loss_at(run, step: int) -> float:
    """A stored run's training loss at the evaluation made at ``step`` updates."""
    return run.train_loss[run.steps.index(step)]
