"""The held-out-21 split: it runs only when asked, apart from every other split; its tasks hold the data their
docstrings state (each drawn again here by hand, its references and its model computed in numpy); they train; and
their targets and the baseline's rates were set from fixed optimizers only, so that the split stays blind."""

import math
from itertools import pairwise

import held_out_split
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel
from sklearn.linear_model import LinearRegression

from benchmarks.suite import cli, tasks
from benchmarks.suite.tasks import held_out_21

HELD_OUT_21 = ["gan-mixture-1d", "adversarial-spheres-pgd", "bayes-by-backprop-mlp"]


def test_the_held_out_21_split_runs_only_when_asked_and_is_disjoint_from_every_other(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_runs_only_when_asked(held_out_21, HELD_OUT_21, "held-out-20", 37, help_text)


def _random_layers(rng, widths):
    return [{"w": rng.normal(size=[a, b]) / math.sqrt(a), "b": rng.normal(size=b) / 4} for a, b in pairwise(widths)]


def _relu_mlp(layers, x):
    """An MLP with ReLU between its layers, by hand; returns its output and each hidden layer's activity."""
    hidden = []
    for layer in layers[:-1]:
        x = np.maximum(x @ layer["w"] + layer["b"], 0)
        hidden.append(x)
    return x @ layers[-1]["w"] + layers[-1]["b"], hidden


def _input_gradient(layers, hidden, upstream):
    """The gradient of ``sum(upstream * output)`` of :func:`_relu_mlp` with respect to its input, backpropagated by
    hand through the ReLUs."""
    for layer, activity in zip(reversed(layers[1:]), reversed(hidden), strict=True):
        upstream = (upstream @ layer["w"].T) * (activity > 0)
    return upstream @ layers[0]["w"].T


def test_gan_mixture_1d_holds_the_data_its_docstring_states():
    task = tasks.gan_mixture_1d()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["train"].shape == (4000,) and data["val"].shape == (2000,) and data["noise"].shape == (2000, 4)
    # The draws by hand: a component by its weight (0.5, 0.3, 0.2), then its mean (1, 3 or 5) plus N(0, 0.2^2); the
    # first 2,000 for validation (sorted), the rest for training; the fixed noise of the metric from numpy seed 1.
    rng = np.random.default_rng(0)
    component = np.searchsorted([0.5, 0.8, 1.0], rng.random(6000), side="right")
    draws = np.array([1.0, 3.0, 5.0])[component] + 0.2 * rng.normal(size=6000)
    np.testing.assert_allclose(data["train"], draws[2000:], atol=1e-6)
    np.testing.assert_allclose(data["val"], np.sort(draws[:2000]), atol=1e-6)
    np.testing.assert_allclose(data["noise"], np.random.default_rng(1).normal(size=[2000, 4]), atol=1e-6)
    # The references: the training draws themselves, a Gaussian of their mean and deviation (drawn with the first
    # coordinate of the fixed noise), and 0.
    val, train = data["val"], data["train"]
    assert stats.wasserstein_distance(train, val) == pytest.approx(0.0187, abs=5e-5)
    gaussian = train.mean() + train.std() * data["noise"][:, 0]
    assert stats.wasserstein_distance(gaussian, val) == pytest.approx(0.494, abs=5e-4)
    assert np.mean(np.abs(val)) == pytest.approx(2.406, abs=5e-4)
    # The players by hand: a generator MLP 4-32-32-1 and a discriminator MLP 1-32-32-1 (ReLU); the discriminator's
    # loss the logistic loss of the real draws as real and the generated as fake, plus 10/2 times the mean square of
    # its slope at the real draws (R1); the generator's the logistic loss of the generated draws as real.
    params = {"generator": _random_layers(rng, [4, 32, 32, 1]), "discriminator": _random_layers(rng, [1, 32, 32, 1])}
    real, noise = train[:64], rng.normal(size=[64, 4])
    fake = _relu_mlp(params["generator"], noise)[0][:, 0]
    real_score, hidden = _relu_mlp(params["discriminator"], real[:, None])
    slope = _input_gradient(params["discriminator"], hidden, np.ones([64, 1]))[:, 0]
    fake_score = _relu_mlp(params["discriminator"], fake[:, None])[0]
    softplus = lambda z: np.logaddexp(0, z)
    discriminator_loss = np.mean(softplus(-real_score)) + np.mean(softplus(fake_score)) + 5 * np.mean(slope**2)
    generator_loss = np.mean(softplus(-fake_score))
    f32 = jax.tree.map(np.float32, params)
    batch = (real.astype(np.float32), noise.astype(np.float32))
    assert float(jax.jit(task.loss)(f32, batch)) == pytest.approx(discriminator_loss + generator_loss, rel=1e-4)
    # Each player's gradient is its own loss's: the generator's, through the discriminator held fixed, and the
    # discriminator's, with the generated draws held fixed.
    grads = jax.grad(task.loss)(f32, batch)

    def mlp(layers, x):
        for layer in layers[:-1]:
            x = jax.nn.relu(x @ layer["w"] + layer["b"])
        return x @ layers[-1]["w"] + layers[-1]["b"]

    def generator_only(generator):
        return jnp.mean(jax.nn.softplus(-mlp(f32["discriminator"], mlp(generator, batch[1]))))

    def discriminator_only(judge):
        score = lambda x: mlp(judge, x[:, None])[:, 0]
        slopes = jax.vmap(jax.grad(lambda x: score(x[None])[0]))(batch[0])
        fixed = mlp(f32["generator"], batch[1])[:, 0]
        return (
            jnp.mean(jax.nn.softplus(-score(batch[0])))
            + jnp.mean(jax.nn.softplus(score(fixed)))
            + 5 * jnp.mean(slopes**2)
        )

    for name, alone in (("generator", generator_only), ("discriminator", discriminator_only)):
        for got, want in zip(jax.tree.leaves(grads[name]), jax.tree.leaves(jax.grad(alone)(f32[name])), strict=True):
            np.testing.assert_allclose(got, want, rtol=2e-4, atol=1e-6)
    # The metric: the Wasserstein-1 distance between the generator's draws from the fixed noise and the validation
    # draws.
    generated = _relu_mlp(params["generator"], data["noise"])[0][:, 0]
    assert float(jax.jit(task.evaluate)(f32, task.data)) == pytest.approx(
        stats.wasserstein_distance(generated, val), rel=1e-4
    )
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _attack_by_hand(layers, x, y, radius=0.03, steps=3):
    """The attack of :func:`held_out_21.adversarial_spheres_pgd`, by hand: ``steps`` steps of ``2.5 radius /
    steps`` along the signs of the cross entropy's gradient in the input, each clipped back into the box of
    ``radius`` (max norm) around ``x``."""
    shift = np.zeros_like(x)
    for _ in range(steps):
        logits, hidden = _relu_mlp(layers, x + shift)
        chances = np.exp(logits - logits.max(1, keepdims=True))
        chances /= chances.sum(1, keepdims=True)
        upstream = chances - np.eye(logits.shape[1])[y]
        shift = np.clip(
            shift + 2.5 * radius / steps * np.sign(_input_gradient(layers, hidden, upstream)), -radius, radius
        )
    return x + shift


def _cross_entropy(logits, y):
    return np.mean(np.log(np.exp(logits).sum(1)) - logits[np.arange(len(y)), y])


def test_adversarial_spheres_pgd_holds_the_data_its_docstring_states():
    task = tasks.adversarial_spheres_pgd()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000, 12) and data["x_val"].shape == (1000, 12)
    # The rows by hand: a class uniform over the two spheres, a direction uniform on the unit sphere, its radius 1
    # for the first class and 1.3 for the second.
    rng = np.random.default_rng(0)
    classes = rng.integers(0, 2, 5000)
    directions = rng.normal(size=[5000, 12])
    points = directions / np.linalg.norm(directions, axis=1, keepdims=True) * np.where(classes == 1, 1.3, 1.0)[:, None]
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), points, atol=1e-6)
    np.testing.assert_array_equal(np.concatenate([data["y_val"], data["y_train"]]), classes)
    # The references: within 0.03 of each point (max norm) the norms move by 0.10 at most on the validation points
    # (from 1 up to 1.0997, from 1.3 down to 1.2026), so the rule "the norm above 1.15" is right on every point under
    # every such attack; scored by the logistic function of 50 times the norm's distance from 1.15, its cross entropy
    # at the worst points 0.040; uniform predictions ln 2.
    x, y = data["x_val"], data["y_val"].astype(int)
    farthest, nearest = (
        np.linalg.norm(np.abs(x) + 0.03, axis=1),
        np.linalg.norm(np.maximum(np.abs(x) - 0.03, 0), axis=1),
    )
    assert farthest[y == 0].max() == pytest.approx(1.0997, abs=5e-5)
    assert nearest[y == 1].min() == pytest.approx(1.2026, abs=5e-5)
    margins = np.where(y == 0, 1.15 - farthest, nearest - 1.15)
    assert np.mean(np.logaddexp(0, -50 * margins)) == pytest.approx(0.040, abs=5e-4)
    # The network and the attack by hand: an MLP 12-64-64-2 (ReLU), the cross entropy at the attacked points.
    layers = _random_layers(rng, [12, 64, 64, 2])
    rows, row_classes = x[:16], y[:16]
    attacked = _attack_by_hand(layers, rows, row_classes)
    assert np.abs(attacked - rows).max() == pytest.approx(0.03)
    f32 = jax.tree.map(np.float32, layers)
    batch = (rows.astype(np.float32), row_classes.astype(np.int32))
    assert float(jax.jit(task.loss)(f32, batch)) == pytest.approx(
        _cross_entropy(_relu_mlp(layers, attacked)[0], row_classes), rel=1e-4
    )

    # The attack is not differentiated through: the gradient is the cross entropy's at the attacked points.
    def at_attacked(params):
        h = jnp.asarray(attacked, jnp.float32)
        for layer in params[:-1]:
            h = jax.nn.relu(h @ layer["w"] + layer["b"])
        logits = h @ params[-1]["w"] + params[-1]["b"]
        return jnp.mean(jax.nn.logsumexp(logits, 1) - logits[jnp.arange(16), batch[1]])

    for got, want in zip(
        jax.tree.leaves(jax.grad(task.loss)(f32, batch)), jax.tree.leaves(jax.grad(at_attacked)(f32)), strict=True
    ):
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-6)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def test_bayes_by_backprop_mlp_holds_the_data_its_docstring_states():
    task = tasks.bayes_by_backprop_mlp()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items() if name != "draws"}
    assert data["x_train"].shape == (1000, 6) and data["x_val"].shape == (1000, 6)
    # The rows by hand: 6 columns uniform in [-1, 1], the target sin(2 x0) + x1 x2 + x3^2 / 2 + N(0, 0.1^2).
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, [2000, 6])
    clean = np.sin(2 * x[:, 0]) + x[:, 1] * x[:, 2] + x[:, 3] ** 2 / 2
    y = clean + 0.1 * rng.normal(size=2000)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), x, atol=1e-6)
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), y, atol=1e-5)
    # The references, the negative log-likelihood a validation row: the true function with the true noise; a
    # Gaussian process of the normalized targets, an RBF kernel of a length scale a column plus white noise, at the
    # maximum of its marginal likelihood (fitted once: the scales 2.9, 8.9, 9.1, 8.9 and, on the two unused columns,
    # the bound 1e5; the kernel's variance 24.7^2, the noise's 0.0138); linear regression with its training
    # residuals' deviation; the training targets' mean and deviation; 0 with deviation 1 (the start).
    x_train, y_train, x_val, y_val = data["x_train"], data["y_train"], data["x_val"], data["y_val"]
    nll = lambda residual, deviation: (
        np.mean(0.5 * (residual / deviation) ** 2 + np.log(deviation)) + 0.5 * math.log(2 * math.pi)
    )
    assert nll(y_val - clean[:1000], 0.1) == pytest.approx(-0.919, abs=5e-4)
    kernel = ConstantKernel(24.7**2) * RBF([2.9, 8.9, 9.1, 8.9, 1e5, 1e5]) + WhiteKernel(0.0138)
    process = GaussianProcessRegressor(kernel, normalize_y=True, optimizer=None).fit(x_train, y_train)
    mean, deviation = process.predict(x_val, return_std=True)
    assert nll(y_val - mean, deviation) == pytest.approx(-0.900, abs=5e-4)
    linear = LinearRegression().fit(x_train, y_train)
    assert nll(y_val - linear.predict(x_val), np.std(y_train - linear.predict(x_train))) == pytest.approx(
        0.547, abs=5e-4
    )
    assert nll(y_val - y_train.mean(), y_train.std()) == pytest.approx(1.287, abs=5e-4)
    assert nll(y_val, 1.0) == pytest.approx(1.311, abs=5e-4)
    # The model by hand: each weight its mean plus softplus(rho) times a unit normal draw; an MLP 6-32-32-1 (tanh);
    # the Gaussian likelihood with deviation exp(log_noise); the loss the negative log-likelihood plus the KL
    # divergence from N(0, 1) of every weight, over the 1,000 training rows.
    widths = [6, 32, 32, 1]
    params = {
        "mean": _random_layers(rng, widths),
        "rho": [{"w": rng.normal(-3, 1, [a, b]), "b": rng.normal(-3, 1, b)} for a, b in pairwise(widths)],
        "log_noise": np.float64(-1.0),
    }
    softplus = lambda z: np.log1p(np.exp(z))

    def log_likelihood(unit, rows, targets):
        h = rows
        for k, (mean_layer, rho_layer, unit_layer) in enumerate(zip(params["mean"], params["rho"], unit, strict=True)):
            w = mean_layer["w"] + softplus(rho_layer["w"]) * unit_layer["w"]
            b = mean_layer["b"] + softplus(rho_layer["b"]) * unit_layer["b"]
            h = h @ w + b if k == 2 else np.tanh(h @ w + b)
        scale = math.exp(params["log_noise"])
        return -0.5 * ((targets - h[:, 0]) / scale) ** 2 - params["log_noise"] - 0.5 * math.log(2 * math.pi)

    divergence = sum(
        np.sum(0.5 * (softplus(r) ** 2 + m**2 - 1) - np.log(softplus(r)))
        for mean_layer, rho_layer in zip(params["mean"], params["rho"], strict=True)
        for m, r in ((mean_layer["w"], rho_layer["w"]), (mean_layer["b"], rho_layer["b"]))
    )
    unit = [{"w": rng.normal(size=[a, b]), "b": rng.normal(size=b)} for a, b in pairwise(widths)]
    rows, targets = x_val[:32], y_val[:32]
    by_hand = -np.mean(log_likelihood(unit, rows, targets)) + divergence / 1000
    f32 = jax.tree.map(np.float32, params)
    batch = (rows.astype(np.float32), targets.astype(np.float32), jax.tree.map(np.float32, unit))
    assert float(jax.jit(task.loss)(f32, batch)) == pytest.approx(by_hand, rel=1e-4)
    # The metric: the predictive distribution's negative log-likelihood, averaged over 16 fixed draws of the
    # weights (numpy seed 1, layer by layer, each layer's biases before its weights).
    draw_rng = np.random.default_rng(1)
    draws = []
    for a, b in pairwise(widths):
        bias = draw_rng.normal(size=[16, b])
        draws.append({"b": bias, "w": draw_rng.normal(size=[16, a, b])})
    each = np.array([log_likelihood([{k: v[s] for k, v in d.items()} for d in draws], x_val, y_val) for s in range(16)])
    peak = each.max(0)
    predictive = -np.mean(peak + np.log(np.mean(np.exp(each - peak), 0)))
    assert float(jax.jit(task.evaluate)(f32, task.data)) == pytest.approx(predictive, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


@pytest.mark.parametrize("name", HELD_OUT_21)
def test_held_out_21_tasks_train(name):
    held_out_split.check_trains(name)


def test_held_out_21_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("held-out-21", HELD_OUT_21)
