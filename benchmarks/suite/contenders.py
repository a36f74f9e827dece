"""The contenders: each candidate optimizer alone, the switch with each selector over the same candidates, and the
baseline a user would write.

The candidates keep the same hyperparameters on every task: what a user picks without tuning (the defaults of
Keras, and the learning rate of Adam's paper). Candidate sets (:data:`CANDIDATE_SETS`): ``default``, the three
of :func:`optswitch.demo.candidates`; ``large``, five where choosing matters more; ``x10``, the three at 10x their
learning rates, to run alone. Every switch runs over the whole set. A switch's selector is built from the run's
length (its step budget), so a selector may depend on it (a schedule switching halfway, a selector taking
``run_length``).

The baseline, ``adamw-cosine``, is AdamW with linear warmup, cosine decay and gradient clipping at a learning rate
tuned once per task (``python -m benchmarks.suite --tune-baseline``, picks in ``benchmarks/baseline.json``).
Round 17's contenders put the candidates, untuned, on the baseline's schedule behind its clipping: alone
(``adam-cosine``, ...; fixed candidates that set no target) and under a switch (``recommended-scheduled``,
``race-undo-scheduled-10x``). Round 19's baselines are self-tuning, untuned (:func:`self_tuning`): schedule-free
AdamW and Prodigy, from ``optax.contrib``.

Adding a contender is one entry in :func:`contenders`, e.g. for a selector of :mod:`optswitch.selectors`::

    switcher("plateau", lambda run_length: selectors.plateau(patience=run_length // 10)),
"""

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import optax

import optswitch
from benchmarks.suite import sequenced
from benchmarks.suite.tasks import Task
from optswitch import handoff, selectors
from optswitch.demo import candidates, prodigy_cosine, prodigy_trial
from optswitch.selectors._base import for_names
from optswitch.selectors._halving import rung_sizes
from optswitch.selectors._race import default_window


def prodigy_trial_decay(run_length: int, **switch_options) -> optswitch.SwitchTransformation:
    """Round 21's variant of :func:`optswitch.demo.prodigy_trial`, not adopted: Adam's rate on a cosine to a tenth over
    the updates it makes if it wins the trial (its trial and the rest of the run), as Prodigy's schedule decays."""
    trial_length = max(4, run_length // 20)
    adam_updates = run_length - round(0.2 * run_length) - trial_length
    adam = optax.adam(optax.cosine_decay_schedule(1e-3, adam_updates, alpha=0.1))
    return optswitch.switch(
        {"prodigy": prodigy_cosine(run_length), "adam": adam},
        selectors.trials(run_length, trial_length=trial_length, rounds=(0.2,), stop=0.25),
        **switch_options,
    )


def undone_stall(
    run_length: int,
    *,
    min_losses: int = 3,
    halfway: bool = True,
    order: list[str] | None = None,
    window: int | None = None,
    race_confidence: float = 0.0,
    extra_rounds: int = 0,
    per_copy: bool = False,
    stall_share: int = 20,
    noise: str = "each",
    confidence: float = 2.0,
    warmup: int = 0,
    keep_watch: bool = False,
    to: Mapping[str, str] | None = None,
    stop: int | None = None,
) -> selectors.Selector:
    """Round 10's recommended selector for ``run_length`` updates, or a variant of it: ``step_down(race(...),
    at=run_length // 2, stall=run_length // 20)`` under ``undo_if_worse`` with a window of ``max(run_length // 100,
    min_losses)``. Round 11's variant judges on lines through ``min_losses=5``; round 14's, ``halfway=False``, steps
    a copy down only on a stall (``at=run_length``: never at a fixed update); round 15's race only ``order``, in legs of
    ``window`` updates (default: the race's own); round 23's leads the race only beyond ``race_confidence`` standard
    deviations; round 24's races the copies tied within them again, ``extra_rounds`` times at most; round 27's
    steps down on a stall only the copy that stalled (``per_copy``); round 36's watches for a stall over windows of
    ``run_length // stall_share`` updates (10: twice the recommended selector's); round 37's judges a leg by the
    scatter of the updates before it (``undo_if_worse(..., noise="before")``); round 38's also asks that scatter for
    ``confidence`` standard errors, not 2; round 48's keeps the guard's watch through a switch made before the watched
    one can be judged (``keep_watch``). ``warmup`` delays the race (round 26's variants). ``to`` is the step down's
    mapping (``step_down(to=...)``; default: every copy to its candidate), as round 48's copies below 1x need
    (:func:`third_step_downs`). ``stop`` is the race's (default half the run; round 51's no-duels variant stops it
    at the end of its legs). With every setting left alone it is ``selectors.recommended(run_length,
    warmup=warmup)`` as round 10 built it: the suite's contenders that ran that selector call this instead, so that
    their stored runs replay whatever ``selectors.recommended`` becomes."""
    race = selectors.race(
        order,
        run_length=run_length,
        window=window,
        warmup=warmup,
        stop=run_length // 2 if stop is None else stop,
        race_confidence=race_confidence,
        extra_rounds=extra_rounds,
    )
    at = run_length // 2 if halfway else run_length
    stepped = selectors.step_down(race, at=at, to=to, stall=run_length // stall_share, per_copy=per_copy)
    undo_window = max(run_length // 100, min_losses)
    return selectors.undo_if_worse(
        stepped, undo_window, min_losses=min_losses, noise=noise, confidence=confidence, keep_watch=keep_watch
    )


#: Round 48's multiples: every candidate at 3x, 1x and a third of its learning rate (copies named ``adam-x3``, ``adam``,
#: ``adam-x0.333333``), in that order, so that a race's near-ties go to the larger steps as in the recommended setup.
THIRD_MULTIPLES = (3.0, 1.0, 1 / 3)


def third_copies(given: Mapping[str, optax.GradientTransformation]) -> dict[str, optax.GradientTransformation]:
    """Every candidate of ``given`` at :data:`THIRD_MULTIPLES` of its learning rate, the copies sharing its state."""
    return optswitch.learning_rate_multiples(given, THIRD_MULTIPLES)


def third_step_downs(names: Sequence[str], *, rungs: bool = False) -> dict[str, str]:
    """Round 48's step downs over :func:`third_copies` of the candidates ``names``: each copy at 3x runs as its
    candidate (as in the recommended setup), and a copy at a third stays as it is; with ``rungs=True`` each candidate at
    1x also runs as its copy at a third (one rung down from any pick).

    ``step_down``'s default mapping (:func:`optswitch.selectors._step_down.originals`) takes every copy named
    ``{name}-x{m:g}`` to ``name``, a copy at a third included: from half-way (or a stall) it would run a pick at a
    third at 1x, three times its step, not a step down.

    Examples:
        >>> third_step_downs(["adam", "sgd"])
        {'adam-x3': 'adam', 'sgd-x3': 'sgd'}
        >>> third_step_downs(["sgd"], rungs=True)
        {'sgd-x3': 'sgd', 'sgd': 'sgd-x0.333333'}
    """
    steps = {f"{name}-x3": name for name in names}
    return steps | ({name: f"{name}-x{1 / 3:g}" for name in names} if rungs else {})


def rungs(run_length: int, names: Sequence[str], *, keep_watch: bool = False) -> selectors.Selector:
    """Round 48's rungs (round 53's with ``keep_watch=True``): :func:`undone_stall` racing the copies at 3x and 1x of
    the candidates ``names``, its step down taking any pick one rung down (:func:`third_step_downs`, ``rungs=True``)."""
    order = [*(f"{name}-x3" for name in names), *names]
    return undone_stall(run_length, order=order, to=third_step_downs(names, rungs=True), keep_watch=keep_watch)


def stepped_race(run_length: int, names: Sequence[str]) -> selectors.Selector:
    """The recommended selector's race over the copies at 3x and 1x of the candidates ``names`` and its step down (3x to
    1x, half-way or on a stall) over :func:`third_copies`, unguarded: what round 53's and round 54's second step downs
    wrap."""
    race = selectors.race([*(f"{name}-x3" for name in names), *names], run_length=run_length, stop=run_length // 2)
    return selectors.step_down(race, at=run_length // 2, to=third_step_downs(names), stall=run_length // 20)


def ladder(run_length: int, names: Sequence[str]) -> selectors.Selector:
    """Round 53's second step down: the recommended selector's race over the copies at 3x and 1x of the candidates
    ``names``, its step down (3x to 1x, half-way or on a stall) wrapped in another that, from three quarters of the run,
    runs a pick at 1x as its copy at a third (:func:`third_copies`), under the kept-watch guard."""
    first = stepped_race(run_length, names)
    second = selectors.step_down(first, at=(3 * run_length) // 4, to={name: f"{name}-x{1 / 3:g}" for name in names})
    return selectors.undo_if_worse(second, max(run_length // 100, 3), keep_watch=True)


def stall_rung(run_length: int, names: Sequence[str], *, stall_share: int = 20) -> selectors.Selector:
    """Round 54's second step down, on a stall only: the recommended selector's race over the copies at 3x and 1x of
    the candidates ``names``, its step down (3x to 1x, half-way or on a stall), wrapped in another that runs a pick at
    1x as its copy at a third (:func:`third_copies`) once that pick's own loss stalls over ``run_length //
    stall_share`` of its updates, at any point of the run (``step_down(at=run_length, stall=..., per_copy=True)``),
    under the kept-watch guard. Round 53's ``rungs`` and ``ladder`` stepped every 1x pick down at a fixed update and
    lost late targets where the loss at 1x was still falling; a stall is where a third of the step can go lower. Not
    adopted: sooner on the development splits, it lost three of those late targets too on the kept-aside tasks where it
    can act (``benchmarks/README.md``, "Selection, round 54")."""
    thirds = {name: f"{name}-x{1 / 3:g}" for name in names}
    second = selectors.step_down(
        stepped_race(run_length, names), at=run_length, to=thirds, stall=run_length // stall_share, per_copy=True
    )
    return selectors.undo_if_worse(second, max(run_length // 100, 3), keep_watch=True)


def sgd_stall_to_adam(run_length: int, names: Sequence[str], *, stall_share: int = 20) -> selectors.Selector:
    """Round 69's hand-over from SGD to Adam: the recommended selector's race over the copies at 3x and 1x of the
    candidates ``names`` and its step down (3x to 1x, half-way or on a stall), wrapped in another that runs a pick of
    SGD at 1x as Adam at 1x (on Adam's state, which its copy at 3x shares) once SGD's own loss stalls over ``run_length
    // stall_share`` of its updates, at any point of the run (``step_down(at=run_length, to={"sgd": "adam"}, stall=...,
    per_copy=True)``), under the kept-watch guard, which undoes the hand-over where the loss ends higher than before it.
    On three SGD-first tasks kept aside, SGD then Adam from one update is 0.55x to 0.80x SGD's steps where no smaller
    SGD step gets there (``benchmarks/results/round69/rate_or_family.py``); this is the plainest selector that could
    find it. Not adopted, after a first look on development splits only: later on 5 runs of 15 and sooner on none on
    development-6, built for the case, where the recommended switch's SGD copy at 3x already gets there first; a
    development-2 target lost to a stall read on the minibatch loss before the target (``benchmarks/README.md``,
    "Selection, round 69")."""
    second = selectors.step_down(
        stepped_race(run_length, names),
        at=run_length,
        to={"sgd": "adam"},
        stall=run_length // stall_share,
        per_copy=True,
    )
    return selectors.undo_if_worse(second, max(run_length // 100, 3), keep_watch=True)


#: Round 39's floor: below every loss of the four tasks kept aside whose loss goes below 0 (the VQE's estimate is at
#: least -15 by its definition; the two negative log-likelihoods and the bandit's minus mean reward have no bound, and
#: their runs stay above -3), a generous guess of the kind the README asks of a user (``value=loss - floor``).
LOSS_FLOOR = -20.0


def shifted_loss(selector: selectors.Selector, floor: float = LOSS_FLOOR) -> selectors.Selector:
    """``selector`` reading ``loss - floor`` for the loss: what it does when the user passes ``value=loss - floor``
    (round 39's diagnostic, for the tasks whose loss goes below 0, where ``log(loss)`` has no value)."""

    def shift(signals):
        return signals._replace(loss=signals.loss - floor)

    def wrap(bound: selectors.Selector) -> selectors.Selector:
        explain = bound.explain and (lambda signals, before, after: bound.explain(shift(signals), before, after))
        return bound._replace(select=lambda signals, state: bound.select(shift(signals), state), explain=explain)

    return selector._replace(bind=lambda names: wrap(selector.bound(names)))


def large_candidates() -> dict[str, optax.GradientTransformation]:
    """:func:`candidates` and Adam at a third and at three times its learning rate: five, where choosing matters more.

    Adam at 1e-3 keeps its name, and comes first, so that the selectors that name ``"adam"`` and ``"sgd"``, or start
    from the first candidate, work on either set.
    """
    default = candidates()
    return {
        "adam": default["adam"],
        "adam-3e-4": optax.adam(3e-4),
        "adam-3e-3": optax.adam(3e-3),
        "sgd": default["sgd"],
        "rmsprop": default["rmsprop"],
    }


def ten_times_candidates() -> dict[str, optax.GradientTransformation]:
    """:func:`candidates` at 10x their learning rates (``adam-x10``, ...), as ``race-multiples-undo-10x`` races them:
    to run each alone (round 16's design data)."""
    return optswitch.learning_rate_multiples(candidates(), (10,))


#: The candidate sets by name (``--candidates``).
CANDIDATE_SETS: dict[str, Callable[[], dict[str, optax.GradientTransformation]]] = {
    "default": candidates,
    "large": large_candidates,
    "x10": ten_times_candidates,
}


def with_injectable_sgd(
    make_candidates: Callable[[], Mapping[str, optax.GradientTransformation]],
) -> Callable[[], dict[str, optax.GradientTransformation]]:
    """``make_candidates`` with SGD's learning rate injectable (the same value), which SWATS sets at its switch."""
    return lambda: {**make_candidates(), "sgd": optax.inject_hyperparams(optax.sgd)(learning_rate=1e-2, momentum=0.9)}


def swats_candidates() -> dict[str, optax.GradientTransformation]:
    """:func:`candidates` with SGD's learning rate injectable (the same value), which SWATS sets at its switch."""
    return with_injectable_sgd(candidates)()


#: The candidates' hyperparameters as the README states them.
HYPERPARAMETERS = {
    "adam": "optax.adam(1e-3): b1 0.9, b2 0.999, eps 1e-8",
    "adam-3e-4": "optax.adam(3e-4): b1 0.9, b2 0.999, eps 1e-8",
    "adam-3e-3": "optax.adam(3e-3): b1 0.9, b2 0.999, eps 1e-8",
    "sgd": "optax.sgd(1e-2, momentum=0.9): heavy ball, no Nesterov",
    "rmsprop": "optax.rmsprop(1e-3): decay 0.9, eps 1e-8, no momentum",
    "adam-x10": "optax.adam(1e-3), its updates times 10 (optswitch.learning_rate_multiples)",
    "sgd-x10": "optax.sgd(1e-2, momentum=0.9), its updates times 10 (optswitch.learning_rate_multiples)",
    "rmsprop-x10": "optax.rmsprop(1e-3), its updates times 10 (optswitch.learning_rate_multiples)",
}

#: The baseline's learning rates tried per task by ``--tune-baseline``. Around Adam's 1e-3 and above it, because the
#: warmup and the cosine decay keep the mean rate near half the peak: on a first grid of 3e-4, 1e-3 and 3e-3 every
#: validation task picked 3e-3, the grid's edge; on 1e-3, 3e-3 and 1e-2, three of four picked 1e-2, again the edge.
BASELINE_GRID = (1e-3, 3e-3, 1e-2, 3e-2)
#: The baseline's learning rate where no tuned one is stored, in ``--quick`` smoke runs only: the grid's middle.
UNTUNED_LEARNING_RATE = 3e-3


class Contender(NamedTuple):
    """An optimizer in the race.

    Attributes:
        name: its name in tables, plots and on the command line.
        make: ``make(task) -> optax.GradientTransformation``, built afresh for every run (``task.budget`` is the
            run's length). A switch's also takes ``on_event=`` (as :func:`optswitch.switch` does), for
            ``benchmarks.diagnostics.switch_events``.
        is_switch: whether it is an :func:`optswitch.switch` (its runs record the switches).
        description: one line for the README.
        is_baseline: whether it is a baseline, the tuned one or a self-tuning one (:func:`self_tuning`): neither a
            fixed candidate nor a switch, it sets no target and is not among the fixed candidates a switch's goals
            compare with; a switch's score is checked against every baseline's.
        held_out_value: whether its ``value`` is the loss on a validation batch drawn at each update, not the
            training loss (:func:`benchmarks.suite.harness.run`'s ``held_out_value``).
    """

    name: str
    make: Callable[[Task], optax.GradientTransformation]
    is_switch: bool
    description: str
    is_baseline: bool = False
    held_out_value: bool = False


def fixed(name: str, make_candidates: Callable[[], Mapping[str, optax.GradientTransformation]] = candidates):
    """Candidate ``name`` of ``make_candidates()`` (default :func:`candidates`) alone, for the whole run."""
    return Contender(name, lambda task: make_candidates()[name], False, HYPERPARAMETERS[name])


def adamw_cosine(learning_rate: float, run_length: int) -> optax.GradientTransformation:
    """The baseline a user would write: AdamW (optax's defaults, weight decay 1e-4) with gradient clipping at global
    norm 1, its learning rate rising linearly from 0 over the first 5% of the run, then decaying along a cosine to a
    tenth of its peak at the run's end.

    Examples:
        >>> import jax.numpy as jnp
        >>> tx = adamw_cosine(1e-3, run_length=100)
        >>> state = tx.init({"w": jnp.ones(3)})
    """
    return optax.chain(optax.clip_by_global_norm(1.0), optax.adamw(warmup_cosine(learning_rate, run_length)))


def warmup_length(run_length: int) -> int:
    """The baseline's warmup: 5% of the run; a switch on its schedule races only after it."""
    return max(run_length // 20, 1)


def warmup_cosine(peak: float, run_length: int) -> optax.Schedule:
    """The baseline's schedule: from 0 up to ``peak`` over the first 5% of the run, then a cosine to ``peak / 10``."""
    return optax.warmup_cosine_decay_schedule(
        init_value=0.0,
        peak_value=peak,
        warmup_steps=warmup_length(run_length),
        decay_steps=run_length,
        end_value=peak / 10,
    )


#: Each candidate as a function of its learning rate, and that rate (:data:`HYPERPARAMETERS`), to put it on a schedule.
ON_A_SCHEDULE: dict[str, tuple[Callable[..., optax.GradientTransformation], float]] = {
    "adam": (optax.adam, 1e-3),
    "adam-3e-4": (optax.adam, 3e-4),
    "adam-3e-3": (optax.adam, 3e-3),
    "sgd": (lambda learning_rate: optax.sgd(learning_rate, momentum=0.9), 1e-2),
    "rmsprop": (optax.rmsprop, 1e-3),
}


def scheduled(names: Sequence[str], run_length: int) -> dict[str, optax.GradientTransformation]:
    """The candidates ``names``, each on :func:`warmup_cosine` peaking at its own learning rate: as a user who puts
    every candidate on the baseline's schedule, untuned, would write them (round 17)."""
    return {name: ON_A_SCHEDULE[name][0](warmup_cosine(ON_A_SCHEDULE[name][1], run_length)) for name in names}


def fixed_scheduled(name: str) -> Contender:
    """Candidate ``name`` alone on :func:`warmup_cosine` at its own learning rate, behind the baseline's clipping."""
    make = lambda task: optax.chain(optax.clip_by_global_norm(1.0), scheduled([name], task.budget)[name])
    description = f"{HYPERPARAMETERS[name]}; its learning rate on the baseline's schedule, with its clipping"
    return Contender(f"{name}-cosine", make, False, description)


def stepped_down(candidate: optax.GradientTransformation, at: int) -> optax.GradientTransformation:
    """``candidate`` at 3x its learning rate for its first ``at`` updates, then at 1x: its updates scaled by a
    piecewise constant schedule on its own count (``trials_copies``' copies, made when ``step_down`` could not wrap
    ``trials``: before round 33)."""
    return optax.chain(candidate, optax.scale_by_schedule(optax.piecewise_constant_schedule(3.0, {at: 1 / 3})))


def copies_at_3x_and_1x(
    given: Mapping[str, optax.GradientTransformation], run_length: int
) -> dict[str, optax.GradientTransformation]:
    """Every candidate at 3x (``{name}-x3``, :func:`stepped_down` at half the run) and at 1x, each with a state of its
    own: the copies of rounds 31 to 34's variants and yardsticks."""
    return {f"{name}-x3": stepped_down(candidate, run_length // 2) for name, candidate in given.items()} | dict(given)


def reading_in_the_guards(
    run_length: int, trial_length: int | None = None, at: float | None = None
) -> selectors.Selector:
    """Round 64's variants: :func:`sequenced.race_then_reading` inside the recommended selector's step down and
    kept-watch guard, ``undo_if_worse(step_down(..., at=run_length // 2, stall=run_length // 20), max(run_length //
    100, 3), keep_watch=True)``, as ``selectors.recommended`` wraps its race."""
    reading = sequenced.race_then_reading(run_length, trial_length, at=at)
    stepped = selectors.step_down(reading, at=run_length // 2, stall=run_length // 20)
    return selectors.undo_if_worse(stepped, max(run_length // 100, 3), keep_watch=True)


def inside_the_guards(
    selector: selectors.Selector, run_length: int, round_end: int
) -> tuple[selectors.Selector, handoff.Handoff]:
    """``selector``, a round of trials over :func:`copies_at_3x_and_1x` and what follows it, inside the recommended
    selector's guards, ``undo_if_worse(step_down(..., at=run_length // 2, stall=run_length // 20), max(run_length //
    100, 3))`` (rounds 33 and 34's variants), and the handoff its copies need: at a step down after update
    ``round_end``, the copy's optimizer state carried to its candidate (:func:`sequenced.sibling_state`), then the
    schedules put on the run's clock."""
    stepped = selectors.step_down(selector, at=run_length // 2, stall=run_length // 20)
    guarded = selectors.undo_if_worse(stepped, max(run_length // 100, 3))
    return guarded, handoff.chain(sequenced.sibling_state(round_end), handoff.sync_schedules())


def trials_copies(
    make_candidates: Callable[[], Mapping[str, optax.GradientTransformation]],
    rounds: Sequence[float] = (0.0,),
    *,
    run_clock: bool = False,
    duels: bool = False,
    guarded: bool = False,
) -> Contender:
    """Round 31's variant: one round of ``selectors.trials`` from the start (update 1) over every candidate at 3x and
    at 1x, each copy with a state of its own, trials of ``max(4, budget // 100)`` updates scored by the mean training
    loss over their second half with no margin; the winner trains on. ``rounds=(0.0, 0.2)`` (round 31's second
    variant, ``trials-copies-again``) adds a round at 20% of the run. ``step_down`` could not wrap ``trials`` then, so a
    3x copy steps itself down: its updates are scaled by 3 for its first ``budget // 2`` updates, then by 1. A copy's
    count is its own updates, so a winning 3x copy steps down after half-way by the other copies' trials (about
    ``5 * budget // 100`` updates a round), and a copy that wins a later round later still. With ``run_clock=True``
    (round 31's third variant, ``trials-copies-clock``, with ``rounds=(0.0, 0.1)``) the switch puts the copies'
    schedules on the run's clock (``handoff.sync_schedules()``): every 3x copy runs at 1x from update ``budget // 2``.
    ``duels=True`` (round 32's variant, ``trials-duels``, on the run's clock): one round, then the race's duels from
    its winner (:func:`benchmarks.suite.sequenced.trials_then_duels`). ``guarded=True`` (round 33's variant,
    ``trials-duels-guarded``, with ``duels=True``): that selector inside the recommended selector's guards,
    ``undo_if_worse(step_down(..., at=budget // 2, stall=budget // 20), max(budget // 100, 3))``, a copy's state
    carried to its candidate at the step down (:func:`benchmarks.suite.sequenced.sibling_state`).
    """

    def make(task, on_event=None):
        copies = copies_at_3x_and_1x(make_candidates(), task.budget)
        length = max(4, task.budget // 100)
        if duels:
            selector = sequenced.trials_then_duels(task.budget, length)
        else:
            selector = selectors.trials(task.budget, trial_length=length, rounds=rounds, margin=0.0, confidence=0.0)
        on_switch = handoff.sync_schedules() if run_clock or duels else "resume"
        if guarded:
            # A lost trial ends its trial at most one update late: the round is over by this update.
            selector, on_switch = inside_the_guards(selector, task.budget, 1 + len(copies) * (length + 1))
        return optswitch.switch(copies, selector, on_switch=on_switch, on_event=on_event)

    at = ", ".join(f"{fraction:g}" for fraction in rounds)
    if guarded:
        description = (
            "round 33's variant: trials-duels inside the recommended selector's guards, undo_if_worse(step_down(..., "
            "at=budget/2, stall=budget/20), max(budget/100, 3)), a copy's optimizer state carried to its candidate at "
            "the step down (sequenced.sibling_state)"
        )
        return Contender("trials-duels-guarded", make, True, description)
    if duels:
        description = (
            "round 32's variant: trials-copies' one round of trials from the start, then the race's duels from its "
            "winner (standings from the trials' means; no decision from half-way), every 3x copy at 1x from update "
            "budget/2 of the run (sequenced.trials_then_duels, on_switch=handoff.sync_schedules())"
        )
        return Contender("trials-duels", make, True, description)
    if run_clock:
        description = (
            f"round 31's third variant: trials-copies with rounds of trials at {at} of the run, every 3x copy at 1x "
            "from update budget/2 of the run (its schedule on the run's clock: on_switch=handoff.sync_schedules())"
        )
        return Contender("trials-copies-clock", make, True, description)
    if rounds == (0.0,):
        description = (
            "round 31's variant: one round of selectors.trials from the start (update 1) over every candidate at 3x "
            "and 1x (each copy its own state), trials of budget/100 updates scored by the mean training loss over "
            "their second half with no margin; the winner trains on, a 3x copy stepping itself down to 1x after "
            "budget/2 of its own updates"
        )
        return Contender("trials-copies", make, True, description)
    description = f"round 31's second variant: trials-copies with rounds of trials at {at} of the run"
    return Contender("trials-copies-again", make, True, description)


def halving_copies(make_candidates: Callable[[], Mapping[str, optax.GradientTransformation]]) -> Contender:
    """Round 34's variant, ``halving-guarded``: ``selectors.halving`` over every candidate at 3x and at 1x (each copy a
    state of its own), one round from update 1: trials of ``max(4, budget // 100)`` updates, then the best two again
    for three times as long from the same start (``eta=3``, ``margin=0.0``), so that the pick is read over 3% of the
    run, not 1% (round 33's diagnostic: on MNIST-1D trials of 1% keep RMSProp at 3x, which leads later no more). The
    winner trains on inside the recommended selector's guards, ``undo_if_worse(step_down(..., at=budget // 2,
    stall=budget // 20), max(budget // 100, 3))``, as ``trials-duels-guarded`` without the duels: the copy's state is
    carried to its candidate at the step down (:func:`benchmarks.suite.sequenced.sibling_state`), the schedules on
    the run's clock."""

    def make(task, on_event=None):
        copies = copies_at_3x_and_1x(make_candidates(), task.budget)
        length = max(4, task.budget // 100)
        halving = selectors.halving(task.budget, trial_length=length, eta=3, margin=0.0)
        # A lost trial ends its trial at most one update late: the round is over by this update.
        rungs = rung_sizes(len(copies), 3)
        round_end = 1 + sum(size * (length * 3**rung + 1) for rung, size in enumerate(rungs))
        selector, on_switch = inside_the_guards(halving, task.budget, round_end)
        return optswitch.switch(copies, selector, on_switch=on_switch, on_event=on_event)

    description = (
        "round 34's variant: selectors.halving over every candidate at 3x and 1x (trials of budget/100, the best two "
        "again for 3x as long from the same start), its winner inside the recommended selector's guards, "
        "undo_if_worse(step_down(..., at=budget/2, stall=budget/20), max(budget/100, 3)); no duels"
    )
    return Contender("halving-guarded", make, True, description)


def copy_alone(name: str, make_candidates: Callable[[], Mapping[str, optax.GradientTransformation]]) -> Contender:
    """Round 34's yardstick for the trials-first variants, ``{name}-x3-alone``: ``name`` at 3x from update 1 until
    half the run, then at 1x, over the same six copies as ``halving-guarded`` (``selectors.schedule``, the copy's state
    carried at the step down): what a pick of that copy at the start would reach if choosing it cost no update."""

    def make(task, on_event=None):
        copies = copies_at_3x_and_1x(make_candidates(), task.budget)
        selector = selectors.schedule({0: f"{name}-x3", task.budget // 2: name})
        on_switch = handoff.chain(sequenced.sibling_state(0), handoff.sync_schedules())
        return optswitch.switch(copies, selector, on_switch=on_switch, on_event=on_event)

    description = (
        f"round 34's yardstick: {name} at 3x from update 1, at 1x from budget/2 (a pick among the copies that cost "
        "nothing)"
    )
    return Contender(f"{name}-x3-alone", make, True, description)


def prior_guarded(run_length: int, first: str) -> selectors.Selector:
    """Round 35's variant, ``prior-guarded``: no race. ``first``'s copy at 3x trains from update 1 inside the
    recommended selector's guards, ``undo_if_worse(step_down(schedule({0: f"{first}-x3"}), at=run_length // 2,
    stall=run_length // 20), max(run_length // 100, 3))``: it switches only at a step down (half-way, a stall, a second
    divergence) and by an undo. Round 34's yardstick (``adam-x3-alone``) with the guards."""
    stepped = selectors.step_down(selectors.schedule({0: f"{first}-x3"}), at=run_length // 2, stall=run_length // 20)
    return selectors.undo_if_worse(stepped, max(run_length // 100, 3))


def race_undo(run_length: int, copies: int, *, duels: bool = True) -> selectors.Selector:
    """Round 17's selector over ``copies`` candidates on a schedule: ``undo_if_worse(race(run_length=run_length,
    warmup=run_length // 20, stop=...), max(run_length // 100, 3))``, no step down. ``stop`` is half the run, or with
    ``duels=False`` the end of the race's first round, so that it decides once."""
    warmup = warmup_length(run_length)
    stop = run_length // 2 if duels else warmup + 2 * copies * default_window(run_length, copies)
    race = selectors.race(run_length=run_length, warmup=warmup, stop=stop)
    return selectors.undo_if_worse(race, max(run_length // 100, 3))


def deciding_once(run_length: int) -> selectors.Selector:
    """Round 51's no-duels variant: ``selectors.recommended(run_length)`` (the kept-watch guard) with the race's
    ``stop`` at the end of its legs over the copies it is bound to, so that the race decides once and no duel runs."""

    def build(names: tuple[str, ...] | None) -> selectors.Selector:
        copies = 6 if names is None else len(names)  # unbound: a template only (see selectors.for_names)
        selector = undone_stall(run_length, keep_watch=True, stop=2 * copies * default_window(run_length, copies))
        return selector if names is None else selector.bound(names)

    return for_names(build)


def switcher_scheduled(
    name: str,
    selector: Callable[[int], selectors.Selector],
    names: Sequence[str],
    multiples: Sequence[float],
    description: str,
    *,
    share_state: bool = True,
) -> Contender:
    """The switch in a user's scheduled loop (round 17): over ``learning_rate_multiples`` of the candidates ``names``
    on the baseline's schedule, each at its own rate, behind its clipping; ``handoff.sync_schedules`` keeps every
    candidate's schedule on the run's clock. ``share_state=False`` gives every copy its own state (for ``trials``)."""

    def make(task, on_event=None):
        on_schedule = scheduled(names, task.budget)
        choices = optswitch.learning_rate_multiples(on_schedule, tuple(multiples), share_state=share_state)
        switch = optswitch.switch(choices, selector(task.budget), on_switch=handoff.sync_schedules(), on_event=on_event)
        return optswitch.chain(optax.clip_by_global_norm(1.0), switch)

    return Contender(name, make, True, description)


def baseline(
    learning_rates: Mapping[str, float] | None = None, *, untuned: float | None = None, name: str = "adamw-cosine"
) -> Contender:
    """:func:`adamw_cosine` at the task's tuned learning rate, ``learning_rates[task.name]``.

    Args:
        learning_rates: task name -> learning rate, as ``--tune-baseline`` picks them.
        untuned: the learning rate of a task with no tuned one; default: such a task is an error.
        name: the contender's name.
    """
    learning_rates = dict(learning_rates or {})

    def make(task):
        learning_rate = learning_rates.get(task.name, untuned)
        if learning_rate is None:
            raise SystemExit(
                f"{name}: no tuned learning rate for {task.name}; tune it once with "
                f"python -m benchmarks.suite --tune-baseline --tasks {task.name}, or leave {name} out of --contenders."
            )
        return adamw_cosine(learning_rate, task.budget)

    description = (
        "optax.chain(clip_by_global_norm(1.0), adamw(schedule)): linear warmup over 5% of the budget, cosine decay "
        "to a tenth; learning rate tuned per task over " + ", ".join(f"{lr:g}" for lr in BASELINE_GRID)
    )
    return Contender(name, make, False, description, is_baseline=True)


#: The self-tuning optimizers of ``optax.contrib`` run untuned (:func:`self_tuning`): the optimizer a user who does
#: not want to pick a learning rate reaches for instead of a switch. Schedule-free AdamW won AlgoPerf's self-tuning
#: track (Defazio et al. 2024); Prodigy estimates the learning rate online (Mishchenko and Defazio 2024).
SELF_TUNING = ("schedule-free-adamw", "prodigy-cosine")


def self_tuning(name: str) -> Contender:
    """The self-tuning optimizer ``name`` (:data:`SELF_TUNING`) at its defaults, behind the baseline's clipping.

    ``schedule-free-adamw``: ``optax.contrib.schedule_free_adamw`` at its default learning rate (2.5e-3) with a linear
    warmup over the baseline's 5% of the run and no schedule after it (the method replaces one); the suite evaluates
    its averaged parameters (``optax.contrib.schedule_free_eval_params``), as the method asks. ``prodigy-cosine``:
    ``optax.contrib.prodigy`` at its learning rate of 1 on :func:`warmup_cosine`, with ``safeguard_warmup``, as its
    authors advise with a warmup. Neither is tuned, and neither is a candidate: like the baseline, they set no target
    and a switch's goals compare with them as with a baseline.

    Examples:
        >>> import types
        >>> import jax.numpy as jnp
        >>> tx = self_tuning("prodigy-cosine").make(types.SimpleNamespace(budget=100))
        >>> state = tx.init({"w": jnp.ones(3)})
    """
    if name == "schedule-free-adamw":
        make = lambda task: optax.chain(
            optax.clip_by_global_norm(1.0),
            optax.contrib.schedule_free_adamw(warmup_steps=warmup_length(task.budget)),
        )
        description = (
            "optax.contrib.schedule_free_adamw at its defaults (learning rate 2.5e-3, b1 0.9, b2 0.999), warmup over "
            "5% of the budget, behind clip_by_global_norm(1.0); evaluated at its averaged parameters; untuned"
        )
    elif name == "prodigy-cosine":
        make = lambda task: prodigy_cosine(task.budget)
        description = (
            "optax.contrib.prodigy (learning rate 1, its online estimate of the step size, safeguard_warmup) on the "
            "baseline's schedule, behind clip_by_global_norm(1.0); untuned"
        )
    else:
        raise ValueError(f"self_tuning: unknown optimizer {name!r}; pass one of {', '.join(SELF_TUNING)}.")
    return Contender(name, make, False, description, is_baseline=True)


def adam_last(candidates: Mapping[str, optax.GradientTransformation]) -> dict[str, optax.GradientTransformation]:
    """``candidates`` with Adam's listed last, the others first, each group in its order: a race's near-ties go to
    the first in order.

    Examples:
        >>> list(adam_last(candidates()))
        ['sgd', 'rmsprop', 'adam']
        >>> list(adam_last(large_candidates()))
        ['sgd', 'rmsprop', 'adam', 'adam-3e-4', 'adam-3e-3']
    """
    return {name: candidates[name] for name in sorted(candidates, key=lambda name: name.startswith("adam"))}


def switcher(
    name: str,
    selector: Callable[[int], selectors.Selector],
    *,
    description: str = "",
    make_candidates: Callable[[], Mapping[str, optax.GradientTransformation]] = candidates,
    held_out_value: bool = False,
    **switch_options,
) -> Contender:
    """:func:`optswitch.switch` over the candidates, with the selector ``selector(run_length)`` builds.

    Args:
        name: the contender's name.
        selector: ``selector(run_length) -> Selector``: the run's length is its step budget, so that a selector may
            depend on it.
        description: one line for the README.
        make_candidates: the candidates (default :func:`candidates`); a selector that needs its own version of
            one (SWATS's SGD with an injectable learning rate) passes them here.
        held_out_value: the selector reads the loss on a validation batch drawn at each update, not the training
            loss (:attr:`Contender.held_out_value`).
        **switch_options: passed to :func:`optswitch.switch` (``on_switch=``, ``inactive=``, ...).
    """
    make = lambda task, on_event=None: optswitch.switch(
        make_candidates(), selector(task.budget), on_event=on_event, **switch_options
    )
    return Contender(name, make, True, description, held_out_value=held_out_value)


def contenders(
    candidate_set: str = "default",
    learning_rates: Mapping[str, float] | None = None,
    *,
    untuned_baseline: float | None = None,
) -> dict[str, Contender]:
    """Every contender, by name, in the order of the tables: the fixed candidates, the baseline, then the switches.

    Args:
        candidate_set: a key of :data:`CANDIDATE_SETS`: the fixed candidates, and what every switch switches among.
        learning_rates: the baseline's tuned learning rate per task (``benchmarks/baseline.json``).
        untuned_baseline: the baseline's learning rate on a task without a tuned one (smoke runs); default: an error.
    """
    if candidate_set not in CANDIDATE_SETS:
        known = ", ".join(CANDIDATE_SETS)
        raise ValueError(f"contenders: unknown candidate set {candidate_set!r}; pass one of {known}.")
    make_candidates = CANDIDATE_SETS[candidate_set]
    switcher_ = lambda *args, **kwargs: switcher(*args, make_candidates=make_candidates, **kwargs)
    swats_ = with_injectable_sgd(make_candidates)
    names = list(make_candidates())
    listed = [
        *(fixed(name, make_candidates) for name in names),
        *(fixed_scheduled(name) for name in names if name in ON_A_SCHEDULE),
        baseline(learning_rates, untuned=untuned_baseline),
        *(self_tuning(name) for name in SELF_TUNING),
        switcher_(
            "schedule",
            lambda run_length: selectors.schedule({0: "adam", run_length // 2: "sgd"}),
            description="adam for the first half of the budget, then sgd (resuming its momentum, zero at first)",
        ),
        switcher_(
            "plateau",
            lambda run_length: selectors.plateau(patience=2, accumulation_size=run_length // 40, rtol=0.01),
            description="adam, then sgd, then rmsprop, each move after 2 evaluations of the loss averaged over "
            "budget/40 updates without a 1% improvement",
        ),
        switcher(
            "swats",
            lambda run_length: selectors.swats("adam", "sgd"),
            make_candidates=swats_,
            description="adam to sgd at the paper's test, |Lambda - gamma| < 1e-9; sgd then steps with "
            "(1 - 0.9) Lambda",
        ),
        switcher(
            "swats-rtol",
            lambda run_length: selectors.swats("adam", "sgd", rtol=1e-3),
            make_candidates=swats_,
            description="as swats, with the test relaxed to |Lambda - gamma| <= 1e-3 |gamma|",
        ),
        switcher_(
            "bandit-ucb",
            lambda run_length: selectors.bandit(window=run_length // 40, strategy="ucb"),
            description="discounted UCB (discount 0.9) over windows of budget/40 updates",
        ),
        switcher_(
            "bandit-thompson",
            lambda run_length: selectors.bandit(window=run_length // 40, strategy="thompson"),
            description="Thompson sampling (discount 0.9) over windows of budget/40 updates",
        ),
        switcher_(
            "noise_scale",
            lambda run_length: selectors.noise_scale("adam", "sgd", threshold=1.0, warmup=run_length // 10),
            description="adam to sgd once the gradient noise scale B_simple / B exceeds 1, after budget/10 updates",
        ),
        switcher_(
            "race",
            lambda run_length: selectors.race(run_length=run_length),
            description="the recommended selector at its defaults, race(run_length=budget): legs of budget/100 "
            "updates (adam sgd rmsprop rmsprop sgd adam), then the winner (ties within 5% to the first); duels with "
            "the runner-up at 2x, 4x, ... the race's end, windows of max(budget/100, t/8), confidence 1, margin 5%; "
            "no decision after 3/4 of the budget",
        ),
        switcher(
            "race-multiples",
            lambda run_length: selectors.step_down(
                selectors.race(run_length=run_length, stop=run_length // 2), at=run_length // 2
            ),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="race(run_length=budget, stop=budget/2) over every candidate at 3x and at 1x its learning "
            "rate (optswitch.learning_rate_multiples; the copies of a candidate share its optimizer state), the 3x "
            "copies first; from budget/2 on, the race's pick runs at 1x (selectors.step_down)",
        ),
        switcher(
            "race-multiples-stall",
            lambda run_length: selectors.step_down(
                selectors.race(run_length=run_length, stop=run_length // 2), at=run_length // 2, stall=run_length // 20
            ),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="the recommended setup of rounds 8 and 9: race-multiples, and the step down comes earlier, "
            "after the first window of budget/20 updates of a 3x copy whose loss did not fall "
            "(step_down(stall=budget/20))",
        ),
        switcher(
            "race-multiples-undo",
            lambda run_length: undone_stall(run_length),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="the recommended setup of round 10 (selectors.recommended as it was then): "
            "race-multiples-stall, and the updates after a switch (a leg of the race, a duel, a step down) are undone, "
            "parameters and optimizer states, when the line through their log loss ends above the line through the "
            "budget/100 updates before it by 2 standard errors (selectors.undo_if_worse), judged on lines through 3 "
            "or more losses",
        ),
        switcher(
            "race-multiples-undo-held-out",
            lambda run_length: undone_stall(run_length, min_losses=3),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            held_out_value=True,
            description="round 14's change to race-multiples-undo, not adopted: the race and the guard read, as the "
            "loss, the loss on a validation batch (the training batch's size) drawn at each update, not the training "
            "loss (tasks that draw every training batch afresh read the training loss, held out already)",
        ),
        switcher(
            "race-multiples-undo-kept-watch",
            lambda run_length: undone_stall(run_length, keep_watch=True),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 48's fix of race-multiples-undo's guard: a switch made before the watched one can be "
            "judged (fewer than 3 updates after it, an undo or a rescue) keeps the watch, judged against the same "
            "beginning and undone to the same saved parameters (undo_if_worse(keep_watch=True)), where the default "
            "leaves it unwatched",
        ),
        switcher(
            "race-multiples-undo-reading-kept-watch",
            reading_in_the_guards,
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 64's variant of the recommended selector: after the race's legs, one fair reading of "
            "every optimizer from the race's end point, each at the race leader's multiple for budget/40 updates from "
            "the optimizer states the copies left (the leader's own last, going on from its end point if it wins), "
            "then the race's duels from the reading's pick (sequenced.race_then_reading); the step down and the "
            "kept-watch guard as they are",
        ),
        switcher(
            "race-multiples-undo-reading-1x-kept-watch",
            lambda run_length: reading_in_the_guards(run_length, at=1.0),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 64's second variant: race-multiples-undo-reading-kept-watch with the reading over "
            "every optimizer's copy at 1x (as round 63's reading), the pick leading the duels at the race leader's "
            "multiple (sequenced.race_then_reading(at=1))",
        ),
        switcher(
            "race-multiples-undo-reading-1x-short-kept-watch",
            lambda run_length: reading_in_the_guards(run_length, max(4, run_length // 80), at=1.0),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 64's third variant: race-multiples-undo-reading-1x-kept-watch with trials half as long, "
            "budget/80 updates each (the reading's cost halved: 50 or 75 of 2,000 updates put back)",
        ),
        switcher(
            "race-multiples-undo-no-duels",
            deciding_once,
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 51's variant of the recommended selector, not adopted (later on the development "
            "splits): selectors.recommended(budget) with the race's stop at the end of its legs (2 x copies x window: "
            "240 of 2,000 updates), so that it decides once and no duel runs; the step down and the kept-watch guard "
            "as they are",
        ),
        switcher(
            "race-multiples-undo-loss-is-log",
            lambda run_length: selectors.recommended(run_length, loss_is_log=True),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 49's option for a loss that is a logarithm already (a negative log-likelihood, which "
            "the race cannot read where it goes below 0): selectors.recommended(budget, loss_is_log=True), whose race, "
            "stall watch and guard read the loss itself where they would read log(loss)",
        ),
        switcher(
            "race-multiples-undo-ties",
            lambda run_length: undone_stall(run_length, race_confidence=2.0),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 23's variant of race-multiples-undo, not adopted: the race's leader is the first copy "
            "in order whose score is within 2 standard deviations of its difference from the best score (or within the "
            "5% margin), so that a plateau's noise does not pick it (race(race_confidence=2))",
        ),
        switcher(
            "race-multiples-undo-extend",
            lambda run_length: undone_stall(run_length, race_confidence=2.0, extra_rounds=1),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 24's variant of race-multiples-undo: where more than one copy's race score is within 2 "
            "standard deviations of its difference from the best (or within the 5% margin), those copies race one "
            "round again, their scores the mean of their four rates, before the first within 2 of them leads "
            "(race(race_confidence=2, extra_rounds=1))",
        ),
        switcher(
            "race-multiples-undo-adam-last",
            lambda run_length: undone_stall(run_length),
            make_candidates=lambda: optswitch.learning_rate_multiples(adam_last(make_candidates())),
            description="round 25's diagnostic variant of race-multiples-undo, not judged by a rule: the candidates "
            "listed with Adam's last (sgd, rmsprop, adam), so that the race's near-ties go to SGD's copies",
        ),
        switcher(
            "race-multiples-undo-warmup",
            lambda run_length: undone_stall(run_length, warmup=warmup_length(run_length)),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 26's variant of race-multiples-undo: the race begins after a warmup of budget/20 "
            "updates, the first copy (Adam at 3x) training through it unmeasured, so that no leg is scored on the "
            "loss's first fall (round 10's selectors.recommended(budget, warmup=budget // 20))",
        ),
        switcher(
            "race-multiples-undo-warmup-leg",
            lambda run_length: undone_stall(run_length, warmup=max(run_length // 100, 3)),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 26's second variant of race-multiples-undo: the race begins after a warmup of one leg "
            "(max(budget/100, 3) updates), the first copy training through it unmeasured "
            "(round 10's selectors.recommended(budget, warmup=max(budget // 100, 3)))",
        ),
        switcher(
            "race-multiples-undo-stall-each",
            lambda run_length: undone_stall(run_length, per_copy=True),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 27's variant of race-multiples-undo: a stall steps down only the copy whose loss "
            "stalled; every other copy keeps its multiple until half-way or a stall of its own, so that a duel after "
            "a stall still tries the challenger at its multiple (step_down(..., per_copy=True))",
        ),
        trials_copies(make_candidates),
        trials_copies(make_candidates, rounds=(0.0, 0.2)),
        trials_copies(make_candidates, rounds=(0.0, 0.1), run_clock=True),
        trials_copies(make_candidates, duels=True),
        trials_copies(make_candidates, duels=True, guarded=True),
        halving_copies(make_candidates),
        *(copy_alone(name, make_candidates) for name in names),
        switcher(
            "prior-guarded",
            lambda run_length: prior_guarded(run_length, names[0]),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description=f"round 35's variant: no race; {names[0]} at 3x from update 1 inside the recommended "
            "selector's guards, undo_if_worse(step_down(schedule, at=budget/2, stall=budget/20), max(budget/100, 3))",
        ),
        switcher(
            "race-multiples-undo-stall-long",
            lambda run_length: undone_stall(run_length, stall_share=10),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 36's variant of race-multiples-undo: a copy's loss is watched for a stall over windows "
            "of budget/10 of its updates, not budget/20 (step_down(..., stall=budget/10))",
        ),
        switcher(
            "race-multiples-undo-before-noise",
            lambda run_length: undone_stall(run_length, noise="before"),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 37's variant of race-multiples-undo: a leg (a duel, a step down) is judged by the "
            "scatter of the updates before it, not its own, so that a leg that throws the loss up and back cannot "
            "widen its own noise (undo_if_worse(..., noise='before'))",
        ),
        switcher(
            "race-multiples-undo-before-noise-4se",
            lambda run_length: undone_stall(run_length, noise="before", confidence=4.0),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 38's variant of race-multiples-undo: round 37's, a leg judged by the scatter of the "
            "updates before it, undone only when it ends 4 of those standard errors above its beginning, not 2 "
            "(undo_if_worse(..., noise='before', confidence=4))",
        ),
        switcher(
            "race-multiples-undo-floor",
            lambda run_length: shifted_loss(undone_stall(run_length)),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 39's diagnostic, for the tasks whose loss goes below 0 only: race-multiples-undo fed "
            "the loss less a floor of -20, as the README asks a user to (value=loss - floor)",
        ),
        switcher(
            "race-multiples-undo-track",
            lambda run_length: undone_stall(run_length),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates(), share_state=False),
            inactive="track",
            description="round 42's variant of race-multiples-undo: every copy keeps its own optimizer state and steps "
            "it on every gradient, active or not (switch(inactive='track')), so that each leg of the race, each duel "
            "and each hand-over starts from a warm state, not from SGD's momentum at 0 or RMSProp's second moment at 0",
        ),
        switcher(
            "race-multiples-undo-third",
            lambda run_length: undone_stall(run_length, to=third_step_downs(names)),
            make_candidates=lambda: third_copies(make_candidates()),
            description="round 48's variant of race-multiples-undo: every candidate at 3x, 1x and a third of its "
            "learning rate (nine copies with three candidates, the 3x first, legs of 0.67% of the budget), so that "
            "the race can pick a smaller step than the candidate's; the step down takes a 3x pick to 1x and leaves a "
            "pick at 1x or a third as it is (step_down(to=...): its default would take a third up to 1x)",
        ),
        switcher(
            "race-multiples-undo-rungs",
            lambda run_length: rungs(run_length, names),
            make_candidates=lambda: third_copies(make_candidates()),
            description="round 48's second variant: race-multiples-undo's race (the six copies at 3x and 1x, legs of "
            "1% of the budget), and the step down (half-way, or a stall of the active copy) takes any pick one rung "
            "down: 3x to 1x, 1x to a third of its learning rate; the copies at a third run only as a step down",
        ),
        switcher(
            "race-multiples-undo-rungs-kept-watch",
            lambda run_length: rungs(run_length, names, keep_watch=True),
            make_candidates=lambda: third_copies(make_candidates()),
            description="round 53's trial of round 48's rungs under the recommended switch's guard: the race over "
            "the six copies at 3x and 1x, the step down (half-way, or a stall) one rung down from any pick (3x to 1x, "
            "1x to a third of its learning rate), and undo_if_worse(keep_watch=True); the copies share each "
            "candidate's state, so the copies at a third cost no memory",
        ),
        switcher(
            "race-multiples-undo-ladder-kept-watch",
            lambda run_length: ladder(run_length, names),
            make_candidates=lambda: third_copies(make_candidates()),
            description="round 53's trial of a second step down: the recommended switch (the race over the six "
            "copies at 3x and 1x, the step down from 3x to 1x half-way or on a stall, the kept-watch guard), and from "
            "three quarters of the run a pick at 1x runs at a third of its learning rate: a step decay 3x, 1x, 1/3x",
        ),
        switcher(
            "race-multiples-undo-stall-rung-kept-watch",
            lambda run_length: stall_rung(run_length, names),
            make_candidates=lambda: third_copies(make_candidates()),
            description="round 54's trial of a second step down on a stall only: the recommended switch (the race "
            "over the six copies at 3x and 1x, the step down from 3x to 1x half-way or on a stall, the kept-watch "
            "guard), and a pick at 1x whose own loss stops falling over budget/20 of its updates runs at a third of "
            "its learning rate from then on",
        ),
        switcher(
            "race-multiples-undo-long-stall-rung-kept-watch",
            lambda run_length: stall_rung(run_length, names, stall_share=10),
            make_candidates=lambda: third_copies(make_candidates()),
            description="round 54's second trial of a step down on a stall only: as "
            "race-multiples-undo-stall-rung-kept-watch, with the 1x pick's loss watched over windows of budget/10 of "
            "its updates, not budget/20, so that a loss still falling slowly through the noise is less often read "
            "as a stall",
        ),
        switcher(
            "race-multiples-undo-sgd-stall-adam-kept-watch",
            lambda run_length: sgd_stall_to_adam(run_length, names),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 69's first look at the hand-over the hindsight ceiling finds on SGD-first tasks kept "
            "aside: the recommended switch, and a pick of SGD at 1x whose own loss stops falling over budget/20 of "
            "its updates runs Adam at 1x from then on, under the kept-watch guard (which undoes the hand-over where "
            "the loss ends higher than before it)",
        ),
        switcher(
            "race-multiples-undo-late-duels-kept-watch",
            lambda run_length: undone_stall(run_length, keep_watch=True, stop=(3 * run_length) // 4),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 55's trial for a family that leads only late, not adopted (sooner on the development "
            "splits, about level on the tasks kept aside, later and a target lost on held-out-38, run blind in round "
            "56): the recommended switch with its race deciding until 3/4 of the budget (the race's own default), not "
            "half-way, so that a duel can still hand the run over after the step down; the step down half-way and the "
            "kept-watch guard as they are",
        ),
        switcher(
            "race-multiples-undo-stall-only",
            lambda run_length: undone_stall(run_length, halfway=False),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 14's variant of race-multiples-undo: a copy steps down only on a stall (its loss not "
            "falling over budget/20 of its updates), not at half the run",
        ),
        switcher(
            "race-multiples-undo-3x",
            lambda run_length: undone_stall(run_length, order=[f"{name}-x3" for name in make_candidates()]),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 15's variant of race-multiples-undo: the race's legs run only the copies at 3x (six "
            "legs of budget/100 with three candidates, not twelve); a copy at 1x runs only as a step down",
        ),
        switcher(
            "race-multiples-undo-3x-short",
            lambda run_length: undone_stall(
                run_length,
                order=[f"{name}-x3" for name in make_candidates()],
                window=default_window(run_length, 2 * len(make_candidates())),
            ),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 15's second variant: race-multiples-undo-3x with legs as long as race-multiples-undo's "
            "(budget/100 with three candidates, the same as race-multiples-undo-3x; 0.6% of the budget with five)",
        ),
        switcher(
            "race-multiples-undo-10x",
            lambda run_length: undone_stall(run_length),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates(), (10, 3, 1)),
            description="round 16's variant of race-multiples-undo: every candidate at 10x, 3x and 1x its learning "
            "rate (nine copies with three candidates; legs of 0.67% of the budget); a pick steps down to 1x",
        ),
        switcher(
            "race-multiples-undo-10x-1x",
            lambda run_length: undone_stall(run_length),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates(), (10, 1)),
            description="round 16's second variant of race-multiples-undo: every candidate at 10x and 1x its learning "
            "rate (six copies, legs of 1% of the budget, as race-multiples-undo's); a pick steps down to 1x",
        ),
        switcher(
            "race-multiples-undo-short-legs",
            lambda run_length: undone_stall(run_length, window=max(run_length // 200, 3)),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 16's third variant of race-multiples-undo: the race's legs half as long, "
            "max(budget/200, 3) updates (its first round 6% of the budget with three candidates, not 12%)",
        ),
        Contender(
            "prodigy-trial",
            lambda task, on_event=None: prodigy_trial(task.budget, on_event=on_event),
            True,
            "round 20's variant, not a switch over the candidates: prodigy-cosine trains, and at budget/5 one trial "
            "from the same parameters, prodigy-cosine against adam(1e-3) for budget/20 updates each "
            "(selectors.trials); Adam trains on if its mean loss over the trial's second half is lower by 2% and 2 "
            "standard errors",
        ),
        Contender(
            "prodigy-trial-decay",
            lambda task, on_event=None: prodigy_trial_decay(task.budget, on_event=on_event),
            True,
            "round 21's variant of prodigy-trial (adopted on the development tasks, withdrawn after held-out-9): the "
            "same trial, but Adam, if it wins, on a cosine from 1e-3 to 1e-4 over the updates it makes (its trial and "
            "the rest of the run)",
        ),
        switcher(
            "race-multiples-undo-5",
            lambda run_length: undone_stall(run_length, min_losses=5),
            make_candidates=lambda: optswitch.learning_rate_multiples(make_candidates()),
            description="round 11's change to race-multiples-undo: a switch is judged only on lines through at least "
            "5 losses on each side (undo_if_worse's min_losses=5; window max(budget/100, 5))",
        ),
        *(
            []
            if not set(names) <= set(ON_A_SCHEDULE)
            else [
                switcher_scheduled(
                    "recommended-scheduled",
                    lambda run_length: undone_stall(run_length, warmup=warmup_length(run_length)),
                    names,
                    (3, 1),
                    description="round 17: round 10's selectors.recommended(budget, warmup=budget/20) in a user's "
                    "scheduled loop: every candidate on the baseline's schedule at its own rate, at 3x and 1x "
                    "(learning_rate_multiples), behind the baseline's clipping, handoff.sync_schedules",
                ),
                switcher_scheduled(
                    "race-undo-scheduled-10x",
                    lambda run_length: race_undo(run_length, copies=3 * len(names)),
                    names,
                    (10, 3, 1),
                    description="round 17: as recommended-scheduled over the candidates at 10x, 3x and 1x, without "
                    "the step down (the schedule decays): undo_if_worse(race(run_length=budget, warmup=budget/20, "
                    "stop=budget/2), budget/100)",
                ),
                switcher_scheduled(
                    "race-undo-scheduled-10x-no-duels",
                    lambda run_length: race_undo(run_length, copies=3 * len(names), duels=False),
                    names,
                    (10, 3, 1),
                    description="round 17's diagnostic: race-undo-scheduled-10x deciding once, its stop at the end of "
                    "the race's first round (no duels)",
                ),
                switcher_scheduled(
                    "trials-scheduled-10x",
                    lambda run_length: selectors.trials(run_length, warmup=warmup_length(run_length)),
                    names,
                    (10, 3, 1),
                    description="round 17's exploration: selectors.trials(budget, warmup=budget/20), fair trials from "
                    "a common start at 10% and 20% of the budget, over the scheduled candidates at 10x, 3x and 1x, "
                    "each copy with its own state",
                    share_state=False,
                ),
                switcher_scheduled(
                    "halving-scheduled-10x",
                    lambda run_length: selectors.halving(run_length, warmup=warmup_length(run_length)),
                    names,
                    (10, 3, 1),
                    description="round 18: selectors.halving(budget, warmup=budget/20), successive halving from a "
                    "common start at the warmup's end (every copy for L updates, the best third for 3L; 20% of the "
                    "budget), over the scheduled candidates at 10x, 3x and 1x, each copy with its own state",
                    share_state=False,
                ),
            ]
        ),
        switcher_(
            "race-nu",
            lambda run_length: selectors.race(window=max(run_length // 100, 3)),
            on_switch=handoff.transfer_second_moment(b2=0.999),
            description="race, handing Adam's bias-corrected second moment to RMSProp and back at each switch",
        ),
        switcher_(
            "race-dwell",
            lambda run_length: selectors.min_dwell(selectors.race(window=max(run_length // 100, 3)), run_length // 20),
            description="race, each candidate kept at least budget/20 updates after a switch",
        ),
        switcher_(
            "race-revert",
            lambda run_length: selectors.revert_if_worse(
                selectors.race(window=max(run_length // 100, 3)), max(run_length // 100, 3)
            ),
            description="race, a switch undone when the loss over the window after it is worse than before it",
        ),
        switcher_(
            "trials",
            lambda run_length: selectors.trials(run_length),
            description="fair trials from a common start at 10% and 20% of the budget, each candidate budget/100 "
            "updates; the winner must beat the incumbent by 2% and 2 standard errors",
        ),
    ]
    return {contender.name: contender for contender in listed}


#: The contenders over the default candidates; the baseline here knows no tuned learning rate (the CLI passes them).
CONTENDERS: dict[str, Contender] = contenders()
