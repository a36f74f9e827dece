"""One training run of a task with an optimizer: a jitted, donated train loop that evaluates every k steps.

The loop is :func:`optswitch.demo.train_loop`, built the way a fast JAX training loop is: the data live on device
and each batch is drawn there, one compiled program makes ``eval_every`` steps (a ``lax.scan`` of the train step,
its carry donated), and the host waits for the device only at evaluations. The clock counts what AlgoPerf
counts: the training time, compile included, and not the evaluations.
"""

import dataclasses
import math
import time
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import optax

import optswitch
from benchmarks.suite.tasks import Task, validation_sampler
from optswitch._find import find_all
from optswitch.demo import train_loop


@dataclasses.dataclass
class Run:
    """What one run recorded; every list has one entry per evaluation, the first at step 0.

    Attributes:
        task: the task's name.
        contender: the contender's name.
        seed: the seed of the initialization and of the batches (the same for every contender, so runs pair up).
        steps: steps made at each evaluation.
        metric: the validation metric at each evaluation.
        seconds: training seconds at each evaluation, compile included, evaluations excluded.
        train_loss: the mean of the finite training losses since the previous evaluation (NaN at step 0, and
            where none was finite).
        active: the candidate that makes the next step, at each evaluation ("" for a fixed optimizer).
        compile_seconds: time to compile the train loop (included in ``seconds``).
        switches: ``(first_update, from, to)`` for each switch, from :func:`optswitch.summary`.
        steps_per_candidate: updates each candidate made, from :func:`optswitch.summary` (empty when fixed).
        diverged: whether the run stopped early: a metric that is not finite, or no finite training loss since
            the previous evaluation. A switch whose selector keeps snapshots (``undo_if_worse``), which can put
            back the parameters of a leg that diverged, is never stopped early: it runs its budget, and
            ``diverged`` says whether its last evaluation is not finite.
        skipped: updates of a switch whose loss was not finite (:func:`optswitch.summary`'s ``skipped``); 0 for
            a fixed optimizer, and in runs stored before round 12.
        discarded: at each evaluation, whether it saw parameters that the run then put back: those partway through
            a trial (``selectors.trials``, ``selectors.halving``) of a candidate that did not win its round, or an
            earlier trial of the winner (:func:`discarded_in_trials`), and those inside a leg that
            ``selectors.undo_if_worse`` undid (:func:`discarded_by_undos`). Time to target reads only the others
            (:attr:`kept_metric`). Empty in runs stored before round 21 (read as none discarded), and for a fixed
            optimizer; runs stored in rounds 21 and earlier mark no undone leg.
    """

    task: str
    contender: str
    seed: int
    steps: list[int]
    metric: list[float]
    seconds: list[float]
    train_loss: list[float]
    active: list[str]
    compile_seconds: float
    switches: list[tuple[int, str, str]]
    steps_per_candidate: dict[str, int]
    diverged: bool
    skipped: int = 0
    discarded: list[bool] = dataclasses.field(default_factory=list)

    @property
    def final_metric(self) -> float:
        """The validation metric at the end of the budget; NaN when the run diverged."""
        return math.nan if self.diverged else self.metric[-1]

    @property
    def kept_metric(self) -> list[float]:
        """``metric``, NaN where the evaluation was ``discarded``: what time to target reads, so that a trial's
        loser, whose parameters the run put back, reaches no target for it."""
        if not self.discarded:
            return list(self.metric)
        return [math.nan if gone else value for value, gone in zip(self.metric, self.discarded, strict=True)]


def discarded_in_trials(trialing: Sequence[bool], partway: Sequence[bool], active: Sequence[str]) -> list[bool]:
    """Which evaluations saw parameters that a round of trials then put back.

    During a round (``trialing``), an evaluation ``partway`` through a trial sees the parameters of the candidate on
    trial, ``active``; one at a trial's start sees the round's common start, which the run keeps. The round goes on
    from the end point of its winner's last trial: the winner is the candidate active at the first evaluation
    after the round, and every other partway evaluation of the round is put back.

    Examples:
        >>> trialing = [False, True, True, True, True, False]
        >>> partway = [False, False, True, False, True, False]  # a's trial, then b's from the same start
        >>> discarded_in_trials(trialing, partway, ["a", "a", "a", "b", "b", "a"])  # b lost: on from a's end point
        [False, False, False, False, True, False]
        >>> discarded_in_trials(trialing, partway, ["a", "a", "a", "b", "b", "b"])  # b won: a's trial is put back
        [False, False, True, False, False, False]
    """
    discarded = [False] * len(active)
    start = 0
    while start < len(active):
        if not trialing[start]:
            start += 1
            continue
        end = start
        while end < len(active) and trialing[end]:
            end += 1
        # A round still under way at the last evaluation has no winner yet: the candidate then active goes on.
        winner = active[end] if end < len(active) else active[-1]
        on_trial = [index for index in range(start, end) if partway[index]]
        # Its winner's last trial: the winner's last partway evaluations with no other candidate's among them.
        kept = set()
        for index in reversed(on_trial):
            if active[index] != winner and kept:
                break
            if active[index] == winner:
                kept.add(index)
        for index in on_trial:
            discarded[index] = index not in kept
        start = end
    return discarded


def discarded_by_undos(undone: Sequence[int], saved: Sequence[bool]) -> list[bool]:
    """Which states of a run, after ``t = 0, 1, ...`` updates, ``selectors.undo_if_worse`` put back.

    ``undone[t]`` is the guard's count of undos (and rescues) after update ``t``, ``saved[t]`` whether the switch
    saved the parameters after update ``t`` (a watched switch). An undo at update ``u`` loads the parameters saved
    at the latest save ``s``: the state after ``u`` is the state after ``s``, and those after ``s + 1, ..., u - 1``
    are put back, but for those that an earlier undo put back to ``s`` (the same parameters as after ``s``). Read
    after every update, this is exact, where reading the guard at the evaluations is not: its state keeps only the
    latest undo.

    Examples:
        >>> undone = [0, 0, 0, 0, 0, 1, 1, 1]
        >>> saved = [False, True, False, False, False, False, False, False]  # saved after 1, undone at 5
        >>> [t for t, gone in enumerate(discarded_by_undos(undone, saved)) if gone]
        [2, 3, 4]
        >>> [t for t, gone in enumerate(discarded_by_undos([0, 0, 0, 1, 1, 2], saved[:6])) if gone]  # twice to 1
        [2, 4]
    """
    discarded = [False] * len(undone)
    latest_save, back_at_save = 0, set()
    for t in range(1, len(undone)):
        if undone[t] > undone[t - 1]:
            for put_back in range(latest_save + 1, t):
                discarded[put_back] = discarded[put_back] or put_back not in back_at_save
            back_at_save.add(t)
        if saved[t]:
            latest_save, back_at_save = t, set()
    return discarded


def _states_of(opt_state, types) -> list:
    """The nodes of ``opt_state`` that are instances of ``types`` (a selector's or an optimizer's state)."""
    is_wanted = lambda node: isinstance(node, types)
    return [node for node in jax.tree.leaves(opt_state, is_leaf=is_wanted) if is_wanted(node)]


def _undo_guard(opt_state):
    """The one ``undo_if_worse`` state in ``opt_state``, or None."""
    found = _states_of(opt_state, optswitch.selectors.UndoState)
    if len(found) > 1:
        raise ValueError(f"harness: {len(found)} undo_if_worse guards in one optimizer; it marks the legs of one.")
    return found[0] if found else None


def _undo_trace(opt_state) -> tuple[jax.Array, jax.Array]:
    """What :func:`discarded_by_undos` reads after an update: the guard's undos so far, and whether it saves now
    (its request is the one the switch ran, on a skipped update too: that of its ``on_skip``)."""
    guard = _undo_guard(opt_state)
    return guard.undone, guard.request.save >= 0


def _trial_progress(opt_state) -> tuple[bool, bool]:
    """Whether a round of trials is under way in a switch's state, and whether a trial of it has made updates."""
    found = _states_of(opt_state, (optswitch.selectors.TrialsState, optswitch.selectors.HalvingState))
    trialing = any(bool(node.trialing) for node in found)
    return trialing, any(bool(node.trialing) and int(node.count) > 0 for node in found)


def evaluation_params(params, opt_state):
    """The parameters to evaluate: ``params``, or where the optimizer is schedule-free (``optax.contrib``), the
    average it keeps (``schedule_free_eval_params``): its ``params`` are where it takes gradients, not its answer."""
    found = _states_of(opt_state, optax.contrib.ScheduleFreeState)
    if len(found) > 1:
        raise ValueError(
            f"evaluation_params: {len(found)} schedule-free states in one optimizer; expected one at most."
        )
    return optax.contrib.schedule_free_eval_params(found[0], params) if found else params


def run(
    task: Task,
    tx: optax.GradientTransformation,
    seed: int,
    *,
    contender: str = "",
    evaluate: Callable | None = None,
    on_eval: Callable[[int, float], None] | None = None,
    held_out_value: bool = False,
) -> Run:
    """Trains ``task`` with ``tx`` for ``task.budget`` steps, evaluating every ``task.eval_every`` steps.

    Args:
        task: the task.
        tx: the optimizer, built for this run (its state starts from ``tx.init``).
        seed: seeds the initialization and the batches.
        contender: the name recorded in the result.
        evaluate: ``task.evaluate`` jitted, to share one compile across runs (its time is not counted);
            default: jitted here.
        on_eval: called as ``on_eval(steps_since_last_call, metric)`` at each evaluation after the first, for a
            progress bar.
        held_out_value: the optimizer reads, as ``value``, the loss on a validation batch drawn at each update
            (:func:`benchmarks.suite.tasks.validation_sampler`) instead of the training loss; where the task has no
            fixed training set, the training loss, held out already.

    Returns:
        The :class:`Run`.
    """
    if task.budget % task.eval_every:
        raise ValueError(f"{task.name}: budget {task.budget} is not a multiple of eval_every {task.eval_every}.")
    evaluate = jax.jit(task.evaluate) if evaluate is None else evaluate
    init_key, data_key = jax.random.split(jax.random.key(seed))
    params = task.init(init_key)
    # The carry is donated: a plain optimizer's state that holds the parameters' own buffers (Prodigy's starting
    # point, schedule-free's z) would be donated twice.
    carry = (params, jax.tree.map(jnp.copy, tx.init(params)), jnp.zeros([], jnp.int32), data_key)
    is_switch = bool(find_all(carry[1]))
    recovers = any(jax.tree.leaves(state.snapshots) for _, state in find_all(carry[1]))
    guard = _undo_guard(carry[1])

    started = time.perf_counter()
    # A fresh closure per run, so every run compiles (and is charged for it) as a new process would.
    sample_value = validation_sampler(task) if held_out_value else None
    trace = None if guard is None else _undo_trace
    loop = train_loop(task.loss, task.sample, tx, task.eval_every, sample_value=sample_value, trace=trace)
    loop = jax.jit(loop, donate_argnums=0)
    loop = loop.lower(carry, task.data).compile()
    compile_seconds = time.perf_counter() - started

    result = Run(
        task=task.name,
        contender=contender,
        seed=seed,
        steps=[0],
        metric=[float(evaluate(evaluation_params(*carry[:2]), task.data))],
        seconds=[0.0],
        train_loss=[math.nan],
        active=[optswitch.active(carry[1]) if is_switch else ""],
        compile_seconds=compile_seconds,
        switches=[],
        steps_per_candidate={},
        diverged=False,
    )
    elapsed = compile_seconds
    progress = [_trial_progress(carry[1])]
    undone, saved = ([int(guard.undone)], [False]) if guard is not None else ([], [])
    for chunk in range(1, task.budget // task.eval_every + 1):
        started = time.perf_counter()
        carry, losses = loop(carry, task.data)
        jax.block_until_ready(carry)
        elapsed += time.perf_counter() - started
        if guard is not None:
            losses, (undos, saves) = losses
            undone.extend(undos.tolist())
            saved.extend(saves.tolist())
        metric = float(evaluate(evaluation_params(*carry[:2]), task.data))
        result.steps.append(chunk * task.eval_every)
        result.metric.append(metric)
        result.seconds.append(elapsed)
        finite = jnp.isfinite(losses)
        result.train_loss.append(float(jnp.sum(jnp.where(finite, losses, 0)) / jnp.sum(finite)))
        result.active.append(optswitch.active(carry[1]) if is_switch else "")
        progress.append(_trial_progress(carry[1]))
        if on_eval is not None:
            on_eval(task.eval_every, metric)
        result.diverged = not (math.isfinite(metric) and math.isfinite(result.train_loss[-1]))
        if result.diverged and not recovers:
            if on_eval is not None:
                on_eval(task.budget - chunk * task.eval_every, metric)
            break
    if is_switch:
        summary = optswitch.summary(carry[1])
        result.switches = summary.switches
        result.steps_per_candidate = summary.updates
        result.skipped = summary.skipped
        trialing, partway = zip(*progress, strict=True)
        result.discarded = discarded_in_trials(trialing, partway, result.active)
        if guard is not None:
            undone_legs = discarded_by_undos(undone, saved)
            result.discarded = [
                in_trial or undone_legs[step] for in_trial, step in zip(result.discarded, result.steps, strict=True)
            ]
    return result
