"""What :func:`optswitch.switch`'s ``update`` checks before it runs: that the state is this switch's, and the
extra arguments it reads."""

import weakref

import jax
import jax.numpy as jnp
import numpy as np

from optswitch import _names
from optswitch._config import Config
from optswitch._multiples import Multiple, SharedState
from optswitch._reduce import as_axes

# Per switch configuration, the names array last found to match: an eager update returns the names it was
# given, so the next update needs no transfer from the device to compare them again.
_checked_names: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def check_update(config: Config, state, params, extra_args) -> None:
    """Raises, naming the mistake and its fix, when ``update`` cannot run ``state`` with ``extra_args``.

    Args:
        config: the switch's configuration.
        state: a :class:`optswitch.SwitchState`.
        params: the parameters (or the updates, when ``update`` was given none): what candidates' ``init`` takes.
        extra_args: the extra arguments given to ``update``.
    """
    _check_origin(config, state, params)
    if config.selector.needs_value and extra_args.get("value") is None:
        raise ValueError(
            f"switch: the {config.selector.name} selector reads the loss, but update() was called without "
            f"value=. Pass it: tx.update(grads, state, params, value=loss), or with flax "
            f"nnx.Optimizer: optimizer.update(model, grads, value=loss). Flax linen's "
            f"TrainState.apply_gradients forwards no extra arguments: use optswitch.linen.TrainState, whose "
            f"apply_gradients(grads=grads, value=loss) does."
        )
    value = extra_args.get("value")
    if value is not None and jnp.ndim(value) != 0:
        raise ValueError(
            f"switch: value must be the scalar loss, got shape {jnp.shape(value)}; reduce it first (e.g. loss.mean())."
        )
    if value is not None and jnp.iscomplexobj(value):
        raise TypeError(
            f"switch: value must be the real scalar loss, got {jnp.result_type(value)} {value!r}; pass a real "
            f"one (e.g. jnp.real(loss) or jnp.abs(loss))."
        )
    for axis in as_axes(config.axis_name):
        try:
            jax.lax.axis_size(axis)
        except NameError:
            raise ValueError(
                f"switch: axis_name={config.axis_name!r}, but mesh axis {axis!r} is not bound here: update() "
                f"runs outside shard_map or pmap (or inside one over other axes). Call it inside "
                f"jax.shard_map / jax.pmap over {axis!r}, or build the switch without axis_name."
            ) from None


def _check_origin(config: Config, state, params) -> None:
    """Raises unless ``state`` was made by a switch with this one's candidates and selector.

    Structures and shapes are compared at trace time; names only where the state is concrete (outside jit),
    since comparing traced names would need a host sync or ``checkify`` on every update. Inside jit,
    :func:`optswitch.check_candidates` is the check for names.
    """
    checked = _checked_names.get(config)
    held = None if checked is not None and checked() is state.names else _held_names(state)
    made_by = "another switch" if held is None else f"a switch with candidates {list(held)}"
    this = f"this one has selector {config.selector.name} and candidates {list(config.names)}"
    if len(state.candidate_states) != len(config.candidates):
        raise ValueError(
            f"switch: the state holds {len(state.candidate_states)} candidate states but this switch has "
            f"{len(config.candidates)}: this state was made by {made_by}; {this}. Pass the state made by this "
            f"switch's init (or restore the checkpoint with the switch it was saved with)."
        )
    if held is not None and held != config.names:
        raise ValueError(
            f"switch: this state was made by a switch with candidates {list(held)}; {this}: each candidate would "
            f"run from another's state. Pass the state made by this switch's init (or restore the checkpoint with "
            f"the candidates it was saved with)."
        )
    if held is not None:
        _checked_names[config] = weakref.ref(state.names)
    if not _fits(state.selector_state, config.selector_state):
        raise ValueError(
            f"switch: this state was made by {made_by} and another selector: its selector state is "
            f"{_shapes(state.selector_state)}, but {this}, whose state is {_shapes(config.selector_state)}. Pass "
            f"the state made by this switch's init."
        )
    expected_states = jax.eval_shape(config.init_states, params)
    for name, candidate_state, expected in zip(config.names, state.candidate_states, expected_states, strict=True):
        if jax.tree.structure(candidate_state) != jax.tree.structure(expected):  # type: ignore[operator]
            raise ValueError(
                f"switch: this state was made by {made_by}, whose candidate at {name!r}'s place has a state of "
                f"another type ({_kinds(candidate_state)}, where {name!r} has {_kinds(expected)}); {this}. Pass "
                f"the state made by this switch's init.{_sharing_hint(config, state)}"
            )


def _sharing_hint(config: Config, state) -> str:
    """Where learning_rate_multiples' copies are involved: which ``share_state`` the state was made with."""
    if any(isinstance(entry, SharedState) for entry in state.candidate_states):
        return (
            " That state's copies share one optimizer state (learning_rate_multiples' default, share_state=True); "
            "build this switch's candidates the same way."
        )
    if any(isinstance(candidate, Multiple) for candidate in config.candidates):
        return (
            " The copies of learning_rate_multiples share one optimizer state by default; a state saved when each "
            "copy had its own restores into a switch built with learning_rate_multiples(..., share_state=False)."
        )
    return ""


def _held_names(state) -> tuple[str, ...] | None:
    """The state's candidate names, or None inside jit (where they are traced)."""
    names = state.names
    if isinstance(names, jax.core.Tracer) or not isinstance(names, (jax.Array, np.ndarray)):
        return None
    if isinstance(names, jax.Array) and not names.is_fully_addressable:
        names = names.addressable_data(0)
    return _names.decode(np.asarray(names))


def _fits(tree, expected) -> bool:
    return jax.tree.structure(tree) == jax.tree.structure(expected) and all(  # type: ignore[operator]
        jnp.shape(leaf) == jnp.shape(want)
        for leaf, want in zip(jax.tree.leaves(tree), jax.tree.leaves(expected), strict=True)
    )


def _kinds(state) -> str:
    """An optax state's type, by its class names: ``(ScaleByAdamState, EmptyState)``."""
    if isinstance(state, tuple) and not hasattr(state, "_fields"):
        return "(" + ", ".join(_kinds(part) for part in state) + ")"
    return type(state).__name__


def _shapes(tree) -> str:
    return str(jax.tree.map(lambda leaf: f"{jnp.result_type(leaf)}{list(jnp.shape(leaf))}", tree))
