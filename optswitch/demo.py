"""The quick comparison: each optimizer alone against optswitch's switch among them, on scikit-learn's digits.

Run it as ``python -m optswitch.demo`` (about 10 seconds on 2 CPU cores). It trains the same MLP from the same
initialization on the same batches with Adam, SGD with momentum and RMSProp alone, and with
``optswitch.switch`` over the three driven by :func:`optswitch.selectors.race` (the selector with the best
performance-profile score in the time-to-target suite, benchmarks/README.md), then prints the steps each took to
reach the target validation accuracy, the final accuracy and the switches, shows which candidate ran when, and
saves the curves with the switch points marked to a PNG. It needs the ``bench`` extra (scikit-learn,
matplotlib, tqdm).
"""

import argparse
import math
from collections.abc import Sequence
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

import optswitch
from optswitch import selectors

#: The validation accuracy the table times each optimizer to: near the best the fixed candidates reach, as the
#: benchmark suite's digits-mlp target (0.9716, benchmarks/targets.json) is.
TARGET = 0.97


def candidates() -> dict[str, optax.GradientTransformation]:
    """Each optimizer with the hyperparameters a user picks without tuning (Keras' defaults)."""
    return {"adam": optax.adam(1e-3), "sgd": optax.sgd(1e-2, momentum=0.9), "rmsprop": optax.rmsprop(1e-3)}


def contenders(steps: int) -> dict[str, optax.GradientTransformation]:
    """The fixed candidates, and the switch over them, which the run drives: a race of legs of 1% of the steps
    (Adam, SGD, RMSProp, RMSProp, SGD, Adam), then the winner, re-checked against the runner-up now and then. The
    suite's settings (benchmarks/contenders.py), the same on every task."""
    return {
        **candidates(),
        "switch": optswitch.switch(candidates(), selectors.race(window=max(steps // 100, 3))),
    }


def digits():
    """scikit-learn's 8x8 digits as device arrays: 1,197 training and 600 validation images, a fixed split."""
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(y))
    x, y = jnp.asarray(x[order] / 16.0, jnp.float32), jnp.asarray(y[order], jnp.int32)
    return (x[600:], y[600:]), (x[:600], y[:600])


def init_mlp(key, widths=(64, 128, 128, 10)):
    keys = jax.random.split(key, len(widths) - 1)
    return [
        {"w": jax.nn.initializers.lecun_normal()(k, (a, b)), "b": jnp.zeros([b])}
        for k, a, b in zip(keys, widths[:-1], widths[1:], strict=True)
    ]


def mlp(params, x):
    for layer in params[:-1]:
        x = jax.nn.relu(x @ layer["w"] + layer["b"])
    return x @ params[-1]["w"] + params[-1]["b"]


def train(tx, train_set, val_set, *, steps: int, eval_every: int, seed: int, batch: int = 64, on_eval=None):
    """Trains the MLP with ``tx``; returns the evaluation steps, accuracies and training losses, and the state.

    ``eval_every`` steps run as one compiled ``lax.scan`` whose carry is donated, batches are drawn on device,
    and the host reads the device only to evaluate.
    """
    tx = optax.with_extra_args_support(tx)
    x, y = train_set

    def loss_fn(params, index):
        logits = mlp(params, x[index])
        return optax.softmax_cross_entropy_with_integer_labels(logits, y[index]).mean()

    def step(carry, t):
        params, opt_state, key = carry
        loss, grads = jax.value_and_grad(loss_fn)(
            params, jax.random.randint(jax.random.fold_in(key, t), [batch], 0, len(y))
        )
        updates, opt_state = tx.update(grads, opt_state, params, value=loss)
        return (optax.apply_updates(params, updates), opt_state, key), loss

    run_chunk = jax.jit(lambda carry, ts: jax.lax.scan(step, carry, ts), donate_argnums=0)
    accuracy = jax.jit(lambda params: jnp.mean(jnp.argmax(mlp(params, val_set[0]), -1) == val_set[1]))

    init_key, data_key = jax.random.split(jax.random.key(seed))
    params = init_mlp(init_key)
    carry = (params, tx.init(params), data_key)
    history = {"step": [0], "accuracy": [float(accuracy(params))], "loss": [math.nan]}
    for start in range(0, steps, eval_every):
        carry, losses = run_chunk(carry, jnp.arange(start, start + eval_every))
        history["step"].append(start + eval_every)
        history["accuracy"].append(float(accuracy(carry[0])))
        history["loss"].append(float(losses.mean()))
        if on_eval is not None:
            on_eval(eval_every)
    return history, carry[1]


def plot(results: dict, path: Path, target: float) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 4.2), layout="constrained")
    acc_ax, loss_ax = figure.subplots(1, 2)
    for (name, (history, opt_state)), color in zip(results.items(), ["C0", "C1", "C2", "C3", "C4"], strict=False):
        for ax, key in ((acc_ax, "accuracy"), (loss_ax, "loss")):
            ax.plot(history["step"], history[key], color=color, label=name, linewidth=1.6)
        if name == "switch":
            for first, _, to in optswitch.summary(opt_state).switches:
                for ax, key in ((acc_ax, "accuracy"), (loss_ax, "loss")):
                    y = np.interp(first, history["step"][1:], history[key][1:])
                    ax.plot(first, y, marker="v", color=color, markeredgecolor="black", markersize=8, zorder=5)
                    ax.annotate(f"→{to}", (first, y), textcoords="offset points", xytext=(4, 6), fontsize=8)
    acc_ax.axhline(target, color="black", linestyle="--", linewidth=1, label=f"target {target:.0%}")
    acc_ax.set(xlabel="step", ylabel="validation accuracy", ylim=(0.85, 1.0), title="digits: validation accuracy")
    loss_ax.set(xlabel="step", ylabel="training loss", yscale="log", title="training loss (mean per evaluation)")
    for ax in (acc_ax, loss_ax):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    figure.savefig(path, dpi=110)


def main(argv: Sequence[str] | None = None) -> dict:
    """Runs the comparison; returns name -> (history, final optimizer state)."""
    parser = argparse.ArgumentParser(prog="python -m optswitch.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=1500, help="training steps per optimizer (default 1500)")
    parser.add_argument("--eval-every", type=int, default=25, help="steps between evaluations (default 25)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initialization and the batches")
    parser.add_argument("--out", type=Path, default=Path("optswitch_demo.png"), help="where to save the figure")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.eval_every < 1 or args.steps % args.eval_every:
        parser.error(f"--steps ({args.steps}) must be a positive multiple of --eval-every ({args.eval_every})")
    try:
        import matplotlib  # noqa: F401
        import sklearn  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError as error:
        raise SystemExit(
            f"optswitch.demo needs scikit-learn, matplotlib and tqdm ({error.name} is missing): "
            f"pip install 'optswitch[bench]'"
        ) from None

    train_set, val_set = digits()
    print(f"digits: MLP 64-128-128-10, batch 64, {args.steps} steps per optimizer, same init and batches for each")
    results = {}
    runs = contenders(args.steps)
    with tqdm(total=args.steps * len(runs), unit="step") as bar:
        for name, tx in runs.items():
            bar.set_description(name)
            results[name] = train(
                tx, train_set, val_set, steps=args.steps, eval_every=args.eval_every, seed=args.seed, on_eval=bar.update
            )

    print(f"\n{'optimizer':<10} {'steps to ' + format(TARGET, '.0%'):>13} {'final accuracy':>15}  switches")
    for name, (history, opt_state) in results.items():
        reached = next((s for s, a in zip(history["step"], history["accuracy"], strict=True) if a >= TARGET), None)
        reached = "not reached" if reached is None else reached
        switches = ""
        if name == "switch":
            log = optswitch.summary(opt_state).switches
            switches = f"{len(log)}: " + ", ".join(f"{source}->{to} at {first}" for first, source, to in log)
        print(f"{name:<10} {reached:>13} {history['accuracy'][-1]:>15.2%}  {switches}")

    history, opt_state = results["switch"]
    print(f"\nWhich candidate ran when (optswitch.summary):\n{optswitch.summary(opt_state)}")
    print(f"final validation accuracy of the switch: {history['accuracy'][-1]:.2%}")
    plot(results, args.out, TARGET)
    print(f"saved the curves, switch points marked, to {args.out.resolve()}")
    return results


if __name__ == "__main__":
    main()
