"""Where the switch's compile time goes, in a character transformer's whole train step (flax nnx).

The model is the issue's char-LM: 2 pre-norm blocks of width 128, 4 heads, context 64, vocab 65 (about 0.4M
parameters), gradient clipping then the optimizer. Each program is a whole jitted train step (forward, backward,
clip, update) lowered and compiled afresh; the figure is the median of ``repeats`` XLA compiles (``.compile()``),
with the trace-and-lower time beside it. The programs add one thing at a time, so the differences are the
breakdown: each candidate alone; the switch with three candidates and a manual selector (its branches); then
a handoff (``on_switch``: a second set of N branches, each the candidate's update after its handoff); then a
selector with conditionals of its own (plateau).

Run (about a minute on 2 CPU cores)::

    python -m benchmarks.micro.compile_time

It writes ``benchmarks/results/compile_time.json`` and the table between the ``compile-time`` markers of
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

import optswitch
import optswitch.nnx
from benchmarks import records

HERE = Path(__file__).resolve().parents[1]
README_BEGIN, README_END = "<!-- compile-time:start -->", "<!-- compile-time:end -->"
VOCAB, CONTEXT, WIDTH, HEADS, BLOCKS, BATCH = 65, 64, 128, 4, 2, 32


class Block(nnx.Module):
    def __init__(self, rngs):
        self.norm1, self.norm2 = nnx.LayerNorm(WIDTH, rngs=rngs), nnx.LayerNorm(WIDTH, rngs=rngs)
        self.attention = nnx.MultiHeadAttention(HEADS, WIDTH, decode=False, rngs=rngs)
        self.up, self.down = nnx.Linear(WIDTH, 4 * WIDTH, rngs=rngs), nnx.Linear(4 * WIDTH, WIDTH, rngs=rngs)

    def __call__(self, x, mask):
        x = x + self.attention(self.norm1(x), mask=mask)
        return x + self.down(nnx.gelu(self.up(self.norm2(x))))


class CharTransformer(nnx.Module):
    def __init__(self, rngs):
        self.embed = nnx.Embed(VOCAB, WIDTH, rngs=rngs)
        self.position = nnx.Embed(CONTEXT, WIDTH, rngs=rngs)
        self.blocks = nnx.List([Block(rngs) for _ in range(BLOCKS)])
        self.norm = nnx.LayerNorm(WIDTH, rngs=rngs)
        self.out = nnx.Linear(WIDTH, VOCAB, rngs=rngs)

    def __call__(self, tokens):
        x = self.embed(tokens) + self.position(jnp.arange(tokens.shape[1]))
        mask = nnx.make_causal_mask(tokens)
        for block in self.blocks:
            x = block(x, mask)
        return self.out(self.norm(x))


#: The run the candidates' schedules and the recommended selector are set for.
RUN_LENGTH = 2000


def candidates() -> dict:
    schedule = optax.warmup_cosine_decay_schedule(0.0, 1e-3, warmup_steps=100, decay_steps=RUN_LENGTH)
    return {
        "adamw": optax.adamw(schedule, weight_decay=0.01),
        "sgd": optax.sgd(schedule, momentum=0.9),
        "lion": optax.lion(schedule),
    }


def programs() -> dict:
    """name -> optimizer transformation; each is compiled in the same train step."""
    clip = optax.clip_by_global_norm(1.0)
    three = candidates
    return {
        **{f"{name} alone": optax.chain(clip, tx) for name, tx in three().items()},
        "switch, 1 candidate (adamw)": optswitch.chain(clip, optswitch.switch({"adamw": three()["adamw"]})),
        "switch, 3 candidates, manual": optswitch.chain(clip, optswitch.switch(three())),
        "+ handoff (sync_schedules)": optswitch.chain(
            clip, optswitch.switch(three(), on_switch=optswitch.handoff.sync_schedules())
        ),
        "+ plateau selector": optswitch.chain(
            clip,
            optswitch.switch(
                three(), optswitch.selectors.plateau(patience=2), on_switch=optswitch.handoff.sync_schedules()
            ),
        ),
        "race + step_down over the 6 copies": optswitch.chain(
            clip,
            optswitch.switch(
                optswitch.learning_rate_multiples(three()),
                optswitch.selectors.step_down(
                    optswitch.selectors.race(run_length=RUN_LENGTH, stop=RUN_LENGTH // 2),
                    at=RUN_LENGTH // 2,
                    stall=RUN_LENGTH // 20,
                ),
                on_switch=optswitch.handoff.sync_schedules(),
            ),
        ),
        "+ undo (selectors.recommended)": optswitch.chain(
            clip,
            optswitch.switch(
                optswitch.learning_rate_multiples(three()),
                optswitch.selectors.recommended(RUN_LENGTH),
                on_switch=optswitch.handoff.sync_schedules(),
            ),
        ),
    }


def compile_seconds(tx, repeats: int) -> tuple[float, float, int]:
    """Median seconds to trace and lower, and to compile, the train step; and the number of optimizer leaves."""
    model = CharTransformer(nnx.Rngs(0))
    optimizer = optswitch.nnx.Optimizer(model, tx, wrt=nnx.Param)
    graphdef, state = nnx.split((model, optimizer))
    tokens = jnp.zeros((BATCH, CONTEXT + 1), jnp.int32)

    def step(state, tokens):
        model, optimizer = nnx.merge(graphdef, state)

        def loss_fn(model):
            logits = model(tokens[:, :-1])
            return optax.softmax_cross_entropy_with_integer_labels(logits, tokens[:, 1:]).mean()

        loss, grads = nnx.value_and_grad(loss_fn)(model)
        optimizer.update(model, grads, value=loss)
        return nnx.state((model, optimizer)), loss

    lowering, compiling = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        lowered = jax.jit(lambda s, t: step(s, t), donate_argnums=0).lower(state, tokens)
        lowering.append(time.perf_counter() - start)
        start = time.perf_counter()
        lowered.compile()
        compiling.append(time.perf_counter() - start)
    return statistics.median(lowering), statistics.median(compiling), len(jax.tree.leaves(optimizer.opt_state))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = {}
    for name, tx in programs().items():
        lower, compile_, leaves = compile_seconds(tx, args.repeats)
        rows[name] = {"lower_s": lower, "compile_s": compile_, "optimizer_leaves": leaves}
        print(f"{name:32s} lower {lower:6.2f}s  compile {compile_:6.2f}s  leaves {leaves}", flush=True)
    base = rows["adamw alone"]["compile_s"]
    result = {"environment": records.environment(), "repeats": args.repeats, "programs": rows}
    (HERE / "results" / "compile_time.json").write_text(json.dumps(result, indent=2) + "\n")
    env = result["environment"]
    lines = [
        f"Measured on {env['processor']} ({env['cpu_count']} cores), jax {env['jax']}; the char transformer's whole "
        f"train step (clip + optimizer), median of {args.repeats} fresh compiles.",
        "",
        "| program | trace + lower (s) | XLA compile (s) | compile / adamw alone |",
        "|---|---|---|---|",
        *[
            f"| {name} | {row['lower_s']:.2f} | {row['compile_s']:.2f} | {row['compile_s'] / base:.2f}x |"
            for name, row in rows.items()
        ],
    ]
    records.write_between_markers(HERE / "README.md", "\n".join(lines), README_BEGIN, README_END)


if __name__ == "__main__":
    main()
