"""The contenders: each candidate optimizer alone, and the switch with each selector over the same candidates.

The candidates keep the same hyperparameters on every task: what a user picks without tuning (the defaults of
Keras, and the learning rate of Adam's paper). A contender builds its optimizer from the task, so a selector may
depend on the step budget (a schedule switching halfway).

Adding a contender is one entry in :data:`CONTENDERS`, e.g. for a selector of :mod:`optswitch.selectors`::

    switcher("plateau", lambda task: selectors.plateau(patience=200)),
"""

from collections.abc import Callable, Mapping
from typing import NamedTuple

import optax

import optswitch
from benchmarks.suite.tasks import Task
from optswitch import selectors
from optswitch.demo import candidates


def swats_candidates() -> dict[str, optax.GradientTransformation]:
    """:func:`candidates` with SGD's learning rate injectable (the same value), which SWATS sets at its switch."""
    return {**candidates(), "sgd": optax.inject_hyperparams(optax.sgd)(learning_rate=1e-2, momentum=0.9)}


#: The candidates' hyperparameters as the README states them.
HYPERPARAMETERS = {
    "adam": "optax.adam(1e-3): b1 0.9, b2 0.999, eps 1e-8",
    "sgd": "optax.sgd(1e-2, momentum=0.9): heavy ball, no Nesterov",
    "rmsprop": "optax.rmsprop(1e-3): decay 0.9, eps 1e-8, no momentum",
}


class Contender(NamedTuple):
    """An optimizer in the race.

    Attributes:
        name: its name in tables, plots and on the command line.
        make: ``make(task) -> optax.GradientTransformation``, built afresh for every run.
        is_switch: whether it is an :func:`optswitch.switch` (its runs record the switches).
        description: one line for the README.
    """

    name: str
    make: Callable[[Task], optax.GradientTransformation]
    is_switch: bool
    description: str


def fixed(name: str) -> Contender:
    """Candidate ``name`` of :func:`candidates` alone, for the whole run."""
    return Contender(name, lambda task: candidates()[name], False, HYPERPARAMETERS[name])


def switcher(
    name: str,
    selector: Callable[[Task], selectors.Selector],
    *,
    description: str = "",
    make_candidates: Callable[[], Mapping[str, optax.GradientTransformation]] = candidates,
    **switch_options,
) -> Contender:
    """:func:`optswitch.switch` over the candidates, with the selector ``selector(task)`` builds.

    Args:
        name: the contender's name.
        selector: ``selector(task) -> Selector``, so that it may read the task's step budget.
        description: one line for the README.
        make_candidates: the candidates (default :func:`candidates`); a selector that needs its own version of
            one (SWATS's SGD with an injectable learning rate) passes them here.
        **switch_options: passed to :func:`optswitch.switch` (``on_switch=``, ``inactive=``, ...).
    """
    make = lambda task: optswitch.switch(make_candidates(), selector(task), **switch_options)
    return Contender(name, make, True, description)


#: Every contender, by name, in the order of the tables: the fixed candidates first.
CONTENDERS: dict[str, Contender] = {
    contender.name: contender
    for contender in [
        fixed("adam"),
        fixed("sgd"),
        fixed("rmsprop"),
        switcher(
            "schedule",
            lambda task: selectors.schedule({0: "adam", task.budget // 2: "sgd"}),
            description="adam for the first half of the budget, then sgd (resuming its momentum, zero at first)",
        ),
        switcher(
            "plateau",
            lambda task: selectors.plateau(patience=2, accumulation_size=task.budget // 40, rtol=0.01),
            description="adam, then sgd, then rmsprop, each move after 2 evaluations of the loss averaged over "
            "budget/40 updates without a 1% improvement",
        ),
        switcher(
            "swats",
            lambda task: selectors.swats("adam", "sgd"),
            make_candidates=swats_candidates,
            description="adam to sgd at the paper's test, |Lambda - gamma| < 1e-9; sgd then steps with "
            "(1 - 0.9) Lambda",
        ),
        switcher(
            "swats-rtol",
            lambda task: selectors.swats("adam", "sgd", rtol=1e-3),
            make_candidates=swats_candidates,
            description="as swats, with the test relaxed to |Lambda - gamma| <= 1e-3 |gamma|",
        ),
        switcher(
            "bandit-ucb",
            lambda task: selectors.bandit(window=task.budget // 40, strategy="ucb"),
            description="discounted UCB (discount 0.9) over windows of budget/40 updates",
        ),
        switcher(
            "bandit-thompson",
            lambda task: selectors.bandit(window=task.budget // 40, strategy="thompson"),
            description="Thompson sampling (discount 0.9) over windows of budget/40 updates",
        ),
        switcher(
            "noise_scale",
            lambda task: selectors.noise_scale("adam", "sgd", threshold=1.0, warmup=task.budget // 10),
            description="adam to sgd once the gradient noise scale B_simple / B exceeds 1, after budget/10 updates",
        ),
        switcher(
            "race",
            lambda task: selectors.race(window=max(task.budget // 100, 3)),
            description="legs of budget/100 updates (adam sgd rmsprop rmsprop sgd adam), then the winner; duels "
            "with the runner-up at 2x, 4x, ... the race's end, windows of max(budget/100, t/8), confidence 1",
        ),
    ]
}
