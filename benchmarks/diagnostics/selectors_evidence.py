"""Evidence that each selector behaves as documented: when it switched, and the loss against the fixed candidates.

One small real problem, CPU-quick: a 64-32-10 tanh MLP on scikit-learn's digits (1497 images to train on, 300
held out), minibatches of 32, 1000 updates, three seeds. The candidates are Adam (lr 3e-3) and SGD with momentum
0.9 (lr 0.05, built with ``optax.inject_hyperparams`` so SWATS can set its rate). Each selector switches between
them; each candidate also runs alone. For every run: the switches (first update, from, to), the updates each
candidate made, the final loss on the training set, and the loss and accuracy on the held-out images.

This is not the time-to-target suite; it shows what each selector does on one problem. The settings of plateau,
SWATS's relaxed tolerance and noise_scale were chosen so that each switches within the run; SWATS with the
paper's tolerance is there too (it does not switch on these minibatch gradients).

Run: ``python -m benchmarks.diagnostics.selectors_evidence`` (about a minute on 2 CPU cores); it writes
``benchmarks/results/selectors_evidence.json`` and prints a table.
"""

import functools
import json
import pathlib
import platform
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

import optswitch
from optswitch import selectors
from optswitch.demo import split_digits, train_step

STEPS, BATCH, SEEDS, HELD_OUT = 1000, 32, (0, 1, 2), 300
RESULTS = pathlib.Path(__file__).resolve().parents[1] / "results" / "selectors_evidence.json"


def candidates():
    return {
        "adam": optax.adam(3e-3),
        "sgd": optax.inject_hyperparams(optax.sgd)(learning_rate=0.05, momentum=0.9),
    }


RUNS = {
    "adam alone": None,
    "sgd alone": None,
    "plateau(patience=2, accumulation_size=25, rtol=0.1)": lambda: selectors.plateau(
        patience=2, accumulation_size=25, rtol=0.1
    ),
    "swats (paper: atol=1e-9)": lambda: selectors.swats("adam", "sgd"),
    "swats(rtol=1e-3)": lambda: selectors.swats("adam", "sgd", rtol=1e-3),
    "bandit(window=50, ucb)": lambda: selectors.bandit(window=50),
    "bandit(window=50, thompson)": lambda: selectors.bandit(window=50, strategy="thompson"),
    "noise_scale(threshold=4, warmup=100)": lambda: selectors.noise_scale("adam", "sgd", threshold=4.0, warmup=100),
}


@functools.cache
def data():
    """The digits as device arrays: ((train inputs, labels), (held-out inputs, labels))."""
    return jax.tree.map(jnp.asarray, split_digits(HELD_OUT))


def init_params(seed):
    keys = jax.random.split(jax.random.key(seed))
    return {
        "w1": jax.random.normal(keys[0], (64, 32)) / 8.0,
        "b1": jnp.zeros(32),
        "w2": jax.random.normal(keys[1], (32, 10)) / jnp.sqrt(32.0),
        "b2": jnp.zeros(10),
    }


def logits_of(params, inputs):
    return jnp.tanh(inputs @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]


def loss_fn(params, inputs, labels):
    return optax.softmax_cross_entropy_with_integer_labels(logits_of(params, inputs), labels).mean()


def train(tx, seed):
    (inputs, labels), _ = data()
    rng = np.random.default_rng(seed)
    epochs = -(-STEPS * BATCH // len(labels))
    order = np.concatenate([rng.permutation(len(labels)) for _ in range(epochs)])
    batches = jnp.asarray(order[: STEPS * BATCH].reshape(STEPS, BATCH))

    step = train_step(lambda params, batch: loss_fn(params, inputs[batch], labels[batch]), tx)

    @jax.jit
    def run(params, state):
        def one(carry, batch):
            params, state, _ = step(*carry, batch)
            return (params, state), None

        return jax.lax.scan(one, (params, state), batches)[0]

    params = init_params(seed)
    return jax.block_until_ready(run(params, tx.init(params)))


def measure(name, make_selector, seed):
    if make_selector is None:
        alone = name.split()[0]
        tx = optswitch.switch({alone: candidates()[alone]})
    else:
        tx = optswitch.switch(candidates(), make_selector())
    start = time.perf_counter()
    params, state = train(tx, seed)
    seconds = time.perf_counter() - start
    (train_inputs, train_labels), (test_inputs, test_labels) = data()
    summary = optswitch.summary(state)
    record = {
        "run": name,
        "seed": seed,
        "switches": summary.switches,
        "updates": summary.updates,
        "train_loss": float(loss_fn(params, train_inputs, train_labels)),
        "test_loss": float(loss_fn(params, test_inputs, test_labels)),
        "test_accuracy": float(jnp.mean(jnp.argmax(logits_of(params, test_inputs), -1) == test_labels)),
        "seconds_with_compile": round(seconds, 2),
    }
    if name.startswith("swats"):
        record["swats_estimate"] = float(state.selector_state.estimate)
        record["sgd_learning_rate_after"] = float(optax.tree.get(state, "learning_rate"))
    if name.startswith("noise_scale"):
        record["noise_ratio_at_switch"] = float(state.selector_state.ratio)
    return record


def describe_switches(switches):
    if not switches:
        return "none"
    if len(switches) > 3:
        return f"{len(switches)} switches, first at {switches[0][0]}"
    return ", ".join(f"{first}: {source}->{target}" for first, source, target in switches)


def main():
    records = [measure(name, make, seed) for name, make in RUNS.items() for seed in SEEDS]
    rows = []
    for name in RUNS:
        mine = [r for r in records if r["run"] == name]
        rows.append(
            {
                "run": name,
                "median_train_loss": statistics.median(r["train_loss"] for r in mine),
                "median_test_loss": statistics.median(r["test_loss"] for r in mine),
                "median_test_accuracy": statistics.median(r["test_accuracy"] for r in mine),
                "switches_by_seed": [describe_switches(r["switches"]) for r in mine],
                "adam_share": statistics.mean(r["updates"].get("adam", 0) / STEPS for r in mine),
            }
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "problem": (
                    f"digits MLP 64-32-10 tanh, {STEPS} updates, batch {BATCH}, seeds {list(SEEDS)}, "
                    f"{HELD_OUT} images held out; adam lr 3e-3, sgd lr 0.05 momentum 0.9"
                ),
                "machine": f"{platform.machine()}, jax {jax.__version__}, {jax.devices()[0].platform}",
                "summary": rows,
                "runs": records,
            },
            indent=1,
        )
    )
    width = max(len(row["run"]) for row in rows)
    header = f"{'run':<{width}}  train loss  test loss  test acc  adam share  switches (first update: from->to)"
    print(f"{header}, seeds {SEEDS}")
    for row in rows:
        print(
            f"{row['run']:<{width}}  {row['median_train_loss']:>10.4f}  {row['median_test_loss']:>9.4f}  "
            f"{row['median_test_accuracy']:>8.3f}  {row['adam_share']:>10.2f}  {' | '.join(row['switches_by_seed'])}"
        )
    print("(medians over seeds; adam share: fraction of updates made by Adam)")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
