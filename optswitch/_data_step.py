"""Which batch the next update should use, so that trials from one saved start see the same batches."""

from collections.abc import Mapping
from typing import Any

import jax

from optswitch._find import find_one, value_of


def data_step(opt_state: Any, *, path: str | None = None) -> jax.Array:
    """The index of the batch the next update should be computed on; inside ``jit`` too.

    A selector that compares candidates from a saved start (:func:`optswitch.selectors.trials`) puts the
    parameters back to that start after each trial. A training loop that draws batch ``t`` at update ``t`` then
    gives each trial other batches, and a comparison of the trials' losses measures the batches as much as
    the candidates. A loop that draws batch ``data_step(opt_state)`` instead gives every trial of a round the
    same batches, in the same order, and the run goes on from the winner's end point with the batches that
    follow the ones it was trained on: a batch is skipped by no trajectory that is kept.

    It counts the batches the current parameters were trained on, along their own path: each update moves it
    on by one (an update skipped for a non-finite loss too, so that a bad batch is not drawn again), and when
    the switch puts the parameters back to a snapshot, it goes back to the snapshot's. For a switch whose
    selector keeps no snapshot it is the switch's update count, ``state.step``. A loop that uses it makes as
    many updates as before (the budget counts updates), and fewer distinct batches: trials replay them. It counts
    the switch's own updates: under ``optax.MultiSteps(switch, k)``, each made from ``k`` minibatches, draw the
    ``i``-th minibatch of an update at ``k * data_step + i``.

    Args:
        opt_state: an optimizer state holding one :class:`optswitch.SwitchState`, or a flax ``nnx.Optimizer``
            holding one.
        path: which switch, when there are several (see :func:`optswitch.summary`).

    Returns:
        An int32 scalar array (traced inside ``jit``).

    Raises:
        ValueError: when no switch is found, or several and no ``path``.

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)}, optswitch.selectors.trials(100))
        >>> params = {"w": jnp.ones(3)}
        >>> state, update_and_apply = tx.init(params), jax.jit(tx.update_and_apply)
        >>> seen = []
        >>> for t in range(20):
        ...     seen.append(int(optswitch.data_step(state)))
        ...     params, state = update_and_apply(params, state, params, value=jnp.asarray(1.0))
        >>> seen[8:]  # the round from update 10: Adam's trial and SGD's both use batches 10-13; then on from 14
        [8, 9, 10, 11, 12, 13, 10, 11, 12, 13, 14, 15]
    """
    _, state = find_one(opt_state, path, what="data_step")
    snapshots = state.snapshots
    if isinstance(snapshots, Mapping) and "data_step" in snapshots:  # as nnx.state writes a SwitchState
        return value_of(snapshots["data_step"])
    if hasattr(snapshots, "data_step"):
        return value_of(snapshots.data_step)
    return value_of(state.step)
