"""Steps per second of a small model: where the switch's fixed per-update cost shows.

A small CNN on the 8x8 digits (scikit-learn's, batch 64, about 0.1M parameters) trained with flax nnx, the
optimizer alone (``nnx.Optimizer`` with AdamW) against ``optswitch.nnx.Optimizer`` holding a switch over AdamW,
SGD and Lion with AdamW active, both under ``nnx.jit`` (which walks the model and optimizer objects in Python on
every call) and under ``jax.jit`` over ``nnx.split`` / ``nnx.merge`` (the pure state in and out, donated). The
variants run in interleaved rounds of ``--steps`` calls each, ended by ``block_until_ready``; the figure is the
median round's steps per second.

Run (about a minute on 2 CPU cores)::

    python -m benchmarks.micro.small_model

It writes ``benchmarks/results/small_model.json`` and the table between the ``small-model`` markers of
``benchmarks/README.md``.
"""

import argparse
import json
import statistics
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import optax
from flax import nnx
from sklearn.datasets import load_digits

import optswitch
import optswitch.nnx
from benchmarks import records

HERE = Path(__file__).resolve().parents[1]
README_BEGIN, README_END = "<!-- small-model:start -->", "<!-- small-model:end -->"
BATCH = 64


class DigitsCNN(nnx.Module):
    def __init__(self, rngs):
        self.conv1 = nnx.Conv(1, 16, (3, 3), rngs=rngs)
        self.conv2 = nnx.Conv(16, 32, (3, 3), rngs=rngs)
        self.hidden = nnx.Linear(8 * 8 * 32, 64, rngs=rngs)
        self.out = nnx.Linear(64, 10, rngs=rngs)

    def __call__(self, x):
        x = nnx.relu(self.conv2(nnx.relu(self.conv1(x))))
        return self.out(nnx.relu(self.hidden(x.reshape(x.shape[0], -1))))


def candidates() -> dict:
    return {"adamw": optax.adamw(1e-3), "sgd": optax.sgd(1e-2, momentum=0.9), "lion": optax.lion(1e-4)}


def loss_fn(model, x, y):
    return optax.softmax_cross_entropy_with_integer_labels(model(x), y).mean()


def nnx_jit_step(optimizer_class, tx):
    model = DigitsCNN(nnx.Rngs(0))
    optimizer = optimizer_class(model, tx, wrt=nnx.Param)

    @nnx.jit
    def step(model, optimizer, x, y):
        loss, grads = nnx.value_and_grad(loss_fn)(model, x, y)
        optimizer.update(model, grads, value=loss)
        return loss

    return lambda x, y: step(model, optimizer, x, y), optimizer


def jax_jit_step(optimizer_class, tx):
    model = DigitsCNN(nnx.Rngs(0))
    optimizer = optimizer_class(model, tx, wrt=nnx.Param)
    graphdef, state = nnx.split((model, optimizer))

    def step(state, x, y):
        model, optimizer = nnx.merge(graphdef, state)
        loss, grads = nnx.value_and_grad(loss_fn)(model, x, y)
        optimizer.update(model, grads, value=loss)
        return nnx.state((model, optimizer)), loss

    step = jax.jit(step, donate_argnums=0)
    holder = {"state": state}

    def call(x, y):
        holder["state"], loss = step(holder["state"], x, y)
        return loss

    return call, optimizer


def variants() -> dict:
    return {
        ("nnx.jit", "adamw alone"): nnx_jit_step(nnx.Optimizer, candidates()["adamw"]),
        ("nnx.jit", "switch"): nnx_jit_step(optswitch.nnx.Optimizer, optswitch.switch(candidates())),
        ("jax.jit", "adamw alone"): jax_jit_step(nnx.Optimizer, candidates()["adamw"]),
        ("jax.jit", "switch"): jax_jit_step(optswitch.nnx.Optimizer, optswitch.switch(candidates())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    digits = load_digits()
    images = jnp.asarray(digits.images[..., None] / 16.0, jnp.float32)
    labels = jnp.asarray(digits.target, jnp.int32)
    batches = [(images[i : i + BATCH], labels[i : i + BATCH]) for i in range(0, 20 * BATCH, BATCH)]
    programs = variants()
    leaves = {key: len(jax.tree.leaves(nnx.state(optimizer))) for key, (_, optimizer) in programs.items()}
    for call, _ in programs.values():  # compile and warm up
        for x, y in batches[:3]:
            call(x, y).block_until_ready()
    rates = {key: [] for key in programs}
    for _ in range(args.rounds):
        for key, (call, _) in programs.items():
            start = time.perf_counter()
            for i in range(args.steps):
                loss = call(*batches[i % len(batches)])
            loss.block_until_ready()
            rates[key].append(args.steps / (time.perf_counter() - start))
    median = {key: statistics.median(values) for key, values in rates.items()}
    rows = {
        jit: {
            "adamw_alone_steps_per_s": median[(jit, "adamw alone")],
            "switch_steps_per_s": median[(jit, "switch")],
            "ratio": median[(jit, "switch")] / median[(jit, "adamw alone")],
            "optimizer_leaves": {"adamw alone": leaves[(jit, "adamw alone")], "switch": leaves[(jit, "switch")]},
        }
        for jit in ("nnx.jit", "jax.jit")
    }
    for jit, row in rows.items():
        print(jit, row, flush=True)
    result = {"environment": records.environment(), "rounds": args.rounds, "steps": args.steps, "results": rows}
    (HERE / "results" / "small_model.json").write_text(json.dumps(result, indent=2) + "\n")
    env = result["environment"]
    lines = [
        f"Measured on {env['processor']} ({env['cpu_count']} cores), jax {env['jax']}; digits CNN, batch {BATCH}, "
        f"median of {args.rounds} interleaved rounds of {args.steps} steps; switch over adamw / sgd / lion, adamw "
        f"active, in optswitch.nnx.Optimizer.",
        "",
        "| jit | adamw alone (steps/s) | switch (steps/s) | ratio | optimizer leaves (alone / switch) |",
        "|---|---|---|---|---|",
        *[
            f"| `{jit}` | {row['adamw_alone_steps_per_s']:.0f} | {row['switch_steps_per_s']:.0f} | "
            f"{row['ratio']:.2f}x | {row['optimizer_leaves']['adamw alone']} / {row['optimizer_leaves']['switch']} |"
            for jit, row in rows.items()
        ],
    ]
    records.write_between_markers(HERE / "README.md", "\n".join(lines), README_BEGIN, README_END)


if __name__ == "__main__":
    main()
