"""The held-out-37 split: it runs only when asked, apart from every other split; its tasks hold the data their
docstrings state (each drawn again here by hand, its references and its model computed in numpy and scipy); they train;
their targets and the baseline's rates were set from fixed optimizers only, so that the split stays blind; and the
stored calibration says what the docstrings say of it."""

import held_out_split
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate, special, stats

from benchmarks.suite import cli, tasks
from benchmarks.suite.tasks import held_out_37

HELD_OUT_37 = ["van-genuchten-retention", "rnn-duffing-oscillator", "joint-species-distribution"]


def test_the_held_out_37_split_runs_only_when_asked_and_is_disjoint_from_every_other(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_runs_only_when_asked(held_out_37, HELD_OUT_37, "held-out-36", 54, help_text)


def _retention(suction, residual, saturated, alpha, n):
    """Van Genuchten's water content at ``suction`` (cm), by the power as written: ``theta_r + (theta_s - theta_r) (1 +
    (alpha h)^n)^(1 / n - 1)``."""
    return residual + (saturated - residual) * (1 + (alpha * suction) ** n) ** (1 / n - 1)


def test_van_genuchten_retention_holds_the_data_its_docstring_states():
    task = tasks.van_genuchten_retention()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (2000, 2) and data["y_val"].shape == (400,)
    # The data by hand: 8 soils' parameters, 300 suctions each, log-uniform over 4.2 decades, shuffled; the water
    # contents with their noise; the first 400 for validation.
    rng = np.random.default_rng(0)
    residual, saturated = rng.uniform(0.02, 0.1, 8), rng.uniform(0.35, 0.5, 8)
    alpha, n = rng.uniform(0.005, 0.05, 8), 1 + rng.uniform(0.3, 1.5, 8)
    soil = np.repeat(np.arange(8), 300)
    suction = 10 ** rng.uniform(0, 4.2, 2400)
    order = rng.permutation(2400)
    soil, suction = soil[order], suction[order]
    clean = _retention(suction, residual[soil], saturated[soil], alpha[soil], n[soil])
    y = clean + rng.normal(0, 0.005, 2400)
    x = np.stack([soil, np.log(suction)], 1)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), x, rtol=1e-6)
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), y, rtol=1e-5, atol=1e-7)
    # The references on the validation measurements: no water, the validation mean, the start (the same on every
    # seed), the true curves.
    assert np.mean(data["y_val"] ** 2) == pytest.approx(REFERENCES["retention-zero"], abs=1e-5)
    assert np.var(data["y_val"]) == pytest.approx(REFERENCES["retention-mean"], abs=1e-5)
    for seed in (0, 3):
        start = {name: np.asarray(value) for name, value in task.init(jax.random.PRNGKey(seed)).items()}
        np.testing.assert_allclose(start["residual"], 0.05, rtol=1e-6)
        np.testing.assert_allclose(start["saturated"], 0.4, rtol=1e-6)
        np.testing.assert_allclose(np.exp(start["log_alpha"]), 0.02, rtol=1e-5)
        np.testing.assert_allclose(np.exp(start["log_n1"]), 0.5, rtol=1e-5)
    suction_val = np.exp(data["x_val"][:, 1])
    by_hand = np.mean((_retention(suction_val, 0.05, 0.4, 0.02, 1.5) - data["y_val"]) ** 2)
    assert held_out_split.metric_on(task, start) == pytest.approx(by_hand, rel=1e-4)
    assert by_hand == pytest.approx(REFERENCES["retention-start"], abs=1e-6)
    truth = np.mean((clean[:400] - data["y_val"]) ** 2)
    assert truth == pytest.approx(REFERENCES["retention-true"], abs=1e-7)
    true_params = {"residual": residual, "saturated": saturated, "log_alpha": np.log(alpha), "log_n1": np.log(n - 1)}
    assert held_out_split.metric_on(task, true_params) == pytest.approx(truth, rel=1e-3)
    # The model by hand on 8 measurements: any parameters.
    params = {
        "residual": rng.uniform(0, 0.15, 8),
        "saturated": rng.uniform(0.3, 0.55, 8),
        "log_alpha": np.log(rng.uniform(0.003, 0.08, 8)),
        "log_n1": np.log(rng.uniform(0.2, 2, 8)),
    }
    x, y = data["x_train"][:8], data["y_train"][:8]
    soil = x[:, 0].astype(int)
    predicted = _retention(
        np.exp(x[:, 1]),
        params["residual"][soil],
        params["saturated"][soil],
        np.exp(params["log_alpha"][soil]),
        1 + np.exp(params["log_n1"][soil]),
    )
    batch = (jnp.asarray(x, jnp.float32), jnp.asarray(y, jnp.float32))
    assert held_out_split.loss_on(task, params, batch) == pytest.approx(np.mean((predicted - y) ** 2), rel=1e-3)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _duffing_by_scipy(forces):
    """The Duffing oscillator's displacement at the end of each unit of time, from rest, each force held over its
    unit: scipy's adaptive Runge-Kutta, unit by unit, to a tight tolerance."""
    state, out = np.zeros(2), []
    for force in forces:

        def field(t, s, force=force):
            return [s[1], force - 2 * 0.4 * 0.5 * s[1] - 0.25 * s[0] - 0.3 * s[0] ** 3]

        state = integrate.solve_ivp(field, (0, 1), state, rtol=1e-9, atol=1e-11).y[:, -1]
        out.append(state[0])
    return np.array(out)


def _elman_by_hand(params, windows):
    """The Elman network, window by window and step by step, from a zero state; the read-out of the last state."""
    out = []
    for window in windows:
        h = np.zeros(params["bias"].shape)
        for force in window:
            h = np.tanh(h @ params["recurrent"] + force * params["input"] + params["bias"])
        out.append(h @ params["head"]["w"][:, 0] + params["head"]["b"][0])
    return np.array(out)


def test_rnn_duffing_oscillator_holds_the_data_its_docstring_states():
    task = tasks.rnn_duffing_oscillator()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (3354, 24) and data["y_val"].shape == (600,)
    # The data by hand: 4,000 forces, the displacements by scipy (the task's own Runge-Kutta steps of 0.1 agree to
    # about 1e-4), both standardized; every window of 24 forces, its target the displacement at its last plus noise;
    # the last 600 for validation, the training windows those whose targets come before the first validation window.
    rng = np.random.default_rng(0)
    forces = rng.normal(0, 1, 4000)
    displacement = _duffing_by_scipy(forces)
    forces = forces / forces.std()
    displacement = (displacement - displacement.mean()) / displacement.std()
    windows = np.array([forces[i : i + 24] for i in range(3977)])
    targets = displacement[23:] + rng.normal(0, 0.02, 3977)
    np.testing.assert_allclose(data["x_train"], windows[:3354], atol=1e-5)
    np.testing.assert_allclose(data["y_train"], targets[:3354], atol=1e-3)
    np.testing.assert_allclose(data["x_val"], windows[3377:], atol=1e-5)
    np.testing.assert_allclose(data["y_val"], targets[3377:], atol=1e-3)
    # The references on the validation windows: the zero forecast, the best linear one (least squares on the training
    # windows), the start from the key 0.
    assert np.mean(data["y_val"] ** 2) == pytest.approx(REFERENCES["duffing-zero"], abs=1e-4)
    design = np.column_stack([data["x_train"], np.ones(3354)])
    weights = np.linalg.lstsq(design, data["y_train"], rcond=None)[0]
    linear = np.column_stack([data["x_val"], np.ones(600)]) @ weights
    assert np.mean((linear - data["y_val"]) ** 2) == pytest.approx(REFERENCES["duffing-linear"], abs=1e-4)
    start = task.init(jax.random.PRNGKey(0))
    assert held_out_split.metric_on(task, start) == pytest.approx(REFERENCES["duffing-start"], abs=1e-4)
    recurrent = np.asarray(start["recurrent"])
    assert recurrent.shape == (16, 16) and np.allclose(recurrent @ recurrent.T, np.eye(16), atol=1e-5)
    # The model by hand on 4 windows: any weights.
    params = jax.tree.map(lambda leaf: rng.normal(0, 0.4, np.shape(leaf)), start)
    x, y = data["x_train"][:4], data["y_train"][:4]
    by_hand = np.mean((_elman_by_hand(params, x) - y) ** 2)
    batch = (jnp.asarray(x, jnp.float32), jnp.asarray(y, jnp.float32))
    assert held_out_split.loss_on(task, params, batch) == pytest.approx(by_hand, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _presence_nll(params, x, y):
    """The mean negative log-likelihood of presences ``y`` at records ``x`` (site, species, the site's covariates),
    record by record, with scipy's Bernoulli."""
    site, kind = x[:, 0].astype(int), x[:, 1].astype(int)
    logits = [
        params["intercepts"][j] + x[r, 2:] @ params["slopes"][j] + params["latent"][i] @ params["loadings"][j]
        for r, (i, j) in enumerate(zip(site, kind, strict=True))
    ]
    return -np.mean(stats.bernoulli.logpmf(y, special.expit(np.array(logits))))


def test_joint_species_distribution_holds_the_data_its_docstring_states():
    task = tasks.joint_species_distribution()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (10000, 4) and data["y_val"].shape == (2000,)
    # The data by hand: the sites' covariates and factors, the species' responses, each record drawn with its
    # probability; the 12,000 records shuffled, the first 2,000 for validation.
    rng = np.random.default_rng(0)
    environment, latent = rng.normal(0, 1, [300, 2]), rng.normal(0, 1, [300, 2])
    truth = {
        "intercepts": rng.normal(-0.5, 1, 40),
        "slopes": rng.normal(0, 0.7, [40, 2]),
        "loadings": rng.normal(0, 1.2, [40, 2]),
        "latent": latent,
    }
    probability = special.expit(truth["intercepts"] + environment @ truth["slopes"].T + latent @ truth["loadings"].T)
    present = rng.uniform(0, 1, [300, 40]) < probability
    order = rng.permutation(12000)
    site, kind = order // 40, order % 40
    x = np.column_stack([site, kind, environment[site]])
    y = present[site, kind]
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), x, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(np.concatenate([data["y_val"], data["y_train"]]), y)
    assert np.mean(y) == pytest.approx(REFERENCES["species-present"], abs=1e-4)
    # The references on the validation records: the start (the same on every seed), each species' share of presences
    # in the training records, the true model.
    for seed in (0, 3):
        start = {name: np.asarray(value, np.float64) for name, value in task.init(jax.random.PRNGKey(seed)).items()}
        assert not start["intercepts"].any() and not start["slopes"].any()
    again = np.random.default_rng(1)
    np.testing.assert_allclose(start["loadings"], again.normal(0, 0.1, [40, 2]), rtol=1e-6)
    np.testing.assert_allclose(start["latent"], again.normal(0, 0.1, [300, 2]), rtol=1e-6)
    by_hand = _presence_nll(start, data["x_val"], data["y_val"])
    assert held_out_split.metric_on(task, start) == pytest.approx(by_hand, rel=1e-5)
    assert by_hand == pytest.approx(REFERENCES["species-start"], abs=1e-4)
    train_kind, val_kind = data["x_train"][:, 1].astype(int), data["x_val"][:, 1].astype(int)
    share = np.array([data["y_train"][train_kind == j].mean() for j in range(40)])
    shares = -np.mean(stats.bernoulli.logpmf(data["y_val"], share[val_kind]))
    assert shares == pytest.approx(REFERENCES["species-shares"], abs=1e-4)
    true_nll = _presence_nll(truth, data["x_val"], data["y_val"])
    assert true_nll == pytest.approx(REFERENCES["species-true"], abs=1e-4)
    assert held_out_split.metric_on(task, truth) == pytest.approx(true_nll, rel=1e-5)
    # The model by hand on 8 records: any parameters.
    params = {
        "intercepts": rng.normal(0, 1, 40),
        "slopes": rng.normal(0, 1, [40, 2]),
        "loadings": rng.normal(0, 1, [40, 2]),
        "latent": rng.normal(0, 1, [300, 2]),
    }
    x, y = data["x_train"][:8], data["y_train"][:8]
    batch = (jnp.asarray(x, jnp.float32), jnp.asarray(y, jnp.float32))
    assert held_out_split.loss_on(task, params, batch) == pytest.approx(_presence_nll(params, x, y), rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


REFERENCES = {
    "retention-zero": 0.07565,
    "retention-mean": 0.02633,
    "retention-start": 0.004566,
    "retention-true": 2.52e-5,
    "duffing-zero": 1.0552,
    "duffing-linear": 0.1879,
    "duffing-start": 1.6621,
    "species-present": 0.4025,
    "species-start": 0.6933,
    "species-shares": 0.6396,
    "species-true": 0.4362,
}


def test_the_docstrings_state_the_references():
    docs = {name: " ".join(tasks.TASKS[name].__doc__.split()) for name in HELD_OUT_37}
    assert (
        "0.07565 for no water, 0.02633 for the validation mean, 0.004566 at the start, 2.52e-5 for the true curves"
        in docs[HELD_OUT_37[0]]
    )
    assert (
        "1.0552 for the zero forecast, 0.1879 for the best linear forecast from the window (least squares on the "
        "training windows), 1.6621 at the start from the key 0" in docs[HELD_OUT_37[1]]
    )
    assert "(40.25% of them)" in docs[HELD_OUT_37[2]]
    assert (
        "0.6933 at the start, 0.6396 for each species' share of presences in the training records, 0.4362 for the "
        "true model" in docs[HELD_OUT_37[2]]
    )


@pytest.mark.parametrize("name", HELD_OUT_37)
def test_held_out_37_tasks_train(name):
    held_out_split.check_trains(name, held_out_split.PLATEAU_UPDATES.get(name, 20))


def test_held_out_37_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("held-out-37", HELD_OUT_37)


SETTERS = {
    "van-genuchten-retention": ("rmsprop", 5, (1950, 2000), 0.01),
    "rnn-duffing-oscillator": ("sgd", 4, (950, 1200), 0.01),
    "joint-species-distribution": ("adam", 5, (2000, 2000), 0.01),
}


def test_each_fixed_candidate_sets_one_target_as_the_docstrings_say():
    # From the stored calibration: the candidate that sets each target reaches it on the seeds and at the updates the
    # docstring states, and the other two on none; the baseline reaches each.
    held_out_split.check_each_fixed_candidate_sets_one_target("held-out-37", SETTERS)
    # The docstrings state each target, its setter's updates to reach it, and the baseline's rate as stored; the
    # oscillator's setter reaches it on four seeds of five, which its docstring says in its own words.
    every_seed = {name: setter for name, setter in SETTERS.items() if setter[1] == 5}
    held_out_split.check_docstrings_state_the_setters(every_seed)
    doc = " ".join(tasks.rnn_duffing_oscillator.__doc__.split())
    assert "SGD with momentum at 1e-2 sets the target, 0.021084," in doc
    assert "on four seeds of five within 950 to 1,200 updates (median 1,150), not on seed 100" in doc
    assert "The baseline's tuned rate is 1e-2" in doc
