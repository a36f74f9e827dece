"""``step_down``: from a given update on, candidates at a multiple of their learning rate give way to the originals."""

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

import jax.numpy as jnp
import numpy as np

from optswitch.selectors._base import Selector, for_names
from optswitch.selectors._guards import check_wrappable, explain_through
from optswitch.selectors._settings import check_count

#: How :func:`optswitch.learning_rate_multiples` names a copy: ``{name}-x{multiple:g}``.
_COPY_NAME = re.compile(r"^(?P<name>.+)-x(?P<multiple>[0-9.e+-]+)$")


class StepDownState(NamedTuple):
    """State of :func:`step_down`.

    Attributes:
        inner: the wrapped selector's state.
        picked: int32 ``[]``, the wrapped selector's latest pick, before any step down (-1 before its first).
    """

    inner: Any
    picked: Any


def originals(names: tuple[str, ...]) -> dict[str, str]:
    """Each copy that :func:`optswitch.learning_rate_multiples` made, by name, mapped to the candidate it copies."""
    found = {}
    for name in names:
        match = _COPY_NAME.match(name)
        if match and match["name"] in names:
            found[name] = match["name"]
    return found


def _lowering_table(names: tuple[str, ...], to: Mapping[str, str] | None) -> list[int]:
    if to is None:
        to = originals(names)
        if not to:
            raise ValueError(
                f"step_down: no candidate is a copy made by optswitch.learning_rate_multiples (named like "
                f"'adam-x3' beside 'adam'); the candidates are {list(names)}. Make them with "
                f"learning_rate_multiples, or pass to= (a mapping from candidate to candidate)."
            )
    for source, target in to.items():
        for name in (source, target):
            if name not in names:
                raise ValueError(f"step_down: unknown candidate {name!r} in to=; the candidates are {list(names)}.")
    return [names.index(to.get(name, name)) for name in names]


def step_down(selector: Selector, at: int, to: Mapping[str, str] | None = None) -> Selector:
    """``selector``, except that from update ``at`` on, its pick of a faster copy of a candidate runs the candidate.

    Made for the candidates of :func:`optswitch.learning_rate_multiples`: the wrapped selector picks an
    optimizer and a multiple of its learning rate early in the run, and from update ``at`` on the pick runs at
    the learning rate it was given (``adam-x3`` gives way to ``adam``): a step decay of the learning rate, the
    schedule that large steps early and small steps late call for. Measured on the project's development tasks,
    a race over the candidates at 3x and at 1x their learning rates, stepped down half-way, reached the targets
    that the race without the step missed where 3x leaves the loss on a noise floor above the target
    (``benchmarks/README.md``, "Selection, round 6").

    The wrapped selector's state still advances, and it sees the signals of the candidate actually active. Stop
    its decisions by ``at`` (``race(stop=at)``): a selector still deciding after ``at`` sees the candidate it
    chose replaced, as if the host had switched.

    Args:
        selector: the selector whose picks are stepped down.
        at: the update (``Signals.step``, counting every update the switch made) from which a pick is stepped
            down, an int >= 0.
        to: which candidate gives way to which, by name; default: every copy that
            :func:`optswitch.learning_rate_multiples` made (``name-x{m}``) gives way to ``name``. A candidate
            not in it runs as picked.

    Returns:
        A :class:`Selector` with the wrapped one's reads, probe and handoff.

    Raises:
        ValueError: (when the switch is built) for a ``to`` naming an unknown candidate, or, without ``to``,
            candidates of which none is a copy.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> candidates = optswitch.learning_rate_multiples({"sgd": optax.sgd(0.1)}, (3, 1))
        >>> always_first = optswitch.selectors.schedule({0: "sgd-x3"})
        >>> tx = optswitch.switch(candidates, optswitch.selectors.step_down(always_first, at=5))
        >>> params = {"w": jnp.ones(2)}
        >>> state = tx.init(params)
        >>> for _ in range(8):
        ...     _, state = tx.update(params, state, params)
        >>> optswitch.summary(state).switches
        [(5, 'sgd-x3', 'sgd')]
    """
    check_wrappable("step_down", selector, verb="wrap", change="replacing its picks", fix="without step_down")
    check_count("step_down", "at", at, 0, " (the update from which picks are stepped down)")

    def build(names: tuple[str, ...] | None) -> Selector:
        inner = selector.bound(names) if (names and selector.bind is not None) else selector
        # Resolved on the host, once: the candidate that runs for each pick, by index (unused before binding).
        table = np.asarray([] if names is None else _lowering_table(names, to), np.int32)

        def select(signals, state: StepDownState):
            choice, inner_state = inner.select(signals, state.inner)
            choice = choice.astype(jnp.int32)
            # The choice is for the next update, index step + 1.
            stepped = jnp.where(signals.step + 1 >= at, jnp.asarray(table)[choice], choice)
            return stepped.astype(jnp.int32), StepDownState(inner_state, choice)

        def stepped(signals, before: StepDownState, after: StepDownState):
            said = (signals.step + 1 >= at) & (jnp.asarray(table)[after.picked] != after.picked)
            return said, after.picked == before.picked, {"picked": after.picked}

        def step_text(numbers, names):
            picked = int(numbers["picked"])
            return f"stepped down from update {at}: {names[picked]} runs as {names[int(table[picked])]}"

        return inner._replace(
            init=lambda names: StepDownState(inner.init(names), jnp.asarray(-1, jnp.int32)),
            select=select,
            name=f"step_down({inner.name})",
            bind=None,
            explain=explain_through(inner, stepped, step_text),
        )

    return for_names(build)
