"""Watching a switch: each switch as a log line with its reason, and optswitch.metrics in TensorBoard.

The train step returns ``optswitch.metrics(...)`` with its loss, from inside ``jit``; every ``every`` updates the
loop writes them with tensorboardX's ``SummaryWriter``, and ``tensorboard --logdir LOGDIR`` shows the active
candidate, the updates each made and the selector's numbers (here plateau's best loss) next to the loss.

    pip install tensorboardX
    python examples/tensorboard_metrics.py --logdir runs/optswitch [--figure active_vs_loss.png]
"""

import argparse
import logging
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax

import optswitch

STEPS, EVERY = 400, 5


def problem():
    """A least-squares regression on noisy targets, trained on minibatches of 16 rows: Adam's loss stalls."""
    x = jax.random.normal(jax.random.key(0), (1024, 32))
    y = x @ jax.random.normal(jax.random.key(1), (32, 1)) + 0.3 * jax.random.normal(jax.random.key(2), (1024, 1))
    return x, y


def make_tx() -> optswitch.SwitchTransformation:
    # Adam until the loss, averaged over 20 updates, improves by less than 5% twice in a row; then SGD.
    return optswitch.switch(
        {"adam": optax.adam(3e-2), "sgd": optax.sgd(2e-2, momentum=0.9)},
        optswitch.selectors.plateau(patience=2, accumulation_size=20, rtol=0.05),
        on_event=True,  # one INFO line on the "optswitch" logger per switch, with its reason
    )


def train(logdir: str, steps: int = STEPS, every: int = EVERY) -> list[tuple[int, dict[str, float]]]:
    """Trains, writing the loss and the switch's metrics every ``every`` updates; returns what it wrote."""
    from tensorboardX import SummaryWriter

    tx = make_tx()
    x, y = problem()

    @jax.jit
    def train_step(params, opt_state, step):
        rows = jax.random.choice(jax.random.fold_in(jax.random.key(3), step), len(x), (16,))
        loss, grads = jax.value_and_grad(lambda p: jnp.mean((x[rows] @ p["w"] - y[rows]) ** 2))(params)
        params, opt_state = tx.update_and_apply(grads, opt_state, params, value=loss)
        return params, opt_state, {"loss": loss, **optswitch.metrics(opt_state, names=tx.names)}

    params = {"w": jnp.zeros((32, 1))}
    opt_state = tx.init(params)
    written = []
    with SummaryWriter(logdir) as writer:
        for step in range(steps):
            params, opt_state, numbers = train_step(params, opt_state, step)
            if step % every == 0:
                numbers = {key: float(value) for key, value in jax.device_get(numbers).items()}
                for key, value in numbers.items():
                    if math.isfinite(value):  # plateau's best loss is inf until its first evaluation
                        writer.add_scalar(key, value, step)
                written.append((step, numbers))
    return written


def plot(written: list[tuple[int, dict[str, float]]], path: str) -> None:
    """The loss and the active candidate against the update, one above the other."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = np.array([step for step, _ in written])
    loss = np.array([numbers["loss"] for _, numbers in written])
    active = np.array([numbers["optswitch/active"] for _, numbers in written])
    names = make_tx().names
    figure, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(6, 3.6), height_ratios=(3, 1))
    top.semilogy(steps, loss)
    top.set_ylabel("loss")
    bottom.step(steps, active, where="post")
    bottom.set_yticks(range(len(names)), names)
    bottom.set_ylabel("active")
    bottom.set_xlabel("update")
    for switch in steps[1:][np.diff(active) != 0]:
        top.axvline(switch, color="grey", linestyle=":")
    top.set_title("optswitch.metrics: the active candidate against the loss")
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logdir", required=True, help="where tensorboardX writes the event file")
    parser.add_argument("--figure", help="also save the loss and the active candidate as this image")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("optswitch").setLevel(logging.INFO)
    written = train(args.logdir)
    if args.figure:
        plot(written, args.figure)


if __name__ == "__main__":
    main()
