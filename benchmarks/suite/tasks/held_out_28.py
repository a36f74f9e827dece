"""The *held-out-28* tasks, added in round 44 for a later round, are kept aside from every design, the held-out-27
tasks' included, and run once (``--split held-out-28``) with the defaults frozen.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _dense_init, _fitted, _rows

#: The planar arm: the lengths of its three links, and the ranges its joints' angles are drawn from (the second and
#: third bent one way only, so that each reachable pose has one set of angles).
_LINKS = (1.0, 0.8, 0.6)
_SHOULDER = (-np.pi / 2, np.pi / 2)
_BENT = (0.2, 2.4)


def _forward_kinematics(angles):
    """The pose of the arm's tip for each row of joint angles ``[B, 3]``: its position and the cosine and sine of its
    heading, ``[B, 4]`` (each link's heading the sum of the angles up to it)."""
    headings = jnp.cumsum(angles, -1)
    lengths = jnp.asarray(_LINKS)
    x = jnp.sum(lengths * jnp.cos(headings), -1)
    y = jnp.sum(lengths * jnp.sin(headings), -1)
    return jnp.stack([x, y, jnp.cos(headings[:, -1]), jnp.sin(headings[:, -1])], -1)


def _ik_mlp(params, poses):
    hidden = jnp.tanh(poses @ params[0]["w"] + params[0]["b"])
    hidden = jnp.tanh(hidden @ params[1]["w"] + params[1]["b"])
    return hidden @ params[2]["w"] + params[2]["b"]


def arm_inverse_kinematics(*, quick: bool = False) -> Task:
    """Learn the inverse kinematics of a planar arm of three links, an MLP from a pose of its tip (position and
    heading) to the three joint angles, trained through the arm's forward kinematics (the distal teacher: no angle is
    ever shown), squared error of the pose reached, batch 64 poses.

    A held-out-28 task, inverse kinematics by distal supervised learning (Jordan and Rumelhart 1992): the loss is the
    error of the pose the predicted angles reach, so the gradient passes through the sums of cosines and sines of the
    angles' partial sums (unlike ``siren-waves``' and ``kan-rbf-regression``'s fits of a function to its values,
    ``pendulum-control-bptt``'s controls through a simulated trajectory and ``hypernetwork-curves``' generated weights).
    The data (numpy seed 0): links of 1.0, 0.8 and 0.6; each pose from joint angles uniform in [-pi/2, pi/2] (the
    shoulder) and [0.2, 2.4] (the elbow and the wrist); the pose the tip's position and the cosine and sine of its
    heading; 4,000 training and 1,000 validation poses (the same for every run seed). The model: an MLP 4-64-64-3
    (tanh, LeCun normal weights, zero biases), its outputs the angles. The loss and the metric are the mean over the
    poses of the squared error of the reached pose (its position's two numbers and its heading's cosine and sine
    added): 5 to 11 at the start, 2.6862 for the middle angles (0, 1.3, 1.3) whatever the pose, 7.9912 for every angle
    zero (the arm straight), 0 for the true angles. Budget 2,000 updates, evaluated every 50. Before calibration, the
    fixed candidates ran on seeds 0 and 1, the task as it is (0.8 to 0.9 s a run after the first's compile). On the
    calibration seeds SGD with momentum at 1e-2 sets the target, 0.11100, its median best 0.030635 loosened by the
    spread of its bests (0.0068 to 0.105: the seeds' fits differ fifteenfold, so the target is a loose one): it gets
    below it on every seed, within 100 to 1,600 updates (median 700; best at 1,500 to 1,950); RMSProp at 1e-3 on 5 of 5,
    within 400 to 1,650 (median 600; best 0.016 to 0.086, at 1,750 to 2,000), and Adam at 1e-3 on 4 of 5, within 450 to
    1,900 (median 600; best 0.0088 to 0.1111, at 2,000, still falling; it misses seed 102 by 0.00005). After 200 updates
    SGD is at 0.057 to 0.53, Adam at 0.34 to 0.93, RMSProp at 0.25 to 0.76; after 1,000 at 0.015 to 0.18, 0.035 to 0.24
    and 0.039 to 0.21. The baseline's tuned rate is 3e-2, the top of its grid (median best 0.0036, below the target
    within 150 to 650 updates).
    """
    train, held_out, batch = 4000, 1000, 64
    rng = np.random.default_rng(0)
    count = train + held_out
    angles = np.stack(
        [rng.uniform(*_SHOULDER, count), rng.uniform(*_BENT, count), rng.uniform(*_BENT, count)], 1
    ).astype(np.float32)
    poses = np.asarray(_forward_kinematics(jnp.asarray(angles)))
    data = _rows(poses[held_out:], poses[held_out:], poses[:held_out], poses[:held_out])

    def init(key):
        return [
            _dense_init(k, a, b) for k, a, b in zip(jax.random.split(key, 3), (4, 64, 64), (64, 64, 3), strict=True)
        ]

    def loss(params, x, y):
        return jnp.mean(jnp.sum((_forward_kinematics(_ik_mlp(params, x)) - y) ** 2, -1))

    return _fitted(
        "arm-inverse-kinematics",
        data,
        init,
        loss,
        "val squared pose error",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"poses of a planar arm of 3 links, {train} train / {held_out} val; an MLP 4-64-64-3 to its joint "
        f"angles, trained through the forward kinematics; batch {batch}",
    )


def _complex_scores(params, heads, relations):
    """ComplEx's score of every entity as the tail of each (head, relation) pair: ``Re(<e_h, w_r, conj(e_t)>)``, with
    each embedding's real and imaginary halves side by side, ``[B, entities]``."""
    entities, relation_table = params["entities"], params["relations"]
    rank = entities.shape[-1] // 2
    h, w = entities[heads], relation_table[relations]
    h_re, h_im, w_re, w_im = h[:, :rank], h[:, rank:], w[:, :rank], w[:, rank:]
    left_re = h_re * w_re - h_im * w_im
    left_im = h_re * w_im + h_im * w_re
    return left_re @ entities[:, :rank].T + left_im @ entities[:, rank:].T


def complex_kg_completion(*, quick: bool = False) -> Task:
    """Complete a knowledge graph of 100 entities and 6 relations with ComplEx embeddings of rank 8, each (head,
    relation) pair's tail scored against every entity, cross entropy, batch 128 triples.

    A held-out-28 task, knowledge-graph completion (Trouillon et al. 2016's ComplEx, trained by 1-N scoring as in
    Lacroix et al. 2018): the entities' embeddings serve as heads and as tails, each relation is a complex diagonal that
    can be asymmetric, and a tail's score is a product of three embeddings, all starting small (unlike
    ``matrix-completion``'s and ``factorization-machine-ratings``' real dot products of two kinds of factors,
    ``gae-link-prediction``'s one symmetric relation and ``skipgram-negative-sampling``'s sampled negatives). The data
    (numpy seed 0): a true ComplEx model of rank 4, the entities' real and imaginary parts N(0, 1), the relations' N(0,
    1); each triple a head and a relation drawn uniformly and a tail drawn from the softmax of the true scores over the
    100 entities; 10,000 training and 2,000 validation triples (the same for every run seed). The model: ComplEx of rank
    8, the entities' and the relations' real and imaginary parts N(0, 0.1^2). The loss and the metric are the cross
    entropy of the true tail among all 100 entities: ln 100 = 4.6052 at the start (every score a product of three small
    numbers, near zero), 4.3216 for the training tails' frequencies whatever the head and the relation, 2.7462 for the
    true model. Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1,
    first on larger forms: 300 entities, 8 relations, rank 16, 20,000 and 5,000 triples, the true relations N(0, 0.6^2),
    where SGD with momentum never left the start (5.7037 after 2,000 updates, ln 300 = 5.7038) and Adam was at 4.53 to
    4.60, still falling, far above the true model's 3.95; the same started from N(0, 0.3^2), slower for every candidate
    (Adam 5.29 to 5.48); then 100 entities, 6 relations, rank 8 (SGD still at the start, Adam 3.91 to 3.97); the same
    with each relation started at the identity (real parts 1, to make the start bilinear), slower for Adam (4.26 to
    4.32) and SGD at 4.57; then, back to the start N(0, 0.1^2), the true relations N(0, 1) for a stronger signal, the
    task as it is (Adam 3.13 to 3.40, RMSProp 3.36 to 3.69, SGD 4.6045; 0.8 to 1.2 s a run after the first's compile).
    On the calibration seeds Adam at 1e-3 sets the target, 3.4664, its median best 3.2218 loosened by the spread of its
    bests: it gets below it on every seed, within 850 to 1,300 updates (median 1,100; best 3.004 to 3.257, at 2,000,
    still falling); RMSProp at 1e-3 on 3 of 5, at 1,500, 1,850 and 2,000 (best 3.20 to 3.56, at 2,000, still falling),
    and SGD with momentum at 1e-2 on none (best 4.6045 to 4.6047: it never leaves the start, where the gradient of a
    product of three small numbers nearly vanishes). After 200 updates Adam is at 4.598 to 4.601, RMSProp at 4.601 to
    4.602, SGD at 4.605; after 1,000 at 3.29 to 3.67, 4.01 to 4.31 and 4.605. The baseline's tuned rate is 1e-2 (median
    best 2.8506, below the target within 200 to 250 updates).
    """
    entities, relations, true_rank, rank, train, held_out, batch = 100, 6, 4, 8, 10000, 2000, 128
    rng = np.random.default_rng(0)
    truth = {
        "entities": rng.normal(0, 1, [entities, 2 * true_rank]),
        "relations": rng.normal(0, 1, [relations, 2 * true_rank]),
    }
    count = train + held_out
    pairs = np.stack([rng.integers(0, entities, count), rng.integers(0, relations, count)], 1)
    scores = np.asarray(_complex_scores(truth, pairs[:, 0], pairs[:, 1]), np.float64)
    odds = np.exp(scores - scores.max(1, keepdims=True))
    cumulative = np.cumsum(odds / odds.sum(1, keepdims=True), 1)
    tails = np.minimum(np.sum(cumulative < rng.uniform(size=[count, 1]), 1), entities - 1)
    data = _rows(pairs[held_out:], tails[held_out:], pairs[:held_out], tails[:held_out], jnp.int32)
    data["x_train"], data["x_val"] = (data[k].astype(jnp.int32) for k in ("x_train", "x_val"))

    def init(key):
        ke, kr = jax.random.split(key)
        return {
            "entities": 0.1 * jax.random.normal(ke, [entities, 2 * rank]),
            "relations": 0.1 * jax.random.normal(kr, [relations, 2 * rank]),
        }

    def loss(params, x, y):
        logits = _complex_scores(params, x[:, 0], x[:, 1])
        return jnp.mean(jax.nn.logsumexp(logits, -1) - jnp.take_along_axis(logits, y[:, None], -1)[:, 0])

    return _fitted(
        "complex-kg-completion",
        data,
        init,
        loss,
        "val cross entropy of the tail",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a knowledge graph of {entities} entities and {relations} relations, {train} train / {held_out} "
        f"val triples; ComplEx embeddings of rank {rank}, every entity scored as the tail; batch {batch}",
    )


def _gmm_nll(params, x):
    """The negative log-likelihood of each row of ``x [B, d]`` under a mixture of Gaussians, each component's
    covariance ``L L^T`` by its Cholesky factor ``L`` (the strict lower triangle free, the diagonal ``exp``), nats per
    point."""
    dim = x.shape[-1]
    lower = jnp.tril(params["cholesky"], -1) + jnp.eye(dim) * jnp.exp(params["log_diagonal"])[:, None, :]
    centred = x[:, None, :] - params["means"][None]  # [B, K, d]
    # Whitened residuals z solve L z = x - mean; the log-determinant of the covariance is twice the diagonal's sum.
    whitened = jax.scipy.linalg.solve_triangular(lower[None], centred[..., None], lower=True)[..., 0]
    log_density = -0.5 * jnp.sum(whitened**2, -1) - jnp.sum(params["log_diagonal"], -1) - 0.5 * dim * np.log(2 * np.pi)
    return -jax.nn.logsumexp(jax.nn.log_softmax(params["logits"]) + log_density, -1)


def gmm_full_covariance(*, quick: bool = False) -> Task:
    """Fit a mixture of 6 Gaussians with full covariances to points in 3 dimensions by gradient descent on their
    likelihood (no EM), batch 128 points.

    A held-out-28 task, maximum-likelihood density estimation with a Gaussian mixture (its weights through a softmax,
    each covariance through a Cholesky factor with a log diagonal, the parametrization of mixture density networks;
    Bishop 1994): no label says which component a point came from, and the components trade the points between them
    through the responsibilities (unlike ``mixture-density-mlp``'s mixture conditioned on an input,
    ``kmeans-codebook``'s hard assignments and ``moons-flow``'s invertible map). The data (numpy seed 0): 6 true
    components, their weights Dirichlet(5, ..., 5), their means N(0, 2^2) in each coordinate, their covariances ``A A^T
    + 0.1 I`` with ``A`` 3x3 N(0, 0.5^2); 6,000 training and 2,000 validation points (the same for every run seed). The
    model: 6 components of equal weight, their means 6 distinct training points drawn by the run's key (a common start),
    the Cholesky factors the identity. The loss and the metric are the negative log-likelihood, nats per point: 5.8 to
    7.9 at the start, 5.8107 for one Gaussian of the training points' mean and covariance, 4.9438 for the true mixture.
    Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1, the task as
    it is (2.9 to 3.9 s a run, evaluations included). On the calibration seeds SGD with momentum at 1e-2 sets the
    target, 5.3028, its median best 4.9675 loosened by the spread of its bests (4.9658 to 5.0208 on four seeds, 5.3512
    on seed 101, so the target is a loose one): it gets below it on 4 of 5 seeds, within 100 to 400 updates (median 125;
    best at 1,250 to 1,850); Adam and RMSProp at 1e-3 on the same 4 of 5, within 400 to 1,550 (median 875) and 350 to
    1,200 (median 675), their bests at 1,950 to 2,000, still falling. On seed 101 every fixed candidate stays at 5.35 to
    5.41 (a worse local optimum from the points its components start at, not examined further). After 200 updates SGD is
    at 5.04 to 5.52, Adam at 5.44 to 6.59, RMSProp at 5.43 to 6.52; after 1,000 at 4.97 to 5.43, 5.02 to 5.54 and 5.01
    to 5.47. The baseline's tuned rate is 3e-2, the top of its grid (median best 4.9504, below the target within 50 to
    250 updates, on seed 101 too).
    """
    components, dim, train, held_out, batch = 6, 3, 6000, 2000, 128
    rng = np.random.default_rng(0)
    weights = rng.dirichlet(np.full(components, 5.0))
    means = rng.normal(0, 2, [components, dim])
    factors = rng.normal(0, 0.5, [components, dim, dim])
    covariances = factors @ np.swapaxes(factors, 1, 2) + 0.1 * np.eye(dim)
    count = train + held_out
    labels = rng.choice(components, count, p=weights)
    noise = rng.normal(size=[count, dim])
    points = means[labels] + np.einsum("nij,nj->ni", np.linalg.cholesky(covariances)[labels], noise)
    data = _rows(points[held_out:], np.zeros(train), points[:held_out], np.zeros(held_out))
    train_points = jnp.asarray(points[held_out:], jnp.float32)

    def init(key):
        return {
            "logits": jnp.zeros([components]),
            "means": train_points[jax.random.choice(key, train, [components], replace=False)],
            "cholesky": jnp.zeros([components, dim, dim]),
            "log_diagonal": jnp.zeros([components, dim]),
        }

    return _fitted(
        "gmm-full-covariance",
        data,
        init,
        lambda params, x, y: jnp.mean(_gmm_nll(params, x)),
        "val NLL per point",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"points of a mixture of {components} Gaussians in {dim} dimensions, {train} train / {held_out} "
        f"val; a mixture of {components} with full covariances fitted by its likelihood; batch {batch}",
    )


SPLIT = "held-out-28"
TASKS: dict[str, Callable[..., Task]] = {
    "arm-inverse-kinematics": arm_inverse_kinematics,
    "complex-kg-completion": complex_kg_completion,
    "gmm-full-covariance": gmm_full_covariance,
}
