"""The held-out-27 split: it runs only when asked, apart from every other split; its tasks hold the data their
docstrings state (each drawn again here by hand, its references and its model computed in numpy); they train; and
their targets and the baseline's rates were set from fixed optimizers only, so that the split stays blind."""

import held_out_split
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import special

from benchmarks.suite import cli, tasks
from benchmarks.suite.tasks import held_out_27

HELD_OUT_27 = ["kalman-lds-likelihood", "gru-seq2seq-reverse", "wave-inversion-1d"]


def test_the_held_out_27_split_runs_only_when_asked_and_is_disjoint_from_every_other(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_runs_only_when_asked(held_out_27, HELD_OUT_27, "held-out-26", 43, help_text)


def _kalman_by_hand(a, c, q, r, y):
    """The negative log-likelihood of each sequence ``y [N, T, m]`` by the textbook Kalman filter (column vectors,
    ``x_{t+1} = A x_t + w``, ``y_t = C x_t + v``, every observation of a step at once through its covariance
    ``S = C P C' + R`` and the gain ``P C' S^-1``), nats per observed number."""
    count, length, observed = y.shape
    nll = np.zeros(count)
    for n in range(count):
        mean, cov = np.zeros(a.shape[0]), np.eye(a.shape[0])
        for t in range(length):
            s = c @ cov @ c.T + r
            e = y[n, t] - c @ mean
            gain = cov @ c.T @ np.linalg.inv(s)
            nll[n] += 0.5 * (np.linalg.slogdet(2 * np.pi * s)[1] + e @ np.linalg.solve(s, e))
            mean, cov = mean + gain @ e, cov - gain @ s @ gain.T
            mean, cov = a @ mean, a @ cov @ a.T + q
    return nll / (length * observed)


def test_kalman_lds_likelihood_holds_the_data_its_docstring_states():
    task = tasks.kalman_lds_likelihood()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (2000, 40, 3) and data["x_val"].shape == (500, 40, 3)
    # The data by hand: the rotation U, the observation matrix, the starts, the state noise, then the observation
    # noise; the first 500 sequences for validation.
    rng = np.random.default_rng(0)
    u = np.linalg.qr(rng.normal(size=[4, 4]))[0]
    turn = [[np.cos(0.25), -np.sin(0.25), 0, 0], [np.sin(0.25), np.cos(0.25), 0, 0]]
    turn += [[0, 0, np.cos(1.2), -np.sin(1.2)], [0, 0, np.sin(1.2), np.cos(1.2)]]
    transition = u @ (np.diag([0.97, 0.97, 0.8, 0.8]) @ np.array(turn)) @ u.T
    emission = rng.normal(0, 0.5, [3, 4])
    start = rng.normal(size=[2500, 4])
    w = rng.normal(0, 0.3, [2500, 40, 4])
    v = rng.normal(0, 0.5, [2500, 40, 3])
    y = np.zeros([2500, 40, 3])
    for n in range(2500):
        x = start[n]
        for t in range(40):
            y[n, t] = emission @ x + v[n, t]
            x = transition @ x + w[n, t]
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), y, atol=1e-5)
    assert sorted(np.abs(np.linalg.eigvals(transition))) == pytest.approx([0.8, 0.8, 0.97, 0.97])
    # The references on the validation sequences: the true model; each number alone, a Gaussian of zero mean and the
    # training numbers' variance.
    true = _kalman_by_hand(transition, emission, 0.09 * np.eye(4), 0.25 * np.eye(3), y[:500])
    assert np.mean(true) == pytest.approx(REFERENCES["kalman-true"], abs=5e-4)
    variance = np.mean(y[500:] ** 2, (0, 1))
    alone = np.mean(0.5 * np.log(2 * np.pi * variance) + 0.5 * y[:500] ** 2 / variance)
    assert alone == pytest.approx(REFERENCES["kalman-alone"], abs=5e-4)
    # The model by hand: any transition, observation map and noises, on 8 sequences (rows: x_next = x a, y = x c).
    params = {
        "a": rng.normal(0, 0.4, [4, 4]),
        "c": rng.normal(0, 0.5, [4, 3]),
        "log_q": rng.normal(-1, 0.3, 4),
        "log_r": rng.normal(-1, 0.3, 3),
    }
    q, r = np.diag(np.exp(params["log_q"])), np.diag(np.exp(params["log_r"]))
    by_hand = np.mean(_kalman_by_hand(params["a"].T, params["c"].T, q, r, y[:8]))
    batch = (jnp.asarray(y[:8], jnp.float32), jnp.zeros(8))
    value = jax.jit(task.loss)(jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), params), batch)
    assert float(value) == pytest.approx(by_hand, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _gru_by_hand(p, h, x):
    """One GRU step, one sequence, its gates in the order update, reset, candidate."""
    width = h.shape[0]
    gates, recurrent = x @ p["w"] + p["b"], h @ p["u"]
    z = special.expit(gates[:width] + recurrent[:width])
    reset = special.expit(gates[width : 2 * width] + recurrent[width : 2 * width])
    candidate = np.tanh(gates[2 * width :] + reset * recurrent[2 * width :])
    return (1 - z) * candidate + z * h


def test_gru_seq2seq_reverse_holds_the_data_its_docstring_states():
    task = tasks.gru_seq2seq_reverse()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    assert data["x_train"].shape == (8000, 8) and data["x_val"].shape == (1000, 8)
    # The data by hand: 9,000 sequences of 8 symbols of 8, the first 1,000 for validation, each target reversed.
    tokens = np.random.default_rng(0).integers(0, 8, [9000, 8])
    np.testing.assert_array_equal(np.concatenate([data["x_val"], data["x_train"]]), tokens)
    np.testing.assert_array_equal(np.concatenate([data["y_val"], data["y_train"]]), [list(reversed(s)) for s in tokens])
    # The model by hand on 4 sequences: the encoder reads the symbols one-hot (of 9), the decoder the start symbol (8)
    # then the target's symbols but the last, from the encoder's last state; the cross entropy at every place.
    params = jax.tree.map(np.asarray, task.init(jax.random.PRNGKey(3)))
    one_hot = np.eye(9)
    losses = []
    for source, target in zip(tokens[:4], tokens[:4, ::-1], strict=True):
        h = np.zeros(64)
        for symbol in source:
            h = _gru_by_hand(params["encoder"], h, one_hot[symbol])
        for before, symbol in zip([8, *target[:-1]], target, strict=True):
            h = _gru_by_hand(params["decoder"], h, one_hot[before])
            logits = h @ params["readout"]["w"] + params["readout"]["b"]
            losses.append(special.logsumexp(logits) - logits[symbol])
    batch = (jnp.asarray(tokens[:4], jnp.int32), jnp.asarray(tokens[:4, ::-1], jnp.int32))
    assert float(jax.jit(task.loss)(task.init(jax.random.PRNGKey(3)), batch)) == pytest.approx(
        np.mean(losses), rel=1e-4
    )
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _waves_by_hand(velocity, cell, frequency):
    """One shot by hand: the leapfrog scheme on 48 cells, zero beyond both ends, a Ricker source at ``cell`` (times 150,
    divided by the cell's width), 160 steps of 0.008 from rest; the waves at cells 3, 11, ..., 43 after every 4th
    step."""
    dx, dt = 1 / 48, 0.008
    before, now, records = np.zeros(48), np.zeros(48), []
    for step in range(160):
        arg = (np.pi * frequency * (dt * step - 1.2 / frequency)) ** 2
        source = np.zeros(48)
        source[cell] = 150 * (1 - 2 * arg) * np.exp(-arg) / dx
        laplacian = (np.concatenate([[0], now[:-1]]) - 2 * now + np.concatenate([now[1:], [0]])) / dx**2
        before, now = now, 2 * now - before + dt**2 * (velocity**2 * laplacian + source)
        if step % 4 == 3:
            records.append(now[3::8])
    return np.array(records)


def test_wave_inversion_1d_holds_the_data_its_docstring_states():
    task = tasks.wave_inversion_1d()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (512, 2) and data["y_train"].shape == (512, 40, 6)
    assert data["x_val"].shape == (128, 2) and data["y_val"].shape == (128, 40, 6)
    # The data by hand: the bumps' heights, centres and deviations, the shots' cells, their frequencies, then the
    # records' noise; the first 128 shots for validation.
    rng = np.random.default_rng(0)
    heights, centres, widths = rng.uniform(-0.4, 0.5, 3), rng.uniform(0.15, 0.85, 3), rng.uniform(0.04, 0.1, 3)
    x = (np.arange(48) + 0.5) / 48
    velocity = 1.2 + sum(
        h * np.exp(-((x - m) ** 2) / (2 * s**2)) for h, m, s in zip(heights, centres, widths, strict=True)
    )
    cells, frequencies = rng.integers(0, 48, 640), rng.uniform(3, 6, 640)
    np.testing.assert_array_equal(np.concatenate([data["x_val"], data["x_train"]])[:, 0], cells)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]])[:, 1], frequencies, rtol=1e-6)
    clean = np.array([_waves_by_hand(velocity, k, f) for k, f in zip(cells, frequencies, strict=True)])
    records = clean + rng.normal(0, 0.1, clean.shape)
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), records, atol=REFERENCES["wave-atol"])
    assert velocity.min() > 0.5 and velocity.max() < 2.2
    # The references on the validation shots: the true speed (the noise), the model's start (1.2 everywhere), no wave.
    assert np.mean((records[:128] - clean[:128]) ** 2) == pytest.approx(REFERENCES["wave-true"], abs=5e-4)
    flat = np.array(
        [_waves_by_hand(np.full(48, 1.2), k, f) for k, f in zip(cells[:128], frequencies[:128], strict=True)]
    )
    assert np.mean((records[:128] - flat) ** 2) == pytest.approx(REFERENCES["wave-start"], rel=1e-3)
    assert np.mean(records[:128] ** 2) == pytest.approx(REFERENCES["wave-zero"], rel=1e-3)
    # The model by hand: any speeds through the bounds 0.5 + 1.7 sigmoid(s), on 4 shots.
    s = rng.normal(0, 1, 48)
    by_hand = np.mean(
        [
            (_waves_by_hand(0.5 + 1.7 * special.expit(s), k, f) - r) ** 2
            for k, f, r in zip(cells[:4], frequencies[:4], records[:4], strict=True)
        ]
    )
    batch = (jnp.asarray(np.stack([cells[:4], frequencies[:4]], 1), jnp.float32), jnp.asarray(records[:4], jnp.float32))
    assert float(jax.jit(task.loss)({"s": jnp.asarray(s, jnp.float32)}, batch)) == pytest.approx(by_hand, rel=1e-3)
    start = task.init(jax.random.PRNGKey(0))["s"]
    np.testing.assert_allclose(0.5 + 1.7 * special.expit(np.asarray(start)), 1.2, atol=0.05)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


REFERENCES = {
    "kalman-true": 0.9262,
    "kalman-alone": 1.2832,
    "wave-atol": 1e-4,
    "wave-true": 0.00996,
    "wave-start": 1.491,
    "wave-zero": 1.4354,
}


@pytest.mark.parametrize("name", HELD_OUT_27)
def test_held_out_27_tasks_train(name):
    held_out_split.check_trains(name)


def test_held_out_27_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("held-out-27", HELD_OUT_27)
