"""switch(): one optax transformation that routes each update to one of several candidate optimizers.

:func:`switch` configures (:mod:`optswitch._config`), then returns ``init_fn`` and ``update_fn``: each update
is routed to the active candidate (:mod:`optswitch._routing`), then the selector decides which candidate
makes the next one (:mod:`optswitch._decision`).
"""

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from optswitch import _checks, _config, _decision, _names, _routing, _snapshot, events
from optswitch import handoff as handoff_lib
from optswitch import selectors as selectors_lib
from optswitch._trees import strong, unshared

__all__ = ["SwitchLog", "SwitchState", "SwitchTransformation", "switch"]


class SwitchLog(NamedTuple):
    """Which candidate ran when: the part of :class:`SwitchState` that :func:`optswitch.summary` reads.

    Attributes:
        counts: int32 ``[N]``, updates made by each candidate.
        num_switches: int32 ``[]``, switches made since ``init``, by the selector or by
            :func:`optswitch.set_active`.
        first_updates: int32 ``[H]``, a ring buffer over the latest ``H = history`` switches: switch number
            ``s`` is at position ``s % H`` and holds the index of the first update made by the new candidate.
        sources: int32 ``[H]``, the candidate switched from, same positions.
        targets: int32 ``[H]``, the candidate switched to, same positions.
        skipped: int32 ``[]``, updates whose signals (those the selector reads) were not finite; the
            selector did not see them and no switch followed them.
        invalid: int32 ``[]``, choices out of range that the selector made; each was ignored and the active
            candidate stayed.
    """

    counts: jax.Array
    num_switches: jax.Array
    first_updates: jax.Array
    sources: jax.Array
    targets: jax.Array
    skipped: jax.Array
    invalid: jax.Array

    def record(self, switched, first_update, source, target) -> "SwitchLog":
        """The log with one more switch, ``source -> target`` from update ``first_update`` on, if ``switched``.

        Args:
            switched: bool ``[]``; when false the log is returned as it was (a traced no-op).
            first_update: index of the first update the new candidate makes.
            source: the candidate switched from.
            target: the candidate switched to.
        """
        position = self.num_switches % len(self.first_updates)
        write = lambda ring, entry: ring.at[position].set(jnp.where(switched, entry, ring[position]))
        return self._replace(
            num_switches=self.num_switches + switched.astype(jnp.int32),
            first_updates=write(self.first_updates, first_update),
            sources=write(self.sources, source),
            targets=write(self.targets, target),
        )


class SwitchState(NamedTuple):
    """State of :func:`switch`: arrays only, so it checkpoints and restores exactly.

    Attributes:
        active: int32 ``[]``, index of the candidate that makes the next update.
        previous: int32 ``[]``, index of the candidate that made the last update; it differs from ``active``
            between a switch and the update that follows it, which runs the handoff.
        step: int32 ``[]``, updates made so far.
        candidate_states: tuple with every candidate's optax state, in candidate order; for a copy made by
            :func:`optswitch.learning_rate_multiples` whose state an earlier copy's entry holds, a
            :class:`optswitch.SharedState` naming that entry (:func:`optswitch.candidate_state` follows it).
        selector_state: the selector's state.
        probe_state: the state of the selector's :class:`optswitch.Probe` (e.g. a moving average of the
            gradient, parameter-sized), or ``()`` for a selector without one.
        log: the :class:`SwitchLog`.
        names: uint8 ``[N, 64]``, the candidates' names as zero-padded UTF-8, so that the state alone says
            which candidate index ``k`` is (see :func:`optswitch.summary`); of a fixed width, so that a
            renamed candidate restores from a checkpoint and :func:`optswitch.check_candidates` names it.
        snapshots: the parameter snapshots of a selector that declares
            :class:`optswitch.selectors.Snapshots` (``slots`` trees like the parameters, and a copy of the
            candidates' states if it asks for one), or ``()`` for every other selector.
    """

    active: jax.Array
    previous: jax.Array
    step: jax.Array
    candidate_states: tuple
    selector_state: Any
    probe_state: Any
    log: SwitchLog
    names: jax.Array
    snapshots: Any = ()


class SwitchTransformation(optax.GradientTransformationExtraArgs):
    """What :func:`switch` returns: an ``optax.GradientTransformationExtraArgs`` with a fused step.

    ``init`` and ``update`` behave as in any optax transformation. :meth:`update_and_apply` is for train
    steps that own their parameters: it applies the update inside the routing branch, which saves a pass
    over the parameters and the parameter-sized buffer of updates that ``update`` has to return.

    Attributes:
        names: the candidates' names, in order (what :func:`optswitch.check_candidates` compares a restored
            state with).
    """

    # No __slots__: besides the (init, update) pair that optax sees, an instance keeps its configuration,
    # which update_and_apply runs on. JAX flattens any NamedTuple as a pytree, so the configuration is
    # registered as its static data below: a copy that a tree map rebuilds keeps it.

    def __new__(cls, init, update, config: _config.Config | None = None):
        transformation = super().__new__(cls, init, update)
        transformation._config = config
        return transformation

    @property
    def names(self) -> tuple[str, ...]:
        return self._config.names

    def update_and_apply(
        self, grads: Any, state: SwitchState, params: Any, **extra_args: Any
    ) -> tuple[Any, SwitchState]:
        """Returns ``(optax.apply_updates(params, updates), new_state)`` for ``update(grads, state, params)``.

        Args:
            grads: the gradients.
            state: the switch's state.
            params: the parameters (required).
            **extra_args: as for ``update``, e.g. ``value=loss``.

        Returns:
            The new parameters and the new state.
        """
        if params is None:
            raise ValueError("update_and_apply: params is required, since it returns the updated params.")
        return _step(self._config, grads, state, params, apply=True, **extra_args)


jax.tree_util.register_pytree_node(
    SwitchTransformation,
    lambda transformation: ((transformation.init, transformation.update), transformation._config),
    lambda config, children: SwitchTransformation(*children, config),
)


def switch(
    candidates: Mapping[str, optax.GradientTransformation] | Sequence[optax.GradientTransformation],
    selector: selectors_lib.Selector | None = None,
    *,
    initial: str | int | None = None,
    inactive: str = "freeze",
    on_switch: str | handoff_lib.Handoff | Any = "resume",
    axis_name: str | None = None,
    history: int = 64,
    on_event: events.OnEvent = None,
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
            :func:`optswitch.set_active`). A selector with :class:`~optswitch.selectors.Snapshots`
            (:func:`~optswitch.selectors.trials`) restores the parameters at the ends of its windows: it needs
            ``params``, and through ``update`` it returns ``snapshot - params``, so the switch must then be
            the last transformation of a chain (one after it would scale or clip the restore).
        initial: name or index of the candidate that makes the first update; default the selector's own
            choice, if it has one, else the first candidate.
        inactive: ``"freeze"`` (only the active candidate's state changes) or ``"track"`` (every candidate
            steps on every gradient, at N times the cost, and only the active one's updates are returned, so
            a switch lands on a warm state).
        on_switch: what the incoming candidate starts from: ``"resume"`` (its state as it was when it was
            last active), ``"reset"`` (a fresh ``init``), or a handoff ``fn(from_state, to_state, context)
            -> to_state`` (see :mod:`optswitch.handoff`). It runs only on the update after a switch, followed
            by the selector's own handoff if it has one (:attr:`optswitch.selectors.Selector.handoff`).
            With ``"freeze"``, a schedule inside a candidate (``optax.sgd(schedule)``, ``inject_hyperparams``)
            stands still while the candidate is inactive, so it runs on the candidate's own clock; for
            schedules on the run's clock, the recommended setting, pass
            ``on_switch=optswitch.handoff.sync_schedules()`` (it leaves Adam's bias-correction count alone).
        axis_name: under ``shard_map`` or ``pmap``, the mesh axis (or tuple of axes) along which every
            device must make the same choice: the loss is averaged over it and the measured signals are
            summed over the shards it splits. Inside ``shard_map``
            a choice that still differs from device to device raises an error; under ``pmap`` or
            ``check_vma=False`` JAX cannot tell, and the replicas would silently diverge. A str or a tuple
            of str; ``update`` called where the axis is not bound raises, naming it.
        history: how many of the latest switches the log keeps, at least 1.
        on_event: what to do with each switch the selector makes (see :mod:`optswitch.events`): ``True``
            logs it at INFO to the ``"optswitch"`` logger, e.g. ``update 50: adam -> sgd, scheduled at
            50``; a ``logging.Logger`` logs it there; a callable receives an
            :class:`optswitch.events.SwitchEvent`. A host callback runs on the update that switches, inside
            the conditional that only that update takes, so the others cost nothing more; under ``pmap``
            or ``shard_map`` each process gets one event per switch. With it, a selector that reads
            ``log(loss)`` also warns on the first update whose loss is ``<= 0`` under ``jit`` (outside it, it
            always does), from a callback in a conditional that only that update takes. Default None: no events.

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
    config = _config.configure(candidates, selector, initial, inactive, on_switch, axis_name, history, on_event)

    def init_fn(params) -> SwitchState:
        n = len(config.candidates)
        # Separate buffers each, apart from the parameters' too, so that a train step may donate the whole state
        # with the parameters.
        ring = lambda: jnp.zeros([config.history], jnp.int32)
        scalar = lambda value: jnp.asarray(value, jnp.int32)
        candidate_states, selector_state, probe_state = unshared(
            (
                config.init_states(params),
                config.selector.init(config.names),
                () if config.probe is None else config.probe.init(params),
            ),
            apart_from=params,
        )
        state = SwitchState(
            active=scalar(config.initial),
            previous=scalar(config.initial),
            step=scalar(0),
            candidate_states=strong(candidate_states),
            selector_state=strong(selector_state),
            probe_state=strong(probe_state),
            log=SwitchLog(
                counts=jnp.zeros([n], jnp.int32),
                num_switches=scalar(0),
                first_updates=ring(),
                sources=ring(),
                targets=ring(),
                skipped=scalar(0),
                invalid=scalar(0),
            ),
            names=jnp.asarray(_names.encode(config.names)),
        )
        state = state._replace(snapshots=_snapshot.init(config, params, state.candidate_states))
        if config.handoff is not None and n > 1:
            # Trace every handoff now, abstractly, so that one that cannot run fails at init, not mid-training.
            hand_over = _routing.hand_over
            hand_over_all = lambda s: [hand_over(config, k, s.candidate_states, s, params, params) for k in range(n)]
            jax.eval_shape(hand_over_all, state)
        return state

    def update_fn(updates, state: SwitchState, params=None, **extra_args):
        return _step(config, updates, state, params, apply=False, **extra_args)

    return SwitchTransformation(init_fn, update_fn, config)


def _step(config: _config.Config, updates, state: SwitchState, params, *, apply: bool, **extra_args):
    """One update: route it to the active candidate, then decide which candidate makes the next one."""
    _check(config, state, updates, params, extra_args)
    route = _routing.route_tracking if config.track else _routing.route
    out, candidate_states, probe_state, measured = route(config, updates, state, params, apply, extra_args)
    new_state = _decision.decide(config, state, candidate_states, probe_state, measured, extra_args)
    return _snapshot.apply(config, state, new_state, out, params, apply)


def _check(config: _config.Config, state, updates, params, extra_args) -> None:
    if not isinstance(state, SwitchState):
        raise TypeError(
            f"switch: expected the SwitchState made by this transformation's init, got "
            f"{type(state).__name__}; pass the state returned by init() or by the previous update()."
        )
    _checks.check_update(config, state, updates if params is None else params, extra_args)
    if config.selector.snapshots is not None and params is None:
        raise ValueError(
            f"switch: the {config.selector.name} selector restores the parameters from snapshots, which "
            f"needs them; pass tx.update(grads, state, params), or use tx.update_and_apply(grads, state, params)."
        )
