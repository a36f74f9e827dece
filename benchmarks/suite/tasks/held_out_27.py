"""The *held-out-27* tasks, added in round 43 for a later round, are kept aside from every design, the held-out-26
tasks' included, and run once (``--split held-out-27``) with the defaults frozen.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def _rotation(angle: float) -> np.ndarray:
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


def _kalman_nll(params, y):
    """The negative log-likelihood of each sequence ``y [B, T, m]`` under the linear-Gaussian state-space model
    ``x_0 ~ N(0, I)``, ``x_{t+1} = x_t a + N(0, diag(exp(log_q)))``, ``y_t = x_t c + N(0, diag(exp(log_r)))`` (row
    vectors), by the Kalman filter, nats per observed number: the sum over the steps of each observation's Gaussian
    density given the ones before. The observations of a step are taken one at a time (exact for a diagonal
    observation noise), so that each innovation's variance is a number and no matrix is inverted."""
    a, c = params["a"], params["c"]
    q, r = jnp.exp(params["log_q"]), jnp.exp(params["log_r"])
    batch, _, observed = y.shape
    dim = a.shape[0]

    def step(carry, y_t):
        mean, cov, nll = carry  # mean [B, n] (each sequence's), cov [n, n] (the same for every sequence)
        for j in range(observed):
            gain_in = cov @ c[:, j]
            s = c[:, j] @ gain_in + r[j]
            e = y_t[:, j] - mean @ c[:, j]
            mean = mean + e[:, None] * (gain_in / s)[None]
            cov = cov - jnp.outer(gain_in, gain_in) / s
            nll = nll + 0.5 * (jnp.log(2 * jnp.pi * s) + e**2 / s)
        cov = a.T @ cov @ a + jnp.diag(q)
        return (mean @ a, 0.5 * (cov + cov.T), nll), None

    start = (jnp.zeros([batch, dim]), jnp.eye(dim), jnp.zeros([batch]))
    (_, _, nll), _ = jax.lax.scan(step, start, jnp.swapaxes(y, 0, 1))
    return nll / (y.shape[1] * observed)


def kalman_lds_likelihood(*, quick: bool = False) -> Task:
    """Fit a linear-Gaussian state-space model (a transition of 4 hidden states, 3 observed, diagonal noises) to
    sequences of 40 steps by their exact likelihood through the Kalman filter, batch 16 sequences.

    A held-out-27 task, system identification by maximum likelihood (the prediction-error decomposition through the
    Kalman filter; Shumway and Stoffer 1982 fit the same likelihood by EM): the hidden state is never seen, and the
    gradient reaches the transition through the filter's recursion of means and covariances (unlike
    ``hmm-forward-likelihood``'s discrete states, ``lru-forecast``'s one-step squared error of a scalar signal and
    ``gp-periodic-kernel``'s kernel). The data (numpy seed 0): a random orthogonal ``U`` (the QR of a standard normal
    4x4), the true transition ``U diag(0.97 R(0.25), 0.8 R(1.2)) U^T`` (``R`` a rotation by that angle, so two damped
    oscillations), the observation matrix 3x4 N(0, 0.5^2), the state noise N(0, 0.3^2) and the observation noise N(0,
    0.5^2) on each number; each sequence from ``x_0 ~ N(0, I)``, 40 steps; 2,000 training and 500 validation sequences
    (the same for every run seed). The model: the transition ``0.5 I`` plus N(0, 0.1^2), the observation map N(0,
    0.3^2), the log-variances of the two noises zero. The loss and the metric are the negative log-likelihood, nats per
    observed number: 1.30 to 1.34 at the start, 1.2832 for each number alone (a Gaussian of zero mean and the training
    numbers' variance), 0.9262 for the true model. Budget 2,000 updates, evaluated every 50. Before calibration, the
    fixed candidates ran on seeds 0 and 1, the task as it is (2.0 to 2.1 s a run). On the calibration seeds SGD with
    momentum at 1e-2 sets the target, 0.93550, its median best 0.93502 loosened by the spread of its bests: it gets
    below it on 4 of 5 seeds, within 1,700 to 1,900 updates (median 1,800; best 0.93497 to 0.93554, at 1,900 to 2,000);
    RMSProp at 1e-3 on 2 of 5, at 1,850 and 2,000 (best 0.9334 to 0.9414, the lowest single best of all, at 2,000, still
    falling), and Adam at 1e-3 on none (best 0.9409 to 0.9467, at 2,000, still falling). After 200 updates SGD is at
    0.963 to 0.964, Adam at 1.12 to 1.17, RMSProp at 1.12 to 1.17; after 1,000 at 0.938 to 0.941, 0.977 to 0.980 and
    0.964 to 0.965. The baseline's tuned rate is 3e-2, the top of its grid (median best 0.92619, below the target within
    200 to 300 updates).
    """
    hidden, observed, length, train, held_out, batch = 4, 3, 40, 2000, 500, 16
    rng = np.random.default_rng(0)
    u = np.linalg.qr(rng.normal(size=[hidden, hidden]))[0]
    blocks = np.zeros([hidden, hidden])
    blocks[:2, :2], blocks[2:, 2:] = 0.97 * _rotation(0.25), 0.8 * _rotation(1.2)
    transition = u @ blocks @ u.T
    emission = rng.normal(0, 0.5, [observed, hidden])
    x = rng.normal(size=[train + held_out, hidden])
    state_noise = rng.normal(0, 0.3, [train + held_out, length, hidden])
    observation_noise = rng.normal(0, 0.5, [train + held_out, length, observed])
    y = np.zeros([train + held_out, length, observed])
    for t in range(length):
        y[:, t] = x @ emission.T + observation_noise[:, t]
        x = x @ transition.T + state_noise[:, t]
    data = _rows(y[held_out:], np.zeros(train), y[:held_out], np.zeros(held_out))

    def init(key):
        ka, kc = jax.random.split(key)
        return {
            "a": 0.5 * jnp.eye(hidden) + 0.1 * jax.random.normal(ka, [hidden, hidden]),
            "c": 0.3 * jax.random.normal(kc, [hidden, observed]),
            "log_q": jnp.zeros([hidden]),
            "log_r": jnp.zeros([observed]),
        }

    return _fitted(
        "kalman-lds-likelihood",
        data,
        init,
        lambda params, x, y: jnp.mean(_kalman_nll(params, x)),
        "val NLL per number",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"sequences of {length} steps of a linear-Gaussian state-space model ({hidden} hidden, "
        f"{observed} observed), {train} train / {held_out} val; its matrices and noises fitted by the Kalman filter's "
        f"likelihood; batch {batch}",
    )


def _gru_init(key, inputs: int, width: int):
    kw, ku = jax.random.split(key)
    return {
        "w": jax.random.normal(kw, [inputs, 3 * width]) / np.sqrt(inputs),
        "u": jax.random.normal(ku, [width, 3 * width]) / np.sqrt(width),
        "b": jnp.zeros([3 * width]),
    }


def _gru(params, h, inputs):
    """A GRU (Cho et al. 2014) over ``inputs [T, B, d]`` from the state ``h [B, H]``: its states ``[T, B, H]``."""

    def step(h, x):
        gates = x @ params["w"] + params["b"]
        recurrent = h @ params["u"]
        width = h.shape[-1]
        z = jax.nn.sigmoid(gates[:, :width] + recurrent[:, :width])
        reset = jax.nn.sigmoid(gates[:, width : 2 * width] + recurrent[:, width : 2 * width])
        n = jnp.tanh(gates[:, 2 * width :] + reset * recurrent[:, 2 * width :])
        h = (1 - z) * n + z * h
        return h, h

    return jax.lax.scan(step, h, inputs)[1]


def _seq2seq_logits(params, tokens, targets, symbols: int):
    """The decoder's logits of each place of ``targets [B, L]``, teacher forced: the encoder GRU reads ``tokens``
    one-hot, its last state starts the decoder GRU, which reads a start symbol and then ``targets`` but the last."""
    start = jnp.full([tokens.shape[0], 1], symbols)
    encoded = jax.nn.one_hot(tokens.T, symbols + 1)
    decoded = jax.nn.one_hot(jnp.concatenate([start, targets[:, :-1]], 1).T, symbols + 1)
    width = params["encoder"]["u"].shape[0]
    h = _gru(params["encoder"], jnp.zeros([tokens.shape[0], width]), encoded)[-1]
    states = _gru(params["decoder"], h, decoded)
    return jnp.swapaxes(states @ params["readout"]["w"] + params["readout"]["b"], 0, 1)


def gru_seq2seq_reverse(*, quick: bool = False) -> Task:
    """Reverse a sequence of 8 symbols of 8 with a GRU encoder-decoder (the encoder's last state the only link, no
    attention), teacher forced, cross entropy per symbol, batch 64 sequences.

    A held-out-27 task, sequence to sequence learning (Sutskever, Vinyals and Le 2014; Cho et al. 2014): the whole input
    must pass through one state of 64, and the decoder's first outputs depend on the encoder's last inputs (unlike
    ``adding-gru``'s one regression output, ``first-token-rnn``'s recall of one symbol and ``dyck-lstm``'s next symbol
    of the same sequence). The data (numpy seed 0): 8,000 training and 1,000 validation sequences of 8 symbols drawn
    uniformly (the same for every run seed), each's target the same reversed. The model: an encoder GRU and a decoder
    GRU of width 64 (input and recurrent weights N(0, 1/fan in), biases zero), the symbols one-hot (the decoder's a
    ninth, the start), a readout 64-8 (N(0, 1/64), zero bias). The loss and the metric are the cross entropy per symbol
    of the targets given the true symbols before them: 2.08 to 2.10 at the start, ln 8 = 2.079 for equal odds, 0 for the
    reversal itself. Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds 0
    and 1, the task as it is (4.9 to 5.2 s a run). On the calibration seeds Adam at 1e-3 sets the target, 0.070428, its
    median best 0.064896 loosened by the spread of its bests: it gets below it on every seed, within 1,850 to 2,000
    updates (median 1,900; best 0.0619 to 0.0689, at 1,950 to 2,000, still falling); RMSProp at 1e-3 and SGD with
    momentum at 1e-2 on none (best 0.093 to 0.138 and 0.495 to 0.607). After 200 updates Adam is at 0.99 to 1.04,
    RMSProp at 1.22 to 1.24, SGD at 2.04 to 2.05; after 1,000 at 0.157 to 0.184, 0.314 to 0.378 and 1.55 to 1.60. The
    baseline's tuned rate is 3e-2, the top of its grid (median best 0.00079, below the target within 550 to 700
    updates).
    """
    symbols, length, width, train, held_out, batch = 8, 8, 64, 8000, 1000, 64
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, symbols, [train + held_out, length])
    data = _rows(tokens[held_out:], tokens[held_out:, ::-1], tokens[:held_out], tokens[:held_out, ::-1], jnp.int32)
    data["x_train"], data["x_val"] = (data[k].astype(jnp.int32) for k in ("x_train", "x_val"))

    def init(key):
        ke, kd, kr = jax.random.split(key, 3)
        return {
            "encoder": _gru_init(ke, symbols + 1, width),
            "decoder": _gru_init(kd, symbols + 1, width),
            "readout": {"w": jax.random.normal(kr, [width, symbols]) / np.sqrt(width), "b": jnp.zeros([symbols])},
        }

    def loss(params, x, y):
        logits = _seq2seq_logits(params, x, y, symbols)
        return jnp.mean(jax.nn.logsumexp(logits, -1) - jnp.take_along_axis(logits, y[..., None], -1)[..., 0])

    return _fitted(
        "gru-seq2seq-reverse",
        data,
        init,
        loss,
        "val cross entropy per symbol",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"sequences of {length} symbols of {symbols} to reverse, {train} train / {held_out} val; a GRU "
        f"encoder-decoder of width {width}, teacher forced; batch {batch}",
    )


#: The wave simulation: cells of the string [0, 1], the time step, the steps, the receivers' cells, a record every so
#: many steps, the source's gain, and the bounds of the model's speed.
_CELLS = 48
_DT = 0.008
_STEPS = 160
_RECEIVERS = (3, 11, 19, 27, 35, 43)
_EVERY = 4
_GAIN = 150.0
_SLOWEST, _FASTEST = 0.5, 2.2


def _ricker(t, frequency, delay):
    """The Ricker wavelet of peak ``frequency``, centred at ``delay``."""
    arg = (np.pi * frequency * (t - delay)) ** 2
    return (1 - 2 * arg) * jnp.exp(-arg)


def _wave_traces(velocity, shots):
    """The wave ``u_tt = velocity(x)^2 u_xx + source`` on ``_CELLS`` cells of [0, 1] (zero beyond both ends), by the
    leapfrog scheme from rest, for each shot of ``shots [B, 2]`` (a source cell and a Ricker peak frequency, its
    delay 1.2 / frequency): the waves at the receivers every ``_EVERY`` steps, ``[B, _STEPS / _EVERY, receivers]``."""
    dx = 1.0 / _CELLS
    source = jax.nn.one_hot(shots[:, 0].astype(jnp.int32), _CELLS)
    frequency = shots[:, 1:2]
    times = _DT * jnp.arange(_STEPS)[:, None]
    wavelets = _ricker(times, frequency.T, 1.2 / frequency.T)  # [steps, B]
    speed2 = (velocity**2)[None]

    def step(carry, wavelet):
        before, now = carry
        padded = jnp.pad(now, [(0, 0), (1, 1)])
        laplacian = (padded[:, :-2] - 2 * now + padded[:, 2:]) / dx**2
        after = 2 * now - before + _DT**2 * (speed2 * laplacian + _GAIN * source * wavelet[:, None] / dx)
        return (now, after), after[:, list(_RECEIVERS)]

    zero = jnp.zeros([shots.shape[0], _CELLS])
    _, recorded = jax.lax.scan(step, (zero, zero), wavelets)
    return jnp.swapaxes(recorded[_EVERY - 1 :: _EVERY], 0, 1)


def _velocity(params):
    return _SLOWEST + (_FASTEST - _SLOWEST) * jax.nn.sigmoid(params["s"])


def wave_inversion_1d(*, quick: bool = False) -> Task:
    """Recover the wave speed of a string, cell by cell, from the waves 6 receivers record of sources along it (a
    1-D full-waveform inversion through a differentiable finite-difference solver), squared error, batch 8 shots.

    A held-out-27 task, full-waveform inversion (Tarantola 1984; Virieux and Operto 2009): the 48 speeds act inside 160
    leapfrog steps of the wave equation, so each one's gradient is the correlation of the forward wave with the
    residuals' wave sent backward (unlike ``ray-tomography-field``'s line integrals, ``oscillator-fit``'s three
    constants of an ODE, ``heat-pinn``'s residual of a PDE and ``fno-burgers``' operator learned from solutions). The
    data (numpy seed 0): the true speed 1.2 plus three Gaussian bumps (heights uniform in [-0.4, 0.5], centres in [0.15,
    0.85], deviations in [0.04, 0.1]); each shot a source cell uniform among the 48 and a Ricker wavelet of peak
    frequency uniform in [3, 6], its delay 1.2 / frequency; the waves at cells 3, 11, ..., 43 every 4 steps of 0.008 (40
    records of 6) plus N(0, 0.1^2); 512 training and 128 validation shots (the same for every run seed). The model: each
    cell's speed ``0.5 + 1.7 sigmoid(s)``, ``s`` from the value that gives 1.2 plus N(0, 0.01^2). The source enters the
    scheme as its wavelet times a gain of 150 over the cell's width, so that the records are of order 1 (their root mean
    square 1.20 on validation; with a gain of 1 the waves were about 0.0066, lost in the noise). The loss and the metric
    are the mean squared error of the records: 1.49 at the start (1.491 for the speed 1.2 everywhere), 1.4354 for no
    wave at all, 0.00996 for the true speed (the noise). Budget 2,000 updates, evaluated every 50. Before calibration,
    the fixed candidates ran on seeds 0 and 1, first with a gain of 1, where no candidate moved the metric from the
    noise's 0.0100, then with the gain of 150, the task as it is (0.7 to 0.9 s a run). On the calibration seeds SGD with
    momentum at 1e-2 sets the target, 0.0099690, its median best 0.0099675 loosened by the spread of its bests: it gets
    below it on every seed, within 1,450 to 1,800 updates (median 1,500; best 0.0099664 to 0.0099684, at 1,500 to 1,950,
    the true speed's level); Adam and RMSProp at 1e-3 on none (best 0.0253 to 0.0272 and 0.01009 to 0.01046, at 2,000,
    still falling). After 200 updates SGD is at 0.027 to 0.031, Adam at 1.18 to 1.19, RMSProp at 1.18; after 1,000 at
    0.00998, 0.138 to 0.144 and 0.134 to 0.138. The baseline's tuned rate is 1e-2 (median best 0.0099674, below the
    target within 1,000 to 1,450 updates).
    """
    train, held_out, batch = 512, 128, 8
    rng = np.random.default_rng(0)
    heights = rng.uniform(-0.4, 0.5, 3)
    centres = rng.uniform(0.15, 0.85, 3)
    widths = rng.uniform(0.04, 0.1, 3)
    x = (np.arange(_CELLS) + 0.5) / _CELLS
    velocity = 1.2 + np.sum(heights * np.exp(-((x[:, None] - centres) ** 2) / (2 * widths**2)), 1)
    shots = np.stack([rng.integers(0, _CELLS, train + held_out), rng.uniform(3, 6, train + held_out)], 1)
    clean = np.asarray(_wave_traces(jnp.asarray(velocity, jnp.float32), jnp.asarray(shots, jnp.float32)))
    records = clean + rng.normal(0, 0.1, clean.shape)
    data = _rows(shots[held_out:], records[held_out:], shots[:held_out], records[:held_out])
    start = np.log((1.2 - _SLOWEST) / (_FASTEST - 1.2))

    def init(key):
        return {"s": start + 0.01 * jax.random.normal(key, [_CELLS])}

    return _fitted(
        "wave-inversion-1d",
        data,
        init,
        lambda params, x, y: jnp.mean((_wave_traces(_velocity(params), x) - y) ** 2),
        "val MSE",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"1-D waves of {train} train / {held_out} val shots (Ricker sources) recorded at "
        f"{len(_RECEIVERS)} receivers; the speed of each of {_CELLS} cells fitted through {_STEPS} leapfrog steps; "
        f"batch {batch}",
    )


SPLIT = "held-out-27"
TASKS: dict[str, Callable[..., Task]] = {
    "kalman-lds-likelihood": kalman_lds_likelihood,
    "gru-seq2seq-reverse": gru_seq2seq_reverse,
    "wave-inversion-1d": wave_inversion_1d,
}
