"""The selector protocol, and the two selectors that need no rule of their own: :func:`manual` and :func:`custom`."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from optswitch import _names
from optswitch.handoff import Handoff
from optswitch.signals import MEASURED, REQUESTABLE, Probe, Signals

SelectorState = Any
Reads = frozenset[str] | Mapping[str | int, frozenset[str]]


class Selector(NamedTuple):
    """A rule that picks the candidate for the next update, run on device after each update.

    Attributes:
        init: ``init(names) -> state``: the selector's initial state, a pytree of arrays, given the
            candidates' names in order. It may raise to reject a configuration (an unknown name, say):
            :func:`optswitch.switch` calls it once when it is built, so mistakes surface there.
        select: ``select(signals, state) -> (index, state)``: after update ``signals.step``, the index
            (an int32 scalar) of the candidate that makes the next update, and the new state. Pure and
            jittable.
        reads: the signals ``select`` reads, out of ``"loss"``, ``"grad_sq_norm"``, ``"update_sq_norm"``,
            ``"update_dot_grad"`` and ``"probe"``; the others are not computed and hold NaN. ``step``,
            ``active``, ``steps_in_active`` and ``extra`` are always there. Either one set for every
            candidate, or a mapping from candidate (name or index) to what the selector reads after that
            candidate's updates, the candidates left out reading nothing: each measured signal is a full pass
            over the parameters, so a selector that needs a reduction only while one candidate is active
            (SWATS) says so, and the other candidates' updates skip it.
        initial: ``initial(names) -> index | None``: the candidate the selector wants for update 0, or None
            to leave that to ``switch(initial=...)``.
        name: what the selector is, for summaries.
        handoff: a :class:`optswitch.handoff.Handoff` that the switch runs on the update after each switch,
            after its ``on_switch``: for a selector whose decision sets something in the incoming
            candidate's state (SWATS sets SGD's learning rate). None for none.
        probe: a :class:`optswitch.Probe`, a measurement beyond the core signals, which ``select`` reads as
            ``signals.probe`` after the updates of the candidates whose ``reads`` include ``"probe"``.
        explain: ``explain(signals, before, after) -> (numbers, text)``, why the selector switched, for
            ``switch(on_event=...)``: traced only on the update where it switches, it returns a pytree of
            arrays read from ``signals`` and the selector's states before and after ``select``, and
            ``text(numbers, names) -> str``, run on the host with ``numbers`` as NumPy arrays (e.g.
            ``"scheduled at 50"``). None: the event says which selector chose.
    """

    init: Callable[[tuple[str, ...]], SelectorState]
    select: Callable[[Signals, SelectorState], tuple[jax.Array, SelectorState]]
    reads: Reads = frozenset()
    initial: Callable[[tuple[str, ...]], int | None] = lambda names: None
    name: str = "selector"
    handoff: Handoff | None = None
    probe: Probe | None = None
    explain: Callable[[Signals, SelectorState, SelectorState], tuple[Any, Callable[..., str]]] | None = None

    @property
    def needs_value(self) -> bool:
        """Whether ``update`` must be given the loss as ``value=``: ``"loss"`` is in :attr:`reads`."""
        if isinstance(self.reads, Mapping):
            return any("loss" in wanted for wanted in self.reads.values())
        return "loss" in self.reads

    def reads_for(self, names: Sequence[str]) -> tuple[frozenset[str], ...]:
        """What ``select`` reads after an update by each candidate, in the candidates' order.

        Raises:
            ValueError: for an unknown signal or candidate, or ``"probe"`` read by a selector without one.
        """
        if isinstance(self.reads, Mapping):
            per_candidate: list[frozenset[str]] = [frozenset()] * len(names)
            for key, wanted in self.reads.items():
                per_candidate[_names.resolve(key, names, what=f"{self.name} reads")] |= frozenset(wanted)
        else:
            per_candidate = [frozenset(self.reads)] * len(names)
        for wanted in per_candidate:
            unknown = wanted - REQUESTABLE
            if unknown:
                raise ValueError(f"{self.name}: unknown signals {sorted(unknown)}; choose from {sorted(REQUESTABLE)}.")
            if "probe" in wanted and self.probe is None:
                raise ValueError(f"{self.name}: reads 'probe' but has no probe; give the Selector a Probe.")
        return tuple(per_candidate)


def default_float() -> jnp.dtype:
    """The default float dtype of a selector's state: float32, or float64 under ``jax_enable_x64``."""
    return jnp.dtype(jnp.result_type(float))


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


def custom(
    init_fn: Callable[[tuple[str, ...]], SelectorState],
    select_fn: Callable[[Signals, SelectorState], tuple[jax.Array, SelectorState]],
    *,
    reads: Sequence[str] | None = None,
    probe: Probe | None = None,
) -> Selector:
    """A selector from two user functions.

    Args:
        init_fn: ``init_fn(names) -> state``, a pytree of arrays, given the candidates' names in order (as
            :attr:`Selector.init`).
        select_fn: ``select_fn(signals, state) -> (next_index, state)``; the index chosen after update ``t``
            is the candidate for update ``t + 1``. An index out of range is ignored (the active candidate
            stays) and counted in the switch log, never clamped into a wrong route.
        reads: which signals ``select_fn`` reads (default: all of ``grad_sq_norm``, ``update_sq_norm`` and
            ``update_dot_grad``); name fewer to skip their reductions. Name ``"loss"`` to read
            ``signals.loss``: then ``update`` must be given ``value=``. Name ``"probe"`` to read what
            ``probe`` measures.
        probe: a :class:`optswitch.Probe`, for a measurement beyond the core signals.

    Returns:
        A :class:`Selector`.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> # Hand over to SGD once the gradient norm falls below 1.
        >>> small_grads = optswitch.selectors.custom(
        ...     lambda names: (),
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
    if ("probe" in wanted) != (probe is not None):
        raise ValueError("custom: pass probe= together with 'probe' in reads=, or neither.")
    return Selector(
        init=init_fn,
        select=select_fn,
        reads=wanted,
        name=getattr(select_fn, "__name__", "custom"),
        probe=probe,
    )
