"""The *held-out-51* tasks, added in round 68, are kept aside from every design, the held-out-50 tasks' included, and
run once (``--split held-out-51``) with the defaults frozen. Their structures are new to the suite: a quenched part's
cooling curve (Newton's law of cooling, an exponential decay to the ambient temperature, the part's faster second mode
as the misfit), a steel's isothermal transformation read by a dilatometer (the Johnson-Mehl-Avrami-Kolmogorov equation,
an exponential of a power of the time, a share of soft impingement as the misfit), and an alloy's fatigue crack growth
(Paris's law, a power of the stress intensity range, whose rate at a reference range and exponent trade off along a
narrow curved valley, the threshold and the fracture toughness as the misfit).
Before these three, other versions ran with the fixed candidates on seeds 0 and 1 (through the suite's harness, most on
seed 0 alone) and were dropped, 21 in all. A wind profile over rough ground (the logarithmic law, the friction velocity,
roughness length and displacement height in logs, in units of 0.1, a stable stratification's linear term as the misfit),
2 versions, meant for SGD with momentum: the three parameters took the misfit in among them (the displacement height
running off toward 0), the floor 0% to 2% above the noise, and SGD with momentum was still 9.7 times its floor at 2,000;
dropped. Newton's cooling curve in 4 versions before the one kept: a second mode of 10% of the excess left a floor 19
times the noise; of 2%, over 1,800 s, the ambient temperature and the time constant traded off and SGD with momentum was
1.1 to 1.6 times its floor at 2,000; over 3,600 s in units of 5 K it was within 1% of it from 1,050 updates; in units of
3 K (kept) from 300 to 400. Avrami's kinetics in 4 versions before the one kept: soft impingement 30% of the
transformation (the floor 14 times the noise) in units of 3 um, SGD with momentum at the floor by 200 updates; 5% and
10% in units of 10 um, the parameters in units of 0.18, RMSProp at the floor from 1,200 to 1,300 updates, SGD 1.14 to
1.31 and Adam 1.08 to 1.37 times it; in units of 0.22, SGD with momentum 1.02 times it at 2,000, too near; in units of
15 um and 0.2 (kept), SGD 4.1 times it. Paris's law in 11 versions before the one kept, built from the start on the
mechanism by which Adam sets a target (a narrow curved valley of the rate and the exponent, the nominal alloy moved
along its softest direction, small absolute gradients): with the rate at 10 MPa m^0.5 (the valley's condition number
near 3,600) Adam crept along it (1.04 to 1.93 times the floor at 2,000, over nominal alloys nearer or farther along the
valley and units of 0.6 and 1), the same with the growth rate in larger units (0.3 and 0.1 of a mm per cycle: Adam's
pace was its own, not its epsilon's), while RMSProp and SGD did not move (1.39 to 5.4 times); with the rate at 20 MPa
m^0.5 (the condition number near 130) in units of 0.3 and 0.6, Adam was 1.25 and 1.01 times its floor at 2,000, and in
units of 1 within 1% of it from 1,200 to 1,400 updates, RMSProp 3.6 to 3.8 times it (its epsilon, 1e-8 inside the square
root, far above the squared gradients, so that its steps are ten times the gradients, a few 1e-9) and SGD with momentum
3.7 to 3.8 times. That version was kept. So Adam at 1e-3 sets one target (the crack growth's), SGD with momentum one
(the cooling curve's) and RMSProp one (the transformation's), each calibrated (--calibrate) and its baseline tuned
(--tune-baseline) once, on seeds 100-104, with the fixed candidates and the baseline only. The cost of the tasks as they
are: the three targets are within 0.2% of their model's floor (SGD's for the cooling curve 0.15% below it, RMSProp's for
the transformation 0.01% below it, their validation errors a little below the floor fitted on the training rows; Adam's
for the crack growth 0.02% above it), so that each setter reaches its target at its floor; Adam reaches the crack
growth's late, at 1,650 to 1,800 updates (not in the last 5% of the budget), its later evaluations about it; SGD with
momentum reaches the cooling curve's on seeds 100 and 104 only at 1,650 and 1,700; the baseline's tuned rate is 3e-2,
the top of its grid, for the transformation, and 1e-2 for the cooling curve reaches its target on seed 101 only at
2,000, the last evaluation. Each run 1 to 2 s on the 2 cores shared with other jobs."""

from collections.abc import Callable

import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows

#: The part as it is: the ambient temperature (C), its initial excess over it (K) and its cooling time constant (s).
_TRUE_PART = (22.0, 278.0, 600.0)

#: The nominal part (the model's start).
_NOMINAL_PART = (20.0, 250.0, 400.0)

#: The share of the part's initial excess that decays in its faster, second mode as it is, and that mode's time
#: constant (s).
_SECOND_MODE, _SECOND_TIME_CONSTANT = 0.02, 100.0


def _newton_cooling(time, part, xp=np):
    """The temperature (C) at ``time`` (s) of a part cooling by Newton's law, ``Ta + dT0 exp(-t / tau)``, ``part`` its
    ``Ta``, ``dT0`` and ``tau``."""
    ambient, excess, constant = part[0], part[1], part[2]
    return ambient + excess * xp.exp(-time / constant)


def newton_cooling_curve(*, quick: bool = False) -> Task:
    """Fit a quenched part's ambient temperature, initial excess and cooling time constant to a thermocouple's readings
    as it cools, the squared error of the temperature, batch 64 readings.

    A held-out-51 task, the lumped-capacitance cooling of a part (Newton 1701, "Scala graduum caloris"; Incropera and
    DeWitt, "Fundamentals of Heat and Mass Transfer", the lumped-capacitance method): a part whose temperature is nearly
    uniform cools toward the ambient temperature ``Ta`` as ``Ta + dT0 exp(-t / tau)``, ``dT0`` its initial excess and
    ``tau`` its time constant (its heat capacity over its surface's conductance), so that ``Ta`` reaches the readings at
    the late times, ``dT0`` at the early ones and ``tau`` in between. Each reading is the temperature (in units of 3 K)
    less the nominal part's (``Ta`` 20 C, ``dT0`` 250 K, ``tau`` 400 s), so that the start predicts no change. The part
    as it is (``Ta`` 22 C, ``dT0`` 278 K, ``tau`` 600 s) is not quite lumped: 2% of its excess decays in a faster,
    second mode (a time constant of 100 s, the interior's conduction), which the model cannot follow: its best fit
    (least squares on the training readings; ``Ta`` 22.22 C, ``dT0`` 275.2 K, ``tau`` 593.3 s) leaves a residual, 47%
    above the noise. SGD with momentum, whose steps grow with the large temperature changes, travels the fit's way (2.2,
    1 and 3.9 units) within a few hundred updates; Adam and RMSProp, whose steps of 1e-3 keep each parameter's pace, are
    still far at 2,000. The data (numpy seed 0): 5,000 readings, the time U(0, 3,600) s, each temperature change plus
    N(0, 0.1667^2) noise (a thermocouple's 0.5 K; 0.430434 to 17.037); the first 1,000 for validation, 4,000 for
    training (the same for every run seed); each reading given as its time. The model: ``Ta`` (in units of 1 K) and the
    logarithms of ``dT0`` and ``tau`` (in units of 0.1) from 0 (the nominal part, the same start on every seed). The
    loss and the metric are the mean squared error of the temperature change (0 or more): 67.6137 for a zero prediction
    (the start), 29.2414 for the validation mean, 0.0273935 for the true model (the noise), 0.0402916 for the model's
    best fit (its floor). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on
    seeds 0 and 1 with other misfits, time ranges and units, as the module's docstring says, then on this task as it is
    on seeds 0 and 1 (SGD with momentum 0.040235 and 0.040239, within 1% of the floor from 400 and 300 updates,
    jittering after; Adam 10.747 and 10.681 and RMSProp 6.8071 and 6.816, still falling at 2,000). On the calibration
    seeds SGD with momentum at 1e-2 sets the target, 0.040232, its median best 0.040192 loosened by the spread of its
    bests (0.04017 to 0.04022, at 350 to 1,750 updates), 47% above the noise and 0.15% below the model's floor (fitted
    on the training readings; SGD's validation error gets a little below it): it gets below it on every seed within 350
    to 1,700 updates (on seeds 100 and 104 at 1,650 and 1,700; on the others by 500), at its floor, its later
    evaluations jittering above it (their median 0.7% to 2.8% above the target, the highest 3% to 35% above its best);
    Adam at 1e-3 on none (bests 10.583 to 10.918, 263 to 271 times the target) and RMSProp at 1e-3 on none (bests 6.8044
    to 6.8237, 169 to 170 times), each at 2,000, still falling. SGD leads on every seed: after 500 updates the
    validation error is 0.04022 to 0.04093 for SGD, 45.97 to 46.4 for Adam and 45.12 to 45.2 for RMSProp; after 1,000,
    0.04037 to 0.0451, 29.25 to 30.02 and 26.93 to 26.99 (1 to 2 s a run). The baseline's tuned rate is 1e-2 (median
    best 0.040173, below the target on every seed within 1,000 to 2,000 updates, on seed 101 only at 2,000, the last
    evaluation), ahead of 3e-2 by 0.03% of the median best (0.040185, below the target within 450 to 1,400 updates)."""
    rows, held_out, batch, unit, scale = 5000, 1000, 64, 0.1, 3.0
    rng = np.random.default_rng(0)
    time = rng.uniform(0.0, 3600.0, rows)
    ambient, excess, constant = _TRUE_PART
    decay = (1 - _SECOND_MODE) * np.exp(-time / constant) + _SECOND_MODE * np.exp(-time / _SECOND_TIME_CONSTANT)
    true = ambient + excess * decay
    y = (true - _newton_cooling(time, _NOMINAL_PART)) / scale + rng.normal(0, 0.5 / scale, rows)
    data = _rows(time[held_out:, None], y[held_out:], time[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_PART, jnp.float32)

    def init(key):
        del key
        return {"part": jnp.zeros([3])}

    def loss(params, x, y):
        offset = params["part"]
        part = (nominal[0] + offset[0], nominal[1] * jnp.exp(unit * offset[1]), nominal[2] * jnp.exp(unit * offset[2]))
        fitted = _newton_cooling(x[:, 0], part, jnp) - _newton_cooling(x[:, 0], nominal, jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "newton-cooling-curve",
        data,
        init,
        loss,
        "val MSE (temperature, units of 3 K)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a quenched part's Newton cooling curve fitted to {rows - held_out} train / {held_out} val "
        f"thermocouple readings; batch {batch}",
    )


#: The steel as it is: its Avrami time constant (s), Avrami exponent, and the dilatometer's full length change (um).
_TRUE_KINETICS = (300.0, 2.5, 40.0)

#: The nominal steel (the model's start).
_NOMINAL_KINETICS = (250.0, 2.0, 35.0)

#: The share of the transformation that follows Austin and Rickett's kinetics as it is (soft impingement).
_SOFT_IMPINGEMENT = 0.05


def _avrami(time, kinetics, xp=np):
    """The length change (um) at ``time`` (s) of a transformation by the Johnson-Mehl-Avrami-Kolmogorov equation,
    ``dL (1 - exp(-(t / tau)^n))``, ``kinetics`` its ``tau``, ``n`` and ``dL``."""
    constant, exponent, total = kinetics[0], kinetics[1], kinetics[2]
    return total * (1 - xp.exp(-((time / constant) ** exponent)))


def avrami_transformation(*, quick: bool = False) -> Task:
    """Fit a steel's Avrami time constant, exponent and full length change to a dilatometer's readings of an isothermal
    transformation, the squared error of the length change, batch 64 readings.

    A held-out-51 task, the kinetics of a diffusional phase transformation (Avrami 1939-1941, "Kinetics of phase change"
    I-III; Johnson and Mehl 1939; Kolmogorov 1937): held at a constant temperature, a steel transforms, its fraction
    transformed ``1 - exp(-(t / tau)^n)`` by the Johnson-Mehl-Avrami-Kolmogorov equation, ``tau`` the transformation's
    time constant and ``n`` the Avrami exponent (the nucleation and growth mode), and a dilatometer reads the sample's
    length change, ``dL`` times the fraction, so that ``dL`` reaches the readings at the late times, ``tau`` and ``n``
    through the rise's position and steepness. Each reading is the length change (in units of 15 um) less the nominal
    steel's (``tau`` 250 s, ``n`` 2, ``dL`` 35 um), so that the start predicts no change. The steel as it is (``tau``
    300 s, ``n`` 2.5, ``dL`` 40 um) transforms 5% of the way by Austin and Rickett's kinetics (``E / (1 + E)``, ``E = (t
    / tau)^n``, soft impingement of the diffusion fields), which the model cannot follow: its best fit (least squares on
    the training readings; ``tau`` 301.8 s, ``n`` 2.463, ``dL`` 39.85 um) leaves a residual, 38% above the noise.
    RMSProp, whose steps of 1e-3 keep their size as the gradients shrink near the fit, travels the way (0.65 to 1.04
    units) at its full pace; Adam, whose second moment remembers the large early gradients (the full length change's),
    slows along it, and SGD with momentum, whose steps follow the steep direction (``dL``'s), barely moves along the
    soft ones (``tau``'s and ``n``'s). The data (numpy seed 0): 5,000 readings, the time U(0, 1,200) s, each length
    change plus N(0, 0.006667^2) noise (the dilatometer's 0.1 um; -0.315076 to 0.349206); the first 1,000 for
    validation, 4,000 for training (the same for every run seed); each reading given as its time. The model: the
    logarithms of ``tau``, ``n`` and ``dL`` (in units of 0.2) from 0 (the nominal steel, the same start on every seed).
    The loss and the metric are the mean squared error of the length change (0 or more): 0.0783509 for a zero prediction
    (the start), 0.0481778 for the validation mean, 4.38295e-05 for the true model (the noise), 6.03761e-05 for the
    model's best fit (its floor). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran
    on seeds 0 and 1 with other misfits and units, as the module's docstring says, then on this task as it is on seeds 0
    and 1 (RMSProp 6.0322e-05 and 6.0319e-05, within 1% of the floor from 1,200 and 1,150 updates; Adam 7.1943e-05 and
    7.2173e-05, still falling at 2,000, and SGD with momentum 0.00024679 and 0.00024546). On the calibration seeds
    RMSProp at 1e-3 sets the target, 6.0368e-05, its median best 6.0338e-05 loosened by the spread of its bests
    (6.0317e-05 to 6.035e-05, at 1,150 to 1,800 updates), 38% above the noise and 0.01% below the model's floor: it gets
    below it on every seed within 1,150 to 1,700 updates, at its floor, its later evaluations about it (their median
    0.2% to 0.9% above it, the highest 1% to 2.2% above its best); Adam at 1e-3 on none (bests 7.062e-05 to 7.4394e-05,
    1.17 to 1.23 times the target, still falling at 2,000) and SGD with momentum at 1e-2 on none (bests 0.00024529 to
    0.00024962, 4.1 times). After 500 updates the validation error is 0.009534 to 0.009656 for RMSProp, 0.01495 to
    0.01513 for Adam and 0.001739 to 0.001801 for SGD (which leads early, its steps on the steep direction); after
    1,000, 9.256e-05 to 9.621e-05, 0.001419 to 0.001456 and 0.000817 to 0.0008285 (1 to 2 s a run). The baseline's tuned
    rate is 3e-2, the top of its grid (median best 6.0319e-05, below the target on every seed within 400 to 700
    updates), ahead of 1e-2 by 0.01% of the median best (6.0325e-05, below the target within 500 to 900 updates)."""
    rows, held_out, batch, unit, scale = 5000, 1000, 64, 0.2, 15.0
    rng = np.random.default_rng(0)
    time = rng.uniform(0.0, 1200.0, rows)
    constant, exponent, total = _TRUE_KINETICS
    extended = (time / constant) ** exponent
    fraction = (1 - _SOFT_IMPINGEMENT) * (1 - np.exp(-extended)) + _SOFT_IMPINGEMENT * extended / (1 + extended)
    y = (total * fraction - _avrami(time, _NOMINAL_KINETICS)) / scale + rng.normal(0, 0.1 / scale, rows)
    data = _rows(time[held_out:, None], y[held_out:], time[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_KINETICS, jnp.float32)

    def init(key):
        del key
        return {"kinetics": jnp.zeros([3])}

    def loss(params, x, y):
        kinetics = nominal * jnp.exp(unit * params["kinetics"])
        fitted = _avrami(x[:, 0], kinetics, jnp) - _avrami(x[:, 0], nominal, jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "avrami-transformation",
        data,
        init,
        loss,
        "val MSE (length change, units of 15 um)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a steel's Avrami kinetics fitted to {rows - held_out} train / {held_out} val dilatometer "
        f"readings of an isothermal transformation; batch {batch}",
    )


#: The alloy as it is: its crack growth rate (mm per cycle) at 20 MPa m^0.5 and its Paris exponent.
_TRUE_PARIS = (5.3e-4, 3.4)

#: The nominal alloy (the model's start).
_NOMINAL_PARIS = (9e-4, 4.0)

#: The test's load ratio, and the alloy's fracture toughness and fatigue threshold as it is (MPa m^0.5).
_LOAD_RATIO, _TOUGHNESS, _THRESHOLD = 0.1, 60.0, 5.0


def _paris(stress_intensity, paris):
    """The crack growth rate (mm per cycle) at the stress intensity range ``stress_intensity`` (MPa m^0.5) by Paris's
    law, ``A (dK / 20 MPa m^0.5)^m``, ``paris`` its ``A`` and ``m``."""
    return paris[0] * (stress_intensity / 20.0) ** paris[1]


def paris_crack_growth(*, quick: bool = False) -> Task:
    """Fit an alloy's Paris law to the crack growth rates of a fatigue test, the squared error of the growth rate, batch
    64 readings.

    A held-out-51 task, the fit of a fatigue crack growth curve (Paris and Erdogan 1963, "A critical analysis of crack
    propagation laws"; ASTM E647): a crack under a cyclic load grows by ``A (dK / 20 MPa m^0.5)^m`` mm per cycle at the
    stress intensity range ``dK``, ``A`` the rate at 20 MPa m^0.5 and ``m`` the Paris exponent, so that over the ranges
    read (8 to 35 MPa m^0.5, the fastest rates weighing most) ``A`` and ``m`` reach the readings mostly together (``log
    A + m log(dK / 20)`` near 30 MPa m^0.5), along a narrow curved valley. Each reading is the growth rate (mm per
    cycle) less the nominal alloy's (``A`` 9e-4 mm per cycle, ``m`` 4, moved from the fit along the valley), so that the
    start predicts no change. The alloy as it is (``A`` 5.3e-4 mm per cycle, ``m`` 3.4) grows slower near its fatigue
    threshold (5 MPa m^0.5, a factor ``(1 - 5 / dK)^0.5``) and faster near its fracture toughness (60 MPa m^0.5, reached
    by ``Kmax = dK / 0.9`` at the load ratio 0.1, a factor ``1 / (1 - Kmax / 60)``), which the model cannot follow: its
    best fit (least squares on the training readings; ``A`` 6.634e-4 mm per cycle, ``m`` 4.678) leaves a residual, 35%
    above the noise. Adam, whose momentum carries its steps along the valley and whose epsilon (1e-8, outside the square
    root) is below its gradients, keeps its pace down the valley; RMSProp, whose epsilon (1e-8, inside the square root,
    so 1e-4 on the gradients) is far above the gradients (the growth rates are a few 1e-4 mm per cycle), makes steps ten
    times the gradients and barely moves, and SGD with momentum, whose steps are a tenth of them, does not move. The
    data (numpy seed 0): 5,000 readings, the stress intensity range log-uniform over 8 to 35 MPa m^0.5, each growth rate
    change plus N(0, 0.0001^2) noise (-0.000645545 to 0.00101845); the first 1,000 for validation, 4,000 for training
    (the same for every run seed); each reading given as its stress intensity range. The model: the logarithms of ``A``
    and ``m`` (in units of 1) from 0 (the nominal alloy, the same start on every seed). The loss and the metric are the
    mean squared error of the growth rate change (0 or more): 5.07709e-08 for a zero prediction (the start), 4.15775e-08
    for the validation mean, 9.86165e-09 for the true model (the noise), 1.33137e-08 for the model's best fit (its
    floor). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1 with
    other reference ranges, units and nominal alloys, as the module's docstring says, then on this task as it is on
    seeds 0 and 1 (Adam 1.3308e-08 and 1.3309e-08, within 1% of the floor from 1,250 and 1,400 updates; SGD with
    momentum 5.0754e-08 and 5.0755e-08 and RMSProp 4.9582e-08 on both, barely moved). On the calibration seeds Adam at
    1e-3 sets the target, 1.3316e-08, its median best 1.3307e-08 loosened by the spread of its bests (1.33e-08 to
    1.3313e-08, at 1,650 to 2,000 updates), 35% above the noise and 0.02% above the model's floor: it gets below it on
    every seed within 1,650 to 1,800 updates (late, but not in the last 5% of the budget), at its floor, its later
    evaluations about it (their median 0.1% to 0.8% above it, the highest 1% to 4% above its best); RMSProp at 1e-3 on
    none (bests 4.9578e-08 to 4.9586e-08, 3.7 times the target, still falling slowly at 2,000) and SGD with momentum at
    1e-2 on none (bests 5.0754e-08 to 5.0755e-08, 3.8 times). Adam leads from the start on every seed: after 500 updates
    the validation error is 1.809e-08 to 1.909e-08 for Adam, 5.039e-08 to 5.043e-08 for RMSProp and 5.077e-08 for SGD;
    after 1,000, 1.38e-08 to 1.448e-08, 5.01e-08 to 5.012e-08 and 5.076e-08 (1 to 2 s a run). The baseline's tuned rate
    is 3e-3 (median best 1.3299e-08, below the target on every seed within 900 to 1,150 updates), ahead of 1e-2 by
    0.004% of the median best (1.33e-08, below the target within 350 to 1,150 updates)."""
    rows, held_out, batch = 5000, 1000, 64
    rng = np.random.default_rng(0)
    stress_intensity = np.exp(rng.uniform(np.log(8.0), np.log(35.0), rows))
    # The alloy as it is, slower near its threshold and faster near its toughness (Kmax = dK / (1 - R)), less the
    # nominal alloy's growth rate, in mm per cycle.
    closeness = stress_intensity / (1 - _LOAD_RATIO) / _TOUGHNESS
    true = _paris(stress_intensity, _TRUE_PARIS) * np.sqrt(1 - _THRESHOLD / stress_intensity) / (1 - closeness)
    y = true - _paris(stress_intensity, _NOMINAL_PARIS) + rng.normal(0, 1e-4, rows)
    data = _rows(stress_intensity[held_out:, None], y[held_out:], stress_intensity[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_PARIS, jnp.float32)

    def init(key):
        del key
        return {"paris": jnp.zeros([2])}

    def loss(params, x, y):
        paris = nominal * jnp.exp(params["paris"])
        fitted = _paris(x[:, 0], paris) - _paris(x[:, 0], nominal)
        return jnp.mean((fitted - y) ** 2)

    return _fitted(
        "paris-crack-growth",
        data,
        init,
        loss,
        "val MSE (growth rate, mm per cycle)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"an alloy's Paris law fitted to {rows - held_out} train / {held_out} val fatigue crack growth "
        f"rates; batch {batch}",
    )


SPLIT = "held-out-51"
TASKS: dict[str, Callable[..., Task]] = {
    "newton-cooling-curve": newton_cooling_curve,
    "avrami-transformation": avrami_transformation,
    "paris-crack-growth": paris_crack_growth,
}
