"""The *held-out-33* tasks, added in round 50 for a later round, are kept aside from every design, the held-out-32
tasks' included, and run once (``--split held-out-33``) with the defaults frozen. Before these three, a stochastic
differential equation's drift and diffusion fitted by the Euler likelihood (a double well, a polynomial drift of degree
5) ran on seed 0 with the fixed candidates and was dropped: the three reached the same loss within 0.0001.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def _splat_image(points, centers, log_scales, angles, amplitudes):
    """The sum at ``points [N, 2]`` of anisotropic Gaussians, each its center, its two log-deviations along its own
    axes, its axes' angle and its amplitude (``jnp`` or ``numpy`` arrays alike)."""
    xp = jnp if isinstance(centers, jax.Array) else np
    d = points[:, None, :] - centers[None]
    cos, sin = xp.cos(angles), xp.sin(angles)
    along = (d[..., 0] * cos + d[..., 1] * sin) / xp.exp(log_scales[:, 0])
    across = (d[..., 1] * cos - d[..., 0] * sin) / xp.exp(log_scales[:, 1])
    return xp.exp(-(along**2 + across**2) / 2) @ amplitudes


def gaussian_splat_image(*, quick: bool = False) -> Task:
    """Fit a grey image by a sum of 25 anisotropic 2-D Gaussians (their centers, shapes, angles and amplitudes), the
    squared error of its pixels, batch 128 pixels.

    A held-out-33 task, a differentiable rendering of 2-D Gaussian splats (the image model of Gaussian splatting, Kerbl
    et al. 2023, in two dimensions and without its rasterizer): each pixel is the sum of every Gaussian's amplitude
    times ``exp(-q / 2)``, ``q`` the pixel's squared distance to its center in the Gaussian's own rotated and scaled
    axes. The data (numpy seed 0): a 48x48 image on the unit square (pixel centers ``(k + 0.5) / 48``), the sum of 25
    such Gaussians (centers U(0.1, 0.9) in each coordinate, deviations ``exp`` U(log 0.03, log 0.12) along each axis,
    angles U(0, pi), amplitudes U(0.3, 1) with a random sign) plus N(0, 0.02^2) noise; the 2,304 pixels shuffled, 460
    for validation and 1,844 for training (the same for every run seed). The model: 25 Gaussians, their centers on a 5x5
    grid (``(k + 0.5) / 5``), deviations 0.06 along both axes, angles 0 and amplitudes 0 (the same start on every seed:
    a blank image). The loss and the metric are the mean squared error of the pixels (0 or more: 0.2347 at the start,
    0.000363 for the true image, the noise's variance 0.0004). Budget 2,000 updates, evaluated every 50. Before
    calibration, the fixed candidates ran on seeds 0 and 1 first with 16 Gaussians on data of 16, their centers drawn
    uniformly from the run's key and deviations 0.1, batch 64 (Adam the lowest, 0.0213 and 0.0124, RMSProp 0.0322 and
    0.0139, SGD with momentum 0.0241 and 0.0197: the spread between seeds as large as the gaps), then on seed 0 alone
    with deviations 0.05 (RMSProp 0.0310, Adam 0.0311) and with 24 Gaussians (RMSProp 0.0100, Adam 0.0105), with the 16
    centers on a 4x4 grid (Adam 0.0122, RMSProp 0.0125, SGD 0.0174; with noise N(0, 0.1^2) and batch 16, SGD 0.0311,
    Adam 0.0451; at batch 128, RMSProp 0.0069, Adam 0.0092), then with 25 on a 5x5 grid, on seeds 0 and 1 (RMSProp
    0.0068 and 0.0069, Adam 0.0077 and 0.0080, SGD 0.0163 and 0.0168), the same with noise N(0, 0.1^2) and batch 32
    (Adam the lowest on seed 0, 0.0192 against RMSProp's 0.0200, RMSProp on seed 1, 0.0198 against 0.0209), at batch 128
    (RMSProp 0.0057 and 0.0059, Adam 0.0068 and 0.0068), at batch 128 with the amplitudes and the noise times 0.3 (seed
    0: Adam 0.00046, RMSProp 0.00050), and then on this one, the deviations from 0.06 (RMSProp 0.00453 and 0.00434, Adam
    0.00589 and 0.00589, SGD 0.00883 and 0.00894, each at 1,950 to 2,000, still falling; SGD the lowest from 50 to 400
    updates, RMSProp from 450 on); 0.6 to 3.0 s a run. On the calibration seeds RMSProp at 1e-3 sets the target,
    0.0046451, its median best 0.0045063 loosened by the spread of its bests (0.0043949 to 0.0045823, at 1,950 to 2,000
    updates, still falling): it gets below it on every seed, late, within 1,900 to 2,000 updates (median 1,950; at the
    last evaluation on one seed); Adam at 1e-3 on none (bests 0.005786 to 0.006261) and SGD with momentum at 1e-2 on
    none (bests 0.008893 to 0.009038), each at 1,900 to 2,000. SGD leads from 50 to 350 or 400 updates, RMSProp from
    then on: after 100 updates the validation error is 0.1387 to 0.1433 for SGD, 0.1641 to 0.1651 for Adam and 0.1667 to
    0.1678 for RMSProp; after 1,000, 0.01144 to 0.01197, 0.00775 to 0.00792 and 0.00644 to 0.00668 (0.6 to 1.8 s a run).
    The baseline's tuned rate is 3e-2, the top of its grid (median best 0.0011533, below the target on every seed within
    350 to 650 updates, median 450).
    """
    size, count, held_out, batch = 48, 25, 460, 128
    rng = np.random.default_rng(0)
    centers = rng.uniform(0.1, 0.9, [count, 2])
    log_scales = rng.uniform(np.log(0.03), np.log(0.12), [count, 2])
    angles = rng.uniform(0, np.pi, count)
    amplitudes = rng.uniform(0.3, 1.0, count) * rng.choice([-1.0, 1.0], count)
    grid = (np.arange(size) + 0.5) / size
    points = np.stack(np.meshgrid(grid, grid, indexing="ij"), -1).reshape(-1, 2)
    image = _splat_image(points, centers, log_scales, angles, amplitudes) + rng.normal(0, 0.02, len(points))
    order = rng.permutation(len(points))
    points, image = points[order], image[order]
    data = _rows(points[held_out:], image[held_out:], points[:held_out], image[:held_out])
    side = (np.arange(5) + 0.5) / 5
    start = np.stack(np.meshgrid(side, side, indexing="ij"), -1).reshape(-1, 2)

    def init(key):
        del key
        return {
            "centers": jnp.asarray(start, jnp.float32),
            "log_scales": jnp.full([count, 2], np.log(0.06), jnp.float32),
            "angles": jnp.zeros([count]),
            "amplitudes": jnp.zeros([count]),
        }

    def loss(params, x, y):
        return jnp.mean((_splat_image(x, **params) - y) ** 2)

    return _fitted(
        "gaussian-splat-image",
        data,
        init,
        loss,
        "val MSE (pixels)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a {size}x{size} grey image of {count} anisotropic Gaussians and noise, fitted by {count} "
        f"Gaussian splats, {size * size - held_out} train / {held_out} val pixels; batch {batch}",
    )


def latent_space_network(*, quick: bool = False) -> Task:
    """Place 1,000 nodes of a network in the plane so that the chance of an edge falls with their distance, a latent
    space model of the edges, the likelihood of each pair, batch 64 pairs.

    A held-out-33 task, the latent space model of social networks (Hoff, Raftery and Handcock 2002, its distance form):
    a pair of nodes is linked with probability ``sigmoid(a - |z_i - z_j|)``, each node's position ``z`` read from the
    few pairs it is in. The data (numpy seed 0): 1,000 nodes, positions N(0, 2^2) in each of 2 coordinates, ``a`` 1.5;
    60,000 pairs, each a node ``i`` drawn uniformly and ``j = i + k`` (mod 1,000), ``k`` uniform from 1 to 999 (so never
    a node with itself; a pair may repeat), linked or not with the model's probability; 50,000 training and 10,000
    validation pairs (the same for every run seed; 66 to 142 training pairs a node, 100 on average; 21.4% of the
    training pairs linked). The model: the 1,000 positions, N(0, 0.1^2) from the run's key, and ``a`` from 0 (the
    distance's gradient kept finite at 0 by ``sqrt(|z_i - z_j|^2 + 1e-6)``). The loss and the metric are the negative
    log-likelihood per pair (0 or more): 0.6464 at the start on seed 0, 0.5101 for the training pairs' rate of edges
    alone, 0.3803 for the true positions and ``a``. Budget 2,000 updates, evaluated every 50. Before calibration, the
    fixed candidates ran on seed 0 (some forms on seed 1 too) first with 300 nodes, 30,000 pairs and the data's distance
    weighed twice, positions of deviation 1 (RMSProp the lowest, 0.4937, Adam 0.4940, SGD with momentum 0.5076) and 2
    (RMSProp 0.2459 and 0.2472, SGD 0.2490 and 0.2493, Adam 0.2611 and 0.2623), and deviation 1.5 with ``a`` 3 (RMSProp
    0.5271, Adam 0.5284); then with the distance weighed once, with 200 nodes at deviation 3 (RMSProp 0.3452 and 0.3457,
    Adam 0.3501 and 0.3507, SGD 0.3559 and 0.3562; at batch 128, RMSProp 0.3393) and at deviation 2 (RMSProp 0.4927,
    Adam 0.4942), with 100 nodes at deviation 3 (RMSProp 0.3460, Adam 0.3499), with 1,000 nodes at deviation 3 (SGD the
    lowest at batch 16, 0.3493 against RMSProp's 0.3529; RMSProp at batch 64 and 128, 0.3470 and 0.3437) and with 2,000
    at batch 128 (RMSProp 0.3508, SGD 0.3530), with 1,000 nodes at deviation 1.5, batch 32 (Adam 0.6019, RMSProp 0.6060,
    SGD 0.6092) and at deviation 2, batch 16 and 32 (Adam 0.5062 and 0.5030, SGD 0.5086 and 0.5087, RMSProp 0.5089 and
    0.5064); then on this one, on seeds 0 and 1 (Adam 0.4992 and 0.4984, RMSProp 0.5021 and 0.5010, SGD 0.5087 and
    0.5083, each at 2,000, all three still falling; SGD the lowest for the first 950 to 1,000 updates, then RMSProp,
    Adam from 1,500 on); 0.5 to 2.6 s a run. On the calibration seeds Adam at 1e-3 sets the target, 0.50059, its median
    best 0.49941 loosened by the spread of its bests (0.49824 to 0.49978, each at 2,000, still falling): it gets below
    it on every seed within 1,750 to 1,950 updates (median 1,850); RMSProp at 1e-3 on none (bests 0.50095 to 0.50249, at
    2,000) and SGD with momentum at 1e-2 on none (bests 0.50862 to 0.50917). SGD leads for the first 950 to 1,000
    updates, RMSProp then until 1,400 to 1,500, and Adam from 1,450 to 1,550 on: after 100 updates the validation loss
    is 0.5118 to 0.5140 for SGD, 0.6166 to 0.6180 for RMSProp and 0.6183 to 0.6199 for Adam; after 1,000, 0.5099 to
    0.5108, 0.5097 to 0.5110 and 0.5154 to 0.5169; after 1,500, 0.5093 to 0.5098, 0.5040 to 0.5051 and 0.5037 to 0.5048
    (1.0 to 1.2 s a run). The baseline's tuned rate is 1e-2 (median best 0.48036, below the target on every seed within
    300 to 350 updates).
    """
    nodes, pairs, held_out, batch = 1000, 60000, 10000, 64
    rng = np.random.default_rng(0)
    positions = rng.normal(0, 2, [nodes, 2])
    first = rng.integers(0, nodes, pairs)
    second = (first + rng.integers(1, nodes, pairs)) % nodes
    distance = np.linalg.norm(positions[first] - positions[second], axis=1)
    linked = (rng.random(pairs) < 1 / (1 + np.exp(distance - 1.5))).astype(np.float64)
    pair = np.stack([first, second], 1)
    data = _rows(pair[held_out:], linked[held_out:], pair[:held_out], linked[:held_out])
    data["x_train"], data["x_val"] = (data[k].astype(jnp.int32) for k in ("x_train", "x_val"))

    def init(key):
        return {"positions": 0.1 * jax.random.normal(key, [nodes, 2]), "intercept": jnp.zeros([])}

    def loss(params, x, y):
        gap = params["positions"][x[:, 0]] - params["positions"][x[:, 1]]
        logit = params["intercept"] - jnp.sqrt(jnp.sum(gap**2, 1) + 1e-6)
        return jnp.mean(jax.nn.softplus(logit) - y * logit)

    return _fitted(
        "latent-space-network",
        data,
        init,
        loss,
        "val NLL per pair",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"edges among {nodes} nodes, a latent space model of their positions in the plane, "
        f"{pairs - held_out} train / {held_out} val pairs; batch {batch}",
    )


def occupancy_detection(*, quick: bool = False) -> Task:
    """Fit a site occupancy model to 5 visits' detections at each of 2,000 sites, occupancy and detection logistic in
    their covariates, the likelihood of each site's detection history, batch 32 sites.

    A held-out-33 task, the occupancy model of ecology (MacKenzie et al. 2002): a species occupies a site with
    probability ``psi``, logistic in the site's covariates, and is seen at each visit to an occupied site with
    probability ``p``, logistic in the visit's, never at an empty one, so a history of no detection is either; the
    likelihood of a history is ``psi prod p^y (1 - p)^(1 - y)``, plus ``1 - psi`` when it is all zeros. The data (numpy
    seed 0): 2,000 sites, 3 site covariates N(0, 1), 2 covariates N(0, 1) at each of 5 visits; occupancy's logit ``1 + x
    @ (3, -2, 1.6)``, detection's ``-1 + w @ (2.4, -1.8)``; each row a site's 3 + 10 covariates and its 5 detections;
    1,600 training and 400 validation sites (the same for every run seed; 52.8% of the sites with a detection, 22.4% of
    the visits). The model: occupancy's intercept and 3 weights and detection's intercept and 2 weights, from zero (the
    same start on every seed). The loss and the metric are the negative log-likelihood per site (0 or more): 2.3757 at
    the start (every probability one half), 1.1883 for the maximum likelihood on the training sites, 1.1842 for the true
    parameters. Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seed 0 first
    with the weights halved and the intercepts 0.5 and -0.3 (SGD with momentum the lowest, 1.830, but RMSProp 1.8345 and
    Adam 1.8421 near it at 2,000, still falling), then on this one, the weights and intercepts doubled, so that Adam's
    and RMSProp's steps of about 1e-3 an update would have to cover 3 in 2,000 (SGD 1.1860 and 1.1876, its bests at
    1,950, within 0.007 of them from 1,000 on, ahead from the start; RMSProp 1.2384 and 1.2378 and Adam 1.3156 and
    1.3146, at 2,000, still falling); 0.6 to 1.7 s a run. On the calibration seeds SGD with momentum at 1e-2 sets the
    target, 1.1887, its median best 1.1867 loosened by the spread of its bests (1.1857 to 1.1880, at 1,400 to 2,000
    updates): it gets below it on every seed within 950 to 1,250 updates (median 1,000); RMSProp at 1e-3 on none (bests
    1.2379 to 1.2389) and Adam at 1e-3 on none (bests 1.3157 to 1.3185), each at 2,000, still falling. SGD leads from
    the start: after 100 updates the validation loss is 1.268 to 1.276 for SGD, 2.200 to 2.201 for RMSProp and 2.215 for
    Adam; after 1,000, 1.1885 to 1.1911, 1.4439 to 1.4466 and 1.5321 to 1.5379 (0.5 to 1.4 s a run). The baseline's
    tuned rate is 3e-2, the top of its grid (median best 1.1858, below the target on every seed within 600 to 800
    updates, median 650).
    """
    sites, visits, held_out, batch = 2000, 5, 400, 32
    rng = np.random.default_rng(0)
    site = rng.normal(0, 1, [sites, 3])
    visit = rng.normal(0, 1, [sites, visits, 2])
    occupied = rng.random(sites) < 1 / (1 + np.exp(-(1 + site @ np.array([3, -2, 1.6]))))
    seen = rng.random([sites, visits]) < 1 / (1 + np.exp(-(-1 + visit @ np.array([2.4, -1.8]))))
    detections = (seen & occupied[:, None]).astype(np.float64)
    x = np.concatenate([site, visit.reshape(sites, -1)], 1)
    data = _rows(x[held_out:], detections[held_out:], x[:held_out], detections[:held_out])

    def init(key):
        del key
        return {"occupancy": jnp.zeros([4]), "detection": jnp.zeros([3])}

    def loss(params, x, y):
        occupancy = params["occupancy"][0] + x[:, :3] @ params["occupancy"][1:]
        detection = params["detection"][0] + x[:, 3:].reshape(-1, visits, 2) @ params["detection"][1:]
        history = jnp.sum(y * jax.nn.log_sigmoid(detection) + (1 - y) * jax.nn.log_sigmoid(-detection), 1)
        unseen = jnp.where(jnp.any(y > 0, 1), -jnp.inf, jax.nn.log_sigmoid(-occupancy))
        return -jnp.mean(jnp.logaddexp(jax.nn.log_sigmoid(occupancy) + history, unseen))

    return _fitted(
        "occupancy-detection",
        data,
        init,
        loss,
        "val NLL per site",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"detections of a species at {sites} sites on {visits} visits each, a site occupancy model, "
        f"{sites - held_out} train / {held_out} val sites; batch {batch}",
    )


SPLIT = "held-out-33"
TASKS: dict[str, Callable[..., Task]] = {
    "gaussian-splat-image": gaussian_splat_image,
    "latent-space-network": latent_space_network,
    "occupancy-detection": occupancy_detection,
}
