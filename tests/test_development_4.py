"""The development-4 split: a development split (open to every design, not kept aside) that runs only when asked, apart
from every other split; its tasks hold the data their docstrings state (each drawn again here by hand, its references
and its loss computed in numpy); they train; their targets and the baseline's rates were set from fixed optimizers
only; and the stored runs show what the split was built for: SGD with momentum reaches every target first, and SGD
alone has the lowest training loss at updates 100 and 250 on every seed, but by a narrow margin (5% to 50% below the
lower of Adam's and RMSProp's, not orders of magnitude as on development-3), and the recommended switch's race hands
the run to Adam or RMSProp on most of its runs there."""

import json
import math
from pathlib import Path

import held_out_split
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from benchmarks.diagnostics.family_picks import pick
from benchmarks.suite import cli, store, tasks
from benchmarks.suite.tasks import development_4

DEVELOPMENT_4 = ["rotated-gaussian-softmax", "linear-filter-bank", "bpr-factorization"]
RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "development-4"
TARGETS = RESULTS.parents[1] / "targets.json"


def test_the_development_4_split_is_a_development_split_that_runs_only_when_asked(capsys):
    assert development_4.SPLIT == "development-4"
    assert tasks.DEVELOPMENT_SPLITS[:4] == ("development", "development-2", "development-3", "development-4")
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    help_says = "the same, where SGD's early lead on the training loss is narrow"
    held_out_split.check_development_split(development_4, DEVELOPMENT_4, "range-localization", help_text, help_says)
    assert "--split development-4 # the same, where SGD's early lead on its loss is narrow" in cli.__doc__


def _cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    top = logits.max(1, keepdims=True)
    log_normalizer = top[:, 0] + np.log(np.sum(np.exp(logits - top), 1))
    return float(np.mean(log_normalizer - logits[np.arange(len(labels)), labels]))


def _target(name: str) -> float:
    return store.load_target(json.loads(TARGETS.read_text())[name]).value


def test_rotated_gaussian_softmax_holds_the_data_its_docstring_states():
    task = tasks.rotated_gaussian_softmax()
    rng = np.random.default_rng(0)
    means = np.array([[0.3 * rng.normal() for _ in range(32)] for _ in range(8)])
    labels = rng.integers(0, 8, 5000)
    scales = 0.3 * 10 ** (np.arange(32) / 31)  # log-spaced from 0.3 to 3
    q, r = np.linalg.qr(rng.normal(size=[32, 32]))
    rotation = q @ np.diag(np.sign(np.diag(r)))
    assert np.allclose(rotation.T @ rotation, np.eye(32))
    latent = means[labels] + rng.normal(size=[5000, 32])
    x = np.stack([rotation @ (scales * row) for row in latent])
    np.testing.assert_allclose(np.asarray(task.data["x_val"]), x[:1000], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(task.data["x_train"]), x[1000:], rtol=1e-5, atol=1e-5)
    assert np.array_equal(np.asarray(task.data["y_val"]), labels[:1000])
    assert np.array_equal(np.asarray(task.data["y_train"]), labels[1000:])
    start = task.init(jax.random.PRNGKey(2))
    assert np.all(np.asarray(start["w"]) == 0) and start["w"].shape == (32, 8) and np.all(np.asarray(start["b"]) == 0)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50
    # The Bayes classifier of the Gaussian classes (shared covariance R diag(s^2) R^T): its validation cross entropy
    # is below the target, which is below the start's ln 8.
    class_means = np.stack([rotation @ (scales * mean) for mean in means])
    precision = rotation @ np.diag(scales**-2) @ rotation.T
    bayes = {
        "w": (precision @ class_means.T).astype(np.float32),
        "b": (-0.5 * np.einsum("kd,de,ke->k", class_means, precision, class_means)).astype(np.float32),
    }
    for params in (jax.tree.map(np.asarray, start), bayes):
        by_hand = _cross_entropy(x[:1000] @ params["w"] + params["b"], labels[:1000])
        assert held_out_split.metric_on(task, params) == pytest.approx(by_hand, rel=1e-4)
        batch = (task.data["x_train"][:64], task.data["y_train"][:64])
        train = _cross_entropy(x[1000:1064] @ params["w"] + params["b"], labels[1000:1064])
        assert held_out_split.loss_on(task, params, batch) == pytest.approx(train, rel=1e-4)
    assert held_out_split.metric_on(task, start) == pytest.approx(math.log(8), rel=1e-6)
    bayes_metric = held_out_split.metric_on(task, bayes)
    assert 1.0 < bayes_metric < _target("rotated-gaussian-softmax") < math.log(8)


def test_linear_filter_bank_holds_the_data_its_docstring_states():
    task = tasks.linear_filter_bank()
    rng = np.random.default_rng(0)
    u = rng.normal(size=24200)
    raw = [0.0, 0.0]
    for t in range(2, 24200):
        raw.append(2 * 0.9 * math.cos(0.3) * raw[-1] - 0.81 * raw[-2] + 0.3 * (u[t] - 0.5 * u[t - 1]))
    y = np.array(raw)
    y = 0.2 * (y / y[200:].std() + 0.1 * rng.normal(size=24200))
    u, y = u[200:], y[200:]
    np.testing.assert_allclose(np.asarray(task.data["u_val"]), u[:4000], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(task.data["u_train"]), u[4000:], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(task.data["y_val"]), y[:4000], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(task.data["y_train"]), y[4000:], rtol=1e-5, atol=1e-6)
    assert np.std(y) == pytest.approx(0.2, rel=0.02)
    start = task.init(jax.random.PRNGKey(4))
    np.testing.assert_allclose(np.asarray(start["decay"]), [-1.0, -0.2, 0.6, 1.4, 2.2, 3.0], atol=1e-6)
    assert np.all(np.asarray(start["c"]) == 0) and float(start["d"]) == 0
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50

    def by_hand(params, inputs, outputs):
        # Each mode's state by its recurrence h_t = a h_{t-1} + u_t over the window, from rest.
        decay = 1 / (1 + np.exp(-np.asarray(params["decay"], np.float64)))
        states = np.zeros([len(inputs), len(decay)])
        for column in range(inputs.shape[1]):
            states = decay * states + inputs[:, column : column + 1]
        forecast = states @ np.asarray(params["c"], np.float64) + float(params["d"]) * inputs[:, -1]
        return float(np.mean((forecast - outputs) ** 2))

    val_windows = np.stack([u[k : k + 48] for k in range(4000 - 47)])
    assert len(val_windows) == 3953
    some = {"decay": np.linspace(-1.0, 3.0, 6), "c": np.array([0.1, -0.2, 0.05, 0.3, -0.1, 0.02]), "d": 0.05}
    for params in (jax.tree.map(np.asarray, start), some):
        params = jax.tree.map(lambda value: np.asarray(value, np.float32), params)
        assert held_out_split.metric_on(task, params) == pytest.approx(
            by_hand(params, val_windows, y[47:4000]), rel=1e-4
        )
        train_windows = np.stack([u[4000 + k : 4000 + k + 48] for k in range(64)])
        batch = (jnp.asarray(train_windows, jnp.float32), jnp.asarray(y[4047 : 4047 + 64], jnp.float32))
        expected = by_hand(params, train_windows, y[4047:4111])
        assert held_out_split.loss_on(task, params, batch) == pytest.approx(expected, rel=1e-4)
    # References: zero's error is the output's variance; a least-squares filter of all 48 taps (and a bias), fitted on
    # the training windows, reaches the noise's 0.02^2 on the validation windows, far below the target.
    zero = held_out_split.metric_on(task, start)
    assert zero == pytest.approx(np.mean(y[47:4000] ** 2), rel=1e-4) and zero == pytest.approx(0.0408, rel=0.01)
    train_windows = np.stack([u[4000 + k : 4000 + k + 48] for k in range(20000 - 47)])
    design = np.c_[train_windows, np.ones(len(train_windows))]
    taps = np.linalg.lstsq(design, y[4047:], rcond=None)[0]
    least_squares = np.mean((np.c_[val_windows, np.ones(len(val_windows))] @ taps - y[47:4000]) ** 2)
    assert least_squares == pytest.approx(0.02**2, rel=0.1)
    assert least_squares < _target("linear-filter-bank") < zero


def test_bpr_factorization_holds_the_data_its_docstring_states():
    task = tasks.bpr_factorization()
    rng = np.random.default_rng(0)
    user_factors = rng.normal(size=[80, 3])
    item_factors = rng.normal(size=[60, 3])
    user, first, second = rng.integers(0, 80, 25000), rng.integers(0, 60, 25000), rng.integers(0, 60, 25000)
    draws = rng.random(25000)
    triples = []
    for who, one, other, draw in zip(user, first, second, draws, strict=True):
        difference = user_factors[who] @ (item_factors[one] - item_factors[other])
        prefer = draw < 1 / (1 + math.exp(-difference))
        triples.append((who, one, other) if prefer else (who, other, one))
    triples = np.array(triples)
    assert np.array_equal(np.asarray(task.data["x_val"]), triples[:5000])
    assert np.array_equal(np.asarray(task.data["x_train"]), triples[5000:])
    start = task.init(jax.random.PRNGKey(6))
    assert start["users"].shape == (80, 8) and start["items"].shape == (60, 8)
    assert np.std(np.asarray(start["users"])) == pytest.approx(0.5, rel=0.1)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50

    def log_loss(params, rows):
        margin = np.sum(params["users"][rows[:, 0]] * (params["items"][rows[:, 1]] - params["items"][rows[:, 2]]), 1)
        return float(np.mean(np.logaddexp(0, -margin)))

    # The true factors, padded to 8 columns with zeros, are a model of the task's form.
    truth = {"users": np.pad(user_factors, [(0, 0), (0, 5)]), "items": np.pad(item_factors, [(0, 0), (0, 5)])}
    truth = jax.tree.map(lambda value: value.astype(np.float32), truth)
    for params in (jax.tree.map(np.asarray, start), truth):
        params64 = jax.tree.map(lambda value: np.asarray(value, np.float64), params)
        assert held_out_split.metric_on(task, params) == pytest.approx(log_loss(params64, triples[:5000]), rel=1e-4)
        norms = np.mean(np.sum(params64["users"] ** 2, 1)) + np.mean(np.sum(params64["items"] ** 2, 1))
        train = 20 * log_loss(params64, triples[5000:5064]) + 0.0005 * norms
        batch = (task.data["x_train"][:64], task.data["y_train"][:64])
        assert held_out_split.loss_on(task, params, batch) == pytest.approx(train, rel=1e-4)
    # The true model's validation loss is below the target, which is below equal scores' ln 2.
    true_metric = held_out_split.metric_on(task, truth)
    assert 0.40 < true_metric < _target("bpr-factorization") < math.log(2)


@pytest.mark.parametrize("name", DEVELOPMENT_4)
def test_development_4_tasks_train(name):
    held_out_split.check_trains(name)


def test_development_4_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("development-4", DEVELOPMENT_4)


@pytest.mark.parametrize("file", ["calibration.json", "time_to_target.json"])
def test_sgd_reaches_every_target_first_and_leads_on_its_training_loss_early_by_a_narrow_margin(file):
    # What the split is for, read from the stored runs: on the calibration seeds (100-104) and on seeds 0-4, SGD with
    # momentum sets each target and reaches it on every seed, Adam and RMSProp on none; and SGD's training loss after
    # 100 and after 250 updates is the lowest of the three on every seed, but only 5% to 50% below the lower of Adam's
    # and RMSProp's (development-3's margins are orders of magnitude).
    targets = json.loads(TARGETS.read_text())
    runs = held_out_split.runs_by(RESULTS / file)
    seeds = sorted({seed for _, _, seed in runs})
    assert seeds == ([100, 101, 102, 103, 104] if file == "calibration.json" else [0, 1, 2, 3, 4])
    for name in DEVELOPMENT_4:
        target = store.load_target(targets[name])
        assert target.best_fixed == "sgd" and list(target.seeds) == [100, 101, 102, 103, 104]
        for seed in seeds:
            assert math.isfinite(held_out_split.steps_to_target(runs[name, "sgd", seed], target)), (name, seed)
            for adaptive in ("adam", "rmsprop"):
                assert math.isinf(held_out_split.steps_to_target(runs[name, adaptive, seed], target)), (
                    name,
                    adaptive,
                    seed,
                )
            for step in (100, 250):
                sgd = held_out_split.train_loss_at(runs[name, "sgd", seed], step)
                adaptive = min(
                    held_out_split.train_loss_at(runs[name, other, seed], step) for other in ("adam", "rmsprop")
                )
                assert 0.5 * adaptive < sgd < 0.95 * adaptive, (name, seed, step, sgd, adaptive)


def test_what_the_recommended_switch_did_on_development_4():
    # The one run of race-multiples-undo on seeds 0-4: though SGD gets to every target first and leads on the training
    # loss from update 50, the race hands most of the run to Adam or RMSProp on 8 of the 15 runs (2, 4 and 2 of 5
    # seeds); it reaches the Gaussian classes' target on 5 of 5 seeds, the filter bank's and the ranking's on 3 of 5
    # (SGD 5 of 5 on each), at medians of 1,000, 1,050 and 1,050 updates against SGD's 1,200, 1,550 and 750; every
    # miss is a run it handed to Adam or RMSProp.
    targets = json.loads(TARGETS.read_text())
    runs = held_out_split.runs_by(RESULTS / "time_to_target.json")
    expected = {
        "rotated-gaussian-softmax": (5, 1000, 1200, 2),
        "linear-filter-bank": (3, 1050, 1550, 4),
        "bpr-factorization": (3, 1050, 750, 2),
    }
    away = 0
    for name, (switch_reached, switch_median, sgd_median, not_sgd) in expected.items():
        target = store.load_target(targets[name])
        switch = [held_out_split.steps_to_target(runs[name, "race-multiples-undo", seed], target) for seed in range(5)]
        sgd = [held_out_split.steps_to_target(runs[name, "sgd", seed], target) for seed in range(5)]
        assert sum(map(math.isfinite, switch)) == switch_reached and np.median(switch) == switch_median, name
        assert all(map(math.isfinite, sgd)) and np.median(sgd) == sgd_median, name
        picks = [pick(runs[name, "race-multiples-undo", seed].steps_per_candidate) for seed in range(5)]
        assert sum(family != "sgd" for family in picks) == not_sgd, (name, picks)
        assert all(picks[seed] != "sgd" for seed in range(5) if math.isinf(switch[seed])), (name, picks, switch)
        away += not_sgd
    assert away == 8
