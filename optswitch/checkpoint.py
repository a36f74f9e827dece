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

from optswitch._find import check_on_host, find_all, locate_one, names_of, on_host
from optswitch._names import decode
from optswitch._switch import SwitchTransformation

__all__ = ["check_candidates"]


def _candidates_of(tx, paths: list[str]) -> list[tuple[str, ...]]:
    """The candidates' names of each switch in ``tx``, outer before inner, in the order its state flattens."""
    if isinstance(tx, SwitchTransformation):
        # A candidate may itself hold switches (nesting); its state sits in this switch's candidate_states.
        return [tx.names] + [names for candidate in tx._config.candidates for names in _nested(candidate, paths)]
    try:
        # The names do not depend on the parameters, so an empty tree finds them at no cost (as
        # optax.tree_map_params finds the parameters' place in a state).
        state = tx.init({})
    except Exception as error:
        raise TypeError(
            f"check_candidates: could not find the switch inside this {type(tx).__name__}, whose init rejects an "
            f"empty parameter tree ({type(error).__name__}: {error}); pass the optswitch.switch(...) itself, "
            f"with path= naming where its state is when there are several (the state's switches are at paths "
            f"{paths})."
        ) from error
    return [names_of(switch_state) for _, switch_state in find_all(state)]


def _nested(candidate, paths: list[str]) -> list[tuple[str, ...]]:
    """The names of the switches inside a candidate: none unless it is, or its empty state holds, a switch."""
    if isinstance(candidate, SwitchTransformation):
        return _candidates_of(candidate, paths)
    try:
        return [names_of(switch_state) for _, switch_state in find_all(candidate.init({}))]
    except Exception:  # A candidate whose init needs parameters: any switch in it is out of sight here.
        return []


def check_candidates(opt_state: Any, tx: optax.GradientTransformation, *, path: str | None = None) -> Any:
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
        path: check only the switch at this path of ``opt_state`` (and any switch among its candidates)
            against ``tx``, which is then that switch: for states whose transformation cannot be passed
            whole (``optax.partition`` with a dict of labels, whose ``init`` needs the parameters). Paths are
            written as ``jax.tree_util.keystr`` writes them; the error for a mismatch in number lists them.

    Returns:
        ``opt_state``, unchanged.

    Raises:
        ValueError: naming the candidates of the state and those of ``tx``, where they differ.
        TypeError: when ``tx`` is not an optax transformation, or inside ``jit``.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> params = {"w": jnp.zeros(3)}
        >>> saved = optswitch.switch({"fast": optax.adam(1e-2), "slow": optax.adam(1e-4)}).init(params)
        >>> swapped = optswitch.switch({"slow": optax.adam(1e-4), "fast": optax.adam(1e-2)})
        >>> optswitch.check_candidates(saved, swapped)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ValueError: check_candidates: the state was made for the candidates ['fast', 'slow'], but this switch ...
    """
    if not isinstance(tx, optax.GradientTransformation):
        raise TypeError(
            f"check_candidates: tx must be the optax transformation that will run the state, got "
            f"{type(tx).__name__}; pass the optswitch.switch(...) (for an nnx.Optimizer or a TrainState, its .tx)."
        )
    root = opt_state if path is None else locate_one(opt_state, path, what="check_candidates")[1]
    found = find_all(root)
    expected = _candidates_of(tx, [key for key, _ in found])
    if len(found) != len(expected):
        raise ValueError(
            f"check_candidates: the state holds {len(found)} switch states but the transformation has "
            f"{len(expected)} switches; it was made by another transformation. Pass the transformation that "
            f"will run this whole state, or check one switch at a time with check_candidates(opt_state, "
            f"that_switch, path=...)"
            + (f" (the state's switches are at paths {[key for key, _ in found]})." if found else ".")
        )
    for (_, switch_state), names in zip(found, expected, strict=True):
        check_on_host(switch_state, what="check_candidates", inside_jit=None, one=False)
        # A batch of switches (a vmap-ed init) holds one table of names per member.
        tables = on_host(switch_state.names)
        for held in dict.fromkeys(decode(table) for table in tables.reshape(-1, *tables.shape[-2:])):
            if held != names:
                raise ValueError(
                    f"check_candidates: the state was made for the candidates {list(held)}, but this switch has "
                    f"{list(names)}: each candidate would run from another's state. Restore with the candidates "
                    f"the checkpoint was saved with (same names, same order), or start the changed switch from "
                    f"its init."
                )
    return opt_state
