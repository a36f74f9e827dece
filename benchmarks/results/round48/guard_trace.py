"""Round 48: the recommended switch on held-out-30's phase retrieval, update by update: the candidate that made each
update, its training loss, the parameters' norm after it, and the guard's state (undos so far, whether a switch is
watched, where the line before it ends, updates since it). Seed 3 with the default guard is the run that ended at a loss
of 5.2e15; ``race-multiples-undo-kept-watch`` runs the same with ``undo_if_worse(keep_watch=True)``. Run from the
repository's root (``SEED UPDATES CONTENDER``; about 1 min on 2 cores), its output stored beside this file as
``guard_trace.txt`` (and, with ``race-multiples-undo-kept-watch``, ``guard_trace_kept_watch.txt``):
``python benchmarks/results/round48/guard_trace.py 3 260 race-multiples-undo``.
"""

import sys

import jax
import jax.numpy as jnp

import optswitch
from benchmarks.suite import contenders
from benchmarks.suite.harness import _undo_guard
from benchmarks.suite.tasks import TASKS
from optswitch.demo import train_loop


def main(seed: int, updates: int, contender: str) -> None:
    task = TASKS["phase-retrieval"]()
    tx = contenders.contenders("default")[contender].make(task)
    init_key, data_key = jax.random.split(jax.random.key(seed))
    params = task.init(init_key)
    carry = (params, jax.tree.map(jnp.copy, tx.init(params)), jnp.zeros([], jnp.int32), data_key)

    def guard(opt_state):
        state = _undo_guard(opt_state)
        return state.undone, state.watching, state.before_end, state.after

    step = jax.jit(train_loop(task.loss, task.sample, tx, 1, trace=guard))
    print(f"# phase-retrieval, seed {seed}, {contender}")
    print("update candidate loss norm undone watching before_end after")
    for update in range(1, updates + 1):
        active = optswitch.active(carry[1])
        carry, (loss, (undone, watching, before_end, after)) = step(carry, task.data)
        norm = jnp.sqrt(sum(jnp.sum(leaf**2) for leaf in jax.tree.leaves(carry[0])))
        print(
            f"{update} {active} {float(loss[0]):.4g} {float(norm):.4g} {int(undone[0])} {bool(watching[0])} "
            f"{float(before_end[0]):.3g} {int(after[0])}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
