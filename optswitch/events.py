"""Switch events: one record per switch, with its reason, sent from inside jit to Python logging or a callable.

``switch(..., on_event=True)`` puts a host callback inside a conditional that only the update where the choice
changes takes, so an update without a switch runs no callback and copies nothing to the host (on GPU, XLA reads
the conditional's predicate on the host: one more scalar per update). The record says which update the new
candidate makes first, from which candidate to which, and why, in the words of the selector (its
:attr:`~optswitch.selectors.Selector.explain`). :func:`optswitch.set_active` sends its own. The same switch warns,
from inside jit, on the first update whose loss a selector that reads ``log(loss)`` ignores (``<= 0``), which
outside jit the selector does by itself.
"""

import logging
import threading
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import numpy as np
from jax import lax

__all__ = ["LOGGER", "OnEvent", "SwitchEvent", "log_event"]

_PENDING_LIMIT = 1024

#: The name of the logger that events go to by default: ``logging.getLogger("optswitch")``.
LOGGER = "optswitch"


class SwitchEvent(NamedTuple):
    """One switch, as sent to the logger or to the ``on_event`` callable.

    Attributes:
        update: index of the first update the new candidate makes (as in :attr:`optswitch.Summary.switches`).
        source: name of the candidate switched from.
        target: name of the candidate switched to.
        reason: why, in the selector's words (e.g. ``"scheduled at 50"``), or ``"set_active"`` for a switch
            made from the host.

    Examples:
        >>> from optswitch.events import SwitchEvent
        >>> str(SwitchEvent(5000, "adam", "sgd", "scheduled at 5000"))  # the log line
        'update 5000: adam -> sgd, scheduled at 5000'
    """

    update: int
    source: str
    target: str
    reason: str

    def __str__(self) -> str:
        return f"update {self.update}: {self.source} -> {self.target}, {self.reason}"


#: What ``on_event`` accepts: ``None`` or ``False`` (no events), ``True`` (the ``"optswitch"`` logger at INFO),
#: a ``logging.Logger``, or a callable that takes a :class:`SwitchEvent`.
OnEvent = bool | logging.Logger | Callable[[SwitchEvent], Any] | None


def log_event(event: SwitchEvent, logger: logging.Logger | None = None) -> None:
    """Logs ``event`` at INFO, as ``str(event)``, with the event itself as the record's ``switch_event``."""
    (logger or logging.getLogger(LOGGER)).info("%s", event, extra={"switch_event": event})


def sink(on_event: OnEvent, owner: str) -> Callable[[SwitchEvent], Any] | None:
    """The callable that ``on_event`` stands for, or None for no events.

    Raises:
        TypeError: for anything else, naming ``owner`` (the function that was given it).
    """
    if on_event is None or on_event is False:
        return None
    if on_event is True:
        return log_event
    if isinstance(on_event, logging.Logger):
        return lambda event: log_event(event, on_event)
    if callable(on_event):
        return on_event
    raise TypeError(
        f"{owner}: on_event={on_event!r}; pass True (log each switch to the 'optswitch' logger), a "
        f"logging.Logger, a callable that takes an optswitch.events.SwitchEvent, or None."
    )


def ignored_loss_message(selector: str, loss: float, update: int | None = None) -> str:
    """The warning for a loss <= 0 given to a selector that reads ``log(loss)``."""
    where = "" if update is None else f" at update {update}"
    return (
        f"{selector}: update() was given value={loss}{where}, a loss <= 0, which has no log: the {selector} "
        f"selector ignores such updates (optswitch.summary counts them) and cannot switch on them. Pass a "
        f"loss that stays > 0, e.g. value=loss - floor with floor below any loss the run can reach, or, for a "
        f"loss that is a logarithm already (a negative log-likelihood), build the selector with loss_is_log=True."
    )


class Emitter:
    """Sends the events of one switch: traced into the update, delivered on the host.

    Under ``pmap`` or ``shard_map`` the callback runs once per device; the emitter delivers the first of the
    copies that one process receives and drops the rest, so each process logs a switch once. Under ``jit``
    over the devices of several processes, XLA would run it once in all, on the first device, so there it
    runs on every device, and each process delivers one of its own copies.
    """

    def __init__(self, deliver: Callable[[SwitchEvent], Any], names: tuple[str, ...], selector) -> None:
        self.deliver = deliver
        self.names = names
        self.selector = selector
        self._lock = threading.Lock()
        self._pending: dict[tuple[int, int, int], int] = {}

    def __call__(self, switched, update, source, target, signals, before, after, axis_name) -> None:
        """Traced: on the update where ``switched``, and only there, a callback delivers the event."""
        copies, partitioned = _local_copies(axis_name)
        explain = self.selector.explain

        def send():
            numbers, text = explain(signals, before, after) if explain else ({}, None)

            def host(switched, update, source, target, numbers):
                self._receive(switched, update, source, target, numbers, text, copies)

            jax.debug.callback(host, switched, update, source, target, numbers, partitioned=partitioned)

        lax.cond(switched, send, lambda: None)

    def ignored(self, first, update, loss, axis_name) -> None:
        """Traced: on the first update whose loss a selector ignores (``<= 0``), and only there, a host warning."""
        copies, partitioned = _local_copies(axis_name)

        def send():
            host = lambda first, update, loss: self._warn_ignored(first, update, loss, copies)
            jax.debug.callback(host, first, update, loss, partitioned=partitioned)

        lax.cond(first, send, lambda: None)

    # Each callback also gets the conditional's predicate and stands down where it is False: under vmap a batched
    # predicate turns the conditional into a select that runs both branches, once per member.
    def _warn_ignored(self, first, update, loss, copies: int) -> None:
        if first and self._first_copy((int(update), -1, -1), copies):
            warnings.warn(ignored_loss_message(self.selector.name, float(loss), int(update)), stacklevel=1)

    def _receive(self, switched, update, source, target, numbers, text, copies: int) -> None:
        key = (int(update), int(source), int(target))
        if not switched or not self._first_copy(key, copies):
            return
        numbers = jax.tree.map(np.asarray, numbers)
        reason = text(numbers, self.names) if text else f"chosen by the {self.selector.name} selector"
        self.deliver(SwitchEvent(key[0], self.names[key[1]], self.names[key[2]], reason))

    def _first_copy(self, key: tuple[int, int, int], copies: int) -> bool:
        """Whether this is the first of the ``copies`` of one callback that this process receives."""
        with self._lock:
            seen = self._pending.get(key, 0) + 1
            # Forget the key once every copy came, so a run resumed from a checkpoint logs the switch again.
            if seen >= copies:
                self._pending.pop(key, None)
            else:
                self._pending[key] = seen
                if len(self._pending) > _PENDING_LIMIT:  # copies that never came: forget the oldest
                    self._pending.pop(next(iter(self._pending)))
        return seen == 1


def _local_copies(axis_name) -> tuple[int, bool]:
    """How many devices of this process run the callback, and whether it must be asked to run on each.

    Under ``pmap`` and ``shard_map`` every device of the mapped computation runs it. Under ``jit`` in one
    process, one device does. Under ``jit`` over several processes, where the computation spans every device
    (as a global mesh does), every device is asked to, so that each process has its copies.
    """
    if axis_name is not None:
        mesh = jax.sharding.get_abstract_mesh()
        devices = mesh.size if not mesh.empty else lax.axis_size(axis_name)
        return max(1, devices // jax.process_count()), False
    if jax.process_count() > 1:
        return jax.local_device_count(), True
    return 1, False
