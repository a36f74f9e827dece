"""Helpers shared by the tasks of several splits: the :class:`Task` tuple, layers as plain functions of parameter dicts,
losses, fixed training and validation rows and the tasks built on them.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np


class Task(NamedTuple):
    """A training problem.

    Attributes:
        name: the task's name, e.g. ``"digits-mlp"``.
        data: pytree of device arrays (training set, validation set, constants), the argument ``data`` of the
            functions below.
        init: ``init(key) -> params``.
        sample: ``sample(data, key) -> batch``: a training batch, drawn on device.
        loss: ``loss(params, batch) -> float32[]``: the mean training loss on ``batch``.
        evaluate: ``evaluate(params, data) -> float32[]``: the validation metric on the whole validation set.
        metric: what ``evaluate`` returns, for tables, e.g. ``"accuracy"``.
        higher_is_better: whether a larger metric is better (accuracy) or a smaller one (a loss).
        budget: training steps of a run.
        eval_every: steps between evaluations; ``budget`` is a multiple of it.
        description: one line: model, data, batch size.
        sample_validation: ``sample_validation(data, key) -> batch``: a batch of the validation set for ``loss``,
            drawn on device, for a switch that reads a held-out loss; default: :func:`validation_sampler` derives
            it from ``sample``.
    """

    name: str
    data: Any
    init: Callable[[jax.Array], Any]
    sample: Callable[[Any, jax.Array], Any]
    loss: Callable[[Any, Any], jax.Array]
    evaluate: Callable[[Any, Any], jax.Array]
    metric: str
    higher_is_better: bool
    budget: int
    eval_every: int
    description: str
    sample_validation: Callable[[Any, jax.Array], Any] | None = None


# Layers, as plain functions of parameter dicts.


def _dense_init(key, fan_in, fan_out):
    return {"w": jax.nn.initializers.lecun_normal()(key, (fan_in, fan_out)), "b": jnp.zeros([fan_out])}


def _dense(p, x):
    return x @ p["w"] + p["b"]


def _cross_entropy(logits, labels):
    return jnp.mean(-jnp.take_along_axis(jax.nn.log_softmax(logits), labels[..., None], axis=-1))


def _accuracy(logits, labels):
    return jnp.mean(jnp.argmax(logits, -1) == labels)


def _rows(x_train, y_train, x_val, y_val, label_dtype=jnp.float32) -> dict:
    """Fixed training and validation rows on device: inputs as float32, labels as ``label_dtype``."""
    return {
        "x_train": jnp.asarray(x_train, jnp.float32),
        "y_train": jnp.asarray(y_train, label_dtype),
        "x_val": jnp.asarray(x_val, jnp.float32),
        "y_val": jnp.asarray(y_val, label_dtype),
    }


def _uniform_rows(batch: int):
    """A ``sample`` of :func:`_rows`' data: ``batch`` training rows drawn uniformly, with replacement."""

    def sample(data, key):
        index = jax.random.randint(key, [batch], 0, data["x_train"].shape[0])
        return data["x_train"][index], data["y_train"][index]

    return sample


def _fitted(name, data, init, loss, metric, *, batch, budget, eval_every, description) -> Task:
    """A task on :func:`_rows`' data whose training loss is ``loss(params, x, y)`` on uniform minibatches and whose
    metric, lower is better, is the same loss on the validation rows."""
    return Task(
        name,
        data,
        init,
        _uniform_rows(batch),
        lambda params, batch: loss(params, *batch),
        lambda params, data: loss(params, data["x_val"], data["y_val"]),
        metric,
        False,
        budget=budget,
        eval_every=eval_every,
        description=description,
    )


def _classification(
    name, x_train, y_train, x_val, y_val, init, apply, *, batch, budget, eval_every, description, val_loss=False
):
    """A classification task from arrays and a model: uniform minibatches, validation accuracy (or, with
    ``val_loss``, the validation cross entropy, lower is better)."""
    data = _rows(x_train, y_train, x_val, y_val, jnp.int32)
    sample = _uniform_rows(batch)

    def loss(params, batch):
        x, y = batch
        return _cross_entropy(apply(params, x), y)

    def evaluate(params, data):
        scores = _cross_entropy if val_loss else _accuracy
        return scores(apply(params, data["x_val"]), data["y_val"])

    metric, higher_is_better = ("val loss (cross entropy)", False) if val_loss else ("accuracy", True)
    return Task(name, data, init, sample, loss, evaluate, metric, higher_is_better, budget, eval_every, description)


def _standardized_split(x, y, held_out: int):
    """``x, y`` in a fixed shuffled order (seed 0, the same for every run seed), the first ``held_out`` rows for
    validation; features standardized with the training rows' mean and deviation."""
    order = np.random.default_rng(0).permutation(len(y))
    x, y = np.asarray(x, np.float64)[order], np.asarray(y)[order]
    x_train, x_val = x[held_out:], x[:held_out]
    mean, std = x_train.mean(0), x_train.std(0) + 1e-8
    return ((x_train - mean) / std, y[held_out:]), ((x_val - mean) / std, y[:held_out])


def _mlp_init(widths):
    def init(key):
        keys = jax.random.split(key, len(widths) - 1)
        return [_dense_init(k, a, b) for k, a, b in zip(keys, widths[:-1], widths[1:], strict=True)]

    return init


def _mlp(params, x):
    for layer in params[:-1]:
        x = jax.nn.relu(_dense(layer, x))
    return _dense(params[-1], x)


def _conv2d_same(x, w):
    """A 2-D convolution with stride 1 and "SAME" padding, ``x [B, H, W, C_in]``, ``w [K, K, C_in, C_out]``, as
    shifted slices and one matmul (see :func:`_conv1d_stride2`)."""
    kernel, height, width = w.shape[0], x.shape[1], x.shape[2]
    pad = kernel // 2
    x = jnp.pad(x, [(0, 0), (pad, pad), (pad, pad), (0, 0)])
    patches = jnp.concatenate(
        [x[:, i : i + height, j : j + width] for i in range(kernel) for j in range(kernel)], axis=-1
    )
    return patches @ w.reshape(-1, w.shape[-1])


def _conv1d_same(x, w):
    """A 1-D convolution with stride 1 and "SAME" padding, ``x [B, L, C_in]``, ``w [K, C_in, C_out]``, as shifted
    slices and one matmul (see :func:`_conv1d_stride2`)."""
    kernel, length = w.shape[0], x.shape[1]
    x = jnp.pad(x, [(0, 0), (kernel // 2, kernel - 1 - kernel // 2), (0, 0)])
    patches = jnp.concatenate([x[:, k : k + length] for k in range(kernel)], axis=-1)
    return patches @ w.reshape(-1, w.shape[-1])


def _mlp_tanh(params, x):
    for layer in params[:-1]:
        x = jnp.tanh(_dense(layer, x))
    return _dense(params[-1], x)
