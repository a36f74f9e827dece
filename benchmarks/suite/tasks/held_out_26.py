"""The *held-out-26* tasks, added in round 42 for a later round, are kept aside from every design, the held-out-25
tasks' included, and run once (``--split held-out-26``) with the defaults frozen.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def _fm_predict(params, fields):
    """A factorization machine's rating of the rows ``fields [B, F]`` (one active feature a field, by index):
    ``w0 + sum_i w_i + 1/2 sum_f ((sum_i v_if)^2 - sum_i v_if^2)`` over the active features."""
    v = params["v"][fields]
    pairs = 0.5 * jnp.sum(jnp.sum(v, 1) ** 2 - jnp.sum(v**2, 1), -1)
    return params["w0"] + jnp.sum(params["w"][fields], -1) + pairs


def factorization_machine_ratings(*, quick: bool = False) -> Task:
    """Predict ratings from a user, an item, the item's genre and the user's age group with a factorization machine
    (every pair of active features through the dot product of their factors), squared error, batch 64 ratings.

    A held-out-26 task, a factorization machine (Rendle 2010): one weight and one factor of 8 per feature, the
    features one-hot in four fields, the rating a bias plus the active weights plus every pair's dot product (unlike
    ``matrix-completion``'s user and item factors alone, with no side features nor pairs of them). The data (numpy
    seed 0): 200 users, 150 items, 10 genres (each item's drawn uniformly), 5 age groups (each user's); each feature
    a true weight N(0, 0.3^2) and a true factor N(0, 0.5^2) of 4; the rating the true machine's plus N(0, 0.3^2);
    6,000 training and 1,500 validation (user, item) pairs drawn uniformly (the same for every run seed). The model:
    weights and bias zero, factors N(0, 0.1^2). The loss and the metric are the mean squared error: 1.98 at the
    start, 1.972 for the training mean, 0.0883 for the true machine. Budget 2,000 updates, evaluated every 50. Before
    calibration, the fixed candidates ran on seeds 0 and 1, the task as it is (0.4 to 1.1 s a run). On the
    calibration seeds Adam at 1e-3 sets the target, 0.37146, its median best 0.34954 loosened by the spread of its
    bests: it gets below it on every seed, within 1,600 to 1,850 updates (median 1,750; best 0.326 to 0.352, at
    2,000, still falling); SGD with momentum at 1e-2 and RMSProp at 1e-3 on none (best 0.375 to 0.404 and 0.394 to
    0.426). SGD is ahead after 200 updates (1.11 to 1.20; Adam 1.45 to 1.54, RMSProp 1.49 to 1.57) and level with
    Adam after 1,000 (0.497 to 0.529; Adam 0.489 to 0.528, RMSProp 0.573 to 0.627). The baseline's tuned rate is
    1e-2 (median best 0.155, below the target within 300 to 350 updates).
    """
    users, items, genres, ages, rank, true_rank, train, held_out, batch = 200, 150, 10, 5, 8, 4, 6000, 1500, 64
    rng = np.random.default_rng(0)
    genre = rng.integers(0, genres, items)
    age = rng.integers(0, ages, users)
    features = users + items + genres + ages
    w = rng.normal(0, 0.3, features)
    v = rng.normal(0, 0.5, [features, true_rank])
    user = rng.integers(0, users, train + held_out)
    item = rng.integers(0, items, train + held_out)
    fields = np.stack([user, users + item, users + items + genre[item], users + items + genres + age[user]], -1)
    truth = {"w0": 0.0, "w": w, "v": v}
    y = np.asarray(_fm_predict(truth, fields)) + rng.normal(0, 0.3, train + held_out)
    data = _rows(fields[held_out:], y[held_out:], fields[:held_out], y[:held_out])
    data["x_train"], data["x_val"] = (data[k].astype(jnp.int32) for k in ("x_train", "x_val"))

    def init(key):
        return {"w0": jnp.zeros([]), "w": jnp.zeros([features]), "v": 0.1 * jax.random.normal(key, [features, rank])}

    return _fitted(
        "factorization-machine-ratings",
        data,
        init,
        lambda params, x, y: jnp.mean((_fm_predict(params, x) - y) ** 2),
        "val MSE",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"ratings of a true factorization machine (rank {true_rank}) plus noise on {users} users, {items} "
        f"items, {genres} genres, {ages} age groups, {train} train / {held_out} val; a factorization machine of rank "
        f"{rank}; batch {batch}",
    )


def _chamfer(a, b):
    """The Chamfer distance of the point sets ``a [B, n, 2]`` and ``b [B, m, 2]``: each point's squared distance to
    the nearest of the other set, averaged over each set, the two added."""
    d = jnp.sum((a[:, :, None] - b[:, None]) ** 2, -1)
    return jnp.mean(jnp.min(d, 2), 1) + jnp.mean(jnp.min(d, 1), 1)


def _ellipse_sets(count: int, points: int, rng: np.random.Generator):
    """``count`` sets of ``points`` points on random ellipses: centre uniform in [-1, 1]^2, half axes 0.3 to 1,
    turned uniformly, each point at a uniform angle, plus N(0, 0.02^2)."""
    centre = rng.uniform(-1, 1, [count, 1, 2])
    axes = rng.uniform(0.3, 1.0, [count, 1, 2])
    turn = rng.uniform(0, np.pi, [count, 1])
    angle = rng.uniform(0, 2 * np.pi, [count, points])
    local = axes * np.stack([np.cos(angle), np.sin(angle)], -1)
    c, s = np.cos(turn), np.sin(turn)
    rotated = np.stack([c * local[..., 0] - s * local[..., 1], s * local[..., 0] + c * local[..., 1]], -1)
    return centre + rotated + rng.normal(0, 0.02, [count, points, 2])


def _dense(key, widths):
    keys = jax.random.split(key, len(widths) - 1)
    return [
        {"w": jax.random.normal(k, [a, b]) / np.sqrt(a), "b": jnp.zeros([b])}
        for k, a, b in zip(keys, widths[:-1], widths[1:], strict=True)
    ]


def _mlp(layers, h):
    for layer in layers[:-1]:
        h = jax.nn.relu(h @ layer["w"] + layer["b"])
    return h @ layers[-1]["w"] + layers[-1]["b"]


def chamfer_set_autoencoder(*, quick: bool = False) -> Task:
    """Autoencode sets of 16 points on ellipses through a code of 6: a DeepSets encoder (each point through an MLP,
    averaged), an MLP decoder to 16 points, the Chamfer distance, batch 32 sets.

    A held-out-26 task, a set autoencoder trained by the Chamfer distance (Fan, Su and Guibas 2017; Achlioptas et
    al. 2018): the loss matches each point to the nearest point of the other set, so that it does not depend on
    either set's order and its gradient reaches only the matched pairs (unlike ``pointnet-polygons``, which
    classifies sets, and the autoencoders of ordered inputs). The data (numpy seed 0): 2,000 training and 500
    validation sets of 16 points, each on an ellipse (centre uniform in [-1, 1]^2, half axes 0.3 to 1, turned
    uniformly), at uniform angles, plus N(0, 0.02^2) (the same for every run seed). The model: encoder 2-64-64 (relu)
    averaged over the points, then 64-6; decoder 6-64-64-32 (relu), 16 points (weights N(0, 1/fan in), biases zero).
    The loss and the metric are the Chamfer distance (squared, the two directions added): 0.67 to 0.99 at the start,
    0.6465 for each set's own mean as a set of one point. Budget 2,000 updates, evaluated every 50. Before
    calibration, the fixed candidates ran on seeds 0 and 1, the task as it is (1.6 to 3.2 s a run). On the
    calibration seeds Adam at 1e-3 sets the target, 0.072544, its median best 0.068769 loosened by the spread of its
    bests: it gets below it on every seed, within 1,350 to 1,800 updates (median 1,700; best 0.0655 to 0.0704, at
    1,950 to 2,000); RMSProp at 1e-3 on 2 of 5, at 1,900 and 2,000 (best 0.0704 to 0.0749), and SGD with momentum
    at 1e-2 on none (best 0.0798 to 0.0824). After 200 updates Adam is at 0.095 to 0.099, RMSProp at 0.096 to
    0.114, SGD at 0.106 to 0.118; after 1,000 at 0.077 to 0.081, 0.082 to 0.091 and 0.085 to 0.088. The baseline's tuned
    rate is 3e-2, the top of its grid (median best 0.0529, below the target within 850 to 1,000 updates).
    """
    points, code, train, held_out, batch = 16, 6, 2000, 500, 32
    rng = np.random.default_rng(0)
    sets = _ellipse_sets(train + held_out, points, rng)
    data = _rows(sets[held_out:], np.zeros(train), sets[:held_out], np.zeros(held_out))

    def init(key):
        keys = jax.random.split(key, 3)
        return {
            "point": _dense(keys[0], [2, 64, 64]),
            "code": _dense(keys[1], [64, code]),
            "decode": _dense(keys[2], [code, 64, 64, 2 * points]),
        }

    def reconstruct(params, x):
        h = jax.nn.relu(_mlp(params["point"], x)).mean(1)
        return _mlp(params["decode"], _mlp(params["code"], h)).reshape(x.shape[0], points, 2)

    return _fitted(
        "chamfer-set-autoencoder",
        data,
        init,
        lambda params, x, y: jnp.mean(_chamfer(reconstruct(params, x), x)),
        "val Chamfer distance",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"sets of {points} points on random ellipses, {train} train / {held_out} val; a DeepSets "
        f"encoder to a code of {code}, an MLP decoder, the Chamfer distance; batch {batch}",
    )


def _hopfield_retrieve(params, queries, memory):
    """One update of a modern Hopfield network (attention): ``softmax((q Wq) (M Wk)^T) M`` for each query."""
    scores = (queries @ params["q"]) @ (memory @ params["k"]).T
    return jax.nn.softmax(scores, -1) @ memory


def hopfield_retrieval(*, quick: bool = False) -> Task:
    """Retrieve 64 stored patterns of 32 signs from corrupted copies by one update of a modern Hopfield network (an
    attention over the stored patterns through learned query and key maps), squared error, batch 64 queries.

    A held-out-26 task, a modern Hopfield network (Ramsauer et al. 2021): the stored patterns are the keys and the
    values of one softmax attention, and the learned maps set how sharply a corrupted pattern retrieves its own (the
    loss falls as the maps grow, then flattens when each query picks one pattern). The data (numpy seed 0): 64
    patterns of 32 random signs; each query a stored pattern with each sign flipped with probability 0.2, plus
    N(0, 0.3^2); 4,000 training and 1,000 validation queries (the same for every run seed). The model: query and key
    maps 32 by 32, N(0, 0.1^2 / 32). The loss and the metric are the mean squared error of the retrieved pattern:
    0.987 at the start, 0.9857 for the mean of the patterns (equal attention), 0.7986 for the query's own signs,
    0.2550 for the stored pattern nearest the query (one pattern picked; a soft mixture can do a little better).
    Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1, the task
    as it is (0.5 to 0.8 s a run). On the calibration seeds Adam at 1e-3 sets the target, 0.25472, its median best
    0.24999 loosened by the spread of its bests: it gets below it on every seed, within 1,100 to 1,250 updates
    (median 1,200; best 0.2489 to 0.2547, at 1,250 to 1,600, then rising a little); RMSProp at 1e-3 on every seed,
    within 1,250 to 1,750 (median 1,400; best 0.2474 to 0.2539, the lowest single best of all), and SGD with
    momentum at 1e-2 on 1 of 5, at 1,400 (best 0.2514 to 0.2570). After 200 updates Adam is at 0.359 to 0.376,
    RMSProp at 0.396 to 0.415, SGD at 0.613 to 0.642; after 1,000 at 0.257 to 0.261, 0.259 to 0.263 and 0.260 to
    0.271. The baseline's tuned rate is 1e-3, the bottom of its grid (median best 0.2532, below the target within
    1,150 to 1,800 updates).
    """
    patterns, dim, flip, noise, train, held_out, batch = 64, 32, 0.2, 0.3, 4000, 1000, 64
    rng = np.random.default_rng(0)
    memory = rng.choice([-1.0, 1.0], [patterns, dim])
    which = rng.integers(0, patterns, train + held_out)
    signs = np.where(rng.uniform(size=[train + held_out, dim]) < flip, -1.0, 1.0)
    queries = memory[which] * signs + rng.normal(0, noise, [train + held_out, dim])
    data = _rows(queries[held_out:], memory[which[held_out:]], queries[:held_out], memory[which[:held_out]])
    stored = jnp.asarray(memory, jnp.float32)

    def init(key):
        kq, kk = jax.random.split(key)
        return {
            "q": 0.1 * jax.random.normal(kq, [dim, dim]) / np.sqrt(dim),
            "k": 0.1 * jax.random.normal(kk, [dim, dim]) / np.sqrt(dim),
        }

    return _fitted(
        "hopfield-retrieval",
        data,
        init,
        lambda params, x, y: jnp.mean((_hopfield_retrieve(params, x, stored) - y) ** 2),
        "val MSE",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"{patterns} stored patterns of {dim} signs, queries with each sign flipped w.p. {flip:g} plus "
        f"N(0, {noise:g}^2), {train} train / {held_out} val; one modern Hopfield update (learned query and key "
        f"maps); batch {batch}",
    )


SPLIT = "held-out-26"
TASKS: dict[str, Callable[..., Task]] = {
    "factorization-machine-ratings": factorization_machine_ratings,
    "chamfer-set-autoencoder": chamfer_set_autoencoder,
    "hopfield-retrieval": hopfield_retrieval,
}
