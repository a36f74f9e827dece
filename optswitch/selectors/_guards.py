"""Guards: selectors that wrap another and veto some of its switches (:func:`min_dwell`, :func:`revert_if_worse`);
:mod:`optswitch.selectors._undo` has the one that undoes their updates."""

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from optswitch.selectors._base import Selector, default_float, for_names, with_loss
from optswitch.selectors._settings import check_count


def explain_through(selector: Selector, own=None, own_text=None):
    """The :attr:`Selector.explain` of a selector that wraps ``selector`` in a state with an ``inner`` field.

    It gives ``selector``'s explanation, read from the inner states, unless the wrapper says more:
    ``own(signals, before, after) -> (said, alone, numbers)`` (traced) says whether the wrapper had a hand in
    this switch, and whether it alone made it; then ``own_text(numbers, names)`` (on the host) is the text,
    after ``selector``'s or instead of it.
    """

    def explain(signals, before, after):
        inner_numbers, inner_text = (
            selector.explain(signals, before.inner, after.inner) if selector.explain else ({}, None)
        )
        said, alone, numbers = own(signals, before, after) if own else (False, False, {})
        everything = dict(inner=inner_numbers, said=jnp.asarray(said), alone=jnp.asarray(alone), own=numbers)

        def text(everything, names):
            chosen = inner_text(everything["inner"], names) if inner_text else f"chosen by the {selector.name} selector"
            if not everything["said"]:
                return chosen
            mine = own_text(everything["own"], names)
            return mine if everything["alone"] else f"{chosen}; {mine}"

        return everything, text

    return explain


def check_wrappable(
    wrapper: str,
    selector,
    *,
    verb: str = "guard",
    change: str = "vetoing one of its switches",
    fix: str = "unguarded",
    while_idle: bool = False,
) -> None:
    """Raises unless ``selector`` is a :class:`Selector` without snapshots, which a wrapper may change the picks of.

    ``wrapper`` names it in the message, which says that it would ``verb`` the selector, that ``change`` would
    break a trial, and to use the selector ``fix``. With ``while_idle``, the wrapper stands aside while the
    selector is busy (:attr:`Snapshots.busy`), so a selector with snapshots that says when it is busy is allowed.
    """
    if not isinstance(selector, Selector):
        raise TypeError(
            f"{wrapper}: expected an optswitch.selectors.Selector to {verb}, got {type(selector).__name__}."
        )
    if selector.snapshots is not None and not (while_idle and selector.snapshots.busy is not None):
        raise ValueError(
            f"{wrapper}: the {selector.name} selector restores parameters from snapshots at the ends of its "
            f"trials, and {change} would break a trial; use it {fix}"
            + (", or give its Snapshots a busy= (when its trials are under way)." if while_idle else ".")
        )


def standing_aside(selector: Selector, before, after) -> jax.Array:
    """Whether a wrapper of ``selector`` leaves this update to it: it was or is busy, or asks its snapshots for
    something (see :attr:`Snapshots.busy`); False for a selector without snapshots. ``before`` and ``after`` are
    its states before and after ``select``."""
    snapshots = selector.snapshots
    if snapshots is None:
        return jnp.asarray(False)
    busy = busy_of(snapshots)
    request = snapshots.request(after)
    asks = (request.save >= 0) | (request.load >= 0) | request.keep_states | jnp.any(request.restore_states)
    return busy(before) | busy(after) | asks


def busy_of(snapshots) -> Callable[[Any], jax.Array]:
    """``snapshots.busy``, which :func:`check_wrappable` has made sure of for a wrapper that stands aside."""
    busy = snapshots.busy
    if busy is None:
        raise ValueError("a wrapper stands aside only for a selector whose Snapshots say when it is busy (busy=).")
    return busy


def snapshots_within(selector: Selector):
    """``selector``'s :class:`Snapshots` for a wrapper whose state holds ``selector``'s as ``inner`` (and changes
    nothing of them), or None."""
    snapshots = selector.snapshots
    if snapshots is None:
        return None

    busy = busy_of(snapshots)

    def lifted(inner_on_skip):
        def on_skip(state):
            request, inner = inner_on_skip(state.inner)
            return request, state._replace(inner=inner)

        return on_skip

    return snapshots._replace(
        request=lambda state: snapshots.request(state.inner),
        on_skip=None if snapshots.on_skip is None else lifted(snapshots.on_skip),
        busy=lambda state: busy(state.inner),
    )


class DwellState(NamedTuple):
    """State of :func:`min_dwell`.

    Attributes:
        inner: the guarded selector's state.
    """

    inner: Any


def min_dwell(selector: Selector, updates: int) -> Selector:
    """``selector``, except that a candidate switched to stays for at least ``updates`` updates.

    A choice to leave the active candidate earlier is ignored (the guarded selector's state still advances,
    and it sees the signals of the candidate actually active). Switches made with
    :func:`optswitch.set_active` are not vetoed.

    Args:
        selector: the selector to guard.
        updates: the fewest updates a candidate makes after being switched to, at least 1.

    Returns:
        A :class:`Selector` with the guarded one's reads, probe and handoff.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> every_update = optswitch.selectors.custom(lambda names: (), lambda s, st: (1 - s.active, st), reads=[])
        >>> tx = optswitch.switch([optax.sgd(0.1), optax.sgd(0.2)], optswitch.selectors.min_dwell(every_update, 3))
        >>> params = {"w": jnp.ones(2)}
        >>> state = tx.init(params)
        >>> for _ in range(7):
        ...     _, state = tx.update(params, state, params)
        >>> [first for first, _, _ in optswitch.summary(state).switches]
        [3, 6]
    """
    check_wrappable("min_dwell", selector)
    check_count("min_dwell", "updates", updates, 1)
    if selector.bind is not None:  # Guard the selector the switch binds to its names, not the unbound one.
        return for_names(lambda names: _dwell(selector.bound(names) if names else selector, updates))
    return _dwell(selector, updates)


def _dwell(selector: Selector, updates: int) -> Selector:
    def select(signals, state: DwellState):
        choice, inner = selector.select(signals, state.inner)
        held = signals.steps_in_active < updates
        return jnp.where(held, signals.active, choice).astype(jnp.int32), DwellState(inner)

    return selector._replace(
        init=lambda names: DwellState(selector.init(names)),
        select=select,
        name=f"min_dwell({selector.name})",
        bind=None,
        explain=explain_through(selector),
    )


class RevertState(NamedTuple):
    """State of :func:`revert_if_worse`.

    Attributes:
        inner: the guarded selector's state.
        recent: ``[W]``, the latest ``W = window`` losses, a ring buffer.
        seen: int32 ``[]``, losses seen since the latest switch (by the guarded selector, or a revert).
        watching: bool ``[]``, whether the updates since the latest switch are being compared with those before.
        source: int32 ``[]``, the candidate switched away from.
        before_mean: ``[]``, the mean loss over the ``window`` updates before the switch.
        before_variance: ``[]``, their sample variance.
        held_until: int32 ``[]``, after a revert, the update (of those seen) before which the guarded selector's
            choices are ignored.
        updates: int32 ``[]``, losses seen: the guard's clock.
    """

    inner: Any
    recent: jax.Array
    seen: jax.Array
    watching: jax.Array
    source: jax.Array
    before_mean: jax.Array
    before_variance: jax.Array
    held_until: jax.Array
    updates: jax.Array


def revert_if_worse(selector: Selector, window: int, *, confidence: float = 2.0, hold: int | None = None) -> Selector:
    """``selector``, except that a switch after which the loss got worse than before it is undone.

    After each switch made by the guarded selector, the mean loss over the ``window`` updates that follow is
    compared with the mean over the ``window`` updates before it; when it is higher by more than
    ``confidence`` standard errors of the difference (from the two windows' variances), the switch is undone:
    the candidate switched away from comes back, and the guarded selector's choices are ignored for ``hold``
    updates. The loss falls as training goes on, so a switch is undone only for a bump larger than its noise,
    and never for one within the rounding of the means (``window`` float epsilons of the loss before).

    Args:
        selector: the selector to guard.
        window: updates on each side of a switch, at least 2.
        confidence: standard errors by which the loss after must exceed the loss before.
        hold: updates during which, after a revert, the guarded selector's choices are ignored; default
            ``4 * window``.

    Returns:
        A :class:`Selector` that reads the loss besides what the guarded one reads (``update`` needs
        ``value=``).

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> at_10 = optswitch.selectors.schedule({0: 0, 10: 1})
        >>> tx = optswitch.switch([optax.sgd(0.1), optax.sgd(0.2)], optswitch.selectors.revert_if_worse(at_10, 4))
        >>> params = {"w": jnp.ones(2)}
        >>> state = tx.init(params)
        >>> for t in range(20):  # the loss doubles after the switch
        ...     loss = (1.0 if t < 10 else 2.0) + 0.01 * (t % 3)
        ...     _, state = tx.update(params, state, params, value=jnp.asarray(loss))
        >>> optswitch.summary(state).switches
        [(10, '0', '1'), (14, '1', '0')]
    """
    check_wrappable("revert_if_worse", selector)
    check_count("revert_if_worse", "window", window, 2, " (a variance needs two losses)")
    hold = 4 * window if hold is None else hold
    check_count("revert_if_worse", "hold", hold, 0)
    if selector.bind is not None:  # Guard the selector the switch binds to its names, not the unbound one.
        return for_names(lambda names: _revert(selector.bound(names) if names else selector, window, confidence, hold))
    return _revert(selector, window, confidence, hold)


def _revert(selector: Selector, window: int, confidence: float, hold: int) -> Selector:
    reads = with_loss(selector.reads)

    def init(names):
        dtype = default_float()
        scalar = lambda value, dtype=jnp.int32: jnp.asarray(value, dtype)
        return RevertState(
            inner=selector.init(names),
            recent=jnp.zeros([window], dtype),
            seen=scalar(0),
            watching=scalar(False, bool),
            source=scalar(0),
            before_mean=scalar(0, dtype),
            before_variance=scalar(0, dtype),
            held_until=scalar(0),
            updates=scalar(0),
        )

    def select(signals, state: RevertState):
        choice, inner = selector.select(signals, state.inner)
        dtype = state.recent.dtype
        loss, active = signals.loss.astype(dtype), signals.active
        recent = state.recent.at[state.updates % window].set(loss)
        updates, seen = state.updates + 1, state.seen + 1
        mean = jnp.mean(recent)
        variance = jnp.var(recent) * window / (window - 1)
        judged = state.watching & (seen == window)
        error = jnp.sqrt((variance + state.before_variance) / window)
        # Means of equal losses can differ in their last bits (XLA may fuse the subtraction into the mean's
        # rounding): a difference within that rounding is not a rise, even when the windows' variances are 0.
        rounding = window * jnp.finfo(dtype).eps * jnp.abs(state.before_mean)
        revert = judged & (mean - state.before_mean > jnp.maximum(confidence * error, rounding))
        held = updates < state.held_until
        choice = jnp.where(held, active, choice)
        switching = ~revert & (choice != active)
        # A switch is watched only with a full window of losses before it, all of this candidate's.
        watch = switching & (seen >= window)
        new_state = RevertState(
            inner=inner,
            recent=recent,
            seen=jnp.where(switching | revert, 0, seen),
            watching=watch | (state.watching & ~judged & ~switching),
            source=jnp.where(watch, active, state.source),
            before_mean=jnp.where(watch, mean, state.before_mean).astype(dtype),
            before_variance=jnp.where(watch, variance, state.before_variance).astype(dtype),
            held_until=jnp.where(revert, updates + hold, state.held_until),
            updates=updates,
        )
        return jnp.where(revert, state.source, choice).astype(jnp.int32), new_state

    def reverted(signals, before: RevertState, after: RevertState):
        return after.held_until != before.held_until, True, {}

    said = (
        f"undone: the mean loss over the {window} updates after the switch was above the mean over the {window} "
        f"before it by more than {confidence:g} standard errors"
    )
    return selector._replace(
        init=init,
        select=select,
        reads=reads,
        name=f"revert_if_worse({selector.name})",
        bind=None,
        explain=explain_through(selector, reverted, lambda numbers, names: said),
    )
