"""The *validation* tasks: kept aside, unlike the development tasks, and run only when asked (``--split validation``),
with the defaults frozen.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp

from benchmarks.suite.tasks._common import (
    Task,
    _classification,
    _dense,
    _dense_init,
    _fitted,
    _mlp,
    _mlp_init,
    _rows,
    _standardized_split,
)


def breast_cancer_mlp(*, quick: bool = False) -> Task:
    """scikit-learn's Wisconsin breast cancer (569 tumours, 30 features): an MLP 30-64-64-2 (ReLU), batch 32.

    A validation task on little, easy data: the validation cross entropy, the metric, falls to about 0.06 within 200
    updates and then drifts, noisily, by a few thousandths. A fixed split: 369 training rows and 200 for validation,
    features standardized with the training rows' statistics.
    """
    from sklearn.datasets import load_breast_cancer

    (x_train, y_train), (x_val, y_val) = _standardized_split(*load_breast_cancer(return_X_y=True), held_out=200)
    return _classification(
        "breast-cancer-mlp",
        x_train,
        y_train,
        x_val,
        y_val,
        _mlp_init((30, 64, 64, 2)),
        _mlp,
        batch=32,
        budget=100 if quick else 600,
        eval_every=10,
        description="sklearn breast cancer, 369 train / 200 val, standardized; MLP 30-64-64-2 ReLU; batch 32",
        val_loss=True,
    )


def diabetes_mlp(*, quick: bool = False) -> Task:
    """scikit-learn's diabetes progression (442 patients, 10 features): regression by an MLP 10-64-64-1, batch 32.

    A validation task that overfits early: the validation error is lowest after 100-200 updates and then rises while
    the training loss keeps falling. A fixed split: 300 training rows and 142 for validation; features and target
    standardized with the training rows' statistics. The loss and the metric are the mean squared error of the
    standardized target (1.0: predicting the training mean).
    """
    from sklearn.datasets import load_diabetes

    (x_train, y_train), (x_val, y_val) = _standardized_split(*load_diabetes(return_X_y=True), held_out=142)
    return _regression(
        "diabetes-mlp",
        (x_train, y_train),
        (x_val, y_val),
        (10, 64, 64, 1),
        budget=100 if quick else 300,
        eval_every=5,
        description="sklearn diabetes, 300 train / 142 val, standardized; MLP 10-64-64-1 ReLU, MSE; batch 32",
    )


def _regression(name, train, val, widths, *, budget, eval_every, description, batch=32):
    """A regression task from ``(x, y)`` arrays and an MLP's widths: the target standardized with the training rows'
    statistics, uniform minibatches, the validation mean squared error."""
    (x_train, y_train), (x_val, y_val) = train, val
    mean, std = y_train.mean(), y_train.std()
    data = _rows(x_train, (y_train - mean) / std, x_val, (y_val - mean) / std)

    def mse(params, x, y):
        return jnp.mean((_mlp(params, x)[:, 0] - y) ** 2)

    return _fitted(
        name,
        data,
        _mlp_init(widths),
        mse,
        "val MSE (standardized)",
        batch=batch,
        budget=budget,
        eval_every=eval_every,
        description=description,
    )


def friedman_mlp(*, quick: bool = False) -> Task:
    """Friedman's regression problem #1 (scikit-learn's ``make_friedman1``): an MLP 10-64-64-1 (ReLU), batch 32.

    ``y = 10 sin(pi x1 x2) + 20 (x3 - 0.5)^2 + 10 x4 + 5 x5 + N(0, 1)``, ten features uniform in [0, 1] of which five
    matter; 2,000 training and 1,000 validation rows (fixed, ``random_state=0``), features and target standardized
    with the training rows' statistics. The loss and the metric are the mean squared error of the standardized target:
    1.0 for the training mean, about 0.04 for the noise alone.
    """
    from sklearn.datasets import make_friedman1

    x, y = make_friedman1(n_samples=3000, n_features=10, noise=1.0, random_state=0)
    (x_train, y_train), (x_val, y_val) = _standardized_split(x, y, held_out=1000)
    return _regression(
        "friedman-mlp",
        (x_train, y_train),
        (x_val, y_val),
        (10, 64, 64, 1),
        budget=200 if quick else 2000,
        eval_every=25,
        description="sklearn make_friedman1, noise 1, 2000 train / 1000 val, standardized; MLP "
        "10-64-64-1 ReLU, MSE; batch 32",
    )


def adding_gru(*, quick: bool = False) -> Task:
    """The adding problem (Hochreiter and Schmidhuber 1997) at length 20: a GRU of width 32 sums two marked numbers.

    Each sequence has 20 steps of ``(value ~ U(0, 1), marker)``; one marker is in the first half, one in the second,
    and the target is the sum of the two marked values. Training batches (64 sequences) are drawn afresh on device;
    the validation set is 1,000 fixed sequences. The metric is the validation mean squared error: 1/6 (about 0.167)
    for always predicting 1, the mean sum.
    """
    length, width, batch = 20, 32, 64

    def sequences(key, count):
        value_key, first_key, second_key = jax.random.split(key, 3)
        values = jax.random.uniform(value_key, [count, length])
        first = jax.random.randint(first_key, [count], 0, length // 2)
        second = jax.random.randint(second_key, [count], length // 2, length)
        markers = jax.nn.one_hot(first, length) + jax.nn.one_hot(second, length)
        return jnp.stack([values, markers], -1), jnp.sum(values * markers, -1)

    data = dict(zip(["x_val", "y_val"], sequences(jax.random.key(2024), 1000), strict=True))

    def init(key):
        keys = jax.random.split(key, 3)
        return {
            "input": _dense_init(keys[0], 2, 3 * width),  # update, reset and candidate gates, stacked
            "recurrent": jax.nn.initializers.orthogonal()(keys[1], (width, 3 * width)),
            "out": _dense_init(keys[2], width, 1),
        }

    def apply(params, x):
        inputs = _dense(params["input"], x)  # [B, L, 3W]

        def cell(h, projected):
            r_h = h @ params["recurrent"]
            update = jax.nn.sigmoid(projected[:, :width] + r_h[:, :width])
            reset = jax.nn.sigmoid(projected[:, width : 2 * width] + r_h[:, width : 2 * width])
            candidate = jnp.tanh(projected[:, 2 * width :] + reset * r_h[:, 2 * width :])
            return (1 - update) * h + update * candidate, None

        h, _ = jax.lax.scan(cell, jnp.zeros([x.shape[0], width]), jnp.swapaxes(inputs, 0, 1))
        return _dense(params["out"], h)[:, 0]

    def mse(params, x, y):
        return jnp.mean((apply(params, x) - y) ** 2)

    return Task(
        "adding-gru",
        data,
        init,
        lambda data, key: sequences(key, batch),
        lambda params, batch: mse(params, *batch),
        lambda params, data: mse(params, data["x_val"], data["y_val"]),
        "val MSE",
        False,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"adding problem, length {length}, fresh batches of {batch}, 1000 val; GRU width {width}",
    )


#: The split of this module's tasks, as :data:`benchmarks.suite.tasks.SPLITS` names it.
SPLIT = "validation"

#: This split's task builders by name, in the order of the tables.
TASKS: dict[str, Callable[..., Task]] = {
    "breast-cancer-mlp": breast_cancer_mlp,
    "diabetes-mlp": diabetes_mlp,
    "friedman-mlp": friedman_mlp,
    "adding-gru": adding_gru,
}
