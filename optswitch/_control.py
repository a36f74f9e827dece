"""Changing a switch's state from the host: :func:`set_active`."""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from optswitch import _find, _names, events
from optswitch._switch import SwitchState
from optswitch.selectors import _swats as swats


def set_active(opt_state: Any, name: str | int, *, path: str | None = None, on_event: events.OnEvent = True) -> Any:
    """Makes ``name`` the candidate for the next update, from the host, and logs the switch.

    The handoff (``on_switch``) runs in the next update, as for a switch the selector makes. The arrays
    keep their dtypes and shardings, so feeding the result to a jitted step does not recompile it.

    A pytree (an optax state, a flax linen ``TrainState``, an ``nnx.State`` from ``nnx.state`` or
    ``nnx.split``, a dict) is left as it is and a new one is returned, with the switch made: store it, e.g.
    ``train_state = optswitch.set_active(train_state, "sgd")``. A flax nnx object (an ``nnx.Optimizer``) is
    changed in place, as nnx objects are, and returned. In a batch of switches (``pmap``'s replicas, a
    ``vmap``-ed ensemble: ``active`` has a leading axis), every member is switched, each logging its own switch.

    Args:
        opt_state: an optimizer state holding a :class:`optswitch.SwitchState`, or an object holding one.
        name: the candidate's name or index (a Python, NumPy or JAX integer).
        path: which switch, when there are several (see :func:`optswitch.summary`).
        on_event: where the event of this switch goes, as for ``switch(on_event=...)``, with the reason
            ``"set_active"``; default True, the ``"optswitch"`` logger at INFO. Pass the ``on_event`` given
            to the switch to send both kinds of switch to one place, or None for no event.

    Returns:
        The optimizer state with the switch made (for an nnx object, the same object).

    Raises:
        TypeError: inside ``jit``: a switch from inside a step is a selector's (see :mod:`optswitch.selectors`).
        ValueError: for an unknown name.
    """
    _, node = _find.locate_one(opt_state, path, what="set_active")
    state = _find.as_state(node)
    hint = "a selector makes the switches: see optswitch.selectors"
    _find.check_on_host(state, what="set_active", inside_jit=hint, one=False)
    target = _names.resolve(_as_key(name), _find.names_of(state), what="set_active")
    deliver = events.sink(on_event, "set_active")
    sources = _find.on_host(state.active)
    if np.all(sources == target):
        return opt_state
    swats.warn_if_no_rate(state, target, stacklevel=3)
    # A batch of switches (pmap's replicas, a vmap-ed ensemble) has one log per member: each records its own.
    batch = sources.shape
    members = lambda leaf: jnp.asarray(leaf).reshape(-1, *np.shape(leaf)[len(batch) :])
    record = lambda log, step, source: log.record(source != target, step, source, target)
    recorded = jax.vmap(record)(
        jax.tree.map(members, _find.tree_on_host(state.log)), members(_find.on_host(state.step)), members(sources)
    )
    recorded = jax.tree.map(lambda leaf: np.reshape(leaf, batch + leaf.shape[1:]), recorded)
    changes: dict[tuple[str, ...], Any] = {("log", f): getattr(recorded, f) for f in recorded._fields}
    changes[("active",)] = np.full(batch, target)
    # Where the leaves are nnx Variables of a live object, set them in place; elsewhere build new ones.
    in_place = isinstance(node, SwitchState) and hasattr(state.active, "set_value")

    def write(key, leaf):
        names = tuple(getattr(entry, "name", getattr(entry, "key", None)) for entry in key)
        for field, value in changes.items():
            if names[: len(field)] == field:
                return _assign(leaf, value)
        return leaf

    if deliver is not None:
        names, steps = _find.names_of(state), np.broadcast_to(_find.on_host(state.step), batch)
        for member in np.ndindex(batch):
            if sources[member] != target:
                deliver(events.SwitchEvent(int(steps[member]), names[sources[member]], names[target], "set_active"))
    is_variable = (lambda leaf: hasattr(leaf, "set_value")) if in_place else None
    changed = jax.tree_util.tree_map_with_path(write, node, is_leaf=is_variable)
    if in_place:
        return opt_state
    if _find.is_nnx_object(opt_state):
        raise TypeError(
            f"set_active: the switch state in this {type(opt_state).__name__} holds arrays, not nnx Variables, "
            f"so it cannot be changed in place; set_active on the state itself and assign the result."
        )
    return jax.tree.map(lambda leaf: changed if leaf is node else leaf, opt_state, is_leaf=lambda leaf: leaf is node)


def _as_key(name):
    """A 0-d integer array (NumPy or JAX) as a Python int, which :func:`_names.resolve` takes."""
    if isinstance(name, (jax.Array, np.ndarray)) and np.ndim(name) == 0 and jnp.issubdtype(name.dtype, jnp.integer):
        if isinstance(name, jax.core.Tracer):
            raise TypeError(
                "set_active is host-only: the candidate's index is traced (inside jit); a selector makes the "
                "switches there: see optswitch.selectors."
            )
        return int(name)
    return name


def _assign(old, value):
    """``value`` in place of leaf ``old``, with its dtype and sharding, so a jitted step does not recompile."""
    value = np.asarray(value, dtype=_find.on_host(old).dtype)
    if hasattr(old, "set_value"):
        old.set_value(_assign(old.get_value(), value))
        return old
    if isinstance(old, jax.Array):
        # jit keys its cache on whether an argument is committed to its devices, so keep that too.
        if getattr(old, "_committed", True):
            return jax.make_array_from_callback(value.shape, old.sharding, lambda index: value[index])
        return jax.numpy.asarray(value)
    return value
