"""The held-out-38 split: it runs only when asked, apart from every other split; its tasks hold the data their
docstrings state (each drawn again here by hand, its references and its model computed in numpy and scipy); they train;
their targets and the baseline's rates were set from fixed optimizers only, so that the split stays blind; and the
stored calibration says what the docstrings say of it."""

import held_out_split
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import optimize, special, stats

from benchmarks.suite import cli, tasks
from benchmarks.suite.tasks import held_out_38

HELD_OUT_38 = ["radial-velocity-orbits", "hill-dose-response", "blade-chest-matchups"]


def test_the_held_out_38_split_runs_only_when_asked_and_is_disjoint_from_every_other(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_runs_only_when_asked(held_out_38, HELD_OUT_38, "held-out-37", 55, help_text)


def _velocity(time, period, semi_amplitude, eccentricity, omega, phase, offset):
    """The radial velocity on a Keplerian orbit, measurement by measurement: Kepler's equation solved by scipy's
    Brent root finder (not the task's Newton steps), the true anomaly from the eccentric one by its cosine and sine
    (not the task's half-angle form)."""
    out = []
    for t, p, k, e, w, m0, g in zip(time, period, semi_amplitude, eccentricity, omega, phase, offset, strict=True):
        mean = 2 * np.pi * t / p + m0
        eccentric = optimize.brentq(lambda x, e=e, mean=mean: x - e * np.sin(x) - mean, mean - 1, mean + 1, xtol=1e-14)
        cos_true = (np.cos(eccentric) - e) / (1 - e * np.cos(eccentric))
        sin_true = np.sqrt(1 - e**2) * np.sin(eccentric) / (1 - e * np.cos(eccentric))
        true = np.arctan2(sin_true, cos_true)
        out.append(k * (np.cos(true + w) + e * np.cos(w)) + g)
    return np.array(out)


def _elements(params):
    """The orbital elements of the task's parameters: K, e, omega, M0 and gamma."""
    eccentricity = 0.9 * special.expit(params["ecc_logit"])
    return np.exp(params["log_k"]), eccentricity, params["omega"], params["phase"], params["offset"]


def test_radial_velocity_orbits_holds_the_data_its_docstring_states():
    task = tasks.radial_velocity_orbits()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (1600, 2) and data["y_val"].shape == (400,)
    # The data by hand: 8 stars' elements, 250 times each, shuffled; the velocities with their noise; the first 400
    # for validation.
    rng = np.random.default_rng(0)
    period, semi_amplitude = rng.uniform(5, 20, 8), rng.uniform(0.5, 2, 8)
    eccentricity, omega = rng.uniform(0.05, 0.3, 8), rng.uniform(-np.pi, np.pi, 8)
    phase, offset = rng.uniform(-np.pi, np.pi, 8), rng.normal(0, 0.5, 8)
    star = np.repeat(np.arange(8), 250)
    time = rng.uniform(0, 100, 2000)
    order = rng.permutation(2000)
    star, time = star[order], time[order]
    clean = _velocity(
        time, period[star], semi_amplitude[star], eccentricity[star], omega[star], phase[star], offset[star]
    )
    y = clean + rng.normal(0, 0.05, 2000)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), np.stack([star, time], 1), rtol=1e-6)
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), y, rtol=1e-5, atol=1e-6)
    # The references on the validation measurements: a zero velocity, the validation mean, the start (the same on
    # every seed), the true orbits (the noise).
    assert np.mean(data["y_val"] ** 2) == pytest.approx(REFERENCES["orbits-zero"], abs=1e-4)
    assert np.var(data["y_val"]) == pytest.approx(REFERENCES["orbits-mean"], abs=1e-4)
    star_val, time_val = data["x_val"][:, 0].astype(int), data["x_val"][:, 1]
    for seed in (0, 3):
        start = {name: np.asarray(value, np.float64) for name, value in task.init(jax.random.PRNGKey(seed)).items()}
        k, e, w, m0, g = _elements(start)
        np.testing.assert_allclose(k, 1)
        np.testing.assert_allclose(e, 0.9 * special.expit(-2), rtol=1e-6)
        assert not w.any() and not m0.any() and not g.any()
    by_hand = np.mean(
        (_velocity(time_val, period[star_val], *(v[star_val] for v in (k, e, w, m0, g))) - data["y_val"]) ** 2
    )
    assert held_out_split.metric_on(task, start) == pytest.approx(by_hand, rel=1e-4)
    assert by_hand == pytest.approx(REFERENCES["orbits-start"], abs=1e-4)
    truth = np.mean((clean[:400] - data["y_val"]) ** 2)
    assert truth == pytest.approx(REFERENCES["orbits-true"], abs=1e-5)
    true_params = {
        "log_k": np.log(semi_amplitude),
        "ecc_logit": special.logit(eccentricity / 0.9),
        "omega": omega,
        "phase": phase,
        "offset": offset,
    }
    assert held_out_split.metric_on(task, true_params) == pytest.approx(truth, rel=1e-2)
    # The model by hand on 8 measurements: any elements.
    params = {
        "log_k": rng.normal(0, 0.5, 8),
        "ecc_logit": rng.normal(-1, 1, 8),
        "omega": rng.uniform(-np.pi, np.pi, 8),
        "phase": rng.uniform(-np.pi, np.pi, 8),
        "offset": rng.normal(0, 0.5, 8),
    }
    x, y = data["x_train"][:8], data["y_train"][:8]
    star = x[:, 0].astype(int)
    predicted = _velocity(x[:, 1], period[star], *(v[star] for v in _elements(params)))
    batch = (jnp.asarray(x, jnp.float32), jnp.asarray(y, jnp.float32))
    assert held_out_split.loss_on(task, params, batch) == pytest.approx(np.mean((predicted - y) ** 2), rel=1e-3)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _hill(dose, bottom, top, ec50, hill):
    """Hill's dose-response curve at ``dose``, by the power as written: ``bottom + (top - bottom) / (1 + (EC50 /
    dose)^h)``."""
    return bottom + (top - bottom) / (1 + (ec50 / dose) ** hill)


def test_hill_dose_response_holds_the_data_its_docstring_states():
    task = tasks.hill_dose_response()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (1600, 2) and data["y_val"].shape == (400,)
    # The data by hand: 10 compounds' parameters, 200 doses each, log-uniform over seven decades, shuffled; the
    # responses with their noise; the first 400 for validation.
    rng = np.random.default_rng(0)
    bottom, top = rng.uniform(0, 0.15, 10), rng.uniform(0.8, 1.1, 10)
    ec50, hill = np.exp(rng.uniform(np.log(1e-3), np.log(1e2), 10)), rng.uniform(0.5, 3, 10)
    compound = np.repeat(np.arange(10), 200)
    dose = np.exp(rng.uniform(np.log(1e-4), np.log(1e3), 2000))
    order = rng.permutation(2000)
    compound, dose = compound[order], dose[order]
    clean = _hill(dose, bottom[compound], top[compound], ec50[compound], hill[compound])
    y = clean + rng.normal(0, 0.03, 2000)
    x = np.stack([compound, np.log(dose)], 1)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), x, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), y, rtol=1e-5, atol=1e-7)
    # The references on the validation measurements: no response, the validation mean, the start (the same on every
    # seed), the true curves (the noise).
    assert np.mean(data["y_val"] ** 2) == pytest.approx(REFERENCES["hill-zero"], abs=1e-4)
    assert np.var(data["y_val"]) == pytest.approx(REFERENCES["hill-mean"], abs=1e-4)
    for seed in (0, 3):
        start = {name: np.asarray(value) for name, value in task.init(jax.random.PRNGKey(seed)).items()}
        assert not start["bottom"].any() and not start["log_ec50"].any() and not start["log_hill"].any()
        np.testing.assert_allclose(start["top"], 1)
    dose_val = np.exp(data["x_val"][:, 1])
    by_hand = np.mean((_hill(dose_val, 0, 1, 1, 1) - data["y_val"]) ** 2)
    assert held_out_split.metric_on(task, start) == pytest.approx(by_hand, rel=1e-4)
    assert by_hand == pytest.approx(REFERENCES["hill-start"], abs=1e-5)
    truth = np.mean((clean[:400] - data["y_val"]) ** 2)
    assert truth == pytest.approx(REFERENCES["hill-true"], abs=1e-6)
    true_params = {"bottom": bottom, "top": top, "log_ec50": np.log(ec50), "log_hill": np.log(hill)}
    assert held_out_split.metric_on(task, true_params) == pytest.approx(truth, rel=1e-3)
    # The model by hand on 8 measurements: any parameters.
    params = {
        "bottom": rng.uniform(-0.1, 0.2, 10),
        "top": rng.uniform(0.7, 1.2, 10),
        "log_ec50": rng.normal(0, 3, 10),
        "log_hill": rng.normal(0, 0.5, 10),
    }
    x, y = data["x_train"][:8], data["y_train"][:8]
    compound = x[:, 0].astype(int)
    predicted = _hill(
        np.exp(x[:, 1]),
        params["bottom"][compound],
        params["top"][compound],
        np.exp(params["log_ec50"][compound]),
        np.exp(params["log_hill"][compound]),
    )
    batch = (jnp.asarray(x, jnp.float32), jnp.asarray(y, jnp.float32))
    assert held_out_split.loss_on(task, params, batch) == pytest.approx(np.mean((predicted - y) ** 2), rel=1e-3)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _outcome_nll(params, x, y):
    """The mean negative log-likelihood of outcomes ``y`` (the first player won) of games ``x`` (two players), game by
    game, with scipy's Bernoulli."""
    logits = [
        params["skill"][a]
        - params["skill"][b]
        + params["blade"][a] @ params["chest"][b]
        - params["blade"][b] @ params["chest"][a]
        for a, b in x.astype(int)
    ]
    return -np.mean(stats.bernoulli.logpmf(y, special.expit(np.array(logits))))


def test_blade_chest_matchups_holds_the_data_its_docstring_states():
    task = tasks.blade_chest_matchups()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (10000, 2) and data["y_val"].shape == (2000,)
    # The data by hand: the players' blades, chests and skills; 12,000 games between distinct players, each won by
    # the first with its probability; the first 2,000 for validation.
    rng = np.random.default_rng(0)
    truth = {
        "blade": rng.normal(0, 1.3, [80, 2]),
        "chest": rng.normal(0, 1.3, [80, 2]),
        "skill": rng.normal(0, 0.5, 80),
    }
    first = rng.integers(0, 80, 12000)
    second = (first + rng.integers(1, 80, 12000)) % 80
    assert (first != second).all()
    duel = np.einsum("gd,gd->g", truth["blade"][first], truth["chest"][second])
    duel -= np.einsum("gd,gd->g", truth["blade"][second], truth["chest"][first])
    y = rng.uniform(0, 1, 12000) < special.expit(truth["skill"][first] - truth["skill"][second] + duel)
    np.testing.assert_array_equal(np.concatenate([data["x_val"], data["x_train"]]), np.stack([first, second], 1))
    np.testing.assert_array_equal(np.concatenate([data["y_val"], data["y_train"]]), y)
    assert np.mean(y) == pytest.approx(REFERENCES["matchups-first-wins"], abs=1e-4)
    # The references on the validation games: the start (the same on every seed), the true model.
    for seed in (0, 3):
        start = {name: np.asarray(value, np.float64) for name, value in task.init(jax.random.PRNGKey(seed)).items()}
        assert not start["skill"].any()
    again = np.random.default_rng(1)
    np.testing.assert_allclose(start["blade"], again.normal(0, 0.1, [80, 2]), rtol=1e-6)
    np.testing.assert_allclose(start["chest"], again.normal(0, 0.1, [80, 2]), rtol=1e-6)
    by_hand = _outcome_nll(start, data["x_val"], data["y_val"])
    assert held_out_split.metric_on(task, start) == pytest.approx(by_hand, rel=1e-5)
    assert by_hand == pytest.approx(REFERENCES["matchups-start"], abs=1e-4)
    true_nll = _outcome_nll(truth, data["x_val"], data["y_val"])
    assert true_nll == pytest.approx(REFERENCES["matchups-true"], abs=1e-4)
    assert held_out_split.metric_on(task, truth) == pytest.approx(true_nll, rel=1e-5)
    # The model by hand on 8 games: any parameters.
    params = {"skill": rng.normal(0, 1, 80), "blade": rng.normal(0, 1, [80, 2]), "chest": rng.normal(0, 1, [80, 2])}
    x, y = data["x_train"][:8], data["y_train"][:8]
    batch = (jnp.asarray(x, jnp.float32), jnp.asarray(y, jnp.float32))
    assert held_out_split.loss_on(task, params, batch) == pytest.approx(_outcome_nll(params, x, y), rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


REFERENCES = {
    "orbits-zero": 1.6204,
    "orbits-mean": 1.3402,
    "orbits-start": 2.4310,
    "orbits-true": 0.002128,
    "hill-zero": 0.3567,
    "hill-mean": 0.1503,
    "hill-start": 0.07767,
    "hill-true": 0.000774,
    "matchups-first-wins": 0.499,
    "matchups-start": 0.6929,
    "matchups-true": 0.3590,
}


def test_the_docstrings_state_the_references():
    docs = {name: " ".join(tasks.TASKS[name].__doc__.split()) for name in HELD_OUT_38}
    assert (
        "1.6204 for a zero velocity, 1.3402 for the validation mean, 2.4310 at the start, 0.002128 for the true orbits"
        in docs[HELD_OUT_38[0]]
    )
    assert (
        "0.3567 for no response, 0.1503 for the validation mean, 0.07767 at the start, 0.000774 for the true curves"
        in docs[HELD_OUT_38[1]]
    )
    assert "(49.9% of them)" in docs[HELD_OUT_38[2]]
    assert "0.6929 at the start, 0.3590 for the true model" in docs[HELD_OUT_38[2]]


@pytest.mark.parametrize("name", HELD_OUT_38)
def test_held_out_38_tasks_train(name):
    held_out_split.check_trains(name, held_out_split.PLATEAU_UPDATES.get(name, 20))


def test_held_out_38_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("held-out-38", HELD_OUT_38)


SETTERS = {
    "radial-velocity-orbits": ("sgd", 5, (850, 1250), 0.03),
    "hill-dose-response": ("rmsprop", 5, (1950, 2000), 0.03),
    "blade-chest-matchups": ("adam", 5, (1950, 2000), 0.01),
}


def test_each_fixed_candidate_sets_one_target_as_the_docstrings_say():
    # From the stored calibration: the candidate that sets each target reaches it on the seeds and at the updates the
    # docstring states, and the other two on none; the baseline reaches each.
    held_out_split.check_each_fixed_candidate_sets_one_target("held-out-38", SETTERS)
    # The docstrings state each target, its setter's updates to reach it, and the baseline's rate as stored.
    held_out_split.check_docstrings_state_the_setters(SETTERS)
