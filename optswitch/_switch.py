"""switch(): one optax transformation that routes each update to one of several candidate optimizers."""

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax

from optswitch import _names
from optswitch import handoff as handoff_lib
from optswitch import selectors as selectors_lib
from optswitch.signals import MEASURED, Signals, as_axes, combine, measure, varying_axes


class SwitchLog(NamedTuple):
    """Which candidate ran when: the part of :class:`SwitchState` that :func:`optswitch.summary` reads.

    Attributes:
        counts: int32 ``[N]``, updates made by each candidate.
        num_switches: int32 ``[]``, switches made since ``init``, by the selector or by
            :func:`optswitch.set_active`.
        steps: int32 ``[H]``, a ring buffer over the latest ``H = history`` switches: switch number ``s``
            is at position ``s % H`` and holds the index of the first update made by the new candidate.
        sources: int32 ``[H]``, the candidate switched from, same positions.
        targets: int32 ``[H]``, the candidate switched to, same positions.
        skipped: int32 ``[]``, updates whose signals (those the selector reads) were not finite; the
            selector did not see them and no switch followed them.
        invalid: int32 ``[]``, choices out of range that the selector made; each was ignored and the active
            candidate stayed.
    """

    counts: jax.Array
    num_switches: jax.Array
    steps: jax.Array
    sources: jax.Array
    targets: jax.Array
    skipped: jax.Array
    invalid: jax.Array


class SwitchState(NamedTuple):
    """State of :func:`switch`: arrays only, so it checkpoints and restores exactly.

    Attributes:
        active: int32 ``[]``, index of the candidate that makes the next update.
        previous: int32 ``[]``, index of the candidate that made the last update; it differs from ``active``
            between a switch and the update that follows it, which runs the handoff.
        step: int32 ``[]``, updates made so far.
        candidate_states: tuple with every candidate's optax state, in candidate order.
        selector_state: the selector's state.
        probe_state: the state of the selector's :class:`optswitch.Probe` (e.g. a moving average of the
            gradient, parameter-sized), or ``()`` for a selector without one.
        log: the :class:`SwitchLog`.
        names: uint8 ``[N, L]``, the candidates' names as zero-padded UTF-8, so that the state alone says
            which candidate index ``k`` is (see :func:`optswitch.summary`).
    """

    active: jax.Array
    previous: jax.Array
    step: jax.Array
    candidate_states: tuple
    selector_state: Any
    probe_state: Any
    log: SwitchLog
    names: jax.Array


class SwitchTransformation(optax.GradientTransformationExtraArgs):
    """What :func:`switch` returns: an ``optax.GradientTransformationExtraArgs`` with a fused step.

    ``init`` and ``update`` behave as in any optax transformation. :meth:`update_and_apply` is for train
    steps that own their parameters: it applies the update inside the routing branch, which saves a pass
    over the parameters and the parameter-sized buffer of updates that ``update`` has to return.
    """

    __slots__ = ()

    def update_and_apply(self, grads, state: SwitchState, params, **extra_args) -> tuple[Any, SwitchState]:
        """Returns ``(optax.apply_updates(params, updates), new_state)`` for ``update(grads, state, params)``.

        Args:
            grads: the gradients.
            state: the switch's state.
            params: the parameters (required).
            **extra_args: as for ``update``, e.g. ``value=loss``.

        Returns:
            The new parameters and the new state.
        """
        return self.update.__self__.update_and_apply(grads, state, params, **extra_args)


def switch(
    candidates: Mapping[str, optax.GradientTransformation] | Sequence[optax.GradientTransformation],
    selector: selectors_lib.Selector | None = None,
    *,
    initial: str | int | None = None,
    inactive: str = "freeze",
    on_switch: str | handoff_lib.Handoff | Any = "resume",
    axis_name: str | None = None,
    history: int = 64,
) -> SwitchTransformation:
    """Carries several optimizers and routes each update to the one a selector picks, inside jit.

    The state holds every candidate's state, the selector's state and a log of the switches. Each update goes
    through one ``jax.lax.switch`` to the active candidate only, so a switch changes data, never the
    program: the train step compiles once. After each update the selector reads a few scalars of the run
    (:class:`optswitch.Signals`) and picks the candidate for the next update.

    Args:
        candidates: name -> optax transformation (the order gives the indices), or a sequence (named "0",
            "1", ...). Extra arguments given to ``update`` reach every candidate that accepts them (those
            built as ``GradientTransformationExtraArgs``) and the selector.
        selector: picks the candidate; default :func:`optswitch.selectors.manual` (changes only through
            :func:`optswitch.set_active`).
        initial: name or index of the candidate that makes the first update; default the selector's own
            choice, if it has one, else the first candidate.
        inactive: ``"freeze"`` (only the active candidate's state changes) or ``"track"`` (every candidate
            steps on every gradient, at N times the cost, and only the active one's updates are returned, so
            a switch lands on a warm state).
        on_switch: what the incoming candidate starts from: ``"resume"`` (its state as it was when it was
            last active), ``"reset"`` (a fresh ``init``), or a handoff ``fn(from_state, to_state, context)
            -> to_state`` (see :mod:`optswitch.handoff`). It runs only on the update after a switch, followed
            by the selector's own handoff if it has one (:attr:`optswitch.selectors.Selector.handoff`).
        axis_name: under ``shard_map`` or ``pmap``, the mesh axis (or tuple of axes) along which every
            device must make the same choice: the loss is averaged over it and the measured signals are
            summed over the shards it splits (see :func:`optswitch.signals.combine`). Inside ``shard_map``
            a choice that still differs from device to device raises an error; under ``pmap`` or
            ``check_vma=False`` JAX cannot tell, and the replicas would silently diverge.
        history: how many of the latest switches the log keeps, at least 1.

    Returns:
        A :class:`SwitchTransformation` (an ``optax.GradientTransformationExtraArgs``).

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2, momentum=0.9)},
        ...     optswitch.selectors.schedule({0: "adam", 50: "sgd"}))
        >>> params = {"w": jnp.ones(3)}
        >>> state = tx.init(params)
        >>> @jax.jit
        ... def step(params, state):
        ...     grads = jax.grad(lambda p: jnp.sum(p["w"] ** 2))(params)
        ...     updates, state = tx.update(grads, state, params)
        ...     return optax.apply_updates(params, updates), state
        >>> for _ in range(100):
        ...     params, state = step(params, state)
        >>> print(optswitch.summary(state))
        optswitch.switch: 2 candidates, 100 updates, 1 switch, active: sgd
          candidate  updates
          adam            50
          sgd*            50
          switches (first update: from -> to):
                50: adam -> sgd
    """
    router = _Router(candidates, selector, initial, inactive, on_switch, axis_name, history)
    return SwitchTransformation(router.init, router.update)


def _as_candidates(candidates) -> tuple[tuple[str, ...], tuple[optax.GradientTransformationExtraArgs, ...]]:
    if isinstance(candidates, Mapping):
        names, transforms = tuple(candidates.keys()), tuple(candidates.values())
        bad = [name for name in names if not isinstance(name, str) or not name]
        if bad:
            raise TypeError(f"switch: candidate names must be non-empty strings; got {bad}.")
    elif isinstance(candidates, Sequence) and not isinstance(candidates, str):
        transforms = tuple(candidates)
        names = tuple(str(k) for k in range(len(transforms)))
    else:
        raise TypeError(
            f"switch: candidates must be a mapping name -> optax transformation or a sequence of them; got "
            f"{type(candidates).__name__}."
        )
    if not transforms:
        raise ValueError(
            "switch: no candidates; pass at least one optax transformation, e.g. "
            "switch({'adam': optax.adam(1e-3), 'sgd': optax.sgd(1e-2)})."
        )
    for name, transform in zip(names, transforms, strict=True):
        if not (callable(getattr(transform, "init", None)) and callable(getattr(transform, "update", None))):
            raise TypeError(
                f"switch: candidate {name!r} is a {type(transform).__name__}, not an optax "
                f"GradientTransformation; pass e.g. optax.adam(1e-3), not optax.adam."
            )
    return names, tuple(optax.with_extra_args_support(transform) for transform in transforms)


def _unshared(tree):
    """``tree`` with every leaf an array of its own: a leaf met again (the same object) is copied.

    An ``init`` may put one array in two fields (``zero`` for two averages); XLA refuses to donate a buffer
    twice ("Attempt to donate the same buffer twice"), so a train step that donates the state would fail.
    Done before :func:`_strong`, whose conversions may wrap one buffer in two objects.
    """
    seen = set()

    def own(leaf):
        if id(leaf) in seen:
            return jnp.copy(leaf)
        seen.add(id(leaf))
        return leaf

    return jax.tree.map(own, tree)


def _strong(tree):
    """Drops weak types, so that an update that returns strongly typed leaves does not retrace the step."""
    return jax.tree.map(lambda x: lax.convert_element_type(x, jnp.result_type(x)), tree)


class _Router:
    """The configuration of one switch, and the functions that :func:`switch` returns."""

    def __init__(self, candidates, selector, initial, inactive, on_switch, axis_name, history):
        self.names, self.candidates = _as_candidates(candidates)
        self.selector = selectors_lib.manual() if selector is None else selector
        if not isinstance(self.selector, selectors_lib.Selector):
            raise TypeError(
                f"switch: selector must be an optswitch.selectors.Selector (e.g. selectors.schedule(...), or "
                f"selectors.custom(init_fn, select_fn) for your own rule); got {type(selector).__name__}."
            )
        if inactive not in ("freeze", "track"):
            raise ValueError(f"switch: inactive={inactive!r}; use 'freeze' or 'track'.")
        self.track = inactive == "track"
        handoffs = [handoff for handoff in (handoff_lib.resolve(on_switch), self.selector.handoff) if handoff]
        self.handoff = handoff_lib.chain(*handoffs) if handoffs else None
        if not isinstance(history, int) or isinstance(history, bool) or history < 1:
            raise ValueError(f"switch: history={history!r}; it is the length of the switch log, an int >= 1.")
        self.history = history
        self.axis_name = axis_name
        self.reads = self.selector.reads_for(self.names)
        self.measured_layout = frozenset().union(*self.reads) & MEASURED
        self.probe = self.selector.probe
        # Build the selector's state once now, abstractly, so that its configuration errors surface here.
        jax.eval_shape(lambda: self.selector.init(self.names))
        self.initial = self._initial(initial)

    def _initial(self, initial) -> int:
        preferred = self.selector.initial(self.names)
        if initial is None:
            return 0 if preferred is None else preferred
        index = _names.resolve(initial, self.names, what="switch(initial=...)")
        if preferred is not None and preferred != index:
            raise ValueError(
                f"switch: initial={initial!r} conflicts with the {self.selector.name} selector, which starts "
                f"with {self.names[preferred]!r}; drop one of the two."
            )
        return index

    def init(self, params) -> SwitchState:
        n = len(self.candidates)
        # Separate buffers each, so that a train step may donate the whole state.
        ring = lambda: jnp.zeros([self.history], jnp.int32)
        scalar = lambda value: jnp.asarray(value, jnp.int32)
        candidate_states, selector_state, probe_state = _unshared(
            (
                tuple(c.init(params) for c in self.candidates),
                self.selector.init(self.names),
                () if self.probe is None else self.probe.init(params),
            )
        )
        state = SwitchState(
            active=scalar(self.initial),
            previous=scalar(self.initial),
            step=scalar(0),
            candidate_states=_strong(candidate_states),
            selector_state=_strong(selector_state),
            probe_state=_strong(probe_state),
            log=SwitchLog(
                counts=jnp.zeros([n], jnp.int32),
                num_switches=scalar(0),
                steps=ring(),
                sources=ring(),
                targets=ring(),
                skipped=scalar(0),
                invalid=scalar(0),
            ),
            names=jnp.asarray(_names.encode(self.names)),
        )
        if self.handoff is not None and n > 1:
            # Trace every handoff now, abstractly, so that one that cannot run fails at init, not mid-training.
            hand_over_all = lambda s: [self._hand_over(k, s.candidate_states, s, params, params) for k in range(n)]
            jax.eval_shape(hand_over_all, state)
        return state

    def update(self, updates, state: SwitchState, params=None, **extra_args):
        return self._step(updates, state, params, apply=False, **extra_args)

    def update_and_apply(self, grads, state: SwitchState, params, **extra_args):
        if params is None:
            raise ValueError("update_and_apply: params is required, since it returns the updated params.")
        return self._step(grads, state, params, apply=True, **extra_args)

    # The update path.

    def _step(self, updates, state: SwitchState, params, *, apply: bool, **extra_args):
        self._check(state, extra_args)
        route = self._route_tracking if self.track else self._route
        out, candidate_states, probe_state, measured = route(updates, state, params, apply, extra_args)
        return out, self._decide(state, candidate_states, probe_state, measured, extra_args)

    def _check(self, state, extra_args):
        if not isinstance(state, SwitchState):
            raise TypeError(
                f"switch: expected the SwitchState made by this transformation's init, got "
                f"{type(state).__name__}; pass the state returned by init() or by the previous update()."
            )
        if len(state.candidate_states) != len(self.candidates):
            raise ValueError(
                f"switch: the state holds {len(state.candidate_states)} candidate states but this switch has "
                f"{len(self.candidates)} candidates {list(self.names)}; it was made by another switch."
            )
        if self.selector.needs_value and extra_args.get("value") is None:
            raise ValueError(
                f"switch: the {self.selector.name} selector reads the loss, but update() was called without "
                f"value=. Pass it: tx.update(grads, state, params, value=loss), or with flax "
                f"nnx.Optimizer: optimizer.update(model, grads, value=loss). Flax linen's "
                f"TrainState.apply_gradients forwards no extra arguments: call tx.update yourself there."
            )
        if "value" in extra_args and extra_args["value"] is not None and jnp.ndim(extra_args["value"]) != 0:
            raise ValueError(
                f"switch: value must be the scalar loss, got shape {jnp.shape(extra_args['value'])}; "
                f"reduce it first (e.g. loss.mean())."
            )

    def _branch(self, k: int, handoff: bool, apply: bool, state: SwitchState, extra_args):
        """The computation of candidate ``k``, after its handoff if ``handoff``."""
        candidate = self.candidates[k]

        def branch(updates, candidate_states, probe_state, params):
            if handoff:
                candidate_states = self._hand_over(k, candidate_states, state, params, updates)
            new_updates, new_state = candidate.update(updates, candidate_states[k], params, **extra_args)
            new_updates = optax.tree.cast_like(new_updates, updates)
            candidate_states = _replace(candidate_states, k, self._conform(k, new_state, candidate_states[k]))
            measured, probe_state = self._measure(self.reads[k], updates, new_updates, probe_state)
            out = optax.apply_updates(params, new_updates) if apply else new_updates
            return out, candidate_states, probe_state, measured

        return branch

    def _measure(self, reads, grads, updates, probe_state):
        """The signals in ``reads`` as partial sums (NaN for the others), and the probe's new state."""
        measured = measure(grads, updates, reads & MEASURED, self.axis_name, layout=self.measured_layout)
        if self.probe is None:
            return measured, probe_state
        if "probe" in reads:
            values, new_probe_state = self.probe.measure(grads, updates, probe_state)
            measured["probe"] = values
            return measured, _strong(optax.tree.cast_like(new_probe_state, probe_state))
        shapes = jax.eval_shape(self.probe.measure, grads, updates, probe_state)[0]
        measured["probe"] = jax.tree.map(lambda shape: jnp.full(shape.shape, jnp.nan, shape.dtype), shapes)
        return measured, probe_state

    def _route(self, updates, state, params, apply, extra_args):
        n = len(self.candidates)
        index = state.active
        handoffs = [False]
        if self.handoff is not None and n > 1:
            # Branch n + k runs candidate k after its handoff: still one conditional per update.
            handoffs.append(True)
            index = index + n * _pending(state)
        branches = [self._branch(k, handoff, apply, state, extra_args) for handoff in handoffs for k in range(n)]
        return lax.switch(index, branches, updates, state.candidate_states, state.probe_state, params)

    def _route_tracking(self, updates, state, params, apply, extra_args):
        n = len(self.candidates)
        candidate_states = state.candidate_states
        if self.handoff is not None and n > 1:
            into = lambda k: lambda states: self._hand_over(k, states, state, params, updates)
            keep = lambda states: states
            index = _pending(state) * (state.active + 1)
            candidate_states = lax.switch(index, [keep] + [into(k) for k in range(n)], candidate_states)
        results = [
            candidate.update(updates, candidate_state, params, **extra_args)
            for candidate, candidate_state in zip(self.candidates, candidate_states, strict=True)
        ]
        new_updates = jax.tree.map(
            lambda *leaves: lax.select_n(state.active, *leaves),
            *[optax.tree.cast_like(candidate_updates, updates) for candidate_updates, _ in results],
        )
        candidate_states = tuple(
            self._conform(k, new_state, old_state)
            for k, ((_, new_state), old_state) in enumerate(zip(results, candidate_states, strict=True))
        )
        # Every candidate runs, so measure what any of them reads, then keep what the active one reads.
        measured, probe_state = self._measure(frozenset().union(*self.reads), updates, new_updates, state.probe_state)
        reading = lambda name: jnp.asarray([name in reads for reads in self.reads])[state.active]
        measured = {
            name: jax.tree.map(lambda value, name=name: jnp.where(reading(name), value, jnp.nan), values)
            for name, values in measured.items()
        }
        probe_state = optax.tree.where(reading("probe"), probe_state, state.probe_state)
        out = optax.apply_updates(params, new_updates) if apply else new_updates
        return out, candidate_states, probe_state, measured

    def _hand_over(self, k, candidate_states, state, params, updates) -> tuple:
        """The candidates' states after the handoff from ``state.previous`` into candidate ``k``."""
        context = handoff_lib.Context(
            step=state.step,
            source=state.previous,
            target=k,
            selector_state=state.selector_state,
            fresh_state=_strong(self.candidates[k].init(updates if params is None else params)),
            names=self.names,
        )
        to_state = candidate_states[k]

        def from_source(j):
            if j == k:  # Never taken: a handoff into k comes from another candidate.
                return lambda: to_state
            handed = lambda: self.handoff.fn(candidate_states[j], to_state, context)
            return lambda: self._conform(k, handed(), to_state, "handoff")

        if self.handoff.reads_source:
            new_state = lax.switch(state.previous, [from_source(j) for j in range(len(self.candidates))])
        else:
            new_state = self._conform(k, self.handoff.fn(None, to_state, context), to_state, "handoff")
        return _replace(candidate_states, k, new_state)

    def _conform(self, k, new_state, old_state, what="update"):
        """``new_state`` with the dtypes of ``old_state``: ``lax.switch`` needs every branch to agree."""
        if jax.tree.structure(new_state) != jax.tree.structure(old_state) or any(
            jnp.shape(new) != jnp.shape(old)
            for new, old in zip(jax.tree.leaves(new_state), jax.tree.leaves(old_state), strict=True)
        ):
            raise ValueError(
                f"switch: the {what} of candidate {self.names[k]!r} changed the structure or shapes of its "
                f"state; a state must keep its structure, shapes and dtypes from one update to the next."
            )
        return jax.tree.map(lambda new, old: lax.convert_element_type(new, jnp.result_type(old)), new_state, old_state)

    # The decision.

    def _decide(self, state, candidate_states, probe_state, measured, extra_args) -> SwitchState:
        n = len(self.candidates)
        log = state.log
        active, step = state.active, state.step
        value = extra_args.get("value")
        loss = jnp.full([], jnp.nan, jnp.float32) if value is None else jnp.asarray(value, jnp.float32)
        probe = measured.pop("probe", ())
        measured = combine(measured, self.axis_name)
        if self.axis_name is not None:
            probe = lax.pmean(probe, as_axes(self.axis_name))
            if value is not None:
                loss = lax.pmean(loss, as_axes(self.axis_name))
        last = (log.num_switches - 1) % self.history
        switched_before = log.num_switches > 0
        signals = Signals(
            step=step,
            active=active,
            steps_in_active=jnp.where(switched_before, step - log.steps[last] + 1, step + 1),
            loss=loss,
            extra={name: arg for name, arg in extra_args.items() if name != "value"},
            probe=probe,
            **measured,
        )
        choice, selector_state = self.selector.select(signals, state.selector_state)
        selector_state = optax.tree.cast_like(selector_state, state.selector_state)
        choice = _as_index(choice, self.selector.name)
        finite = self._finite(signals, active)
        valid = (choice >= 0) & (choice < n)
        following = jnp.where(finite & valid, choice, active)
        self._check_same_on_every_device(following)
        switched = following != active
        position = log.num_switches % self.history
        record = lambda ring, entry: ring.at[position].set(jnp.where(switched, entry, ring[position]))
        log = SwitchLog(
            counts=log.counts.at[active].set(optax.safe_increment(log.counts[active])),
            num_switches=log.num_switches + switched.astype(jnp.int32),
            steps=record(log.steps, step + 1),
            sources=record(log.sources, active),
            targets=record(log.targets, following),
            skipped=log.skipped + (~finite).astype(jnp.int32),
            invalid=log.invalid + (finite & ~valid).astype(jnp.int32),
        )
        return SwitchState(
            active=following,
            previous=active,
            step=optax.safe_increment(step),
            candidate_states=candidate_states,
            selector_state=_strong(optax.tree.where(finite, selector_state, state.selector_state)),
            probe_state=probe_state,
            log=log,
            names=state.names,
        )

    def _check_same_on_every_device(self, following):
        varying = varying_axes(following)
        if varying:
            axes = tuple(sorted(varying | set(as_axes(self.axis_name))))
            suggestion = repr(axes[0]) if len(axes) == 1 else repr(axes)
            raise ValueError(
                f"switch: inside shard_map, the {self.selector.name} selector's choice differs from device to "
                f"device along mesh axes {sorted(varying)}: it reads values that each device computes from its "
                f"own data (the loss, gradients, or an extra argument), so each device would run its own "
                f"candidate, and the replicas would silently diverge, or deadlock in a candidate that holds a "
                f"collective (jax#40823). Pass switch(..., axis_name={suggestion}) "
                f"so that the signals are reduced over those axes and every device makes the same choice."
            )

    def _finite(self, signals: Signals, active) -> jax.Array:
        """Whether every signal that the selector reads while ``active`` is active is finite."""
        values, read_by = [], []
        for name in sorted(frozenset().union(*self.reads)):
            for value in jax.tree.leaves(getattr(signals, name)):
                values.append(value)
                read_by.append([name in reads for reads in self.reads])
        if not values:
            return jnp.asarray(True)
        read_now = jnp.asarray(np.array(read_by, bool).T)[active]
        return jnp.all(jnp.isfinite(jnp.stack(values)) | ~read_now)


def _pending(state: SwitchState) -> jax.Array:
    """1 on the update after a switch, whose handoff has yet to run; else 0."""
    return (state.active != state.previous).astype(jnp.int32)


def _replace(states: tuple, k: int, new_state) -> tuple:
    return (*states[:k], new_state, *states[k + 1 :])


def _as_index(choice, selector_name: str) -> jax.Array:
    dtype = jnp.result_type(choice)
    if jnp.shape(choice) != () or not (jnp.issubdtype(dtype, jnp.integer) or dtype == jnp.bool_):
        raise TypeError(
            f"switch: the {selector_name} selector must return a scalar integer candidate index, got "
            f"{dtype}{list(jnp.shape(choice))}."
        )
    return jnp.asarray(choice, jnp.int32)


def names_of(state: SwitchState) -> tuple[str, ...]:
    """The candidates' names, from the state alone."""
    return _names.decode(np.asarray(state.names))
