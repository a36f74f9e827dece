"""Reading a switch's state on the host: which candidate is active, and which ran when.

Every function here finds the :class:`optswitch.SwitchState` wherever it sits in a larger optimizer state
(inside ``optax.chain``, ``optax.MultiSteps``, ``optax.inject_hyperparams``, a flax linen ``TrainState``, a
flax ``nnx.Optimizer`` or its ``nnx.State``, another switch's candidates), and only reads it, on the host:
outside ``jit``. :func:`optswitch.set_active` changes it.
"""

import dataclasses
from typing import Any

from optswitch._find import check_on_host, find_one, names_of, on_host, tree_on_host
from optswitch.selectors._window import ignored_losses

__all__ = ["Summary", "active", "summary"]


@dataclasses.dataclass(frozen=True)
class Summary:
    """Which candidate ran when, read from a :class:`optswitch.SwitchState`.

    Attributes:
        names: the candidates' names, in order.
        active: name of the candidate that makes the next update.
        step: updates made.
        updates: name -> updates that candidate made.
        switches: the latest switches, oldest first, as ``(first_update, from_name, to_name)``: from update
            ``first_update`` on, ``to_name`` runs.
        num_switches: switches made in all (more than ``len(switches)`` once the log has wrapped).
        skipped: updates whose signals were not finite, which the selector did not see.
        invalid: out-of-range choices of the selector, ignored.
        selector_state: the selector's state as NumPy arrays: why it chose what it chose.
        ignored_losses: updates whose loss was ``<= 0``, which a selector that reads ``log(loss)`` (race,
            bandit) ignored: a run whose loss can reach 0 or go negative stalls such a selector.
    """

    names: tuple[str, ...]
    active: str
    step: int
    updates: dict[str, int]
    switches: list[tuple[int, str, str]]
    num_switches: int
    skipped: int
    invalid: int
    selector_state: Any
    ignored_losses: int = 0

    def segments(self) -> list[tuple[int, int, str]]:
        """The runs of consecutive updates as ``(first, stop, name)``: updates ``first <= t < stop``.

        Complete from update 0 while the log holds every switch; after it has wrapped, from the oldest
        switch it holds.
        """
        if not self.switches:
            return [(0, self.step, self.active)] if self.step else []
        complete = self.num_switches == len(self.switches)
        starts = [(0, self.switches[0][1])] if complete else []
        starts += [(first, target) for first, _, target in self.switches]
        stops = [first for first, _ in starts[1:]] + [self.step]
        return [(first, stop, name) for (first, name), stop in zip(starts, stops, strict=True) if stop > first]

    def __str__(self) -> str:
        plural = lambda count, word: f"{count} {word}{'' if count == 1 else 'es' if word.endswith('h') else 's'}"
        lines = [
            f"optswitch.switch: {plural(len(self.names), 'candidate')}, {plural(self.step, 'update')}, "
            f"{plural(self.num_switches, 'switch')}, active: {self.active}"
        ]
        width = max(len("candidate"), *(len(name) + 1 for name in self.names))
        lines.append(f"  {'candidate':<{width}}  updates")
        for name in self.names:
            marked = name + ("*" if name == self.active else "")
            lines.append(f"  {marked:<{width}}  {self.updates[name]:>7}")
        if self.switches:
            dropped = self.num_switches - len(self.switches)
            lines.append(
                "  switches (first update: from -> to)" + (f", latest {len(self.switches)}:" if dropped else ":")
            )
            lines += [f"  {first:>8}: {source} -> {target}" for first, source, target in self.switches]
        if self.skipped:
            lines.append(f"  {self.skipped} updates had non-finite signals; the selector skipped them")
        if self.invalid:
            lines.append(f"  warning: the selector chose {self.invalid} out-of-range indices, which were ignored")
        if self.ignored_losses:
            lines.append(
                f"  warning: {self.ignored_losses} updates had a loss <= 0, which the selector ignored (it reads "
                f"log(loss)); pass a loss that stays > 0, e.g. value=loss - floor"
            )
        return "\n".join(lines)


def summary(opt_state: Any, *, path: str | None = None) -> Summary:
    """Reads which candidate ran when from the state of a switch.

    Args:
        opt_state: an optimizer state holding one :class:`optswitch.SwitchState` anywhere inside it, or a
            flax ``nnx.Optimizer`` or ``nnx.State`` holding one.
        path: where the switch is, as ``jax.tree_util.keystr`` writes it, when the state holds several.

    Returns:
        A :class:`Summary`; ``print`` it for a table.

    Raises:
        ValueError: when no switch is found, or several and no ``path``, or a batch of them (pass one member).
        TypeError: inside ``jit``, where the state's values are not known (read ``opt_state.active`` there).
    """
    _, state = find_one(opt_state, path, what="summary")
    check_on_host(state, what="summary")
    names = names_of(state)
    log = tree_on_host(state.log)
    selector_state = tree_on_host(state.selector_state)
    num_switches = int(log.num_switches)
    history = len(log.first_updates)
    kept = range(max(0, num_switches - history), num_switches)
    return Summary(
        names=names,
        active=names[int(on_host(state.active))],
        step=int(on_host(state.step)),
        updates={name: int(count) for name, count in zip(names, log.counts, strict=True)},
        switches=[
            (int(log.first_updates[s % history]), names[log.sources[s % history]], names[log.targets[s % history]])
            for s in kept
        ],
        num_switches=num_switches,
        skipped=int(log.skipped),
        invalid=int(log.invalid),
        selector_state=selector_state,
        ignored_losses=int(ignored_losses(selector_state)),
    )


def active(opt_state: Any, *, path: str | None = None) -> str:
    """Name of the candidate that makes the next update.

    Args:
        opt_state: an optimizer state holding a :class:`optswitch.SwitchState`, or an ``nnx.Optimizer``.
        path: which switch, when there are several (see :func:`summary`).

    Raises:
        As :func:`summary`.
    """
    _, state = find_one(opt_state, path, what="active")
    check_on_host(state, what="active")
    return names_of(state)[int(on_host(state.active))]
