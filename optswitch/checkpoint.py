"""Checkpoints: checking that a restored state belongs to the switch that will run it.

A :class:`optswitch.SwitchState` is arrays only, so orbax (or any pytree checkpointer) saves and restores it
as it does any optax state, and a restored run continues bit for bit. What a checkpoint cannot know is which
optimizer each candidate state belongs to: it restores candidate ``k``'s state into position ``k``. When the
candidates change between saving and restoring, orbax refuses most changes, since they change the state's
structure (a candidate added or removed, or a reorder of candidates whose states differ). But candidates
whose states have the same structure and shapes (two Adams, two SGDs, a renamed candidate) restore without a
word, and each would resume from another's state. :func:`check_candidates` closes that gap from the names the
state carries (:attr:`optswitch.SwitchState.names`).
"""

from typing import Any

import optax

from optswitch._find import find_all, names_of
from optswitch._switch import SwitchTransformation

__all__ = ["check_candidates"]


def _candidates_of(tx) -> list[tuple[str, ...]]:
    """The candidates' names of each switch in ``tx``, in the order its state flattens."""
    if isinstance(tx, SwitchTransformation):
        return [tx.names]
    try:
        # The names do not depend on the parameters, so an empty tree finds them at no cost (as
        # optax.tree_map_params finds the parameters' place in a state).
        state = tx.init({})
    except Exception as error:
        raise TypeError(
            f"check_candidates: could not find the switch inside this {type(tx).__name__}, whose init rejects an "
            f"empty parameter tree ({type(error).__name__}: {error}); pass the optswitch.switch(...) itself."
        ) from error
    return [names_of(switch_state) for _, switch_state in find_all(state)]


def check_candidates(opt_state: Any, tx: optax.GradientTransformation) -> Any:
    """Checks that every switch in ``opt_state`` has the candidates of ``tx``, in the same order.

    Call it on a state restored from a checkpoint, before training on: a checkpoint restores candidate
    ``k``'s state into candidate ``k``, so after the candidates have changed, a state whose structure still
    fits (say two Adams swapped, or a candidate renamed) would restore silently and run each optimizer from
    another's state. Structural changes (a candidate added or removed, a reorder of candidates whose states
    differ) fail in the checkpointer already, orbax reporting a structure mismatch under
    ``candidate_states``.

    Args:
        opt_state: the restored optimizer state, holding one or more :class:`optswitch.SwitchState` (inside
            ``optax.chain``, a train state, an ``nnx.Optimizer``, ...).
        tx: the transformation that will run it: the :func:`optswitch.switch` itself, or a transformation
            holding switches (``optax.chain``, ``optax.MultiSteps``, ...).

    Returns:
        ``opt_state``, unchanged.

    Raises:
        ValueError: naming the candidates of the state and those of ``tx``, where they differ.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> params = {"w": jnp.zeros(3)}
        >>> saved = optswitch.switch({"fast": optax.adam(1e-2), "slow": optax.adam(1e-4)}).init(params)
        >>> swapped = optswitch.switch({"slow": optax.adam(1e-4), "fast": optax.adam(1e-2)})
        >>> optswitch.check_candidates(saved, swapped)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ValueError: check_candidates: the state was made for the candidates ['fast', 'slow'], but this switch ...
    """
    found = [switch_state for _, switch_state in find_all(opt_state)]
    expected = _candidates_of(tx)
    if len(found) != len(expected):
        raise ValueError(
            f"check_candidates: the state holds {len(found)} switch states but the transformation has "
            f"{len(expected)} switches; it was made by another transformation."
        )
    for switch_state, names in zip(found, expected, strict=True):
        held = names_of(switch_state)
        if held != names:
            raise ValueError(
                f"check_candidates: the state was made for the candidates {list(held)}, but this switch has "
                f"{list(names)}: each candidate would run from another's state. Restore with the candidates "
                f"the checkpoint was saved with (same names, same order), or start the changed switch from its "
                f"init."
            )
    return opt_state
