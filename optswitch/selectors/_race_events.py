"""What :func:`race` says about its switches (:attr:`Selector.explain`) and its key numbers for
:func:`optswitch.metrics`, kept apart from its decisions."""

import jax
import jax.numpy as jnp

from optswitch.selectors import _line_fit, _window
from optswitch.selectors._race_rules import Phase, RaceState, race_scores


def explainer(stop: int, loss_is_log: bool = False):
    """Why :func:`race` switched (:attr:`Selector.explain`): e.g. ``"sgd's rate
    0.0041 +- 0.0007 beat adam's 0.0022 +- 0.0006"``, from the rates (and their standard errors) that the decision
    compared; for a duel dropped at ``stop``, that it was."""

    def explain(signals, before: RaceState, after: RaceState):
        # The leader's window that closes a duel is not kept in the state: fit it again, as select did.
        loss = signals.loss.astype(before.mean.dtype)
        fit = _line_fit.LineFit(before.count, before.mean, before.squares, before.products)
        fit = _window.fresh(_window.restarts(signals.active, before.arm), fit)
        counts = _window.usable(loss, "race", [True], loss_is_log)
        fit = _line_fit.add(fit, _window.log_loss(loss, counts, loss_is_log))
        closing, closing_variance = _line_fit.rate_and_variance(fit, before.length)
        scores, score_variances = race_scores(after)
        numbers = {
            "phases": jnp.stack([before.phase, after.phase]),
            "leg": after.leg,
            "legs": 2 * jnp.sum(after.in_round),
            "again": after.rounds > before.rounds,
            "in_round": after.in_round,
            "race": scores,
            "race_sd": jnp.sqrt(score_variances),
            "challenge": jnp.stack([after.challenge, jnp.sqrt(after.challenge_variance)]),
            "before": jnp.stack([after.before, jnp.sqrt(after.before_variance)]),
            "closed": jnp.stack(
                [(before.before + closing) / 2, jnp.sqrt(before.before_variance + closing_variance) / 2]
            ),
            "candidates": jnp.stack([signals.active, after.arm]),
            "standing": after.standing,
            "dropped": (after.duels == before.duels) & (after.updates >= stop),
            "updates": after.updates,
        }
        return numbers, _explain_text

    return explain


def _explain_text(numbers, names: tuple[str, ...]) -> str:
    source, target = (int(k) for k in numbers["candidates"])
    rate = lambda k, pair, label="rate ": f"{names[k]}'s {label}{pair[0]:.2g} +- {pair[1]:.1g}"
    race = lambda k: (numbers["race"][k], numbers["race_sd"][k])
    transition = tuple(Phase(int(phase)) for phase in numbers["phases"])
    if transition == (Phase.RACING, Phase.RACING) and numbers["again"]:
        tied = [names[k] for k in range(len(names)) if numbers["in_round"][k]]
        return f"race again over {', '.join(tied)}, tied with the best: leg 1 of {int(numbers['legs'])}"
    if transition == (Phase.RACING, Phase.RACING):
        return f"race leg {int(numbers['leg']) + 1} of {int(numbers['legs'])}"
    if transition == (Phase.RACING, Phase.LEADING):
        return f"{rate(target, race(target))} beat {rate(source, race(source), '')}"
    if transition == (Phase.LEADING, Phase.CHALLENGING):
        return f"duel: {names[target]} (standing {numbers['standing'][target]:.2g}) challenges {names[source]}"
    if transition == (Phase.CHALLENGING, Phase.CLOSING):
        return (
            f"duel: {rate(source, numbers['challenge'])} did not yet beat {rate(target, numbers['before'], '')}; "
            f"{names[target]} closes the duel"
        )
    if transition[0] in (Phase.CHALLENGING, Phase.CLOSING) and numbers["dropped"]:
        return f"duel dropped at update {int(numbers['updates'])}, the stop: {names[target]} trains to the end"
    leader = numbers["before"] if transition[0] == Phase.CHALLENGING else numbers["closed"]
    return f"{rate(target, numbers['challenge'])} beat {rate(source, leader, '')}"


def key_numbers(state: RaceState, names: tuple[str, ...]) -> dict[str, jax.Array]:
    """The numbers of :func:`optswitch.metrics` for :func:`race`: the race's rates, the standings, duels."""
    numbers = {"phase": state.phase, "duels": state.duels}
    for k, name in enumerate(names):
        numbers[f"rate/{name}"] = race_scores(state)[0][k]
        numbers[f"standing/{name}"] = state.standing[k]
    return numbers
