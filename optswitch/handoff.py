"""Handoffs: what happens to the incoming candidate's state at a switch.

A handoff runs only on the update that follows a switch, inside the branch of the incoming candidate (a
branch of the same ``lax.switch`` that routes every update), so a run that never switches never pays for it.
(One that changes only scalars runs on every update, kept by a select when a switch is pending: as cheap, and
half the branches to compile.) Pass one as ``switch(on_switch=...)``: ``"resume"`` (the default: nothing to
do), ``"reset"``, :func:`transfer_momentum`, :func:`sync_schedules`, your own function
``fn(from_state, to_state, context) -> to_state``, or several of them in a :func:`chain`. A selector may bring
a handoff of its own (SWATS sets the learning rate of its SGD candidate), which runs after ``on_switch``.

Handoffs find what they change by name with :func:`optax.tree.get` and :func:`optax.tree.set`, so they
work on candidates that are chains (``optax.chain(optax.clip(1.0), optax.adam(1e-3))``) or wrapped (in
``optax.inject_hyperparams``, say). The switch traces every handoff when its state is initialised, so a
handoff that cannot run (a field it needs is missing) fails at ``init``.
"""

from optswitch._handoff_base import Context, Handoff, chain, reset
from optswitch._moments import (
    FIRST_MOMENTS,
    SECOND_MOMENT,
    first_moment,
    second_moment,
    transfer_momentum,
    transfer_second_moment,
)
from optswitch._schedules import SCHEDULE_STATES, sync_schedules

__all__ = [
    "FIRST_MOMENTS",
    "SCHEDULE_STATES",
    "SECOND_MOMENT",
    "Context",
    "Handoff",
    "chain",
    "first_moment",
    "reset",
    "second_moment",
    "sync_schedules",
    "transfer_momentum",
    "transfer_second_moment",
]
