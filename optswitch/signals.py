"""The cheap per-update numbers that selectors read."""

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

__all__ = ["MEASURED", "REQUESTABLE", "Probe", "Signals", "accumulator"]

#: Signals computed from the parameter-sized trees; each is a reduction that a selector must ask for.
MEASURED = frozenset({"grad_sq_norm", "update_sq_norm", "update_dot_grad"})
#: Every signal a selector can ask for (step, active and steps_in_active are always there, for free).
#: ``"probe"`` is the output of the selector's own :class:`optswitch.Probe`.
REQUESTABLE = MEASURED | {"loss", "probe"}


class Signals(NamedTuple):
    """What a selector sees after each update, all scalars computed on device.

    A signal the selector did not ask for (see :attr:`optswitch.selectors.Selector.reads`), or did not ask for
    while the candidate that made the update is active, is not computed: it holds NaN, so that reading it by
    mistake cannot go unnoticed.

    Attributes:
        step: int32 ``[]``, index of the update just made (0 for the first update).
        active: int32 ``[]``, index of the candidate that made it.
        steps_in_active: int32 ``[]``, updates made by ``active`` since it was last switched to, this one
            included.
        loss: ``[]``, the ``value`` passed to ``update`` (NaN when none was passed), in float32, or in its own
            dtype if wider (a float64 loss under ``jax_enable_x64`` keeps its precision).
        grad_sq_norm: ``[]``, squared global norm of the incoming gradient, ``|g|^2``, accumulated in float32
            (in float64 for float64 gradients).
        update_sq_norm: ``[]``, squared global norm of the update the candidate returned, ``|u|^2``, likewise.
        update_dot_grad: ``[]``, inner product ``u . g`` (negative when the update descends), likewise. For
            complex parameters both are real inner products, ``sum(real(conj(a) * b))``.
        extra: the other keyword arguments passed to ``update``, by name, as given.
        probe: what the selector's :class:`optswitch.Probe` measured (a pytree of scalars), or
            ``()`` for a selector without one.
    """

    step: jax.Array
    active: jax.Array
    steps_in_active: jax.Array
    loss: jax.Array
    grad_sq_norm: jax.Array
    update_sq_norm: jax.Array
    update_dot_grad: jax.Array
    extra: Mapping[str, Any]
    probe: Any = ()


class Probe(NamedTuple):
    """A measurement a selector asks for beyond the core signals, with a state of its own.

    It runs inside the branch of the candidate that makes the update, and only for the candidates whose
    :attr:`~optswitch.selectors.Selector.reads` include ``"probe"``: a selector that has none, or a
    candidate for which it is not read, costs nothing. Its state lives in
    :attr:`optswitch.SwitchState.probe_state`, and only when a selector with a probe is used. A probe whose
    state is parameter-sized (a moving average of the gradient, the previous update) must say so, with its
    size in bytes, in the selector's docstring.

    Attributes:
        init: ``init(params) -> state``, a pytree of arrays.
        measure: ``measure(grads, updates, state) -> (values, state)``: ``values`` is a pytree of float
            scalars, which the selector reads as :attr:`Signals.probe`; ``grads`` is the gradient the
            switch received and ``updates`` what the active candidate returned, in the gradient's dtypes.
            When its input is not finite, ``measure`` must return ``state`` unchanged and non-finite
            ``values`` (the switch then skips the selector for this update, and does not select between
            two parameter-sized probe states, which would cost one more pass over them). Under
            ``switch(axis_name=...)`` the values are averaged over the axis: right where every device holds
            whole parameters (data parallelism), not where parameters are sharded over the axis, whose
            partial sums would have to be added instead (the core signals are).
    """

    init: Callable[[Any], Any]
    measure: Callable[[Any, Any, Any], tuple[Any, Any]]


def accumulator(tree) -> jnp.dtype:
    """The dtype the reductions of ``tree`` are summed in: float32, or float64 if a leaf is float64 (or
    complex128: complex leaves count as pairs of real numbers)."""
    dtype = jnp.result_type(jnp.float32, *(jnp.result_type(leaf) for leaf in jax.tree.leaves(tree)))
    return jnp.dtype(jnp.finfo(dtype).dtype)
