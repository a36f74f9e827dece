"""The *held-out-29* tasks, added in round 45 for a later round, are kept aside from every design, the held-out-28
tasks' included, and run once (``--split held-out-29``) with the defaults frozen.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def _random_rotation(rng, dim):
    """A random orthogonal matrix: the Q of a Gaussian matrix's QR, its columns' signs fixed by R's diagonal."""
    q, r = np.linalg.qr(rng.normal(size=[dim, dim]))
    return q * np.sign(np.diag(r))


def _legendre(x, degree):
    """The Legendre polynomials ``P_0`` to ``P_degree`` at each ``x [B]``, by Bonnet's recurrence: ``[B, degree +
    1]``."""
    columns = [jnp.ones_like(x), x]
    for k in range(1, degree):
        columns.append(((2 * k + 1) * x * columns[k] - k * columns[k - 1]) / (k + 1))
    return jnp.stack(columns[: degree + 1], -1)


def legendre_series_fit(*, quick: bool = False) -> Task:
    """Fit a polynomial of degree 11 in one variable by its Legendre series, squared error, batch 64 points.

    A held-out-29 task, a least-squares fit of a function of one variable in an orthogonal polynomial basis that the
    model builds from its input by Bonnet's recurrence: the model is the one that drew the data, its 12 coefficients
    small and the label noise small, so the gradient's noise nearly vanishes at the optimum, and coefficient ``k``'s
    curvature is ``2 / (2k + 1)``, 2 down to 0.087 (nearest ``nuisance-feature-regression``'s and
    ``fir-system-identification``'s linear least squares, on many given features and on windows of a coloured signal;
    unlike ``siren-waves``' and ``kan-rbf-regression``'s nonlinear fits of a function to its values). The data (numpy
    seed 0): the true coefficients N(0, 0.05^2); ``x`` uniform in [-1, 1]; ``y`` the series at ``x`` plus N(0,
    0.001^2); 4,000 training and 1,000 validation points (the same for every run seed). The model: the 12 coefficients
    of ``P_0`` to ``P_11``, from zero (the same start on every seed). The loss and the metric are the mean squared
    error: 1.2150e-3 at the start, 1.0100e-6 for least squares on the training points, 1.0058e-6 for the true
    coefficients (the noise's variance). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed
    candidates ran on seeds 0 and 1, first on a deep linear network (three 16x16 matrices fitting a noisy linear map
    of correlated columns, started from orthogonal matrices times 0.6, 0.3 and 0.2, its loss summed or averaged over
    the outputs), where SGD with momentum either led from the first updates or stalled behind RMSProp, never the
    pattern sought; then on this task with label noise of 0.001, 0.0001 and 0.00001 (the same ordering at each: Adam
    and RMSProp far below SGD after 100 and 200 updates, SGD's best lowest; the first kept; 0.3 to 1.0 s a run). On the
    calibration seeds SGD with momentum at 1e-2 sets the target, 1.0094e-6, its median best 1.0057e-6 loosened by the
    spread of its bests (1.0035e-6 to 1.0086e-6, at 550 to 1,150 updates): it gets below it on every seed, within 500
    to 1,100 updates (median 600); Adam at 1e-3 on 1 of 5 (seed 101, at 150; its bests 1.0073e-6 to 1.0206e-6, at 150
    to 800, then a little above), and RMSProp at 1e-3 on none (bests 1.033e-6 to 1.162e-6). Yet Adam and RMSProp fall
    far faster at first: after 100 updates the validation error is 2.07e-6 to 2.45e-6 for Adam and 1.28e-6 to 1.73e-6
    for RMSProp against SGD's 7.39e-5 to 7.88e-5 (the training loss since the previous evaluation 1.88e-5 to 2.09e-5,
    6.94e-6 to 8.05e-6 and 1.41e-4 to 1.53e-4); after 200, 1.012e-6 to 1.031e-6 and 1.14e-6 to 1.94e-6 against 6.29e-6
    to 7.12e-6 (training 1.01e-6 to 1.05e-6, 1.65e-6 to 1.72e-6 and 1.06e-5 to 1.25e-5). The baseline's tuned rate is
    1e-3, the bottom of its grid (median best 1.0066e-6, below the target within 400 to 1,500 updates; its cosine
    decay stills Adam's jitter).
    """
    degree, train, held_out, batch = 11, 4000, 1000, 64
    rng = np.random.default_rng(0)
    coefficients = rng.normal(0, 0.05, degree + 1)
    count = train + held_out
    x = rng.uniform(-1, 1, count)
    y = np.polynomial.legendre.legval(x, coefficients) + rng.normal(0, 1e-3, count)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])

    def init(key):
        del key
        return jnp.zeros([degree + 1])

    def loss(params, x, y):
        return jnp.mean((_legendre(x, degree) @ params - y) ** 2)

    return _fitted(
        "legendre-series-fit",
        data,
        init,
        loss,
        "val squared error",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a polynomial of degree {degree} of a uniform variable plus noise, {train} train / {held_out} "
        f"val; its Legendre series' {degree + 1} coefficients; batch {batch}",
    )


def _tucker(params, index):
    """The Tucker model's entries at ``index [B, 3]``: the core contracted with each mode's factor row."""
    a, b, c = (params["factors"][mode][index[:, mode]] for mode in range(3))
    return jnp.einsum("pqr,bp,bq,br->b", params["core"], a, b, c)


def tucker_completion(*, quick: bool = False) -> Task:
    """Complete a 20x20x20 tensor of multilinear rank (3, 3, 3) from some of its noisy entries by a Tucker model of
    rank (4, 4, 4), squared error, batch 128 entries.

    A held-out-29 task, tensor completion by the Tucker decomposition (Tucker 1966): each entry a core of 4x4x4
    contracted with one row of each mode's factor, a sum of 64 products of four numbers, all started small (unlike
    ``logistic-cp-tensor``'s CP factors of a binary tensor, a diagonal core, ``matrix-completion``'s two factors and
    ``complex-kg-completion``'s products of three complex embeddings scored against every entity). The data (numpy
    seed 0): a true core N(0, 1) of 3x3x3; each mode's factor the first 3 columns of a random orthogonal 20x20 matrix
    times ``sqrt(20 / 3)``; 3,200 distinct entries drawn uniformly, plus N(0, 0.1^2), 2,400 for training and 800 for
    validation (the same for every run seed). The model: a core of 4x4x4 and three factors of 20x4, every number N(0,
    0.3^2). The loss and the metric are the mean squared error of the entries: 0.59 to 0.61 at the start, 0.5917 for
    the training entries' mean, 0.0097 for the true tensor (the noise's). Budget 2,000 updates, evaluated every 50.
    Before calibration, the fixed candidates ran on seeds 0 and 1, started from N(0, 0.5^2) (SGD with momentum the
    lowest, 0.10 to 0.11, every candidate still falling), N(0, 0.3^2), the task as it is (Adam the lowest, 0.064 to
    0.078; SGD 0.13 to 0.20) and N(0, 0.2^2) (SGD near the start after 2,000 updates); 0.4 to 0.6 s a run. On the
    calibration seeds Adam at 1e-3 sets the target, 0.20016, its median best 0.11209 loosened by the spread of its
    bests (0.031 to 0.136, at 2,000, still falling: the seeds' starts differ, so the target is a loose one): it gets
    below it on every seed, within 1,150 to 1,700 updates (median 1,300); RMSProp at 1e-3 on 4 of 5, within 1,650 to
    1,800 (bests 0.115 to 0.225, at 2,000, still falling), and SGD with momentum at 1e-2 on none (bests 0.213 to 0.388;
    after 1,000 updates it is still at 0.51 to 0.60, near the start, where the gradient of a product of four small
    numbers nearly vanishes). After 200 updates every candidate is still at the start, 0.589 to 0.597; after 1,000
    Adam is at 0.25 to 0.54, RMSProp at 0.28 to 0.58. The baseline's tuned rate is 1e-2 (median best 0.010365, near
    the true tensor's 0.0097, below the target within 200 to 300 updates).
    """
    size, true_rank, rank, train, held_out, batch = 20, 3, 4, 2400, 800, 128
    rng = np.random.default_rng(0)
    core = rng.normal(0, 1, [true_rank] * 3)
    factors = [_random_rotation(rng, size)[:, :true_rank] * np.sqrt(size) / np.sqrt(true_rank) for _ in range(3)]
    tensor = np.einsum("pqr,ip,jq,kr->ijk", core, *factors)
    count = train + held_out
    flat = rng.choice(size**3, count, replace=False)
    index = np.stack(np.unravel_index(flat, [size] * 3), 1)
    values = tensor[index[:, 0], index[:, 1], index[:, 2]] + rng.normal(0, 0.1, count)
    data = _rows(index[held_out:], values[held_out:], index[:held_out], values[:held_out])
    data["x_train"], data["x_val"] = (data[k].astype(jnp.int32) for k in ("x_train", "x_val"))

    def init(key):
        keys = jax.random.split(key, 4)
        return {
            "core": 0.3 * jax.random.normal(keys[0], [rank] * 3),
            "factors": [0.3 * jax.random.normal(k, [size, rank]) for k in keys[1:]],
        }

    def loss(params, x, y):
        return jnp.mean((_tucker(params, x) - y) ** 2)

    return _fitted(
        "tucker-completion",
        data,
        init,
        loss,
        "val mean squared error of the entries",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a {size}x{size}x{size} tensor of multilinear rank {true_rank}, {train} train / {held_out} val "
        f"noisy entries; a Tucker model of rank {rank}; batch {batch}",
    )


def _hawkes_simulate(rng, baseline, branching, decay, horizon):
    """One sequence of a multivariate Hawkes process on ``[0, horizon)`` by its cluster representation: each type's
    immigrants Poisson(``baseline * horizon``) at uniform times; each event of type ``j`` has Poisson(``branching[k,
    j]``) children of type ``k`` each, at exponential delays of rate ``decay``, generation by generation; the events
    sorted by time."""
    types = len(baseline)
    times, marks = [], []
    generation = []
    for k in range(types):
        for t in rng.uniform(0, horizon, rng.poisson(baseline[k] * horizon)):
            generation.append((t, k))
    while generation:
        times += [t for t, _ in generation]
        marks += [k for _, k in generation]
        children = []
        for t, j in generation:
            for k in range(types):
                for delay in rng.exponential(1 / decay, rng.poisson(branching[k, j])):
                    if t + delay < horizon:
                        children.append((t + delay, k))
        generation = children
    order = np.argsort(times, kind="stable")
    return np.asarray(times)[order], np.asarray(marks, np.int64)[order]


def _hawkes_nll(params, times, marks, horizon):
    """Each padded sequence's negative log-likelihood under an exponential-kernel Hawkes process: ``times [B, L]``
    (padding at ``horizon``), ``marks [B, L]`` (-1 for padding); the baselines, branching matrix and decay through
    softplus. Returns the summed negative log-likelihoods and the number of events."""
    baseline = jax.nn.softplus(params["baseline"])
    branching = jax.nn.softplus(params["branching"])
    decay = jax.nn.softplus(params["decay"])
    valid = marks >= 0
    safe = jnp.maximum(marks, 0)
    gaps = times[:, :, None] - times[:, None, :]  # [B, i, j]: t_i - t_j
    earlier = (gaps > 0) & valid[:, None, :]
    kernel = jnp.where(earlier, decay * jnp.exp(-decay * jnp.where(earlier, gaps, 0.0)), 0.0)
    excitation = branching[safe[:, :, None], safe[:, None, :]]  # [B, i, j]: alpha[k_i, k_j]
    intensity = baseline[safe] + jnp.sum(excitation * kernel, -1)
    log_terms = jnp.sum(jnp.where(valid, jnp.log(intensity), 0.0), -1)
    tails = jnp.where(valid, 1 - jnp.exp(-decay * (horizon - times)), 0.0)  # [B, L]
    compensator = horizon * jnp.sum(baseline) + jnp.sum(jnp.sum(branching, 0)[safe] * tails, -1)
    return jnp.sum(compensator - log_terms), jnp.sum(valid)


def hawkes_process_likelihood(*, quick: bool = False) -> Task:
    """Fit a multivariate Hawkes process of 3 event types with exponential kernels to event sequences by their
    likelihood, batch 16 sequences.

    A held-out-29 task, maximum-likelihood fitting of a self-exciting temporal point process (Hawkes 1971): each event
    raises every type's intensity by an exponential kernel that decays, and a sequence's log-likelihood is the sum of
    the log-intensities at its events less the intensities' integral over the window; the 3 baselines, the 3x3
    branching matrix (each entry the mean number of events of one type that an event of another sets off) and the one
    decay rate pass through softplus (unlike ``hmm-forward-likelihood``'s and ``kalman-lds-likelihood``'s likelihoods
    of sequences in discrete time, ``cox-survival-mlp``'s partial likelihood of one event time a row and
    ``poisson-glm``'s counts). The data (numpy seed 0): baselines 0.3, 0.2 and 0.4; the branching matrix uniform in [0,
    0.4], scaled to a spectral radius of 0.7; decay 1.5; each sequence on [0, 20) by the cluster representation (each
    type's immigrants Poisson at uniform times, then each event's children, Poisson of its branching entries, at
    exponential delays, generation by generation, those after 20 dropped); 1,000 training and 250 validation sequences
    of 9 to 165 events (51 on average), each padded to the longest (the same for every run seed). The model: the
    softplus's inputs N(0, 0.1^2) for the baselines and the decay (about 0.69), -1 plus N(0, 0.1^2) for the branching
    matrix (about 0.31). The loss is the negative log-likelihood of the batch's sequences per event (their sum over
    the batch's events); the metric the same over every validation sequence: 1.14 to 1.17 at the start, 1.1221 for a
    Poisson process of each type's training rate, 0.9275 for the true process. Budget 2,000 updates, evaluated every
    50. Before calibration, the fixed candidates ran on seeds 0 and 1 on a form that cut 5 training sequences at 128
    events (the task otherwise as it is: RMSProp the lowest, 0.92831 to 0.92838, SGD 0.92899, Adam 0.9322 to 0.9336,
    every candidate still falling; 3.5 to 4.7 s a run); each sequence is now whole. On the calibration seeds RMSProp at
    1e-3 sets the target, 0.92885, its median best 0.92847 loosened by the spread of its bests (0.92812 to 0.92862, at
    1,950 to 2,000, still falling): it gets below it on every seed, but late, within 1,750 to 1,900 updates (median
    1,900); SGD with momentum at 1e-2 on none, missing it by 0.0002 to 0.0003 (bests 0.92902 to 0.92917), and Adam at
    1e-3 on none (bests 0.9325 to 0.9334, still falling). SGD leads for most of the run: after 100 updates it is at
    1.000 to 1.007, Adam at 1.099 to 1.126, RMSProp at 1.095 to 1.121; after 1,000 at 0.9316 to 0.9321, 0.9552 to
    0.9605 and 0.9405 to 0.9436 (9 to 12 s a run on the calibration seeds, beside another job on the second core).
    The baseline's tuned rate is 3e-2, the top of its grid (median best 0.92760, near the true process's 0.9275, below
    the target within 200 to 300 updates).
    """
    types, horizon, train, held_out, batch = 3, 20.0, 1000, 250, 16
    rng = np.random.default_rng(0)
    baseline = np.array([0.3, 0.2, 0.4])
    branching = rng.uniform(0, 0.4, [types, types])
    branching *= 0.7 / np.max(np.abs(np.linalg.eigvals(branching)))
    decay = 1.5
    count = train + held_out
    sequences = [_hawkes_simulate(rng, baseline, branching, decay, horizon) for _ in range(count)]
    length = max(len(t) for t, _ in sequences)  # every sequence whole, padded to the longest
    times = np.full([count, length], horizon, np.float32)
    marks = np.full([count, length], -1, np.int64)
    for n, (t, k) in enumerate(sequences):
        times[n, : len(t)], marks[n, : len(k)] = t, k
    data = {
        "x_train": jnp.asarray(times[held_out:]),
        "y_train": jnp.asarray(marks[held_out:], jnp.int32),
        "x_val": jnp.asarray(times[:held_out]),
        "y_val": jnp.asarray(marks[:held_out], jnp.int32),
    }

    def init(key):
        k1, k2, k3 = jax.random.split(key, 3)
        return {
            "baseline": 0.1 * jax.random.normal(k1, [types]),
            "branching": -1.0 + 0.1 * jax.random.normal(k2, [types, types]),
            "decay": 0.1 * jax.random.normal(k3, []),
        }

    def loss(params, x, y):
        total, events = _hawkes_nll(params, x, y, horizon)
        return total / events

    return _fitted(
        "hawkes-process-likelihood",
        data,
        init,
        loss,
        "val NLL per event",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"event sequences of a Hawkes process of {types} types on [0, {horizon:g}), {train} train / "
        f"{held_out} val; its baselines, branching matrix and decay fitted by the likelihood; batch {batch}",
    )


SPLIT = "held-out-29"
TASKS: dict[str, Callable[..., Task]] = {
    "legendre-series-fit": legendre_series_fit,
    "tucker-completion": tucker_completion,
    "hawkes-process-likelihood": hawkes_process_likelihood,
}
