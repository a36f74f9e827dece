"""optswitch: one optax transformation that switches among candidate optimizers during training."""

__version__ = "0.1.0"

from optswitch import events, handoff, selectors
from optswitch._candidates import candidate_state
from optswitch._control import set_active
from optswitch._data_step import data_step
from optswitch._fused import Chain, chain
from optswitch._metrics import metrics
from optswitch._multiples import Multiple, SharedState, learning_rate_multiples
from optswitch._switch import SwitchLog, SwitchState, SwitchTransformation, switch
from optswitch.checkpoint import check_candidates
from optswitch.sharding import state_shardings
from optswitch.signals import Probe, Signals
from optswitch.telemetry import Summary, active, summary

__all__ = [
    "Chain",
    "Multiple",
    "Probe",
    "SharedState",
    "Signals",
    "Summary",
    "SwitchLog",
    "SwitchState",
    "SwitchTransformation",
    "active",
    "candidate_state",
    "chain",
    "check_candidates",
    "data_step",
    "events",
    "handoff",
    "learning_rate_multiples",
    "metrics",
    "selectors",
    "set_active",
    "state_shardings",
    "summary",
    "switch",
]

# The Flax integrations import flax, an optional extra: load them on first use, as `optswitch.nnx`.
_FLAX_MODULES = ("nnx", "linen")


def __getattr__(name: str):
    if name not in _FLAX_MODULES:
        raise AttributeError(f"module 'optswitch' has no attribute {name!r}")
    import importlib

    try:
        import flax  # noqa: F401
    except ImportError as error:
        raise ImportError(
            f"optswitch.{name} needs flax, which is not installed; install the extra: pip install 'optswitch[flax]'."
        ) from error
    return importlib.import_module(f"optswitch.{name}")
