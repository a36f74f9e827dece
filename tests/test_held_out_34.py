"""The held-out-34 split: it runs only when asked, apart from every other split; its tasks hold the data their
docstrings state (each drawn again here by hand, its references and its model computed in numpy and scipy); they train;
their targets and the baseline's rates were set from fixed optimizers only, so that the split stays blind; and the
operator network compiles for a small share of its seconds to target."""

import json

import held_out_split
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate, special
from scipy.spatial.transform import Rotation

from benchmarks.suite import cli, goals, store, tasks
from benchmarks.suite.tasks import held_out_34

HELD_OUT_34 = ["deeponet-ode-operator", "bundle-adjustment", "poisson-factorization"]


def test_the_held_out_34_split_runs_only_when_asked_and_is_disjoint_from_every_other(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_runs_only_when_asked(held_out_34, HELD_OUT_34, "held-out-33", 51, help_text)


def _solve(forcing, grid):
    """The solution of ``s' = u - s^3``, ``s(0) = 0``, at ``grid``, ``u`` linear between the sensors, by scipy's
    adaptive Runge-Kutta at tight tolerances."""
    rhs = lambda x, s: np.interp(x, grid, forcing) - s**3
    return integrate.solve_ivp(rhs, (0, 1), [0.0], t_eval=grid, rtol=1e-10, atol=1e-12, max_step=1 / 63).y[0]


def test_deeponet_ode_operator_holds_the_data_its_docstring_states():
    task = tasks.deeponet_ode_operator()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000, 64) and data["y_val"].shape == (500, 64)
    # The data by hand: the forcings, draws of the Gaussian process on the 64 sensors, and their solutions, 8 of them
    # by scipy's adaptive solver; the first 500 for validation.
    rng = np.random.default_rng(0)
    grid = np.linspace(0, 1, 64)
    kernel = np.exp(-(np.subtract.outer(grid, grid) ** 2) / 0.08) + 1e-6 * np.eye(64)
    forcings = rng.normal(0, 1, [4500, 64]) @ np.linalg.cholesky(kernel).T
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), forcings, rtol=1e-5, atol=1e-6)
    for k in (0, 1, 2, 3, 600, 1800, 3000, 4499):
        solution = np.concatenate([data["y_val"], data["y_train"]])[k]
        np.testing.assert_allclose(solution, _solve(forcings[k], grid), atol=2e-6)
    # The references on the validation forcings: every solution 0, and the start on seed 0.
    assert np.mean(data["y_val"] ** 2) == pytest.approx(REFERENCES["deeponet-zero"], abs=1e-4)
    start = task.init(jax.random.PRNGKey(0))
    assert not np.asarray(start["bias"]) and not any(np.asarray(layer["b"]).any() for layer in start["branch"])
    assert [layer["w"].shape for layer in start["branch"]] == [(64, 512), (512, 512), (512, 512), (512, 128)]
    assert [layer["w"].shape for layer in start["trunk"]] == [(1, 128), (128, 128), (128, 128)]
    assert held_out_split.metric_on(task, start) == pytest.approx(REFERENCES["deeponet-start"], abs=1e-4)
    # The model by hand on 8 forcings: any weights, the branch's coefficients times the trunk's basis, averaged.
    params = jax.tree.map(lambda a: rng.normal(0, 0.2, np.shape(a)), start)

    def mlp(layers, x):
        for layer in layers[:-1]:
            x = np.tanh(x @ layer["w"] + layer["b"])
        return x @ layers[-1]["w"] + layers[-1]["b"]

    predicted = mlp(params["branch"], forcings[:8]) @ mlp(params["trunk"], grid[:, None]).T / 128 + params["bias"]
    by_hand = np.mean((predicted - np.concatenate([data["y_val"], data["y_train"]])[:8]) ** 2)
    batch = (jnp.asarray(forcings[:8], jnp.float32), jnp.asarray(data["y_val"][:8], jnp.float32))
    assert held_out_split.loss_on(task, params, batch) == pytest.approx(by_hand, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _reprojection(points, angles, shifts, pairs, observed):
    """The mean over observations of the squared distance between each seen point and its projection, one
    observation at a time, each camera's rotation from scipy (extrinsic x, y, z: ``Rz Ry Rx``)."""
    total = 0.0
    for (camera, point), seen in zip(pairs, observed, strict=True):
        p = Rotation.from_euler("xyz", angles[camera]).apply(points[point]) + shifts[camera]
        total += np.sum((p[:2] / p[2] - seen) ** 2)
    return total / len(pairs)


def test_bundle_adjustment_holds_the_data_its_docstring_states():
    task = tasks.bundle_adjustment()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    assert data["x_train"].shape == (1600, 2) and data["y_val"].shape == (400, 2)
    # The data by hand: the points, the 9 cameras' angles and shifts, each camera's image of each point with its
    # noise, the observations shuffled and the first 400 for validation.
    rng = np.random.default_rng(0)
    xyz = np.concatenate([rng.uniform(-1, 1, [200, 2]), rng.uniform(4, 6, [200, 1])], 1)
    angles = np.concatenate([np.zeros([1, 3]), rng.normal(0, 0.15, [9, 3])])
    shifts = np.concatenate([np.zeros([1, 3]), rng.normal(0, 0.5, [9, 3])])
    image = np.zeros([10, 200, 2])
    for camera in range(10):
        p = Rotation.from_euler("xyz", angles[camera]).apply(xyz) + shifts[camera]
        image[camera] = p[:, :2] / p[:, 2:]
    image += rng.normal(0, 0.002, [10, 200, 2])
    pairs = np.array([[camera, point] for camera in range(10) for point in range(200)])
    order = rng.permutation(2000)
    np.testing.assert_array_equal(np.concatenate([data["x_val"], data["x_train"]]), pairs[order])
    observed = image.reshape(-1, 2)[order]
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), observed, rtol=1e-5, atol=1e-7)
    # The start, the same on every seed: each point on the first camera's ray through its observation, at depth 5;
    # the other cameras at the identity.
    for seed in (0, 3):
        start = task.init(jax.random.PRNGKey(seed))
        assert not np.asarray(start["angles"]).any() and not np.asarray(start["shifts"]).any()
        np.testing.assert_allclose(np.asarray(start["points"]), np.c_[5 * image[0], np.full(200, 5.0)], rtol=1e-6)
    # The references on the validation observations: the start's, the true points' and poses'.
    start = {name: np.asarray(value, np.float64) for name, value in task.init(jax.random.PRNGKey(3)).items()}
    start_angles, start_shifts = np.r_[np.zeros([1, 3]), start["angles"]], np.r_[np.zeros([1, 3]), start["shifts"]]
    by_hand = _reprojection(start["points"], start_angles, start_shifts, pairs[order[:400]], observed[:400])
    assert held_out_split.metric_on(task, start) == pytest.approx(by_hand, rel=1e-4)
    assert by_hand == pytest.approx(REFERENCES["bundle-start"], abs=1e-4)
    truth = _reprojection(xyz, angles, shifts, pairs[order[:400]], observed[:400])
    assert truth == pytest.approx(REFERENCES["bundle-true"], abs=1e-7)
    # The model by hand on 8 observations: any points and poses.
    params = {"points": xyz + rng.normal(0, 0.3, [200, 3]), "angles": rng.normal(0, 0.3, [9, 3])}
    params["shifts"] = rng.normal(0, 0.5, [9, 3])
    by_hand = _reprojection(
        params["points"],
        np.r_[np.zeros([1, 3]), params["angles"]],
        np.r_[np.zeros([1, 3]), params["shifts"]],
        pairs[order[400:408]],
        observed[400:408],
    )
    batch = (jnp.asarray(data["x_train"][:8], jnp.int32), jnp.asarray(data["y_train"][:8], jnp.float32))
    assert held_out_split.loss_on(task, params, batch) == pytest.approx(by_hand, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _half_deviance(mean, counts):
    """The mean over entries of half the Poisson deviance, ``mu - y + y log(y / mu)``."""
    return np.mean(mean - counts + special.xlogy(counts, counts) - counts * np.log(mean))


def test_poisson_factorization_holds_the_data_its_docstring_states():
    task = tasks.poisson_factorization()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000, 2) and data["y_val"].shape == (800,)
    # The data by hand: the factors, the counts, every entry once, shuffled, the first 800 for validation.
    rng = np.random.default_rng(0)
    rows, columns = rng.gamma(1.0, 1.0, [80, 4]), rng.gamma(1.0, 1.0, [4, 60])
    mean = rows @ columns
    counts = rng.poisson(mean)
    order = rng.permutation(4800)
    entries = np.array([[i, j] for i in range(80) for j in range(60)])[order]
    np.testing.assert_array_equal(np.concatenate([data["x_val"], data["x_train"]]), entries)
    np.testing.assert_array_equal(np.concatenate([data["y_val"], data["y_train"]]), counts.ravel()[order])
    assert counts.mean() == pytest.approx(REFERENCES["poisson-mean-count"], abs=1e-3)
    # The references on the validation entries: the start on seed 0, the training entries' mean count alone, the
    # true means.
    val_rows, val_columns, val_counts = entries[:800, 0], entries[:800, 1], data["y_val"].astype(np.float64)
    start = {name: np.asarray(value, np.float64) for name, value in task.init(jax.random.PRNGKey(0)).items()}
    start_mean = np.mean(np.exp(start["rows"][val_rows] + start["columns"].T[val_columns]), 1)
    assert held_out_split.metric_on(task, start) == pytest.approx(_half_deviance(start_mean, val_counts), rel=1e-5)
    assert _half_deviance(start_mean, val_counts) == pytest.approx(REFERENCES["poisson-start"], abs=1e-4)
    constant = np.full(800, data["y_train"].mean())
    assert _half_deviance(constant, val_counts) == pytest.approx(REFERENCES["poisson-constant"], abs=1e-4)
    true_mean = mean[val_rows, val_columns]
    assert _half_deviance(true_mean, val_counts) == pytest.approx(REFERENCES["poisson-true"], abs=1e-4)
    # The model by hand on 8 entries: any log-factors, each entry's mean the mean over the rank of the products.
    params = {"rows": rng.normal(0, 1, [80, 4]), "columns": rng.normal(0, 1, [4, 60])}
    first = entries[800:808]
    by_hand = [np.mean(np.exp(params["rows"][i] + params["columns"][:, j])) for i, j in first]
    batch = (jnp.asarray(first, jnp.int32), jnp.asarray(data["y_train"][:8], jnp.float32))
    expected = _half_deviance(np.array(by_hand), data["y_train"][:8].astype(np.float64))
    assert held_out_split.loss_on(task, params, batch) == pytest.approx(expected, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


REFERENCES = {
    "deeponet-zero": 0.1449,
    "deeponet-start": 0.1463,
    "bundle-start": 0.07615,
    "bundle-true": 7.37e-6,
    "poisson-mean-count": 4.529,
    "poisson-start": 5.4859,
    "poisson-constant": 1.8507,
    "poisson-true": 0.5211,
}


@pytest.mark.parametrize("name", HELD_OUT_34)
def test_held_out_34_tasks_train(name):
    held_out_split.check_trains(name, held_out_split.PLATEAU_UPDATES.get(name, 20))


def test_held_out_34_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("held-out-34", HELD_OUT_34)


def test_each_fixed_candidate_sets_one_target_as_the_docstrings_say():
    # From the stored calibration: the candidate that sets each target reaches it on the seeds and at the updates the
    # docstring states, and the other two on none; the baseline reaches each.
    held_out_split.check_each_fixed_candidate_sets_one_target(
        "held-out-34",
        {
            "deeponet-ode-operator": ("adam", 5, (1750, 1950), 0.003),
            "bundle-adjustment": ("rmsprop", 5, (1600, 2000), 0.03),
            "poisson-factorization": ("sgd", 5, (1550, 1850), 0.03),
        },
    )


def test_the_operator_network_is_heavy_enough_that_compiling_is_a_small_share_of_its_seconds_to_target():
    # From the stored calibration: Adam's median compile over its median seconds to target is under the share below
    # which the time goal by seconds counts a task; the other two tasks' are not.
    runs = held_out_split.runs_by(held_out_split.ROOT / "benchmarks/results/held-out-34/calibration.json")
    targets = json.loads((held_out_split.ROOT / "benchmarks/targets.json").read_text())
    shares = {}
    for name in HELD_OUT_34:
        target = store.load_target(targets[name])
        best = [runs[name, target.best_fixed, seed] for seed in range(cli.CALIBRATION_SEED, cli.CALIBRATION_SEED + 5)]
        seconds = [run.seconds[run.steps.index(held_out_split.steps_to_target(run, target))] for run in best]
        shares[name] = np.median([run.compile_seconds for run in best]) / np.median(seconds)
    assert shares["deeponet-ode-operator"] < goals.COMPILE_SHARE / 2
    assert shares["bundle-adjustment"] > 0.5 and shares["poisson-factorization"] > 0.5
