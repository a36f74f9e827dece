"""The *held-out-2* tasks, added in round 9, are kept aside from every design, the held-out tasks' included, and run
once (``--split held-out-2``) with the defaults frozen: they check a change made after the held-out tasks had been seen.
"""

import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _classification, _dense, _fitted, _rows


def matrix_completion(*, quick: bool = False) -> Task:
    """A noisy 80x60 matrix of rank 3 completed from 2,000 of its entries by two factors of rank 6, batch 128 entries.

    A held-out-2 task, bilinear and not a network: the model is ``A @ B.T`` with ``A`` 80x6 and ``B`` 60x6, drawn
    ``N(0, 0.3**2)``, so it starts near a saddle (all zero) and must grow the three directions of the matrix while
    keeping the other three small. The matrix is ``U @ V.T / sqrt(3)`` with ``U``, ``V`` standard normal (entries of
    variance 1), plus noise ``N(0, 0.1**2)`` on every observed entry; 2,000 entries train and 800 others validate
    (about 42% and 17% of the 4,800, numpy seed 0, the same for every run seed). The loss and the metric are the mean
    squared error over entries: about 1.0 at the start (and for the zero matrix), 0.01 for the noise alone. Budget
    4,000 updates, evaluated every 50. On the calibration seeds RMSProp at 1e-3 gets below 0.05 on every seed, after
    3,250 to 3,850 updates (best 0.026 to 0.041), Adam at 1e-3 close behind (best 0.035 to 0.065), SGD with momentum
    at 1e-2 behind both (0.07 to 0.12): a row of ``A`` meets about 1/80 of a batch's entries, so its gradient is about
    1/80 of one entry's, a scale the adaptive methods divide out and SGD does not.
    """
    rows, cols, rank, model_rank, train, held_out, noise, batch = 80, 60, 3, 6, 2000, 800, 0.1, 128
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=[rows, rank]) @ rng.normal(size=[cols, rank]).T / math.sqrt(rank)
    cells = rng.permutation(rows * cols)[: held_out + train]
    row, col = np.divmod(cells, cols)
    values = matrix[row, col] + noise * rng.normal(size=cells.size)
    data = {
        f"{key}_{part}": jnp.asarray(array[part_slice], dtype)
        for part, part_slice in [("val", slice(None, held_out)), ("train", slice(held_out, None))]
        for key, array, dtype in [("row", row, jnp.int32), ("col", col, jnp.int32), ("value", values, jnp.float32)]
    }

    def init(key):
        row_key, col_key = jax.random.split(key)
        return {
            "rows": 0.3 * jax.random.normal(row_key, [rows, model_rank]),
            "cols": 0.3 * jax.random.normal(col_key, [cols, model_rank]),
        }

    def mse(params, row, col, value):
        return jnp.mean((jnp.sum(params["rows"][row] * params["cols"][col], -1) - value) ** 2)

    def sample(data, key):
        index = jax.random.randint(key, [batch], 0, data["value_train"].shape[0])
        return data["row_train"][index], data["col_train"][index], data["value_train"][index]

    return Task(
        "matrix-completion",
        data,
        init,
        sample,
        lambda params, batch: mse(params, *batch),
        lambda params, data: mse(params, data["row_val"], data["col_val"], data["value_val"]),
        "val MSE (entries of variance 1)",
        False,
        budget=200 if quick else 4000,
        eval_every=50,
        description=f"{rows}x{cols} matrix of rank {rank}, noise {noise}, {train} train / {held_out} val entries; "
        f"factors of rank {model_rank}, init N(0, 0.3^2), MSE; batch {batch} entries",
    )


def siren_waves(*, quick: bool = False) -> Task:
    """A 64x64 image of eight random plane waves fitted by a SIREN 2-64-64-1 (sine activations, w0 = 20), batch 256.

    A held-out-2 task, a coordinate network (Sitzmann et al. 2020): the input is a pixel's position in [-1, 1]^2, the
    output its value, and both hidden layers compute ``sin(20 (x W + b))``, initialized as the paper says (the first
    layer's weights uniform in +-1/2, the next +-sqrt(6 / 64) / 20). The image is a sum of eight plane waves
    ``a sin(k . x + phase)`` with wave vectors ``k ~ N(0, 12**2)`` per coordinate, standardized to mean 0 and variance
    1 (numpy seed 0); no noise. Half of the 4,096 pixels, drawn at random, train; the other half validate: the metric
    is how well the network interpolates between the pixels it saw. The loss and the metric are the mean squared
    error: about 1.0 for predicting 0. Budget 3,000 updates, evaluated every 50. On the calibration seeds Adam at 1e-3
    gets below 0.0025 within 200 to 450 updates (best 0.0012 to 0.0021) and then wanders above it; RMSProp at 1e-3
    gets to 0.005 to 0.007. SGD with momentum at 1e-2 does not train it: w0 scales the hidden layers' gradients, and
    after its first updates its error goes back to about 1 on every seed.
    """
    side, waves, frequency, width, w0, batch = 64, 8, 12.0, 64, 20.0, 256
    rng = np.random.default_rng(0)
    axis = np.linspace(-1.0, 1.0, side)
    points = np.stack(np.meshgrid(axis, axis, indexing="ij"), -1).reshape(-1, 2)
    vectors, phases = frequency * rng.normal(size=[waves, 2]), rng.uniform(0.0, 2 * np.pi, waves)
    image = np.sin(points @ vectors.T + phases) @ (rng.normal(size=waves) / math.sqrt(waves))
    image = (image - image.mean()) / image.std()
    order = rng.permutation(len(points))
    train, val = order[: len(points) // 2], order[len(points) // 2 :]
    data = _rows(points[train], image[train], points[val], image[val])
    widths = (2, width, width, 1)

    def init(key):
        layers = []
        for depth, (layer_key, fan_in, fan_out) in enumerate(
            zip(jax.random.split(key, len(widths) - 1), widths[:-1], widths[1:], strict=True)
        ):
            bound = 1 / fan_in if depth == 0 else math.sqrt(6 / fan_in) / w0
            w_key, b_key = jax.random.split(layer_key)
            uniform = lambda k, shape, limit: jax.random.uniform(k, shape, minval=-limit, maxval=limit)
            layers.append(
                {"w": uniform(w_key, [fan_in, fan_out], bound), "b": uniform(b_key, [fan_out], 1 / fan_in**0.5)}
            )
        return layers

    def apply(params, x):
        for layer in params[:-1]:
            x = jnp.sin(w0 * _dense(layer, x))
        return _dense(params[-1], x)[:, 0]

    def mse(params, x, y):
        return jnp.mean((apply(params, x) - y) ** 2)

    return _fitted(
        "siren-waves",
        data,
        init,
        mse,
        "val MSE (standardized)",
        batch=batch,
        budget=200 if quick else 3000,
        eval_every=50,
        description=f"{side}x{side} image of {waves} plane waves (frequency {frequency:g}), half the pixels train / "
        f"half val; SIREN 2-{width}-{width}-1, w0 {w0:g}, MSE; batch {batch}",
    )


def rotated_softmax(*, quick: bool = False) -> Task:
    """Softmax (multinomial logistic) regression, 50 correlated features to 10 classes: a linear model, batch 64.

    A held-out-2 task, convex but not a quadratic: the cross entropy of a linear model on features whose covariance
    has eigenvalues log-spaced from 10 to 10**-1.5 (condition number about 300) along a random rotation, so no
    per-coordinate scaling undoes it. The labels are drawn from a teacher's softmax whose logits have a standard
    deviation of 2 and give each eigendirection the same weight; 2,000 training and 1,000 validation rows (numpy seed
    0, the same for every run seed). The weights and biases start at zero. The metric is the validation cross
    entropy: ln 10 (about 2.30) at the start, about 1.34 for the teacher itself. Budget 3,000 updates, evaluated every
    50. On the calibration seeds SGD with momentum at 1e-2 gets below 1.47 within 2,150 to 2,700 updates (best about
    1.46); Adam and RMSProp at 1e-3, whose per-coordinate scaling does not fit the rotated curvature, only to about
    1.56 within the budget.
    """
    dim, classes, train, held_out, spread, batch = 50, 10, 2000, 1000, 2.0, 64
    rng = np.random.default_rng(0)
    scales = np.logspace(0.5, -0.75, dim)  # standard deviations along the eigendirections
    rotation = np.linalg.qr(rng.normal(size=[dim, dim]))[0]
    teacher = rng.normal(size=[dim, classes]) / scales[:, None]
    teacher *= spread / np.sqrt(np.mean(np.sum((scales[:, None] * teacher) ** 2, 0)))

    def draw(count):
        latent = scales * rng.normal(size=[count, dim])
        logits = latent @ teacher
        probabilities = np.exp(logits - logits.max(-1, keepdims=True))
        probabilities /= probabilities.sum(-1, keepdims=True)
        labels = (rng.uniform(size=[count, 1]) > np.cumsum(probabilities, -1)).sum(-1).clip(max=classes - 1)
        return latent @ rotation.T, labels

    (x_train, y_train), (x_val, y_val) = draw(train), draw(held_out)

    def init(key):
        return {"w": jnp.zeros([dim, classes]), "b": jnp.zeros([classes])}

    return _classification(
        "rotated-softmax",
        x_train,
        y_train,
        x_val,
        y_val,
        init,
        lambda params, x: x @ params["w"] + params["b"],
        batch=batch,
        budget=200 if quick else 3000,
        eval_every=50,
        description=f"softmax regression, {dim} rotated features (covariance condition ~300) to {classes} classes, "
        f"{train} train / {held_out} val; linear, zero init; batch {batch}",
        val_loss=True,
    )


#: The split of this module's tasks, as :data:`benchmarks.suite.tasks.SPLITS` names it.
SPLIT = "held-out-2"

#: This split's task builders by name, in the order of the tables.
TASKS: dict[str, Callable[..., Task]] = {
    "matrix-completion": matrix_completion,
    "siren-waves": siren_waves,
    "rotated-softmax": rotated_softmax,
}
