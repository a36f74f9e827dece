"""Handoffs that carry an optimizer's moments across a switch; see :mod:`optswitch.handoff`."""

from typing import Any

import jax
import optax

from optswitch._handoff_base import Handoff

#: Names of first-moment buffers in optax states: ``mu`` (adam, adamw, nadam, lion, adabelief, ...) and
#: ``trace`` (the momentum of ``sgd``, ``optax.trace``, ``rmsprop(momentum=...)``).
FIRST_MOMENTS = ("mu", "trace")


def first_moment(state: Any) -> tuple[str, Any] | None:
    """The ``(name, buffer)`` of the one first-moment buffer in an optax state, or None if it has none.

    Args:
        state: a candidate's optax state, chains and wrappers included.

    Returns:
        ``("mu", tree)`` or ``("trace", tree)``, or None.

    Raises:
        ValueError: when the state holds several first-moment buffers, which one to use being ambiguous.

    Examples:
        >>> import jax.numpy as jnp, optax
        >>> from optswitch import handoff
        >>> state = optax.chain(optax.clip(1.0), optax.sgd(0.1, momentum=0.9)).init({"w": jnp.zeros(2)})
        >>> handoff.first_moment(state)
        ('trace', {'w': Array([0., 0.], dtype=float32)})
        >>> handoff.first_moment(optax.rmsprop(0.1).init({"w": jnp.zeros(2)})) is None
        True
    """
    found = [
        (name, value) for name in FIRST_MOMENTS for _, value in optax.tree_utils.tree_get_all_with_path(state, name)
    ]
    if len(found) > 1:
        raise ValueError(
            f"transfer_momentum: the state holds {len(found)} first-moment buffers "
            f"({', '.join(name for name, _ in found)}); write a handoff of your own that picks one, e.g. with "
            f"optax.tree.get(state, 'mu', filtering=...)."
        )
    return found[0] if found else None


def _same_shapes(a, b) -> bool:
    return jax.tree.structure(a) == jax.tree.structure(b) and all(  # type: ignore[operator]
        jax.numpy.shape(x) == jax.numpy.shape(y) for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True)
    )


def transfer_momentum(scale: float = 1.0) -> Handoff:
    """Carries the outgoing candidate's first-moment buffer into the incoming one, where the shapes match.

    Adam's ``mu`` becomes SGD's momentum ``trace`` and back, or more generally whichever of ``mu`` and
    ``trace`` (see :data:`FIRST_MOMENTS`) each state holds, found by name anywhere inside it. Where either
    candidate has no first moment (plain ``sgd``, ``rmsprop``), or the buffers' structures or shapes differ,
    the incoming candidate resumes from its own state. Nothing else changes: Adam's step count and second
    moment stay as they were.

    The two buffers measure the gradient on different scales: ``mu`` is an average of past gradients,
    ``mu = b1 mu + (1 - b1) g``, while SGD's ``trace = momentum trace + g`` is a sum, about
    ``g / (1 - momentum)`` when the gradient is steady. ``scale`` multiplies the buffer on its way, e.g.
    ``1 / (1 - momentum)`` from Adam into SGD; the default copies it as it is.

    Args:
        scale: factor applied to the buffer.

    Returns:
        A :class:`Handoff` for ``switch(on_switch=...)``.

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(0.1), "sgd": optax.sgd(0.1, momentum=0.9)},
        ...     optswitch.selectors.schedule({0: "adam", 2: "sgd"}),
        ...     on_switch=optswitch.handoff.transfer_momentum())
        >>> params = {"w": jnp.ones(2)}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     _, state = tx.update(params, state, params)
        >>> adam_mu = 0.19 * params["w"]  # after two Adam updates, mu = 0.9 (0.1 g) + 0.1 g
        >>> sgd_trace = optax.tree.get(state.candidate_states[1], "trace")["w"]
        >>> bool(jnp.allclose(sgd_trace, 0.9 * adam_mu + params["w"]))  # SGD's first update, from mu
        True
    """

    def fn(from_state, to_state, context):
        del context
        source, target = first_moment(from_state), first_moment(to_state)
        if source is None or target is None or not _same_shapes(source[1], target[1]):
            return to_state
        moved = jax.tree.map(lambda s, t: (scale * s).astype(t.dtype), source[1], target[1])
        return optax.tree.set(to_state, **{target[0]: moved})

    return Handoff(fn)


#: The name of the second-moment buffer in optax states: ``nu`` (adam, adamw, nadam, adabelief, rmsprop, ...).
SECOND_MOMENT = "nu"


def second_moment(state: Any) -> Any:
    """The one state inside ``state`` (chains and wrappers included) that holds a ``nu`` field, or None.

    Args:
        state: a candidate's optax state.

    Returns:
        The NamedTuple holding ``nu`` (e.g. ``ScaleByAdamState``, whose ``count`` drives Adam's bias
        correction, or ``ScaleByRmsState``), or None.

    Raises:
        ValueError: when several states hold one, which one to use being ambiguous.

    Examples:
        >>> import jax.numpy as jnp, optax
        >>> from optswitch import handoff
        >>> type(handoff.second_moment(optax.adam(0.1).init({"w": jnp.zeros(2)}))).__name__
        'ScaleByAdamState'
        >>> handoff.second_moment(optax.sgd(0.1, momentum=0.9).init({"w": jnp.zeros(2)})) is None
        True
    """
    found = []

    def visit(node):
        if hasattr(node, "_fields") and SECOND_MOMENT in node._fields:
            found.append(node)
        elif isinstance(node, (tuple, list)):
            for child in node:
                visit(child)
        elif isinstance(node, dict):
            for child in node.values():
                visit(child)

    visit(state)
    if len(found) > 1:
        raise ValueError(
            f"transfer_second_moment: the state holds {len(found)} second-moment buffers ({SECOND_MOMENT}); "
            f"write a handoff of your own that picks one."
        )
    return found[0] if found else None


def transfer_second_moment(scale: float = 1.0, b2: float | None = None) -> Handoff:
    """Carries the outgoing candidate's second moment ``nu`` into the incoming one, where the shapes match.

    Adam's ``nu`` becomes RMSProp's and back (both are averages of the squared gradient), found by name
    anywhere inside each state. Where either candidate has none (SGD), or the shapes differ, the incoming
    candidate resumes from its own state. Nothing else changes.

    The two average with different weights, and Adam divides its ``nu`` by ``1 - b2**count`` (bias
    correction, ``count`` being its own update count), RMSProp does not. Early in a run Adam's raw ``nu``
    is therefore small (after 150 updates at ``b2 = 0.999``, 14% of the average it estimates), and an Adam
    that has never run would multiply what it receives by about ``1 / (1 - b2)``. Pass Adam's ``b2`` to
    carry the estimate instead: the moment is divided by ``1 - b2**count`` on its way out of a state that
    holds a ``count`` beside ``nu``, and multiplied by ``1 - b2**(count + 1)`` on its way into one.

    Args:
        scale: factor applied to the moment.
        b2: the decay of the candidates whose ``nu`` is bias-corrected by a ``count`` beside it (Adam's
            ``b2``), or None to copy the buffer as it is.

    Returns:
        A :class:`Handoff` for ``switch(on_switch=...)``; chain it with :func:`transfer_momentum` to carry
        both moments.

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(0.1), "rmsprop": optax.rmsprop(0.1)},
        ...     optswitch.selectors.schedule({0: "adam", 2: "rmsprop"}),
        ...     on_switch=optswitch.handoff.transfer_second_moment())
        >>> params = {"w": jnp.ones(2)}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     _, state = tx.update(params, state, params)
        >>> adam_nu = 0.001999 * params["w"] ** 2  # after two Adam updates, nu = 0.999 (0.001 g^2) + 0.001 g^2
        >>> rms_nu = optax.tree.get(state.candidate_states[1], "nu")["w"]
        >>> bool(jnp.allclose(rms_nu, 0.9 * adam_nu + 0.1 * params["w"] ** 2))  # RMSProp's first update
        True
    """

    def fn(from_state, to_state, context):
        del context
        source, target = second_moment(from_state), second_moment(to_state)
        if source is None or target is None or not _same_shapes(source.nu, target.nu):
            return to_state
        factor = jax.numpy.asarray(scale, jax.numpy.float32)
        if b2 is not None and "count" in source._fields:
            debias = 1 - b2 ** source.count.astype(jax.numpy.float32)
            factor = factor / jax.numpy.where(source.count > 0, debias, 1.0)
        if b2 is not None and "count" in target._fields:
            factor = factor * (1 - b2 ** (target.count.astype(jax.numpy.float32) + 1))
        moved = jax.tree.map(lambda s, t: (factor * s).astype(t.dtype), source.nu, target.nu)
        return optax.tree.set(to_state, nu=moved)

    return Handoff(fn)
