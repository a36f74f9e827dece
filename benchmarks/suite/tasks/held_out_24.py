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

    A held-out-24 task, a Kolmogorov-Arnold network (Liu et al. 2024; Gaussian bumps in place of B-splines, as
    FastKAN): no unit applies a fixed nonlinearity to a weighted sum; each of the 40 edges carries its own function of
    one number, 9 coefficients of Gaussian bumps of width 0.5 centred at -2, -1.5, ..., 2 plus a weight times SiLU,
    and each unit sums its edges' outputs, so that a coefficient moves the output only near its bump's centre (unlike
    the MLPs and ``siren-waves``, whose units apply a fixed function to a learned weighted sum, and ``rff-hinge-svm``,
    whose random features are fixed). The data: inputs uniform in [-1, 1]^4, the target ``exp((sin(pi (x0^2 + x1^2))
    + sin(pi (x2^2 + x3^2))) / 2)`` (a composition of functions of one variable from the KAN paper, between 1/e and e)
    plus N(0, 0.05^2) (numpy seed 0); 2,000 training and 1,000 validation points (the same for every run seed). The
    model: a layer 4-8 and a layer 8-1 of such edges, the hidden layer's sums fed straight to the next layer's bumps;
    bump coefficients N(0, 0.1^2), SiLU weights N(0, 1/fan in), biases zero. The loss and the metric are the mean
    squared error: 2.16 to 3.98 at the start, 0.341 for the training mean, 0.345 for a least-squares linear fit,
    0.212 for a least-squares fit on each input and its square, 0.0023 for the true function (the noise's
    variance). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and
    1, the task as it is (0.8 to 3.2 s a run). On the calibration seeds RMSProp at 1e-3 sets the target, 0.025869,
    its median best 0.0113 loosened by its own seed 103 (best 0.0253): RMSProp gets below it on every seed, within
    1,000 to 1,950 updates (median 1,200; best 0.0071 to 0.0253, at 1,850 to 2,000); SGD with momentum at 1e-2 on
    every seed, sooner, within 450 to 1,000 (median 550; best 0.0082 to 0.0142, lower than RMSProp's on 3 seeds of
    5), and Adam at 1e-3 on 4 of 5, within 1,000 to 1,600 (median 1,350; best 0.0095 to 0.0278). SGD is ahead on
    every seed after 200 updates (0.065 to 0.141; RMSProp 0.192 to 0.227, Adam 0.235 to 0.273) and after 1,000 (0.010
    to 0.024; RMSProp 0.025 to 0.061, Adam 0.025 to 0.119). Every run is still falling near the end of the budget
    (its best at 1,850 updates or later).
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

    A held-out-24 task, a soft (differentiable) decision tree (Irsoy, Yildiz and Alpaydin 2012; Frosst and Hinton 2017):
    every point goes down every path of a binary tree, left at each inner node with probability ``sigmoid(w . x + b)``,
    and the prediction is the mixture of the leaves' distributions weighted by the products of those probabilities along
    their paths; a split's gradient is the difference its two subtrees make, so that a split whose subtrees agree gets
    none, and the hidden tree's sharp, axis-aligned cuts need large weights (unlike the MLPs, ``monotone-mlp`` and
    ``gated-linear-experts``, whose gate mixes experts by a softmax, not down a hierarchy of binary choices). The data:
    points uniform in [-1, 1]^6, each labelled by a hidden tree of depth 3 (``x0 < 0.1``, then ``x1 < -0.3`` or ``x2 <
    -0.4``, then one more cut on ``x1``, ``x2`` or ``x3``; 8 leaves, 3 classes, shares 0.29, 0.38 and 0.32; ``x4`` and
    ``x5`` unused), each label redrawn uniformly with probability 0.2 (numpy seed 0); 4,000 training and 1,000
    validation points (the same for every run seed). The model: a soft tree of depth 4, 15 inner nodes of oblique splits
    (weights N(0, 1/6), biases zero) and 16 leaves, each a softmax of 3 logits (N(0, 1)). The loss and the metric are
    the mixture's cross entropy: 1.08 to 1.13 at the start, 1.099 (ln 3) for uniform chances, 1.095 for the training
    labels' frequencies, 0.876 for a multinomial logistic regression on the training points, 0.538 for the hidden tree
    with the redrawing (0.8 + 0.2 / 3 on its class; 84.6% of the validation labels agree with it). Budget 2,000 updates,
    evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1, the task as it is (0.9 to 1.8 s a
    run), and on seed 0 with the splits' weights drawn 3 and 8 times larger and with trees of depth 3 and 5 (best 0.768
    to 0.874, no nearer the hidden tree), and Adam at 3e-3 on seed 0 (best 0.711); the task was kept as it was. On the
    calibration seeds Adam at 1e-3 gets below 0.84527 on every seed, within 1,500 to 1,900 updates (median 1,600; best
    0.808 to 0.837); RMSProp at 1e-3 on every seed too, within 1,500 to 1,850 (median 1,600; best 0.810 to 0.836), and
    SGD with momentum at 1e-2 on 1 of 5, at 2,000 (best 0.845 to 0.863). After 200 updates Adam is at 1.027 to 1.067,
    RMSProp at 1.026 to 1.064 and SGD at 1.033 to 1.084; after 1,000 at 0.891 to 0.907, 0.891 to 0.906 and 0.905 to
    0.953. Every run is still falling at the end of the budget (its best at 2,000 updates), between the logistic
    regression and the hidden tree.
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

    A held-out-24 task, a linear-chain conditional random field (Lafferty, McCallum and Pereira 2001): a structured
    prediction, the probability of the whole sequence of tags given the observations, ``exp(score) / Z``, the score
    the sum of a start score, each step's emission scores and each neighbouring pair's transition score, ``Z`` summed
    over all 5^20 sequences by the forward algorithm; the loss is convex in the parameters, and the gradient of each
    transition score is its expected count under the model less its count in the true tags (unlike
    ``hmm-forward-likelihood``, a generative model of the symbols alone fitted without labels, and
    ``ctc-transcription``, which sums over alignments of a shorter label sequence). The data: a Markov chain of 5
    tags, its start uniform and each row of its transition matrix Dirichlet(0.5), each tag's mean N(0, 1) in R^8
    (numpy seed 0); sequences of 20 steps, each step observed as its tag's mean plus N(0, 1.5^2) in each feature;
    2,000 training and 500 validation sequences (the same for every run seed). The model: emission scores ``x W +
    b`` (``W`` N(0, 1/8), ``b`` zero), start scores and a 5x5 matrix of transition scores (zero); the true model's
    conditional is of this form. The loss and the metric are the negative log-likelihood of the true tags, in nats a
    tag: 2.21 to 3.17 at the start, 1.609 (ln 5) for uniform chances, 1.503 for the training tags' frequencies, 0.647
    for each step alone by the true means with a uniform prior, 0.435 for the true model (its conditional by the
    forward algorithm). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on
    seeds 0 and 1, the task as it is (2.6 to 3.2 s a run). On the calibration seeds RMSProp at 1e-3 gets below
    0.44319 on every seed, only within 1,950 to 2,000 updates (median 1,950; best 0.4421 to 0.4430, at 1,950 to 2,000;
    its bests within 0.0009 of each other, so that the target is loosened by 0.0006 only); SGD with momentum at 1e-2
    and Adam at 1e-3 on none (best 0.4480 to 0.4485 and 0.4578 to 0.4654). SGD is ahead on every seed after 200
    updates (0.517 to 0.518; RMSProp 0.98 to 1.54, Adam 1.07 to 1.66) and after 1,000 (0.4605 to 0.4611; RMSProp
    0.465 to 0.469, Adam 0.511 to 0.553), then levels off above the target while RMSProp, still falling, passes it.
    After calibration, the fixed candidates ran again on seeds 0 and 1 with ``W`` starting at zero, with the rows
    Dirichlet(1), and with the rows Dirichlet(2) and ``W`` at zero (RMSProp the best at the end of the budget each
    time); the task was kept as it was calibrated.
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
