"""Round 61, after the blind runs: why the recommended switch misses held-out-43's media adstocks even on the runs its
first duel hands to RMSProp's copies. On seeds 0 and 1 it trains RMSProp alone and the recommended switch
(``race-multiples-undo-kept-watch``) on ``adstock-media-mix`` as the suite does, and prints every 250 updates the mean
of the fitted retentions (the adstocks' slow, bilinear direction) and the candidate running, then each run's best
validation error. Run from the repository's root:
``python benchmarks/results/round61/adstock_path.py > benchmarks/results/round61/adstock_path.txt``.
"""

import jax
import jax.numpy as jnp
import numpy as np

import optswitch
from benchmarks.suite import tasks
from benchmarks.suite.contenders import CONTENDERS
from benchmarks.suite.harness import evaluation_params, train_loop

CONTENDERS_READ = ("rmsprop", "race-multiples-undo-kept-watch")


def path(task: tasks.Task, name: str, seed: int) -> tuple[list[tuple[int, float, str]], float]:
    """The mean fitted retention and the running candidate every 250 updates, and the best validation error."""
    tx = CONTENDERS[name].make(task)
    init_key, data_key = jax.random.split(jax.random.key(seed))
    params = task.init(init_key)
    carry = (params, tx.init(params), jnp.zeros([], jnp.int32), data_key)
    loop = jax.jit(train_loop(task.loss, task.sample, tx, task.eval_every))
    readings, best = [], np.inf
    for chunk in range(1, task.budget // task.eval_every + 1):
        carry, _ = loop(carry, task.data)
        evaluated = evaluation_params(*carry[:2])
        best = min(best, float(task.evaluate(evaluated, task.data)))
        if chunk * task.eval_every % 250 == 0:
            retention = float(jnp.mean(jax.nn.sigmoid(evaluated["retention"])))
            running = optswitch.active(carry[1]) if CONTENDERS[name].is_switch else name
            readings.append((chunk * task.eval_every, retention, running))
    return readings, best


def main() -> None:
    task = tasks.TASKS["adstock-media-mix"]()
    for seed in (0, 1):
        for name in CONTENDERS_READ:
            readings, best = path(task, name, seed)
            steps = ", ".join(f"{step}: {retention:.2f} ({running})" for step, retention, running in readings)
            print(f"seed {seed}, {name}: mean retention at {steps}; best validation error {best:.3g}")


if __name__ == "__main__":
    main()
