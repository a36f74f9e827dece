"""The *held-out* tasks, added in round 8, are kept aside from every design, the validation tasks' included: run once
(``--split held-out``), with the defaults frozen, they check a change made after the validation tasks had been seen.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _classification, _cross_entropy, _dense, _dense_init, _mlp_init


def _two_spirals(count: int, *, turns: float, noise: float, rng: np.random.Generator):
    """``count`` points on each of two interleaved spirals (arm 1 is arm 0 turned by half a turn), label = arm."""
    # sqrt spreads the points roughly evenly along the arm's length rather than crowding them at the centre.
    t = np.sqrt(rng.uniform(0.0, 1.0, [2, count]))
    angle = 2 * np.pi * turns * t + np.pi * np.arange(2)[:, None]
    x = np.stack([t * np.cos(angle), t * np.sin(angle)], -1) + noise * rng.normal(size=[2, count, 2])
    return x.reshape(-1, 2), np.repeat(np.arange(2), count)


def spirals_mlp(*, quick: bool = False) -> Task:
    """Two interleaved spirals (two turns each, radius 1, noise 0.03) told apart by a tanh MLP 2-64-64-64-2, batch 64.

    A held-out task, after Lang and Witbrock's (1988) two-spirals problem: the boundary winds twice round the origin,
    and a deep tanh network sits on a plateau before it bends to it. 1,000 training and 1,000 validation points (500
    per spiral in each), drawn with numpy seed 0, the same for every run seed. The metric is the validation cross
    entropy: ln 2 (about 0.69) for a guess; on seed 0 it lingers above 0.5 for about 2,000 updates with Adam at 1e-3
    (about 4,000 with SGD and momentum at 1e-2), then falls below 0.05.
    """
    train, val = (_two_spirals(500, turns=2.0, noise=0.03, rng=rng) for rng in np.random.default_rng(0).spawn(2))
    widths = (2, 64, 64, 64, 2)

    def apply(params, x):
        for layer in params[:-1]:
            x = jnp.tanh(_dense(layer, x))
        return _dense(params[-1], x)

    return _classification(
        "spirals-mlp",
        *train,
        *val,
        _mlp_init(widths),
        apply,
        batch=64,
        budget=200 if quick else 6000,
        eval_every=100,
        description="two spirals, 2 turns, noise 0.03, 1000 train / 1000 val; MLP 2-64-64-64-2 tanh; batch 64",
        val_loss=True,
    )


def digits_autoencoder(*, quick: bool = False) -> Task:
    """scikit-learn's 8x8 digits reconstructed through a bottleneck of 8: an MLP autoencoder 64-128-8-128-64, batch 64.

    A held-out task, unsupervised: the labels are unused and the loss is the mean squared error of the 64 pixels,
    scaled to [0, 1], through a linear code of 8 numbers (ReLU elsewhere, a linear output). A fixed split, the same for
    every seed and not digits-mlp's: 1,000 training images and 797 for validation. The metric is the validation mean
    squared error per pixel: about 0.27 at the start, 0.073 for predicting the training images' mean; with Adam at
    1e-3 it falls below 0.025 within 300 updates and then slowly, to about 0.014 at the end of the budget.
    """
    from sklearn.datasets import load_digits

    images = load_digits().data / 16.0
    order = np.random.default_rng(0).permutation(len(images))
    images = images[order]
    held_out, batch, widths = 797, 64, (64, 128, 8, 128, 64)
    data = {"train": jnp.asarray(images[held_out:], jnp.float32), "val": jnp.asarray(images[:held_out], jnp.float32)}
    bottleneck = widths.index(min(widths))

    def apply(params, x):
        for depth, layer in enumerate(params[:-1], start=1):
            x = _dense(layer, x)
            if depth != bottleneck:  # the code stays linear, so no unit of it can die
                x = jax.nn.relu(x)
        return _dense(params[-1], x)

    def mse(params, x):
        return jnp.mean((apply(params, x) - x) ** 2)

    def sample(data, key):
        return data["train"][jax.random.randint(key, [batch], 0, data["train"].shape[0])]

    return Task(
        "digits-autoencoder",
        data,
        _mlp_init(widths),
        sample,
        mse,
        lambda params, data: mse(params, data["val"]),
        "val MSE (pixels in [0, 1])",
        False,
        budget=200 if quick else 3000,
        eval_every=50,
        description="sklearn digits 8x8, pixels / 16, 1000 train / 797 val; autoencoder MLP 64-128-8-128-64 ReLU, "
        f"linear code, MSE; batch {batch}",
    )


def first_token_rnn(*, quick: bool = False) -> Task:
    """Recall the first of 16 tokens: a plain tanh (Elman) RNN of width 64 reads them and names the first, batch 64.

    A held-out task, recurrent like adding-gru but without gates: each sequence holds 16 tokens uniform over 8 symbols
    (one-hot), and the target is the first token, which the network must carry through 15 distractors. Training
    batches are drawn afresh on device; the validation set is 1,000 fixed sequences (numpy seed 0). The metric is the
    validation cross entropy: ln 8 (about 2.08) for a guess. On the calibration seeds all three fixed candidates learn
    the task; their best validation losses differ by orders of magnitude (RMSProp at 1e-3 about 1e-5, Adam at 1e-3
    about 4e-4, SGD with momentum at 1e-2 about 7e-4). At 24 tokens Adam and RMSProp failed to learn it on some seeds,
    which left the target no meaning; 16 was set before any switch ran on the task.
    """
    length, symbols, width, batch = 16, 8, 64, 64

    def sequences_from(tokens):
        return jax.nn.one_hot(tokens, symbols), tokens[:, 0]

    val_tokens = np.random.default_rng(0).integers(0, symbols, [1000, length])
    x_val, y_val = sequences_from(jnp.asarray(val_tokens, jnp.int32))
    data = {"x_val": x_val, "y_val": y_val}

    def init(key):
        keys = jax.random.split(key, 3)
        return {
            "input": _dense_init(keys[0], symbols, width),
            "recurrent": jax.nn.initializers.orthogonal()(keys[1], (width, width)),
            "out": _dense_init(keys[2], width, symbols),
        }

    def apply(params, x):
        inputs = jnp.swapaxes(_dense(params["input"], x), 0, 1)  # [L, B, W]
        h, _ = jax.lax.scan(
            lambda h, projected: (jnp.tanh(projected + h @ params["recurrent"]), None),
            jnp.zeros([x.shape[0], width]),
            inputs,
        )
        return _dense(params["out"], h)

    def sample(data, key):
        return sequences_from(jax.random.randint(key, [batch, length], 0, symbols))

    def loss(params, batch):
        x, y = batch
        return _cross_entropy(apply(params, x), y)

    return Task(
        "first-token-rnn",
        data,
        init,
        sample,
        loss,
        lambda params, data: loss(params, (data["x_val"], data["y_val"])),
        "val loss (cross entropy)",
        False,
        budget=200 if quick else 3000,
        eval_every=50,
        description=f"recall the first of {length} tokens over {symbols} symbols, fresh batches of {batch}, 1000 val; "
        f"tanh RNN width {width}",
    )


#: The split of this module's tasks, as :data:`benchmarks.suite.tasks.SPLITS` names it.
SPLIT = "held-out"

#: This split's task builders by name, in the order of the tables.
TASKS: dict[str, Callable[..., Task]] = {
    "spirals-mlp": spirals_mlp,
    "digits-autoencoder": digits_autoencoder,
    "first-token-rnn": first_token_rnn,
}
