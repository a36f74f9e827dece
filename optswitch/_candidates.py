"""Reading one candidate's own optax state out of a switch's state: :func:`candidate_state`."""

from typing import Any

import jax

from optswitch import _find, _names
from optswitch._multiples import SharedState


def candidate_state(opt_state: Any, name: str | int, *, path: str | None = None) -> Any:
    """The optax state of candidate ``name``, for functions that read an optimizer's own state.

    Some optax functions take an optimizer's state rather than the optimizer: schedule-free evaluation
    (``optax.contrib.schedule_free_eval_params(state, params)``), ``optax.tree.get(state, "count")``, a
    learning-rate read from ``inject_hyperparams``. Hand them this: candidate ``name``'s state exactly as
    the switch keeps it (for a candidate that is not active, as it was when it was last active), found
    wherever the switch sits (``optax.chain``, ``optax.MultiSteps``, a train state, an ``nnx.Optimizer``).

    Args:
        opt_state: an optimizer state holding a :class:`optswitch.SwitchState`, or an ``nnx.Optimizer``.
        name: the candidate's name, or its index. Inside ``jit`` the names the state holds are traced and
            cannot be read: pass the index there (``tx.names.index("name")``).
        path: which switch, when there are several (see :func:`optswitch.summary`).

    Returns:
        The candidate's optax state, a pytree of the state's own arrays (not copies). Copies made by
        :func:`optswitch.learning_rate_multiples` share one state: each of them returns it.

    Raises:
        ValueError: for an unknown name or an index out of range, listing the candidates.
        TypeError: for a name inside ``jit``, or a copy that shares another's state inside ``jit``.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch({"adam": optax.adam(1e-2), "sf": optax.contrib.schedule_free_sgd(1.0)})
        >>> params = {"w": jnp.ones(2)}
        >>> state = tx.init(params)
        >>> sf_state = optswitch.candidate_state(state, "sf")
        >>> optax.contrib.schedule_free_eval_params(sf_state, params)["w"]
        Array([1., 1.], dtype=float32)
    """
    _, state = _find.find_one(opt_state, path)
    names = state.names.get_value() if hasattr(state.names, "get_value") else state.names
    if isinstance(name, str) and isinstance(names, jax.core.Tracer):
        raise TypeError(
            f"candidate_state: the candidates' names are traced inside jit and cannot be read; pass the index "
            f"instead of {name!r} (e.g. tx.names.index({name!r})), or call it outside jit."
        )
    if isinstance(name, str):
        index = _names.resolve(name, _find.names_of(state), what="candidate_state")
    else:
        indices = tuple(str(k) for k in range(len(state.candidate_states)))
        index = _names.resolve(int(name) if isinstance(name, jax.Array) else name, indices, what="candidate_state")
    # An nnx.Optimizer holds its state in Variables: hand over their values, as optax functions expect.
    is_variable = lambda leaf: hasattr(leaf, "get_value")
    value = lambda leaf: leaf.get_value() if is_variable(leaf) else leaf
    values = lambda tree: jax.tree.map(value, tree, is_leaf=is_variable)
    return values(own_entry(state.candidate_states, index, values, what="candidate_state"))


def own_entry(candidate_states: tuple, index: int, values=lambda tree: tree, *, what: str) -> Any:
    """The entry of ``candidate_states`` that holds candidate ``index``'s state, following a
    :class:`optswitch.SharedState` to the entry of the candidate that owns it.

    Args:
        candidate_states: a :class:`optswitch.SwitchState`'s ``candidate_states``.
        index: the candidate's index.
        values: what turns a leaf holder into arrays (an ``nnx.Variable``'s value), applied to the marker.
        what: who asks, for the error message.

    Raises:
        TypeError: for a shared state inside ``jit``, where the owner's index is traced.
    """
    entry = candidate_states[index]
    if not isinstance(entry, SharedState):
        return entry
    owner = values(entry).owner
    if isinstance(owner, jax.core.Tracer):
        raise TypeError(
            f"{what}: candidate {index} shares its optax state with another candidate (a copy made by "
            f"learning_rate_multiples), whose index is traced inside jit; call it outside jit, or pass the index "
            f"of the first copy of that optimizer (switch(...).names shows the order)."
        )
    return candidate_states[int(owner)]
