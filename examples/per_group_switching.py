"""Switching the optimizer of one group of parameters: the hidden layer, not the output layer.

An MLP on scikit-learn's digits. ``optax.partition`` gives each group its own transformation: the output layer
trains with Adam throughout, while the hidden layer's transformation is an ``optswitch.switch`` that moves from
Adam to SGD with momentum once the loss stops improving (``selectors.plateau``). The switch reads only its own
group's gradients and updates; ``value=`` reaches it through ``optax.partition``.

Run it with ``python examples/per_group_switching.py``.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax

import optswitch
from optswitch.demo import digits as load_digits

LABELS = {"hidden": {"w": "hidden", "b": "hidden"}, "output": {"w": "output", "b": "output"}}


@functools.cache
def digits():
    """scikit-learn's digits (the demo's loader) as device arrays: inputs scaled to [0, 1], labels."""
    return jax.tree.map(jnp.asarray, load_digits())


def init_params(seed=0, hidden=32):
    keys = jax.random.split(jax.random.key(seed))
    return {
        "hidden": {"w": jax.random.normal(keys[0], (64, hidden)) / 8.0, "b": jnp.zeros(hidden)},
        "output": {"w": jax.random.normal(keys[1], (hidden, 10)) / jnp.sqrt(hidden), "b": jnp.zeros(10)},
    }


def loss_fn(params, inputs, labels):
    hidden = jnp.tanh(inputs @ params["hidden"]["w"] + params["hidden"]["b"])
    logits = hidden @ params["output"]["w"] + params["output"]["b"]
    return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()


def hidden_optimizer():
    """Adam, then SGD with momentum once the loss, averaged over 20 updates, improves by less than 10% twice."""
    return optswitch.switch(
        {"adam": optax.adam(3e-3), "sgd": optax.sgd(0.05, momentum=0.9)},
        optswitch.selectors.plateau(patience=2, accumulation_size=20, rtol=0.1),
    )


def optimizer(hidden=None):
    return optax.partition({"hidden": hidden or hidden_optimizer(), "output": optax.adam(3e-3)}, LABELS)


def train(steps=600, batch_size=64, seed=0, hidden=None):
    """Trains in one jitted scan; returns (params, optimizer state, minibatch losses)."""
    inputs, labels = digits()
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(len(labels)) for _ in range(-(-steps * batch_size // len(labels)))])
    batches = jnp.asarray(order[: steps * batch_size].reshape(steps, batch_size))
    tx = optimizer(hidden)
    params = init_params(seed)

    @jax.jit
    def run(params, opt_state):
        def step(carry, batch):
            params, opt_state = carry
            loss, grads = jax.value_and_grad(loss_fn)(params, inputs[batch], labels[batch])
            updates, opt_state = tx.update(grads, opt_state, params, value=loss)
            return (optax.apply_updates(params, updates), opt_state), loss

        return jax.lax.scan(step, (params, opt_state), batches)

    (params, opt_state), losses = run(params, tx.init(params))
    return params, opt_state, losses


def full_loss(params):
    return float(loss_fn(params, *digits()))


if __name__ == "__main__":
    params, opt_state, losses = train()
    print(optswitch.summary(opt_state))  # finds the switch inside the partition's state
    print(f"loss on all digits: {full_loss(params):.4f}")
