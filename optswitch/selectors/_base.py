"""The selector protocol, and the two selectors that need no rule of their own: :func:`manual` and :func:`custom`."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from optswitch import _names
from optswitch.handoff import Handoff
from optswitch.signals import MEASURED, REQUESTABLE, Probe, Signals

SelectorState = Any
Reads = frozenset[str] | Mapping[str | int, frozenset[str]]


class SnapshotRequest(NamedTuple):
    """What a selector asks the switch to do with its snapshots after an update (see :class:`Snapshots`).

    Attributes:
        save: int32 ``[]``, the slot into which the parameters after this update are saved, or -1 for none.
        load: int32 ``[]``, the slot from which the parameters are then loaded (after ``save``), or -1 for
            none: the next update starts from them.
        keep_states: bool ``[]``, whether to keep a copy of every candidate's state as it is after this update.
        restore_states: bool ``[N]``, per candidate, whether its state goes back to the kept copy.
    """

    save: jax.Array
    load: jax.Array
    keep_states: jax.Array
    restore_states: jax.Array


class Snapshots(NamedTuple):
    """A selector's request for parameter snapshots: slots the switch keeps, saved and loaded at its word.

    Opt-in and parameter-sized: a selector that declares none costs nothing. After each update whose signals
    are finite, the switch reads ``request(selector_state)`` from the selector's new state and, only when it
    asks for something, runs it under one ``lax.cond``: first ``save`` (the parameters after the update into
    a slot), then ``load`` (the next update starts from a slot's parameters), then the candidates' states
    (keep a copy of all of them; put some back). With ``update_and_apply`` a load writes the parameters; with
    ``update`` it returns ``snapshot - params`` as the update, which lands on the snapshot up to the rounding
    of ``params + (snapshot - params)``, and only when nothing after the switch changes its updates (see
    :func:`optswitch.switch`).

    Attributes:
        slots: how many parameter-sized snapshots the switch keeps, at least 1.
        request: ``request(selector_state) -> SnapshotRequest``, a pure function of the selector's state.
        candidate_states: whether the switch keeps one copy of every candidate's state, for
            ``SnapshotRequest.keep_states`` and ``restore_states``.
        all_or_none: whether a request restores every candidate's state or none (the switch then reads
            ``restore_states`` as its ``any``). Copies that share one state
            (:func:`optswitch.learning_rate_multiples`) are allowed only then: restoring one copy's state alone
            would move its siblings'.
        on_skip: ``on_skip(selector_state) -> (SnapshotRequest, selector_state)``, or None. After an update whose
            signals are not finite, the selector's state is left as it was and, by default, nothing is asked
            for; with ``on_skip`` the switch runs the request it returns, and keeps the state it returns, so
            that a selector can put back parameters that a candidate has just sent to infinity. With ``update``,
            parameters that are no longer finite cannot be put back (``params + (snapshot - params)`` is not
            finite either): use ``update_and_apply``.
        busy: ``busy(selector_state) -> bool []``, or None. Whether the selector is in the middle of work that its
            snapshots will finish (a round of trials under way). Only a selector that says when it is busy can be
            wrapped by :func:`undo_if_worse` or :func:`step_down`: they leave the picks, the parameters and the
            skipped updates to it while it is busy and at the updates where it asks for something, and guard the
            rest of the run (``undo_if_worse(step_down(trials(...), ...), ...)``).
    """

    slots: int
    request: Callable[[Any], SnapshotRequest]
    candidate_states: bool = False
    all_or_none: bool = False
    on_skip: Callable[[Any], tuple[SnapshotRequest, Any]] | None = None
    busy: Callable[[Any], jax.Array] | None = None


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
        bind: ``bind(names) -> Selector``, for a selector whose settings name candidates (an ``order``, a
            schedule's targets): the selector for these candidates, its settings resolved to indices and
            closed over, so that they are decided by the transformation and never read from a state (a state
            carries only progress). :func:`optswitch.switch` binds its selector once, to its names; to call
            ``select`` yourself, use :meth:`bound`. None for a selector that needs no names.
        snapshots: :class:`Snapshots`, for a selector that saves and restores the parameters (and the
            candidates' states) at the ends of its windows; None for none.
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
    bind: Callable[[tuple[str, ...]], "Selector"] | None = None
    snapshots: Snapshots | None = None
    explain: Callable[[Signals, SelectorState, SelectorState], tuple[Any, Callable[..., str]]] | None = None

    def bound(self, names: Sequence[str]) -> "Selector":
        """This selector for the candidates ``names`` (in order): the one whose ``select`` the switch runs."""
        return self if self.bind is None else self.bind(tuple(names))

    @property
    def needs_value(self) -> bool:
        """Whether ``update`` must be given the loss as ``value=``: ``"loss"`` is in :attr:`reads`."""
        if isinstance(self.reads, Mapping):
            return any("loss" in as_signals(wanted) for wanted in self.reads.values())
        return "loss" in as_signals(self.reads)

    def reads_for(self, names: Sequence[str]) -> tuple[frozenset[str], ...]:
        """What ``select`` reads after an update by each candidate, in the candidates' order.

        Raises:
            ValueError: for an unknown signal or candidate, or ``"probe"`` read by a selector without one.
        """
        if isinstance(self.reads, Mapping):
            per_candidate: list[frozenset[str]] = [frozenset()] * len(names)
            for key, wanted in self.reads.items():
                per_candidate[_names.resolve(key, names, what=f"{self.name} reads")] |= as_signals(wanted)
        else:
            per_candidate = [as_signals(self.reads)] * len(names)
        for wanted in per_candidate:
            unknown = wanted - REQUESTABLE
            if unknown:
                raise ValueError(f"{self.name}: unknown signals {sorted(unknown)}; choose from {sorted(REQUESTABLE)}.")
            if "probe" in wanted and self.probe is None:
                raise ValueError(f"{self.name}: reads 'probe' but has no probe; give the Selector a Probe.")
        return tuple(per_candidate)


def with_loss(reads: Reads) -> frozenset[str]:
    """``reads`` as one set for every candidate, with ``"loss"`` added: what a wrapper that reads the loss after
    every update reads, whatever the selector it wraps reads after some candidates' updates only."""
    if isinstance(reads, Mapping):
        return frozenset().union(*map(as_signals, reads.values())) | {"loss"}
    return as_signals(reads) | {"loss"}


def as_signals(reads) -> frozenset[str]:
    """``reads`` as a set of signal names: a string is one signal (``"loss"``), not its letters."""
    if isinstance(reads, str):
        return frozenset({reads})
    if not isinstance(reads, Iterable):
        raise TypeError(f"reads={reads!r}; pass a signal's name or a list of them, e.g. ['loss', 'grad_sq_norm'].")
    return frozenset(reads)


def for_names(build: Callable[[tuple[str, ...] | None], Selector]) -> Selector:
    """A selector whose settings name candidates: ``build(names)`` makes it for given names (see ``Selector.bind``).

    The selector returned works before it is bound wherever names are given (``init``, ``initial``); its
    ``select``, which is given no names, raises until :meth:`Selector.bound` has resolved them.
    """
    template = build(None)

    def unbound(signals, state):
        raise TypeError(
            f"{template.name}: select needs the candidates' names to resolve its settings; call "
            f"selector.bound(names).select(signals, state), as optswitch.switch does."
        )

    return template._replace(
        init=lambda names: build(tuple(names)).init(names),
        select=unbound,
        initial=lambda names: build(tuple(names)).initial(names),
        bind=build,
    )


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
        reads: which signals ``select_fn`` reads, a name or a list of names (default: all of ``grad_sq_norm``,
            ``update_sq_norm`` and ``update_dot_grad``); name fewer to skip their reductions. Name ``"loss"`` to read
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
    for label, fn in (("init_fn", init_fn), ("select_fn", select_fn)):
        if not callable(fn):
            raise TypeError(
                f"custom: {label} is a {type(fn).__name__}, not a function; pass custom(init_fn, select_fn), "
                f"init_fn(names) -> state and select_fn(signals, state) -> (next_index, state)."
            )
    wanted = as_signals(MEASURED if reads is None else reads)
    unknown = wanted - REQUESTABLE
    if unknown:
        raise ValueError(f"custom: unknown signals {sorted(unknown)}; choose from {sorted(REQUESTABLE)}.")
    if ("probe" in wanted) != (probe is not None):
        raise ValueError("custom: pass probe= together with 'probe' in reads=, or neither.")
    name = getattr(select_fn, "__name__", "custom")

    def select(signals, state):
        chosen = select_fn(signals, state)
        if not isinstance(chosen, tuple | list) or len(chosen) != 2:
            raise TypeError(
                f"custom: select_fn {name} returned {_describe(chosen)}; it must return a pair (next_index, "
                f"new_state), e.g. return jnp.where(signals.loss < 1.0, 1, signals.active), state."
            )
        index = chosen[0]
        if isinstance(index, str) or (not hasattr(index, "dtype") and not isinstance(index, int)):
            raise TypeError(
                f"custom: select_fn {name} returned {index!r} as next_index; it must be a candidate's index, an "
                f"integer scalar: for a name, look its index up in init_fn's names (names.index({index!r}))."
            )
        return tuple(chosen)

    return Selector(init=init_fn, select=select, reads=wanted, name=name, probe=probe)


def _describe(value) -> str:
    """What ``value`` is, briefly, for an error message."""
    shape = getattr(value, "shape", None)
    return f"a {type(value).__name__}" + ("" if shape is None else f" of shape {tuple(shape)}")


def selector_chain(state: Any) -> list[Any]:
    """A selector's state, then, for a wrapper's (a guard, ``step_down``), that of the selector it wraps, and so on."""
    chain = []
    while state is not None:
        chain.append(state)
        state = getattr(state, "inner", None)
    return chain
