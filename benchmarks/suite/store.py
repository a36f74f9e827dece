"""The suite's files: runs to and from JSON, and the targets file.

JSON has no inf or NaN: a missed target or a diverged run is written as null and read back as NaN or inf where the
reader knows which.
"""

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from benchmarks.suite import scoring
from benchmarks.suite.harness import Run


def runs_json(runs: Sequence[Run]) -> list[dict]:
    """The runs as JSON-ready dicts (:func:`load_runs` reads them back), floats to 6 significant digits."""
    return [
        {
            **dataclasses.asdict(run),
            "metric": _rounded(run.metric),
            "seconds": _rounded(run.seconds),
            "train_loss": _rounded(run.train_loss),
        }
        for run in runs
    ]


def load_runs(entries: Sequence[dict]) -> list[Run]:
    """The runs that :func:`runs_json` wrote (a missing value, written as null, is NaN again)."""
    return [
        Run(
            **{
                **entry,
                "metric": _nan_for_none(entry["metric"]),
                "train_loss": _nan_for_none(entry["train_loss"]),
                "switches": [tuple(switch) for switch in entry["switches"]],
            }
        )
        for entry in entries
    ]


def target_json(target: scoring.Target) -> dict:
    return dataclasses.asdict(target)


def load_target(entry: Mapping) -> scoring.Target:
    """A :class:`scoring.Target` from :func:`target_json`'s dict (extra keys, e.g. the task, left out)."""
    fields = {field.name for field in dataclasses.fields(scoring.Target)}
    entry = {key: value for key, value in entry.items() if key in fields}
    entry["seeds"] = tuple(entry["seeds"])
    entry["best_metrics"] = {
        contender: tuple(_nan_for_none(values)) for contender, values in entry.get("best_metrics", {}).items()
    }
    return scoring.Target(**entry)


def load_targets(path: Path, tasks: Mapping) -> dict[str, scoring.Target]:
    """The targets of ``tasks`` (name -> Task) from ``path``, refusing one set on another task or budget."""
    if not path.is_file():
        raise SystemExit(f"no targets file at {path}; set the targets first: python -m benchmarks.suite --calibrate")
    stored = json.loads(path.read_text())
    targets = {}
    for name, task in tasks.items():
        if name not in stored:
            raise SystemExit(f"{path} has no target for {name}; run with --calibrate --tasks {name} to set one.")
        set_on, target = stored[name]["task"], load_target(stored[name])
        if (set_on, target.budget) != (task.description, task.budget):
            raise SystemExit(
                f"{path}: the target of {name} was set on {set_on!r} with a budget of {target.budget} steps; the "
                f"task is now {task.description!r} with {task.budget}. Recalibrate: --calibrate --tasks {name}."
            )
        targets[name] = target
    return targets


def write_targets(path: Path, tasks: Mapping, targets: Mapping[str, scoring.Target]) -> None:
    """Writes the targets, each with the description of the task it was set on, keeping other tasks' targets."""
    stored = json.loads(path.read_text()) if path.is_file() else {}
    stored.update(
        {name: finite_or_none({"task": tasks[name].description, **target_json(t)}) for name, t in targets.items()}
    )
    path.write_text(json.dumps(stored, indent=2) + "\n")


def load_learning_rates(path: Path, tasks: Mapping, *, quick: bool = False) -> dict[str, float]:
    """The baseline's tuned learning rate of each task of ``tasks`` that ``path`` holds one for, refusing one tuned
    on another task, or (unless ``quick``: a smoke run takes any) on another budget."""
    stored = json.loads(path.read_text()) if path.is_file() else {}
    rates = {}
    for name, task in tasks.items():
        if name not in stored:
            continue
        entry = stored[name]
        if entry["task"] != task.description or (entry["budget"] != task.budget and not quick):
            raise SystemExit(
                f"{path}: the learning rate of {name} was tuned on {entry['task']!r} with a budget of "
                f"{entry['budget']} steps; the task is now {task.description!r} with {task.budget}. Tune it again: "
                f"--tune-baseline --tasks {name}."
            )
        rates[name] = float(entry["learning_rate"])
    return rates


def write_learning_rates(path: Path, tasks: Mapping, picks: Mapping[str, Mapping]) -> None:
    """Writes the baseline's picks, each with the description of the task it was tuned on, keeping other tasks'."""
    stored = json.loads(path.read_text()) if path.is_file() else {}
    stored.update({name: finite_or_none({"task": tasks[name].description, **pick}) for name, pick in picks.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stored, indent=2) + "\n")


def write_runs_keeping_other_tasks(path: Path, meta: Mapping, runs: Sequence[Run]) -> None:
    """Writes ``{"meta", "runs"}`` to ``path``, keeping the runs of the other tasks it held (whose meta moves to
    ``"earlier"``), so that calibrating or tuning one task leaves the record of the others."""
    tasks = {run.task for run in runs}
    stored = json.loads(path.read_text()) if path.is_file() else {"runs": []}
    kept = [run for run in stored["runs"] if run["task"] not in tasks]
    earlier = [*stored.get("earlier", []), stored["meta"]] if kept else []
    written = {"meta": meta, **({"earlier": earlier} if earlier else {}), "runs": kept + runs_json(runs)}
    path.write_text(json.dumps(finite_or_none(written), indent=1) + "\n")


def write_ceilings_keeping_other_tasks(path: Path, meta: Mapping, ceilings: Mapping[str, Mapping]) -> dict:
    """Writes ``{"meta", "tasks"}`` (``--oracle``'s ``oracle.json``) to ``path``, keeping the ceilings of the other
    tasks it held (whose meta moves to ``"earlier"``), so that tasks measured apart (one with fewer switch points,
    say) share one file; returns every task's ceiling, those kept first."""
    stored = json.loads(path.read_text()) if path.is_file() else {"tasks": {}}
    kept = {name: entry for name, entry in stored["tasks"].items() if name not in ceilings}
    earlier = [*stored.get("earlier", []), stored["meta"]] if kept else []
    tasks = {**kept, **finite_or_none(dict(ceilings))}
    written = {"meta": meta, **({"earlier": earlier} if earlier else {}), "tasks": tasks}
    path.write_text(json.dumps(finite_or_none(written), indent=1) + "\n")
    return tasks


def finite_or_none(value):
    """``value`` with every inf or NaN float, at any depth, replaced by None (JSON's null)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite_or_none(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(item) for item in value]
    return value


def _nan_for_none(values):
    return [math.nan if value is None else value for value in values]


def _rounded(values, digits=6):
    return [float(f"{value:.{digits}g}") if math.isfinite(value) else value for value in values]
