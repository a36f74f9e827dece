"""The *held-out-36* tasks, added in round 53 for a later round, are kept aside from every design, the held-out-35
tasks' included, and run once (``--split held-out-36``) with the defaults frozen.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _dense_init, _fitted, _rows

#: The gas constant in kJ/(mol K).
_GAS_CONSTANT = 8.314e-3
#: The reference temperature of the Arrhenius parameters, K.
_REFERENCE = 325.0


def _consecutive_concentrations(temperatures, times, log_rates, energies, xp=jnp):
    """The concentrations ``[N, 2]`` of A and B in ``A -> B -> C`` (first order, from A = 1, B = C = 0) at
    ``temperatures [N]`` (K) and ``times [N]`` (min): rate constants ``k_i = exp(log_rates[i] - energies[i] / R (1 /
    T - 1 / 325 K))`` (Arrhenius' law about 325 K), energies in units of 100 kJ/mol; ``A = exp(-k1 t)``, ``B = k1 t
    exp(-k1 t) g((k2 - k1) t)`` with ``g(x) = (1 - exp(-x)) / x`` (1 - x / 2 near 0), Bateman's (1910) closed form,
    finite where the two rates meet (``jnp`` or ``numpy``: ``xp``)."""
    rates = xp.exp(log_rates - 100 * energies / _GAS_CONSTANT * (1 / temperatures[:, None] - 1 / _REFERENCE))
    k1, k2 = rates[:, 0], rates[:, 1]
    x = (k2 - k1) * times
    small = xp.abs(x) < 1e-4
    safe = xp.where(small, 1e-4, x)
    g = xp.where(small, 1 - x / 2, -xp.expm1(-safe) / safe)
    a = xp.exp(-k1 * times)
    return xp.stack([a, k1 * times * a * g], 1)


def consecutive_reaction_kinetics(*, quick: bool = False) -> Task:
    """Estimate the Arrhenius parameters of two consecutive first-order reactions from concentrations measured at
    several temperatures, the squared error of the concentrations, batch 64 measurements."""
    measurements, held_out, batch = 2400, 400, 64
    log_rates = np.array([-2.0, -4.5])
    energies = np.array([0.65, 0.85])
    rng = np.random.default_rng(0)
    temperatures = rng.uniform(300, 350, measurements)
    times = np.exp(rng.uniform(np.log(0.1), np.log(100), measurements))
    clean = _consecutive_concentrations(temperatures, times, log_rates, energies, np)
    y = clean + rng.normal(0, 0.01, [measurements, 2])
    x = np.stack([temperatures, times], 1)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])

    def init(key):
        del key
        return {"log_rates": jnp.full([2], -3.0), "energies": jnp.full([2], 0.5)}

    def loss(params, x, y):
        predicted = _consecutive_concentrations(x[:, 0], x[:, 1], params["log_rates"], params["energies"])
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "consecutive-reaction-kinetics",
        data,
        init,
        loss,
        "val MSE (concentrations)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"Arrhenius parameters of A -> B -> C from concentrations at 300-350 K, "
        f"{measurements - held_out} train / {held_out} val measurements; batch {batch}",
    )


def _zinb_nll(params, x, y):
    """The mean negative log-likelihood of counts ``y`` under the zero-inflated negative binomial regression
    ``params`` of covariates ``x``."""
    log_mean = x @ params["count"] + params["count_bias"]
    zero_logit = x @ params["zero"] + params["zero_bias"]
    log_r = params["log_dispersion"]
    r = jnp.exp(log_r)
    # log NB(y; mean mu, size r): lgamma(y + r) - lgamma(r) - lgamma(y + 1) + r log(r / (r + mu)) + y log(mu / (r + mu))
    log_r_mu = jnp.logaddexp(log_r, log_mean)
    log_nb = (
        jax.scipy.special.gammaln(y + r)
        - jax.scipy.special.gammaln(r)
        - jax.scipy.special.gammaln(y + 1)
        + r * (log_r - log_r_mu)
        + y * (log_mean - log_r_mu)
    )
    log_pi, log_not_pi = jax.nn.log_sigmoid(zero_logit), jax.nn.log_sigmoid(-zero_logit)
    log_zero = jnp.logaddexp(log_pi, log_not_pi + r * (log_r - log_r_mu))
    return -jnp.mean(jnp.where(y == 0, log_zero, log_not_pi + log_nb))


def zero_inflated_counts(*, quick: bool = False) -> Task:
    """Fit a zero-inflated negative binomial regression to counts with excess zeros, the negative log-likelihood,
    batch 64 counts."""
    rows, held_out, covariates, batch = 6000, 1000, 8, 64
    count = np.array([0.8, -0.6, 0.5, 0.0, 0.3, -0.4, 0.0, 0.2])
    zero = np.array([1.0, 0.0, -0.8, 0.6, 0.0, 0.0, 0.5, -0.5])
    count_bias, zero_bias, dispersion = 1.5, -0.5, 2.0
    scales = np.array([1.0, 1.0, 0.4, 0.4, 0.15, 0.15, 0.15, 0.15])
    count, zero = count / scales, zero / scales
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, [rows, covariates]) * scales
    mean = np.exp(x @ count + count_bias)
    structural = rng.uniform(0, 1, rows) < 1 / (1 + np.exp(-(x @ zero + zero_bias)))
    counts = rng.negative_binomial(dispersion, dispersion / (dispersion + mean))
    y = np.where(structural, 0, counts).astype(np.float64)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])

    def init(key):
        del key
        return {
            "count": jnp.zeros([covariates]),
            "count_bias": jnp.zeros([]),
            "zero": jnp.zeros([covariates]),
            "zero_bias": jnp.zeros([]),
            "log_dispersion": jnp.zeros([]),
        }

    return _fitted(
        "zero-inflated-counts",
        data,
        init,
        _zinb_nll,
        "val NLL (counts)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"counts with excess zeros from {covariates} covariates, a zero-inflated negative binomial "
        f"regression, {rows - held_out} train / {held_out} val counts; batch {batch}",
    )


def _mackey_glass(length, rng, tau=17, dt=0.1, every=30):
    """A Mackey-Glass series (``dx/dt = 0.2 x(t - tau) / (1 + x(t - tau)^10) - 0.1 x``) of ``length`` values, one
    every ``every`` Euler steps of ``dt``, from a history of 1.2 plus U(-0.1, 0.1) from ``rng``, its first 500 values
    dropped."""
    delay = round(tau / dt)
    total = (length + 500) * every
    x = np.empty(total + delay + 1)
    x[: delay + 1] = 1.2 + rng.uniform(-0.1, 0.1, delay + 1)
    for i in range(delay, total + delay):
        past = x[i - delay]
        x[i + 1] = x[i] + dt * (0.2 * past / (1 + past**10) - 0.1 * x[i])
    return x[delay::every][500 : 500 + length]


def _tcn_forecast(params, windows):
    """The gated causal convolution network ``params`` (WaveNet's, kernel 2, dilations 1, 2, 4, 8) of ``windows [N,
    16]``: its forecast ``[N]`` from the last position. Only the positions the last one sees are computed: after the
    block of dilation ``d``, those ``2 d`` apart from the last, so that each block pairs neighbours of the positions
    left (the same values as every position's, zeros before the window, and a quarter of the work)."""
    h = windows[:, :, None] * params["embed"]["w"] + params["embed"]["b"]
    skip = 0.0
    for block in params["blocks"]:
        pairs = h.reshape(h.shape[0], h.shape[1] // 2, 2, h.shape[2])
        past, now = pairs[:, :, 0], pairs[:, :, 1]
        pre = jnp.concatenate([now, past], -1) @ block["conv"]["w"] + block["conv"]["b"]
        width = pre.shape[-1] // 2
        gated = jnp.tanh(pre[..., :width]) * jax.nn.sigmoid(pre[..., width:])
        h = now + gated @ block["out"]["w"] + block["out"]["b"]
        skip = skip + gated[:, -1]
    out = jax.nn.relu(skip) @ params["head"]["w"] + params["head"]["b"]
    return out[:, 0]


def tcn_mackey_glass(*, quick: bool = False) -> Task:
    """Forecast the chaotic Mackey-Glass series from its last 32 values, a gated dilated causal convolution network,
    the squared error, batch 64 windows."""
    length, window, horizon, held_out, batch, channels = 3000, 16, 5, 500, 64, 16
    rng = np.random.default_rng(0)
    series = _mackey_glass(length, rng)
    series = (series - series.mean()) / series.std()
    starts = np.arange(length - window - horizon + 1)
    x = series[starts[:, None] + np.arange(window)]
    y = series[starts + window + horizon - 1] + rng.normal(0, 0.02, len(starts))
    # The validation windows are the series' last ones, after the training windows' targets.
    cut = len(starts) - held_out
    train_end = cut - window - horizon + 1
    data = _rows(x[:train_end], y[:train_end], x[cut:], y[cut:])

    def init(key):
        keys = jax.random.split(key, 10)
        blocks = [
            {
                "conv": _dense_init(keys[2 * i], 2 * channels, 2 * channels),
                "out": _dense_init(keys[2 * i + 1], channels, channels),
            }
            for i in range(4)
        ]
        return {"embed": _dense_init(keys[8], 1, channels), "blocks": blocks, "head": _dense_init(keys[9], channels, 1)}

    def loss(params, x, y):
        return jnp.mean((_tcn_forecast(params, x) - y) ** 2)

    return _fitted(
        "tcn-mackey-glass",
        data,
        init,
        loss,
        "val MSE (forecast)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"the Mackey-Glass series {horizon} steps ahead from its last {window}, a gated dilated causal "
        f"convolution network of {channels} channels; batch {batch}",
    )


SPLIT = "held-out-36"
TASKS: dict[str, Callable[..., Task]] = {
    "consecutive-reaction-kinetics": consecutive_reaction_kinetics,
    "zero-inflated-counts": zero_inflated_counts,
    "tcn-mackey-glass": tcn_mackey_glass,
}
