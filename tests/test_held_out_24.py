"""The held-out-24 split: it runs only when asked, apart from every other split; its tasks hold the data their
docstrings state (each drawn again here by hand, its references and its model computed in numpy); they train; and
their targets and the baseline's rates were set from fixed optimizers only, so that the split stays blind."""

import itertools
import math

import held_out_split
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import optimize, special

from benchmarks.suite import cli, tasks
from benchmarks.suite.tasks import held_out_24

HELD_OUT_24 = ["kan-rbf-regression", "soft-tree-classifier", "crf-tagging"]


def test_the_held_out_24_split_runs_only_when_asked_and_is_disjoint_from_every_other(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_runs_only_when_asked(held_out_24, HELD_OUT_24, "held-out-23", 40, help_text)


def _kan_edge_sums(layer, x):
    """A Kolmogorov-Arnold layer by hand, edge by edge: output j sums, over the inputs i, 9 Gaussian bumps of width
    0.5 at -2, -1.5, ..., 2 of x_i weighted by the edge's coefficients, plus the edge's weight times SiLU(x_i)."""
    centres = np.linspace(-2, 2, 9)
    out = np.tile(layer["b"], (len(x), 1))
    for i, j in itertools.product(range(x.shape[1]), range(layer["b"].shape[0])):
        bumps = np.exp(-(((x[:, i, None] - centres) / 0.5) ** 2))
        out[:, j] += bumps @ layer["spline"][i, :, j] + layer["base"][i, j] * x[:, i] / (1 + np.exp(-x[:, i]))
    return out


def _least_squares_mse(train_x, train_y, val_x, val_y):
    design = np.concatenate([train_x, np.ones([len(train_x), 1])], 1)
    weights = np.linalg.lstsq(design, train_y, rcond=None)[0]
    return np.mean((np.concatenate([val_x, np.ones([len(val_x), 1])], 1) @ weights - val_y) ** 2)


def test_kan_rbf_regression_holds_the_data_its_docstring_states():
    task = tasks.kan_rbf_regression()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    assert data["x_train"].shape == (2000, 4) and data["y_train"].shape == (2000, 1)
    assert data["x_val"].shape == (1000, 4) and data["y_val"].shape == (1000, 1)
    # The data by hand: inputs uniform in [-1, 1]^4, the target exp((sin(pi r01^2) + sin(pi r23^2)) / 2) with r01^2 =
    # x0^2 + x1^2 and r23^2 = x2^2 + x3^2, plus N(0, 0.05^2); the first 1,000 for validation.
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, [3000, 4])
    clean = np.exp((np.sin(np.pi * (x[:, 0] ** 2 + x[:, 1] ** 2)) + np.sin(np.pi * (x[:, 2] ** 2 + x[:, 3] ** 2))) / 2)
    y = clean + 0.05 * rng.normal(size=3000)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), x, atol=1e-6)
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]])[:, 0], y, atol=1e-5)
    assert 1 / math.e <= clean.min() and clean.max() <= math.e
    # The references on the validation points: the training mean, least-squares fits (linear; each input and its
    # square) and the true function (the noise's variance).
    (x_val, y_val), (x_train, y_train) = (x[:1000], y[:1000]), (x[1000:], y[1000:])
    assert np.mean((y_train.mean() - y_val) ** 2) == pytest.approx(0.341, abs=5e-4)
    assert _least_squares_mse(x_train, y_train, x_val, y_val) == pytest.approx(0.345, abs=5e-4)
    squares = _least_squares_mse(np.c_[x_train, x_train**2], y_train, np.c_[x_val, x_val**2], y_val)
    assert squares == pytest.approx(0.212, abs=5e-4)
    assert np.mean((clean[:1000] - y_val) ** 2) == pytest.approx(0.0023, abs=5e-5)
    # The model by hand: a layer 4-8 and a layer 8-1 of edges, the hidden sums fed straight to the next bumps.
    params = [
        {"spline": rng.normal(size=[a, 9, b]) / 4, "base": rng.normal(size=[a, b]), "b": rng.normal(size=b) / 4}
        for a, b in [(4, 8), (8, 1)]
    ]
    by_hand = np.mean((_kan_edge_sums(params[1], _kan_edge_sums(params[0], x_val[:16])) - y_val[:16, None]) ** 2)
    batch = (jnp.asarray(x_val[:16], jnp.float32), jnp.asarray(y_val[:16, None], jnp.float32))
    assert float(jax.jit(task.loss)(jax.tree.map(np.float32, params), batch)) == pytest.approx(by_hand, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _tree_class(point):
    """The hidden tree's class of one point, cut by cut."""
    if point[0] < 0.1:
        if point[1] < -0.3:
            return 0 if point[2] < 0.2 else 1
        return 2 if point[3] < 0.4 else 0
    if point[2] < -0.4:
        return 1 if point[3] < -0.1 else 2
    return 1 if point[1] < 0.5 else 0


def _soft_tree_chances(params, point, node=0, depth=4):
    """The soft tree's chances of the classes for one point, by recursion down both branches of each node."""
    if depth == 0:
        leaf = node - 15
        return np.exp(params["leaves"][leaf]) / np.exp(params["leaves"][leaf]).sum()
    left = 1 / (1 + np.exp(-(point @ params["w"][:, node] + params["b"][node])))
    return left * _soft_tree_chances(params, point, 2 * node + 1, depth - 1) + (1 - left) * _soft_tree_chances(
        params, point, 2 * node + 2, depth - 1
    )


def test_soft_tree_classifier_holds_the_data_its_docstring_states():
    task = tasks.soft_tree_classifier()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000, 6) and data["x_val"].shape == (1000, 6)
    assert data["y_train"].dtype == np.int32
    # The data by hand: points uniform in [-1, 1]^6, the hidden tree's class, each label redrawn uniformly with
    # probability 0.2; the first 1,000 for validation.
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, [5000, 6])
    tree = np.array([_tree_class(point) for point in x])
    redraw, uniform = rng.random(5000) < 0.2, rng.integers(0, 3, 5000)
    labels = np.where(redraw, uniform, tree)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), x, atol=1e-6)
    np.testing.assert_array_equal(np.concatenate([data["y_val"], data["y_train"]]), labels)
    np.testing.assert_allclose(np.bincount(tree) / 5000, [0.29, 0.38, 0.32], atol=0.005)
    # The references on the validation points: uniform chances, the training labels' frequencies, a multinomial
    # logistic regression on the training points, and the hidden tree with the redrawing.
    (x_val, y_val), (x_train, y_train) = (x[:1000], labels[:1000]), (x[1000:], labels[1000:])
    frequencies = np.bincount(y_train, minlength=3) / 4000
    assert -np.mean(np.log(frequencies[y_val])) == pytest.approx(1.095, abs=5e-4)

    def logistic_loss(flat, points, classes):
        logits = np.c_[points, np.ones(len(points))] @ flat.reshape(7, 3)
        return -np.mean(logits[np.arange(len(classes)), classes] - special.logsumexp(logits, 1))

    fit = optimize.minimize(logistic_loss, np.zeros(21), args=(x_train, y_train), method="BFGS")
    assert logistic_loss(fit.x, x_val, y_val) == pytest.approx(0.876, abs=5e-4)
    agree = y_val == tree[:1000]
    assert np.mean(agree) == pytest.approx(0.846)
    assert -np.mean(np.log(np.where(agree, 0.8 + 0.2 / 3, 0.2 / 3))) == pytest.approx(0.538, abs=5e-4)
    # The model by hand: a soft tree of depth 4 (15 splits, 16 leaves), its mixture's cross entropy.
    params = {"w": rng.normal(size=[6, 15]), "b": rng.normal(size=15) / 2, "leaves": rng.normal(size=[16, 3])}
    chances = np.array([_soft_tree_chances(params, point) for point in x_val[:16]])
    np.testing.assert_allclose(chances.sum(1), 1)
    by_hand = -np.mean(np.log(chances[np.arange(16), y_val[:16]]))
    batch = (jnp.asarray(x_val[:16], jnp.float32), jnp.asarray(y_val[:16], jnp.int32))
    assert float(jax.jit(task.loss)(jax.tree.map(np.float32, params), batch)) == pytest.approx(by_hand, rel=1e-4)
    assert np.log(3) == pytest.approx(1.099, abs=5e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _true_conditional_nll(x, tags, transition, means):
    """The nats a tag of the true tags under the model that drew them: log p(x, tags) less log p(x), p(x) by the
    forward algorithm in probabilities, rescaled at each step."""
    likelihood = np.exp(-((x[:, :, None, :] - means) ** 2).sum(-1) / (2 * 1.5**2))  # up to a factor the same for all
    forward = np.full([len(x), 5], 0.2) * likelihood[:, 0]
    log_evidence = np.zeros(len(x))
    for t in range(x.shape[1]):
        if t:
            forward = (forward @ transition) * likelihood[:, t]
        log_evidence += np.log(forward.sum(1))
        forward = forward / forward.sum(1, keepdims=True)
    rows = np.arange(len(x))[:, None]
    steps = np.arange(x.shape[1])
    log_joint = np.log(0.2) + np.log(likelihood[rows, steps, tags]).sum(1)
    log_joint += np.log(transition[tags[:, :-1], tags[:, 1:]]).sum(1)
    return np.mean(log_evidence - log_joint) / x.shape[1]


def test_crf_tagging_holds_the_data_its_docstring_states():
    task = tasks.crf_tagging()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    assert data["x_train"].shape == (2000, 20, 8) and data["x_val"].shape == (500, 20, 8)
    assert data["y_train"].shape == (2000, 20) and data["y_train"].dtype == np.int32
    # The data by hand: the transition rows Dirichlet(0.5), the means N(0, 1); a uniform first tag, each next one the
    # inverse of its row's cumulative chances at a uniform number, each step its mean plus N(0, 1.5^2).
    rng = np.random.default_rng(0)
    transition = rng.dirichlet(np.full(5, 0.5), 5)
    means = rng.normal(size=[5, 8])
    tags = np.zeros([2500, 20], int)
    tags[:, 0] = rng.integers(0, 5, 2500)
    for t in range(1, 20):
        uniform = rng.random(2500)
        tags[:, t] = [
            np.searchsorted(np.cumsum(transition[a]), u, side="right")
            for a, u in zip(tags[:, t - 1], uniform, strict=True)
        ]
    x = means[tags] + 1.5 * rng.normal(size=[2500, 20, 8])
    np.testing.assert_array_equal(np.concatenate([data["y_val"], data["y_train"]]), tags)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), x, atol=1e-5)
    # The references on the validation sequences: uniform chances, the training tags' frequencies, each step alone by
    # the true means with a uniform prior, and the true model.
    x_val, tags_val = x[:500], tags[:500]
    assert np.log(5) == pytest.approx(1.609, abs=5e-4)
    frequencies = np.bincount(tags[500:].ravel(), minlength=5) / tags[500:].size
    assert -np.mean(np.log(frequencies[tags_val])) == pytest.approx(1.503, abs=5e-4)
    alone = special.log_softmax(-((x_val[:, :, None, :] - means) ** 2).sum(-1) / (2 * 1.5**2), -1)
    assert -np.mean(np.take_along_axis(alone, tags_val[..., None], -1)) == pytest.approx(0.647, abs=5e-4)
    assert _true_conditional_nll(x_val, tags_val, transition, means) == pytest.approx(0.435, abs=5e-4)
    # The model by hand on sequences cut to 5 steps: the log partition summed over all 5^5 sequences of tags.
    params = {
        "w": rng.normal(size=[8, 5]) / 3,
        "b": rng.normal(size=5),
        "start": rng.normal(size=5),
        "transition": rng.normal(size=[5, 5]),
    }
    short_x, short_tags = x_val[:8, :5], tags_val[:8, :5]
    emissions = short_x @ params["w"] + params["b"]

    def score(sequence, path):
        total = params["start"][path[0]] + sum(emissions[sequence, t, tag] for t, tag in enumerate(path))
        return total + sum(params["transition"][a, b] for a, b in itertools.pairwise(path))

    paths = list(itertools.product(range(5), repeat=5))
    by_hand = (
        np.mean([special.logsumexp([score(n, path) for path in paths]) - score(n, short_tags[n]) for n in range(8)]) / 5
    )
    batch = (jnp.asarray(short_x, jnp.float32), jnp.asarray(short_tags, jnp.int32))
    assert float(jax.jit(task.loss)(jax.tree.map(np.float32, params), batch)) == pytest.approx(by_hand, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


@pytest.mark.parametrize("name", HELD_OUT_24)
def test_held_out_24_tasks_train(name):
    held_out_split.check_trains(name)


def test_held_out_24_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("held-out-24", HELD_OUT_24)
