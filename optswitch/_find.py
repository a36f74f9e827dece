"""Finding the switch states inside any optimizer state, and reading their leaves on the host.

A :class:`optswitch.SwitchState` may sit anywhere: inside ``optax.chain``, ``optax.partition``,
``optax.MultiSteps``, ``optax.inject_hyperparams``, a train state, or a flax ``nnx.Optimizer``.
"""

from typing import Any

import jax
import numpy as np

from optswitch import _names
from optswitch._switch import SwitchState


def _is_switch(node) -> bool:
    return isinstance(node, SwitchState)


def unwrap(opt_state):
    """The optax state inside a flax ``nnx.Optimizer``, or ``opt_state`` itself."""
    if is_nnx_optimizer(opt_state):
        return opt_state.opt_state
    return opt_state


def is_nnx_optimizer(opt_state) -> bool:
    """Whether ``opt_state`` is a flax ``nnx.Optimizer`` (whose state is changed in place)."""
    return hasattr(opt_state, "opt_state") and hasattr(opt_state, "tx")


def find_all(opt_state) -> list[tuple[str, SwitchState]]:
    """Every switch state in ``opt_state``, as ``(key path, state)`` in the order the state flattens."""
    return [
        (jax.tree_util.keystr(key), node)
        for key, node in jax.tree_util.tree_flatten_with_path(unwrap(opt_state), is_leaf=_is_switch)[0]
        if _is_switch(node)
    ]


def find_one(opt_state, path: str | None = None) -> tuple[str, SwitchState]:
    """The ``(key path, state)`` of the one switch in ``opt_state``, or of the one at ``path``.

    Raises:
        ValueError: when there is none, or several and no ``path``.
    """
    found = find_all(opt_state)
    if path is not None:
        found = [(key, node) for key, node in found if key == path]
    if len(found) == 1:
        return found[0]
    if not found:
        where = "" if path is None else f" at path {path!r}"
        raise ValueError(
            f"no optswitch.SwitchState found{where} in this {type(opt_state).__name__}; pass the state of an "
            f"optimizer built with optswitch.switch (or an nnx.Optimizer holding one)."
        )
    raise ValueError(f"found {len(found)} SwitchStates, at paths {[key for key, _ in found]}; name one with path=...")


def replace(opt_state, old: SwitchState, new: SwitchState):
    """``opt_state`` with the switch state ``old`` (found by identity) replaced by ``new``."""
    return jax.tree_util.tree_map(lambda node: new if node is old else node, opt_state, is_leaf=_is_switch)


def on_host(leaf) -> np.ndarray:
    """A leaf as a NumPy array, from a jax.Array (sharded or on other hosts too) or an nnx Variable."""
    if hasattr(leaf, "get_value"):
        leaf = leaf.get_value()
    if isinstance(leaf, jax.Array) and not leaf.is_fully_addressable:
        leaf = leaf.addressable_data(0)  # The switch's scalars are replicated: any shard is the whole.
    return np.asarray(leaf)


def tree_on_host(tree) -> Any:
    """Every leaf of ``tree`` (nnx Variables included) as a NumPy array."""
    return jax.tree.map(on_host, tree, is_leaf=lambda leaf: hasattr(leaf, "get_value"))


def names_of(state: SwitchState) -> tuple[str, ...]:
    """The candidates' names, from the state alone."""
    return _names.decode(on_host(state.names))
