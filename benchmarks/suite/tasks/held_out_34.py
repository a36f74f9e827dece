"""The *held-out-34* tasks, added in round 51 for a later round, are kept aside from every design, the held-out-33
tasks' included, and run once (``--split held-out-34``) with the defaults frozen. One of them, the operator network, is
heavy enough a step that compiling takes a small share of its seconds to target, so that the time goal by seconds
counts it (``goals.COMPILE_SHARE``). Before these three, two tasks ran with the fixed candidates and were dropped: the
sum of two numbers modulo 97 (two learned embeddings of 64, an MLP 128-512-97, half of the 9,409 pairs for training,
batch 128) on seed 0, where each candidate fitted the training pairs and the validation loss rose from the start (the
bests at the start's 4.83 or at 50 updates; about 1 ms a step); and a registration of two 48x48 images by a smooth
warp (the source 30 Gaussian blobs, read bilinearly, the target it warped by 36 Gaussian-weighted control
displacements of deviation 0.04, plus noise 0.02) on seeds 0 and 1, SGD with momentum the lowest (0.00268 and 0.00273,
Adam 0.00280 and 0.00279, RMSProp 0.00284 and 0.00285), on seed 0 far ahead with displacements of 0.07 (0.0019, Adam
0.0076, RMSProp 0.0070), and the three within 3% with 16 control points and noise 0.005, and within 1% at batch 32.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _dense_init, _fitted, _rows


def _ode_solutions(u: np.ndarray) -> np.ndarray:
    """The solutions ``s`` of ``s' = u(x) - s^3``, ``s(0) = 0``, on the sensors' grid of [0, 1], by the classical
    Runge-Kutta method from sensor to sensor, ``u`` linear between sensors (its midpoint value their mean)."""
    h = 1 / (u.shape[1] - 1)
    s = np.zeros_like(u)
    for k in range(u.shape[1] - 1):
        left, middle, right = u[:, k], (u[:, k] + u[:, k + 1]) / 2, u[:, k + 1]
        k1 = left - s[:, k] ** 3
        k2 = middle - (s[:, k] + h / 2 * k1) ** 3
        k3 = middle - (s[:, k] + h / 2 * k2) ** 3
        k4 = right - (s[:, k] + h * k3) ** 3
        s[:, k + 1] = s[:, k] + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return s


def deeponet_ode_operator(*, quick: bool = False) -> Task:
    """Learn the solution operator of an ODE, forcing to solution, with a DeepONet (a branch network of the forcing
    and a trunk network of the place), the squared error of the solution on a grid, batch 384 forcings.

    A held-out-34 task, the deep operator network of Lu et al. (2021) on its nonlinear ODE kind: the forcing ``u`` on
    [0, 1] is read at 64 sensors, the branch MLP maps them to 128 coefficients, the trunk MLP maps a place ``y`` to 128
    basis values, and their mean product plus a bias is ``s(y)``. The data (numpy seed 0): 4,500 forcings, each a
    Gaussian process of mean 0 and kernel ``exp(-(x - x')^2 / (2 * 0.2^2))`` (plus 1e-6 on the diagonal) on the 64
    sensors ``linspace(0, 1, 64)``; each one's solution of ``s' = u - s^3``, ``s(0) = 0``, on the same 64 points (the
    classical Runge-Kutta method, ``u`` linear between sensors); the first 500 for validation, 4,000 for training (the
    same for every run seed). The model: the branch 64-512-512-512-128 and the trunk 1-128-128-128, tanh, LeCun-normal
    weights from the run's key, zero biases. The loss and the metric are the mean squared error over the 64 points
    (0 or more): 0.1449 for every solution 0, 0.1463 at the start on seed 0. Budget 2,000 updates, evaluated every 50;
    each update several milliseconds, so that compiling (about a second) is a small share of a run. Before
    calibration, the fixed candidates ran on seed 0 (some forms on seeds 1 and 2 too), first at batch 128 (Adam the
    lowest, 0.000283, RMSProp 0.00128, SGD with momentum 0.00768; about 6 ms a step, the compile 1.2 s of 12.6 s), at
    batch 160 on seeds 0, 1 and 2 (Adam 0.000271, 0.000164 and 0.000188, RMSProp 0.00141, 0.00126 and 0.00148, SGD
    0.00767, 0.00702 and 0.00750; on seed 2 Adam within 1.3 times its best after 1,600 updates and 6.7 s, its compile
    0.76 s of it, 11%), at batch 256 (Adam 0.000210, its compile 8% of its seconds to 1.3 times its best) and at batch
    512 (Adam 0.000208, 3.5%, but 22 s a run), then on this one, batch 384, on seeds 0 and 1 (Adam 0.000210 and
    0.000154, at 1,950 and 1,900, RMSProp 0.00138 and 0.00124, SGD 0.00747 and 0.00683, at 2,000; Adam the
    lowest at every evaluation after the start, its compile 0.95 and 1.27 s, 4% to 5% of its seconds to 1.3 times its
    best, 22 to 34 s a run while two other runs shared the 2 cores). A first form's ODE, ``s' = u - s^2``, has
    solutions that blow up for a negative forcing, and was dropped before any run. On the calibration seeds Adam at
    1e-3 sets the target, 0.00020119, its median best 0.00017678 loosened by the spread of its bests (0.00016256 to
    0.00019612, at 1,750 to 2,000 updates): it gets below it on every seed within 1,750 to 1,950 updates (median
    1,850); RMSProp at 1e-3 on none (bests 0.0013453 to 0.0020398, at 1,450 to 2,000) and SGD with momentum at 1e-2 on
    none (bests 0.0068420 to 0.0073532, at 2,000). Adam leads at every evaluation after the start: after 100 updates
    the validation error is 0.00389 to 0.00437 for Adam, 0.0167 to 0.0253 for RMSProp and 0.0233 to 0.0239 for SGD;
    after 1,000, 0.00038 to 0.00066, 0.0037 to 0.0065 and 0.0129 to 0.0149. Adam's compile took 1.01 to 1.55 s (median
    1.14) and its seconds to target 25.96 to 32.69 (median 29.26): a compile share of 3.9%, under the 10% below which
    the time goal by seconds counts a task (27 to 39 s a run, 13 to 17 ms a step, while two other runs shared the 2
    cores). The baseline's tuned rate is 3e-3 (median best 0.00010169, below the
    target on every seed within 1,000 to 1,600 updates, median 1,150).
    """
    sensors, forcings, held_out, batch, width, basis = 64, 4500, 500, 384, 512, 128
    rng = np.random.default_rng(0)
    grid = np.linspace(0, 1, sensors)
    kernel = np.exp(-((grid[:, None] - grid[None]) ** 2) / (2 * 0.2**2)) + 1e-6 * np.eye(sensors)
    u = rng.normal(0, 1, [forcings, sensors]) @ np.linalg.cholesky(kernel).T
    s = _ode_solutions(u)
    data = _rows(u[held_out:], s[held_out:], u[:held_out], s[:held_out])
    places = jnp.asarray(grid[:, None], jnp.float32)

    def init(key):
        keys = jax.random.split(key, 7)
        branch = [(sensors, width), (width, width), (width, width), (width, basis)]
        trunk = [(1, 128), (128, 128), (128, basis)]
        return {
            "branch": [_dense_init(k, a, b) for k, (a, b) in zip(keys[:4], branch, strict=True)],
            "trunk": [_dense_init(k, a, b) for k, (a, b) in zip(keys[4:], trunk, strict=True)],
            "bias": jnp.zeros([]),
        }

    def loss(params, x, y):
        return jnp.mean((_deeponet(params, x, places) - y) ** 2)

    return _fitted(
        "deeponet-ode-operator",
        data,
        init,
        loss,
        "val MSE (solution)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"the solution operator of s' = u - s^3 on {sensors} points, forcings from a Gaussian process, "
        f"a DeepONet (branch {sensors}-{width}-{width}-{width}-{basis}, trunk 1-128-128-{basis}), "
        f"{forcings - held_out} train / {held_out} val forcings; batch {batch}",
    )


def _deeponet(params, u, places):
    """The DeepONet's solutions at ``places [P, 1]`` for the forcings ``u [B, sensors]``: the branch's coefficients
    times the trunk's basis values, averaged, plus the bias."""

    def mlp(layers, x):
        for layer in layers[:-1]:
            x = jnp.tanh(x @ layer["w"] + layer["b"])
        return x @ layers[-1]["w"] + layers[-1]["b"]

    coefficients, basis = mlp(params["branch"], u), mlp(params["trunk"], places)
    return coefficients @ basis.T / basis.shape[1] + params["bias"]


def _rotations(angles, xp):
    """Rotation matrices ``Rz(c) Ry(b) Rx(a)`` for ``angles [..., 3] = (a, b, c)`` (``jnp`` or ``numpy``)."""
    cos, sin = xp.cos(angles), xp.sin(angles)
    one, zero = xp.ones_like(angles[..., 0]), xp.zeros_like(angles[..., 0])

    def matrix(rows):
        return xp.stack([xp.stack(row, -1) for row in rows], -2)

    (ca, cb, cc), (sa, sb, sc) = (cos[..., i] for i in range(3)), (sin[..., i] for i in range(3))
    rx = matrix([[one, zero, zero], [zero, ca, -sa], [zero, sa, ca]])
    ry = matrix([[cb, zero, sb], [zero, one, zero], [-sb, zero, cb]])
    rz = matrix([[cc, -sc, zero], [sc, cc, zero], [zero, zero, one]])
    return rz @ ry @ rx


def bundle_adjustment(*, quick: bool = False) -> Task:
    """Recover 200 points in space and the poses of 9 cameras from where 10 cameras see the points, bundle
    adjustment, the squared reprojection error of each observation, batch 64 observations.

    A held-out-34 task, the bundle adjustment of structure from motion (Triggs et al. 2000), pinhole cameras of focal
    length 1: camera ``c`` sees point ``X`` at ``(p_x / p_z, p_y / p_z)``, ``p = R_c X + t_c``; the first camera is the
    frame (identity, zero shift), and the scale is left free (scaling the points and the shifts together moves no
    image). The data (numpy seed 0): 200 points, ``x`` and ``y`` U(-1, 1) and depth ``z`` U(4, 6); 9 cameras besides the
    first, angles N(0, 0.15^2) about each axis (``R = Rz Ry Rx``) and shifts N(0, 0.5^2); each camera sees every point,
    with N(0, 0.002^2) noise on each image coordinate; the 2,000 observations shuffled, 400 for validation and 1,600 for
    training (the same for every run seed). The model: the points, each from the first camera's noisy observation of it
    at depth 5 (``(5 u, 5 v, 5)``), and the 9 cameras' angles and shifts, from zero (the same start on every seed). The
    loss and the metric are the mean over observations of the squared distance between the seen and the projected
    image point (0 or more): 0.07615 at the start, 7.37e-6 for the true points and poses. Budget 2,000 updates,
    evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1, first with the angles and shifts
    drawn for all 10 cameras and the first's then set to zero (RMSProp the lowest, 0.000218 and 0.000213, Adam 0.000293
    and 0.000284, SGD with momentum 0.000524 and 0.000522; at batch 256 on seed 0 about the same, 0.000217, 0.000284 and
    0.000522), then on this one (RMSProp 0.000269 and 0.000288, at 1,950 and 1,750, Adam 0.000355 and 0.000355, at
    2,000, SGD 0.000802 and 0.000814; SGD the lowest from 50 to 250 updates, RMSProp from 300 on); about 1 s a run.
    On the calibration seeds RMSProp at 1e-3 sets the target, 0.00029304, its median best 0.00027692 loosened by the
    spread of its bests (0.00026241 to 0.00028221, at 1,700 to 2,000 updates): it gets below it on every seed within
    1,600 to 2,000 updates (median 1,750; at the last evaluation on one seed); Adam at 1e-3 on none (bests 0.00034755
    to 0.00035667) and SGD with momentum at 1e-2 on none (bests 0.00079895 to 0.00081154), each at 1,900 to 2,000. SGD
    leads from 50 to 250 updates, RMSProp from 300 on: after 100 updates the validation error is 0.00138 to 0.00142 for
    SGD, 0.0223 to 0.0229 for RMSProp and 0.0268 to 0.0273 for Adam; after 1,000, 0.00092 to 0.00093, 0.00039 to 0.00040
    and 0.00061 to 0.00065 (1.1 to 1.8 s a run). The baseline's tuned rate is 3e-2, the top of its grid (median best
    0.000018952, below the target on every seed within 300 to 350 updates, median 350).
    """
    points, cameras, held_out, batch, depth = 200, 10, 400, 64, 5.0
    rng = np.random.default_rng(0)
    xyz = np.concatenate([rng.uniform(-1, 1, [points, 2]), rng.uniform(depth - 1, depth + 1, [points, 1])], 1)
    angles = np.concatenate([np.zeros([1, 3]), rng.normal(0, 0.15, [cameras - 1, 3])])
    shifts = np.concatenate([np.zeros([1, 3]), rng.normal(0, 0.5, [cameras - 1, 3])])
    seen = np.einsum("cij,pj->cpi", _rotations(angles, np), xyz) + shifts[:, None]
    image = seen[..., :2] / seen[..., 2:] + rng.normal(0, 0.002, [cameras, points, 2])
    pairs = np.stack(np.meshgrid(np.arange(cameras), np.arange(points), indexing="ij"), -1).reshape(-1, 2)
    order = rng.permutation(len(pairs))
    pairs, observed = pairs[order], image.reshape(-1, 2)[order]
    data = _rows(pairs[held_out:], observed[held_out:], pairs[:held_out], observed[:held_out])
    data["x_train"], data["x_val"] = (data[k].astype(jnp.int32) for k in ("x_train", "x_val"))
    start = np.concatenate([image[0] * depth, np.full([points, 1], depth)], 1)

    def init(key):
        del key
        return {
            "points": jnp.asarray(start, jnp.float32),
            "angles": jnp.zeros([cameras - 1, 3]),
            "shifts": jnp.zeros([cameras - 1, 3]),
        }

    def loss(params, x, y):
        angles = jnp.concatenate([jnp.zeros([1, 3]), params["angles"]])[x[:, 0]]
        shifts = jnp.concatenate([jnp.zeros([1, 3]), params["shifts"]])[x[:, 0]]
        p = jnp.einsum("nij,nj->ni", _rotations(angles, jnp), params["points"][x[:, 1]]) + shifts
        return jnp.mean(jnp.sum((p[:, :2] / p[:, 2:] - y) ** 2, 1))

    return _fitted(
        "bundle-adjustment",
        data,
        init,
        loss,
        "val squared reprojection error",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"{points} points seen by {cameras} pinhole cameras, bundle adjustment of the points and "
        f"{cameras - 1} poses, {cameras * points - held_out} train / {held_out} val observations; batch {batch}",
    )


def poisson_factorization(*, quick: bool = False) -> Task:
    """Factor an 80x60 matrix of counts into nonnegative factors of rank 4, Poisson matrix factorization, the Poisson
    deviance of each entry, batch 64 entries.

    A held-out-34 task, nonnegative matrix factorization under the generalized Kullback-Leibler divergence (Lee and
    Seung 2001; the Poisson factorization of counts, Cemgil 2009): each count is Poisson of mean ``sum_k W_ik H_kj``,
    and the loss is half the Poisson deviance, ``mu - y + y log(y / mu)`` (``y log y`` 0 at 0). The data (numpy seed
    0): ``W`` 80x4 and ``H`` 4x60, Gamma(1, 1) entries; the counts Poisson of ``W @ H``; the 4,800 entries (row,
    column) shuffled, 800 for validation and 4,000 for training (the same for every run seed). The model: log-factors
    ``a`` 80x4 and ``b`` 4x60, N(0, 0.1^2) from the run's key, ``mu_ij = mean_k exp(a_ik + b_kj)`` (nonnegative by
    construction; at the start about 1, against the counts' mean of 4.53). The loss and the metric are the mean over
    entries of half the Poisson deviance (0 or more): 5.486 at the start on seed 0, 1.8507 for the training entries'
    mean count alone, 0.5211 for the true means. Budget 2,000 updates, evaluated every 50. Before calibration, the fixed
    candidates ran on seeds 0 and 1 first on a 120x100 matrix (SGD with momentum the lowest, 0.839 and 0.837, still
    falling at 2,000, RMSProp 1.133 and 1.134, Adam 1.157 and 1.161), then on seed 0 alone at batch 256 (RMSProp the
    lowest, 0.8325, SGD 0.8385), on a 60x50 matrix at batch 128 (SGD 0.8298, RMSProp 0.8324) and on a 100x80 one (SGD
    0.849, RMSProp 1.123), then on this one on seeds 0 and 1 (SGD 0.8047 and 0.8048, at 2,000 and 1,900, 0.809 already
    at 1,500; RMSProp 1.081 and 1.057 and Adam 1.151 and 1.127, at 2,000, still falling; SGD the lowest from 50 updates
    on); under 1 s a run. On the calibration seeds SGD with momentum at 1e-2 sets the target, 0.81063, its median best
    0.80471 loosened by the spread of its bests (0.80082 to 0.80828, at 1,700 to 2,000 updates): it gets below it on
    every seed within 1,550 to 1,850 updates (median 1,650); RMSProp at 1e-3 on none (bests 1.0425 to 1.0821) and Adam
    at 1e-3 on none (bests 1.1198 to 1.1650), each at 2,000, still falling. SGD leads from 50 updates on: after 500
    updates the validation loss is 1.347 to 1.404 for SGD, 3.530 to 3.638 for RMSProp and 3.527 to 3.636 for Adam; after
    1,500, 0.811 to 0.817, 1.438 to 1.497 and 1.509 to 1.583 (0.7 to 0.9 s a run). The baseline's tuned rate is 3e-2,
    the top of its grid (median best 0.65144, below the target on every seed within 300 to 550 updates, median 450).
    """
    rows, columns, rank, held_out, batch = 80, 60, 4, 800, 64
    rng = np.random.default_rng(0)
    counts = rng.poisson(rng.gamma(1.0, 1.0, [rows, rank]) @ rng.gamma(1.0, 1.0, [rank, columns]))
    entries = np.stack(np.meshgrid(np.arange(rows), np.arange(columns), indexing="ij"), -1).reshape(-1, 2)
    order = rng.permutation(len(entries))
    entries, values = entries[order], counts.reshape(-1)[order]
    data = _rows(entries[held_out:], values[held_out:], entries[:held_out], values[:held_out])
    data["x_train"], data["x_val"] = (data[k].astype(jnp.int32) for k in ("x_train", "x_val"))

    def init(key):
        left, right = jax.random.split(key)
        return {
            "rows": 0.1 * jax.random.normal(left, [rows, rank]),
            "columns": 0.1 * jax.random.normal(right, [rank, columns]),
        }

    def loss(params, x, y):
        mu = jnp.mean(jnp.exp(params["rows"][x[:, 0]] + params["columns"].T[x[:, 1]]), 1)
        return jnp.mean(mu - y + jax.scipy.special.xlogy(y, y) - y * jnp.log(mu))

    return _fitted(
        "poisson-factorization",
        data,
        init,
        loss,
        "val Poisson deviance / 2",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"an {rows}x{columns} matrix of Poisson counts of rank {rank}, nonnegative factors, "
        f"{rows * columns - held_out} train / {held_out} val entries; batch {batch}",
    )


SPLIT = "held-out-34"
TASKS: dict[str, Callable[..., Task]] = {
    "deeponet-ode-operator": deeponet_ode_operator,
    "bundle-adjustment": bundle_adjustment,
    "poisson-factorization": poisson_factorization,
}
