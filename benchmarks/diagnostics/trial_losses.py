"""What ``trials`` sees: each round's trials of one suite run, scored as the selector scores them.

Runs a development or validation task with ``switch(candidates, trials(budget))`` through the suite's loop (batches
at ``optswitch.data_step``, so every trial of a round gets the same batches), one update at a time, until the
last round ends, and prints for each round the loss at its saved start and, for each candidate's trial, the mean
loss over its second half, how far that is below the start (its progress), and for a challenger the paired
difference from the incumbent with its standard error and ``z``, the difference in standard errors (the selector
asks ``z >= 2`` and a mean 2% lower). It says why a round kept or changed the candidate, e.g.

    python -m benchmarks.diagnostics.trial_losses --task mnist1d-cnn
    python -m benchmarks.diagnostics.trial_losses --task digits-mlp --candidates large

With ``--copies``, the trials are those of round 31 to 33's variants: one round from update 1 over every candidate at
3x and at 1x, each copy with a state of its own (``contenders.trials_copies``); ``--trial-length`` sets the updates
per trial (default 1% of the run), to see which copy a longer trial picks.
"""

import argparse
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

import optswitch
from benchmarks.suite import cli, contenders
from optswitch import selectors
from optswitch.demo import train_loop
from optswitch.selectors._trials import round_starts


def trial_losses(
    task, make_candidates, seed: int, *, copies: bool = False, trial_length: int | None = None
) -> list[list[tuple[str, list[float]]]]:
    """Each round's trials, in order, as ``(candidate, losses)``; ``losses`` are the values the selector saw.

    ``copies``: one round from update 1 over the candidates at 3x and at 1x (see the module's docstring), instead of
    trials' default rounds (at 10% and 20% of the run) over the candidates.
    """
    trial_length = max(4, task.budget // 100) if trial_length is None else trial_length
    rounds = (0.0,) if copies else (0.1, 0.2)
    if copies:
        candidates = contenders.copies_at_3x_and_1x(make_candidates(), task.budget)
        selector = selectors.trials(task.budget, trial_length=trial_length, rounds=rounds, margin=0.0, confidence=0.0)
        tx = optswitch.switch(candidates, selector, on_switch=optswitch.handoff.sync_schedules())
    else:
        tx = optswitch.switch(make_candidates(), selectors.trials(task.budget, trial_length=trial_length))
    names = list(tx.names)
    last_round = round_starts(task.budget, rounds, warmup=0, stop=0.25)[-1]
    updates = min(task.budget, last_round + len(names) * trial_length)
    init_key, data_key = jax.random.split(jax.random.key(seed))
    params = task.init(init_key)
    carry = (params, tx.init(params), jnp.zeros([], jnp.int32), data_key)
    one = jax.jit(train_loop(task.loss, task.sample, tx, 1), donate_argnums=0)
    rounds: list[list[tuple[str, list[float]]]] = []
    for _ in range(updates):
        selector_state = jax.device_get(carry[1].selector_state)
        active = names[int(carry[1].active)]
        carry, losses = one(carry, task.data)
        if selector_state.trialing:
            if selector_state.position == 0 and selector_state.count == 0:
                rounds.append([])
            if selector_state.count == 0:
                rounds[-1].append((active, []))
            rounds[-1][-1][1].append(float(losses[0]))
    return rounds


def report(rounds: list[list[tuple[str, list[float]]]]) -> str:
    """The rounds as text: per trial, its mean over the second half and its progress from the round's start."""
    lines = []
    for number, trials in enumerate(rounds):
        (incumbent, incumbent_losses), *challengers = trials
        half = len(incumbent_losses) // 2
        start = incumbent_losses[0]
        reference = np.asarray(incumbent_losses[-half:])
        lines.append(
            f"round {number}: loss at the start {start:.4g}; {incumbent} (incumbent): mean {reference.mean():.4g}, "
            f"progress {start - reference.mean():+.4g}"
        )
        for name, losses in challengers:
            mine = np.asarray(losses[-half:])
            difference = mine - reference
            error = difference.std(ddof=1) / np.sqrt(half)
            lines.append(
                f"  {name}: mean {mine.mean():.4g} ({difference.mean() / reference.mean():+.1%} against the "
                f"incumbent), progress {start - mine.mean():+.4g}, z {-difference.mean() / error:+.2f}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> list:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.diagnostics.trial_losses", description=__doc__)
    parser.add_argument("--task", default="mnist1d-cnn")
    parser.add_argument("--candidates", default="default", choices=list(contenders.CANDIDATE_SETS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--copies", action="store_true", help="one round from update 1 over the copies at 3x and 1x")
    parser.add_argument("--trial-length", type=int, help="updates per trial (default: 1%% of the run, at least 4)")
    parser.add_argument("--text", help="tinyshakespeare.txt, for shakespeare-char")
    args = parser.parse_args(argv)
    (task,) = cli.build_tasks([args.task], quick=False, text=args.text).values()
    make_candidates = contenders.CANDIDATE_SETS[args.candidates]
    rounds = trial_losses(task, make_candidates, args.seed, copies=args.copies, trial_length=args.trial_length)
    print(report(rounds))
    return rounds


if __name__ == "__main__":
    main()
