"""What :func:`optswitch.selectors.trials` and ``halving`` share: their snapshot slots, requests and skipped trials."""

from typing import Any

import jax
import jax.numpy as jnp

from optswitch.selectors._base import SnapshotRequest

#: The snapshot slots of :func:`trials`: the common start of a round, and the end point of its winner so far.
START, BEST = 0, 1


def trialing(state) -> jax.Array:
    """``Snapshots.busy`` of :func:`trials` and ``halving``: a round is under way."""
    return state.trialing


def lose_trial(state, trial_length) -> tuple[SnapshotRequest, Any]:
    """``Snapshots.on_skip`` of :func:`trials` and ``halving`` (``state`` either's, ``trial_length`` the current
    trial's): a trial under way ends, lost, at the next finite loss (from the round's start, put back now)."""
    failing = state.trialing
    request = no_request(state.request.restore_states.shape[0])._replace(
        load=jnp.where(failing, START, -1).astype(jnp.int32)
    )
    total = jnp.where(failing, jnp.inf, state.total).astype(state.total.dtype)
    count = jnp.where(failing, trial_length - 1, state.count).astype(state.count.dtype)
    return request, state._replace(total=total, count=count, request=request)


def next_in_round(position, incumbent, n: int) -> jax.Array:
    """The candidate of a round's trial ``position``: the incumbent first, then the others in index order."""
    other = position - 1 + (position - 1 >= incumbent).astype(jnp.int32)
    return jnp.where(position == 0, incumbent, jnp.clip(other, 0, n - 1)).astype(jnp.int32)


def no_request(n: int) -> SnapshotRequest:
    """A request for nothing, for ``n`` candidates: what a selector with snapshots asks on most updates."""
    none = jnp.asarray(-1, jnp.int32)
    return SnapshotRequest(
        save=none, load=jnp.copy(none), keep_states=jnp.asarray(False), restore_states=jnp.zeros([n], bool)
    )
