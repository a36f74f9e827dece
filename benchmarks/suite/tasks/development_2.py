"""The *development-2* tasks: a second development split, added after round 44 so that selectors can be designed on
tasks where SGD with momentum reaches the target first while Adam and RMSProp fall faster early on (the development
split holds none). Like the development tasks they are open to every design; they run only when asked (``--split
development-2``), and are not kept aside.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def _linear_init(features: int):
    """Zero weights and bias for ``features`` inputs: every run seed starts from the same point, so that the runs of a
    convex task differ only in their batches."""

    def init(key):
        del key
        return {"w": jnp.zeros([features]), "b": jnp.zeros([])}

    return init


def _linear(params, x):
    return x @ params["w"] + params["b"]


def nuisance_feature_regression(*, quick: bool = False) -> Task:
    """Linear regression from 20 informative features and 8,000 weak nuisance features on 200 training rows, squared
    error, batch 64.

    A development-2 task, generalization in an overparameterized linear model (Wilson et al. 2017, "The marginal value
    of adaptive gradient methods"): the nuisance features have nothing to do with the label, but with more features
    than rows they can fit the training noise, and their gradients are small (the features are small), so an adaptive
    method, whose steps do not shrink with the gradient, fits the noise with them at once, while SGD barely moves them
    and fits the informative features first. The data (numpy seed 0): the informative features N(0, Q diag(l) Q^T),
    ``Q`` a random orthogonal 20x20 (the QR of a standard normal), ``l`` log-spaced from 0.03 to 10 (so the features
    are correlated and ill-conditioned); the true weights ``Q c``, ``c`` of signs drawn at random and size 0.12 in
    each direction of ``Q``; the nuisance features N(0, 0.01^2); the label the informative features times the true
    weights plus N(0, 0.5^2); 200 training and 1,000 validation rows (the same for every run seed). The model: a
    linear map of all 8,020 features and a bias, from zero. The loss and the metric are the mean squared error. Budget
    2,000 updates, evaluated every 50.
    """
    informative, nuisance, train, held_out, batch = 20, 8000, 200, 1000, 64
    rng = np.random.default_rng(0)
    rows = train + held_out
    spectrum = np.geomspace(0.03, 10.0, informative)
    rotation = np.linalg.qr(rng.normal(size=[informative, informative]))[0]
    signal = rng.normal(size=[rows, informative]) * np.sqrt(spectrum) @ rotation.T
    weights = rotation @ (0.12 * rng.choice([-1.0, 1.0], informative))
    labels = signal @ weights + rng.normal(0, 0.5, rows)
    x = np.concatenate([signal, 0.01 * rng.normal(size=[rows, nuisance])], 1)
    data = _rows(x[held_out:], labels[held_out:], x[:held_out], labels[:held_out])

    return _fitted(
        "nuisance-feature-regression",
        data,
        _linear_init(informative + nuisance),
        lambda params, x, y: jnp.mean((_linear(params, x) - y) ** 2),
        "val MSE",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"linear regression, {informative} correlated informative and {nuisance} weak nuisance "
        f"features, {train} train / {held_out} val, label noise 0.5; batch {batch}",
    )


def _ar1(rng: np.random.Generator, length: int, correlation: float) -> np.ndarray:
    """A stationary AR(1) sequence of unit variance: each value ``correlation`` times the one before plus fresh
    noise."""
    fresh = rng.normal(size=length)
    sequence = np.zeros(length)
    sequence[0] = fresh[0]
    for t in range(1, length):
        sequence[t] = correlation * sequence[t - 1] + np.sqrt(1 - correlation**2) * fresh[t]
    return sequence


def fir_system_identification(*, quick: bool = False) -> Task:
    """Identify a finite impulse response of 128 taps from a coloured input signal and the channel's output, squared
    error, batch 32 windows.

    A development-2 task, system identification of a linear channel (the least-mean-squares adaptive filter of Widrow
    and Hoff 1960 is SGD on this loss): each row is a window of the last 128 input values, its label the channel's
    output, the window times the true taps plus a little noise. The input is coloured (AR(1), correlation 0.5), so
    the windows' covariance is a Toeplitz matrix, not diagonal, and a per-coordinate step size does not condition it;
    the taps are small, so an adaptive method's steps of about its learning rate reach them early, and then keep
    jittering about them by as much, where SGD's steps shrink with the gradient. The data (numpy seed 0): the input
    ``0.35`` times an AR(1) sequence of unit variance; the true taps ``0.04 N(0, 1) exp(-k / 24)`` for ``k`` = 0 to
    127; the output noise N(0, 0.002^2); 1,000 validation windows and then, 128 values later so that no input value
    is in both, 4,000 training windows (the same for every run seed). The model: 128 taps and a bias, from zero. The
    loss and the metric are the mean squared error of the output. Budget 2,000 updates, evaluated every 50.
    """
    taps, train, held_out, batch = 128, 4000, 1000, 32
    rng = np.random.default_rng(0)
    signal = 0.35 * _ar1(rng, held_out + train + 2 * taps, 0.5)
    response = 0.04 * rng.normal(size=taps) * np.exp(-np.arange(taps) / 24)
    starts = np.concatenate([np.arange(held_out), held_out + taps + np.arange(train)])
    # A window's first value is the newest input, so that its product with the taps is the channel's convolution.
    windows = signal[starts[:, None] + (taps - 1) - np.arange(taps)[None]]
    output = windows @ response + rng.normal(0, 0.002, starts.size)
    data = _rows(windows[held_out:], output[held_out:], windows[:held_out], output[:held_out])

    return _fitted(
        "fir-system-identification",
        data,
        _linear_init(taps),
        lambda params, x, y: jnp.mean((_linear(params, x) - y) ** 2),
        "val MSE",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"FIR channel of {taps} taps identified from an AR(1) input and its output (noise 0.002), "
        f"{train} train / {held_out} val windows; batch {batch}",
    )


def _soft_cross_entropy(logits, probabilities):
    """The binary cross entropy of ``logits`` against the soft labels ``probabilities``, less the labels' own
    entropy: the KL divergence from the labels' Bernoulli to the model's, zero for a perfect fit."""
    entropy = -(probabilities * jnp.log(probabilities) + (1 - probabilities) * jnp.log1p(-probabilities))
    return jnp.mean(jax.nn.softplus(logits) - probabilities * logits - entropy)


def soft_label_logistic(*, quick: bool = False) -> Task:
    """Logistic regression on 256 features driven by 16 shared factors, fitted to soft labels (each row's probability
    of the positive class), KL divergence, batch 32.

    A development-2 task, a calibrated probability model fitted by cross entropy to probabilities rather than to drawn
    classes (as in distillation from a teacher's probabilities, Hinton, Vinyals and Dean 2015, here a logistic
    teacher): the features are correlated through their factors, so the curvature is far from diagonal (the training
    features' covariance has eigenvalues 0.14 to 24.7), and the labels are nearly those of a logistic model of the
    features, so the gradient's noise vanishes near the optimum, where an adaptive method's steps do not. The data
    (numpy seed 0): the loadings 16x256 N(0, 1/16); each row the loadings times 16 factors N(0, 1) plus N(0, 0.5^2)
    on each feature; the true weights N(0, 1) scaled so that the true logits have a root mean square of 0.3; each
    row's probability the logistic of its true logit plus N(0, 0.01^2); 4,000 training and 1,000 validation rows (the
    same for every run seed). The model: 256 weights and a bias, from zero. The loss and the metric are the mean KL
    divergence from the labels' Bernoulli to the model's (the soft cross entropy less the labels' entropy). Budget
    2,000 updates, evaluated every 50.
    """
    features, factors, train, held_out, batch = 256, 16, 4000, 1000, 32
    rng = np.random.default_rng(0)
    rows = train + held_out
    loadings = rng.normal(size=[factors, features]) / np.sqrt(factors)
    x = rng.normal(size=[rows, factors]) @ loadings + 0.5 * rng.normal(size=[rows, features])
    weights = rng.normal(size=features)
    weights *= 0.3 / np.sqrt(np.mean((x @ weights) ** 2))
    probabilities = 1 / (1 + np.exp(-(x @ weights + rng.normal(0, 0.01, rows))))
    data = _rows(x[held_out:], probabilities[held_out:], x[:held_out], probabilities[:held_out])

    return _fitted(
        "soft-label-logistic",
        data,
        _linear_init(features),
        lambda params, x, y: _soft_cross_entropy(_linear(params, x), y),
        "val KL divergence",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"logistic regression on {features} features of {factors} factors fitted to soft labels, "
        f"{train} train / {held_out} val; batch {batch}",
    )


SPLIT = "development-2"
TASKS: dict[str, Callable[..., Task]] = {
    "nuisance-feature-regression": nuisance_feature_regression,
    "fir-system-identification": fir_system_identification,
    "soft-label-logistic": soft_label_logistic,
}
