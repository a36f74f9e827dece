"""Bytes of the switch's state on each device, against the params' and the candidates' own, over 8 devices.

The goal: the state of ``switch({adam, sgd, rmsprop})`` takes exactly the sum of the three candidates' own
states, split evenly over the devices as the params are, plus a few hundred replicated bytes of its own (index,
step, switch log, names). Bytes are counted from the arrays' shards on each device, so the figures are exact and
the same on every machine; the compiled sharded step's memory analysis (per device) is reported beside them.

Run from the repository root (it makes 8 CPU devices itself, before importing jax):

    python -m benchmarks.micro.state_bytes

It writes benchmarks/results/state_bytes.json and .md, and exits with status 1 if the goal is missed.
"""

import os
import sys

if "jax" in sys.modules:
    raise RuntimeError("state_bytes must set XLA_FLAGS before jax is imported: python -m benchmarks.micro.state_bytes")
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=8").strip()
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import collections
import json
import math
from pathlib import Path

import jax
import jax.numpy as jnp
import optax
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

import optswitch
from optswitch.demo import candidates

DEVICES = 8
# An embedding and an MLP block, about 2.6M float32 params; every leaf splits evenly along its first axis.
SHAPES = {"embed": (8192, 256), "w1": (256, 1024), "b1": (1024,), "w2": (1024, 256), "b2": (256,)}
RESULTS = Path(__file__).resolve().parents[1] / "results"


def bytes_per_device(tree) -> list[int]:
    """What the leaves of ``tree`` hold on each device: the size of its shards there."""
    totals = collections.Counter()
    for leaf in jax.tree.leaves(tree):
        for shard in leaf.addressable_shards:
            totals[shard.device.id] += shard.data.nbytes
    return [totals[device.id] for device in jax.devices()]


def placed_init(tx, params):
    return jax.jit(tx.init, out_shardings=optswitch.state_shardings(tx, params))(params)


def step_memory(tx, params, state) -> dict[str, int]:
    """Per-device memory of the compiled, donated, sharded train step (arguments, outputs, temporaries)."""

    def step(params, state, grads):
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    analysis = jax.jit(step, donate_argnums=(0, 1)).lower(params, state, params).compile().memory_analysis()
    return {
        "argument_bytes": analysis.argument_size_in_bytes,
        "output_bytes": analysis.output_size_in_bytes,
        "temp_bytes": analysis.temp_size_in_bytes,
    }


def main() -> int:
    assert jax.device_count() == DEVICES, jax.devices()
    mesh = jax.make_mesh((DEVICES,), ("data",), axis_types=(jax.sharding.AxisType.Auto,))
    sharding = NamedSharding(mesh, P("data"))
    params = {name: jax.device_put(jnp.ones(shape, jnp.float32), sharding) for name, shape in SHAPES.items()}
    tx = optswitch.switch(candidates())
    state = placed_init(tx, params)

    rows = {"params": bytes_per_device(params)}
    own = {name: bytes_per_device(placed_init(opt, params)) for name, opt in candidates().items()}
    rows.update({f"{name} alone (its own optax state)": per_device for name, per_device in own.items()})
    rows["sum of the three candidates' own states"] = [sum(column) for column in zip(*own.values(), strict=True)]
    rows["switch: candidate states"] = bytes_per_device(state.candidate_states)
    rows["switch: its own bookkeeping (replicated)"] = bytes_per_device(state._replace(candidate_states=()))
    rows["switch: whole state"] = bytes_per_device(state)
    rows["switch, jax.jit(tx.init) without out_shardings"] = bytes_per_device(jax.jit(tx.init)(params))
    rows["switch, eager tx.init(params)"] = bytes_per_device(tx.init(params))

    candidate_bytes = rows["switch: candidate states"]
    checks = {
        "candidate states == sum of the candidates' own states, on every device": (
            candidate_bytes == rows["sum of the three candidates' own states"]
        ),
        "candidate states split evenly over the devices": len(set(candidate_bytes)) == 1,
        "state per device == state total / devices, bookkeeping aside": (
            sum(candidate_bytes) == DEVICES * candidate_bytes[0]
        ),
    }
    memory = {
        "adam alone": step_memory(candidates()["adam"], params, placed_init(candidates()["adam"], params)),
        "switch": step_memory(tx, params, state),
    }
    param_bytes = rows["params"][0]
    results = {
        "devices": DEVICES,
        "param_count": sum(math.prod(shape) for shape in SHAPES.values()),
        "shapes": SHAPES,
        "bytes_per_device": rows,
        "checks": checks,
        "compiled_step_per_device": memory,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "state_bytes.json").write_text(json.dumps(results, indent=2) + "\n")

    lines = [
        f"State bytes over {DEVICES} CPU devices, {results['param_count']:,} float32 params split along their "
        f"first axis (`python -m benchmarks.micro.state_bytes`).",
        "",
        "| what | bytes per device (min / max) | total over the devices | x params |",
        "|---|---:|---:|---:|",
    ]
    for name, per_device in rows.items():
        spread = f"{min(per_device):,} / {max(per_device):,}"
        lines.append(f"| {name} | {spread} | {sum(per_device):,} | {max(per_device) / param_bytes:.3f} |")
    lines += ["", "| compiled step, per device | arguments | outputs | temporaries |", "|---|---:|---:|---:|"]
    for name, sizes in memory.items():
        lines.append(f"| {name} | {sizes['argument_bytes']:,} | {sizes['output_bytes']:,} | {sizes['temp_bytes']:,} |")
    lines += [""] + [f"- {'yes' if ok else 'NO'}: {check}" for check, ok in checks.items()]
    table = "\n".join(lines) + "\n"
    (RESULTS / "state_bytes.md").write_text(table)
    print(table)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
