"""The handoff that puts schedules on the run's clock; see :mod:`optswitch.handoff`."""

import jax
import jax.numpy as jnp
import optax

from optswitch._handoff_base import Handoff

#: The optax states whose ``count`` is a schedule's clock: ``scale_by_schedule`` (what ``optax.sgd(schedule)``
#: and ``optax.adam(schedule)`` build) and ``inject_hyperparams`` (its own count and, in optax >= 0.2.5, each
#: scheduled hyperparameter's). Other counts (Adam's bias correction in ``ScaleByAdamState``) count the
#: candidate's own updates and are left alone.
SCHEDULE_STATES = (
    optax.ScaleByScheduleState,
    optax.InjectHyperparamsState,
    optax.InjectStatefulHyperparamsState,
    *[getattr(optax.schedules._inject, "WrappedScheduleState", ())],  # private in optax 0.2.8, so looked up
)


def sync_schedules() -> Handoff:
    """Puts the incoming candidate's schedules on the run's clock: their counts become the global update.

    With ``inactive="freeze"`` an inactive candidate's state stands still, its schedule counts included, so
    a schedule inside a candidate runs on the candidate's own clock: a candidate that takes over at update
    800 would start its warmup + cosine at its peak rate. This handoff sets the ``count`` of every
    :data:`SCHEDULE_STATES` state in the incoming candidate to the index of the update it is about to make,
    so each candidate's rate at update ``t`` is ``schedule(t)``, as a user of schedules expects. Adam's
    bias-correction count, which counts the candidate's own moment updates, is left alone. Combine it with
    other handoffs in :func:`chain`.

    Returns:
        A :class:`Handoff` for ``switch(on_switch=...)``.

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> rate = optax.linear_schedule(1.0, 0.0, 100)
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(rate), "sgd": optax.sgd(rate)},
        ...     optswitch.selectors.schedule({0: "adam", 60: "sgd"}),
        ...     on_switch=optswitch.handoff.sync_schedules())
        >>> params = {"w": jnp.ones(2)}
        >>> state, update = tx.init(params), jax.jit(tx.update)
        >>> for _ in range(61):
        ...     updates, state = update(params, state, params)
        >>> round(float(-updates["w"][0]), 6)  # SGD's first update, at update 60: schedule(60), not schedule(0)
        0.4
    """

    def on_run_clock(node, step):
        if isinstance(node, SCHEDULE_STATES):
            # Inside: an injected optimizer's own schedules, and the scheduled hyperparameters' clocks.
            inside = {field: on_run_clock(getattr(node, field), step) for field in node._fields if field != "count"}
            return node._replace(count=jnp.asarray(step, jnp.result_type(node.count)), **inside)
        return jax.tree.map(
            lambda leaf: on_run_clock(leaf, step) if isinstance(leaf, SCHEDULE_STATES) else leaf,
            node,
            is_leaf=lambda leaf: isinstance(leaf, SCHEDULE_STATES),
        )

    return Handoff(lambda from_state, to_state, context: on_run_clock(to_state, context.step), reads_source=False)
