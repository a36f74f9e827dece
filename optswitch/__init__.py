"""optswitch: one optax transformation that switches among candidate optimizers during training."""

__version__ = "0.1.0"

from optswitch import events, handoff, selectors
from optswitch._control import set_active
from optswitch._metrics import metrics
from optswitch._switch import SwitchLog, SwitchState, SwitchTransformation, switch
from optswitch.checkpoint import check_candidates
from optswitch.sharding import state_shardings
from optswitch.signals import Probe, Signals
from optswitch.telemetry import Summary, active, summary

__all__ = [
    "Probe",
    "Signals",
    "Summary",
    "SwitchLog",
    "SwitchState",
    "SwitchTransformation",
    "active",
    "check_candidates",
    "events",
    "handoff",
    "metrics",
    "selectors",
    "set_active",
    "state_shardings",
    "summary",
    "switch",
]
