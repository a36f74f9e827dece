"""The dtypes of what crosses the switch's one conditional: every branch must return the same, and none may lose
what a candidate, a handoff or a selector computed.

The rules, for a state leaf that holds ``old`` and receives ``new``:

- a new value of a higher kind (a float into an int or bool leaf, a complex into a real one, an int into a
  bool) is an error naming the leaf and both dtypes: casting it back would truncate it;
- a candidate's update that returns a wider float (bf16 moments that f32 gradients make f32, as plain optax
  does) widens the state to it; the state then keeps that dtype, as plain optax's does;
- otherwise (a narrower or equal dtype) the value is cast to the state's dtype, which loses nothing of it, or,
  for a handoff's or a selector's float written into a narrower float, rounds it to the state's precision.

With one candidate there is one branch and no choice to make: the state takes exactly the dtypes its update
returns, as plain optax's does.

Updates: every branch returns the promotion of all candidates' update dtypes, so with one candidate the
switch returns exactly that candidate's updates, and with several none is rounded below what it computed.
"""

import jax
import jax.numpy as jnp
from jax import lax


def dtype_of(x) -> jnp.dtype:
    """The dtype of an array, a ``jax.ShapeDtypeStruct`` or a scalar, weak or not."""
    return jnp.dtype(x.dtype) if hasattr(x, "dtype") else jnp.dtype(jnp.result_type(x))


def _kind(dtype) -> int:
    kinds: tuple = (jnp.bool_, jnp.integer, jnp.floating, jnp.complexfloating)
    for rank, kind in enumerate(kinds):
        if jnp.issubdtype(dtype, kind):
            return rank
    return 0


def check_tree(new, old, what: str) -> None:
    """Raises unless ``new`` has the structure and shapes of ``old``.

    Args:
        new, old: pytrees of arrays (or of ``jax.ShapeDtypeStruct``).
        what: who made ``new``, for the message ("the update of candidate 'adam'").
    """
    if jax.tree.structure(new) != jax.tree.structure(old) or any(  # type: ignore[operator]
        jnp.shape(a) != jnp.shape(b) for a, b in zip(jax.tree.leaves(new), jax.tree.leaves(old), strict=True)
    ):
        raise ValueError(
            f"switch: {what} changed the structure or shapes of its state; a state must keep its structure, "
            f"shapes and dtypes from one update to the next."
        )


def settled(old, new, *, widen: bool) -> object:
    """The dtypes (a pytree of dtypes shaped as ``old``) that hold both ``old`` and ``new`` losslessly.

    With ``widen=False`` the state's dtypes stay and only a change of kind is refused (by :func:`cast`).
    """
    if not widen:
        return jax.tree.map(dtype_of, old)
    return jax.tree.map(lambda a, b: _wider(dtype_of(a), dtype_of(b)), old, new)


def _wider(old, new):
    if _kind(new) == _kind(old) == 2:
        return jnp.promote_types(old, new)
    return old


def cast(new, dtypes, what: str):
    """``new`` cast to ``dtypes`` (from :func:`settled`), refusing a cast that would truncate.

    Raises:
        TypeError: naming the leaf, both dtypes and ``what`` wrote it.
    """

    def leaf(path, value, dtype):
        have = dtype_of(value)
        if _kind(have) > _kind(dtype):
            raise TypeError(
                f"switch: {what} writes {have} into state leaf {jax.tree_util.keystr(path)}, which is {dtype}: "
                f"casting it back would truncate it. Make the initial state hold {have} there (e.g. "
                f"learning_rate=0.0, not 0; an average initialised with 10.0, not 10)."
            )
        return lax.convert_element_type(value, dtype)

    return jax.tree_util.tree_map_with_path(leaf, new, dtypes)


def promoted(trees) -> object:
    """Leaf by leaf, the promotion of the dtypes of ``trees`` (pytrees of the same structure)."""
    return jax.tree.map(lambda *leaves: jnp.result_type(*(dtype_of(leaf) for leaf in leaves)), *trees)
