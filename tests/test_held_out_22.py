"""The held-out-22 split: it runs only when asked, apart from every other split; its tasks hold the data their
docstrings state (each drawn again here by hand, its references and its model computed in numpy); they train; and
their targets and the baseline's rates were set from fixed optimizers only, so that the split stays blind."""

import math
from functools import reduce

import held_out_split
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import optimize
from sklearn.linear_model import LogisticRegression

from benchmarks.suite import cli, tasks
from benchmarks.suite.tasks import held_out_22

HELD_OUT_22 = ["vqe-ising-circuit", "hmm-forward-likelihood", "capsule-tetrominoes"]


def test_the_held_out_22_split_runs_only_when_asked_and_is_disjoint_from_every_other(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_runs_only_when_asked(held_out_22, HELD_OUT_22, "held-out-21", 38, help_text)


# The Pauli matrices and the gates of the circuit, as dense matrices on the 8 qubits (qubit 0 the leftmost factor).
EYE, X, Z = np.eye(2), np.array([[0.0, 1.0], [1.0, 0.0]]), np.diag([1.0, -1.0])


def _on(qubits, **factors):
    """The Kronecker product over ``qubits`` of the 2x2 matrix ``factors["q<i>"]`` on qubit ``i``, the identity on the
    others."""
    return reduce(np.kron, [factors.get(f"q{i}", EYE) for i in range(qubits)])


def _ry(angle):
    return np.array([[math.cos(angle / 2), -math.sin(angle / 2)], [math.sin(angle / 2), math.cos(angle / 2)]])


def test_vqe_ising_circuit_holds_the_hamiltonian_and_circuit_its_docstring_states():
    task = tasks.vqe_ising_circuit()
    qubits, layers = 8, 6
    # The Hamiltonian by hand: -sum Z_i Z_{i+1} over the 7 neighbouring pairs of the open chain, -1 times sum X_i.
    zz = [_on(qubits, **{f"q{i}": Z, f"q{i + 1}": Z}) for i in range(qubits - 1)]
    xs = [_on(qubits, **{f"q{i}": X}) for i in range(qubits)]
    hamiltonian = -sum(zz) - sum(xs)
    levels = np.linalg.eigvalsh(hamiltonian)
    # The references: the ground energy, the first excited level, the best product state (each spin turned by the
    # same angle, -7 cos^2 a - 8 sin a, at sin a = 4/7) and |0...0>.
    assert levels[0] == pytest.approx(-9.8380, abs=5e-5) and levels[1] == pytest.approx(-9.4689, abs=5e-5)
    product = optimize.minimize_scalar(lambda a: -7 * math.cos(a) ** 2 - 8 * math.sin(a), bounds=(0, 1.5))
    assert product.fun == pytest.approx(-9.2857, abs=5e-5)
    assert math.sin(product.x) == pytest.approx(4 / 7, abs=1e-5)
    # The circuit by hand: RY on every qubit, then 5 times the ladder of controlled-Z gates on the neighbouring pairs
    # and RY on every qubit, from |0...0>.
    # The controlled-Z gate of a pair is 1 - 2 |11><11| on it.
    one = np.diag([0.0, 1.0])
    ladder = reduce(
        np.matmul, [np.eye(2**qubits) - 2 * _on(qubits, **{f"q{i}": one, f"q{i + 1}": one}) for i in range(7)]
    )
    rng = np.random.default_rng(0)
    angles = rng.uniform(-np.pi, np.pi, [layers, qubits])
    state = np.zeros(2**qubits)
    state[0] = 1
    for layer in range(layers):
        if layer:
            state = ladder @ state
        state = reduce(np.kron, [_ry(angle) for angle in angles[layer]]) @ state
    energy = state @ hamiltonian @ state
    f32 = np.float32(angles)
    assert float(jax.jit(task.evaluate)(f32, task.data)) == pytest.approx(energy, abs=2e-4)
    # The loss: the 4 terms drawn (the 7 pairs' -Z_i Z_{i+1}, then the 8 qubits' -X_i), their mean times 15, an
    # unbiased estimate of the energy.
    terms = [-term for term in zz] + [-term for term in xs]
    batch = np.array([0, 3, 9, 14])
    by_hand = 15 * np.mean([state @ terms[k] @ state for k in batch])
    assert float(jax.jit(task.loss)(f32, jnp.asarray(batch))) == pytest.approx(by_hand, abs=2e-4)
    drawn = np.asarray(jax.vmap(lambda key: task.sample(task.data, key))(jax.random.split(jax.random.key(0), 4000)))
    assert drawn.shape == (4000, 4) and set(np.unique(drawn)) == set(range(15))
    # The start: the angles N(0, 0.1^2), close to |0...0> (energy -7 at exactly 0).
    start = np.asarray(task.init(jax.random.key(0)))
    assert start.shape == (layers, qubits) and 0.05 < start.std() < 0.15
    assert float(task.evaluate(jnp.zeros([layers, qubits]), task.data)) == pytest.approx(-7.0, abs=1e-5)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _forward_by_hand(start, transition, emission, sequences):
    """Each sequence's log-likelihood under a hidden Markov model, by the forward algorithm with scaling."""
    total = np.zeros(len(sequences))
    alpha = start[None] * emission[:, sequences[:, 0]].T
    for t in range(sequences.shape[1]):
        if t:
            alpha = (alpha @ transition) * emission[:, sequences[:, t]].T
        scale = alpha.sum(1)
        total += np.log(scale)
        alpha = alpha / scale[:, None]
    return total


def _softmax(logits):
    exp = np.exp(logits - logits.max(-1, keepdims=True))
    return exp / exp.sum(-1, keepdims=True)


def test_hmm_forward_likelihood_holds_the_data_its_docstring_states():
    task = tasks.hmm_forward_likelihood()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    assert data["x_train"].shape == (2000, 40) and data["x_val"].shape == (500, 40)
    np.testing.assert_array_equal(data["x_train"], data["y_train"])
    # The model that drew the data, by hand: a uniform start over 5 states; each state stays with probability 0.9
    # and otherwise moves by Dirichlet(1) over the 4 others; each state's emission Dirichlet(0.2) over 10 symbols.
    rng = np.random.default_rng(0)
    moves = rng.dirichlet(np.ones(4), 5)
    transition = np.full([5, 5], 0.9) * np.eye(5)
    for state in range(5):
        transition[state, [k for k in range(5) if k != state]] = 0.1 * moves[state]
    emission = rng.dirichlet(np.full(10, 0.2), 5)
    # The sequences: the first hidden state uniform, then the chain, then a symbol from each state's emission, each
    # draw the inverse of the cumulative distribution at a uniform number; the first 500 for validation.
    hidden = np.zeros([2500, 40], int)
    hidden[:, 0] = np.searchsorted(np.cumsum(np.full(5, 0.2)), rng.random(2500), side="right")
    for t in range(1, 40):
        uniform = rng.random(2500)
        hidden[:, t] = [
            np.searchsorted(np.cumsum(transition[s]), u, side="right")
            for s, u in zip(hidden[:, t - 1], uniform, strict=True)
        ]
    symbols = np.zeros([2500, 40], int)
    for t in range(40):
        uniform = rng.random(2500)
        symbols[:, t] = [
            np.searchsorted(np.cumsum(emission[s]), u, side="right") for s, u in zip(hidden[:, t], uniform, strict=True)
        ]
    np.testing.assert_array_equal(np.concatenate([data["x_val"], data["x_train"]]), symbols)
    # The references, nats a symbol on the validation sequences: the true model, a bigram table of the training
    # sequences (counts plus 1), each symbol's frequency, uniform.
    train, val = symbols[500:], symbols[:500]
    truth = -np.mean(_forward_by_hand(np.full(5, 0.2), transition, emission, val)) / 40
    assert truth == pytest.approx(1.577, abs=5e-4)
    frequency = np.bincount(train.ravel(), minlength=10) / train.size
    assert -np.mean(np.log(frequency[val])) == pytest.approx(1.874, abs=5e-4)
    pairs = np.ones([10, 10])
    np.add.at(pairs, (train[:, :-1], train[:, 1:]), 1)
    pairs /= pairs.sum(1, keepdims=True)
    bigram = -(np.log(frequency[val[:, 0]]).sum() + np.log(pairs[val[:, :-1], val[:, 1:]]).sum()) / val.size
    assert bigram == pytest.approx(1.697, abs=5e-4)
    assert math.log(10) == pytest.approx(2.303, abs=5e-4)
    # The model: logits of the start, the transition and the emission (softmax over the last axis); the loss the
    # negative log-likelihood a symbol.
    params = {"start": rng.normal(size=5), "transition": rng.normal(size=[5, 5]), "emission": rng.normal(size=[5, 10])}
    rows = val[:32]
    by_hand = -np.mean(
        _forward_by_hand(_softmax(params["start"]), _softmax(params["transition"]), _softmax(params["emission"]), rows)
    )
    f32 = jax.tree.map(np.float32, params)
    batch = (jnp.asarray(rows, jnp.int32), jnp.asarray(rows, jnp.int32))
    assert float(jax.jit(task.loss)(f32, batch)) == pytest.approx(by_hand / 40, rel=1e-5)
    true_params = jax.tree.map(
        np.float32, {"start": np.zeros(5), "transition": np.log(transition), "emission": np.log(emission)}
    )
    assert float(jax.jit(task.evaluate)(true_params, task.data)) == pytest.approx(truth, rel=1e-5)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _tetrominoes_by_hand(count, rng):
    """The images of :func:`held_out_22.capsule_tetrominoes`, by hand: the cells of I, O, T, S and L, mirrored
    (column negated) with probability 1/2, turned a quarter turn clockwise 0-3 times, moved to the top left, at an
    offset uniform where they fit in 10x10, plus N(0, 0.1^2) on every pixel."""
    shapes = [
        [(0, 0), (0, 1), (0, 2), (0, 3)],
        [(0, 0), (0, 1), (1, 0), (1, 1)],
        [(0, 0), (0, 1), (0, 2), (1, 1)],
        [(0, 1), (0, 2), (1, 0), (1, 1)],
        [(0, 0), (1, 0), (2, 0), (2, 1)],
    ]
    classes = rng.integers(0, 5, count)
    turns, mirrors, places = rng.integers(0, 4, count), rng.random(count) < 0.5, rng.random([count, 2])
    images = np.zeros([count, 10, 10])
    quarter = np.array([[0, -1], [1, 0]])  # (row, column) -> (column, -row)
    for index in range(count):
        cells = np.array(shapes[classes[index]]) * np.array([1, -1 if mirrors[index] else 1])
        cells = cells @ np.linalg.matrix_power(quarter, turns[index])
        cells = cells - cells.min(0)
        extent = cells.max(0) + 1
        offset = np.floor(places[index] * (10 - extent + 1)).astype(int)
        for row, column in cells + offset:
            images[index, row, column] = 1
    return images + 0.1 * rng.normal(size=images.shape), classes


def _squash(s):
    squared = np.sum(s**2, -1, keepdims=True)
    return s * np.sqrt(squared) / (1 + squared)


def _capsules_by_hand(params, images, iterations=3):
    """The class capsules' lengths, by hand: a 3x3 convolution (valid) to 16 channels, ReLU; at each of 3x3 places,
    stride 2, a 3x3 window of it mapped linearly to 8 capsules of 4, squashed; each primary capsule's vote for each
    class its own matrix times it; 3 iterations of routing by agreement."""
    count = len(images)
    conv = np.zeros([count, 8, 8, 16])
    for i in range(8):
        for j in range(8):
            conv[:, i, j] = (
                images[:, i : i + 3, j : j + 3].reshape(count, 9) @ params["conv"]["w"] + params["conv"]["b"]
            )
    conv = np.maximum(conv, 0)
    primary = np.stack(
        [conv[:, 2 * p : 2 * p + 3, 2 * q : 2 * q + 3].reshape(count, -1) for p in range(3) for q in range(3)], 1
    )
    u = _squash((primary @ params["primary"]["w"] + params["primary"]["b"]).reshape(count, 72, 4))
    votes = np.einsum("nid,ijde->nije", u, params["votes"])
    logits = np.zeros(votes.shape[:3])
    for _ in range(iterations):
        v = _squash(np.einsum("nij,nije->nje", _softmax(logits), votes))
        logits = logits + np.einsum("nije,nje->nij", votes, v)
    return np.linalg.norm(v, axis=-1)


def _margin_loss(lengths, classes):
    present = np.eye(lengths.shape[1])[classes]
    each = present * np.maximum(0.9 - lengths, 0) ** 2 + 0.5 * (1 - present) * np.maximum(lengths - 0.1, 0) ** 2
    return np.mean(each.sum(1))


def test_capsule_tetrominoes_holds_the_data_its_docstring_states():
    task = tasks.capsule_tetrominoes()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000, 10, 10) and data["x_val"].shape == (1000, 10, 10)
    rng = np.random.default_rng(0)
    images, classes = _tetrominoes_by_hand(5000, rng)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), images, atol=1e-6)
    np.testing.assert_array_equal(np.concatenate([data["y_val"], data["y_train"]]), classes)
    # Each image holds 4 cells of 1: the noise-free part sums to 4.
    assert np.all(np.round(images).sum((1, 2)) == 4)
    # The references: lengths all 0 (0.81 each image); a logistic regression of the pixels (its probabilities as the
    # lengths).
    x_train, y_train, x_val, y_val = images[1000:], classes[1000:], images[:1000], classes[:1000]
    assert _margin_loss(np.zeros([1000, 5]), y_val) == pytest.approx(0.81)
    logistic = LogisticRegression(max_iter=2000).fit(x_train.reshape(4000, -1), y_train)
    chances = logistic.predict_proba(x_val.reshape(1000, -1))
    assert logistic.score(x_val.reshape(1000, -1), y_val) == pytest.approx(0.231, abs=5e-4)
    assert _margin_loss(chances, y_val) == pytest.approx(0.515, abs=5e-4)
    # The network by hand, and its margin loss: 0.9 - length squared for the image's class, 0.5 (length - 0.1)^2
    # for each other, each cut at 0.
    params = {
        "conv": {"w": rng.normal(size=[9, 16]) / 3, "b": rng.normal(size=16) / 4},
        "primary": {"w": rng.normal(size=[144, 32]) / 12, "b": rng.normal(size=32) / 4},
        "votes": rng.normal(size=[72, 5, 4, 8]) / 2,
    }
    rows, row_classes = x_val[:16], y_val[:16]
    f32 = jax.tree.map(np.float32, params)
    batch = (jnp.asarray(rows, jnp.float32), jnp.asarray(row_classes, jnp.int32))
    by_hand = _margin_loss(_capsules_by_hand(params, rows), row_classes)
    assert float(jax.jit(task.loss)(f32, batch)) == pytest.approx(by_hand, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


@pytest.mark.parametrize("name", HELD_OUT_22)
def test_held_out_22_tasks_train(name):
    held_out_split.check_trains(name)


def test_held_out_22_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("held-out-22", HELD_OUT_22)
