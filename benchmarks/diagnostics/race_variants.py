"""How race's settings were chosen: variants of the recommended ``race(run_length=...)`` (and of ``trials``) on
development tasks.

Each variant is a switch over the suite's three candidates, run through the suite's harness on the development
tasks (default: the three that train in seconds; shakespeare-char takes minutes a run) and scored by steps
against the fixed candidates on the same seeds, with the suite's stored targets. Fixed candidates are read from
a stored suite run (``--fixed``) when it holds their runs on these seeds, as steps to target do not depend on the
machine; ``--run-fixed`` runs them here instead (needed on seeds no stored run has, and for seconds).

    python -m benchmarks.diagnostics.race_variants --variants margin-0,default,margin-0.1,margin-0.2
    python -m benchmarks.diagnostics.race_variants --variants default,warmup-5% --first-seed 5 --run-fixed

Design on seeds 0-4 only; a variant that wins there is re-run on fresh seeds (5-9) before anything is claimed.
The ``multiples-*`` variants and ``race-multiples`` switch among the candidates at several multiples of their
learning rates (``optswitch.learning_rate_multiples``); on fresh seeds, ``--fixed-runs`` reads the fixed
candidates' runs from a file of their own (targets still from ``--fixed``)::

    python -m benchmarks.diagnostics.race_variants --variants race-multiples --first-seed 5 \
        --fixed-runs benchmarks/results/multiples/fixed_seeds_5_9.json

Writes every run to ``--out`` (JSON, the suite's run format) and prints the table. ``--from-json`` prints the table
of stored runs again, the fixed candidates' (and ``--also`` contenders') runs read from ``--fixed``::

    python -m benchmarks.diagnostics.race_variants --from-json benchmarks/results/trials_data_step/development.json \
        --fixed benchmarks/results/selection_round3/time_to_target.json --also race
"""

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import optswitch
from benchmarks.suite import cli, scoring, store
from benchmarks.suite import contenders as contenders_lib
from optswitch import selectors
from optswitch.demo import candidates

RESULTS = Path(__file__).resolve().parents[1] / "results"
FIXED = ("adam", "sgd", "rmsprop")

#: The variants by name: ``run_length -> race``; "default" is the recommended selector as it ships.
VARIANTS: dict[str, Callable[[int], selectors.Selector]] = {
    "default": lambda n: selectors.race(run_length=n),
    "window-only": lambda n: selectors.race(window=max(n // 100, 3), margin=0),  # before run_length, stop, margin
    "margin-0": lambda n: selectors.race(run_length=n, margin=0),
    "margin-0.1": lambda n: selectors.race(run_length=n, margin=0.1),
    "margin-0.2": lambda n: selectors.race(run_length=n, margin=0.2),
    "warmup-5%": lambda n: selectors.race(run_length=n, warmup=n // 20),
    "warmup-10%": lambda n: selectors.race(run_length=n, warmup=n // 10),
    "window-2%": lambda n: selectors.race(run_length=n, window=max(n // 50, 3)),
    "confidence-2": lambda n: selectors.race(run_length=n, confidence=2.0),
    "warmup-5%-confidence-2": lambda n: selectors.race(run_length=n, warmup=n // 20, confidence=2.0),
    "growth-4": lambda n: selectors.race(run_length=n, growth=4.0),
    # Trials from a common start, as the suite runs them (its loop replays a round's batches: optswitch.data_step).
    "trials": lambda n: selectors.trials(n),
    "trials-2%": lambda n: selectors.trials(n, trial_length=max(4, n // 50)),
    "trials-5%": lambda n: selectors.trials(n, trial_length=max(4, n // 20)),
    "trials-0.1-0.3": lambda n: selectors.trials(n, rounds=(0.1, 0.2, 0.3), stop=0.35),
    # One long round from the start: each candidate trains 5% or 10% of the run from (nearly) the initialization.
    "trials-from-start-5%": lambda n: selectors.trials(n, rounds=(0.0,), trial_length=n // 20),
    "trials-from-start-10%": lambda n: selectors.trials(n, rounds=(0.0,), trial_length=n // 10),
    # A short round from the start too (the race's question, asked on the same batches), then trials' own two.
    "trials-0-0.1-0.2": lambda n: selectors.trials(n, rounds=(0.0, 0.1, 0.2)),
    # Over the candidates at several multiples of their learning rates (MULTIPLES), with and without a step down.
    "multiples-1-3": lambda n: selectors.race(run_length=n),
    "multiples-1-3-trials": lambda n: selectors.trials(n),
    "multiples-3-1": lambda n: selectors.race(run_length=n),
    "race-multiples": lambda n: selectors.step_down(selectors.race(run_length=n, stop=n // 2), at=n // 2),
    # Round 8: the same, and a copy whose loss stops falling over a window of 5% of the run steps down then.
    "race-multiples-stall": lambda n: selectors.step_down(
        selectors.race(run_length=n, stop=n // 2), at=n // 2, stall=n // 20
    ),
    # Round 10: the same, and the updates after a switch (a race's leg, a duel, a step down) that left the loss
    # higher than before it are undone: the parameters and states go back to the switch's.
    "race-multiples-undo": selectors.recommended,
    # Round 11: the same, judging a switch only on lines through at least 5 losses on each side (no 3-point lines).
    "race-multiples-undo-5": lambda n: contenders_lib.undone_stall(n, min_losses=5),
    # Round 6's recommended setup, whose copies each kept their own optimizer state (stored as "race-multiples"
    # in results/multiples/).
    "race-multiples-own": lambda n: selectors.step_down(selectors.race(run_length=n, stop=n // 2), at=n // 2),
}

#: The variants that switch among every candidate at these multiples of its learning rate
#: (``optswitch.learning_rate_multiples``); the others switch among the candidates as they are.
MULTIPLES: dict[str, tuple[float, ...]] = {
    "multiples-1-3": (1, 3),
    "multiples-1-3-trials": (1, 3),
    "multiples-3-1": (3, 1),
    "race-multiples": (3, 1),
    "race-multiples-stall": (3, 1),
    "race-multiples-undo": (3, 1),
    "race-multiples-undo-5": (3, 1),
    "race-multiples-own": (3, 1),
}

#: The variants whose copies of a candidate share its optimizer state (``learning_rate_multiples``' default);
#: the other multiples variants give each copy its own, as in round 6, when sharing did not exist yet.
SHARED_STATE = frozenset({"race-multiples", "race-multiples-stall", "race-multiples-undo", "race-multiples-undo-5"})


def variant(name: str) -> contenders_lib.Contender:
    """The contender of variant ``name``: a switch over the suite's candidates, or over their multiples."""
    if name not in MULTIPLES:
        return contenders_lib.switcher(name, VARIANTS[name])
    share_state = name in SHARED_STATE
    make = lambda: optswitch.learning_rate_multiples(candidates(), MULTIPLES[name], share_state=share_state)
    return contenders_lib.switcher(name, VARIANTS[name], make_candidates=make)


def table(results: dict, names: Sequence[str], tasks: Sequence[str]) -> str:
    """Median steps to target (reached / runs where not all), median switches, and the score by steps."""
    scores = scoring.profiles(results, list(names))["steps"]["scores"]
    lines = ["| contender | " + " | ".join(tasks) + " | score by steps |", "|---" * (len(tasks) + 2) + "|"]
    for name in names:
        cells = []
        for task in tasks:
            cell = results[task][name]
            reached = "" if cell["reached"] == cell["runs"] else f" ({cell['reached']}/{cell['runs']})"
            median = cell["median_steps_to_target"]
            steps = "—" if median == float("inf") else f"{median:.0f}"
            cells.append(f"{steps}{reached}, {cell['median_switches']:.0f} switches")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {scores[name]:.3f} |")
    return "\n".join(lines)


def reprint(
    path: Path,
    fixed: Path,
    also: Sequence[str] = (),
    tasks: Sequence[str] | None = None,
    fixed_runs: Path | None = None,
) -> dict:
    """Prints the table of the runs stored at ``path``, with the targets of the suite run ``fixed``.

    Only the ``tasks`` named (default: all of ``path``'s), and the contenders run on all of them. The fixed
    candidates' runs, and those of the contenders ``also``, are read from ``fixed`` (on the same tasks and
    seeds) where ``path`` lacks them; from ``fixed_runs`` instead, where given (``fixed`` still gives the targets).
    """
    runs = [run for run in store.load_runs(json.loads(path.read_text())["runs"]) if tasks is None or run.task in tasks]
    task_names = list(dict.fromkeys(run.task for run in runs))
    run_on = {
        contender: {run.task for run in runs if run.contender == contender} for contender in {r.contender for r in runs}
    }
    runs = [run for run in runs if run_on[run.contender] == set(task_names)]
    stored = json.loads(fixed.read_text())
    have = {(run.task, run.contender) for run in runs}
    seeds = {run.seed for run in runs}
    source = stored if fixed_runs is None else json.loads(fixed_runs.read_text())
    runs += [
        run
        for run in store.load_runs(source["runs"])
        if run.contender in (*FIXED, *also)
        and run.task in task_names
        and run.seed in seeds
        and (run.task, run.contender) not in have
    ]
    names = list(dict.fromkeys([*FIXED, *(run.contender for run in runs if run.contender not in also), *also]))
    targets = {name: store.load_target(stored["tasks"][name]["target"]) for name in task_names}
    results = scoring.summarize(targets, names, runs)
    print(table(results, names, task_names))
    return results


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.diagnostics.race_variants", description=__doc__)
    parser.add_argument(
        "--variants", default="default", help=f"comma-separated, of: {', '.join(VARIANTS)}".replace("%", "%%")
    )
    parser.add_argument(
        "--tasks", help="default: digits-mlp,noisy-quadratic,mnist1d-cnn; with --from-json, every task stored there"
    )
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--fixed", type=Path, default=RESULTS / "selection_round2" / "time_to_target.json")
    parser.add_argument("--run-fixed", action="store_true", help="run the fixed candidates here")
    parser.add_argument(
        "--fixed-runs", type=Path, help="read the fixed candidates' runs from this file instead (targets: --fixed)"
    )
    parser.add_argument("--text", type=Path, help="tinyshakespeare.txt, for shakespeare-char")
    parser.add_argument("--out", type=Path, default=RESULTS / "selection_round3" / "race_variants.json")
    parser.add_argument("--from-json", type=Path, help="run nothing: print the table of the runs stored there")
    parser.add_argument(
        "--also", default="", help="with --from-json: contenders of the --fixed run to add to the table, e.g. race"
    )
    args = parser.parse_args(argv)
    if args.from_json is not None:
        tasks = None if args.tasks is None else [name.strip() for name in args.tasks.split(",")]
        also = [name for name in args.also.split(",") if name]
        return reprint(args.from_json, args.fixed, also, tasks, args.fixed_runs)
    names = [name.strip() for name in args.variants.split(",") if name.strip()]
    unknown = [name for name in names if name not in VARIANTS]
    if unknown:
        parser.error(f"--variants: unknown {unknown}; choose from {', '.join(VARIANTS)}")
    task_names = [name.strip() for name in (args.tasks or "digits-mlp,noisy-quadratic,mnist1d-cnn").split(",")]
    tasks = cli.build_tasks(task_names, quick=False, text=args.text)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    stored = json.loads(args.fixed.read_text())
    targets = {name: store.load_target(stored["tasks"][name]["target"]) for name in task_names}
    variants = {name: variant(name) for name in names}
    runs = cli.execute(tasks, names, seeds, contenders=variants)
    if args.run_fixed:
        runs += cli.execute(tasks, list(FIXED), seeds, contenders=contenders_lib.contenders())
    else:
        wanted = {(task, contender, seed) for task in task_names for contender in FIXED for seed in seeds}
        source = stored if args.fixed_runs is None else json.loads(args.fixed_runs.read_text())
        runs += [run for run in store.load_runs(source["runs"]) if (run.task, run.contender, run.seed) in wanted]
        missing = wanted - {(run.task, run.contender, run.seed) for run in runs}
        if missing:
            parser.error(f"{args.fixed} lacks fixed runs {sorted(missing)[:3]}...; pass --run-fixed")
    results = scoring.summarize(targets, [*FIXED, *names], runs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "command": " ".join([parser.prog, *(sys.argv[1:] if argv is None else argv)]),
                "runs": store.runs_json(runs),
            }
        )
    )
    print(table(results, [*FIXED, *names], task_names))
    return results


if __name__ == "__main__":
    main()
