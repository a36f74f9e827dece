"""The quick comparison: each optimizer alone against optswitch's switch among them, on scikit-learn's digits.

Run it as ``python -m optswitch.demo`` (about 20 seconds on 2 CPU cores). It trains the same MLP from the same
initialization on the same batches with Adam, SGD with momentum and RMSProp alone, with the recommended
``optswitch.switch`` (:func:`recommended_switch`: a race over the three at three times and at their own learning
rates, stepped down half-way, its damaging legs undone; the best score of the switches in the time-to-target suite,
benchmarks/README.md), with ``optax.contrib.prodigy``, untuned (:func:`prodigy_cosine`: a self-tuning optimizer,
which in that suite scores above the switch on the tasks kept aside from its design), and with Prodigy checked once
against Adam from the same point (:func:`prodigy_trial`, round 20's switch for an unknown learning rate), then
prints the steps each took to reach the target validation accuracy, the final accuracy and the switches, shows
which candidate ran when, and saves the curves with the switch points marked to a PNG. It needs the ``bench`` extra
(scikit-learn, matplotlib, tqdm).

Its pieces are the ones the benchmark suite, the tests and the examples train with, written once here because the
installed package cannot import benchmarks/: the untuned candidates, scikit-learn's digits, the MLP (the suite's
digits-mlp task is this problem), the train step and the on-device training loop.
"""

import argparse
import functools
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

import optswitch
from optswitch import selectors
from optswitch._find import find_all

#: The validation accuracy the table times each optimizer to: the benchmark suite's digits-mlp target
#: (benchmarks/targets.json, calibrated on other seeds), rounded down to a percent. Kept here because the installed
#: package has no benchmarks/; tests/test_benchmarks.py checks it against targets.json.
TARGET = 0.97


def candidates() -> dict[str, optax.GradientTransformation]:
    """The untuned candidates: each optimizer with the hyperparameters a user picks without tuning (Keras' defaults).

    The benchmark suite races the same three, in this order (benchmarks/suite/contenders.py).

    Examples:
        >>> list(candidates())
        ['adam', 'sgd', 'rmsprop']
    """
    return {"adam": optax.adam(1e-3), "sgd": optax.sgd(1e-2, momentum=0.9), "rmsprop": optax.rmsprop(1e-3)}


def recommended_switch(steps: int) -> optswitch.SwitchTransformation:
    """The recommended switch over :func:`candidates` for a run of ``steps`` updates.

    The candidates at three times and at their own learning rates (:func:`optswitch.learning_rate_multiples`:
    ``adam-x3``, ``sgd-x3``, ``rmsprop-x3``, ``adam``, ``sgd``, ``rmsprop``) race in legs of 1% of the run
    (``race(run_length=steps, stop=steps // 2)``); the winner trains, re-checked against the runner-up now and
    then, until half-way, from where the race decides no more and its pick runs at its own learning rate
    (:func:`optswitch.selectors.step_down`), or from earlier, once a 3x copy's loss has not fallen over 5% of the
    run (``stall=steps // 20``). A leg (or a duel) that leaves the loss higher than where it began is undone: the
    parameters and the optimizer states go back to the leg's start (:func:`optswitch.selectors.undo_if_worse`).
    That is :func:`optswitch.selectors.recommended`.
    """
    return optswitch.switch(optswitch.learning_rate_multiples(candidates()), selectors.recommended(steps))


def prodigy_cosine(steps: int) -> optax.GradientTransformation:
    """``optax.contrib.prodigy``, untuned, for a run of ``steps`` updates: its learning rate of 1 (which scales its own
    estimate of the step size) on a linear warmup over 5% of the run and a cosine decay to a tenth, with
    ``safeguard_warmup`` as its authors advise with a warmup, behind ``clip_by_global_norm(1.0)``.

    The time-to-target suite's ``prodigy-cosine`` baseline (round 19), the reference a switch has to beat where the
    user does not know the learning rate.

    Examples:
        >>> import jax.numpy as jnp
        >>> tx = prodigy_cosine(100)
        >>> state = tx.init({"w": jnp.ones(3)})
    """
    schedule = optax.warmup_cosine_decay_schedule(0.0, 1.0, max(steps // 20, 1), steps, end_value=0.1)
    return optax.chain(optax.clip_by_global_norm(1.0), optax.contrib.prodigy(schedule, safeguard_warmup=True))


def prodigy_trial(steps: int, **switch_options) -> optswitch.SwitchTransformation:
    """Prodigy (:func:`prodigy_cosine`), checked once against Adam, for a run of ``steps`` updates: round 20's switch
    for a run whose learning rate you do not know and whose gradient noise may be too large for Prodigy's step.

    Prodigy trains. At a fifth of the run the switch saves the parameters, Prodigy makes a twentieth of the run's
    updates (at least 4), the parameters go back, and ``adam(1e-3)`` makes as many from the same point
    (:func:`optswitch.selectors.trials`); Adam trains on only if its mean loss over its trial's second half is lower
    than Prodigy's by 2% and by 2 standard errors, else Prodigy goes on from its own end point. The check is for
    Prodigy's noise floor: on a noisy quadratic of the time-to-target suite its step stays too large for the
    gradient noise and it misses the target, which Adam from the same point reaches. It costs the loser's updates, a
    twentieth of the run, once, and memory: two parameter-sized snapshots and a copy of both candidates' states.
    Measured (benchmarks/README.md, "Selection, round 20" and "21"): every development target, where Prodigy misses
    one; on the tasks kept aside from its design, later than Prodigy alone on 16 of 31, sooner on 4: it pays the
    loser's updates on nearly every run, and hands some to Adam's lower rate that Prodigy's would have won later. On
    a run so short that Prodigy's estimate is still small at a fifth of it, Adam wins the trial and keeps the run.
    ``switch_options`` go to :func:`optswitch.switch` (``on_event=``, ...).

    Examples:
        >>> tx = prodigy_trial(100)
        >>> tx.names
        ('prodigy', 'adam')
    """
    return optswitch.switch(
        {"prodigy": prodigy_cosine(steps), "adam": optax.adam(1e-3)},
        selectors.trials(steps, trial_length=max(4, steps // 20), rounds=(0.2,), stop=0.25),
        **switch_options,
    )


def contenders(steps: int) -> dict[str, optax.GradientTransformation]:
    """The fixed candidates and :func:`prodigy_cosine`, :func:`recommended_switch` and :func:`prodigy_trial`."""
    return {
        **candidates(),
        "prodigy": prodigy_cosine(steps),
        "switch": recommended_switch(steps),
        "prodigy_trial": prodigy_trial(steps),
    }


@functools.cache
def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 8x8 digits in its order: images scaled to [0, 1] (float32 [1797, 64]), labels (int32).

    Examples:
        >>> images, labels = digits()
        >>> images.shape, images.dtype, float(images.max()), labels[:5].tolist()
        ((1797, 64), dtype('float32'), 1.0, [0, 1, 2, 3, 4])
    """
    from sklearn.datasets import load_digits

    images, labels = load_digits(return_X_y=True)
    return (images / 16.0).astype(np.float32), labels.astype(np.int32)


def split_digits(held_out: int = 600):
    """:func:`digits` in a fixed shuffled order (seed 0): ``((x_train, y_train), (x_val, y_val))``, the first
    ``held_out`` images for validation. The same split for every seed, so seeds vary only the training.

    Examples:
        >>> (x_train, y_train), (x_val, y_val) = split_digits()
        >>> x_train.shape, x_val.shape
        ((1197, 64), (600, 64))
    """
    images, labels = digits()
    order = np.random.default_rng(0).permutation(len(labels))
    images, labels = images[order], labels[order]
    return (images[held_out:], labels[held_out:]), (images[:held_out], labels[:held_out])


def init_mlp(key, widths=(64, 128, 128, 10)):
    """A ReLU MLP's parameters: a list of ``{"w", "b"}`` layers, LeCun-normal weights, zero biases."""
    keys = jax.random.split(key, len(widths) - 1)
    return [
        {"w": jax.nn.initializers.lecun_normal()(k, (a, b)), "b": jnp.zeros([b])}
        for k, a, b in zip(keys, widths[:-1], widths[1:], strict=True)
    ]


def mlp(params, x):
    """The logits of :func:`init_mlp`'s MLP."""
    for layer in params[:-1]:
        x = jax.nn.relu(x @ layer["w"] + layer["b"])
    return x @ params[-1]["w"] + params[-1]["b"]


def train_step(loss: Callable, tx: optax.GradientTransformation) -> Callable:
    """``step(params, opt_state, batch, value_batch=None) -> (params, opt_state, loss)``: one update of ``tx`` on
    ``loss(params, batch)``.

    The optimizer receives ``value=loss``, or, given ``value_batch`` (a batch held out from training),
    ``value=loss(params, value_batch)``: a held-out loss, which a selector may read instead of the training loss.
    The returned loss is the training loss either way. A switch applies its update inside its routing branch
    (:meth:`optswitch.SwitchTransformation.update_and_apply`), which saves a pass over the parameters; other
    optimizers go through ``update`` and ``optax.apply_updates``, which XLA fuses.
    """
    tx = optax.with_extra_args_support(tx)
    fused = getattr(tx, "update_and_apply", None)

    def step(params, opt_state, batch, value_batch=None):
        training_loss, grads = jax.value_and_grad(loss)(params, batch)
        value = training_loss if value_batch is None else loss(params, value_batch)
        if fused is not None:
            params, opt_state = fused(grads, opt_state, params, value=value)
        else:
            updates, opt_state = tx.update(grads, opt_state, params, value=value)
            params = optax.apply_updates(params, updates)
        return params, opt_state, training_loss

    return step


def is_switch(opt_state) -> bool:
    """Whether ``opt_state`` holds exactly one switch (whose :func:`optswitch.data_step` then picks the batches)."""
    return len(find_all(opt_state)) == 1


def train_loop(
    loss: Callable,
    sample: Callable,
    tx: optax.GradientTransformation,
    steps: int,
    *,
    sample_value: Callable | None = None,
    trace: Callable | None = None,
) -> Callable:
    """``loop(carry, data) -> (carry, losses)``: ``steps`` :func:`train_step` updates in one ``lax.scan``, unjitted.

    The carry is ``(params, opt_state, step, data_key)``; update ``t`` draws batch ``sample(data, key)`` with ``key =
    fold_in(data_key, i)``, on device, with ``i`` the update's :func:`optswitch.data_step` for a switch and ``t`` for
    any other optimizer: ``t`` but where a selector puts the parameters back to a snapshot (``trials``), so that
    trials from one start see the same batches. Given ``sample_value``, each update also draws ``sample_value(data,
    fold_in(key, 1))``, a held-out batch, whose loss the optimizer reads as ``value`` (:func:`train_step`);
    ``losses`` are the training losses either way. Given ``trace``, they are ``(losses, traced)``: ``trace(opt_state)``
    after each update, stacked. ``data`` is an argument, never closed over: a closed-over array would be baked into
    the compiled program as a constant. Jit it with the carry donated, call it once per evaluation.
    """
    step = train_step(loss, tx)

    def one(carry, data):
        params, opt_state, t, data_key = carry
        index = optswitch.data_step(opt_state) if is_switch(opt_state) else t
        key = jax.random.fold_in(data_key, index)
        value_batch = None if sample_value is None else sample_value(data, jax.random.fold_in(key, 1))
        params, opt_state, training_loss = step(params, opt_state, sample(data, key), value_batch)
        out = training_loss if trace is None else (training_loss, trace(opt_state))
        return (params, opt_state, t + 1, data_key), out

    def loop(carry, data):
        return jax.lax.scan(lambda carry, _: one(carry, data), carry, length=steps)

    return loop


def train(tx, train_set, val_set, *, steps: int, eval_every: int, seed: int, batch: int = 64, on_eval=None):
    """Trains the MLP with ``tx``; returns the evaluation steps, accuracies and training losses, and the state.

    ``eval_every`` steps of :func:`train_loop` run as one compiled program whose carry is donated.
    """
    data = tuple(jnp.asarray(array) for array in train_set)

    def sample(data, key):
        index = jax.random.randint(key, [batch], 0, data[1].shape[0])
        return data[0][index], data[1][index]

    def loss(params, batch):
        x, y = batch
        return optax.softmax_cross_entropy_with_integer_labels(mlp(params, x), y).mean()

    run_chunk = jax.jit(train_loop(loss, sample, tx, eval_every), donate_argnums=0)
    x_val, y_val = (jnp.asarray(array) for array in val_set)
    accuracy = jax.jit(lambda params: jnp.mean(jnp.argmax(mlp(params, x_val), -1) == y_val))

    init_key, data_key = jax.random.split(jax.random.key(seed))
    params = init_mlp(init_key)
    # The carry is donated: a plain optimizer whose state holds the parameters' own buffers (Prodigy's starting
    # point) would be donated twice; a switch's state never does.
    carry = (params, jax.tree.map(jnp.copy, tx.init(params)), jnp.zeros([], jnp.int32), data_key)
    history: dict[str, list[float]] = {"step": [0], "accuracy": [float(accuracy(params))], "loss": [math.nan]}
    for start in range(0, steps, eval_every):
        carry, losses = run_chunk(carry, data)
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
    for (name, (history, opt_state)), color in zip(results.items(), [f"C{k}" for k in range(10)], strict=False):
        for ax, key in ((acc_ax, "accuracy"), (loss_ax, "loss")):
            ax.plot(history["step"], history[key], color=color, label=name, linewidth=1.6)
        if is_switch(opt_state):
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

    train_set, val_set = split_digits()
    print(f"digits: MLP 64-128-128-10, batch 64, {args.steps} steps per optimizer, same init and batches for each")
    results = {}
    runs = contenders(args.steps)
    with tqdm(total=args.steps * len(runs), unit="step") as bar:
        for name, tx in runs.items():
            bar.set_description(name)
            results[name] = train(
                tx, train_set, val_set, steps=args.steps, eval_every=args.eval_every, seed=args.seed, on_eval=bar.update
            )

    print(f"\n{'optimizer':<13} {'steps to ' + format(TARGET, '.0%'):>13} {'final accuracy':>15}  switches")
    for name, (history, opt_state) in results.items():
        reached = next((s for s, a in zip(history["step"], history["accuracy"], strict=True) if a >= TARGET), None)
        reached = "not reached" if reached is None else reached
        switches = ""
        if is_switch(opt_state):
            log = optswitch.summary(opt_state).switches
            switches = f"{len(log)}: " + ", ".join(f"{source}->{to} at {first}" for first, source, to in log)
        print(f"{name:<13} {reached:>13} {history['accuracy'][-1]:>15.2%}  {switches}")

    history, opt_state = results["switch"]
    print(f"\nWhich candidate ran when (optswitch.summary):\n{optswitch.summary(opt_state)}")
    numbers = optswitch.metrics(opt_state, prefix="")
    undone = f"legs undone (their loss ended above where it began): {int(numbers['undo_if_worse/undone'])}"
    if numbers["undo_if_worse/undone"]:
        undone += f", the latest after update {int(numbers['undo_if_worse/last_undone'])}"
    print(undone)
    print(f"final validation accuracy of the switch: {history['accuracy'][-1]:.2%}")
    plot(results, args.out, TARGET)
    print(f"saved the curves, switch points marked, to {args.out.resolve()}")
    return results


if __name__ == "__main__":
    main()
