"""The *held-out-44* tasks, added in round 62, are kept aside from every design, the held-out-43 tasks' included, and
run once (``--split held-out-44``) with the defaults frozen. Before these three, other versions ran with the fixed
candidates on seeds 0 and 1 (through the suite's harness) and were dropped: the radial and tangential distortion of a
camera lens (Brown-Conrady; SGD the lowest but still falling at 2,000, the missing r^8 term absorbed, its floor 2% above
the noise); degree-day models with both thresholds learned from 0 (the two hinges alike at the start, SGD stalling at 7
times the floor), then with the thresholds as offsets from 10 and 29 C, in units of 10, 5, 2.5, 2 or 1.5 C, over seasons
of 90 days of one spread or of 30 days of spreads U(2, 8), of 5,000 or 20,000 seasons, in batches of 64 to 512, with the
growing threshold learned (collinear with the level; SGD creeping down to 2,000) or fixed (SGD jittering 3% to 20% above
its best in units of 1.5 to 2 C), and the first calibrated version, without frost (SGD's target 0.011386, at the model's
floor, which the baseline missed on one seed), then frost harms of 0.45 and 0.7 a degree-day; diffusion tensors of 200,
400, 100 or 64 voxels, unweighted signals U(0.5, 1.5), U(0.3, 0.6) or U(0.1, 0.2), b-values up to 3 or 1.5 ms/um^2,
kurtoses U(0.6, 1.2) (the floor 9 times the noise) or U(0.5, 1), noises of 0.01 and 0.02, the Cholesky factor's entries
in units of 1 or 3 (Adam still falling at 2,000, RMSProp within 5% of it in units of 3), batches of 128 or 256 (Adam
within 1% of its best from 1,400 updates but still creeping); and affine registrations with gains of 0.6, 0.3 or 0.1,
contrasts of 1, 0.3 or 0.15, shifts up to 0.15 or 0.3 and bends of 0.03 or 0.01 (SGD the lowest at full contrast, Adam
the lowest at small gains, or all three at the floor by 1,100 updates). Two calibrations (--calibrate, seeds 100-104)
and two baseline tunings ran: the first on the crop yields without frost (its target at the floor, missed by the
baseline on one seed), then one on the tasks as they are (each one's files replace the one before's: the tasks are rerun
whole, and the tensors' and the registration's targets and bests come out the same); a third attempt stopped at its
first run (the crop yields' parameters shared one array, which the suite's jitted step may not donate twice) and wrote
nothing. The cost of the tasks as they are: Adam reaches the tensors' target late, at 1,650 to 1,900 updates, still
creeping down; and RMSProp's target for the registration is within 1% of the model's floor (its steps of 1e-3 leave
little jitter there: it reaches it on every seed within 1,150 to 1,400 updates). Each run 0.4 to 0.8 s on the 2 cores
shared with other jobs."""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def degree_day_crop_yields(*, quick: bool = False) -> Task:
    """Fit a degree-day model of crop yields (a gain per growing degree-day, a harm per degree-day above a critical
    temperature and where that temperature lies, a harm per frost degree-day) to the daily temperatures of each season
    and its log yield, the squared error of the log yield, batch 64 seasons.

    A held-out-44 task, the degree-day model of crop yields (Schlenker and Roberts 2009, "Nonlinear temperature effects
    indicate severe damages to U.S. crop yields under climate change": yields grow with the degree-days between about 10
    and 29 C and fall steeply with those above 29 C), a piecewise linear response to each day's temperature whose kinks
    are parameters, summed over the season: a season's log yield is ``level + gain G - harm H - frost F``, ``G`` the
    mean over its days of ``max(T - 10, 0)``, ``H`` of ``max(T - 29 - critical, 0)`` and ``F`` of ``max(5 - T, 0)``, in
    units of 3 C, the critical temperature's offset learned. The data bend away from it: the growing degree-days stop at
    29 C (``min(max(T - 10, 0), 19)``) and the harm grows as ``max(T - 29, 0)^1.3``, so the model's best fit (least
    squares on the training seasons) leaves a residual, 14% above the noise. The frost's degree-days are few and small,
    so that SGD with momentum, whose step is their small share of the gradient, leaves them barely fitted and stops 8%
    above that floor, while Adam and RMSProp are held back by the harm's distance from 0 (4.3 in the units of the fit)
    at their steps of 1e-3. The data (numpy seed 0): 20,000 seasons, each with a mean temperature U(16, 30) C and a
    spread U(2, 8) C, its 30 days' temperatures the mean plus the spread times N(0, 1); its log yield ``1 + 0.08 G' -
    0.6 H' - 0.6 F`` plus N(0, 0.1^2) noise (-5.05 to 2.48), ``G'`` and ``H'`` the bent degree-days above, in C; the
    first 4,000 for validation, 16,000 for training (the same for every run seed); each season given as its 30
    temperatures, ``(T - 20 C) / 3 C``. The model: the level, the gain, the harm, the critical temperature's offset (in
    units of 3 C from 29 C) and the frost's harm from 0 (the same start on every seed). The loss and the metric are the
    mean squared error of the log yield (0 or more): 2.43909 for a zero prediction (the start), 0.659623 for the
    validation mean, 0.0100474 for the true model (the noise), 0.0114424 for the model's best fit (its floor). Budget
    2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1 with other units,
    seasons, batches and thresholds, as the module's docstring says, then on this task as it is on seeds 0 and 1 (SGD
    with momentum 0.012358 and 0.012379, within 1% of it from 1,500 and 1,400 updates; Adam 0.18241 and 0.1821 and
    RMSProp 0.16115 and 0.16045, still falling at 2,000). On the calibration seeds SGD with momentum at 1e-2 sets the
    target, 0.012433, its median best 0.012379 loosened by the spread of its bests (0.012345 to 0.012418, at 1,600 to
    1,950 updates), 24% above the noise and 8.7% above the model's floor: it gets below it on every seed within 1,450 to
    1,650 updates; Adam at 1e-3 on none (bests 0.17691 to 0.1823) and RMSProp at 1e-3 on none (bests 0.15618 to
    0.16341), each at 2,000, still falling, 14 and 13 times the target. SGD leads from 50 updates on, on every seed:
    after 100 updates the validation error is 0.08289 to 0.09292 for SGD, 1.39 to 1.402 for RMSProp and 1.488 to 1.502
    for Adam; after 500, 0.016 to 0.0175 for SGD; after 1,000, 0.01271 to 0.01534 (one seed on a swing), 0.3906 to
    0.3962 and 0.3824 to 0.3907 (0.6 to 0.8 s a run). The baseline's tuned rate is 3e-2, the top of its grid (median
    best 0.011409, below the target on every seed within 500 to 550 updates: its Adam steps fit the frost)."""
    days, seasons, held_out, batch, unit = 30, 20000, 4000, 64, 3.0
    rng = np.random.default_rng(0)
    mean = rng.uniform(16, 30, seasons)
    spread = rng.uniform(2, 8, seasons)
    temperature = mean[:, None] + spread[:, None] * rng.normal(0, 1, (seasons, days))
    growing = np.clip(temperature - 10, 0, 19).mean(1)
    harmful = (np.maximum(temperature - 29, 0) ** 1.3).mean(1)
    frost = np.maximum(5 - temperature, 0).mean(1)
    y = 1.0 + 0.08 * growing - 0.6 * harmful - 0.6 * frost + rng.normal(0, 0.1, seasons)
    x = (temperature - 20) / unit
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])
    base, critical, cold = (10 - 20) / unit, (29 - 20) / unit, (5 - 20) / unit

    def init(key):
        del key
        return {name: jnp.zeros([]) for name in ("level", "gain", "harm", "critical", "frost")}

    def loss(params, x, y):
        growing = jnp.mean(jax.nn.relu(x - base), 1)
        harmful = jnp.mean(jax.nn.relu(x - critical - params["critical"]), 1)
        frost = jnp.mean(jax.nn.relu(cold - x), 1)
        predicted = params["level"] + params["gain"] * growing - params["harm"] * harmful - params["frost"] * frost
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "degree-day-crop-yields",
        data,
        init,
        loss,
        "val MSE (log yield)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"degree-day yields of {seasons - held_out} train / {held_out} val seasons of {days} days; "
        f"batch {batch}",
    )


def diffusion_tensor_mri(*, quick: bool = False) -> Task:
    """Fit the diffusion tensor of each voxel (its Cholesky factor) and its unweighted signal to diffusion-weighted MRI
    signals at many gradient directions and b-values, the squared error of the signal, batch 64 measurements.

    A held-out-44 task, diffusion tensor imaging (Basser, Mattiello and Le Bihan 1994, "MR diffusion tensor spectroscopy
    and imaging"; the Stejskal-Tanner signal): a voxel's signal along the unit gradient direction ``g`` at b-value ``b``
    is ``S0 exp(-b g^T D g)``, ``D`` the voxel's diffusion tensor, symmetric and positive definite, here ``L L^T`` with
    ``L`` lower triangular, its diagonal ``exp(2 d)`` and the entries below it ``2 l`` (the log-Cholesky
    parameterization, in half units), a quadratic form in the direction inside an exponential. The data follow
    diffusional kurtosis imaging (Jensen et al. 2005): ``S0 exp(-b D_g + (b D_g)^2 K / 6)``, ``D_g = g^T D g``, which
    the tensor alone cannot follow: its best fit (least squares on each voxel's training measurements) leaves the
    kurtosis' residual, 21% above the noise. A batch of 64 holds 0.64 measurements of a voxel on average, so that Adam,
    whose moments carry each voxel's gradient over the batches without it, fits the tensors, while RMSProp, whose short
    memory forgets them, jitters above, and SGD, whose step is the small signal's, barely moves. The data (numpy seed
    0): 100 voxels, each with ``S0`` U(0.1, 0.2), eigenvalues U(1, 1.6), U(0.4, 0.8) and U(0.4, 0.8) um^2/ms along the
    axes of a random rotation (the Q of the QR of a 3x3 N(0, 1)) and a kurtosis U(0.8, 1.3); 20,000 measurements, each
    of a voxel drawn uniformly, a direction uniform on the sphere and ``b`` U(0.5, 1.5) ms/um^2, its signal plus N(0,
    0.004^2) noise (0.0198 to 0.1582); the first 4,000 for validation, 16,000 for training (the same for every run
    seed); each measurement given as its voxel, ``b`` and direction. The model: each voxel's ``S0``, ``d`` and ``l``
    from 0 (the tensor the identity, the same start on every seed). The loss and the metric are the mean squared error
    of the signal (0 or more): 0.00673932 for a zero prediction (the start), 0.00054723 for the validation mean,
    1.55433e-05 for the true model (the noise), 1.88727e-05 for the model's best fit (its floor). Budget 2,000 updates,
    evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1 with other voxels, signals,
    tensors, kurtoses, noises, units and batches, as the module's docstring says, then on this task as it is on seeds 0
    and 1 (Adam 2.0113e-05 and 2.0102e-05, within 1% of it from 1,700 and 1,500 updates; RMSProp 3.7755e-05 and
    3.7063e-05 and SGD with momentum 0.0019838 and 0.0019722, still falling at 2,000). On the calibration seeds Adam at
    1e-3 sets the target, 2.0138e-05, its median best 2.0115e-05 loosened by the spread of its bests (2.0103e-05 to
    2.013e-05, at 1,650 to 1,900 updates), 30% above the noise and 6.7% above the model's floor: it gets below it on
    every seed within 1,650 to 1,900 updates, late: Adam still creeping down; RMSProp at 1e-3 on none (bests 3.7302e-05
    to 3.7825e-05) and SGD with momentum at 1e-2 on none (bests 0.0019739 to 0.001985), each at 2,000, still falling,
    1.9 and 98 times the target. RMSProp leads after 50 updates, Adam from 100 on, on every seed: after 100 updates the
    validation error is 0.003042 to 0.003108 for Adam, 0.00334 to 0.003403 for RMSProp and 0.006368 to 0.006372 for SGD;
    after 500, 5.388e-05 to 5.474e-05, 0.0001064 to 0.0001081 and 0.004977 to 0.004984; after 1,000, 2.176e-05 to
    2.244e-05, 6.219e-05 to 6.312e-05 and 0.003654 to 0.003672 (0.4 to 0.6 s a run). The baseline's tuned rate is 3e-3,
    inside its grid (median best 1.9517e-05, below the target on every seed within 1,500 to 1,600 updates)."""
    voxels, measurements, held_out, batch = 100, 20000, 4000, 64
    rng = np.random.default_rng(0)
    unweighted = rng.uniform(0.1, 0.2, voxels)
    eigenvalues = np.stack(
        [rng.uniform(1.0, 1.6, voxels), rng.uniform(0.4, 0.8, voxels), rng.uniform(0.4, 0.8, voxels)]
    )
    axes = np.linalg.qr(rng.normal(0, 1, (voxels, 3, 3)))[0]
    tensor = np.einsum("vij,jv,vkj->vik", axes, eigenvalues, axes)
    kurtosis = rng.uniform(0.8, 1.3, voxels)
    voxel = rng.integers(0, voxels, measurements)
    direction = rng.normal(0, 1, (measurements, 3))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    b = rng.uniform(0.5, 1.5, measurements)
    diffusivity = np.einsum("mi,mij,mj->m", direction, tensor[voxel], direction)
    bd = b * diffusivity
    y = unweighted[voxel] * np.exp(-bd + bd**2 * kurtosis[voxel] / 6) + rng.normal(0, 0.004, measurements)
    x = np.concatenate([voxel[:, None], b[:, None], direction], 1)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])

    def init(key):
        del key
        return {"unweighted": jnp.zeros([voxels]), "diagonal": jnp.zeros([voxels, 3]), "lower": jnp.zeros([voxels, 3])}

    def loss(params, x, y):
        v, b, g = x[:, 0].astype(jnp.int32), x[:, 1], x[:, 2:]
        # The tensor L L^T, L lower triangular with diagonal exp(2 d) and entries 2 l below it: g^T L L^T g = |L^T g|^2.
        d, low = jnp.exp(2 * params["diagonal"][v]), 2 * params["lower"][v]
        first = d[:, 0] * g[:, 0] + low[:, 0] * g[:, 1] + low[:, 1] * g[:, 2]
        second = d[:, 1] * g[:, 1] + low[:, 2] * g[:, 2]
        third = d[:, 2] * g[:, 2]
        predicted = params["unweighted"][v] * jnp.exp(-b * (first**2 + second**2 + third**2))
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "diffusion-tensor-mri",
        data,
        init,
        loss,
        "val MSE (signal)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"diffusion tensors of {voxels} voxels, {measurements - held_out} train / {held_out} val "
        f"measurements; batch {batch}",
    )


def _spots(points, centers, widths, amplitudes):
    """A template image of Gaussian spots at ``points`` (rows of 2 coordinates)."""
    distance = ((points[:, None, :] - centers[None]) ** 2).sum(-1)
    return (amplitudes * jnp.exp(-distance / (2 * widths**2))).sum(1)


def affine_image_registration(*, quick: bool = False) -> Task:
    """Register an image to a template by an affine map of its coordinates and an intensity gain, the squared error of
    the pixels, batch 64 pixels.

    A held-out-44 task, intensity-based image registration (the affine registration of medical and microscopy images by
    the sum of squared differences, as in Lucas and Kanade 1981 and elastix): the image is the template seen through an
    affine map of its coordinates, ``I(x) = gain T(A x + t)``, the map inside the template, whose gradient the fit
    follows. The template is a known image of 12 Gaussian spots (a bead phantom); the data are bent a little further, as
    a lens would, by ``0.005 (x^2 - y^2, 2 x y)``, which the affine map cannot follow: its best fit (least squares on
    the training pixels) leaves the bend's residual, 28% above the noise. The image is of low contrast, so that SGD's
    steps, which scale with it, are small, while the gain must travel from 0 to 1: Adam, whose second moment keeps the
    early gradients of the gain's travel, slows near the end, and RMSProp, whose short memory keeps its steps at its
    rate, fits the map. The data (numpy seed 0): 12 spots, centers U(-1, 1) in each coordinate, widths U(0.15, 0.4) and
    amplitudes 0.12 times U(0.5, 1); the map ``A`` the identity plus U(-0.1, 0.1) in each entry and ``t`` U(-0.2, 0.2)
    in each coordinate, the gain 1; 5,000 pixels at U(-1, 1) in each coordinate, each one's intensity the template at
    its bent map plus N(0, 0.0012^2) noise (0.0081 to 0.2473); the first 1,000 for validation, 4,000 for training (the
    same for every run seed); each pixel given as its coordinates. The model: the gain, ``A`` minus the identity and
    ``t`` from 0 (the same start on every seed: a blank image). The loss and the metric are the mean squared error of
    the intensity (0 or more): 0.0170295 for a zero prediction (the start), 0.00323646 for the validation mean,
    1.44462e-06 for the true model (the noise), 1.84359e-06 for the model's best fit (its floor). Budget 2,000 updates,
    evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1 with other gains, contrasts, maps
    and bends, as the module's docstring says, then on this task as it is on seeds 0 and 1 (RMSProp 1.862e-06 and
    1.8471e-06, within 1% of it from 1,200 and 1,150 updates; SGD with momentum 7.5841e-06 and 7.3935e-06 and Adam
    3.6426e-05 and 3.9079e-05, still falling at 2,000). On the calibration seeds RMSProp at 1e-3 sets the target,
    1.8591e-06, its median best 1.8487e-06 loosened by the spread of its bests (1.8394e-06 to 1.8523e-06, at 1,200 to
    1,950 updates), 29% above the noise and 0.8% above the model's floor: it gets below it on every seed within 1,150 to
    1,400 updates (from 1,500 its validation error stays within 1.842e-06 to 1.912e-06); Adam at 1e-3 on none (bests
    3.6858e-05 to 4.1792e-05) and SGD with momentum at 1e-2 on none (bests 7.2172e-06 to 7.6638e-06), each at 2,000,
    still falling, 21 and 4 times the target. SGD leads from 50 to about 1,000 updates (its steps fit the gain first),
    RMSProp from about 1,050 on, on every seed: after 100 updates the validation error is 0.009531 to 0.009688 for SGD,
    0.01349 to 0.01354 for RMSProp and 0.01374 to 0.01378 for Adam; after 500, 0.0005979 to 0.0006211, 0.003237 to
    0.00327 and 0.004023 to 0.004056; after 1,000, 5.737e-05 to 5.948e-05, 7.078e-05 to 0.0001052 and 0.0015 to 0.001556
    (0.5 to 0.8 s a run). The baseline's tuned rate is 1e-2, inside its grid (median best 1.8524e-06, below the target
    on every seed within 700 to 1,900 updates)."""
    spots, pixels, held_out, batch = 12, 5000, 1000, 64
    rng = np.random.default_rng(0)
    centers = rng.uniform(-1, 1, (spots, 2))
    widths = rng.uniform(0.15, 0.4, spots)
    amplitudes = 0.12 * rng.uniform(0.5, 1.0, spots)
    linear = np.eye(2) + rng.uniform(-0.1, 0.1, (2, 2))
    shift = rng.uniform(-0.2, 0.2, 2)
    x = rng.uniform(-1, 1, (pixels, 2))
    bend = 0.005 * np.stack([x[:, 0] ** 2 - x[:, 1] ** 2, 2 * x[:, 0] * x[:, 1]], 1)
    template = (centers, widths, amplitudes)
    y = np.asarray(_spots(x @ linear.T + shift + bend, *template)) + rng.normal(0, 0.0012, pixels)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])
    template = tuple(jnp.asarray(part, jnp.float32) for part in template)

    def init(key):
        del key
        return {"gain": jnp.zeros([]), "linear": jnp.zeros([2, 2]), "shift": jnp.zeros([2])}

    def loss(params, x, y):
        warped = x @ (jnp.eye(2) + params["linear"]).T + params["shift"]
        return jnp.mean((params["gain"] * _spots(warped, *template) - y) ** 2)

    return _fitted(
        "affine-image-registration",
        data,
        init,
        loss,
        "val MSE (intensity)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"affine registration to a template of {spots} spots, {pixels - held_out} train / {held_out} val "
        f"pixels; batch {batch}",
    )


SPLIT = "held-out-44"
TASKS: dict[str, Callable[..., Task]] = {
    "degree-day-crop-yields": degree_day_crop_yields,
    "diffusion-tensor-mri": diffusion_tensor_mri,
    "affine-image-registration": affine_image_registration,
}
