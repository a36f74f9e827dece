"""Selectors: the rules that pick, on device, which candidate makes the next update.

A selector is a pure function of :class:`optswitch.Signals` and its own state. It knows nothing of optax
states; the switch feeds it the signals it asks for (see :attr:`Selector.reads`) and routes the next update
to the candidate it returns.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from optswitch import _names
from optswitch.signals import MEASURED, REQUESTABLE, Signals

SelectorState = Any


class Selector(NamedTuple):
    """A rule that picks the candidate for the next update, run on device after each update.

    Attributes:
        init: ``init(names) -> state``: the selector's initial state, a pytree of arrays, given the
            candidates' names in order. It may raise to reject a configuration (an unknown name, say):
            :func:`optswitch.switch` calls it once when it is built, so mistakes surface there.
        select: ``select(signals, state) -> (index, state)``: after update ``signals.step``, the index
            (an int32 scalar) of the candidate that makes the next update, and the new state. Pure and
            jittable.
        reads: the signals ``select`` reads, out of ``"loss"``, ``"grad_sq_norm"``, ``"update_sq_norm"``
            and ``"update_dot_grad"``; the others are not computed and hold NaN. ``step``, ``active``,
            ``steps_in_active`` and ``extra`` are always there.
        initial: ``initial(names) -> index | None``: the candidate the selector wants for update 0, or None
            to leave that to ``switch(initial=...)``.
        name: what the selector is, for summaries.
    """

    init: Callable[[tuple[str, ...]], SelectorState]
    select: Callable[[Signals, SelectorState], tuple[jax.Array, SelectorState]]
    reads: frozenset[str] = frozenset()
    initial: Callable[[tuple[str, ...]], int | None] = lambda names: None
    name: str = "selector"

    @property
    def needs_value(self) -> bool:
        """Whether ``update`` must be given the loss as ``value=``."""
        return "loss" in self.reads


def manual() -> Selector:
    """Keeps the active candidate until :func:`optswitch.set_active` changes it from the host.

    Reads no signal, so it adds no reduction to the update.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch({"adam": optax.adam(1e-3), "sgd": optax.sgd(1e-2)}, optswitch.selectors.manual())
        >>> state = tx.init({"w": jnp.zeros(3)})
        >>> optswitch.active(optswitch.set_active(state, "sgd"))
        'sgd'
    """
    return Selector(
        init=lambda names: (),
        select=lambda signals, state: (signals.active, state),
        name="manual",
    )


class ScheduleState(NamedTuple):
    """State of :func:`schedule`.

    Attributes:
        boundaries: int32 ``[K]``, the update indices at which the schedule acts, ascending.
        targets: int32 ``[K]``, the index of the candidate that makes updates from each boundary on.
    """

    boundaries: jax.Array
    targets: jax.Array


def schedule(boundaries: Mapping[int, str | int]) -> Selector:
    """Switches at fixed update indices.

    ``schedule({0: "adam", 5: "sgd", 12: "adam"})`` has Adam make updates 0 to 4, SGD updates 5 to 11 and
    Adam every update from 12 on. The schedule acts only at its boundaries, so a switch made from the host
    with :func:`optswitch.set_active` holds until the next boundary. A boundary at 0 sets the candidate of
    the first update; without one, ``switch(initial=...)`` does.

    Args:
        boundaries: mapping from update index (an int >= 0) to the name or index of the candidate that makes
            the updates from that index on.

    Returns:
        A :class:`Selector` that reads no signal.

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)},
        ...     optswitch.selectors.schedule({0: "adam", 2: "sgd"}))
        >>> params = {"w": jnp.ones(3)}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     updates, state = tx.update(params, state, params)
        >>> optswitch.summary(state).switches
        [(2, 'adam', 'sgd')]
    """
    if not isinstance(boundaries, Mapping) or not boundaries:
        raise ValueError(
            f"schedule: expected a non-empty mapping from update index to candidate, e.g. "
            f"{{0: 'adam', 1000: 'sgd'}}; got {boundaries!r}."
        )
    for step in boundaries:
        if not isinstance(step, int) or isinstance(step, bool) or step < 0:
            raise ValueError(
                f"schedule: boundary {step!r} is not an update index; boundaries are ints >= 0, the index of "
                f"the first update a candidate makes."
            )
    steps = sorted(boundaries)

    def init(names):
        targets = [_names.resolve(boundaries[step], names, what=f"schedule at step {step}") for step in steps]
        return ScheduleState(jnp.asarray(steps, jnp.int32), jnp.asarray(targets, jnp.int32))

    def select(signals, state):
        at_boundary = state.boundaries == signals.step + 1
        target = state.targets[jnp.argmax(at_boundary)]
        return jnp.where(jnp.any(at_boundary), target, signals.active), state

    def initial(names):
        return _names.resolve(boundaries[0], names, what="schedule at step 0") if 0 in boundaries else None

    return Selector(init=init, select=select, initial=initial, name="schedule")


def custom(
    init_fn: Callable[[int], SelectorState],
    select_fn: Callable[[Signals, SelectorState], tuple[jax.Array, SelectorState]],
    *,
    needs_value: bool = False,
    reads: Sequence[str] | None = None,
) -> Selector:
    """A selector from two user functions.

    Args:
        init_fn: ``init_fn(num_candidates) -> state``, a pytree of arrays.
        select_fn: ``select_fn(signals, state) -> (next_index, state)``; the index chosen after update ``t``
            is the candidate for update ``t + 1``. An index out of range is ignored (the active candidate
            stays) and counted in the switch log, never clamped into a wrong route.
        needs_value: whether ``select_fn`` reads ``signals.loss``; then ``update`` must be given ``value=``.
        reads: which measured signals ``select_fn`` reads (default: all of ``grad_sq_norm``,
            ``update_sq_norm`` and ``update_dot_grad``); name fewer to skip their reductions.

    Returns:
        A :class:`Selector`.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> # Hand over to SGD once the gradient norm falls below 1.
        >>> small_grads = optswitch.selectors.custom(
        ...     lambda n: (),
        ...     lambda signals, state: (jnp.where(signals.grad_sq_norm < 1.0, 1, signals.active), state),
        ...     reads=["grad_sq_norm"])
        >>> tx = optswitch.switch([optax.adam(1e-2), optax.sgd(1e-2)], small_grads)
        >>> params = {"w": jnp.full(4, 0.1)}
        >>> updates, state = tx.update(params, tx.init(params), params)
        >>> optswitch.active(state)
        '1'
    """
    wanted = frozenset(MEASURED if reads is None else reads)
    unknown = wanted - REQUESTABLE
    if unknown:
        raise ValueError(f"custom: unknown signals {sorted(unknown)}; choose from {sorted(REQUESTABLE)}.")
    if needs_value:
        wanted |= {"loss"}
    return Selector(
        init=lambda names: init_fn(len(names)),
        select=select_fn,
        reads=wanted,
        name=getattr(select_fn, "__name__", "custom"),
    )
