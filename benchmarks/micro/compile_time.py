"""Where the switch's compile time goes, in a character transformer's whole train step (flax nnx).

The model is the issue's char-LM: 2 pre-norm blocks of width 128, 4 heads, context 64, vocab 65 (about 0.4M
parameters), gradient clipping then the optimizer. Each program is a whole jitted train step (forward, backward,
clip, update) lowered and compiled afresh; the figure is the median of ``repeats`` XLA compiles (``.compile()``),
with the trace-and-lower time beside it. The programs add one thing at a time, so the differences are the
breakdown: each candidate alone; the switch with three candidates and a manual selector (its branches); then
a handoff (``on_switch``: a second set of N branches, each the candidate's update after its handoff); then a
selector with conditionals of its own (plateau).

With ``--model linear`` the same programs train one dense layer (2 parameter leaves) instead: what is left is the
fixed cost of the switch and its selector, the part that does not grow with the model, which is most of a small
model's compile. That table also counts the instructions of each compiled step (HLO), which depend on jax's version
and backend, not on the machine's load.

Run (a few minutes on 2 CPU cores; seconds with ``--model linear``)::

    python -m benchmarks.micro.compile_time [--model linear]

It writes ``benchmarks/results/compile_time.json`` (``compile_time_linear.json``) and the table between the
``compile-time`` (``compile-time-linear``) markers of ``benchmarks/README.md``.
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
VOCAB, CONTEXT, WIDTH, HEADS, BLOCKS, BATCH = 65, 64, 128, 4, 2, 32


class Block(nnx.Module):
    def __init__(self, rngs):
        self.norm1, self.norm2 = nnx.LayerNorm(WIDTH, rngs=rngs), nnx.LayerNorm(WIDTH, rngs=rngs)
        self.attention = nnx.MultiHeadAttention(HEADS, WIDTH, decode=False, rngs=rngs)
        self.up, self.down = nnx.Linear(WIDTH, 4 * WIDTH, rngs=rngs), nnx.Linear(4 * WIDTH, WIDTH, rngs=rngs)

    def __call__(self, x, mask):
        x = x + self.attention(self.norm1(x), mask=mask)
        return x + self.down(nnx.gelu(self.up(self.norm2(x))))


class Dense(nnx.Module):
    """One dense layer: a model whose own compile is next to nothing."""

    def __init__(self, rngs):
        self.out = nnx.Linear(WIDTH, 1, rngs=rngs)

    def __call__(self, x):
        return self.out(x)


def char_loss(model, tokens):
    logits = model(tokens[:, :-1])
    return optax.softmax_cross_entropy_with_integer_labels(logits, tokens[:, 1:]).mean()


def dense_loss(model, x):
    return jnp.mean(model(x) ** 2) + 1.0  # above 0: the race reads its log


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


#: Each model: its class, its loss, and a batch of its inputs.
MODELS = {
    "transformer": (CharTransformer, char_loss, lambda: jnp.zeros((BATCH, CONTEXT + 1), jnp.int32)),
    "linear": (Dense, dense_loss, lambda: jnp.ones((BATCH, WIDTH))),
}


def compile_seconds(tx, repeats: int, model_name: str = "transformer") -> tuple[float, float, int, int]:
    """Median seconds to trace and lower, and to compile, the train step; the number of optimizer leaves; and the
    number of instructions in the compiled step."""
    model_class, loss_fn, batch = MODELS[model_name]
    model = model_class(nnx.Rngs(0))
    optimizer = optswitch.nnx.Optimizer(model, tx, wrt=nnx.Param)
    graphdef, state = nnx.split((model, optimizer))
    inputs = batch()

    def step(state, inputs):
        model, optimizer = nnx.merge(graphdef, state)
        loss, grads = nnx.value_and_grad(loss_fn)(model, inputs)
        optimizer.update(model, grads, value=loss)
        return nnx.state((model, optimizer)), loss

    lowering, compiling = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        lowered = jax.jit(lambda s, t: step(s, t), donate_argnums=0).lower(state, inputs)
        lowering.append(time.perf_counter() - start)
        start = time.perf_counter()
        compiled = lowered.compile()
        compiling.append(time.perf_counter() - start)
    instructions = sum(" = " in line for line in compiled.as_text().splitlines())
    leaves = len(jax.tree.leaves(optimizer.opt_state))
    return statistics.median(lowering), statistics.median(compiling), leaves, instructions


def table(rows: dict, model_name: str, repeats: int, env: dict) -> list[str]:
    """The README's table of ``rows`` (the transformer's as before; the linear model's with the instructions)."""
    base = rows["adamw alone"]["compile_s"]
    model = {"transformer": "the char transformer's", "linear": "one dense layer's"}[model_name]
    linear = model_name == "linear"
    lines = [
        f"Measured on {env['processor']} ({env['cpu_count']} cores), jax {env['jax']}; {model} whole train step "
        f"(clip + optimizer), median of {repeats} fresh compiles.",
        "",
        "| program | trace + lower (s) | XLA compile (s) | compile / adamw alone |" + (" HLO instructions |" * linear),
        "|---|---|---|---|" + "---|" * linear,
    ]
    for name, row in rows.items():
        line = f"| {name} | {row['lower_s']:.2f} | {row['compile_s']:.2f} | {row['compile_s'] / base:.2f}x |"
        lines.append(line + (f" {row['instructions']:,} |" if linear else ""))
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.micro.compile_time", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", choices=tuple(MODELS), default="transformer", help="the model of the train step")
    args = parser.parse_args(argv)
    rows = {}
    for name, tx in programs().items():
        lower, compile_, leaves, instructions = compile_seconds(tx, args.repeats, args.model)
        rows[name] = {"lower_s": lower, "compile_s": compile_, "optimizer_leaves": leaves}
        if args.model == "linear":
            rows[name]["instructions"] = instructions
        print(f"{name:36s} lower {lower:6.2f}s  compile {compile_:6.2f}s  leaves {leaves}", flush=True)
    suffix = "" if args.model == "transformer" else f"_{args.model}"
    result = {"environment": records.environment(), "repeats": args.repeats, "model": args.model, "programs": rows}
    (HERE / "results" / f"compile_time{suffix}.json").write_text(json.dumps(result, indent=2) + "\n")
    marker = "compile-time" + suffix.replace("_", "-")
    records.write_between_markers(
        HERE / "README.md",
        "\n".join(table(rows, args.model, args.repeats, result["environment"])),
        f"<!-- {marker}:start -->",
        f"<!-- {marker}:end -->",
    )


if __name__ == "__main__":
    main()
