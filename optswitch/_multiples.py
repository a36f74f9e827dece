"""``learning_rate_multiples``: every candidate at several multiples of its learning rate, as candidates."""

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import jax
import optax

#: ``learning_rate_multiples``' default: each candidate at three times its learning rate, then as given. The larger
#: comes first because a race gives near-ties to the candidate first in its order, and short comparisons undervalue
#: larger steps, which pay off later (Wu et al., ICLR 2018).
DEFAULT_MULTIPLES = (3.0, 1.0)


class SharedState(NamedTuple):
    """What a switch keeps for a candidate whose optax state is another candidate's.

    :func:`learning_rate_multiples` (``share_state=True``) makes copies of one optimizer at several learning
    rates; a switch that holds several of them keeps their state once, in the entry of the first of them, and
    this in the others' entries of :attr:`optswitch.SwitchState.candidate_states`.
    :func:`optswitch.candidate_state` follows it.

    Attributes:
        owner: int32 ``[]``, the index of the candidate whose entry holds the state.
    """

    owner: jax.Array


class Multiple(optax.GradientTransformationExtraArgs):
    """``candidate`` at ``multiple`` times its learning rate, with ``candidate``'s own state.

    Its ``update`` is ``candidate``'s, its updates scaled by ``multiple`` (as ``optax.scale``, so bit for bit
    ``optax.chain(candidate, optax.scale(multiple))``'s updates; at 1, ``candidate``'s own), and its state is
    ``candidate``'s. So a switch holding several copies of one candidate keeps one state for them all.

    Attributes:
        candidate: the optimizer copied (an optax transformation).
        multiple: the multiple of its learning rate, a float.
    """

    # As optswitch.Chain: a NamedTuple subclass whose extra attributes travel as pytree static data.

    def __new__(cls, candidate: optax.GradientTransformation, multiple: float):
        multiple = checked_multiple(multiple, "Multiple")
        inner = optax.with_extra_args_support(candidate)
        scale = optax.scale(multiple)

        def update_fn(updates, state, params=None, **extra_args: Any):
            updates, state = inner.update(updates, state, params, **extra_args)
            if multiple != 1:
                updates, _ = scale.update(updates, optax.EmptyState())
            return updates, state

        transformation = super().__new__(cls, inner.init, update_fn)
        transformation.candidate = candidate
        transformation.multiple = multiple
        return transformation


def _rebuilt(static, children) -> Multiple:
    transformation = optax.GradientTransformationExtraArgs.__new__(Multiple, *children)
    transformation.candidate, transformation.multiple = static
    return transformation


jax.tree_util.register_pytree_node(
    Multiple,
    lambda copy: ((copy.init, copy.update), (copy.candidate, copy.multiple)),
    _rebuilt,
)


def checked_multiple(multiple, owner: str) -> float:
    """``multiple`` as a float, or an error naming ``owner`` unless it is a finite number above 0."""
    if isinstance(multiple, bool) or not isinstance(multiple, numbers.Real) or not math.isfinite(multiple):
        raise ValueError(f"{owner}: multiple {multiple!r} is not a finite number; pass e.g. 3.0.")
    if multiple <= 0:
        raise ValueError(
            f"{owner}: multiple {multiple!r} is not above 0; a learning rate times it would not descend. Pass "
            f"positive multiples, e.g. (3, 1)."
        )
    return float(multiple)


def state_owners(candidates: Sequence[optax.GradientTransformation]) -> tuple[int, ...]:
    """For each candidate, the index of the candidate whose state it runs on: its own, or, for a
    :class:`Multiple`, the first :class:`Multiple` of the same optimizer."""
    first: dict[int, int] = {}
    return tuple(
        first.setdefault(id(candidate.candidate), k) if isinstance(candidate, Multiple) else k
        for k, candidate in enumerate(candidates)
    )


def multiple_name(name: str, multiple: float) -> str:
    """The name of candidate ``name`` at ``multiple`` times its learning rate: ``name`` at 1, else e.g. ``adam-x3``."""
    return name if multiple == 1 else f"{name}-x{multiple:g}"


def learning_rate_multiples(
    candidates: Mapping[str, optax.GradientTransformation],
    multiples: Sequence[float] = DEFAULT_MULTIPLES,
    *,
    share_state: bool = True,
) -> dict[str, optax.GradientTransformation]:
    """Every candidate at every multiple of its learning rate, as candidates of one switch.

    The copy of ``candidate`` at ``m`` times its learning rate makes ``candidate``'s update times ``m``: for an
    optimizer whose update is its learning rate times the rest (optax's SGD with or without momentum, Adam,
    AdamW, RMSProp, Lion), that is the same optimizer at ``m`` times the learning rate, a schedule included, up
    to rounding. At ``1`` it is the candidate itself, under its own name, so that a selector or a handoff
    naming it still finds it and a run that never leaves it is bit for bit the candidate alone.

    By default the copies of one candidate share its optimizer state (:class:`Multiple`): a switch keeps it once
    and every copy updates it, so the copies are one optimizer whose learning rate the selector sets. A switch
    from ``adam-x3`` to ``adam`` is then a step in Adam's learning rate, its moments and count carried on (no
    handoff runs between copies of one candidate), the state is as large as the candidates' alone, and, where no
    handoff runs, the switch compiles one branch per optimizer, not per copy. That is exact for an optimizer
    whose state does not depend on its learning rate (the moments of Adam, RMSProp, SGD with momentum, Lion; a
    schedule's count); not for one that keeps iterates (``optax.contrib``'s schedule-free optimizers,
    lookahead): pass ``share_state=False`` there. Sharing also rules out ``switch(inactive="track")`` and
    :func:`optswitch.selectors.trials`, which restore each candidate's own state. ``share_state=False`` gives
    each copy its own (``optax.chain(candidate, optax.scale(m))``; for Adam, SGD with momentum and RMSProp on
    float32 parameters ``P``, ``16P`` more bytes per multiple), and each copy resumes from where it stopped.

    Why: on the project's benchmark tasks the learning rate decides more than the optimizer's family. With the
    untuned candidates (Adam 1e-3, SGD with momentum 1e-2, RMSProp 1e-3), Adam at three times its learning rate
    reaches every development target before every one of them, and a race over the candidates and their
    copies at 3x scored above every fixed candidate where the race over the candidates alone did not
    (``benchmarks/README.md``, "Selection, round 6"). The selector chooses a learning rate as well as an
    optimizer; it does not tune one finely: it picks among the multiples given. A selector that races every
    candidate (``race``) spends its exploration on every copy too.

    Args:
        candidates: the candidates by name, as :func:`optswitch.switch` takes them.
        multiples: the multiples of each candidate's learning rate, positive and distinct; default ``(3, 1)``.
            Their order is the candidates' order: all candidates at the first multiple, then at the second, ...
            (a race's first candidate is the first of the first multiple).
        share_state: whether the copies of a candidate share one optimizer state (default), or each keeps its
            own.

    Returns:
        A dict of ``len(candidates) * len(multiples)`` candidates, named ``name`` at 1 and ``f"{name}-x{m:g}"``
        otherwise (``adam-x3``, ``sgd-x0.3``).

    Raises:
        TypeError: for ``candidates`` that is not a mapping, or ``share_state`` that is not a bool.
        ValueError: for no multiples, a multiple that is not a finite number above 0, two equal multiples, or a
            copy's name that is already a candidate's.

    Examples:
        >>> import optax, optswitch
        >>> candidates = {"adam": optax.adam(1e-3), "sgd": optax.sgd(1e-2, momentum=0.9)}
        >>> list(optswitch.learning_rate_multiples(candidates))
        ['adam-x3', 'sgd-x3', 'adam', 'sgd']
        >>> tx = optswitch.switch(
        ...     optswitch.learning_rate_multiples(candidates, (0.3, 1)), optswitch.selectors.race(run_length=1000))
        >>> tx.names
        ('adam-x0.3', 'sgd-x0.3', 'adam', 'sgd')
    """
    if not isinstance(share_state, bool):
        raise TypeError(f"learning_rate_multiples: share_state={share_state!r}; pass True or False.")
    if not isinstance(candidates, Mapping):
        raise TypeError(
            f"learning_rate_multiples: candidates must be a mapping of names to optax transformations, as switch "
            f"takes them, e.g. {{'adam': optax.adam(1e-3)}}; got {type(candidates).__name__}."
        )
    multiples = tuple(multiples)
    if not multiples:
        raise ValueError("learning_rate_multiples: no multiples; pass at least one, e.g. multiples=(3, 1).")
    multiples = tuple(checked_multiple(multiple, "learning_rate_multiples") for multiple in multiples)
    if len(set(multiples)) < len(multiples):
        raise ValueError(f"learning_rate_multiples: multiples {multiples} repeat one; each copy must differ.")
    copies: dict[str, optax.GradientTransformation] = {}
    for multiple in multiples:
        for name, candidate in candidates.items():
            copy_name = multiple_name(name, multiple)
            if copy_name in copies or (multiple != 1 and copy_name in candidates):
                raise ValueError(
                    f"learning_rate_multiples: the copy of {name!r} at {multiple:g}x would be named {copy_name!r}, "
                    f"which is already a candidate's name; rename that candidate."
                )
            if share_state:
                copies[copy_name] = Multiple(candidate, multiple)
            else:
                copies[copy_name] = candidate if multiple == 1 else optax.chain(candidate, optax.scale(multiple))
    return copies
