"""One ``lax.switch`` per update: the branches, their handoffs, their dtypes, and what each measures.

Every function takes the switch's :class:`optswitch._config.Config` first and knows nothing of any selector
beyond the signals it reads.
"""

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax
from jax import lax

from optswitch import _dtypes
from optswitch import handoff as handoff_lib
from optswitch._config import Config
from optswitch._reduce import measure
from optswitch._trees import replace_at, strong
from optswitch.signals import MEASURED


def route(config: Config, updates, state, params, apply: bool, extra_args):
    """Runs the active candidate (after its handoff, on the update after a switch) in one ``lax.switch``.

    Returns:
        ``(out, candidate_states, probe_state, measured)``: ``out`` is the updates, or the updated params if
        ``apply``; ``measured`` holds :func:`optswitch._reduce.measure`'s partial sums and the probe's values.
    """
    n = len(config.candidates)
    layout = _layout(config, updates, state.candidate_states, params, extra_args)
    index = state.active
    handoffs: list[bool | str] = [False]
    if config.handoff is not None and n > 1:
        if _changes_only_scalars(config, state, params, updates):
            # A handoff that only sets a few scalars (schedule counts, a learning rate) runs in every update and
            # is kept by a select on them when a switch is pending: N branches to compile instead of 2N.
            handoffs = ["select"]
        else:
            # Branch n + k runs candidate k after its handoff: still one conditional per update.
            handoffs.append(True)
            index = index + n * pending(config, state)
    if handoffs == [False] and config.branch_of != tuple(range(n)):
        # Copies of one optimizer share a branch (see _config._branches): it is chosen per candidate by a table.
        index = jnp.asarray(config.branch_of, jnp.int32)[index]
        heads = config.branch_heads
        branches = [_branch(config, k, False, apply, state, extra_args, layout) for k in heads]
    else:
        branches = [
            _branch(config, k, handoff, apply, state, extra_args, layout) for handoff in handoffs for k in range(n)
        ]
    return lax.switch(index, branches, updates, state.candidate_states, state.probe_state, params)


def _changes_only_scalars(config: Config, state, params, updates) -> bool:
    """Whether every handoff changes only scalars (rank 0) and never reads the outgoing candidate's state."""
    assert config.handoff is not None
    if config.handoff.reads_source:
        return False  # it would select the outgoing state in a conditional of its own, on every update
    for k in range(len(config.candidates)):
        jaxpr = jax.make_jaxpr(
            lambda states, k=k: hand_over(config, k, states, state, params, updates)[config.owners[k]]
        )(state.candidate_states).jaxpr
        kept = {id(var) for var in jaxpr.invars}
        changed = [var for var in jaxpr.outvars if id(var) not in kept]
        if any(getattr(var.aval, "shape", ()) != () for var in changed):
            return False
    return True


def route_tracking(config: Config, updates, state, params, apply: bool, extra_args):
    """As :func:`route` for ``inactive="track"``: every candidate steps, the active one's updates are kept."""
    n = len(config.candidates)
    candidate_states = state.candidate_states
    if config.handoff is not None and n > 1:
        into = lambda k: lambda states: hand_over(config, k, states, state, params, updates)
        keep = lambda states: states
        index = pending(config, state) * (state.active + 1)
        candidate_states = lax.switch(index, [keep] + [into(k) for k in range(n)], candidate_states)
    results = [
        candidate.update(updates, candidate_state, params, **extra_args)
        for candidate, candidate_state in zip(config.candidates, candidate_states, strict=True)
    ]
    layout = _settle(config, candidate_states, results)
    new_updates = jax.tree.map(
        lambda *leaves: lax.select_n(state.active, *leaves),
        *[_as_dtypes(candidate_updates, layout.updates) for candidate_updates, _ in results],
    )
    candidate_states = tuple(
        _dtypes.cast(new_state, dtypes, f"the update of candidate {name!r}")
        for name, (_, new_state), dtypes in zip(config.names, results, layout.states, strict=True)
    )
    # Every candidate runs, so measure what any of them reads, then keep what the active one reads.
    measured, probe_state = measure_branch(
        config, frozenset().union(*config.reads), updates, new_updates, state.probe_state
    )
    reading = lambda name: jnp.asarray([name in reads for reads in config.reads])[state.active]
    measured = {
        name: jax.tree.map(lambda value, name=name: jnp.where(reading(name), value, jnp.nan), values)
        for name, values in measured.items()
    }
    probe_state = optax.tree.where(reading("probe"), probe_state, state.probe_state)
    out = optax.apply_updates(params, new_updates) if apply else new_updates
    return out, candidate_states, probe_state, measured


class _Layout(NamedTuple):
    """What every branch returns, by dtype: ``updates`` for the updates, ``states`` per entry of
    ``candidate_states`` (None for an entry that holds a :class:`optswitch.SharedState`, which no branch changes)."""

    updates: object
    states: tuple


def _layout(config: Config, updates, candidate_states, params, extra_args) -> _Layout:
    """The dtypes every branch returns, from each candidate's update traced abstractly (no computation)."""
    results = [
        jax.eval_shape(functools.partial(candidate.update, **extra_args), updates, candidate_states[owner], params)
        for candidate, owner in zip(config.candidates, config.owners, strict=True)
    ]
    return _settle(config, candidate_states, results)


def _settle(config: Config, candidate_states, results) -> _Layout:
    for name, (_, new_state), owner in zip(config.names, results, config.owners, strict=True):
        _dtypes.check_tree(new_state, candidate_states[owner], f"the update of candidate {name!r}")
    if len(results) == 1:
        # One candidate: its own dtypes, narrower ones included, exactly as plain optax would keep them.
        ((new_updates, new_state),) = results
        return _Layout(updates=_dtypes.promoted([new_updates]), states=(_dtypes.promoted([new_state]),))
    return _Layout(
        updates=_dtypes.promoted([new_updates for new_updates, _ in results]),
        states=tuple(
            _dtypes.settled(old_state, new_state, widen=True) if owner == j else None
            for j, ((_, new_state), old_state, owner) in enumerate(
                zip(results, candidate_states, config.owners, strict=True)
            )
        ),
    )


def _as_dtypes(tree, dtypes):
    return jax.tree.map(lax.convert_element_type, tree, dtypes)


def _branch(config: Config, k: int, handoff: bool | str, apply: bool, state, extra_args, layout: _Layout):
    """The computation of candidate ``k``, after its handoff if ``handoff``; of every copy of its optimizer, if
    they share its branch."""
    candidate, owner = config.candidates[k], config.owners[k]
    shares_branch = config.branch_of.count(config.branch_of[k]) > 1
    if shares_branch:
        # The optimizer copied, its updates scaled by the active copy's multiple, as optax.scale scales them.
        candidate = _copied(candidate.candidate, jnp.asarray(config.scales, jnp.float32)[state.active])

    def branch(updates, candidate_states, probe_state, params):
        if handoff == "select":
            handed = hand_over(config, k, candidate_states, state, params, updates)[owner]
            on_switch = pending(config, state).astype(bool)
            keep = lambda new, old: old if new is old else jnp.where(on_switch, new, old)
            candidate_states = replace_at(candidate_states, owner, jax.tree.map(keep, handed, candidate_states[owner]))
        elif handoff:
            candidate_states = hand_over(config, k, candidate_states, state, params, updates)
        new_updates, new_state = candidate.update(updates, candidate_states[owner], params, **extra_args)
        new_updates = _as_dtypes(new_updates, layout.updates)
        candidate_states = tuple(
            candidate_state
            if dtypes is None
            else _dtypes.cast(candidate_state, dtypes, f"the update of candidate {config.names[j]!r}")
            for j, (candidate_state, dtypes) in enumerate(
                zip(replace_at(candidate_states, owner, new_state), layout.states, strict=True)
            )
        )
        measured, probe_state = measure_branch(config, config.reads[k], updates, new_updates, probe_state)
        out = optax.apply_updates(params, new_updates) if apply else new_updates
        return out, candidate_states, probe_state, measured

    return branch


def _copied(candidate, scale) -> optax.GradientTransformationExtraArgs:
    inner = optax.with_extra_args_support(candidate)

    def update(updates, state, params=None, **extra_args):
        updates, state = inner.update(updates, state, params, **extra_args)
        return jax.tree.map(lambda u: scale.astype(u.dtype) * u, updates), state

    return optax.GradientTransformationExtraArgs(inner.init, update)


def measure_branch(config: Config, reads: frozenset[str], grads, updates, probe_state):
    """The signals in ``reads`` as partial sums (NaN for the others), and the probe's new state."""
    measured = measure(grads, updates, reads & MEASURED, config.axis_name, layout=config.measured_layout)
    probe = config.probe
    if probe is None:
        return measured, probe_state
    if "probe" in reads:
        values, new_probe_state = probe.measure(grads, optax.tree.cast_like(updates, grads), probe_state)
        measured["probe"] = values
        return measured, strong(optax.tree.cast_like(new_probe_state, probe_state))
    shapes = jax.eval_shape(probe.measure, grads, optax.tree.cast_like(updates, grads), probe_state)[0]
    measured["probe"] = jax.tree.map(lambda shape: jnp.full(shape.shape, jnp.nan, shape.dtype), shapes)
    return measured, probe_state


def hand_over(config: Config, k: int, candidate_states: tuple, state, params, updates) -> tuple:
    """The candidates' states after the handoff from ``state.previous`` into candidate ``k``.

    A candidate whose state another's entry holds (see ``Config.owners``) is handed over into that entry.
    """
    owner = config.owners[k]
    context = handoff_lib.Context(
        step=state.step,
        source=state.previous,
        target=k,
        selector_state=state.selector_state,
        fresh_state=strong(config.candidates[k].init(updates if params is None else params)),
        names=config.names,
    )
    to_state = candidate_states[owner]
    handoff = config.handoff
    assert handoff is not None, "hand_over runs only for a switch with a handoff"

    def from_source(j):
        if config.owners[j] == owner:  # Never taken: a handoff into k comes from a candidate of another state.
            return lambda: to_state
        handed = lambda: handoff.fn(candidate_states[config.owners[j]], to_state, context)
        return lambda: conform(config, k, handed(), to_state)

    if handoff.reads_source:
        new_state = lax.switch(state.previous, [from_source(j) for j in range(len(config.candidates))])
    else:
        new_state = conform(config, k, handoff.fn(None, to_state, context), to_state)
    return replace_at(candidate_states, owner, new_state)


def conform(config: Config, k: int, new_state, old_state):
    """A handoff's ``new_state`` for candidate ``k``, with the structure, shapes and dtypes of ``old_state``.

    Raises:
        ValueError, TypeError: when the structure or shapes differ, or a leaf would be truncated.
    """
    what = f"the handoff of candidate {config.names[k]!r}"
    _dtypes.check_tree(new_state, old_state, what)
    return _dtypes.cast(new_state, _dtypes.settled(old_state, new_state, widen=False), what)


def pending(config: Config, state) -> jax.Array:
    """1 on the update after a switch, whose handoff has yet to run; else 0.

    A switch between candidates that share one state (copies at other learning rates) is a change of learning
    rate: the state is already the incoming candidate's, and no handoff runs.
    """
    switched = state.active != state.previous
    if config.shares_states:
        owners = jnp.asarray(config.owners, jnp.int32)
        switched = switched & (owners[state.active] != owners[state.previous])
    return switched.astype(jnp.int32)
