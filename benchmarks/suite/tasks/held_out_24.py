"""The *held-out-24* tasks, added in round 40 for a later round, are kept aside from every design, the held-out-23
tasks' included, and run once (``--split held-out-24``) with the defaults frozen.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def _kan_target(x):
    """The function :func:`kan_rbf_regression` fits, of ``x [..., 4]``: ``exp((sin(pi (x0^2 + x1^2)) + sin(pi (x2^2 +
    x3^2))) / 2)``."""
    return np.exp(
        (np.sin(np.pi * (x[..., 0] ** 2 + x[..., 1] ** 2)) + np.sin(np.pi * (x[..., 2] ** 2 + x[..., 3] ** 2))) / 2
    )


def _kan_layer(layer, x, grid, width: float):
    """A Kolmogorov-Arnold layer of ``x [..., in]``: output ``j`` the sum over inputs ``i`` of a learned function of
    ``x_i``, a combination of Gaussian bumps at ``grid`` of ``width`` plus a weight times SiLU, plus a bias."""
    bumps = jnp.exp(-(((x[..., None] - grid) / width) ** 2))
    return jnp.einsum("...ik,iko->...o", bumps, layer["spline"]) + jax.nn.silu(x) @ layer["base"] + layer["b"]


def kan_rbf_regression(*, quick: bool = False) -> Task:
    """Fit a smooth function of 4 inputs from noisy samples: a Kolmogorov-Arnold network 4-8-1 (each edge a learned
    function of one input, 9 Gaussian bumps and a SiLU), the squared error, batch 32.

    A held-out-24 task, a Kolmogorov-Arnold network (Liu et al. 2024; Gaussian radial basis functions in place of
    B-splines, as FastKAN).
    """
    features, hidden, centres, noise, train, held_out, batch = 4, 8, 9, 0.05, 2000, 1000, 32
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, [train + held_out, features])
    y = _kan_target(x) + noise * rng.normal(size=train + held_out)
    data = _rows(x[held_out:], y[held_out:, None], x[:held_out], y[:held_out, None])
    grid = jnp.linspace(-2.0, 2.0, centres)
    width = 4.0 / (centres - 1)

    def init(key):
        keys = jax.random.split(key, 4)
        layers = []
        for (a, b), k1, k2 in zip([(features, hidden), (hidden, 1)], keys[:2], keys[2:], strict=True):
            layers.append(
                {
                    "spline": 0.1 * jax.random.normal(k1, [a, centres, b]),
                    "base": jax.random.normal(k2, [a, b]) / np.sqrt(a),
                    "b": jnp.zeros([b]),
                }
            )
        return layers

    def loss(params, x, y):
        return jnp.mean((_kan_layer(params[1], _kan_layer(params[0], x, grid, width), grid, width) - y) ** 2)

    return _fitted(
        "kan-rbf-regression",
        data,
        init,
        loss,
        "val MSE",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"exp((sin(pi(x0^2+x1^2)) + sin(pi(x2^2+x3^2)))/2) on [-1, 1]^{features} plus noise {noise:g}, "
        f"{train} train / {held_out} val; a Kolmogorov-Arnold network {features}-{hidden}-1 ({centres} Gaussian bumps "
        f"and a SiLU an edge); batch {batch}",
    )


def _hidden_tree(x):
    """The class of :func:`soft_tree_classifier`'s points ``x [..., 6]`` by a hidden axis-aligned tree of depth 3."""
    left = np.where(x[..., 1] < -0.3, np.where(x[..., 2] < 0.2, 0, 1), np.where(x[..., 3] < 0.4, 2, 0))
    right = np.where(x[..., 2] < -0.4, np.where(x[..., 3] < -0.1, 1, 2), np.where(x[..., 1] < 0.5, 1, 0))
    return np.where(x[..., 0] < 0.1, left, right)


def _soft_tree_leaves(params, x, depth: int):
    """The probability of each of the ``2^depth`` leaves of a soft decision tree for ``x [..., features]``: each
    inner node goes left with probability ``sigmoid(w . x + b)``; a leaf's, the product along its path (breadth
    first, node ``k``'s children ``2k + 1`` and ``2k + 2``, leaves from the left)."""
    left = jax.nn.sigmoid(x @ params["w"] + params["b"])
    chances, first = jnp.ones((*x.shape[:-1], 1)), 0
    for level in range(depth):
        nodes = left[..., first : first + 2**level]
        chances = jnp.stack([chances * nodes, chances * (1 - nodes)], -1).reshape((*x.shape[:-1], 2 ** (level + 1)))
        first += 2**level
    return chances


def soft_tree_classifier(*, quick: bool = False) -> Task:
    """Classify points labelled by a hidden axis-aligned tree, some labels flipped: a soft decision tree of depth 4
    (15 oblique sigmoid splits, 16 leaves each a distribution over the 3 classes), its mixture's cross entropy,
    batch 64.

    A held-out-24 task, a soft (differentiable) decision tree (Irsoy et al. 2012; Frosst and Hinton 2017).
    """
    features, classes, depth, flip, train, held_out, batch = 6, 3, 4, 0.2, 4000, 1000, 64
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, [train + held_out, features])
    labels = np.where(rng.random(train + held_out) < flip, rng.integers(0, classes, train + held_out), _hidden_tree(x))
    data = _rows(x[held_out:], labels[held_out:], x[:held_out], labels[:held_out], jnp.int32)
    inner, leaves = 2**depth - 1, 2**depth

    def init(key):
        keys = jax.random.split(key, 2)
        return {
            "w": jax.random.normal(keys[0], [features, inner]) / np.sqrt(features),
            "b": jnp.zeros([inner]),
            "leaves": jax.random.normal(keys[1], [leaves, classes]),
        }

    def loss(params, x, labels):
        mixture = _soft_tree_leaves(params, x, depth) @ jax.nn.softmax(params["leaves"], -1)
        return -jnp.mean(jnp.log(jnp.take_along_axis(mixture, labels[:, None], -1)))

    return _fitted(
        "soft-tree-classifier",
        data,
        init,
        loss,
        "val cross entropy",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"points in [-1, 1]^{features} labelled by a hidden tree of depth 3 ({classes} classes), "
        f"{flip:g} of labels redrawn, {train} train / {held_out} val; a soft decision tree of depth {depth} "
        f"(oblique sigmoid splits, leaf distributions); batch {batch}",
    )


def _tagging_truth(tags: int, features: int, concentration: float, rng: np.random.Generator):
    """The model that draws :func:`crf_tagging`'s data: a uniform start, each transition row
    Dirichlet(``concentration``), each tag's mean N(0, 1) in each of ``features``."""
    return rng.dirichlet(concentration * np.ones(tags), tags), rng.normal(size=[tags, features])


def _tagged_sequences(count: int, length: int, transition, means, noise: float, rng: np.random.Generator):
    """The data of :func:`crf_tagging`: a chain of tags from a uniform start by ``transition``, each observed as its
    mean plus N(0, ``noise``^2) in each feature. Returns the observations [count, length, features] and the tags
    [count, length]."""
    tags = np.zeros([count, length], int)
    tags[:, 0] = rng.integers(0, len(transition), count)
    cumulative = np.cumsum(transition, 1)
    for t in range(1, length):
        tags[:, t] = np.minimum((rng.random(count)[:, None] > cumulative[tags[:, t - 1]]).sum(1), len(transition) - 1)
    return means[tags] + noise * rng.normal(size=(*tags.shape, means.shape[1])), tags


def _crf_nll(params, x, tags):
    """A linear-chain CRF's negative log-likelihood of ``tags [B, L]`` given ``x [B, L, features]``, per tag: the
    log partition by the forward algorithm less the path's score (start, emissions ``x W + b`` and transitions)."""
    emissions = x @ params["w"] + params["b"]
    alpha = params["start"] + emissions[:, 0]
    for t in range(1, x.shape[1]):
        alpha = jax.nn.logsumexp(alpha[:, :, None] + params["transition"], 1) + emissions[:, t]
    path = params["start"][tags[:, 0]] + jnp.sum(jnp.take_along_axis(emissions, tags[..., None], -1), (1, 2))
    path = path + jnp.sum(params["transition"][tags[:, :-1], tags[:, 1:]], 1)
    return jnp.mean(jax.nn.logsumexp(alpha, -1) - path) / x.shape[1]


def crf_tagging(*, quick: bool = False) -> Task:
    """Tag each step of noisy sequences from a Markov chain of 5 tags: a linear-chain conditional random field
    (emission scores linear in the step's observation, a learned transition matrix), its exact negative
    log-likelihood by the forward algorithm, batch 32 sequences of 20.

    A held-out-24 task, a linear-chain conditional random field (Lafferty, McCallum and Pereira 2001).
    """
    tags, features, concentration, noise, length, train, held_out, batch = 5, 8, 0.5, 1.5, 20, 2000, 500, 32
    rng = np.random.default_rng(0)
    transition, means = _tagging_truth(tags, features, concentration, rng)
    x, labels = _tagged_sequences(train + held_out, length, transition, means, noise, rng)
    data = _rows(x[held_out:], labels[held_out:], x[:held_out], labels[:held_out], jnp.int32)

    def init(key):
        return {
            "w": jax.random.normal(key, [features, tags]) / np.sqrt(features),
            "b": jnp.zeros([tags]),
            "start": jnp.zeros([tags]),
            "transition": jnp.zeros([tags, tags]),
        }

    return _fitted(
        "crf-tagging",
        data,
        init,
        _crf_nll,
        "val NLL (nats a tag)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"sequences of {length} from a Markov chain of {tags} tags (rows Dirichlet({concentration:g})), "
        f"each seen as its mean in R^{features} plus noise {noise:g}, {train} train / {held_out} val; a linear-chain "
        f"CRF (linear emissions, transitions); batch {batch}",
    )


SPLIT = "held-out-24"
TASKS: dict[str, Callable[..., Task]] = {
    "kan-rbf-regression": kan_rbf_regression,
    "soft-tree-classifier": soft_tree_classifier,
    "crf-tagging": crf_tagging,
}
