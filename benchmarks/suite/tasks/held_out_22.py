"""The *held-out-22* tasks, added in round 38 for a later round, are kept aside from every design, the held-out-21
tasks' included, and run once (``--split held-out-22``) with the defaults frozen.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def _basis_bits(qubits: int):
    """Each basis state's bits, [2^qubits, qubits], qubit 0 the most significant."""
    return (np.arange(2**qubits)[:, None] >> (qubits - 1 - np.arange(qubits))) & 1


def _ising_constants(qubits: int):
    """What :func:`vqe_ising_circuit` needs of its chain of ``qubits``: for each basis state, ``Z_i Z_{i+1}`` of each
    neighbouring pair [2^qubits, qubits - 1], and the sign of the ladder of controlled-Z gates on those pairs
    [2^qubits]."""
    bits = _basis_bits(qubits)
    spins = 1 - 2 * bits
    return spins[:, :-1] * spins[:, 1:], (-1.0) ** np.sum(bits[:, :-1] * bits[:, 1:], 1)


def _circuit_state(angles, ladder_sign):
    """The state of :func:`vqe_ising_circuit`'s circuit from ``|0...0>``: a layer of RY rotations by ``angles[0]``,
    then, for each later row of ``angles``, the ladder of controlled-Z gates and a layer of RY rotations. Real
    amplitudes, [2^qubits]."""
    layers, qubits = angles.shape
    state = jnp.zeros([2] * qubits).at[(0,) * qubits].set(1.0)
    for layer in range(layers):
        if layer:
            state = state * ladder_sign.reshape([2] * qubits)
        for qubit in range(qubits):
            cos, sin = jnp.cos(angles[layer, qubit] / 2), jnp.sin(angles[layer, qubit] / 2)
            rotation = jnp.stack([jnp.stack([cos, -sin]), jnp.stack([sin, cos])])
            state = jnp.moveaxis(jnp.tensordot(rotation, state, axes=[[1], [qubit]]), 0, qubit)
    return state.reshape(-1)


def _term_expectations(state, pairs):
    """``<Z_i Z_{i+1}>`` of each neighbouring pair, then ``<X_i>`` of each qubit, in ``state`` (real)."""
    qubits = pairs.shape[1] + 1
    tensor = state.reshape([2] * qubits)
    zz = (state**2) @ pairs
    x = jnp.stack([jnp.sum(tensor * jnp.flip(tensor, qubit)) for qubit in range(qubits)])
    return jnp.concatenate([zz, x])


def vqe_ising_circuit(*, quick: bool = False) -> Task:
    """Find the ground state of a chain of 8 spins: a variational quantum eigensolver (the angles of a simulated
    circuit of RY rotations and controlled-Z gates, 6 layers), the energy of the transverse-field Ising Hamiltonian
    estimated from 4 of its 15 terms an update.

    DOCSTRING
    """
    qubits, layers, field, terms_per_update = 8, 6, 1.0, 4
    pairs, ladder_sign = _ising_constants(qubits)
    coefficients = np.concatenate([-np.ones(qubits - 1), -field * np.ones(qubits)])
    data = {
        "pairs": jnp.asarray(pairs, jnp.float32),
        "ladder_sign": jnp.asarray(ladder_sign, jnp.float32),
        "coefficients": jnp.asarray(coefficients, jnp.float32),
    }

    def init(key):
        return jax.random.uniform(key, [layers, qubits], minval=-np.pi, maxval=np.pi)

    def sample(data, key):
        return jax.random.randint(key, [terms_per_update], 0, len(coefficients))

    def energies(params, data):
        expectations = _term_expectations(_circuit_state(params, data["ladder_sign"]), data["pairs"])
        return data["coefficients"] * expectations

    def loss(params, batch):
        # The terms drawn, each weighted by the number of terms: an unbiased estimate of the energy.
        return len(coefficients) * jnp.mean(energies(params, data)[batch])

    def evaluate(params, data):
        return jnp.sum(energies(params, data))

    return Task(
        "vqe-ising-circuit",
        data,
        init,
        sample,
        loss,
        evaluate,
        "energy",
        False,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"the transverse-field Ising chain of {qubits} spins (open, field {field:g}); a circuit of "
        f"{layers} layers of RY rotations, controlled-Z ladders between; {terms_per_update} of the "
        f"{len(coefficients)} terms an update",
    )


def _hmm_sequences(count: int, length: int, start, transition, emission, rng: np.random.Generator):
    """The sequences of :func:`hmm_forward_likelihood`: a hidden chain from ``start`` and ``transition``, a symbol
    drawn from ``emission``'s row of each hidden state. Returns the symbols [count, length]."""
    states = np.zeros([count, length], int)
    symbols = np.zeros([count, length], int)
    cumulative_transition, cumulative_emission = np.cumsum(transition, 1), np.cumsum(emission, 1)
    states[:, 0] = np.searchsorted(np.cumsum(start), rng.random(count), side="right")
    for t in range(1, length):
        states[:, t] = (rng.random(count)[:, None] > cumulative_transition[states[:, t - 1]]).sum(1)
    for t in range(length):
        symbols[:, t] = (rng.random(count)[:, None] > cumulative_emission[states[:, t]]).sum(1)
    return symbols


def _hmm_truth(states: int, symbols: int, stay: float, concentration: float, rng: np.random.Generator):
    """The hidden Markov model that draws :func:`hmm_forward_likelihood`'s data: a uniform start; a transition that
    stays with probability ``stay`` and otherwise moves by Dirichlet(1) over the other states; each state's emission
    Dirichlet(``concentration``) over the symbols."""
    moves = rng.dirichlet(np.ones(states - 1), states)
    transition = np.zeros([states, states])
    for state in range(states):
        transition[state, np.arange(states) != state] = (1 - stay) * moves[state]
        transition[state, state] = stay
    return np.full(states, 1 / states), transition, rng.dirichlet(concentration * np.ones(symbols), states)


def _hmm_log_likelihood(params, sequences):
    """Each sequence's log-likelihood under the hidden Markov model of ``params`` (logits of the start, the
    transition and the emission), by the forward algorithm in log space."""
    log_start = jax.nn.log_softmax(params["start"])
    log_transition = jax.nn.log_softmax(params["transition"], -1)
    log_emission = jax.nn.log_softmax(params["emission"], -1)
    emitted = jnp.moveaxis(log_emission.T[sequences], 1, 0)  # [length, count, states]

    def step(alpha, emission):
        return jax.nn.logsumexp(alpha[:, :, None] + log_transition, 1) + emission, None

    alpha, _ = jax.lax.scan(step, log_start + emitted[0], emitted[1:])
    return jax.nn.logsumexp(alpha, -1)


def hmm_forward_likelihood(*, quick: bool = False) -> Task:
    """Fit a hidden Markov model to symbol sequences: its start, transition and emission logits, the negative
    log-likelihood by the forward algorithm, batch 32 sequences.

    DOCSTRING
    """
    states, symbols, stay, concentration, length, train, held_out, batch = 5, 10, 0.9, 0.2, 40, 2000, 500, 32
    rng = np.random.default_rng(0)
    truth = _hmm_truth(states, symbols, stay, concentration, rng)
    sequences = _hmm_sequences(train + held_out, length, *truth, rng)
    data = _rows(sequences[held_out:], sequences[held_out:], sequences[:held_out], sequences[:held_out], jnp.int32)
    data = {name: value.astype(jnp.int32) for name, value in data.items()}

    def init(key):
        keys = jax.random.split(key, 3)
        return {
            "start": jax.random.normal(keys[0], [states]),
            "transition": jax.random.normal(keys[1], [states, states]),
            "emission": jax.random.normal(keys[2], [states, symbols]),
        }

    def loss(params, sequences, _):
        return -jnp.mean(_hmm_log_likelihood(params, sequences)) / length

    return _fitted(
        "hmm-forward-likelihood",
        data,
        init,
        loss,
        "val NLL (nats a symbol)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"sequences of {length} symbols of {symbols} from a hidden Markov model of {states} states (stay "
        f"{stay:g}), {train} train / {held_out} val; an HMM of {states} states by the forward algorithm; batch {batch}",
    )


#: The free tetrominoes of :func:`capsule_tetrominoes`, as cells (row, column): I, O, T, S, L.
TETROMINOES = (
    ((0, 0), (0, 1), (0, 2), (0, 3)),
    ((0, 0), (0, 1), (1, 0), (1, 1)),
    ((0, 0), (0, 1), (0, 2), (1, 1)),
    ((0, 1), (0, 2), (1, 0), (1, 1)),
    ((0, 0), (1, 0), (2, 0), (2, 1)),
)


def _tetromino_images(count: int, side: int, noise: float, rng: np.random.Generator):
    """The images of :func:`capsule_tetrominoes`: a class uniform over :data:`TETROMINOES`, its cells turned by a
    quarter turn uniform in 0-3 and mirrored with probability 1/2, at an offset uniform where it fits in ``side`` x
    ``side``, each cell a pixel of 1 on 0, plus N(0, ``noise``^2) on every pixel. Returns the images and the
    classes."""
    classes = rng.integers(0, len(TETROMINOES), count)
    turns, mirrors, places = rng.integers(0, 4, count), rng.random(count) < 0.5, rng.random([count, 2])
    images = np.zeros([count, side, side])
    for index in range(count):
        cells = np.array(TETROMINOES[classes[index]])
        if mirrors[index]:
            cells[:, 1] = -cells[:, 1]
        for _ in range(turns[index]):
            cells = np.stack([cells[:, 1], -cells[:, 0]], 1)
        cells -= cells.min(0)
        top, left = (places[index] * (side - cells.max(0))).astype(int)
        images[index, top + cells[:, 0], left + cells[:, 1]] = 1
    return images + noise * rng.normal(size=images.shape), classes


def _squash(s, axis=-1):
    """Sabour et al.'s nonlinearity: ``s`` scaled to the length ``|s|^2 / (1 + |s|^2)``."""
    squared = jnp.sum(s**2, axis, keepdims=True)
    return s * jnp.sqrt(squared + 1e-9) / (1 + squared)


def _capsule_lengths(params, images, iterations: int):
    """The class capsules' lengths of :func:`capsule_tetrominoes`' network for ``images`` [B, H, W]."""
    count, side = images.shape[0], images.shape[1]
    inner = side - 2
    x = images[..., None]
    patches = jnp.concatenate([x[:, i : i + inner, j : j + inner] for i in range(3) for j in range(3)], -1)
    h = jax.nn.relu(patches @ params["conv"]["w"] + params["conv"]["b"])  # [B, inner, inner, channels]
    places = (inner - 3) // 2 + 1
    windows = [
        h[:, 2 * p : 2 * p + 3, 2 * q : 2 * q + 3].reshape(count, -1) for p in range(places) for q in range(places)
    ]
    primary = jnp.stack(windows, 1) @ params["primary"]["w"] + params["primary"]["b"]  # [B, places^2, types * dim]
    types, dim = params["votes"].shape[0] // places**2, params["votes"].shape[2]
    u = _squash(primary.reshape(count, places**2 * types, dim))
    votes = jnp.einsum("nid,ijde->nije", u, params["votes"])  # [B, capsules, classes, class_dim]
    logits = jnp.zeros(votes.shape[:3])
    for iteration in range(iterations):
        v = _squash(jnp.einsum("nij,nije->nje", jax.nn.softmax(logits, -1), votes))
        if iteration + 1 < iterations:
            logits = logits + jnp.einsum("nije,nje->nij", votes, v)
    return jnp.sqrt(jnp.sum(v**2, -1) + 1e-9)


def capsule_tetrominoes(*, quick: bool = False) -> Task:
    """Tell the five tetrominoes apart in noisy images, whatever their pose: a capsule network (a 3x3 convolution,
    primary capsules, class capsules by 3 iterations of dynamic routing), the margin loss, batch 64.

    DOCSTRING
    """
    side, noise, channels, types, dim, class_dim, iterations, train, held_out, batch = (
        10,
        0.1,
        16,
        8,
        4,
        8,
        3,
        4000,
        1000,
        64,
    )
    images, classes = _tetromino_images(train + held_out, side, noise, np.random.default_rng(0))
    data = _rows(images[held_out:], classes[held_out:], images[:held_out], classes[:held_out], jnp.int32)
    places = ((side - 2) - 3) // 2 + 1
    capsules, labels = places**2 * types, len(TETROMINOES)

    def init(key):
        keys = jax.random.split(key, 3)
        return {
            "conv": {"w": jax.random.normal(keys[0], [9, channels]) / 3.0, "b": jnp.zeros([channels])},
            "primary": {
                "w": jax.random.normal(keys[1], [9 * channels, types * dim]) / np.sqrt(9 * channels),
                "b": jnp.zeros([types * dim]),
            },
            "votes": jax.random.normal(keys[2], [capsules, labels, dim, class_dim]) / np.sqrt(dim),
        }

    def margin_loss(params, images, classes):
        lengths = _capsule_lengths(params, images, iterations)
        present = jax.nn.one_hot(classes, labels)
        each = present * jax.nn.relu(0.9 - lengths) ** 2 + 0.5 * (1 - present) * jax.nn.relu(lengths - 0.1) ** 2
        return jnp.mean(jnp.sum(each, -1))

    return _fitted(
        "capsule-tetrominoes",
        data,
        init,
        margin_loss,
        "val margin loss",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"{side}x{side} images of one of the {labels} tetrominoes, any pose, noise {noise:g}, {train} "
        f"train / {held_out} val; a capsule network (3x3 convolution to {channels}, {capsules} primary capsules of "
        f"{dim}, {labels} class capsules of {class_dim}, {iterations} routing iterations); batch {batch}",
    )


SPLIT = "held-out-22"
TASKS: dict[str, Callable[..., Task]] = {
    "vqe-ising-circuit": vqe_ising_circuit,
    "hmm-forward-likelihood": hmm_forward_likelihood,
    "capsule-tetrominoes": capsule_tetrominoes,
}
