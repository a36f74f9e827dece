"""Finding the switch states inside any optimizer state, and reading their leaves on the host.

A :class:`optswitch.SwitchState` may sit anywhere: inside ``optax.chain``, ``optax.partition``,
``optax.MultiSteps``, ``optax.inject_hyperparams``, a flax linen ``TrainState``, a flax ``nnx.Optimizer``, or
among the candidates of another switch. Flax's ``nnx.state`` and ``nnx.split`` turn it into nested mappings
(``nnx.State``: its fields by name, empty subtrees left out); those are found too, and read through a
:class:`SwitchState` view of them.
"""

import sys
from collections.abc import Mapping
from typing import Any

import jax
import numpy as np
import optax

from optswitch import _names
from optswitch._switch import SwitchLog, SwitchState

# What nnx.state keeps of a SwitchState (the other fields may be empty, and nnx drops empty subtrees).
_KEPT_FIELDS = frozenset({"active", "previous", "step", "log", "names"})


def _is_switch_mapping(node) -> bool:
    """Whether ``node`` is a switch state as ``nnx.state`` (or a restore without a target) writes it: a mapping."""
    return (
        isinstance(node, Mapping)
        and node.keys() >= _KEPT_FIELDS
        and isinstance(node["log"], Mapping)
        and node["log"].keys() >= set(SwitchLog._fields)
    )


def _is_switch(node) -> bool:
    return isinstance(node, SwitchState) or _is_switch_mapping(node)


def as_state(node) -> SwitchState:
    """A :class:`SwitchState` view of a switch state found by :func:`locate_all` (itself, when it is one)."""
    if isinstance(node, SwitchState):
        return node
    return SwitchState(
        active=node["active"],
        previous=node["previous"],
        step=node["step"],
        candidate_states=node.get("candidate_states", ()),
        selector_state=node.get("selector_state", ()),
        probe_state=node.get("probe_state", ()),
        log=SwitchLog(**{field: node["log"][field] for field in SwitchLog._fields}),
        names=node["names"],
        snapshots=node.get("snapshots", ()),
    )


def is_nnx_object(opt_state) -> bool:
    """Whether ``opt_state`` is a flax nnx object (an ``nnx.Optimizer``, a module), whose state changes in place."""
    nnx = sys.modules.get("flax.nnx")  # Loaded if the state came from flax; never imported here.
    return nnx is not None and isinstance(opt_state, nnx.Pytree)


def unwrap(opt_state):
    """The optax state inside a flax ``nnx.Optimizer``, or ``opt_state`` itself."""
    nnx = sys.modules.get("flax.nnx")
    if nnx is not None and isinstance(opt_state, nnx.Optimizer):
        return opt_state.opt_state
    return opt_state


def locate_all(opt_state) -> list[tuple[str, Any]]:
    """Every switch state in ``opt_state`` as ``(key path, node)``, outer before inner, in flattening order.

    A node is a :class:`SwitchState` or the mapping ``nnx.state`` makes of one. The switches among another
    switch's candidates are found too, under its ``candidate_states``.
    """
    found = []

    def visit(tree, prefix: str) -> None:
        inner = lambda node: node is not tree and _is_switch(node)
        for key, node in jax.tree_util.tree_flatten_with_path(tree, is_leaf=inner)[0]:
            if inner(node):
                path = prefix + jax.tree_util.keystr(key)
                found.append((path, node))
                visit(node, path)

    root = unwrap(opt_state)
    if _is_switch(root):
        found.append(("", root))
    visit(root, "")
    return found


def find_all(opt_state) -> list[tuple[str, SwitchState]]:
    """Every switch state in ``opt_state``, as ``(key path, state)``; see :func:`locate_all`."""
    return [(path, as_state(node)) for path, node in locate_all(opt_state)]


def locate_one(opt_state, path: str | None = None, *, what: str = "optswitch") -> tuple[str, Any]:
    """The ``(key path, node)`` of the one switch in ``opt_state``, or of the one at ``path``.

    Raises:
        ValueError: when there is none, or several and no ``path``, naming ``what`` was called.
    """
    everywhere = locate_all(opt_state)
    found = everywhere if path is None else [(key, node) for key, node in everywhere if key == path]
    if len(found) == 1:
        return found[0]
    if found:
        raise ValueError(
            f"{what}: found {len(found)} SwitchStates, at paths {[key for key, _ in found]}; name one with path=..."
        )
    if path is not None and everywhere:
        raise ValueError(
            f"{what}: no optswitch.SwitchState at path {path!r}; the switches are at paths "
            f"{[key for key, _ in everywhere]}."
        )
    raise ValueError(f"{what}: no optswitch.SwitchState found in this {type(opt_state).__name__}; {_hint(opt_state)}")


def find_one(opt_state, path: str | None = None, *, what: str = "optswitch") -> tuple[str, SwitchState]:
    """The ``(key path, state)`` of the one switch in ``opt_state``, or of the one at ``path``.

    Raises:
        ValueError: when there is none, or several and no ``path``.
    """
    key, node = locate_one(opt_state, path, what=what)
    return key, as_state(node)


def _hint(opt_state) -> str:
    if isinstance(opt_state, optax.GradientTransformation):
        return "this is the transformation: pass its state (what init and update return)."
    if hasattr(opt_state, "opt_state") and jax.tree_util.treedef_is_leaf(jax.tree.structure(opt_state)):
        return (
            f"a {type(opt_state).__name__} is not a pytree, so its opt_state can be neither found nor replaced: "
            f"pass holder.opt_state (and store what set_active returns back into it), or register the class "
            f"as a pytree, as flax's TrainState is."
        )
    return "pass the state of an optimizer built with optswitch.switch (or an nnx.Optimizer holding one)."


def value_of(leaf):
    """The array an nnx Variable holds, or ``leaf`` itself."""
    return leaf.get_value() if hasattr(leaf, "get_value") else leaf


def check_on_host(
    state: SwitchState, *, what: str, inside_jit: str | None = "read opt_state.active", one: bool = True
) -> None:
    """Raises unless ``state`` holds concrete arrays (of one switch, when ``one``), as the host-side helpers need.

    Raises:
        TypeError: inside ``jit`` (or ``vmap``, ``grad``): the arrays are tracers, whose values are unknown;
            or abstract (``jax.ShapeDtypeStruct``).
        ValueError: for arrays deleted by donation, or a batch of switches (``pmap``'s replicas, a ``vmap``-ed
            ``init``) when ``one``.
    """
    active = value_of(state.active)
    if isinstance(active, jax.core.Tracer):
        where = "" if inside_jit is None else f" (inside jit, {inside_jit})"
        raise TypeError(
            f"{what} is host-only: call it outside jit{where}; it was given a traced state, from inside jit, "
            f"vmap or another JAX transformation."
        )
    if isinstance(active, jax.ShapeDtypeStruct):
        raise TypeError(
            f"{what}: this state is abstract (jax.ShapeDtypeStruct leaves, as jax.eval_shape makes); pass one "
            f"that holds arrays: made by init or update, or restored from a checkpoint."
        )
    bookkeeping = jax.tree.leaves((state.active, state.step, state.log, state.names), is_leaf=_is_variable)
    if any(isinstance(leaf := value_of(x), jax.Array) and leaf.is_deleted() for x in bookkeeping):
        raise ValueError(
            f"{what}: this state's arrays have been deleted: it was donated to a jitted step (donate_argnums), "
            f"which consumed it; pass the state the step returned."
        )
    if one and np.ndim(active):
        raise ValueError(
            f"{what}: this state holds a batch of switches (active has shape {np.shape(active)}, as from "
            f"jax.vmap(tx.init) or jax.pmap), each with its own active candidate; pass one member: "
            f"jax.tree.map(lambda leaf: leaf[i], opt_state)."
        )


def _is_variable(leaf) -> bool:
    return hasattr(leaf, "get_value")


def on_host(leaf) -> np.ndarray:
    """A leaf as a NumPy array, from a jax.Array (sharded or on other hosts too) or an nnx Variable."""
    leaf = value_of(leaf)
    if isinstance(leaf, jax.Array) and not leaf.is_fully_addressable:
        leaf = leaf.addressable_data(0)  # The switch's scalars are replicated: any shard is the whole.
    return np.asarray(leaf)


def tree_on_host(tree) -> Any:
    """Every leaf of ``tree`` (nnx Variables included) as a NumPy array."""
    return jax.tree.map(on_host, tree, is_leaf=_is_variable)


def names_of(state: SwitchState) -> tuple[str, ...]:
    """The candidates' names, from the state alone (of its first member, in a batch of switches)."""
    table = on_host(state.names)
    return _names.decode(table.reshape(-1, *table.shape[-2:])[0])
