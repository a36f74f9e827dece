"""Shared test fixtures: small parameter trees, candidate sets, and compiled-HLO inspection."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import optax


def candidates():
    """The three candidates most tests switch among, in a fixed order."""
    return {
        "adam": optax.adam(1e-2),
        "sgd": optax.sgd(1e-2, momentum=0.9),
        "rmsprop": optax.rmsprop(1e-3),
    }


def params(dtype=jnp.float32):
    key = jax.random.key(0)
    return {
        "w": jax.random.normal(key, (4, 3), dtype),
        "b": jnp.linspace(-1, 1, 3, dtype=dtype),
    }


def grads_at(step, dtype=jnp.float32):
    """A deterministic, step-dependent gradient with the structure of :func:`params`."""
    key = jax.random.fold_in(jax.random.key(1), step)
    return jax.tree.map(lambda p: jax.random.normal(key, p.shape, dtype), params(dtype))


def assert_trees_equal(actual, expected):
    """Bitwise equality of two pytrees, structure included."""
    assert jax.tree.structure(actual) == jax.tree.structure(expected)
    for a, e in zip(jax.tree.leaves(actual), jax.tree.leaves(expected), strict=True):
        assert a.dtype == e.dtype and a.shape == e.shape
        np.testing.assert_array_equal(np.asarray(a), np.asarray(e))


def avals(tree):
    return jax.tree.map(lambda x: (jnp.shape(x), jnp.result_type(x), getattr(x, "weak_type", False)), tree)


def hlo_stats(compiled, size=1024):
    """Counts in a compiled executable: conditionals, and copies of arrays of more than ``size`` elements.

    ``copies_by_branch[k]`` counts the big copies made inside branch ``k`` of the (first) conditional, or in
    computations it calls; ``big_copies`` counts them everywhere.
    """
    text = compiled.as_text()
    computation, copies, calls = None, {}, {}
    for line in text.splitlines():
        header = re.match(r"^(?:ENTRY )?%?([\w.-]+) ", line)
        if header and line.rstrip().endswith("{"):
            computation = header.group(1)
            continue
        calls.setdefault(computation, set()).update(re.findall(r"(?:calls|to_apply|body|condition)=%([\w.-]+)", line))
        match = re.search(r"= [a-z0-9]+\[([0-9,]*)\]\{[^}]*\} copy\(", line)
        if match:
            dims = [int(d) for d in match.group(1).split(",") if d]
            copies[computation] = copies.get(computation, 0) + (int(np.prod(dims)) > size)
    branches = re.findall(r"branch_computations=\{([^}]*)\}", text)
    branch_names = [name.strip().lstrip("%") for name in branches[0].split(",")] if branches else []

    def reachable(name, seen):
        if name in seen:
            return 0
        seen.add(name)
        return copies.get(name, 0) + sum(reachable(callee, seen) for callee in calls.get(name, ()))

    return {
        "conditionals": text.count(" conditional("),
        "big_copies": sum(copies.values()),
        "copies_by_branch": [reachable(name, set()) for name in branch_names],
    }
