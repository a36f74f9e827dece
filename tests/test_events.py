"""Switch events: one log line per switch, with the selector's reason, from inside jit and only on the update that
switches; the same lines after an orbax resume; a callback that the compiled program reaches only through the
switch's conditional; under vmap, events from the members that switch only."""

import functools
import logging
import re
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp
import pytest

import optswitch
from optswitch import selectors

PARAMS = {"w": jnp.ones(3)}


def two(selector, on_event=True):
    sgd = optax.inject_hyperparams(optax.sgd)(learning_rate=0.0, momentum=0.9)
    return optswitch.switch({"adam": optax.adam(1e-2), "sgd": sgd}, selector, on_event=on_event)


def lines(caplog) -> list[str]:
    jax.effects_barrier()
    return [record.getMessage() for record in caplog.records if record.name == "optswitch"]


def run(tx, losses, caplog, params=PARAMS, grads=None):
    """Runs one jitted update per loss (None: no value=); returns the new lines after each update."""
    step = jax.jit(lambda grads, state, value: tx.update(grads, state, params, **value))
    state, per_update = tx.init(params), []
    for t, loss in enumerate(losses):
        before = len(lines(caplog))
        value = {} if loss is None else {"value": jnp.asarray(loss, jnp.float32)}
        _, state = step(params if grads is None else grads(t), state, value)
        per_update.append(lines(caplog)[before:])
    return state, per_update


def test_one_line_per_switch_and_none_on_the_other_updates(caplog):
    caplog.set_level(logging.INFO, logger="optswitch")
    tx = two(selectors.schedule({0: "adam", 5: "sgd", 8: "adam"}))
    state, per_update = run(tx, [None] * 12, caplog)
    # The decision made at update t is logged at update t, naming update t + 1, the first of the new candidate.
    assert per_update[4] == ["update 5: adam -> sgd, scheduled at 5"]
    assert per_update[7] == ["update 8: sgd -> adam, scheduled at 8"]
    assert [t for t, new in enumerate(per_update) if new] == [4, 7]
    assert [(r.levelno, r.switch_event) for r in caplog.records if r.name == "optswitch"] == [
        (logging.INFO, optswitch.events.SwitchEvent(5, "adam", "sgd", "scheduled at 5")),
        (logging.INFO, optswitch.events.SwitchEvent(8, "sgd", "adam", "scheduled at 8")),
    ]
    assert [(first, source, target) for first, source, target in optswitch.summary(state).switches] == [
        (5, "adam", "sgd"),
        (8, "sgd", "adam"),
    ]


def test_no_events_unless_asked(caplog):
    caplog.set_level(logging.INFO, logger="optswitch")
    tx = optswitch.switch({"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)}, selectors.schedule({0: 0, 2: 1}))
    state, _ = run(tx, [None] * 4, caplog)
    assert optswitch.summary(state).num_switches == 1 and lines(caplog) == []


def test_plateau_says_how_long_and_the_best_loss(caplog):
    caplog.set_level(logging.INFO, logger="optswitch")
    _, per_update = run(two(selectors.plateau(patience=3)), [0.5, 0.412, 0.5, 0.5, 0.5, 0.5], caplog)
    assert [line for new in per_update for line in new] == [
        "update 5: adam -> sgd, no improvement in 3 evaluations, best 0.412"
    ]


def test_swats_says_lambda_and_how_close_gamma_came(caplog):
    caplog.set_level(logging.INFO, logger="optswitch")
    params = {"w": jnp.linspace(-1.0, 1.0, 5)}
    state, per_update = run(two(selectors.swats("adam", "sgd", rtol=1e-2)), [None] * 4, caplog, params=params)
    chosen = state.selector_state
    gap, estimate = abs(float(chosen.estimate) - float(chosen.gamma)), float(chosen.estimate)
    assert estimate == pytest.approx(4 / 3 * 1e-2, rel=1e-3)
    assert [line for new in per_update for line in new] == [
        f"update 2: adam -> sgd, |Lambda - gamma| = {gap:.2g}, Lambda = {estimate:.3g}"
    ]


def race_losses(factors, count, **options):
    """Feeds the race the loss of a run where each update multiplies the loss by its candidate's factor."""
    tx = two(selectors.race(window=3, growth=1.1, fraction=0.0, **options))
    step = jax.jit(lambda state, loss: tx.update(PARAMS, state, PARAMS, value=loss)[1])
    state, loss, fed, actives = tx.init(PARAMS), 1.0, [], []
    for t in range(count):
        name = optswitch.active(state)
        fed.append(loss)
        actives.append(name)
        state = step(state, jnp.asarray(loss, jnp.float32))
        loss *= factors(t, name) * (1 + 0.01 * np.sin(t))  # a little noise, so the rates have a spread
    return state, fed, actives


def window_rate(log_losses):
    """Minus the least-squares slope of log(loss), and its variance, as the race defines them (docstring)."""
    size = len(log_losses)
    index = np.arange(size) - (size - 1) / 2
    spread = np.sum(index**2)
    rate = -np.sum(index * log_losses) / spread
    residuals = log_losses - np.mean(log_losses) + rate * index
    return rate, np.sum(residuals**2) / ((size - 2) * spread)


def test_race_names_the_rates_it_compared(caplog):
    caplog.set_level(logging.INFO, logger="optswitch")
    # Adam wins the race (legs adam sgd sgd adam, 3 updates each); the duel from update 15 has sgd at 0.85 per
    # update against Adam's 0.8 before it (no early takeover) and 0.95 after it: sgd takes over at update 21.
    factors = lambda t, name: 0.85 if name == "sgd" else (0.8 if t < 18 else 0.95)
    _, fed, actives = race_losses(factors, 22)
    log = np.log(np.asarray(fed, np.float64))
    rates = [window_rate(log[first : first + 3]) for first in range(0, 21, 3)]
    mean = lambda *windows: (
        sum(rates[w][0] for w in windows) / len(windows),
        np.sqrt(sum(rates[w][1] for w in windows)) / len(windows),
    )
    said = lambda name, rate: f"{name}'s {rate[0]:.2g} +- {rate[1]:.1g}"
    sgd_duel, adam_before = mean(5), mean(4)  # one window each: (rate, standard error)
    assert actives[12:21] == ["adam"] * 3 + ["sgd"] * 3 + ["adam"] * 3 and actives[21] == "sgd"
    assert lines(caplog) == [
        "update 3: adam -> sgd, race leg 2 of 4",
        "update 9: sgd -> adam, race leg 4 of 4",
        f"update 15: adam -> sgd, duel: sgd (standing {mean(1, 2)[0] / mean(0, 3)[0]:.2g}) challenges adam",
        f"update 18: sgd -> adam, duel: {said('sgd', sgd_duel).replace('s ', 's rate ', 1)} did not yet beat "
        f"{said('adam', adam_before)}; adam closes the duel",
        f"update 21: adam -> sgd, {said('sgd', sgd_duel).replace('s ', 's rate ', 1)} beat {said('adam', mean(4, 6))}",
    ]


def test_race_end_names_the_winner_and_the_loser(caplog):
    caplog.set_level(logging.INFO, logger="optswitch")
    _, fed, _ = race_losses(lambda t, name: 0.8 if name == "sgd" else 0.9, 13)
    log = np.log(np.asarray(fed, np.float64))
    rates = [window_rate(log[first : first + 3]) for first in range(0, 12, 3)]
    mean = lambda *windows: (sum(rates[w][0] for w in windows) / 2, np.sqrt(sum(rates[w][1] for w in windows)) / 2)
    sgd, adam = mean(1, 2), mean(0, 3)
    assert lines(caplog)[-1] == (
        f"update 12: adam -> sgd, sgd's rate {sgd[0]:.2g} +- {sgd[1]:.1g} beat adam's {adam[0]:.2g} +- {adam[1]:.1g}"
    )


def test_race_says_when_the_stop_drops_a_duel(caplog):
    caplog.set_level(logging.INFO, logger="optswitch")
    # As above, sgd challenges from update 15; the stop at 17 hands back to Adam, which trains to the end.
    factors = lambda t, name: 0.85 if name == "sgd" else (0.8 if t < 18 else 0.95)
    _, _, actives = race_losses(factors, 30, stop=17)
    assert actives[15:] == ["sgd"] * 2 + ["adam"] * 13
    assert lines(caplog)[-1] == "update 17: sgd -> adam, duel dropped at update 17, the stop: adam trains to the end"


def test_a_callable_gets_the_events_and_set_active_sends_its_own(caplog):
    caplog.set_level(logging.INFO, logger="optswitch")
    received = []
    tx = optswitch.switch(
        {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)}, selectors.schedule({0: 0, 2: 1}), on_event=received.append
    )
    state = tx.init(PARAMS)
    for _ in range(3):
        _, state = jax.jit(tx.update)(PARAMS, state, PARAMS)
    state = optswitch.set_active(state, "adam", on_event=received.append)
    optswitch.set_active(state, "sgd")  # default: the "optswitch" logger
    jax.effects_barrier()
    assert received == [
        optswitch.events.SwitchEvent(2, "adam", "sgd", "scheduled at 2"),
        optswitch.events.SwitchEvent(3, "sgd", "adam", "set_active"),
    ]
    assert lines(caplog) == ["update 3: adam -> sgd, set_active"]


def test_a_logger_of_ones_own(caplog):
    caplog.set_level(logging.INFO, logger="train")
    tx = two(selectors.schedule({0: 0, 1: 1}), on_event=logging.getLogger("train"))
    run(tx, [None] * 2, caplog)
    assert [(r.name, r.getMessage()) for r in caplog.records] == [("train", "update 1: adam -> sgd, scheduled at 1")]


@pytest.mark.parametrize("bad", ["yes", 1.0])
def test_bad_on_event_says_what_to_pass(bad):
    with pytest.raises(TypeError, match=r"switch: on_event=.*; pass True \(log each switch to the 'optswitch' logger"):
        optswitch.switch([optax.sgd(1.0)], on_event=bad)
    state = optswitch.switch([optax.sgd(1.0), optax.adam(1.0)]).init(PARAMS)
    with pytest.raises(TypeError, match=r"set_active: on_event="):
        optswitch.set_active(state, 1, on_event=bad)


def callbacks_by_computation(text: str) -> tuple[dict[str, int], dict[str, set[str]], list[list[str]]]:
    """Host callbacks per computation of a compiled HLO text, what each computation calls, and the branches of
    each conditional."""
    computation, found, calls = None, {}, {}
    for line in text.splitlines():
        header = re.match(r"^(?:ENTRY )?%?([\w.-]+) ", line)
        if header and line.rstrip().endswith("{"):
            computation = header.group(1)
            continue
        found[computation] = found.get(computation, 0) + ("python_cpu_callback" in line)
        callees = re.findall(r"(?:calls|to_apply|body|condition)=%([\w.-]+)", line)
        callees += [
            name.strip().lstrip("%")
            for group in re.findall(r"branch_computations=\{([^}]*)\}", line)
            for name in group.split(",")
        ]
        calls.setdefault(computation, set()).update(callees)
    branches = [
        [name.strip().lstrip("%") for name in group.split(",")]
        for group in re.findall(r"branch_computations=\{([^}]*)\}", text)
    ]
    return found, calls, branches


def test_the_callback_sits_inside_the_conditional_of_the_switch():
    tx = two(selectors.plateau(patience=2))
    compiled = (
        jax.jit(functools.partial(tx.update, value=jnp.float32(1.0))).lower(PARAMS, tx.init(PARAMS), PARAMS).compile()
    )
    found, calls, branches = callbacks_by_computation(compiled.as_text())
    assert sum(found.values()) == 1
    (home,) = [name for name, count in found.items() if count]

    def reaches(name, seen=()):
        return name == home or any(
            reaches(callee, (*seen, name)) for callee in calls.get(name, ()) if callee not in seen
        )

    # Exactly one branch of one two-way conditional reaches the callback: the one taken when the choice changes.
    taking = [[reaches(branch) for branch in group] for group in branches if any(map(reaches, group))]
    assert taking == [[False, True]]
    entry = re.search(r"^ENTRY %?([\w.-]+)", compiled.as_text(), flags=re.MULTILINE).group(1)
    assert home != entry and found[entry] == 0
    plain = jax.jit(functools.partial(two(selectors.plateau(patience=2), on_event=None).update, value=jnp.float32(1)))
    assert "python_cpu_callback" not in plain.lower(PARAMS, tx.init(PARAMS), PARAMS).compile().as_text()


def test_the_same_lines_after_an_orbax_resume(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="optswitch")
    factors = lambda t, name: 0.85 if name == "sgd" else (0.8 if t < 18 else 0.95)

    def train(tx, train_state, first, last):
        step = jax.jit(lambda state, loss: tx.update(PARAMS, state, PARAMS, value=loss)[1])
        for t in range(first, last):
            name = optswitch.active(train_state["opt_state"])
            train_state["opt_state"] = step(train_state["opt_state"], train_state["loss"])
            train_state["loss"] = train_state["loss"] * factors(t, name) * (1 + 0.01 * np.sin(t))
        return train_state

    new_tx = lambda: two(selectors.race(window=3, growth=1.1, fraction=0.0))
    tx = new_tx()
    start = lambda: {"opt_state": tx.init(PARAMS), "loss": jnp.float32(1.0)}
    train(tx, start(), 0, 24)
    uninterrupted = lines(caplog)
    caplog.clear()

    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(tmp_path / "checkpoint", train(tx, start(), 0, 10))
    checkpointer.wait_until_finished()
    assert lines(caplog) == uninterrupted[:2]
    for resumed_tx in (tx, new_tx()):  # the same process, and one that builds the switch again
        caplog.clear()
        restored = checkpointer.restore(tmp_path / "checkpoint", jax.eval_shape(start))
        train(resumed_tx, restored, 10, 24)
        assert len(uninterrupted) == 6 and lines(caplog) == uninterrupted[2:]


def trial_statistics(losses, incumbent_losses):
    """A trial's mean over its second half and, against the incumbent's, the paired z, in float32 as trials sums."""
    half = len(losses) // 2
    mine, theirs = np.float32(losses[-half:]), np.float32(incumbent_losses[-half:])
    total, differences, squares = np.float32(0), np.float32(0), np.float32(0)
    for a, b in zip(mine, theirs, strict=True):
        total, differences, squares = total + a, differences + (a - b), squares + (a - b) * (a - b)
    mean_difference = differences / np.float32(half)
    variance = max(squares - np.float32(half) * mean_difference**2, np.float32(0)) / np.float32(half - 1)
    return total / np.float32(half), -mean_difference / np.sqrt(variance / np.float32(half))


def test_trials_say_each_trial_s_mean_loss_and_who_won_or_was_kept(caplog):
    caplog.set_level(logging.INFO, logger="optswitch")
    levels = {"adam": 1.0, "sgd": 0.8, "rmsprop": 1.1}
    opts = {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2), "rmsprop": optax.rmsprop(1e-3)}
    tx = optswitch.switch(opts, selectors.trials(100, trial_length=6), on_event=True)
    step = jax.jit(lambda params, state, loss: tx.update_and_apply(params, state, params, value=loss))
    params, state, fed = PARAMS, tx.init(PARAMS), []
    for t in range(50):
        name = optswitch.active(state)
        fed.append((name, np.float32(levels[name] * (1 + 0.01 * np.sin(t)))))
        params, state = step(params, state, jnp.asarray(fed[-1][1]))
    # Round 1 from update 10: adam's trial 10-15, sgd's 16-21, rmsprop's 22-27; sgd wins. Round 2 from update 29.
    trial = lambda first: [loss for _, loss in fed[first : first + 6]]
    adam_1, sgd_1 = trial(10), trial(16)
    sgd_2, adam_2, rmsprop_2 = trial(29), trial(35), trial(41)
    mean = lambda losses: sum(np.float32(losses[-3:]), np.float32(0)) / np.float32(3)
    sgd_mean, sgd_z = trial_statistics(sgd_1, adam_1)
    adam_mean, adam_z = trial_statistics(adam_2, sgd_2)
    rmsprop_mean, rmsprop_z = trial_statistics(rmsprop_2, sgd_2)
    against = lambda m, reference, name, z: (
        f"{(m - reference) / reference:+.1%} against {name}'s {reference:.4g}" + ("" if z is None else f", z {z:+.1f}")
    )
    again = "the next trial starts from the round's saved start"
    assert lines(caplog) == [
        f"update 16: adam -> sgd, trials round 1: adam's trial (the incumbent's) ended, mean loss {mean(adam_1):.4g} "
        f"over its last 3 updates; {again}",
        f"update 22: sgd -> rmsprop, trials round 1: sgd's trial ended, mean loss {sgd_mean:.4g} over its last 3 "
        f"updates ({against(sgd_mean, mean(adam_1), 'adam', sgd_z)}); {again}",
        f"update 28: rmsprop -> sgd, trials round 1: sgd won at mean loss {sgd_mean:.4g} "
        f"({against(sgd_mean, mean(adam_1), 'adam', None)}); on from its end point",
        f"update 35: sgd -> adam, trials round 2: sgd's trial (the incumbent's) ended, mean loss {mean(sgd_2):.4g} "
        f"over its last 3 updates; {again}",
        f"update 41: adam -> rmsprop, trials round 2: adam's trial ended, mean loss {adam_mean:.4g} over its last 3 "
        f"updates ({against(adam_mean, mean(sgd_2), 'sgd', adam_z)}); {again}",
        f"update 47: rmsprop -> sgd, trials round 2: sgd kept, no trial lower by 2% and 2 standard errors (the last, "
        f"rmsprop: {against(rmsprop_mean, mean(sgd_2), 'sgd', rmsprop_z)}); on from its end point",
    ]
    assert [name for name, _ in fed[10:28]] == ["adam"] * 6 + ["sgd"] * 6 + ["rmsprop"] * 6
    numbers = optswitch.metrics(state)
    assert int(numbers["optswitch/trials/rounds"]) == 2 and not bool(numbers["optswitch/trials/trialing"])
    assert float(numbers["optswitch/trials/incumbent_mean"]) == pytest.approx(mean(sgd_2))


def test_under_vmap_only_the_members_that_switch_send_events_and_only_a_loss_below_zero_warns(caplog):
    # vmap turns the conditional of a batched predicate into a select that runs its branch for every member: the
    # host must stand down for the members whose predicate is False.
    caplog.set_level(logging.INFO, logger="optswitch")
    below = selectors.custom(
        lambda names: (),
        lambda signals, state: (jnp.where(signals.loss < 0.5, 1, signals.active), state),
        reads=["loss"],
    )
    step_of = lambda tx: jax.jit(jax.vmap(lambda state, loss: tx.update(PARAMS, state, PARAMS, value=loss)[1]))
    tx = two(below)
    state = jax.vmap(lambda _: tx.init(PARAMS))(jnp.arange(4))
    state = step_of(tx)(state, jnp.float32([1.0, 0.2, 1.0, 0.3]))
    assert lines(caplog) == ["update 1: adam -> sgd, chosen by the <lambda> selector"] * 2
    race = two(selectors.race(window=3))
    state = jax.vmap(lambda _: race.init(PARAMS))(jnp.arange(4))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for losses in ([1.0, 2.0, 2.0, 3.0], [1.0, -1.0, 2.0, 3.0], [1.0, -2.0, 2.0, 3.0]):
            state = step_of(race)(state, jnp.float32(losses))
        jax.effects_barrier()
    assert [str(w.message)[:48] for w in record] == ["race: update() was given value=-1.0 at update 1,"]
