"""The configuration of one switch: what :func:`optswitch.switch` was given, checked and resolved once."""

import dataclasses
from collections.abc import Mapping, Sequence

import jax
import optax

from optswitch import _handoff_base, _multiples, _names, events
from optswitch import handoff as handoff_lib
from optswitch import selectors as selectors_lib
from optswitch.signals import MEASURED, Probe


@dataclasses.dataclass(frozen=True, eq=False)
class Config:
    """Everything the update path needs to know about a switch, fixed when it is built.

    Attributes:
        names: the candidates' names, in order.
        candidates: the candidates, each with extra-argument support.
        selector: the selector.
        track: whether every candidate steps on every gradient (``inactive="track"``).
        handoff: the handoff that runs on the update after a switch (``on_switch`` then the selector's own),
            or None when there is nothing to do.
        history: how many switches the log keeps.
        axis_name: the mesh axes along which every device makes the same choice, or None.
        reads: per candidate, the signals the selector reads while it is active.
        measured_layout: the measured signals any candidate reads: every branch returns these.
        probe: the selector's probe, or None.
        initial: index of the candidate that makes the first update.
        selector_state: the abstract shape of the selector's initial state (``jax.ShapeDtypeStruct`` leaves),
            what a state must hold to be run by this switch.
        owners: per candidate, the index of the candidate whose entry of ``candidate_states`` holds its state:
            its own, or for copies made by :func:`optswitch.learning_rate_multiples` that share a state, the
            first of them.
        branch_of: per candidate, the branch of the routing ``lax.switch`` that runs it (see :func:`_branches`).
        scales: per candidate, the multiple its branch scales the updates by: a shared branch runs the
            optimizer copied once and scales by the active copy's multiple, read at run time.
        emitter: what sends an event on each switch (``switch(on_event=...)``), or None.
    """

    names: tuple[str, ...]
    candidates: tuple[optax.GradientTransformationExtraArgs, ...]
    selector: selectors_lib.Selector
    track: bool
    handoff: handoff_lib.Handoff | None
    history: int
    axis_name: str | tuple[str, ...] | None
    reads: tuple[frozenset[str], ...]
    measured_layout: frozenset[str]
    probe: Probe | None
    initial: int
    selector_state: object
    owners: tuple[int, ...]
    branch_of: tuple[int, ...]
    scales: tuple[float, ...]
    emitter: events.Emitter | None = None

    @property
    def branch_heads(self) -> tuple[int, ...]:
        """Per branch of the routing switch, the first candidate it runs."""
        return tuple(self.branch_of.index(branch) for branch in range(max(self.branch_of) + 1))

    @property
    def shares_states(self) -> bool:
        """Whether some candidates share one optimizer state."""
        return self.owners != tuple(range(len(self.candidates)))

    def init_states(self, params) -> tuple:
        """The ``candidate_states`` of a fresh state: each candidate's ``init``, or a
        :class:`optswitch.SharedState` for a candidate whose state another candidate's entry holds."""
        return tuple(
            candidate.init(params)
            if owner == k
            else _multiples.SharedState(owner=jax.numpy.asarray(owner, jax.numpy.int32))
            for k, (candidate, owner) in enumerate(zip(self.candidates, self.owners, strict=True))
        )


def configure(candidates, selector, initial, inactive, on_switch, axis_name, history, on_event=None) -> Config:
    """Checks the arguments of :func:`optswitch.switch` and resolves them into a :class:`Config`.

    Raises:
        TypeError, ValueError: naming the argument and how to fix it.
    """
    names, transforms = _as_candidates(candidates)
    selector = selectors_lib.manual() if selector is None else selector
    if not isinstance(selector, selectors_lib.Selector):
        raise TypeError(
            f"switch: selector must be an optswitch.selectors.Selector (e.g. selectors.schedule(...), or "
            f"selectors.custom(init_fn, select_fn) for your own rule); got {type(selector).__name__}."
        )
    selector = selector.bound(names)  # its settings resolved for these names, so that no state overrides them
    if inactive not in ("freeze", "track"):
        raise ValueError(f"switch: inactive={inactive!r}; use 'freeze' or 'track'.")
    handoffs = [handoff for handoff in (_handoff_base.resolve(on_switch), selector.handoff) if handoff]
    if not isinstance(history, int) or isinstance(history, bool) or history < 1:
        raise ValueError(f"switch: history={history!r}; it is the length of the switch log, an int >= 1.")
    _check_axis_name(axis_name)
    owners = _multiples.state_owners(transforms)
    _check_sharing(names, owners, selector, inactive)
    reads = selector.reads_for(names)
    handoff = handoff_lib.chain(*handoffs) if handoffs else None
    # Build the selector's state once now, abstractly, so that its configuration errors surface here.
    selector_state = jax.eval_shape(lambda: selector.init(names))
    return Config(
        names=names,
        candidates=transforms,
        selector=selector,
        track=inactive == "track",
        handoff=handoff,
        history=history,
        axis_name=axis_name,
        reads=reads,
        measured_layout=frozenset().union(*reads) & MEASURED,
        probe=selector.probe,
        initial=_initial(initial, selector, names),
        emitter=_emitter(on_event, names, selector),
        selector_state=selector_state,
        owners=owners,
        branch_of=_branches(transforms, owners, reads, shared_branches=handoff is None and inactive == "freeze"),
        scales=tuple(float(t.multiple) if isinstance(t, _multiples.Multiple) else 1.0 for t in transforms),
    )


def _branches(transforms, owners: tuple[int, ...], reads, *, shared_branches: bool) -> tuple[int, ...]:
    """Per candidate, its branch of the routing switch.

    Copies of one optimizer that share its state (:class:`optswitch.Multiple`) and read the same signals share
    one branch, which runs the optimizer and scales its updates by the active copy's multiple: a switch over
    three candidates at two learning rates compiles three branches, not six. Not where a handoff runs (its
    branches are per candidate) or every candidate steps (``inactive="track"``).
    """
    branches: dict[tuple, int] = {}
    branch_of = []
    for k, (transform, owner) in enumerate(zip(transforms, owners, strict=True)):
        shares = shared_branches and isinstance(transform, _multiples.Multiple)
        branch_of.append(branches.setdefault((owner, reads[k]) if shares else (k,), len(branches)))
    return tuple(branch_of)


def _check_sharing(names: tuple[str, ...], owners: tuple[int, ...], selector, inactive: str) -> None:
    """Raises for settings that need every candidate's own state when some candidates share one."""
    shared = [name for k, (name, owner) in enumerate(zip(names, owners, strict=True)) if owner != k]
    if not shared:
        return
    fix = "or make the copies with learning_rate_multiples(..., share_state=False), each with its own state"
    if inactive == "track":
        raise ValueError(
            f"switch: inactive='track' steps every candidate's state on every gradient, but {shared} share one "
            f"with other candidates (learning_rate_multiples' copies), which would step it twice; use "
            f"inactive='freeze' (a shared state is never stale), {fix}."
        )
    snapshots = selector.snapshots
    if snapshots is not None and snapshots.candidate_states and not snapshots.all_or_none:
        raise ValueError(
            f"switch: the {selector.name} selector restores each candidate's own state from a snapshot, but "
            f"{shared} share one with other candidates (learning_rate_multiples' copies), so a trial of one "
            f"would move its siblings' start; use another selector (e.g. race), {fix}."
        )


def _check_axis_name(axis_name) -> None:
    axes = axis_name if isinstance(axis_name, tuple) else (axis_name,)
    if axis_name is not None and (not axes or not all(isinstance(axis, str) for axis in axes)):
        raise TypeError(
            f"switch: axis_name={axis_name!r}; pass the name of a mesh axis (a str) or a non-empty tuple of "
            f"them, as given to shard_map or pmap, or None outside them."
        )


def _as_candidates(candidates) -> tuple[tuple[str, ...], tuple[optax.GradientTransformationExtraArgs, ...]]:
    if isinstance(candidates, Mapping):
        names, transforms = tuple(candidates.keys()), tuple(candidates.values())
        bad = [name for name in names if not isinstance(name, str) or not name]
        if bad:
            raise TypeError(f"switch: candidate names must be non-empty strings; got {bad}.")
        _names.check(names)
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


def _initial(initial, selector: selectors_lib.Selector, names: tuple[str, ...]) -> int:
    preferred = selector.initial(names)
    if initial is None:
        return 0 if preferred is None else preferred
    index = _names.resolve(initial, names, what="switch(initial=...)")
    if preferred is not None and preferred != index:
        raise ValueError(
            f"switch: initial={initial!r} conflicts with the {selector.name} selector, which starts "
            f"with {names[preferred]!r}; drop one of the two."
        )
    return index


def _emitter(on_event, names: tuple[str, ...], selector: selectors_lib.Selector) -> events.Emitter | None:
    deliver = events.sink(on_event, "switch")
    return None if deliver is None else events.Emitter(deliver, names, selector)
