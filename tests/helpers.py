"""Shared test fixtures: small parameter trees, candidate sets, compiled-HLO inspection, selector references."""

import importlib.util
import math
import pathlib
import re

import jax
import jax.numpy as jnp
import numpy as np
import optax


def candidates():
    """The three candidates most tests switch among, in a fixed order."""
    return {
        "adam": optax.adam(1e-2),
        "sgd": optax.sgd(1e-2, momentum=0.9),
        "rmsprop": optax.rmsprop(1e-3),
    }


def params(dtype=jnp.float32):
    key = jax.random.key(0)
    return {
        "w": jax.random.normal(key, (4, 3), dtype),
        "b": jnp.linspace(-1, 1, 3, dtype=dtype),
    }


def grads_at(step, dtype=jnp.float32):
    """A deterministic, step-dependent gradient with the structure of :func:`params`."""
    key = jax.random.fold_in(jax.random.key(1), step)
    return jax.tree.map(lambda p: jax.random.normal(key, p.shape, dtype), params(dtype))


def assert_trees_equal(actual, expected):
    """Bitwise equality of two pytrees, structure included."""
    assert jax.tree.structure(actual) == jax.tree.structure(expected)
    for a, e in zip(jax.tree.leaves(actual), jax.tree.leaves(expected), strict=True):
        assert a.dtype == e.dtype and a.shape == e.shape
        np.testing.assert_array_equal(np.asarray(a), np.asarray(e))


def avals(tree):
    return jax.tree.map(lambda x: (jnp.shape(x), jnp.result_type(x), getattr(x, "weak_type", False)), tree)


def _parse_hlo(text, size):
    """Per computation of an HLO module: its big copies, the computations it calls, and its conditionals' branches."""
    computation, entry, copies, calls, conditionals = None, None, {}, {}, []
    for line in text.splitlines():
        header = re.match(r"^(?:ENTRY )?%?([\w.-]+) ", line)
        if header and line.rstrip().endswith("{"):
            computation = header.group(1)
            entry = computation if line.startswith("ENTRY") else entry
            continue
        calls.setdefault(computation, set()).update(re.findall(r"(?:calls|to_apply|body|condition)=%([\w.-]+)", line))
        match = re.search(r"= [a-z0-9]+\[([0-9,]*)\]\{[^}]*\} copy\(", line)
        if match:
            dims = [int(d) for d in match.group(1).split(",") if d]
            copies[computation] = copies.get(computation, 0) + (int(np.prod(dims)) > size)
        branches = re.search(r"branch_computations=\{([^}]*)\}", line)
        if branches:
            conditionals.append([name.strip().lstrip("%") for name in branches.group(1).split(",")])

    def reachable(name, seen):
        if name in seen:
            return 0
        seen.add(name)
        return copies.get(name, 0) + sum(reachable(callee, seen) for callee in calls.get(name, ()))

    return entry, copies, conditionals, lambda name: reachable(name, set())


def hlo_stats(compiled, size=1024):
    """Counts in a compiled executable: conditionals, and copies of arrays of more than ``size`` elements.

    ``copies_by_branch[k]`` counts the big copies made inside branch ``k`` of the (first) conditional, or in
    computations it calls; ``big_copies`` counts them everywhere; ``copies_outside_conditionals`` counts those
    the entry computation makes whatever the conditionals decide (in it, its fusions and its loops).
    """
    text = compiled.as_text()
    entry, copies, conditionals, reachable = _parse_hlo(text, size)
    return {
        "conditionals": text.count(" conditional("),
        "big_copies": sum(copies.values()),
        "copies_by_branch": [reachable(name) for name in conditionals[0]] if conditionals else [],
        "copies_outside_conditionals": reachable(entry),
    }


def copies_by_conditional(compiled, size=1024):
    """For every conditional of a compiled executable, the big copies each of its branches makes (in it or in the
    fusions and loops it calls, not in the conditionals nested in it, which have entries of their own): a list of
    lists, in the order of the HLO text."""
    _, _, conditionals, reachable = _parse_hlo(compiled.as_text(), size)
    return [[reachable(name) for name in branches] for branches in conditionals]


# References for the selectors, written from their docstrings, in NumPy float64.


def bandit_reference(losses_of, num, steps, window, strategy, discount, seed, exploration, epsilon, initial=0):
    """:func:`optswitch.selectors.bandit`'s rule in NumPy float64: ``losses_of(t, k)`` is the loss of update ``t``,
    made by candidate ``k``. Returns the candidate of every update, and the one chosen after the last."""
    sums, weights, squares = np.zeros(num), np.zeros(num), np.zeros(num)
    active, trace, window_logs, windows = initial, [initial], [], 0
    for t in range(steps):
        loss = losses_of(t, active)
        if loss <= 0:  # no log: the update does not count
            trace.append(active)
            continue
        window_logs.append(math.log(loss))
        if len(window_logs) == window:
            x = np.arange(window) - (window - 1) / 2
            reward = -(x @ np.asarray(window_logs)) / (window * (window**2 - 1) / 12)
            sums, weights, squares = discount * sums, discount * weights, discount * squares
            sums[active] += reward
            weights[active] += 1
            squares[active] += reward**2
            tried = weights > 0
            count = np.where(tried, weights, 1)
            mean = sums / count
            total = weights.sum()
            spread = np.sqrt(max(squares.sum() / total - (sums.sum() / total) ** 2, 0))
            key = jax.random.fold_in(jax.random.key(seed), windows)
            if strategy == "ucb":
                score = mean + exploration * spread * np.sqrt(2 * np.log(total) / count)
            elif strategy == "thompson":
                score = mean + exploration * spread * np.asarray(jax.random.normal(key, [num])) / np.sqrt(count)
            else:
                explore_key, pick_key = jax.random.split(key)
                explore = float(jax.random.uniform(explore_key)) < epsilon
                score = np.asarray(jax.random.uniform(pick_key, [num])) if explore else mean
            active = int(np.argmax(np.where(tried, score, np.inf)))
            window_logs, windows = [], windows + 1
        trace.append(active)
    return trace


def race_reference(
    losses_of,
    num,
    steps,
    order,
    window,
    growth,
    fraction,
    confidence,
    warmup=0,
    stop=None,
    margin=0.0,
    race_confidence=0.0,
    extra_rounds=0,
    record=None,
):
    """A plain-Python run of :func:`selectors.race`'s rule, fitting each window's line with ``np.polyfit``.

    ``record(before, rate, variance, after, choice)``, if given, sees every window's end: the reference's state
    before and after the decision (a dict, see ``snapshot``), the window's rate and variance, and the choice.
    ``warmup``, ``stop`` (None: never), ``margin``, ``race_confidence`` and ``extra_rounds`` as
    :func:`selectors.race`'s, resolved.
    """

    def fit(logs):
        x = np.arange(len(logs))
        slope, intercept = np.polyfit(x, logs, 1)
        rss = np.sum((logs - (slope * x + intercept)) ** 2)
        return -slope, rss / ((len(logs) - 2) * len(logs) * (len(logs) ** 2 - 1) / 12)

    def ratio(a, b):
        return a / b if b > 0 else (math.inf if a > b else 0.0)

    members, rounds = list(order), 0
    legs = members + members[::-1]
    active, phase, leg, logs, length = order[0], "race", 0, [], window
    race_rates = {k: [] for k in order}
    leader = challenger = order[0]
    standing, next_duel, before, challenge = {}, 0, (0.0, 0.0), (0.0, 0.0)
    trace = []

    def snapshot():
        return dict(
            phase=phase,
            leg=leg,
            rounds=rounds,
            members=list(members),
            race_rates={k: list(r) for k, r in race_rates.items()},
            leader=leader,
            challenger=challenger,
            standing=dict(standing),
            next_duel=next_duel,
            before=before,
            challenge=challenge,
            updates=updates,
            arm=active,
        )

    for t in range(steps):
        trace.append(active)
        loss = losses_of(t, active)
        if t < warmup:
            continue
        logs.append(math.log(loss))
        if stop is not None and t + 1 >= stop and phase != "race":
            active, challenger, phase = leader, leader, "lead"  # no decision; a duel in progress is dropped
            continue
        if len(logs) < length:
            continue
        rate, variance = fit(np.asarray(logs))
        logs, updates = [], t + 1
        before_decision = snapshot()
        choice = leader
        if phase == "race":
            race_rates[active].append((rate, variance))
            leg += 1
            if leg < len(legs):
                choice = legs[leg]
            else:
                scores = {k: sum(x for x, _ in r) / len(r) for k, r in race_rates.items()}
                variances = {k: sum(v for _, v in r) / len(r) ** 2 for k, r in race_rates.items()}
                best = max(members, key=lambda k: (scores[k], -order.index(k)))
                ties = [
                    k
                    for k in members
                    if scores[best] - scores[k]
                    <= max(margin * abs(scores[best]), race_confidence * math.sqrt(variances[k] + variances[best]))
                ]
                choice = ties[0]
                if rounds < extra_rounds and len(ties) > 1:  # the tied race a round again
                    members, rounds, leg = ties, rounds + 1, 0
                    legs = members + members[::-1]
                else:
                    leader = choice
                    standing = {k: ratio(scores[k], scores[leader]) for k in order}
                    standing[leader] = 1.0
                    phase, next_duel = "lead", math.ceil(growth * updates)
        elif phase == "lead":
            before = (rate, variance)
            rivals = [k for k in order if k != leader]
            if updates >= next_duel and rivals:
                challenger = choice = max(rivals, key=lambda k: (standing[k], -k))
                phase = "challenge"
        else:
            if phase == "challenge":
                challenge = (rate, variance)
                leader_rate, leader_variance = before
                lead = challenge[0] - before[0]
                decided = lead > confidence * math.sqrt(challenge[1] + before[1]) and lead > margin * abs(before[0])
            else:
                leader_rate = (before[0] + rate) / 2
                leader_variance = (before[1] + variance) / 4
                decided = True
            lead = challenge[0] - leader_rate
            takeover = lead > confidence * math.sqrt(challenge[1] + leader_variance) and lead > margin * abs(
                leader_rate
            )
            if phase == "challenge" and not decided:
                phase, choice = "close", leader
            else:
                standing[challenger] = ratio(challenge[0], leader_rate)
                if takeover:
                    relative = standing[challenger]
                    standing = {k: ratio(v, relative) for k, v in standing.items()}
                    leader = challenger
                standing[leader] = 1.0
                choice, phase, next_duel = leader, "lead", math.ceil(growth * updates)
        if record is not None:
            record(before_decision, rate, variance, snapshot(), choice)
        if phase == "race":
            length = window
        elif phase != "close":
            length = max(window, int(np.round(fraction * updates)))
        active = choice
    trace.append(active)
    return trace


def load_example(name: str):
    """The module ``examples/<name>.py`` (examples/ is not a package), imported afresh."""
    path = pathlib.Path(__file__).parent.parent / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
