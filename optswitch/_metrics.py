"""``metrics``: a switch's state as a flat dict of scalars, for TensorBoard, W&B or any metric writer."""

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp

from optswitch import _find
from optswitch.selectors import (
    _bandit,
    _halving,
    _noise_scale,
    _plateau,
    _race,
    _race_events,
    _schedule,
    _swats,
    _trials,
    _undo,
)
from optswitch.selectors._base import selector_chain
from optswitch.selectors._window import counts_ignored, ignored_losses

__all__ = ["metrics"]

#: Selector state type -> (the selector's name in the keys, its key numbers).
_KEY_NUMBERS: dict[type, tuple[str, Callable[[Any, tuple[str, ...]], dict[str, jax.Array]]]] = {
    _bandit.BanditState: ("bandit", _bandit.key_numbers),
    _halving.HalvingState: ("halving", _halving.key_numbers),
    _noise_scale.NoiseScaleState: ("noise_scale", _noise_scale.key_numbers),
    _plateau.PlateauState: ("plateau", _plateau.key_numbers),
    _race.RaceState: ("race", _race_events.key_numbers),
    _schedule.ScheduleState: ("schedule", _schedule.key_numbers),
    _swats.SwatsState: ("swats", _swats.key_numbers),
    _trials.TrialsState: ("trials", _trials.key_numbers),
    _undo.UndoState: ("undo_if_worse", _undo.key_numbers),
}


def metrics(
    opt_state: Any, *, names: Sequence[str] | None = None, path: str | None = None, prefix: str = "optswitch/"
) -> dict[str, jax.Array]:
    """The switch's numbers as a flat ``{name: scalar}`` dict, for a metric writer; works inside ``jit``.

    The keys, after ``prefix``: ``active`` (index of the candidate that makes the next update), ``step``,
    ``switches`` (made so far), ``updates/<candidate>`` (updates each made), ``skipped`` and ``invalid`` (as in
    :class:`optswitch.Summary`); ``ignored_losses`` for a selector that reads ``log(loss)``: updates with a loss
    ``<= 0``, which it could not use (a loss that goes negative stops it deciding); and the built-in selector's
    key numbers under its name: ``plateau/best``, ``race/rate/<candidate>`` and ``race/standing/<candidate>``,
    ``swats/Lambda``, ``noise_scale/rho``, ``bandit/rate/<candidate>``, ``trials/rounds``, ``trials/trialing``
    and ``trials/incumbent_mean``, ``halving/rounds``, ``halving/trialing``, ``halving/rung`` and
    ``halving/leader_mean``, ``undo_if_worse/undone`` and ``undo_if_worse/last_undone``; for a selector
    that wraps another (a guard, :func:`optswitch.selectors.step_down`), the wrapped one's too. Every value is a
    scalar array read from the state, no host transfer, so a jitted train step can return the dict with its loss.

    Args:
        opt_state: an optimizer state holding one :class:`optswitch.SwitchState`, or an ``nnx.Optimizer``.
        names: the candidates' names, as ``tx.names`` gives them: needed inside ``jit``, where the names that
            the state holds are traced; outside it they are read from the state.
        path: which switch, when the state holds several (see :func:`optswitch.summary`).
        prefix: put before every key.

    Returns:
        A dict from key to scalar ``jax.Array``.

    Raises:
        ValueError: inside ``jit`` without ``names``, or with as many names as the switch has candidates.

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)}, optswitch.selectors.plateau(patience=2))
        >>> params = {"w": jnp.ones(3)}
        >>> @jax.jit
        ... def step(params, state):
        ...     loss, grads = jax.value_and_grad(lambda p: jnp.sum(p["w"] ** 2))(params)
        ...     params, state = tx.update_and_apply(grads, state, params, value=loss)
        ...     return params, state, {"loss": loss, **optswitch.metrics(state, names=tx.names)}
        >>> params, state, numbers = step(params, tx.init(params))
        >>> sorted(numbers)[:4]
        ['loss', 'optswitch/active', 'optswitch/invalid', 'optswitch/plateau/best']
        >>> print(numbers["optswitch/updates/adam"], numbers["optswitch/plateau/best"])
        1 3.0
    """
    _, state = _find.find_one(opt_state, path)
    state = jax.tree.map(_value, state, is_leaf=lambda leaf: hasattr(leaf, "get_value"))
    count = state.log.counts.shape[0]
    if names is None:
        if isinstance(state.names, jax.core.Tracer):
            raise ValueError(
                "metrics: inside jit the candidates' names in the state are traced; pass them: "
                "optswitch.metrics(state, names=tx.names)."
            )
        names = _find.names_of(state)
    names = tuple(names)
    if len(names) != count:
        raise ValueError(f"metrics: names={list(names)} but the switch has {count} candidates; pass tx.names.")
    numbers: dict[str, jax.Array] = {
        "active": state.active,
        "step": state.step,
        "switches": state.log.num_switches,
        **{f"updates/{name}": state.log.counts[k] for k, name in enumerate(names)},
        "skipped": state.log.skipped,
        "invalid": state.log.invalid,
    }
    chain = selector_chain(state.selector_state)
    if counts_ignored(state.selector_state):
        numbers["ignored_losses"] = ignored_losses(state.selector_state)
    for selector_state in chain:  # a wrapper's numbers, then those of the selector it wraps
        known = _KEY_NUMBERS.get(type(selector_state))
        if known is not None:
            selector, key_numbers = known
            numbers.update({f"{selector}/{key}": value for key, value in key_numbers(selector_state, names).items()})
    return {prefix + key: jnp.asarray(value) for key, value in numbers.items()}


def _value(leaf: Any) -> Any:
    return leaf.get_value() if hasattr(leaf, "get_value") else leaf
