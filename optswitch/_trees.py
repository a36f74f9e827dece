"""Small tree helpers that keep a switch's state fit for ``lax.switch`` and for donation."""

import jax
import jax.numpy as jnp
from jax import lax


def unshared(tree, *, apart_from=()):
    """``tree`` with every leaf an array of its own: a leaf met again (the same object), or one of ``apart_from``'s
    leaves, is copied.

    An ``init`` may put one array in two fields (``zero`` for two averages), or keep the parameters themselves
    (``optax.contrib.prodigy``'s starting point, ``schedule_free``'s ``z``); XLA refuses to donate a buffer twice
    ("Attempt to donate the same buffer twice"), so a train step that donates the state, or the parameters and the
    state together, would fail. Done before :func:`strong`, whose conversions may wrap one buffer in two objects.
    """
    seen = {id(leaf) for leaf in jax.tree.leaves(apart_from)}

    def own(leaf):
        if id(leaf) in seen:
            return jnp.copy(leaf)
        seen.add(id(leaf))
        return leaf

    return jax.tree.map(own, tree)


def strong(tree):
    """Drops weak types, so that an update that returns strongly typed leaves does not retrace the step."""
    return jax.tree.map(lambda x: lax.convert_element_type(x, jnp.result_type(x)), tree)


def replace_at(states: tuple, k: int, new_state) -> tuple:
    """``states`` with its ``k``-th entry replaced by ``new_state``."""
    return (*states[:k], new_state, *states[k + 1 :])
