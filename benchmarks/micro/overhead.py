"""What the switch costs against the plain active optimizer: step time, compile time, compiled memory.

Every figure is a ratio of two programs measured side by side in one process: compiled, warmed up, then
timed in interleaved rounds (so that a slow patch of the machine hits every variant alike), each call ended
by ``block_until_ready``, with buffers donated as a real train step donates them. The median over all timed
calls is reported; temp memory comes from XLA's ``memory_analysis`` and is exact.

Run (about 7 minutes on 2 CPU cores; the trials part alone, about 2)::

    python -m benchmarks.micro.overhead
    python -m benchmarks.micro.overhead --trials-only  # the trials selector's snapshots only
    python -m benchmarks.micro.overhead --multiples-only  # the recommended switch over six candidates only

It writes ``benchmarks/results/overhead.json`` and the tables between the ``overhead`` and ``overhead-trials``
markers of ``benchmarks/README.md``.
"""

import argparse
import functools
import itertools
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import optax

import optswitch
from benchmarks import records
from optswitch import selectors
from optswitch.demo import candidates
from optswitch.selectors import Selector, SnapshotRequest, Snapshots

HERE = Path(__file__).resolve().parents[1]
README_BEGIN, README_END = "<!-- overhead:start -->", "<!-- overhead:end -->"
MULTIPLES_BEGIN, MULTIPLES_END = "<!-- overhead-multiples:start -->", "<!-- overhead-multiples:end -->"
TRIALS_BEGIN, TRIALS_END = "<!-- overhead-trials:start -->", "<!-- overhead-trials:end -->"
# The run whose requests are counted: trials(TRIALS_RUN_LENGTH) over the three candidates on the 5.3M MLP.
TRIALS_RUN_LENGTH = 400
# An MLP of about 5.2M parameters: 1024 -> 2048 -> 1536 -> 10; and one of about 21M for the train step.
LAYERS = (1024, 2048, 1536, 10)
LAYERS_21M = (1024, 4096, 4096, 10)
BATCH = 256
# glibc serves allocations above its mmap threshold (at most 32 MiB) with fresh pages: a program whose temporaries
# pass it pays page faults on them every call. These settings keep every allocation on the reused heap.
HEAP_ONLY = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967296"
# For the memory figures: about 50M parameters, abstract (nothing is allocated).
SHAPES_50M = {"w1": (4096, 8192), "b1": (8192,), "w2": (8192, 2048), "b2": (2048,)}


def init_mlp(key, layers=LAYERS):
    params = {}
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(layers)):
        params[f"w{i}"] = jax.random.normal(jax.random.fold_in(key, i), (fan_in, fan_out)) / math.sqrt(fan_in)
        params[f"b{i}"] = jnp.zeros(fan_out)
    return params


def mlp_loss(params, x, y):
    h = x
    depth = len(params) // 2
    for i in range(depth):
        h = h @ params[f"w{i}"] + params[f"b{i}"]
        if i < depth - 1:
            h = jax.nn.relu(h)
    return optax.softmax_cross_entropy_with_integer_labels(h, y).mean()


# The programs compared. Each returns (step, state): step(params, state, batch) -> (params, state).


def plain_update(opt, **extra_args):
    def step(params, state, grads):
        updates, state = opt.update(grads, state, params, **extra_args)
        return optax.apply_updates(params, updates), state

    return step


def switch_update(tx, **extra_args):
    return plain_update(tx, **extra_args)


def switch_fused(tx, **extra_args):
    def step(params, state, grads):
        return tx.update_and_apply(grads, state, params, **extra_args)

    return step


def where_select(opts):
    """The baseline a user would write: run every candidate, keep the active one's results with jnp.where."""

    def step(params, state, grads):
        active, states = state
        results = [opt.update(grads, s, params) for opt, s in zip(opts, states, strict=True)]
        updates = jax.tree.map(lambda *u: jnp.select([active == k for k in range(len(u))], u), *[u for u, _ in results])
        states = tuple(
            jax.tree.map(lambda new, old, k=k: jnp.where(active == k, new, old), new_state, old_state)
            for k, ((_, new_state), old_state) in enumerate(zip(results, states, strict=True))
        )
        return optax.apply_updates(params, updates), (active, states)

    return step


def train_step(update_step):
    """A whole train step: gradients born and consumed inside one program."""

    def step(params, state, batch):
        grads = jax.grad(mlp_loss)(params, *batch)
        return update_step(params, state, grads)

    return step


def time_interleaved(programs, rounds, calls_per_round):
    """Median seconds per call of each ``programs[name] = (step, params, state, arg)``, interleaved."""
    live, times = {}, {name: [] for name in programs}
    for name, (step, params, state, arg) in programs.items():
        params, state = jax.tree.map(jnp.copy, (params, state))
        for _ in range(3):  # compile and warm up
            params, state = step(params, state, arg)
        jax.block_until_ready((params, state))
        live[name] = [step, params, state, arg]
    for _ in range(rounds):
        for name, entry in live.items():
            step, params, state, arg = entry
            for _ in range(calls_per_round):
                start = time.perf_counter()
                params, state = step(params, state, arg)
                jax.block_until_ready((params, state))
                times[name].append(time.perf_counter() - start)
            entry[1], entry[2] = params, state
    return {name: statistics.median(samples) for name, samples in times.items()}, times


def compile_seconds(fn, *args, repeats=3):
    """Median seconds to lower and compile ``jit(fn)`` on these arguments (a fresh compile each time)."""
    samples = []
    for _ in range(repeats):
        jax.clear_caches()  # else an identical program is served from the in-memory cache
        start = time.perf_counter()
        jax.jit(fn, donate_argnums=(0, 1)).lower(*args).compile()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def temp_bytes(fn, params, state, arg):
    compiled = jax.jit(fn, donate_argnums=(0, 1)).lower(params, state, arg).compile()
    return compiled.memory_analysis().temp_size_in_bytes


def train_step_medians(opts, name, params, batch, rounds, calls_per_round):
    """Median seconds per train step with candidate ``name`` active: plain, switch and switch_fused."""
    tx, base = optswitch.switch(opts, initial=name), opts[name]
    donated = functools.partial(jax.jit, donate_argnums=(0, 1))
    medians, _ = time_interleaved(
        {
            "plain": (donated(train_step(plain_update(base))), params, base.init(params), batch),
            "switch": (donated(train_step(switch_update(tx))), params, tx.init(params), batch),
            "switch_fused": (donated(train_step(switch_fused(tx))), params, tx.init(params), batch),
        },
        rounds,
        calls_per_round,
    )
    return medians


def adam_train_step(rounds, calls_per_round):
    """:func:`train_step_medians` at 5.3M parameters, adam active."""
    key = jax.random.key(0)
    batch = (jax.random.normal(key, (BATCH, LAYERS[0])), jax.random.randint(key, (BATCH,), 0, LAYERS[-1]))
    return train_step_medians(candidates(), "adam", init_mlp(key), batch, rounds, calls_per_round)


def adam_train_step_on_the_heap(rounds, calls_per_round):
    """:func:`adam_train_step` in a fresh process whose glibc never maps fresh pages (``HEAP_ONLY``)."""
    command = [sys.executable, "-m", "benchmarks.micro.overhead", "--train-step-only"]
    command += ["--rounds", str(rounds), "--calls", str(calls_per_round)]
    env = {**os.environ, "GLIBC_TUNABLES": HEAP_ONLY}
    output = subprocess.run(command, env=env, cwd=HERE.parent, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(rounds, calls_per_round):
    key = jax.random.key(0)
    params = init_mlp(key)
    n_params = sum(p.size for p in jax.tree.leaves(params))
    grads = jax.tree.map(lambda p: 1e-3 * jnp.ones_like(p), params)
    batch = (jax.random.normal(key, (BATCH, LAYERS[0])), jax.random.randint(key, (BATCH,), 0, LAYERS[-1]))
    opts = candidates()
    donated = functools.partial(jax.jit, donate_argnums=(0, 1))
    results = {"update": {}, "train_step": {}, "compile": {}, "temp_bytes_50m": {}}

    for k, name in enumerate(opts):
        tx = optswitch.switch(opts, initial=name)
        base = opts[name]
        where_state = (jnp.int32(k), tuple(opt.init(params) for opt in opts.values()))
        medians, _ = time_interleaved(
            {
                "plain": (donated(plain_update(base)), params, base.init(params), grads),
                "switch": (donated(switch_update(tx)), params, tx.init(params), grads),
                "switch_fused": (donated(switch_fused(tx)), params, tx.init(params), grads),
                "where_select": (donated(where_select(tuple(opts.values()))), params, where_state, grads),
            },
            rounds,
            calls_per_round,
        )
        results["update"][name] = medians
        print(f"update, {name} active: " + ", ".join(f"{v}={medians[v] / medians['plain']:.2f}x" for v in medians))

        medians = train_step_medians(opts, name, params, batch, max(2, rounds // 3), calls_per_round)
        results["train_step"][name] = medians
        print(f"train step, {name} active: " + ", ".join(f"{v}={medians[v] / medians['plain']:.2f}x" for v in medians))

    # The same train step at about 21M parameters, adam active: there the plain step's own temporaries pass
    # glibc's 32 MiB mmap threshold too, so both pay the same per-step page faults (see the README).
    big = init_mlp(key, LAYERS_21M)
    medians = train_step_medians(opts, "adam", big, batch, max(2, rounds // 3), max(2, calls_per_round // 4))
    results["train_step_21m"] = {"params": sum(p.size for p in jax.tree.leaves(big)), **medians}
    del big
    print("train step 21M, adam active: " + ", ".join(f"{v}={medians[v] / medians['plain']:.2f}x" for v in medians))

    if platform.libc_ver()[0] == "glibc":
        medians = adam_train_step_on_the_heap(max(2, rounds // 3), calls_per_round)
        results["train_step_heap"] = medians
        print(
            "train step, adam active, GLIBC_TUNABLES: "
            + ", ".join(f"{v}={medians[v] / medians['plain']:.2f}x" for v in medians)
        )

    # Signals: a selector that reads all three reductions, against one that reads none (adam active).
    reads_all = optswitch.selectors.custom(lambda names: (), lambda signals, state: (signals.active, state))
    tx_signals = optswitch.switch(opts, reads_all)
    tx = optswitch.switch(opts)
    medians, _ = time_interleaved(
        {
            "plain": (donated(plain_update(opts["adam"])), params, opts["adam"].init(params), grads),
            "switch": (donated(switch_update(tx)), params, tx.init(params), grads),
            "switch_all_signals": (donated(switch_update(tx_signals)), params, tx_signals.init(params), grads),
        },
        rounds,
        calls_per_round,
    )
    results["signals"] = medians
    print("signals: " + ", ".join(f"{v}={medians[v] / medians['plain']:.2f}x" for v in medians))

    tx = optswitch.switch(opts)
    for label, fn, state in [
        ("plain adam", train_step(plain_update(opts["adam"])), opts["adam"].init(params)),
        ("switch", train_step(switch_update(tx)), tx.init(params)),
        ("switch_fused", train_step(switch_fused(tx)), tx.init(params)),
    ]:
        results["compile"][label] = compile_seconds(fn, params, state, batch)
    print("compile seconds: " + ", ".join(f"{k}={v:.2f}" for k, v in results["compile"].items()))

    abstract = {name: jax.ShapeDtypeStruct(shape, jnp.float32) for name, shape in SHAPES_50M.items()}
    param_bytes_50m = sum(4 * math.prod(shape) for shape in SHAPES_50M.values())
    tx = optswitch.switch(opts)
    abstract_state = jax.eval_shape(tx.init, abstract)
    for label, fn, state in [
        ("plain adam", plain_update(opts["adam"]), jax.eval_shape(opts["adam"].init, abstract)),
        ("switch", switch_update(tx), abstract_state),
        ("switch_fused", switch_fused(tx), abstract_state),
    ]:
        results["temp_bytes_50m"][label] = temp_bytes(fn, abstract, state, abstract)
    results["param_bytes_50m"] = param_bytes_50m
    results["params"] = n_params
    return results


# The recommended switch: six candidates (the three at 3x and at 1x their learning rates), race, step_down, undo.


#: The run length whose window ``undo_if_worse`` keeps while timing: the guard reads its window of losses (a ring
#: buffer of ``run_length // 100``) after every update, so its cost is that of a real run's window, 1,000 losses for
#: a run of 100,000 updates, not that of the 10**8 that keeps the race in its first leg (10**6 losses).
UNDO_RUN_LENGTH = 100_000


def recommended(opts, run_length, *, undo=True, keep_watch=True):
    """The recommended selector for ``run_length`` updates: the race stopped half-way, then stepped down (or
    earlier, on a stall: its window of ``run_length // 20`` updates is kept, and never fills, while timing), under
    ``undo_if_worse`` with the window of a run of ``UNDO_RUN_LENGTH`` updates and the watch kept through a switch
    too soon to judge, as ``selectors.recommended`` composes it (its snapshot and states kept, no save while timing:
    the race makes no switch); ``undo=False``: rounds 8 and 9's, without it; ``keep_watch=False``: the guard of
    rounds 10 to 48."""
    race = selectors.race(run_length=run_length, stop=run_length // 2)
    stepped = selectors.step_down(race, at=run_length // 2, stall=run_length // 20)
    return selectors.undo_if_worse(stepped, UNDO_RUN_LENGTH // 100, keep_watch=keep_watch) if undo else stepped


def measure_multiples(rounds, calls_per_round):
    """The recommended switch over the candidates at 3x and 1x their learning rates, against its active candidate
    alone (``adam-x3``, the race's first): update, train step, compile and temp memory.

    The race's legs last 1% of ``run_length``; at 10**8 the first leg outlasts the timing, so the switch stays on
    ``adam-x3`` while reading the loss and keeping the race's window as in a run. The plain switch over the three
    candidates (``adam`` active, ``manual()``) is timed beside them for comparison.
    """
    key = jax.random.key(0)
    params = init_mlp(key)
    grads = jax.tree.map(lambda p: 1e-3 * jnp.ones_like(p), params)
    batch = (jax.random.normal(key, (BATCH, LAYERS[0])), jax.random.randint(key, (BATCH,), 0, LAYERS[-1]))
    opts = optswitch.learning_rate_multiples(candidates())
    base = opts["adam-x3"]
    tx = optswitch.switch(opts, recommended(opts, 10**8))
    own_opts = optswitch.learning_rate_multiples(candidates(), share_state=False)  # round 6: a state per copy
    own = optswitch.switch(own_opts, recommended(own_opts, 10**8, undo=False))
    no_undo = optswitch.switch(opts, recommended(opts, 10**8, undo=False))  # rounds 8 and 9
    unwatched = optswitch.switch(opts, recommended(opts, 10**8, keep_watch=False))  # rounds 10 to 48
    three = optswitch.switch(candidates())
    value = {"value": jnp.float32(1.0)}
    donated = functools.partial(jax.jit, donate_argnums=(0, 1))
    update, _ = time_interleaved(
        {
            "plain": (donated(plain_update(base)), params, base.init(params), grads),
            "switch": (donated(switch_update(tx, **value)), params, tx.init(params), grads),
            "switch_fused": (donated(switch_fused(tx, **value)), params, tx.init(params), grads),
            "no_undo_switch_fused": (donated(switch_fused(no_undo, **value)), params, no_undo.init(params), grads),
            "unwatched_switch_fused": (
                donated(switch_fused(unwatched, **value)),
                params,
                unwatched.init(params),
                grads,
            ),
            "own_switch_fused": (donated(switch_fused(own, **value)), params, own.init(params), grads),
            "three_switch_fused": (donated(switch_fused(three)), params, three.init(params), grads),
        },
        rounds,
        calls_per_round,
    )
    print("multiples, update: " + ", ".join(f"{k}={v / update['plain']:.2f}x" for k, v in update.items()))
    steps, _ = time_interleaved(
        {
            "plain": (donated(train_step(plain_update(base))), params, base.init(params), batch),
            "switch": (donated(train_step(switch_update(tx, **value))), params, tx.init(params), batch),
            "switch_fused": (donated(train_step(switch_fused(tx, **value))), params, tx.init(params), batch),
            "no_undo_switch_fused": (
                donated(train_step(switch_fused(no_undo, **value))),
                params,
                no_undo.init(params),
                batch,
            ),
            "unwatched_switch_fused": (
                donated(train_step(switch_fused(unwatched, **value))),
                params,
                unwatched.init(params),
                batch,
            ),
        },
        max(2, rounds // 3),
        calls_per_round,
    )
    print("multiples, train step: " + ", ".join(f"{k}={v / steps['plain']:.2f}x" for k, v in steps.items()))
    compile_s = {
        "plain adam-x3": compile_seconds(train_step(plain_update(base)), params, base.init(params), batch),
        "switch, 3 candidates": compile_seconds(train_step(switch_fused(three)), params, three.init(params), batch),
        "switch, 6 candidates, recommended": compile_seconds(
            train_step(switch_fused(tx, **value)), params, tx.init(params), batch
        ),
        "switch, 6 candidates, the guard without keep_watch (rounds 10 to 48)": compile_seconds(
            train_step(switch_fused(unwatched, **value)), params, unwatched.init(params), batch
        ),
        "switch, 6 candidates, without the undo (rounds 8 and 9)": compile_seconds(
            train_step(switch_fused(no_undo, **value)), params, no_undo.init(params), batch
        ),
        "switch, 6 candidates, a state per copy": compile_seconds(
            train_step(switch_fused(own, **value)), params, own.init(params), batch
        ),
    }
    abstract = {name: jax.ShapeDtypeStruct(shape, jnp.float32) for name, shape in SHAPES_50M.items()}
    temp = {
        "plain adam-x3": temp_bytes(plain_update(base), abstract, jax.eval_shape(base.init, abstract), abstract),
        "switch_fused, 6 candidates": temp_bytes(
            switch_fused(tx, **value), abstract, jax.eval_shape(tx.init, abstract), abstract
        ),
        "switch_fused, 6 candidates, without the undo": temp_bytes(
            switch_fused(no_undo, **value), abstract, jax.eval_shape(no_undo.init, abstract), abstract
        ),
    }
    state_bytes = {
        "adam-x3 alone": sum(4 * x.size for x in jax.tree.leaves(jax.eval_shape(base.init, abstract))),
        "switch, 3 candidates": sum(
            x.size * x.dtype.itemsize for x in jax.tree.leaves(jax.eval_shape(three.init, abstract))
        ),
        "switch, 6 candidates (the undo's snapshot and copy of the states included)": sum(
            x.size * x.dtype.itemsize for x in jax.tree.leaves(jax.eval_shape(tx.init, abstract))
        ),
        "switch, 6 candidates, without the undo": sum(
            x.size * x.dtype.itemsize for x in jax.tree.leaves(jax.eval_shape(no_undo.init, abstract))
        ),
        "switch, 6 candidates, a state per copy": sum(
            x.size * x.dtype.itemsize for x in jax.tree.leaves(jax.eval_shape(own.init, abstract))
        ),
    }
    params_bytes = sum(4 * math.prod(shape) for shape in SHAPES_50M.values())
    return {
        "update": update,
        "train_step": steps,
        "compile": compile_s,
        "temp_bytes_50m": temp,
        "state_bytes_50m": state_bytes,
        "param_bytes_50m": params_bytes,
    }


def multiples_table(results):
    """The recommended switch's cost, as markdown."""
    update, steps = results["update"], results["train_step"]
    lines = [
        "| program (5.3M parameters, `adam-x3` active) | update | train step |",
        "|---|---|---|",
        f"| `adam-x3` alone | 1.00x ({update['plain'] * 1e3:.2f} ms) | 1.00x ({steps['plain'] * 1e3:.2f} ms) |",
        f"| recommended switch, 6 candidates, `update` | {update['switch'] / update['plain']:.2f}x | "
        f"{steps['switch'] / steps['plain']:.2f}x |",
        f"| recommended switch, 6 candidates, fused | {update['switch_fused'] / update['plain']:.2f}x | "
        f"{steps['switch_fused'] / steps['plain']:.2f}x |",
        f"| the same, the guard without `keep_watch` (rounds 10 to 48), fused | "
        f"{update['unwatched_switch_fused'] / update['plain']:.2f}x | "
        f"{steps['unwatched_switch_fused'] / steps['plain']:.2f}x |",
        f"| the same without the undo (rounds 8 and 9), fused | "
        f"{update['no_undo_switch_fused'] / update['plain']:.2f}x | "
        f"{steps['no_undo_switch_fused'] / steps['plain']:.2f}x |",
        f"| the same, each copy its own state (round 6), fused | {update['own_switch_fused'] / update['plain']:.2f}x "
        "| |",
        f"| plain switch, 3 candidates (`adam` active), fused | "
        f"{update['three_switch_fused'] / update['plain']:.2f}x | |",
        "",
        "| compile of the train step | seconds |",
        "|---|---|",
        *(f"| {label} | {seconds:.2f} |" for label, seconds in results["compile"].items()),
        "",
        "| at about 50M float32 parameters | MiB | per MiB of parameters |",
        "|---|---|---|",
    ]
    param_mb = results["param_bytes_50m"] / 2**20
    for label, size in results["temp_bytes_50m"].items():
        lines.append(f"| temp memory of the update, {label} | {size / 2**20:.1f} | {size / 2**20 / param_mb:.2f} |")
    for label, size in results["state_bytes_50m"].items():
        lines.append(f"| optimizer state, {label} | {size / 2**20:.1f} | {size / 2**20 / param_mb:.2f} |")
    return "\n".join(lines)


# Trials (issue 11): what a snapshot request costs, and how many updates of a run carry one.


def fixed_request(n, *, save=-1, load=-1, keep_states=False, restore_states=()):
    """A selector that keeps the active candidate and makes the same snapshot request after every update.

    Its snapshots are those of ``selectors.trials`` (two slots and a copy of every candidate's state), and the
    request lives in its state, so that the compiled program reads it at run time, as it reads trials'.
    """
    request = SnapshotRequest(
        save=jnp.asarray(save, jnp.int32),
        load=jnp.asarray(load, jnp.int32),
        keep_states=jnp.asarray(keep_states),
        restore_states=jnp.asarray([k in restore_states for k in range(n)]),
    )
    return Selector(
        init=lambda names: request,
        select=lambda signals, state: (signals.active, state),
        name="fixed request",
        snapshots=Snapshots(slots=2, request=lambda state: state, candidate_states=True),
    )


def trials_without_request(opts, run_length):
    """A ``trials`` switch and a state past its last round: no update of it asks for a snapshot."""
    tx = optswitch.switch(opts, selectors.trials(run_length))
    return tx, lambda params: tx.init(params)._replace(
        selector_state=tx.init(params).selector_state._replace(rounds=jnp.int32(10**6))
    )


def carrying(update_step):
    """``update_step`` with a state of ``(state, extra)``: ``extra`` passes through the step untouched (donated)."""

    def step(params, state_and_extra, arg):
        state, extra = state_and_extra
        params, state = update_step(params, state, arg)
        return params, (state, extra)

    return step


def one_element_leaves(tree):
    """``tree`` with every array leaf replaced by one of a single element: its leaf count, none of its bytes."""
    return jax.tree.map(lambda leaf: jnp.zeros((1,), leaf.dtype), tree)


def one_pass(params, snapshot, _):
    """One pass over the parameters and a snapshot: what putting the parameters back should cost."""
    return jax.tree.map(lambda p, s: p + (s - p), params, snapshot), snapshot


def trial_requests(run_length):
    """The updates of a real ``trials(run_length)`` run on the 5.3M MLP that carry a snapshot request, by kind."""
    key = jax.random.key(0)
    params = init_mlp(key)
    batch = (jax.random.normal(key, (BATCH, LAYERS[0])), jax.random.randint(key, (BATCH,), 0, LAYERS[-1]))
    tx = optswitch.switch(candidates(), selectors.trials(run_length))

    @functools.partial(jax.jit, donate_argnums=(0, 1))
    def step(params, state, batch):
        loss, grads = jax.value_and_grad(mlp_loss)(params, *batch)
        params, state = tx.update_and_apply(grads, state, params, value=loss)
        request = state.selector_state.request
        kinds = jnp.stack([request.save >= 0, request.load >= 0, request.keep_states, jnp.any(request.restore_states)])
        return params, state, kinds

    state, requests = tx.init(params), []
    for t in range(run_length):
        params, state, kinds = step(params, state, batch)
        kinds = jax.device_get(kinds)
        if kinds.any():
            names = ("save", "load", "keep states", "restore states")
            requests.append((t, [name for name, asked in zip(names, kinds, strict=True) if asked]))
    summary = optswitch.summary(state)
    return {
        "run_length": run_length,
        "trial_length": max(4, run_length // 100),
        "updates_with_request": [t for t, _ in requests],
        "kinds": {str(t): kinds for t, kinds in requests},
        "switches": [list(switch) for switch in summary.switches],
    }


def measure_trials(rounds, calls_per_round):
    """The trials switch's update against the plain active optimizer: without a request, and with each kind."""
    key = jax.random.key(0)
    params = init_mlp(key)
    grads = jax.tree.map(lambda p: 1e-3 * jnp.ones_like(p), params)
    opts = candidates()
    n = len(opts)
    donated = functools.partial(jax.jit, donate_argnums=(0, 1))
    loss = {"value": jnp.float32(1.0)}
    trials_tx, trials_init = trials_without_request(opts, TRIALS_RUN_LENGTH)
    forced = {
        # The same program as the requests below with the request never made: their like-for-like baseline.
        "no request": fixed_request(n),
        "save": fixed_request(n, save=0),
        "restore": fixed_request(n, load=0),
        "round start": fixed_request(n, save=0, keep_states=True),
        "round end": fixed_request(n, load=1, restore_states=(1, 2)),
    }
    plain = opts["adam"]
    tx = optswitch.switch(opts)
    programs = {
        "plain": (donated(plain_update(plain)), params, plain.init(params), grads),
        "one pass": (donated(one_pass), params, jax.tree.map(jnp.copy, params), grads),
        "switch_fused": (donated(switch_fused(tx)), params, tx.init(params), grads),
        "trials_fused": (donated(switch_fused(trials_tx, **loss)), params, trials_init(params), grads),
        "switch": (donated(switch_update(tx)), params, tx.init(params), grads),
        "trials": (donated(switch_update(trials_tx, **loss)), params, trials_init(params), grads),
    }
    for label, selector in forced.items():
        forced_tx = optswitch.switch(opts, selector)
        programs[f"{label}_fused"] = (donated(switch_fused(forced_tx)), params, forced_tx.init(params), grads)
        programs[label] = (donated(switch_update(forced_tx)), params, forced_tx.init(params), grads)
    # The plain switch carrying as many extra leaves as trials' snapshots hold, each of one element: what the
    # extra leaves cost a call whatever their size (each is an argument and a result of the jitted step).
    # The same leaves at full size: what their bytes add.
    snapshots = trials_init(params).snapshots
    leaves = one_element_leaves(snapshots)
    for name, extra in (("leaves", leaves), ("full leaves", snapshots)):
        programs[f"{name}_fused"] = (donated(carrying(switch_fused(tx))), params, (tx.init(params), extra), grads)
        programs[name] = (donated(carrying(switch_update(tx))), params, (tx.init(params), extra), grads)
    # A whole train step, gradients computed inside: what a user's step pays.
    batch = (jax.random.normal(key, (BATCH, LAYERS[0])), jax.random.randint(key, (BATCH,), 0, LAYERS[-1]))

    def trials_step(params, state, batch):
        loss, grads = jax.value_and_grad(mlp_loss)(params, *batch)  # as cheap as the gradient alone
        return trials_tx.update_and_apply(grads, state, params, value=loss)

    programs |= {
        "train step plain": (donated(train_step(plain_update(plain))), params, plain.init(params), batch),
        "train step switch": (donated(train_step(switch_fused(tx))), params, tx.init(params), batch),
        "train step trials": (donated(trials_step), params, trials_init(params), batch),
    }
    medians, _ = time_interleaved(programs, rounds, calls_per_round)
    print("trials, adam active: " + ", ".join(f"{v}={medians[v] / medians['plain']:.2f}x" for v in medians))
    results = {
        "update": medians,
        "run": trial_requests(TRIALS_RUN_LENGTH),
        "snapshot_leaves": len(jax.tree.leaves(leaves)),
    }
    run = results["run"]
    print(f"trials({run['run_length']}): updates with a request: {run['updates_with_request']}")
    return results


def trials_table(results):
    row, run = results["update"], results["run"]
    ms = lambda variant: row[variant] * 1e3
    leaf_count = results["snapshot_leaves"]
    lines = [
        f"Trials, adam active, on the same MLP: ms per update; `x plain`: to the plain optimizer's update "
        f"({ms('plain'):.2f} ms); `extra`: the time added to the row's baseline, in passes over the parameters, "
        f"one pass being a jitted, donated `p + (s - p)` over the parameters and a snapshot ({ms('one pass'):.2f} "
        f"ms). The baseline of the plain switch is the plain optimizer; of trials asking for nothing, the plain "
        f"switch; of a request, the same forced-request program asking for nothing, on the same path.",
        "",
        "| trials update | fused (ms) | x plain | extra (passes) | update + apply_updates (ms) | x plain "
        "| extra (passes) |",
        "|---|---|---|---|---|---|---|",
    ]
    variants = [
        ("plain switch (no snapshots)", "switch", None),
        ("trials, no request", "trials", "switch"),
        (f"plain switch carrying {leaf_count} one-element leaves", "leaves", "switch"),
        ("the same leaves at full size (trials' snapshots)", "full leaves", "leaves"),
        ("forced-request program, no request", "no request", "trials"),
        ("save the params", "save", "no request"),
        ("restore the params", "restore", "no request"),
        ("round start: save + keep every state", "round start", "no request"),
        ("round end: restore params + 2 states", "round end", "no request"),
    ]
    for label, variant, baseline in variants:
        cells = []
        for suffix in ("_fused", ""):
            name = variant + suffix
            base = "plain" if baseline is None else baseline + suffix
            extra = (row[name] - row[base]) / row["one pass"]
            cells += [f"{ms(name):.2f}", f"{row[name] / row['plain']:.2f}x", f"{extra:+.1f}"]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    step_ratio = lambda variant: row[f"train step {variant}"] / row["train step plain"]
    lines += [
        "",
        f"In a whole jitted train step on the same MLP (batch {BATCH}, the gradients computed inside; plain adam "
        f"{ms('train step plain'):.2f} ms), fused and asking for nothing: the plain switch "
        f"{step_ratio('switch'):.3f}x, trials {step_ratio('trials'):.3f}x.",
    ]
    updates = run["updates_with_request"]
    lines += [
        "",
        f"In a run of `trials({run['run_length']})` (trial_length {run['trial_length']}, rounds at 10% and 20%) "
        f"on this MLP, {len(updates)} of {run['run_length']} updates carry a request, at updates "
        f"{', '.join(map(str, updates))} (0-based): each round's start and its trials' ends "
        f"(asserted for a run of 400 in `tests/test_trials.py`).",
    ]
    return "\n".join(lines)


def table(results, env):
    ratio = lambda row, variant: row[variant] / row["plain"]
    lines = [
        f"Measured on {env['processor']} ({env['cpu_count']} cores), jax {env['jax']}, jaxlib {env['jaxlib']}, "
        f"optax {env['optax']}; {results['params'] / 1e6:.1f}M f32 parameters, batch {BATCH}. Ratios to the "
        f"plain active optimizer, median of interleaved donated calls after warm-up.",
        "",
        "| active | update: switch | update: fused | update: all + jnp.where | train step: switch "
        "| train step: fused | plain update (ms) | plain train step (ms) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in results["update"].items():
        train = results["train_step"][name]
        lines.append(
            f"| {name} | {ratio(row, 'switch'):.2f}x | {ratio(row, 'switch_fused'):.2f}x "
            f"| {ratio(row, 'where_select'):.2f}x | {ratio(train, 'switch'):.3f}x "
            f"| {ratio(train, 'switch_fused'):.3f}x "
            f"| {row['plain'] * 1e3:.2f} | {train['plain'] * 1e3:.1f} |"
        )
    big = results["train_step_21m"]
    lines += [
        f"| adam, {big['params'] / 1e6:.0f}M params | | | | {ratio(big, 'switch'):.3f}x "
        f"| {ratio(big, 'switch_fused'):.3f}x | | {big['plain'] * 1e3:.1f} |"
    ]
    if "train_step_heap" in results:
        heap = results["train_step_heap"]
        lines += [
            f"| adam, `GLIBC_TUNABLES={HEAP_ONLY}` | | | | {ratio(heap, 'switch'):.3f}x "
            f"| {ratio(heap, 'switch_fused'):.3f}x | | {heap['plain'] * 1e3:.1f} |"
        ]
    signals = results["signals"]
    compile_times = results["compile"]
    temp = results["temp_bytes_50m"]
    param_mb = results["param_bytes_50m"] / 2**20
    lines += [
        "",
        f"Signals (adam active): a selector reading |g|², |u|² and u·g costs "
        f"{ratio(signals, 'switch_all_signals'):.2f}x against {ratio(signals, 'switch'):.2f}x for one reading none "
        f"(each reduction is one more pass over parameter-sized arrays; a selector pays only for what it reads).",
        "",
        "| compile (train step) | seconds | ratio |",
        "|---|---|---|",
    ]
    for label, seconds in compile_times.items():
        lines.append(f"| {label} | {seconds:.2f} | {seconds / compile_times['plain adam']:.2f}x |")
    lines += [
        "",
        f"| compiled temp memory, {results['param_bytes_50m'] / 4e6:.0f}M params (update + apply) | MiB "
        f"| in params-sized buffers |",
        "|---|---|---|",
    ]
    for label, size in temp.items():
        lines.append(f"| {label} | {size / 2**20:.1f} | {size / 2**20 / param_mb:.2f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds per comparison")
    parser.add_argument("--calls", type=int, default=20, help="timed calls per program per round")
    parser.add_argument("--quick", action="store_true", help="a few rounds only, to check that it runs")
    parser.add_argument("--no-write", action="store_true", help="print, but do not write results or README")
    parser.add_argument("--train-step-only", action="store_true", help="time the adam train step only; print JSON")
    parser.add_argument(
        "--trials-only",
        action="store_true",
        help="measure the trials selector's snapshot requests only (about 2 minutes); update their part of the "
        "results and the README, keeping the rest",
    )
    parser.add_argument(
        "--multiples-only",
        action="store_true",
        help="measure the recommended switch over six candidates only (learning-rate multiples); update its part "
        "of the results and the README, keeping the rest",
    )
    args = parser.parse_args()
    rounds, calls = (2, 5) if args.quick else (args.rounds, args.calls)
    if args.multiples_only:
        path = HERE / "results" / "overhead.json"
        results = json.loads(path.read_text()) if path.is_file() else {}
        results["multiples"] = {"environment": records.environment(), **measure_multiples(rounds, calls)}
        text = multiples_table(results["multiples"])
        print(text)
        if not args.no_write:
            path.write_text(json.dumps(results, indent=2))
            records.write_between_markers(HERE / "README.md", text, MULTIPLES_BEGIN, MULTIPLES_END)
        return
    if args.train_step_only:
        print(json.dumps(adam_train_step(rounds, calls)))
        return
    env = records.environment()
    path = HERE / "results" / "overhead.json"
    if args.trials_only:
        results = json.loads(path.read_text()) if path.is_file() else {}
        results["trials"] = {"environment": env, **measure_trials(rounds, calls)}
    else:
        results = {"environment": env, **measure(rounds, calls)}
        results["trials"] = {"environment": env, **measure_trials(rounds, calls)}
        text = table(results, env)
        print(text)
    trials_text = trials_table(results["trials"])
    print(trials_text)
    if not args.no_write:
        (HERE / "results").mkdir(exist_ok=True)
        path.write_text(json.dumps(results, indent=2))
        if not args.trials_only:
            records.write_between_markers(HERE / "README.md", text, README_BEGIN, README_END)
        records.write_between_markers(HERE / "README.md", trials_text, TRIALS_BEGIN, TRIALS_END)


if __name__ == "__main__":
    main()
