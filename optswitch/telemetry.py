"""Reading a switch's state on the host: which candidate is active, which ran when, and changing it.

Every function here finds the :class:`optswitch.SwitchState` wherever it sits in a larger optimizer state
(inside ``optax.chain``, ``optax.MultiSteps``, ``optax.inject_hyperparams``, a train state, or a flax
``nnx.Optimizer``), and only reads it, except :func:`set_active`, which returns a changed copy.
"""

import dataclasses
from typing import Any

import jax
import numpy as np

from optswitch import _names
from optswitch._switch import SwitchState


def _unwrap(opt_state):
    """The optax state inside a flax ``nnx.Optimizer``, or ``opt_state`` itself."""
    if hasattr(opt_state, "opt_state") and hasattr(opt_state, "tx"):
        return opt_state.opt_state
    return opt_state


def _locate(opt_state, path: str | None) -> tuple[Any, SwitchState]:
    """The (key path, SwitchState) of the one switch in ``opt_state`` (or the one at ``path``)."""
    found = [
        (jax.tree_util.keystr(key), node)
        for key, node in jax.tree_util.tree_flatten_with_path(
            _unwrap(opt_state), is_leaf=lambda node: isinstance(node, SwitchState)
        )[0]
        if isinstance(node, SwitchState)
    ]
    if path is not None:
        found = [(key, node) for key, node in found if key == path]
    if len(found) == 1:
        return found[0]
    if not found:
        where = "" if path is None else f" at path {path!r}"
        raise ValueError(
            f"no optswitch.SwitchState found{where} in this {type(opt_state).__name__}; pass the state of an "
            f"optimizer built with optswitch.switch (or an nnx.Optimizer holding one)."
        )
    raise ValueError(f"found {len(found)} SwitchStates, at paths {[key for key, _ in found]}; name one with path=...")


def _host(leaf) -> np.ndarray:
    """A leaf as a NumPy array, from a jax.Array (sharded or on other hosts too) or an nnx Variable."""
    if hasattr(leaf, "get_value"):
        leaf = leaf.get_value()
    if isinstance(leaf, jax.Array) and not leaf.is_fully_addressable:
        leaf = leaf.addressable_data(0)  # The switch's scalars are replicated: any shard is the whole.
    return np.asarray(leaf)


@dataclasses.dataclass(frozen=True)
class Summary:
    """Which candidate ran when, read from a :class:`optswitch.SwitchState`.

    Attributes:
        names: the candidates' names, in order.
        active: name of the candidate that makes the next update.
        step: updates made.
        steps: name -> updates that candidate made.
        switches: the latest switches, oldest first, as ``(first_update, from_name, to_name)``: from update
            ``first_update`` on, ``to_name`` runs.
        num_switches: switches made in all (more than ``len(switches)`` once the log has wrapped).
        skipped: updates whose signals were not finite, which the selector did not see.
        invalid: out-of-range choices of the selector, ignored.
        selector_state: the selector's state as NumPy arrays: why it chose what it chose.
    """

    names: tuple[str, ...]
    active: str
    step: int
    steps: dict[str, int]
    switches: list[tuple[int, str, str]]
    num_switches: int
    skipped: int
    invalid: int
    selector_state: Any

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
            lines.append(f"  {marked:<{width}}  {self.steps[name]:>7}")
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
        return "\n".join(lines)


def summary(opt_state, *, path: str | None = None) -> Summary:
    """Reads which candidate ran when from the state of a switch.

    Args:
        opt_state: an optimizer state holding one :class:`optswitch.SwitchState` anywhere inside it, or a
            flax ``nnx.Optimizer``.
        path: where the switch is, as ``jax.tree_util.keystr`` writes it, when the state holds several.

    Returns:
        A :class:`Summary`; ``print`` it for a table.
    """
    _, state = _locate(opt_state, path)
    names = _names.decode(_host(state.names))
    log = jax.tree.map(_host, state.log, is_leaf=lambda leaf: hasattr(leaf, "get_value"))
    num_switches = int(log.num_switches)
    history = len(log.steps)
    kept = range(max(0, num_switches - history), num_switches)
    return Summary(
        names=names,
        active=names[int(_host(state.active))],
        step=int(_host(state.step)),
        steps={name: int(count) for name, count in zip(names, log.counts, strict=True)},
        switches=[
            (int(log.steps[s % history]), names[log.sources[s % history]], names[log.targets[s % history]])
            for s in kept
        ],
        num_switches=num_switches,
        skipped=int(log.skipped),
        invalid=int(log.invalid),
        selector_state=jax.tree.map(_host, state.selector_state, is_leaf=lambda leaf: hasattr(leaf, "get_value")),
    )


def active(opt_state, *, path: str | None = None) -> str:
    """Name of the candidate that makes the next update.

    Args:
        opt_state: an optimizer state holding a :class:`optswitch.SwitchState`, or an ``nnx.Optimizer``.
        path: which switch, when there are several (see :func:`summary`).
    """
    _, state = _locate(opt_state, path)
    return _names.decode(_host(state.names))[int(_host(state.active))]


def _assign(old, value):
    """``value`` in place of leaf ``old``, with its dtype and sharding, so a jitted step does not recompile."""
    value = np.asarray(value, dtype=_host(old).dtype)
    if hasattr(old, "set_value"):
        old.set_value(_assign(old.get_value(), value))
        return old
    if isinstance(old, jax.Array):
        # jit keys its cache on whether an argument is committed to its devices, so keep that too.
        if getattr(old, "_committed", True):
            return jax.make_array_from_callback(value.shape, old.sharding, lambda index: value[index])
        return jax.numpy.asarray(value)
    return value


def set_active(opt_state, name: str | int, *, path: str | None = None):
    """Makes ``name`` the candidate for the next update, from the host, and logs the switch.

    The handoff (``on_switch``) runs in the next update, as for a switch the selector makes. The arrays
    keep their dtypes and shardings, so feeding the result to a jitted step does not recompile it.

    Args:
        opt_state: an optimizer state holding a :class:`optswitch.SwitchState`, or an ``nnx.Optimizer``
            (changed in place, as nnx objects are).
        name: the candidate's name or index.
        path: which switch, when there are several (see :func:`summary`).

    Returns:
        The optimizer state with the switch made (for an ``nnx.Optimizer``, the same object).
    """
    _, state = _locate(opt_state, path)
    names = _names.decode(_host(state.names))
    target = _names.resolve(name, names, what="set_active")
    source = int(_host(state.active))
    if target == source:
        return opt_state
    log = state.log
    num_switches = int(_host(log.num_switches))
    position = num_switches % len(_host(log.steps))

    def entry(ring, value):
        ring_values = _host(ring).copy()
        ring_values[position] = value
        return _assign(ring, ring_values)

    changed = state._replace(
        active=_assign(state.active, target),
        log=log._replace(
            num_switches=_assign(log.num_switches, num_switches + 1),
            steps=entry(log.steps, int(_host(state.step))),
            sources=entry(log.sources, source),
            targets=entry(log.targets, target),
        ),
    )
    if hasattr(opt_state, "opt_state") and hasattr(opt_state, "tx"):
        return opt_state  # nnx Variables were set in place by _assign.
    return jax.tree_util.tree_map(
        lambda node: changed if node is state else node,
        opt_state,
        is_leaf=lambda node: isinstance(node, SwitchState),
    )
