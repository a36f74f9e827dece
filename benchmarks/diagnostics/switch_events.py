"""Why a suite switch switched: every switch of its runs, in its selector's words, seed by seed.

Runs one task with one switch contender of the suite (``benchmarks.suite.contenders``) or of
``race_variants``, through the suite's harness on the suite's seeds, and prints each switch as
``switch(on_event=...)`` reports it (which candidate, why: a race's standings, a duel's rates, a step down), then
the run's final validation metric and, with a stored target, the steps it took to reach it::

    python -m benchmarks.diagnostics.switch_events --task adding-gru --contender race-multiples
    python -m benchmarks.diagnostics.switch_events --task adding-gru --contender race-multiples-own \
        --target benchmarks/results/shared/validation/time_to_target.json

The runs are the suite's, bit for bit (the same seeds and batches): only the events are added. ``--losses
FROM:TO`` also prints ``log(loss)`` of every update from ``FROM`` to ``TO - 1``, with the candidate that made it
(the run then evaluates after every update, which is slower but trains alike), e.g. to see a leg of the race
knock a model back (round 9)::

    python -m benchmarks.diagnostics.switch_events --task first-token-rnn --contender race-multiples-stall \
        --first-seed 3 --seeds 1 --losses 268:364
"""

import argparse
import json
import math
from collections.abc import Sequence
from pathlib import Path

import jax

from benchmarks.diagnostics import race_variants
from benchmarks.suite import cli, harness, scoring, store
from benchmarks.suite import contenders as contenders_lib


def contender(name: str, candidate_set: str = "default") -> contenders_lib.Contender:
    """The switch contender ``name``: one of ``race_variants``' variants, or of the suite's contenders."""
    if name in race_variants.VARIANTS and candidate_set == "default":
        return race_variants.variant(name)
    known = contenders_lib.contenders(candidate_set, untuned_baseline=1e-3)
    if name not in known or not known[name].is_switch:
        switches = sorted({*race_variants.VARIANTS, *(k for k, c in known.items() if c.is_switch)})
        raise SystemExit(f"switch_events: {name!r} is not a switch contender; pass one of {', '.join(switches)}.")
    return known[name]


def switch_events(task, chosen: contenders_lib.Contender, seed: int) -> tuple[list[str], harness.Run]:
    """The events of one run, as text, and the run itself."""
    events: list[str] = []
    run = harness.run(
        task,
        chosen.make(task, on_event=lambda event: events.append(str(event))),
        seed,
        held_out_value=chosen.held_out_value,
    )
    jax.effects_barrier()  # the events' callbacks have all run
    return events, run


def update_losses(run: harness.Run, first: int, end: int, per_line: int = 8) -> list[str]:
    """``log(loss)`` of updates ``first`` to ``end - 1`` of a run evaluated after every update, ``per_line`` a line,
    each line led by its first update and the candidates that made its updates (one name when one made all); ``<=0``
    for a loss that has no log."""
    # Evaluated after every update, entry u + 1 of train_loss is update u's loss and entry u of active made it.
    lines = []
    for start in range(first, min(end, len(run.train_loss) - 1), per_line):
        updates = range(start, min(start + per_line, end, len(run.train_loss) - 1))
        makers = "/".join(dict.fromkeys(run.active[u] for u in updates))
        losses = " ".join(log_or_sign(run.train_loss[u + 1]) for u in updates)
        lines.append(f"  update {start} ({makers}): {losses}")
    return lines


def log_or_sign(loss: float) -> str:
    """``log(loss)`` to two decimals, or ``<=0`` for a loss that has none (a selector that reads the log skips it)."""
    return f"{math.log(loss):.2f}" if loss > 0 else "<=0"


def update_range(text: str) -> tuple[int, int]:
    """``--losses``' ``FROM:TO``, two update counts with ``FROM < TO``."""
    bounds = text.split(":")
    if len(bounds) != 2 or not all(bound.isdigit() for bound in bounds) or int(bounds[0]) >= int(bounds[1]):
        raise argparse.ArgumentTypeError(f"{text!r}: pass FROM:TO, two update counts with FROM < TO, e.g. 268:364")
    return int(bounds[0]), int(bounds[1])


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.diagnostics.switch_events", description=__doc__)
    parser.add_argument("--task", required=True)
    parser.add_argument("--contender", default="race-multiples")
    parser.add_argument("--candidates", default="default", help="the candidate set of the suite's contenders")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--text", type=Path, help="tinyshakespeare.txt, for shakespeare-char")
    parser.add_argument("--target", type=Path, help="a suite run (JSON) whose target for the task to count steps to")
    parser.add_argument(
        "--losses", metavar="FROM:TO", type=update_range, help="also print log(loss) of updates FROM to TO - 1"
    )
    args = parser.parse_args(argv)
    (task,) = cli.build_tasks([args.task], quick=False, text=args.text).values()
    if args.losses is not None:
        first, end = args.losses
        task = task._replace(eval_every=1)
    chosen = contender(args.contender, args.candidates)
    target = None
    if args.target is not None:
        target = store.load_target(json.loads(args.target.read_text())["tasks"][args.task]["target"])
    results = {}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        events, run = switch_events(task, chosen, seed)
        steps = None if target is None else scoring.time_to_target(run.steps, run.kept_metric, target)
        reached = "" if steps is None else f", steps to target {steps:g}"
        print(f"{args.task} {args.contender} seed {seed}: final metric {run.metric[-1]:.4g}{reached}")
        for event in events:
            print(f"  {event}")
        results[seed] = {"events": events, "final_metric": run.metric[-1]}
        if args.losses is not None:
            results[seed]["losses"] = update_losses(run, first, end)
            print(f"  log(loss) of updates {first} to {end - 1}:", *results[seed]["losses"], sep="\n")
    return results


if __name__ == "__main__":
    main()
