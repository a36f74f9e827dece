"""After the routed update: the signals, the selector's choice, and the state the next update starts from."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax

from optswitch import _dtypes
from optswitch._config import Config
from optswitch._reduce import as_axes, combine, varying_axes
from optswitch._trees import strong
from optswitch.selectors._window import counts_ignored, ignored_losses
from optswitch.signals import Signals


def decide(config: Config, state, candidate_states, probe_state, measured, extra_args):
    """The switch's next state: the selector's choice (kept only if valid and its signals finite), and the log.

    Args:
        config: the switch's configuration.
        state: the :class:`optswitch.SwitchState` the update started from.
        candidate_states: the candidates' states after the update.
        probe_state: the probe's state after the update.
        measured: the routed branch's partial sums and probe values (see :func:`optswitch._routing.route`).
        extra_args: the extra arguments given to ``update``.

    Returns:
        The new :class:`optswitch.SwitchState`.
    """
    n = len(config.candidates)
    log = state.log
    active, step = state.active, state.step
    value = extra_args.get("value")
    # The loss keeps its precision: float64 under jax_enable_x64 stays float64; lower ones are read in float32.
    loss = jnp.full([], jnp.nan, jnp.float32) if value is None else jnp.asarray(value, _loss_dtype(value))
    probe = measured.pop("probe", ())
    measured = combine(measured, config.axis_name)
    if config.axis_name is not None:
        probe = lax.pmean(probe, as_axes(config.axis_name))
        if value is not None:
            loss = lax.pmean(loss, as_axes(config.axis_name))
    last = (log.num_switches - 1) % config.history
    switched_before = log.num_switches > 0
    signals = Signals(
        step=step,
        active=active,
        steps_in_active=jnp.where(switched_before, step - log.first_updates[last] + 1, step + 1),
        loss=loss,
        extra={name: arg for name, arg in extra_args.items() if name != "value"},
        probe=probe,
        **measured,
    )
    choice, selector_state = config.selector.select(signals, state.selector_state)
    what = f"the {config.selector.name} selector's select"
    _dtypes.check_tree(selector_state, state.selector_state, what)
    selector_state = _dtypes.cast(selector_state, _dtypes.settled(state.selector_state, None, widen=False), what)
    choice = _as_index(choice, config.selector.name)
    finite = _finite(config, signals, active)
    valid = (choice >= 0) & (choice < n)
    following = jnp.where(finite & valid, choice, active)
    _check_same_on_every_device(config, following)
    switched = following != active
    log = log._replace(counts=log.counts.at[active].set(optax.safe_increment(log.counts[active])))
    log = log.record(switched, step + 1, active, following)
    if config.emitter is not None:
        before, after = state.selector_state, selector_state
        config.emitter(switched, step + 1, active, following, signals, before, after, config.axis_name)
        # Outside jit the selector warns of a loss <= 0 itself (selectors._window.usable).
        if counts_ignored(before) and isinstance(loss, jax.core.Tracer):
            first_ignored = (ignored_losses(before) == 0) & (ignored_losses(after) > 0)
            config.emitter.ignored(first_ignored & finite, step, loss, config.axis_name)
    return state._replace(
        active=following,
        previous=active,
        step=optax.safe_increment(step),
        candidate_states=candidate_states,
        selector_state=strong(optax.tree.where(finite, selector_state, state.selector_state)),
        probe_state=probe_state,
        log=log._replace(
            skipped=log.skipped + (~finite).astype(jnp.int32),
            invalid=log.invalid + (finite & ~valid).astype(jnp.int32),
        ),
    )


def _loss_dtype(value) -> jnp.dtype:
    return jnp.promote_types(jnp.result_type(value), jnp.float32)


def _as_index(choice, selector_name: str) -> jax.Array:
    dtype = jnp.result_type(choice)
    if jnp.shape(choice) != () or not (jnp.issubdtype(dtype, jnp.integer) or dtype == jnp.bool_):
        raise TypeError(
            f"switch: the {selector_name} selector must return a scalar integer candidate index, got "
            f"{dtype}{list(jnp.shape(choice))}."
        )
    return jnp.asarray(choice, jnp.int32)


def _finite(config: Config, signals: Signals, active) -> jax.Array:
    """Whether every signal that the selector reads while ``active`` is active is finite."""
    values, read_by = [], []
    for name in sorted(frozenset().union(*config.reads)):
        for value in jax.tree.leaves(getattr(signals, name)):
            values.append(value)
            read_by.append([name in reads for reads in config.reads])
    if not values:
        return jnp.asarray(True)
    read_now = jnp.asarray(np.array(read_by, bool).T)[active]
    return jnp.all(jnp.isfinite(jnp.stack(values)) | ~read_now)


def _check_same_on_every_device(config: Config, following) -> None:
    varying = varying_axes(following)
    if varying:
        axes = tuple(sorted(varying | set(as_axes(config.axis_name))))
        suggestion = repr(axes[0]) if len(axes) == 1 else repr(axes)
        raise ValueError(
            f"switch: inside shard_map, the {config.selector.name} selector's choice differs from device to "
            f"device along mesh axes {sorted(varying)}: it reads values that each device computes from its "
            f"own data (the loss, gradients, or an extra argument), so each device would run its own "
            f"candidate, and the replicas would silently diverge, or deadlock in a candidate that holds a "
            f"collective (jax#40823). Pass switch(..., axis_name={suggestion}) "
            f"so that the signals are reduced over those axes and every device makes the same choice."
        )
