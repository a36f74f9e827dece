"""Changing a switch's state from the host: :func:`set_active`."""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from optswitch import _find, _names, events


def set_active(opt_state: Any, name: str | int, *, path: str | None = None, on_event: events.OnEvent = True) -> Any:
    """Makes ``name`` the candidate for the next update, from the host, and logs the switch.

    The handoff (``on_switch``) runs in the next update, as for a switch the selector makes. The arrays
    keep their dtypes and shardings, so feeding the result to a jitted step does not recompile it.

    Args:
        opt_state: an optimizer state holding a :class:`optswitch.SwitchState`, or an ``nnx.Optimizer``
            (changed in place, as nnx objects are).
        name: the candidate's name or index.
        path: which switch, when there are several (see :func:`optswitch.summary`).
        on_event: where the event of this switch goes, as for ``switch(on_event=...)``, with the reason
            ``"set_active"``; default True, the ``"optswitch"`` logger at INFO. Pass the ``on_event`` given
            to the switch to send both kinds of switch to one place, or None for no event.

    Returns:
        The optimizer state with the switch made (for an ``nnx.Optimizer``, the same object).
    """
    _, state = _find.find_one(opt_state, path)
    target = _names.resolve(name, _find.names_of(state), what="set_active")
    deliver = events.sink(on_event, "set_active")
    source = int(_find.on_host(state.active))
    if target == source:
        return opt_state
    log = jax.tree.map(jnp.asarray, _find.tree_on_host(state.log))
    recorded = log.record(jnp.asarray(True), int(_find.on_host(state.step)), source, target)
    changed = state._replace(
        active=_assign(state.active, target),
        log=jax.tree.map(_assign, state.log, recorded, is_leaf=lambda leaf: hasattr(leaf, "set_value")),
    )
    if deliver is not None:
        names = _find.names_of(state)
        deliver(events.SwitchEvent(int(_find.on_host(state.step)), names[source], names[target], "set_active"))
    if _find.is_nnx_optimizer(opt_state):
        return opt_state  # nnx Variables were set in place by _assign.
    return _find.replace(opt_state, state, changed)


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
