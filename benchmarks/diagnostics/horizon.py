"""How long a comparison from a common start must be to pick the copy that reaches the target first (round 18).

For each task and seed, every copy of the candidates at 10x, 3x and 1x their learning rates (each on the tuned
baseline's schedule behind its clipping, as the suite's ``*-scheduled-10x`` switches) is taken from one common
start and kept to the end of the run: Adam at 10x trains through the warmup (5% of the run), as it does before the
first round of ``trials-scheduled-10x`` and ``halving-scheduled-10x``, then the copy takes over. A copy's run after
the start is what a trial of it from that start would see, batches included, and more. For each horizon ``h``
the script picks the copy whose mean training loss over the ``h`` updates after the start is lowest (what a trial
of ``h`` updates would pick; ``--signal train-end``: its training loss over the last evaluation interval of them;
``--signal validation``: its validation metric at their end) and prints, over seeds: the picks, how many reach the
target, the pick's steps to target over the first copy's (the copy that reached the target first on that seed;
median over seeds; "with a round of trials": plus the ``(copies - 1) * h`` updates that the other copies' trials
of ``h`` would take), and where the comparison ranks the first copy (1: it would be picked).

    python -m benchmarks.diagnostics.horizon --tasks digits-mlp,mnist1d-cnn,noisy-quadratic --out horizon.json
    python -m benchmarks.diagnostics.horizon --from-json benchmarks/results/round18/horizon.json
    python -m benchmarks.diagnostics.horizon --from-json benchmarks/results/round18/horizon.json --signal train-end

Takes about 15 min on 2 cores for the three fast development tasks, 5 seeds (nine copies each), and about 40 min
for shakespeare-char (``--tasks shakespeare-char --text ../shared/data/tinyshakespeare.txt``).
"""

import argparse
import json
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

if __package__ in (None, ""):  # Run as a script: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np

import optswitch
from benchmarks.suite import cli, contenders, harness, scoring, store, tasks
from optswitch import selectors

NAMES = ("adam", "sgd", "rmsprop")
MULTIPLES = (10, 3, 1)
PREFIX = "from-"


def copies(names: Sequence[str] = NAMES, multiples: Sequence[float] = MULTIPLES) -> list[str]:
    """The copies' names, as :func:`optswitch.learning_rate_multiples` gives them, in its order."""
    return list(optswitch.learning_rate_multiples(contenders.scheduled(names, 100), tuple(multiples)))


def kept_from_start(copy: str) -> contenders.Contender:
    """The switch that hands the run from the first copy (Adam at 10x) to ``copy`` at the end of the warmup."""
    first = copies()[0]
    return contenders.switcher_scheduled(
        PREFIX + copy,
        lambda run_length: selectors.schedule({0: first, contenders.warmup_length(run_length): copy}),
        NAMES,
        MULTIPLES,
        description=f"{first} through the warmup, then {copy} to the end",
        share_state=False,
    )


def reach(run: harness.Run, target: scoring.Target) -> float:
    """The run's steps to target, inf where it missed."""
    return scoring.time_to_target(run.steps, run.kept_metric, target)


def horizons(budget: int, start: int, eval_every: int) -> list[int]:
    """The horizons read: 1, 2, 4, ... 32 evaluation intervals, and a tenth, a quarter and half of the run."""
    candidates = [eval_every * 2**k for k in range(6)] + [budget // 10, budget // 4, budget // 2]
    return sorted({h - h % eval_every for h in candidates if eval_every <= h <= budget - start})


def mean_train_loss(run: harness.Run, start: int, horizon: int) -> float:
    """The mean training loss over the ``horizon`` updates after ``start`` (inf where any is not finite)."""
    values = [loss for step, loss in zip(run.steps, run.train_loss, strict=True) if start < step <= start + horizon]
    return float(np.mean(values)) if values and all(map(math.isfinite, values)) else math.inf


#: What a comparison over ``h`` updates reads: the mean training loss over them (what ``trials`` and ``halving``
#: read, over a trial's second half), the training loss over the last evaluation interval before ``start + h``
#: (where the copy is at the horizon's end), or the validation metric at ``start + h``.
SIGNALS = ("train", "train-end", "validation")


def signal_at(run: harness.Run, signal: str, start: int, horizon: int, eval_every: int, sign: int) -> float:
    """What ``signal`` reads of ``run`` over the ``horizon`` updates after ``start``, lower is better; inf where it is
    not finite."""
    if signal == "train":
        return mean_train_loss(run, start, horizon)
    if signal == "train-end":
        return mean_train_loss(run, start + horizon - eval_every, eval_every)
    values = [sign * metric for step, metric in zip(run.steps, run.metric, strict=True) if step == start + horizon]
    return values[0] if values and math.isfinite(values[0]) else math.inf


def rows(runs: Sequence[harness.Run], task: Mapping, target: scoring.Target, signal: str = "train") -> list[dict]:
    """One row per horizon: the picks over seeds (the lowest ``signal``, see :data:`SIGNALS`), how many reach the
    target, the median ratio of the pick's steps to the best copy's, and the comparison's rank of the copy that
    reached the target first."""
    budget, eval_every = task["budget"], task["eval_every"]
    start = contenders.warmup_length(budget)
    by_seed: dict[int, dict[str, harness.Run]] = {}
    for run in runs:
        by_seed.setdefault(run.seed, {})[run.contender.removeprefix(PREFIX)] = run
    sign = -1 if task["higher_is_better"] else 1
    table = []
    for horizon in horizons(budget, start, eval_every):
        picks, ratios, ranks, with_trials = [], [], [], []
        for seed in sorted(by_seed):
            kept = by_seed[seed]
            means = {copy: signal_at(run, signal, start, horizon, eval_every, sign) for copy, run in kept.items()}
            ranked = sorted(means, key=lambda copy: (means[copy], copy))
            first = min(kept, key=lambda copy: (reach(kept[copy], target), sign * kept[copy].metric[-1], copy))
            best = reach(kept[first], target)
            picks.append(ranked[0])
            ratios.append(reach(kept[ranked[0]], target) / best if math.isfinite(best) else math.nan)
            explored = reach(kept[ranked[0]], target) + (len(kept) - 1) * horizon
            with_trials.append(explored / best if math.isfinite(best) else math.nan)
            ranks.append(ranked.index(first) + 1)
        table.append(
            {
                "horizon": horizon,
                "fraction": horizon / budget,
                "picks": picks,
                "reached": sum(math.isfinite(ratio) for ratio in ratios),
                "median_ratio": float(np.median(ratios)),
                "median_ratio_with_trials": float(np.median(with_trials)),
                "ranks_of_first": ranks,
            }
        )
    return table


def report(run_file: Mapping, signal: str = "train") -> str:
    """Each task's copies kept to the end (median steps to target) and its rows by ``signal``, as markdown."""
    runs = store.load_runs(run_file["runs"])
    lines = []
    for name, task in run_file["tasks"].items():
        target = store.load_target(task["target"])
        mine = [run for run in runs if run.task == name and run.contender.startswith(PREFIX)]
        if not mine:
            continue
        seeds = sorted({run.seed for run in mine})
        kept = {}
        for run in mine:
            kept.setdefault(run.contender.removeprefix(PREFIX), []).append(reach(run, target))
        order = sorted(kept, key=lambda copy: (scoring.median_time(kept[copy]), copy))
        start = contenders.warmup_length(task["budget"])
        lines += [
            f"#### {name}: budget {task['budget']}, common start {start}, target {target.value:.4g}",
            "",
            "Kept to the end, median steps to target (reached / seeds): "
            + ", ".join(
                f"{copy} {scoring.median_time(kept[copy]):g} ({sum(map(math.isfinite, kept[copy]))}/{len(seeds)})"
                for copy in order
            ),
            "",
            f"Compared by: {signal}.",
            "",
            "| horizon | picks, by seed | reached | steps / the first copy's | with a round of trials "
            "| rank of the first |",
            "|---|---|---|---|---|---|",
        ]
        for row in rows(mine, task, target, signal):
            picks, ranks = ", ".join(row["picks"]), ", ".join(map(str, row["ranks_of_first"]))
            lines.append(
                f"| {row['horizon']} ({row['fraction']:.1%}) | {picks} | {row['reached']}/{len(seeds)}"
                f" | {row['median_ratio']:.2f} | {row['median_ratio_with_trials']:.2f} | {ranks} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.diagnostics.horizon", description=__doc__)
    parser.add_argument("--tasks", default="digits-mlp,mnist1d-cnn,noisy-quadratic")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--text", type=Path, help="tinyshakespeare.txt, for shakespeare-char")
    parser.add_argument("--quick", action="store_true", help="the tasks' short versions (a smoke run)")
    parser.add_argument("--out", type=Path, help="write the runs here (the suite's time_to_target.json format)")
    parser.add_argument("--from-json", type=Path, help="print the table of stored runs instead of running")
    parser.add_argument(
        "--signal",
        default="train",
        choices=SIGNALS,
        help="what the comparison reads: the mean training loss over the horizon (default), the training loss over "
        "its last evaluation interval, or the validation metric at its end",
    )
    args = parser.parse_args(argv)
    if args.from_json is not None:
        run_file = json.loads(args.from_json.read_text())
    else:
        names = [name.strip() for name in args.tasks.split(",") if name.strip()]
        unknown = sorted(set(names) - set(tasks.TASKS))
        if unknown:
            parser.error(f"unknown tasks {', '.join(unknown)}; pass some of {', '.join(tasks.TASKS)}.")
        built = cli.build_tasks(names, quick=args.quick, text=args.text)
        targets = store.load_targets(cli.DEFAULT_TARGETS, built) if not args.quick else None
        chosen = {PREFIX + copy: kept_from_start(copy) for copy in copies()}
        seeds = list(range(args.first_seed, args.first_seed + args.seeds))
        runs = cli.execute(built, list(chosen), seeds, contenders=chosen, progress=False)
        if targets is None:  # a quick run has no stored targets: the first copy's best, as a smoke target
            targets = cli.targets_from_runs(built, runs, seeds, fixed=[PREFIX + copies()[0]])
        meta = {"command": "python -m benchmarks.diagnostics.horizon " + " ".join(argv or sys.argv[1:])}
        run_file = cli.run_file(built, chosen, targets, runs, meta)
        if args.out is not None:
            args.out.write_text(json.dumps(run_file))
    print(report(run_file, args.signal))
    return run_file


if __name__ == "__main__":
    main()
