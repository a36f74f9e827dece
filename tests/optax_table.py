"""optax's own optimizer table (a sample of optax/_src/alias_test.py), and how far a switch is from plain optax.

Shared by tests/test_optax_table.py and benchmarks/diagnostics/ulp_to_optax.py.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax

import optswitch

#: name -> factory, as optax's alias_test builds them.
OPTIMIZERS = {
    "adabelief": lambda: optax.adabelief(1e-2),
    "adadelta": lambda: optax.adadelta(0.1),
    "adafactor": lambda: optax.adafactor(5e-3),
    "adagrad": lambda: optax.adagrad(1.0),
    "adam": lambda: optax.adam(1e-1),
    "adamax": lambda: optax.adamax(1e-1),
    "adamaxw": lambda: optax.adamaxw(1e-1),
    "adamw": lambda: optax.adamw(1e-1),
    "adan": lambda: optax.adan(1e-1),
    "amsgrad": lambda: optax.amsgrad(1e-1),
    "fromage": lambda: optax.fromage(5e-3),
    "lamb": lambda: optax.lamb(1e-3),
    "lars": lambda: optax.lars(1.0),
    "lion": lambda: optax.lion(1e-2, weight_decay=1e-4),
    "nadam": lambda: optax.nadam(1e-2),
    "novograd": lambda: optax.novograd(1e-3),
    "radam": lambda: optax.radam(5e-3),
    "rmsprop_momentum": lambda: optax.rmsprop(5e-3, momentum=0.9),
    "sgd_momentum": lambda: optax.sgd(1e-3, momentum=0.9),
    "yogi": lambda: optax.yogi(1e-1),
    # optax.contrib's self-tuning optimizers, which the suite measures as baselines (round 19): a candidate too.
    "prodigy": lambda: optax.contrib.prodigy(1.0),
    "schedule_free_adamw": lambda: optax.contrib.schedule_free_adamw(1e-2),
    "dog": lambda: optax.contrib.dog(),
}

#: How the optimizer under test is wrapped: alone, or with a second candidate (so that a real conditional runs).
WRAPPINGS = {
    "alone": lambda opt: optswitch.switch({"x": opt}),
    "with_sgd": lambda opt: optswitch.switch({"x": opt, "other": optax.sgd(0.1)}),
    "with_sgd_track": lambda opt: optswitch.switch({"x": opt, "other": optax.sgd(0.1)}, inactive="track"),
}


def params(dtype=jnp.float32):
    key = jax.random.key(0)
    return {"w": jax.random.normal(key, (64, 32), dtype), "b": jnp.linspace(-1, 1, 32, dtype=dtype)}


def grads(p, t, dtype):
    """A step-dependent gradient, the same whatever the parameters (so that differences do not feed back)."""
    key = jax.random.fold_in(jax.random.key(1), t)
    return jax.tree.map(lambda x: jax.random.normal(key, x.shape, dtype), p)


def trajectory(tx, steps, param_dtype=jnp.float32, grad_dtype=jnp.float32):
    """The parameters, updates and states after each of ``steps`` jitted updates: [(params, updates, state)]."""

    @jax.jit
    def step(p, s, t):
        u, s = tx.update(grads(p, t, grad_dtype), s, p)
        return optax.apply_updates(p, u), u, s

    p = params(param_dtype)
    s = tx.init(p)
    out = []
    for t in range(steps):
        p, u, s = step(p, s, t)
        out.append((p, u, s))
    return out


def ulp(a, b) -> float:
    """The largest difference between two arrays of one float dtype, in units of the last place of the
    largest entry of ``a``: entrywise ulps would make a difference of 1e-12 near a zero crossing huge."""
    a, b = np.asarray(a), np.asarray(b)
    unit = np.spacing(np.max(np.abs(a)).astype(np.float32)) if a.dtype != np.float64 else np.spacing(np.max(np.abs(a)))
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))) / unit)


def ulp_per_step(tx, opt, steps) -> list[int]:
    """Per step, the largest ulp distance between the parameters ``tx`` trains and those plain ``opt`` trains."""
    plain, switched = trajectory(opt, steps), trajectory(tx, steps)
    return [
        max(ulp(a, b) for a, b in zip(jax.tree.leaves(p_plain), jax.tree.leaves(p_switch), strict=True))
        for (p_plain, _, _), (p_switch, _, _) in zip(plain, switched, strict=True)
    ]
