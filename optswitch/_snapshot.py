"""Parameter snapshots for selectors that compare candidates from a common start (see ``Selector.snapshots``).

The buffers exist only for a selector that declares :class:`optswitch.selectors.Snapshots`; the switch runs a
request under one ``lax.cond``, so an update at which the selector asks for nothing pays one predicate.
"""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax
from jax import lax

from optswitch import _dtypes
from optswitch._config import Config
from optswitch._reduce import varying_axes
from optswitch._trees import strong


class SnapshotState(NamedTuple):
    """The snapshots a switch keeps for its selector (:attr:`optswitch.SwitchState.snapshots`).

    Attributes:
        params: tuple of ``slots`` trees shaped, typed and sharded like the parameters.
        candidate_states: a copy of every candidate's state (the tuple of ``candidate_states``), or ``()``
            when the selector keeps none.
        data_step: int32 ``[]``, the batch the next update should be computed on (see
            :func:`optswitch.data_step`): the batches the current parameters were trained on, counted along
            their own path. Every update moves it on by one; a load puts it back to the slot's.
        saved_data_steps: int32 ``[slots]``, each slot's ``data_step``: that of the parameters it holds.
    """

    params: tuple
    candidate_states: Any
    data_step: jax.Array
    saved_data_steps: jax.Array


def init(config: Config, params, candidate_states):
    """The snapshots' initial state, or ``()`` for a selector without snapshots."""
    snapshots = config.selector.snapshots
    if snapshots is None:
        return ()
    if not isinstance(snapshots.slots, int) or isinstance(snapshots.slots, bool) or snapshots.slots < 1:
        raise ValueError(
            f"switch: the {config.selector.name} selector asks for {snapshots.slots!r} snapshot slots; "
            f"Snapshots.slots must be an int >= 1."
        )
    # zeros_like, not a copy of params: under state_shardings' explicit types it carries the params' sharding,
    # and the buffers are written before they are read.
    slots = tuple(jax.tree.map(jnp.zeros_like, params) for _ in range(snapshots.slots))
    kept = jax.tree.map(jnp.copy, candidate_states) if snapshots.candidate_states else ()
    return SnapshotState(
        params=slots,
        candidate_states=strong(kept),
        data_step=jnp.zeros([], jnp.int32),
        saved_data_steps=jnp.zeros([snapshots.slots], jnp.int32),
    )


def apply(config: Config, old_state, new_state, out, params, applied: bool):
    """Runs the selector's snapshot request after the decision; returns ``(out, new_state)``.

    Args:
        config: the switch's configuration.
        old_state: the :class:`optswitch.SwitchState` the update started from.
        new_state: the state after the decision.
        out: the updates, or the updated parameters if ``applied``.
        params: the parameters the update started from.
        applied: whether ``out`` holds parameters (``update_and_apply``) rather than updates.
    """
    snapshots = config.selector.snapshots
    if snapshots is None:
        return out, new_state
    # A skipped update leaves the selector's state, and so its request, as it was: it must not run twice. What
    # the selector's on_skip asks for runs instead, if it has one.
    finite = new_state.log.skipped == old_state.log.skipped
    selector_state = new_state.selector_state
    request, asking = snapshots.request(selector_state), finite
    if snapshots.on_skip is not None:
        skip_request, skipped_state = snapshots.on_skip(selector_state)
        _dtypes.check_tree(skipped_state, selector_state, f"the {config.selector.name} selector's Snapshots.on_skip")
        request = jax.tree.map(lambda mine, skips: jnp.where(finite, mine, skips), request, skip_request)
        selector_state, asking = optax.tree.where(finite, selector_state, skipped_state), jnp.asarray(True)
    n, slots = len(config.candidates), snapshots.slots
    save, load = jnp.asarray(request.save, jnp.int32), jnp.asarray(request.load, jnp.int32)
    keep, restore = jnp.asarray(request.keep_states, bool), jnp.asarray(request.restore_states, bool)
    if jnp.shape(restore) != (n,):
        raise ValueError(
            f"switch: the {config.selector.name} selector's SnapshotRequest.restore_states has shape "
            f"{jnp.shape(restore)}; it must be bool [{n}], one flag per candidate."
        )
    if snapshots.all_or_none:  # copies that share a state may be among them: never one without its siblings
        restore = jnp.broadcast_to(jnp.any(restore), (n,))
    varying = frozenset().union(*(varying_axes(x) for x in (save, load, keep, restore)))
    if varying:
        raise ValueError(
            f"switch: inside shard_map, the {config.selector.name} selector's snapshot request differs from "
            f"device to device along mesh axes {sorted(varying)}; pass switch(..., axis_name=...) so that "
            f"the signals it is computed from are the same on every device."
        )
    acting = asking & ((save >= 0) | (load >= 0) | keep | jnp.any(restore))

    def act(operands):
        out, saved, candidate_states = operands
        # The end point is computed inside the branch that saves it, so that it is written straight into the slot
        # (on the update path, a buffer of params + updates would otherwise be held beside the updates).
        end_point = (lambda: out) if applied else (lambda: optax.apply_updates(params, out))
        written = tuple(lax.cond(save == s, end_point, lambda slot=slot: slot) for s, slot in enumerate(saved.params))
        options = [lambda: out] + [_loaded(slot, params, out, applied) for slot in written]
        out = lax.switch(jnp.clip(load + 1, 0, slots), options)
        kept = saved.candidate_states
        if snapshots.candidate_states:
            # One conditional for all the states where one flag decides for all: each conditional over state-sized
            # operands adds to the compile (the recommended switch's train loop on a small flow model: about 3.8 s
            # with one per candidate for keep and for restore, 3.3 s with one each), and the copies are the same.
            kept = _select(keep, candidate_states, kept)
            if snapshots.all_or_none:
                candidate_states = _select(restore[0], kept, candidate_states)
            else:
                candidate_states = tuple(
                    _select(restore[k], copy, now)
                    for k, (now, copy) in enumerate(zip(candidate_states, kept, strict=True))
                )
        return out, saved._replace(params=written, candidate_states=kept), candidate_states

    operands = (out, new_state.snapshots, new_state.candidate_states)
    out, saved, candidate_states = lax.cond(acting, act, lambda operands: operands, operands)
    # Every update uses its batch, a skipped one too (so that a bad batch is not drawn again); a saved slot
    # remembers where its parameters are, and a load goes back there, so trials from one start see one stream.
    data_step = saved.data_step + 1
    saved_data_steps = jnp.where(acting & (save == jnp.arange(slots)), data_step, saved.saved_data_steps)
    data_step = jnp.where(acting & (load >= 0), saved_data_steps[jnp.clip(load, 0, slots - 1)], data_step)
    saved = saved._replace(data_step=data_step, saved_data_steps=saved_data_steps)
    return out, new_state._replace(snapshots=saved, candidate_states=candidate_states, selector_state=selector_state)


def _select(predicate, on_true, on_false):
    return lax.cond(predicate, lambda: on_true, lambda: on_false)


def _loaded(slot, params, out, applied: bool):
    if applied:
        return lambda: slot
    # The update that takes params to the snapshot, in the dtypes of the updates (lax.switch needs them equal).
    return lambda: jax.tree.map(lambda s, p, u: (s - p).astype(jnp.result_type(u)), slot, params, out)
