"""optswitch: one optax transformation that switches among candidate optimizers during training."""

__version__ = "0.1.0"

from optswitch import handoff, selectors
from optswitch._candidates import candidate_state
from optswitch._control import set_active
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
    "candidate_state",
    "check_candidates",
    "handoff",
    "selectors",
    "set_active",
    "state_shardings",
    "summary",
    "switch",
]
