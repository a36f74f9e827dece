"""``undo_if_worse``: a guard that keeps a selector's choices and undoes the updates after a switch that did damage."""

from typing import Any, NamedTuple, cast

import jax
import jax.numpy as jnp
import optax

from optswitch.selectors import _window
from optswitch.selectors._base import Selector, SnapshotRequest, Snapshots, default_float, for_names, with_loss
from optswitch.selectors._guards import busy_of, check_wrappable, explain_through, standing_aside
from optswitch.selectors._line_fit import line_end_if
from optswitch.selectors._settings import check_count, check_number


class UndoState(NamedTuple):
    """State of :func:`undo_if_worse`.

    Attributes:
        inner: the guarded selector's state.
        recent: ``[W]``, ``log(loss)`` of the latest ``W = window`` updates that count, a ring buffer.
        updates: int32 ``[]``, updates that counted (those with a loss > 0): the guard's clock.
        seen: int32 ``[]``, updates since the latest switch or undo, at most ``window``: all made from one path of
            the parameters.
        watching: bool ``[]``, whether the updates since the latest switch are being compared with those before.
        after: int32 ``[]``, updates since the watched switch, at most ``window``.
        before_end: ``[]``, where the line through ``log(loss)`` over the updates before the watched switch
            ends: the log loss at the switch, with their noise smoothed out.
        before_variance: ``[]``, that value's variance, from the scatter of the updates about the line; inf for the
            save that a guard around a busy selector makes after a round (watched against no beginning: never undone).
        before_scatter: ``[]``, with ``noise="before"``, the variance of one update's ``log(loss)`` about that line,
            by which the updates after the switch are judged too (inf where ``before_variance`` is); None otherwise.
        undone: int32 ``[]``, undos so far.
        last_undone: int32 ``[]``, the update (on the guard's clock) after which the latest undo ran; -1 for none.
        restorable: bool ``[]``, whether the saved parameters' own loss has counted (they trained on from a finite
            loss): the slot may then be loaded at a loss that is not finite, at most once per loss that counts.
        request: the :class:`SnapshotRequest` the switch runs after this update.
    """

    inner: Any
    recent: jax.Array
    updates: jax.Array
    seen: jax.Array
    watching: jax.Array
    after: jax.Array
    before_end: jax.Array
    before_variance: jax.Array
    before_scatter: jax.Array | None
    undone: jax.Array
    last_undone: jax.Array
    restorable: jax.Array
    request: SnapshotRequest


def undo_if_worse(
    selector: Selector,
    window: int,
    *,
    confidence: float = 2.0,
    min_losses: int = 3,
    noise: str = "each",
    keep_watch: bool = False,
    loss_is_log: bool = False,
) -> Selector:
    """``selector``, except that the updates after a switch that left the loss higher than at the switch are undone.

    At each switch the guarded selector makes, the switch saves the parameters and every candidate's state. At
    the guarded selector's next switch, or ``window`` updates after this one if that comes first, the updates
    since the switch are judged: a least-squares line through their ``log(loss)`` gives where they ended, and
    one through the (at most ``window``) updates before the switch gives where they began. When the end is
    above the beginning by more than ``confidence`` standard errors (each from its updates' scatter about
    their line), the parameters and every candidate's state go back to the saved ones. The guarded selector's
    choices stand: it still sees what the undone updates measured (a race still scores the leg), and the next
    update, by whichever candidate it picks, starts from where the undone ones began. A switch made at an undo
    is judged against the same beginning, since it starts from the same parameters.

    This is :func:`revert_if_worse` for a selector that explores: a race's leg or a duel by a candidate that
    wrecks the model (a tanh RNN thrown off by SGD at a high learning rate) costs its updates, not the run. A
    candidate that learns more slowly, or whose loss rises and comes back down, is kept; the lines, not the
    means, are compared, so that a loss falling fast before the switch does not hide a rise after it.

    Memory: one parameter-sized snapshot and one copy of every candidate's state, kept in
    :attr:`optswitch.SwitchState.snapshots` and sharded like the parameters; a save runs at each watched switch, an
    undo at most once per switch (a rescue, below, at most once per loss that counts). It needs ``params`` in
    ``update`` (or use ``update_and_apply``), and, with ``update``, the switch last in a chain (see
    :func:`optswitch.switch`). An undo is not a switch: it makes no event of its own (:attr:`UndoState.undone`
    counts them, and the event of a switch made at an undo says so). Updates with a loss ``<= 0``, which has no
    log, do not count: a switch made on one is not watched.

    Parameters that stop being finite (a candidate that diverges, in a watched leg or long after its judgement) are
    put back at the first update whose loss is not finite, without a judgement, to those saved at the latest
    watched switch, with every candidate's state: the guarded selector, which does not see that update, carries on
    from there, with its choice, watched against the same beginning. Only once the saved parameters' own loss
    has counted (not when a switch's first loss is not finite: the update before it broke the parameters that the
    switch saved), and not again until a loss has counted (a rescue cannot repeat forever). A candidate that
    diverges again from the same place, on the same batches, is put back again: with :func:`step_down` inside, a
    copy at a multiple of its learning rate runs as its candidate after its second such update. With ``update``,
    parameters that are no longer finite cannot be put back, and huge ones land off the snapshot by the rounding
    of ``params + (snapshot - params)`` (see :class:`optswitch.selectors.Snapshots`): use ``update_and_apply``.

    Args:
        selector: the selector to guard: one without snapshots of its own, or one that says when it is busy with
            them (:attr:`Snapshots.busy`: ``trials``, ``halving``, or ``step_down`` around one of them). While it
            is busy, or asks for a snapshot, the guard stands aside (it watches no switch, undoes nothing, and leaves
            skipped updates to it), and its slot comes after the wrapped selector's. At the first update that
            counts before a round and after one, it saves the parameters (never undone to), so that parameters that
            stop being finite before the next switch are put back there.
        window: the most updates after a switch before it is judged, and before it that it is judged against;
            at least ``min_losses``.
        confidence: standard errors by which the end must be above the beginning, >= 0.
        min_losses: the fewest updates on each side of a switch that it is judged on: a switch is watched only
            with this many before it, and judged only once there are this many after it; >= 3. Through 3 a line
            has one degree of freedom left for its scatter, and a beginning that looks calm by luck can undo
            every later leg (legs of 3 updates: many candidates on a short run). 5 avoids that, but showed no
            gain on the suite once re-run on fresh seeds, so 3 stays the default (benchmarks README, round 11).
        noise: whose scatter the standard errors come from. ``"each"`` (the default): each line's own, the updates'
            after the switch for where they ended. ``"before"``: the scatter of the updates before the switch, for
            both lines. A leg that throws the loss up by orders of magnitude and back has a scatter of its own so
            large that no end of it is beyond its noise (a PixelCNN left on a plateau 1.3x higher by a leg that
            peaked at 60x: 0.6 standard errors); judged by the scatter before the switch, the same leg is 8.
        keep_watch: what becomes of a switch that comes while a watched one cannot be judged yet (fewer than
            ``min_losses`` updates after it, or after an undo or a rescue). False (the default): it is not watched,
            since too few updates since the last switch make a beginning, so the parameters it starts from, which
            those few updates may have wrecked, are never judged. True: the watch holds through it; the new leg is
            judged against the same beginning, and an undo puts back the same saved parameters (why: round 48 in
            ``docs/selectors.md``). :func:`recommended` passes True (since round 49).
        loss_is_log: whether the loss is a logarithm already (a negative log-likelihood, which may be 0 or less):
            the lines then fit the loss itself, not ``log(loss)``, and every update counts. Default False.

    Returns:
        A :class:`Selector` that reads the loss besides what the guarded one reads (``update`` needs
        ``value=``).

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> at_10 = optswitch.selectors.schedule({0: 0, 10: 1})
        >>> tx = optswitch.switch([optax.sgd(0.1), optax.sgd(0.2)], optswitch.selectors.undo_if_worse(at_10, 5))
        >>> params = {"w": jnp.ones(2)}
        >>> state, update_and_apply = tx.init(params), jax.jit(tx.update_and_apply)
        >>> for t in range(20):  # the loss doubles after the switch
        ...     loss = (1.0 if t < 10 else 2.0) + 0.01 * (t % 3)
        ...     params, state = update_and_apply(params, state, params, value=jnp.asarray(loss))
        >>> int(state.selector_state.undone), int(state.selector_state.last_undone)  # after the 5th update of '1'
        (1, 15)
        >>> optswitch.summary(state).switches  # the schedule's choice stands
        [(10, '0', '1')]
    """
    check_wrappable("undo_if_worse", selector, change="undoing its updates", while_idle=True)
    check_count("undo_if_worse", "min_losses", min_losses, 3, " (a line and its scatter need three losses)")
    check_count("undo_if_worse", "window", window, min_losses, f" (min_losses={min_losses}: the updates judged)")
    check_number("undo_if_worse", "confidence", confidence, 0.0)
    if noise not in ("each", "before"):
        raise ValueError(
            f"undo_if_worse: noise={noise!r} is not a choice; pass 'each' (each line's own scatter, the default) or "
            f"'before' (the scatter of the updates before the switch, for both lines)."
        )
    settings = (window, confidence, min_losses, noise == "before", keep_watch, loss_is_log)
    if selector.bind is not None:  # Guard the selector the switch binds to its names, not the unbound one.
        return for_names(lambda names: _undo(selector.bound(names) if names else selector, *settings))
    return _undo(selector, *settings)


def _undo(
    selector: Selector,
    window: int,
    confidence: float,
    min_losses: int,
    by_before: bool,
    keep_watch: bool,
    loss_is_log: bool,
) -> Selector:
    warned: list[bool] = []
    inner_snapshots = selector.snapshots
    # A wrapped selector with snapshots keeps its slots; the guard's comes after them.
    slot = 0 if inner_snapshots is None else inner_snapshots.slots

    def init(names):
        dtype = default_float()
        scalar = lambda value, dtype=jnp.int32: jnp.asarray(value, dtype)
        inner = selector.init(names)
        _window.leave_warning_to(inner, warned)
        return UndoState(
            inner=inner,
            recent=jnp.zeros([window], dtype),
            updates=scalar(0),
            seen=scalar(0),
            watching=scalar(False, bool),
            after=scalar(0),
            before_end=scalar(0, dtype),
            before_variance=scalar(0, dtype),
            before_scatter=scalar(0, dtype) if by_before else None,
            undone=scalar(0),
            last_undone=scalar(-1),
            restorable=scalar(False, bool),
            request=_request(len(names), scalar(False, bool), scalar(False, bool), slot),
        )

    def select(signals, state: UndoState):
        choice, inner = selector.select(signals, state.inner)
        dtype = state.recent.dtype
        counts = _window.usable(signals.loss, "undo_if_worse", warned, loss_is_log)
        line_loss = _window.log_loss(signals.loss, counts, loss_is_log)
        recent = state.recent.at[state.updates % window].set(line_loss.astype(dtype))
        updates, seen = state.updates + 1, jnp.minimum(state.seen + 1, window)
        after = jnp.minimum(state.after + 1, window)
        switching = choice != signals.active
        judged = state.watching & (after >= min_losses) & (switching | (after == window))
        # The lines are fitted only where they are read: a pass over the window at a switch, not at every update.
        end, scatter, end_factor = line_end_if(judged, recent, updates, after)
        # With noise="before" the state has a scatter; where nothing is judged the factor is 0, and the scatter of a
        # save after a round inf.
        kept_scatter = cast(jax.Array, state.before_scatter)
        if by_before:
            scatter = jnp.where(judged, kept_scatter, 0)
        undo = judged & (end - state.before_end > confidence * jnp.sqrt(scatter * end_factor + state.before_variance))
        # A switch at an undo starts from the saved parameters: the saved slot and its beginning still hold.
        rewatch = switching & undo
        watch = switching & ~undo & (seen >= min_losses)
        if keep_watch:  # A switch before the watched one can be judged starts from what it saved, give or take a few.
            rewatch = rewatch | (switching & state.watching & ~judged & ~watch)
        before_end, before_scatter, before_factor = line_end_if(watch, recent, updates, seen)
        before_variance = before_scatter * before_factor
        counted = UndoState(
            inner=inner,
            recent=recent,
            updates=updates,
            seen=jnp.where(switching | undo, 0, seen),
            watching=watch | rewatch | (state.watching & ~judged & ~switching),
            after=jnp.where(watch | rewatch, 0, after),
            before_end=jnp.where(watch, before_end, state.before_end).astype(dtype),
            before_variance=jnp.where(watch, before_variance, state.before_variance).astype(dtype),
            before_scatter=(jnp.where(watch, before_scatter, kept_scatter).astype(dtype) if by_before else None),
            undone=state.undone + undo.astype(jnp.int32),
            last_undone=jnp.where(undo, updates, state.last_undone),
            # The slot saved at the previous update (a watch began there) is restorable from this update's loss on.
            restorable=~watch & (state.restorable | (state.watching & (state.after == 0))),
            request=_request(state.request.restore_states.shape[0], watch, undo, slot),
        )
        ignored = state._replace(
            inner=inner,
            watching=state.watching & ~switching,
            request=_request(state.request.restore_states.shape[0], jnp.asarray(False), jnp.asarray(False), slot),
        )
        new_state = optax.tree.where(counts, counted, ignored)
        if inner_snapshots is None:
            return choice, new_state
        # Before a round of trials and after one, nothing the guard saved holds: at the first update that counts, it
        # saves the parameters, watched against no beginning (never undone), so that parameters that stop being finite
        # before the next switch can be put back there.
        unguarded = counts & ~state.watching & ~state.restorable & ~new_state.watching
        guarding = new_state._replace(
            watching=jnp.asarray(True),
            after=jnp.zeros_like(state.after),
            before_end=jnp.zeros_like(state.before_end),
            before_variance=jnp.full_like(state.before_variance, jnp.inf),
            before_scatter=None if state.before_scatter is None else jnp.full_like(state.before_scatter, jnp.inf),
            request=_request(state.request.restore_states.shape[0], jnp.asarray(True), jnp.asarray(False), slot),
        )
        new_state = optax.tree.where(unguarded, guarding, new_state)
        # While the wrapped selector is busy (a round of trials) or asks for a snapshot, the run is its own: nothing
        # is watched or judged, and what the guard saved before is stale (the losses came from other candidates).
        aside = new_state._replace(
            seen=jnp.zeros_like(state.seen),
            watching=jnp.asarray(False),
            after=jnp.zeros_like(state.after),
            undone=state.undone,
            last_undone=state.last_undone,
            restorable=jnp.asarray(False),
            request=inner_snapshots.request(inner),
        )
        return choice, optax.tree.where(standing_aside(selector, state.inner, inner), aside, new_state)

    def on_skip(state: UndoState):
        # Parameters that stop being finite are put back to the latest watched switch's, whose loss was finite,
        # whether the leg since is still watched or not. Not again until a loss has counted, so that a rescue
        # cannot repeat forever; the leg that runs from them is judged against the same beginning.
        rescue = state.restorable & (state.updates > state.last_undone)
        rescued = state._replace(
            seen=jnp.where(rescue, 0, state.seen),
            watching=state.watching | rescue,
            after=jnp.where(rescue, 0, state.after),
            undone=state.undone + rescue.astype(jnp.int32),
            last_undone=jnp.where(rescue, state.updates, state.last_undone),
        )
        request = _request(state.request.restore_states.shape[0], jnp.asarray(False), rescue, slot)
        rescued = rescued._replace(request=request)
        if inner_snapshots is None:
            return request, rescued
        # While the wrapped selector is busy, a skipped update is its to handle (a trial lost), if it handles any.
        inner_on_skip = inner_snapshots.on_skip
        if inner_on_skip is None:
            inner_request = _request(len(request.restore_states), jnp.asarray(False), jnp.asarray(False), slot)
            inner = state.inner
        else:
            inner_request, inner = inner_on_skip(state.inner)
        busy = busy_of(inner_snapshots)(state.inner)
        request = optax.tree.where(busy, inner_request, request)
        return request, optax.tree.where(busy, state._replace(inner=inner, request=inner_request), rescued)

    def undid(signals, before: UndoState, after: UndoState):
        return after.undone != before.undone, False, {"update": after.last_undone}

    by_before_text = ", by the scatter before the switch" if by_before else ""
    # With the watch kept through a switch too soon to judge, an undo goes back past it, to the switch watched.
    since = "the switch watched" if keep_watch else "the previous switch"

    def said(numbers, names):
        return (
            f"the updates since {since} were undone at update {int(numbers['update'])} (their log loss "
            f"ended above where it began by more than {confidence:g} standard errors{by_before_text})"
        )

    return selector._replace(
        init=init,
        select=select,
        reads=with_loss(selector.reads),
        name=f"undo_if_worse({selector.name})",
        bind=None,
        snapshots=Snapshots(
            slots=slot + 1,
            request=lambda state: state.request,
            candidate_states=True,
            # Its undo puts back every state; a wrapped selector with snapshots may put back some.
            all_or_none=inner_snapshots is None or inner_snapshots.all_or_none,
            on_skip=on_skip,
            busy=None if inner_snapshots is None else lambda state: busy_of(inner_snapshots)(state.inner),
        ),
        explain=explain_through(selector, undid, said),
    )


def key_numbers(state: UndoState, names: tuple[str, ...]) -> dict[str, jax.Array]:
    """The numbers of :func:`optswitch.metrics` for :func:`undo_if_worse`: undos so far, and when the latest ran."""
    del names
    return {"undone": state.undone, "last_undone": state.last_undone}


def _request(n: int, save: jax.Array, undo: jax.Array, slot: int) -> SnapshotRequest:
    return SnapshotRequest(
        save=jnp.where(save, slot, -1).astype(jnp.int32),
        load=jnp.where(undo, slot, -1).astype(jnp.int32),
        keep_states=save,
        restore_states=jnp.full([n], undo),
    )
