"""The small Flax nnx regression that test_flax and test_fused train: data, model, a loss-reading selector, a step."""

import jax
import jax.numpy as jnp
from flax import nnx

from optswitch import selectors

X = jax.random.normal(jax.random.key(0), (32, 8))
Y = jnp.sin(X[:, :2])


class NnxModel(nnx.Module):
    def __init__(self, rngs):
        self.hidden = nnx.Linear(8, 16, rngs=rngs)
        self.out = nnx.Linear(16, 2, rngs=rngs)

    def __call__(self, x):
        return self.out(nnx.tanh(self.hidden(x)))


def loss_below(threshold):
    """A selector that reads the loss: hand over to the second candidate once it falls below ``threshold``."""
    return selectors.custom(
        lambda names: (),
        lambda signals, state: (jnp.where(signals.loss < threshold, 1, signals.active), state),
        reads=["loss"],
    )


def train_step():
    """A fresh ``nnx.jit`` train step ``(model, optimizer) -> loss`` passing ``value=loss``, and the list it
    appends to at each trace (its length is the number of compiles)."""
    traces = []

    @nnx.jit
    def step(model, optimizer):
        traces.append(None)
        loss, grads = nnx.value_and_grad(lambda m: jnp.mean((m(X) - Y) ** 2))(model)
        optimizer.update(model, grads, value=loss)
        return loss

    return step, traces


def train(model, optimizer, steps: int) -> int:
    """Trains for ``steps`` updates with one :func:`train_step`; returns how often it compiled."""
    step, traces = train_step()
    for _ in range(steps):
        step(model, optimizer)
    return len(traces)
