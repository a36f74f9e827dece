"""A small real training problem for selector tests: an MLP on scikit-learn's digits, minibatches, CPU-fast."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax

from optswitch import demo


@functools.cache
def digits():
    """The 1797 8x8 digit images, scaled to [0, 1], as device arrays (inputs, labels)."""
    return jax.tree.map(jnp.asarray, demo.digits())


def init_mlp(seed=0, hidden=32):
    keys = jax.random.split(jax.random.key(seed), 2)
    return {
        "w1": jax.random.normal(keys[0], (64, hidden)) / 8.0,
        "b1": jnp.zeros(hidden),
        "w2": jax.random.normal(keys[1], (hidden, 10)) / jnp.sqrt(hidden),
        "b2": jnp.zeros(10),
    }


def loss_fn(params, inputs, labels):
    hidden = jnp.tanh(inputs @ params["w1"] + params["b1"])
    logits = hidden @ params["w2"] + params["b2"]
    return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()


def batches(steps, batch_size, seed=0):
    """Indices of ``steps`` minibatches, from a seeded sequence of epochs."""
    rng = np.random.default_rng(seed)
    n = digits()[0].shape[0]
    epochs = -(-steps * batch_size // n)
    order = np.concatenate([rng.permutation(n) for _ in range(epochs)])
    return jnp.asarray(order[: steps * batch_size].reshape(steps, batch_size))


def train(tx, steps, batch_size=64, seed=0, params=None):
    """Trains the MLP with ``tx`` (given ``value=loss``; :func:`optswitch.demo.train_step`) in one jitted scan over
    the minibatches of :func:`batches`; returns (params, state, losses)."""
    inputs, labels = digits()
    params = init_mlp(seed) if params is None else params

    step = demo.train_step(lambda params, batch: loss_fn(params, inputs[batch], labels[batch]), tx)

    @jax.jit
    def run(params, state, indices):
        def one(carry, batch):
            params, state, loss = step(*carry, batch)
            return (params, state), loss

        (params, state), losses = jax.lax.scan(one, (params, state), indices)
        return params, state, losses

    return run(params, tx.init(params), batches(steps, batch_size, seed))


def full_loss(params):
    inputs, labels = digits()
    return float(loss_fn(params, inputs, labels))
