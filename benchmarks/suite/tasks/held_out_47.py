"""The *held-out-47* tasks, added in round 64, are kept aside from every design, the held-out-46 tasks' included, and
run once (``--split held-out-47``) with the defaults frozen. Their structures are new to the suite: a linkage's closure
(a four-bar mechanism, its coupler's angle where two circles meet, through the law of cosines), Planck's law (a mixture
of blackbodies, ``1 / (exp(c2 / (wavelength T)) - 1)`` in each temperature), and dead reckoning (a robot's position the
sum of its steps along a heading that is the running sum of its turns). Before these three, other versions ran with the
fixed candidates on seeds 0 and 1 (through the suite's harness; some on seed 0 only) and were dropped: linkages whose
rocker pivot stands 0.04 or 0.1 above the ground line (the fit absorbing it: its floor within 5% of the noise), then
with the encoder off centre by 0.02 or 0.03 rad, in units of 0.1, 0.13, 0.14, 0.15 (noise 0.015) or 0.17 (RMSProp still
falling at 2,000, or within 1% of its best only from 1,600) or 0.18, 0.3 or 0.5 (Adam within 6% of RMSProp, or every
candidate at the floor); three surfaces (their weights and temperatures degenerate), then two, seen from 1 to 5 um or
0.7 to 12 um, gray or with an emissivity falling 0.03 or 0.2 an um (the fit moving the proportions 7 units away), at the
true surfaces' full distance from the nominal ones, in units of 0.1, 0.2, 0.4, 0.5, 0.7, 1 or 2 (RMSProp or SGD ahead),
then at 0.3 of that distance in units of 0.05 to 0.2, the gas's band absorbing 30% (the floor 50 times the noise) or 8%
at noises of 0.0005 or 0.002 (RMSProp within 3% of Adam in units of 0.13 or 0.17); robots with a heading drift per step
(its curvature's condition number 1,700: every candidate still falling at 2,000), turning backwards too, or whose tyres
slip 0.3 (the floor 4 times the noise), in meters and units of 0.1 (RMSProp ahead), then in cm in units of 0.002 (SGD at
its floor by 450). Four calibrations (--calibrate, seeds 100-104) and four baseline tunings ran (the first tuning
stopped before it wrote anything), each on the whole split (each one's files replace the one before's; the linkage's and
the pyrometer's targets, bests and steps came out the same each time they did not change), changing two tasks: first the
linkage in units of 0.14 (RMSProp reaching the target at 1,650 to 1,900 updates, Adam's bests 1.7 times it) and the
robot's wheels 0.0515 and 0.049 m and its wheelbase 0.31 m in units of 0.00125, 0.00125 and 0.00525 (SGD reaching its
target at 1,700 to 1,750 on 4 of the 5 seeds), then the linkage as here and the same robot in units of 0.0017, 0.0017
and 0.0071 (SGD there at 900 to 1,200), on which the baseline at 3e-2, the top of its grid, missed the target on every
seed (its parameters 17 units from the start), then the robot 0.0505, 0.0497 and 0.303 m in the units here (SGD there at
1,250 to 1,500, its parameters 7.2 units from the start), on which the baseline at 3e-2 got within 0.02% of the target
and missed it on every seed (its steps at the end of its schedule jittering about the floor), then the robot here, half
as far from the nominal one. The cost of the tasks as they are: RMSProp reaches the linkage's target only at 1,800 to
2,000 updates, late, and Adam the pyrometer's at 1,750 to 1,950, late, each still creeping along its floor, the target
1.4% and 8.7% above the model's floor; SGD's for the robot is 0.04% below it (SGD's validation error gets a little below
the least-squares fit on the training rows). The baseline's tuned rate is 3e-2, the top of its grid, on all three. Each
run 1 to 3 s on the 2 cores shared with other jobs."""

from collections.abc import Callable

import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def _coupler_point(crank, links, xp=np):
    """The coupler point of a four-bar linkage at crank angle ``crank``, ``links`` its crank, coupler, rocker and ground
    lengths, the point's reach along the coupler and its offset angle: the crank's pin ``A`` on a circle about the
    origin, the coupler's angle where its circle about ``A`` meets the rocker's about the rocker's pivot ``(ground, 0)``
    (the law of cosines, the open branch), and the point ``reach`` from ``A`` turned by ``offset``."""
    crank_length, coupler, rocker, ground, reach, offset = links
    ax, ay = crank_length * xp.cos(crank), crank_length * xp.sin(crank)
    dx, dy = ground - ax, -ay
    distance = xp.sqrt(dx**2 + dy**2)
    cosine = (coupler**2 + distance**2 - rocker**2) / (2 * coupler * distance)
    angle = xp.arctan2(dy, dx) + xp.arccos(xp.clip(cosine, -1 + 1e-6, 1 - 1e-6))
    return xp.stack([ax + reach * xp.cos(angle + offset), ay + reach * xp.sin(angle + offset)], -1)


#: The nominal linkage (the model's start): crank, coupler, rocker and ground lengths, the coupler point's reach and
#: offset angle.
_NOMINAL_LINKAGE = (1.0, 3.0, 2.5, 3.0, 1.5, 0.6)

#: The scale of the model's parameters: the logarithms of the lengths and the offset angle.
_LINKAGE_UNIT = 0.16

#: The linkage as it is: each length and the offset moved from the nominal ones.
_TRUE_LINKAGE = (1.1, 2.8, 2.7, 3.2, 1.8, 0.45)


def four_bar_coupler_curve(*, quick: bool = False) -> Task:
    """Fit a four-bar linkage's dimensions to the path of its coupler point, the squared error of the point, batch 64
    crank angles.

    A held-out-47 task, the kinematic identification of a planar linkage (Freudenstein 1955, "Approximate synthesis of
    four-bar linkages"; Hartenberg and Denavit, "Kinematic Synthesis of Linkages"): a crank of length ``a`` turns about
    the origin, a rocker of length ``c`` about the pivot ``(d, 0)``, and the coupler of length ``b`` joins their pins;
    at crank angle ``q`` the crank's pin is ``A = a (cos q, sin q)``, and the coupler's angle is the direction from
    ``A`` to the rocker's pivot plus ``arccos((b^2 + D^2 - c^2) / (2 b D))``, ``D`` their distance (the law of cosines,
    the open branch), so that the parameters reach the path through the closure of the loop; the coupler point lies
    ``p`` along the coupler from ``A``, turned by ``g``. Each reading is the point less the nominal linkage's (crank 1,
    coupler 3, rocker 2.5, ground 3, the point 1.5 out at 0.6 rad), so that the start predicts no change. The linkage as
    it is (1.1, 2.8, 2.7, 3.2, 1.8 and 0.45 rad) also has its crank read through an encoder off centre, the true angle
    ``q + 0.03 sin q``, which the model cannot follow: its best fit (least squares on the training angles) leaves a
    residual, 77% above the noise. RMSProp, whose steps of 1e-3 keep their size as the large early gradients fall away,
    travels to the fit; Adam, whose second moment remembers those gradients over a thousand updates, and SGD, whose
    steps follow the steepest directions of a curvature spread over three decades, are still on their way at 2,000. The
    data (numpy seed 0): 5,000 crank angles U(0, 2 pi), each point's change plus N(0, 0.01^2) noise in each coordinate
    (-0.016722 to 0.367533); the first 1,000 for validation, 4,000 for training (the same for every run seed); each
    reading given as its crank angle. The model: the logarithms of the five lengths and the offset angle (in units of
    0.16) from 0 (the nominal linkage, the same start on every seed). The loss and the metric are the mean squared error
    of the point's change (0 or more): 0.0497584 for a zero prediction (the start), 0.00717208 for the validation mean,
    0.000100785 for the true model (the noise), 0.000178435 for the model's best fit (its floor). Budget 2,000 updates,
    evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1 with other misfits and units, as
    the module's docstring says, then on this task as it is on seeds 0 and 1 (RMSProp 0.0001809 and 0.00018083, within
    1% of it from 1,250 updates on both; Adam 0.0002128 and 0.00021313 and SGD with momentum 0.00029467 and 0.00029224,
    still falling at 2,000), and on the calibration seeds in one other version, as it says. On the calibration seeds
    RMSProp at 1e-3 sets the target, 0.00018096, its median best 0.00018066 loosened by the spread of its bests
    (0.00018044 to 0.00018081, at 1,850 to 2,000 updates), 80% above the noise and 1.4% above the model's floor: it gets
    below it on every seed within 1,800 to 2,000 updates, late, creeping along its floor, within 1% of it from 1,300;
    Adam at 1e-3 on none (bests 0.00021141 to 0.00021416, 1.17 to 1.18 times the target) and SGD with momentum at 1e-2
    on none (bests 0.00029246 to 0.00029524, 1.6 times), each at 2,000, still falling. SGD leads at 100 and 500 updates,
    RMSProp from 1,000 on, on every seed: after 500 updates the validation error is 0.0139 to 0.01393 for RMSProp,
    0.01631 to 0.0164 for Adam and 0.002243 to 0.002275 for SGD; after 1,000, 0.0008506 to 0.0008538, 0.004113 to
    0.004207 and 0.001041 to 0.001055 (1 to 3 s a run). The baseline's tuned rate is 3e-2, the top of its grid (median
    best 0.00017982, below the target on every seed within 1,150 to 1,400 updates)."""
    rows, held_out, batch, unit, wobble = 5000, 1000, 64, _LINKAGE_UNIT, 0.03
    rng = np.random.default_rng(0)
    crank = rng.uniform(0, 2 * np.pi, rows)
    # The linkage as it is, its crank read through an encoder mounted off centre (0.03 rad times the sine of the angle).
    change = _coupler_point(crank + wobble * np.sin(crank), _TRUE_LINKAGE) - _coupler_point(crank, _NOMINAL_LINKAGE)
    y = change + rng.normal(0, 0.01, (rows, 2))
    data = _rows(crank[held_out:, None], y[held_out:], crank[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_LINKAGE, jnp.float32)
    logs = jnp.asarray([1, 1, 1, 1, 1, 0], jnp.float32)

    def init(key):
        del key
        return {"linkage": jnp.zeros([6])}

    def loss(params, x, y):
        c = unit * params["linkage"]
        links = logs * nominal * jnp.exp(c) + (1 - logs) * (nominal + c)
        fitted = _coupler_point(x[:, 0], links, jnp) - _coupler_point(x[:, 0], nominal, jnp)
        return jnp.mean((fitted - y) ** 2)

    return _fitted(
        "four-bar-coupler-curve",
        data,
        init,
        loss,
        "val MSE (coupler point)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a four-bar linkage fitted to {rows - held_out} train / {held_out} val coupler points; "
        f"batch {batch}",
    )


#: The second radiation constant, h c / k (um K).
_C2 = 14388.0


def _radiance(wavelength, temperatures, weights, xp=np):
    """The radiance at ``wavelength`` (um) of surfaces at ``temperatures`` (K) in proportions ``weights``: Planck's law
    ``wavelength^-5 / (exp(c2 / (wavelength T)) - 1)`` for each, in units of ten times a surface's at 1,000 K at 2 um.
    """
    shape = wavelength[:, None] ** -5 / xp.expm1(_C2 / (wavelength[:, None] * temperatures[None]))
    return shape @ weights / (10 * 2.0**-5 / np.expm1(_C2 / 2000.0))


#: The scale of the model's parameters: the logarithms of the temperatures and proportions.
_PLANCK_UNIT = 0.1

#: The nominal surfaces (the model's start): their temperatures (K) and proportions.
_NOMINAL_TEMPERATURES, _NOMINAL_WEIGHTS = (800.0, 1500.0), (0.5, 0.2)


def planck_pyrometry(*, quick: bool = False) -> Task:
    """Fit the temperatures and proportions of two hot surfaces to a furnace's thermal spectrum through Planck's law,
    the squared error of the radiance, batch 64 wavelengths.

    A held-out-47 task, multi-wavelength radiation pyrometry (Planck 1901, "On the law of distribution of energy in the
    normal spectrum"; DeWitt and Nutter, "Theory and Practice of Radiation Thermometry"): a surface at temperature ``T``
    radiates ``wavelength^-5 / (exp(c2 / (wavelength T)) - 1)`` at each wavelength (``c2`` 14,388 um K), and the
    furnace's spectrum is two surfaces' in their proportions ``w1`` and ``w2``, so that each temperature reaches the
    readings through the Bose-Einstein denominator of Planck's law, peaked at a wavelength that moves with it, and each
    proportion scales its whole curve. Each reading is the radiance (in units of ten times a surface's at 1,000 K at 2
    um) less that of the nominal surfaces (800 and 1,500 K in proportions 0.5 and 0.2), so that the start predicts no
    change. The furnace as it is (830 and 1,470 K, 0.53 and 0.224) is also seen through a gas that absorbs 8% at the
    centre of a band at 4.3 um (its width 0.15 um, as carbon dioxide's), which the model cannot follow: its best fit
    (least squares on the training wavelengths) leaves a residual, 19% above the noise. The proportions and temperatures
    trade off along a narrow curved valley; Adam, whose momentum carries its steps along it, reaches the fit; RMSProp,
    without momentum, is slower along it and still on its way at 2,000, and SGD, whose steps are the small radiances'
    gradients, barely moves along it. The data (numpy seed 0): 5,000 wavelengths U(0.7, 12) um, each radiance change
    plus N(0, 0.002^2) noise (-0.011968 to 0.019172); the first 1,000 for validation, 4,000 for training (the same for
    every run seed); each reading given as its wavelength. The model: the logarithms of the two temperatures and of the
    two proportions (in units of 0.1) from 0 (the nominal surfaces, the same start on every seed). The loss and the
    metric are the mean squared error of the radiance change (0 or more): 4.30131e-05 for a zero prediction (the start),
    2.60541e-05 for the validation mean, 3.94466e-06 for the true model (the noise), 4.71136e-06 for the model's best
    fit (its floor). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds 0
    and 1 with other surfaces, ranges, misfits, noises, distances and units, as the module's docstring says, then on
    this task as it is on seeds 0 and 1 (Adam 5.0991e-06 and 5.1003e-06, within 1% of it from 1,500 updates on both;
    RMSProp 6.655e-06 and 6.6572e-06 and SGD with momentum 3.488e-05 and 3.4875e-05, still falling at 2,000). On the
    calibration seeds Adam at 1e-3 sets the target, 5.1222e-06, its median best 5.107e-06 loosened by the spread of its
    bests (5.0997e-06 to 5.1177e-06, at 2,000 updates), 30% above the noise and 8.7% above the model's floor: it gets
    below it on every seed within 1,750 to 1,950 updates, late, still improving along the valley; RMSProp at 1e-3 on
    none (bests 6.6354e-06 to 6.7196e-06, 1.3 times the target) and SGD with momentum at 1e-2 on none (bests 3.4852e-05
    to 3.4929e-05, 6.8 times), each at 2,000, still falling. Adam leads from 100 updates on, on every seed: after 500
    updates the validation error is 9.989e-06 to 1.034e-05 for Adam, 2.003e-05 to 2.026e-05 for RMSProp and 3.991e-05 to
    3.998e-05 for SGD; after 1,000, 5.429e-06 to 5.49e-06, 1.257e-05 to 1.271e-05 and 3.764e-05 to 3.778e-05 (1 to 2 s a
    run). The baseline's tuned rate is 3e-2, the top of its grid (median best 4.747e-06, below the target on every seed
    within 200 to 300 updates)."""
    rows, held_out, batch, unit = 5000, 1000, 64, _PLANCK_UNIT
    rng = np.random.default_rng(0)
    wavelength = rng.uniform(0.7, 12.0, rows)
    # The furnace as it is: its two surfaces at 830 and 1,470 K in proportions 0.53 and 0.224, seen through a gas that
    # absorbs 8% at its band's centre at 4.3 um (as carbon dioxide does).
    emissivity = 1 - 0.08 * np.exp(-(((wavelength - 4.3) / 0.15) ** 2))
    t0, w0 = np.array(_NOMINAL_TEMPERATURES), np.array(_NOMINAL_WEIGHTS)
    change = emissivity * _radiance(wavelength, np.array([830.0, 1470.0]), np.array([0.53, 0.224]))
    y = change - _radiance(wavelength, t0, w0) + rng.normal(0, 0.002, rows)
    data = _rows(wavelength[held_out:, None], y[held_out:], wavelength[:held_out, None], y[:held_out])
    t0j, w0j = jnp.asarray(t0, jnp.float32), jnp.asarray(w0, jnp.float32)

    def init(key):
        del key
        return {"temperatures": jnp.zeros([2]), "weights": jnp.zeros([2])}

    def loss(params, x, y):
        wavelength = x[:, 0]
        t = t0j * jnp.exp(unit * params["temperatures"])
        w = w0j * jnp.exp(unit * params["weights"])
        predicted = _radiance(wavelength, t, w, jnp) - _radiance(wavelength, t0j, w0j, jnp)
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "planck-pyrometry",
        data,
        init,
        loss,
        "val MSE (radiance)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"two blackbody temperatures fitted to {rows - held_out} train / {held_out} val radiance "
        f"readings; batch {batch}",
    )


def _dead_reckoning(turns, wheels, xp=np, slip=0.0):
    """The final position of a differential-drive robot after its wheels turn by ``turns`` (rows of the left wheel's
    angles at each step, then the right wheel's, in radians), ``wheels`` its left and right wheel radii and its
    wheelbase: the heading the running sum of each step's turn, each step's travel along the heading at the step's
    midpoint; with ``slip``, each step's turn ``q`` is ``q / (1 + slip q^2)``."""
    left, right, base = wheels
    steps = turns.shape[1] // 2
    travel_left, travel_right = left * turns[:, :steps], right * turns[:, steps:]
    turn = (travel_right - travel_left) / base
    turn = turn / (1 + slip * turn**2)
    heading = xp.cumsum(turn, 1) - turn / 2
    travel = (travel_left + travel_right) / 2
    return xp.stack([xp.sum(travel * xp.cos(heading), 1), xp.sum(travel * xp.sin(heading), 1)], -1)


#: The nominal robot (the model's start): left and right wheel radii and wheelbase (m).
_NOMINAL_WHEELS = (0.05, 0.05, 0.3)

#: The robot as it is: its left and right wheel radii and wheelbase (m).
_TRUE_WHEELS = (0.05025, 0.04985, 0.3015)

#: The scales of the model's parameters: the logarithms of the wheel radii and of the wheelbase.
_WHEEL_UNITS = (0.00136, 0.00136, 0.0057)


def wheel_odometry_calibration(*, quick: bool = False) -> Task:
    """Calibrate a differential-drive robot's wheel radii and wheelbase from the end points of dead-reckoned paths, the
    squared error of the position, batch 64 paths.

    A held-out-47 task, the systematic calibration of odometry (Borenstein and Feng 1996, "Measurement and correction of
    systematic odometry errors in mobile robots", UMBmark): at each of 16 steps the left and right wheels turn by their
    measured angles, the robot travels their radii's mean travel along its heading at the step's midpoint and turns by
    the difference of their travels over the wheelbase; the heading is the running sum of the turns, and the end point
    the sum of the steps, so that the parameters reach the readings through a cumulative sum inside the cosines and
    sines of the path. Each reading is the end point (in cm) less the nominal robot's (wheels of 0.05 m, wheelbase 0.3
    m), so that the start predicts no change. The robot as it is (wheels of 0.05025 and 0.04985 m, wheelbase 0.3015 m)
    also slips in turns, each step's turn ``q`` becoming ``q / (1 + 0.1 q^2)``, which the model cannot follow: its best
    fit (least squares on the training paths) leaves a residual, 42% above the noise. Each parameter is in units that
    even out the curvature at the fit, and the fit lies far from the start in them (the wheelbase 4 units away); SGD
    with momentum, whose steps grow with the large position gradients, travels there, while Adam and RMSProp, whose
    steps of 1e-3 in each coordinate cannot cover 4 units in 2,000, are far from it at the end. The data (numpy seed 0):
    5,000 paths, each wheel's angle at each step U(0, 4) rad, each end point's change plus N(0, 1) cm noise in each
    coordinate (-10.4432 to 12.5397); the first 1,000 for validation, 4,000 for training (the same for every run seed);
    each path given as its 16 left then 16 right angles. The model: the logarithms of the two radii and the wheelbase
    (in units of 0.00136, 0.00136 and 0.0057) from 0 (the nominal robot, the same start on every seed). The loss and the
    metric are the mean squared error of the end point's change (0 or more): 9.13201 for a zero prediction (the start),
    8.89499 for the validation mean, 1.0408 for the true model (the noise), 1.47689 for the model's best fit (its
    floor). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1 with
    other parameters, paths, slips, scales, robots and units, as the module's docstring says, then on this task as it is
    on seeds 0 and 1, SGD with momentum and Adam alone (SGD 1.4762 and 1.4763, within 0.1% of it from 600 and 500
    updates; Adam 3.1462 and 3.1346, still falling at 2,000), and on the calibration seeds in three other versions, as
    the module says. On the calibration seeds SGD with momentum at 1e-2 sets the target, 1.4763, its median best 1.4763
    loosened by the spread of its bests (1.4762 to 1.4763, at 950 to 1,400 updates), 42% above the noise and 0.04% below
    the model's floor (fitted on the training rows; SGD's validation error gets a little below it): it gets below it on
    every seed within 900 to 1,200 updates; Adam at 1e-3 on none (bests 3.1392 to 3.1517) and RMSProp at 1e-3 on none
    (bests 2.5759 to 2.5797), each at 2,000, still falling, 2.1 and 1.7 times the target. SGD leads on every seed: after
    500 updates the validation error is 1.4775 to 1.4808 for SGD, 6.962 to 6.981 for Adam and 6.863 to 6.869 for
    RMSProp; after 1,000, 1.4762 to 1.4782, 5.3 to 5.324 and 5.041 to 5.046 (1 to 3 s a run). The baseline's tuned rate
    is 3e-2, the top of its grid (median best 1.4762, below the target on every seed within 900 to 1,200 updates)."""
    rows, held_out, batch, steps = 5000, 1000, 64, 16
    rng = np.random.default_rng(0)
    turns = rng.uniform(0.0, 4.0, (rows, 2 * steps))
    # The robot as it is (its wheels 0.05025 and 0.04985 m, its wheelbase 0.3015 m), its tyres slipping in turns.
    true = _dead_reckoning(turns, _TRUE_WHEELS, slip=0.1)
    y = 100 * (true - _dead_reckoning(turns, _NOMINAL_WHEELS)) + rng.normal(0, 1.0, (rows, 2))
    data = _rows(turns[held_out:], y[held_out:], turns[:held_out], y[:held_out])
    nominal, units = jnp.asarray(_NOMINAL_WHEELS, jnp.float32), jnp.asarray(_WHEEL_UNITS, jnp.float32)

    def init(key):
        del key
        return {"wheels": jnp.zeros([3])}

    def loss(params, x, y):
        wheels = nominal * jnp.exp(units * params["wheels"])
        predicted = 100 * (_dead_reckoning(x, wheels, jnp) - _dead_reckoning(x, nominal, jnp))
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "wheel-odometry-calibration",
        data,
        init,
        loss,
        "val MSE (position, cm)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a robot's wheels calibrated from {rows - held_out} train / {held_out} val dead-reckoned "
        f"paths; batch {batch}",
    )


SPLIT = "held-out-47"
TASKS: dict[str, Callable[..., Task]] = {
    "four-bar-coupler-curve": four_bar_coupler_curve,
    "planck-pyrometry": planck_pyrometry,
    "wheel-odometry-calibration": wheel_odometry_calibration,
}
