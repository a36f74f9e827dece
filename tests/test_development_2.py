"""The development-2 split: a development split (open to every design, not kept aside) that runs only when asked, apart
from every other split; its tasks hold the data their docstrings state (each drawn again here by hand, its references
and its loss computed in numpy); they train; their targets and the baseline's rates were set from fixed optimizers
only; and the stored runs show what the split was built for: SGD with momentum reaches every target first, while
Adam and RMSProp have the lower training loss early, and the recommended switch falls short."""

import json
import math
from pathlib import Path

import held_out_split
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from scipy import special

from benchmarks.suite import cli, harness, store, tasks
from benchmarks.suite.tasks import development_2

DEVELOPMENT_2 = ["nuisance-feature-regression", "fir-system-identification", "soft-label-logistic"]
RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "development-2"


def test_the_development_2_split_is_a_development_split_that_runs_only_when_asked(capsys):
    # Open to every design: a development split, not kept aside (so rate_noise and the like read it, and the standing
    # over the kept-aside splits does not count it).
    assert development_2.SPLIT == "development-2"
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_development_split(
        development_2, DEVELOPMENT_2, None, help_text, "development tasks too, open to every design"
    )
    assert "--split development-2 # development tasks where SGD gets there first, when asked" in cli.__doc__


def _linear_by_hand(params: dict, x: np.ndarray) -> np.ndarray:
    return x @ params["w"] + params["b"]


def _some_params(rng: np.random.Generator, features: int, size: float) -> dict:
    return {"w": rng.normal(0, size, features), "b": rng.normal(0, size)}


def _loss_on(task, params: dict, x: np.ndarray, y: np.ndarray) -> float:
    batch = (jnp.asarray(x, jnp.float32), jnp.asarray(y, jnp.float32))
    return float(jax.jit(task.loss)(jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), params), batch))


def _starts_at_zero(task, features: int):
    for seed in (0, 7):
        start = task.init(jax.random.PRNGKey(seed))
        assert np.all(np.asarray(start["w"]) == 0) and start["w"].shape == (features,) and float(start["b"]) == 0
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def test_nuisance_feature_regression_holds_the_data_its_docstring_states():
    task = tasks.nuisance_feature_regression()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (200, 8020) and data["x_val"].shape == (1000, 8020)
    # The data by hand, row by row: the rotation, each row's informative features (the rotation times the square roots
    # of the spectrum times standard normals), the true weights' signs, the labels' noise, then the nuisance features;
    # the first 1,000 rows for validation.
    rng = np.random.default_rng(0)
    spectrum = np.exp(np.linspace(np.log(0.03), np.log(10.0), 20))
    rotation = np.linalg.qr(rng.normal(size=[20, 20]))[0]
    standard = rng.normal(size=[1200, 20])
    informative = np.array([rotation @ (np.sqrt(spectrum) * z) for z in standard])
    weights = rotation @ (0.12 * rng.choice([-1.0, 1.0], 20))
    noise = rng.normal(0, 0.5, 1200)
    nuisance = 0.01 * rng.normal(size=[1200, 8000])
    x = np.concatenate([data["x_val"], data["x_train"]])
    np.testing.assert_allclose(x[:, :20], informative, atol=1e-5)
    np.testing.assert_allclose(x[:, 20:], nuisance, atol=1e-7)
    labels = informative @ weights + noise
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), labels, atol=1e-5)
    assert np.allclose(np.abs(rotation.T @ weights), 0.12) and np.allclose(rotation.T @ rotation, np.eye(20))
    # The references on the validation rows: the start (zero), the true weights (the noise), least squares on the
    # informative features alone and the least-norm fit of every feature, which interpolates the training rows.
    val, train = slice(0, 1000), slice(1000, 1200)
    assert np.mean(labels[val] ** 2) == pytest.approx(REFERENCES["nuisance-start"], abs=5e-5)
    assert np.mean(noise[val] ** 2) == pytest.approx(REFERENCES["nuisance-true"], abs=5e-5)
    with_bias = np.concatenate([informative, np.ones([1200, 1])], 1)
    alone = np.linalg.lstsq(with_bias[train], labels[train], rcond=None)[0]
    assert np.mean((with_bias[val] @ alone - labels[val]) ** 2) == pytest.approx(REFERENCES["nuisance-alone"], abs=5e-5)
    every = np.concatenate([x, np.ones([1200, 1])], 1)
    least_norm = np.linalg.pinv(every[train]) @ labels[train]
    assert np.max(np.abs(every[train] @ least_norm - labels[train])) < 1e-6
    assert np.mean((every[val] @ least_norm - labels[val]) ** 2) == pytest.approx(
        REFERENCES["nuisance-least-norm"], abs=5e-5
    )
    # The loss by hand: any weights, on 8 rows.
    params = _some_params(rng, 8020, 0.3)
    by_hand = np.mean((_linear_by_hand(params, x[:8]) - labels[:8]) ** 2)
    assert _loss_on(task, params, x[:8], labels[:8]) == pytest.approx(by_hand, rel=1e-4)
    _starts_at_zero(task, 8020)


def test_fir_system_identification_holds_the_data_its_docstring_states():
    task = tasks.fir_system_identification()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000, 128) and data["x_val"].shape == (1000, 128)
    # The data by hand: the AR(1) input of unit variance times 0.35, the taps, then the output's noise; the channel's
    # output is the input convolved with the taps, read at each window's newest value.
    rng = np.random.default_rng(0)
    fresh = rng.normal(size=1000 + 4000 + 256)
    signal = [fresh[0]]
    for value in fresh[1:]:
        signal.append(0.5 * signal[-1] + math.sqrt(0.75) * value)
    signal = 0.35 * np.array(signal)
    response = 0.04 * rng.normal(size=128) * np.exp(-np.arange(128) / 24)
    starts = np.concatenate([np.arange(1000), np.arange(1128, 5128)])  # 128 values between validation and training
    noise = rng.normal(0, 0.002, 5000)
    output = np.convolve(signal, response)[starts + 127] + noise
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), output, atol=1e-7)
    for row, start in [(0, 0), (999, 999), (1000, 1128), (4999, 5127)]:
        window = np.concatenate([data["x_val"], data["x_train"]])[row]
        np.testing.assert_allclose(window, signal[start : start + 128][::-1], atol=1e-6)
    assert starts[999] + 127 < starts[1000]  # no input value in a validation window and a training one
    # The references on the validation windows: the start (zero), the true taps (the noise), least squares on the
    # training windows; the training windows' covariance.
    x_val, x_train = data["x_val"], data["x_train"]
    assert np.mean(output[:1000] ** 2) == pytest.approx(REFERENCES["fir-start"], rel=1e-4)
    assert np.mean((x_val @ response - output[:1000]) ** 2) == pytest.approx(REFERENCES["fir-true"], rel=2e-3)
    with_bias = np.concatenate([x_train, np.ones([4000, 1])], 1)
    fitted = np.linalg.lstsq(with_bias, output[1000:], rcond=None)[0]
    least_squares = np.mean((x_val @ fitted[:-1] + fitted[-1] - output[:1000]) ** 2)
    assert least_squares == pytest.approx(REFERENCES["fir-least-squares"], rel=2e-3)
    eigenvalues = np.linalg.eigvalsh(x_train.T @ x_train / 4000)
    assert eigenvalues[0] == pytest.approx(0.029, abs=5e-4) and eigenvalues[-1] == pytest.approx(0.42, abs=5e-3)
    # The loss by hand: any taps, on 8 windows.
    params = _some_params(rng, 128, 0.05)
    by_hand = np.mean((_linear_by_hand(params, x_train[:8]) - output[1000:1008]) ** 2)
    assert _loss_on(task, params, x_train[:8], output[1000:1008]) == pytest.approx(by_hand, rel=1e-4)
    _starts_at_zero(task, 128)


def _kl_by_hand(logits: np.ndarray, probabilities: np.ndarray) -> float:
    """The mean KL divergence from Bernoulli(probabilities) to Bernoulli(sigmoid(logits)), term by term."""
    model = special.expit(logits)
    positive = probabilities * np.log(probabilities / model)
    negative = (1 - probabilities) * np.log((1 - probabilities) / (1 - model))
    return float(np.mean(positive + negative))


def test_soft_label_logistic_holds_the_data_its_docstring_states():
    task = tasks.soft_label_logistic()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000, 256) and data["x_val"].shape == (1000, 256)
    # The data by hand: the loadings, the factors, each feature's own noise, the true weights, then the logits' noise;
    # the first 1,000 rows for validation.
    rng = np.random.default_rng(0)
    loadings = rng.normal(0, 0.25, [16, 256])
    factors = rng.normal(size=[5000, 16])
    x = np.einsum("nk,kd->nd", factors, loadings) + rng.normal(0, 0.5, [5000, 256])
    weights = rng.normal(size=256)
    weights *= 0.3 / np.sqrt(np.mean((x @ weights) ** 2))
    logits = x @ weights + rng.normal(0, 0.01, 5000)
    probabilities = 1 / (1 + np.exp(-logits))
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), x, atol=1e-5)
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), probabilities, atol=1e-6)
    # The references on the validation rows: the start (zero weights), the true weights (the logits' noise), and the
    # training rows' optimum by Newton's method; the training features' covariance.
    val, train = slice(0, 1000), slice(1000, 5000)
    assert _kl_by_hand(np.zeros(1000), probabilities[val]) == pytest.approx(REFERENCES["soft-start"], rel=1e-4)
    assert _kl_by_hand(x[val] @ weights, probabilities[val]) == pytest.approx(REFERENCES["soft-true"], rel=2e-3)
    with_bias = np.concatenate([x, np.ones([5000, 1])], 1)
    optimum = np.zeros(257)
    for _ in range(20):
        model = special.expit(with_bias[train] @ optimum)
        gradient = with_bias[train].T @ (model - probabilities[train]) / 4000
        hessian = (with_bias[train] * (model * (1 - model))[:, None]).T @ with_bias[train] / 4000
        optimum -= np.linalg.solve(hessian, gradient)
    assert np.max(np.abs(gradient)) < 1e-10
    assert _kl_by_hand(with_bias[val] @ optimum, probabilities[val]) == pytest.approx(
        REFERENCES["soft-optimum"], rel=2e-3
    )
    eigenvalues = np.linalg.eigvalsh(x[train].T @ x[train] / 4000)
    assert eigenvalues[0] == pytest.approx(0.14, abs=5e-3) and eigenvalues[-1] == pytest.approx(24.7, abs=0.05)
    # The loss by hand: any weights, on 8 rows.
    params = _some_params(rng, 256, 0.3)
    by_hand = _kl_by_hand(_linear_by_hand(params, x[:8]), probabilities[:8])
    assert _loss_on(task, params, x[:8], probabilities[:8]) == pytest.approx(by_hand, rel=1e-4)
    _starts_at_zero(task, 256)


REFERENCES = {
    "nuisance-start": 0.8266,
    "nuisance-true": 0.2446,
    "nuisance-alone": 0.2531,
    "nuisance-least-norm": 0.2554,
    "fir-start": 0.0014910,
    "fir-true": 3.951e-6,
    "fir-least-squares": 4.064e-6,
    "soft-start": 0.010501,
    "soft-true": 1.2421e-5,
    "soft-optimum": 1.3351e-5,
}


@pytest.mark.parametrize("name", DEVELOPMENT_2)
def test_development_2_tasks_train(name):
    # As every kept-aside task is checked (held_out_split.check_trains), but at the suite's Adam rate, 1e-3: at 1e-2
    # each of Adam's steps is a sixth of the FIR channel's largest tap, and 20 of them raise its error.
    task = tasks.TASKS[name](quick=True)._replace(budget=20, eval_every=10)
    result = harness.run(task, optax.adam(1e-3), seed=0)
    assert result.steps == [0, 10, 20] and not result.diverged
    assert result.metric[-1] < result.metric[0]


def test_development_2_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    # The rule of every split: --calibrate ran adam, sgd and rmsprop alone, --tune-baseline adamw-cosine over its grid.
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("development-2", DEVELOPMENT_2)


@pytest.mark.parametrize("file", ["calibration.json", "time_to_target.json"])
def test_sgd_reaches_every_target_first_while_adam_and_rmsprop_fall_faster_early(file):
    # What the split is for, read from the stored runs: on the calibration seeds (100-104) and on seeds 0-4, SGD with
    # momentum sets each target and reaches it on at least 4 of 5 seeds, Adam and RMSProp on none; yet RMSProp has
    # the lower training loss after 100 updates (5% of the budget) and Adam after 200 (10%) on every seed.
    targets = json.loads((RESULTS.parents[1] / "targets.json").read_text())
    runs = held_out_split.runs_by(RESULTS / file)
    seeds = sorted({seed for _, _, seed in runs})
    assert seeds == ([100, 101, 102, 103, 104] if file == "calibration.json" else [0, 1, 2, 3, 4])
    for name in DEVELOPMENT_2:
        target = store.load_target(targets[name])
        assert target.best_fixed == "sgd" and list(target.seeds) == [100, 101, 102, 103, 104]
        reached = [held_out_split.steps_to_target(runs[name, "sgd", seed], target) for seed in seeds]
        assert sum(math.isfinite(steps) for steps in reached) >= 4, name
        for seed in seeds:
            for adaptive in ("adam", "rmsprop"):
                assert math.isinf(held_out_split.steps_to_target(runs[name, adaptive, seed], target)), (
                    name,
                    adaptive,
                    seed,
                )
            sgd = runs[name, "sgd", seed]
            assert held_out_split.train_loss_at(runs[name, "rmsprop", seed], 100) < held_out_split.train_loss_at(
                sgd, 100
            ), (name, seed)
            assert held_out_split.train_loss_at(runs[name, "adam", seed], 200) < held_out_split.train_loss_at(
                sgd, 200
            ), (name, seed)


def test_the_recommended_switch_falls_short_on_development_2():
    # The one run of race-multiples-undo on seeds 0-4 (benchmarks/README.md): it misses the nuisance features' target
    # on every seed (Adam runs most of the budget), reaches the FIR channel's on every seed 1.58x later than SGD by the
    # median, and the soft labels' on one seed of 5.
    targets = json.loads((RESULTS.parents[1] / "targets.json").read_text())
    runs = held_out_split.runs_by(RESULTS / "time_to_target.json")
    reached = {
        name: [
            held_out_split.steps_to_target(runs[name, "race-multiples-undo", seed], store.load_target(targets[name]))
            for seed in range(5)
        ]
        for name in DEVELOPMENT_2
    }
    assert all(math.isinf(steps) for steps in reached["nuisance-feature-regression"])
    assert all(
        max(
            runs["nuisance-feature-regression", "race-multiples-undo", seed].steps_per_candidate.items(),
            key=lambda kv: kv[1],
        )[0]
        == "adam"
        for seed in range(5)
    )
    sgd = [
        held_out_split.steps_to_target(
            runs["fir-system-identification", "sgd", seed], store.load_target(targets["fir-system-identification"])
        )
        for seed in range(5)
    ]
    assert np.median(reached["fir-system-identification"]) == 950 and np.median(sgd) == 600
    assert sum(math.isfinite(steps) for steps in reached["soft-label-logistic"]) == 1
