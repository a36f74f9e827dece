"""The *held-out-50* tasks, added in round 67, are kept aside from every design, the held-out-49 tasks' included, and
run once (``--split held-out-50``) with the defaults frozen. Their structures are new to the suite: the drawdown of an
aquifer pumped from a well (Theis's solution, an exponential integral of the distance squared over the time, an image
well for a stream that recharges the aquifer), the friction of a lubricated contact across sliding speeds (the Stribeck
curve, an exponential of a power of the speed between the static and the Coulomb friction, plus viscous friction), and
an alloy's tensile curve (Ramberg and Osgood's equation, the elastic strain plus a power of the stress, whose proof
stress and exponent trade off along a narrow curved valley).
Before these three, other versions ran with the fixed candidates on seeds 0 and 1 (through the suite's harness) and were
dropped, about 45 in all. An induction motor's torque against slip (the approximate equivalent circuit, the stator's and
rotor's resistances and the leakage reactance in logs, in units of 0.1 to 0.8, the torque in units of 3 to 20 N m, the
rotor bars' deep-bar effect as the misfit, slips over 0.002 to 1), 9 versions, meant for RMSProp: SGD with momentum
first wherever it did not run off at its first steps to a flat region 1,500 to 1,800 times the floor (where the torque
was in units of 3, 8 and 11 N m), and RMSProp at the floor only at 1,750 to 1,950 updates where Adam was 2 to 3.5 times
it; dropped. The Stribeck curve in 12 versions (units of 0.16 to 0.2, friction in units of 1 and 3 N, noises of 0.03 to
0.05 units, nominal contacts nearer the fit or with the static friction farther off): RMSProp set the target on each,
but the nearer its floor came (RMSProp within 1% of it from 1,100 to 1,350 updates), the nearer Adam came too (within 4%
to 8% of it at 2,000), and where Adam was kept 1.2 to 4 times the floor, RMSProp was at it only from 1,550 to 1,950
updates; in units of 1 N, SGD with momentum was within 1% of its floor, level with RMSProp. The version kept (units of
0.18) is the one between: RMSProp at the floor from 1,450 to 1,550 updates on seeds 0 and 1, Adam 1.14 to 1.15 times it.
Theis's solution with the stream 400 to 6,000 m away (the floor from 2% above the noise to 130 times it), run in 2
versions (units of 0.05 and 0.1): SGD with momentum at the floor first on each. Ramberg and Osgood's equation in about
20 versions, built from the start on the mechanism by which Adam sets a target (a narrow curved valley of the proof
stress and the exponent, the nominal alloy moved along its softest direction, small absolute gradients): the strain
itself (dimensionless, the loss near 1e-8) in units of 0.1, where Adam, its gradients near its epsilon, was 1.13 to 1.35
times the floor at 2,000 and RMSProp and SGD did not move; the strain in units of 0.001, where SGD with momentum (the
gradients large) was first, and of 0.01, where RMSProp was level with Adam; the strain in units of 0.02 to 0.1 (at 0.1
the extension in mm over a 10 mm gauge), the parameters in units of 0.1 to 0.7, where RMSProp, whose epsilon (1e-8,
inside the square root) is as large as the squared gradients along the valley, crawls along it as SGD would, while Adam,
whose epsilon is outside the square root, keeps its pace; in units of 0.1 and 0.2 the way along the valley was long
(Adam 1.01 to 1.23 times the floor at 2,000); from 0.3 to 0.7 Adam was at the floor first (within 1% of it from 900 to
1,700 updates), RMSProp 1.04 to 1.8 times it, the more the smaller the gradients. That version was calibrated
(--calibrate, seeds 100-104) and its baseline tuned with the two other tasks in earlier versions (the aquifer in units
of 0.1, the contact in units of 0.17): Adam set the alloy's target but reached it at 1,500 to 2,000 updates (on seed 102
at the last evaluation), RMSProp the contact's at 1,600 to 1,950, SGD with momentum the aquifer's at 600 to 1,300 (Adam
and RMSProp 144 to 241 times it, the baseline's tuned rate 3e-2 the only one of its grid reaching it). Those calibration
and tuning runs were replaced, before any selector ran on the split, by the versions as they are (the extension over a 5
mm gauge, its noise 0.5 um, in units of 0.6; the contact in units of 0.18; the aquifer in units of 0.2), calibrated and
tuned a second time on the whole split. So Adam at 1e-3 sets one target (the alloy's), SGD with momentum one (the
aquifer's) and RMSProp one (the contact's). The cost of the tasks as they are: the three targets are within 0.5% of
their model's floor (SGD's for the aquifer 0.1% below it, its validation error a little below the floor fitted on the
training rows; RMSProp's for the contact 0.5% above it; Adam's for the alloy 0.2% above it), so that each setter reaches
its target at its floor: RMSProp reaches the contact's on seed 102 only at 1,950 updates and Adam the alloy's on seed
102 only at 2,000, the last evaluation; the baseline's tuned rate is 3e-2, the top of its grid, for all three (for the
alloy by 0.02% of its median best over 1e-2). Each run 1 to 2 s on the 2 cores shared with other jobs."""

from collections.abc import Callable

import jax.numpy as jnp
import jax.scipy.special as jss
import numpy as np
import scipy.special as ss

from benchmarks.suite.tasks._common import Task, _fitted, _rows

#: The pumping well's rate (m^3 per day).
_PUMPING_RATE = 500.0

#: The aquifer as it is: its transmissivity (m^2 per day) and storativity.
_TRUE_AQUIFER = (250.0, 2e-4)

#: The nominal aquifer (the model's start).
_NOMINAL_AQUIFER = (200.0, 1e-4)

#: How far the stream that recharges the aquifer as it is lies from the pumping well (m).
_STREAM_DISTANCE = 1250.0


def _theis_drawdown(distance, time, aquifer, xp=np):
    """The drawdown (m) at ``distance`` (m) from a well pumping :data:`_PUMPING_RATE` for ``time`` (days) in an
    infinite confined aquifer of transmissivity ``aquifer[0]`` and storativity ``aquifer[1]``, by Theis's solution:
    ``Q / (4 pi T) W(u)``, ``u = r^2 S / (4 T t)``, ``W`` the exponential integral ``E1``."""
    transmissivity, storativity = aquifer[0], aquifer[1]
    exp1 = ss.exp1 if xp is np else jss.exp1
    well_function = exp1(distance * distance * storativity / (4 * transmissivity * time))
    return _PUMPING_RATE / (4 * np.pi * transmissivity) * well_function


def theis_pumping_test(*, quick: bool = False) -> Task:
    """Fit an aquifer's transmissivity and storativity to the drawdowns of a pumping test, the squared error of the
    drawdown, batch 64 readings.

    A held-out-50 task, the analysis of a pumping test (Theis 1935, "The relation between the lowering of the
    piezometric surface and the rate and duration of discharge of a well using ground-water storage"; Kruseman and de
    Ridder, "Analysis and Evaluation of Pumping Test Data"): a well pumping ``Q`` (500 m^3 per day) from a confined
    aquifer of transmissivity ``T`` and storativity ``S`` draws the head down at distance ``r`` after time ``t`` by ``Q
    / (4 pi T) W(u)``, ``u = r^2 S / (4 T t)``, ``W`` the exponential integral ``E1`` (Theis's well function), so that
    ``T`` reaches the readings through the drawdown's scale and its log-time slope and ``S`` only through ``u``. Each
    reading is the drawdown (in units of 3 cm) less the nominal aquifer's (``T`` 200 m^2 per day, ``S`` 1e-4), so that
    the start predicts no change. The aquifer as it is (``T`` 250 m^2 per day, ``S`` 2e-4) is recharged by a stream
    1,250 m from the well, on the far side of the observation wells (an image well injecting ``Q`` at 2,500 m less the
    distance), which the model, an infinite aquifer, cannot follow: its best fit (least squares on the training
    readings; ``T`` 251.7 m^2 per day, ``S`` 1.98e-4) leaves a residual, 37% above the noise. SGD with momentum, whose
    steps grow with the large drawdown changes, travels the fit's way (1.1 and 3.4 units) within a few hundred
    updates; Adam and RMSProp, whose steps of 1e-3 keep each parameter's pace, are still far at 2,000. The data (numpy
    seed 0): 5,000 readings, the distance U(5, 150) m and the time log-uniform over 0.001 to 1 day, each drawdown
    change plus N(0, 0.2^2) noise (-19.5378 to 0.189583); the first 1,000 for validation, 4,000 for training (the same
    for every run seed); each reading given as ``(distance, time)``. The model: the logarithms of ``T`` and ``S`` (in
    units of 0.2) from 0 (the nominal aquifer, the same start on every seed). The loss and the metric are the mean
    squared error of the drawdown change (0 or more): 62.5038 for a zero prediction (the start), 12.7794 for the
    validation mean, 0.0408336 for the true model (the noise), 0.0560636 for the model's best fit (its floor). Budget
    2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1 with other units
    and streams, as the module's docstring says, then on this task as it is on seeds 0 and 1 (SGD with momentum
    0.055988 and 0.056061, within 1% of it from 350 and 200 updates, jittering after; Adam 2.734 and 2.6967 and RMSProp
    0.63294 and 0.63218, still falling at 2,000). On the calibration seeds SGD with momentum at 1e-2 sets the target,
    0.055998, its median best 0.055944 loosened by the spread of its bests (0.055923 to 0.055981, at 800 to 1,550
    updates), 37% above the noise and 0.1% below the model's floor (fitted on the training readings; SGD's validation
    error gets a little below it): it gets below it on every seed within 650 to 1,300 updates, at its floor, its later
    evaluations jittering above it (their median 1.3% to 2.9% above the target, the highest 9% to 25% above its best);
    Adam at 1e-3 on none (bests 2.6964 to 2.7586, 48 to 49 times the target) and RMSProp at 1e-3 on none (bests 0.63153
    to 0.6326, 11.3 times), each at 2,000, still falling. SGD leads on every seed: after 500 updates the validation
    error is 0.05624 to 0.06694 for SGD, 29.88 to 30.12 for Adam and 26.97 to 27.04 for RMSProp; after 1,000, 0.05692 to
    0.06007, 13.77 to 14 and 8.087 to 8.134 (1 to 2 s a run). The baseline's tuned rate is 3e-2, the top of its grid
    (median best 0.055951, below the target on every seed within 200 to 800 updates; at 1e-2 its median best is
    0.055973, and it misses the target on one seed)."""
    rows, held_out, batch, unit, scale = 5000, 1000, 64, 0.2, 0.03
    rng = np.random.default_rng(0)
    distance = rng.uniform(5.0, 150.0, rows)
    time = np.exp(rng.uniform(np.log(0.001), 0.0, rows))
    # The aquifer as it is, recharged by a stream 1,250 m away (an image well pumping in, on the far side of it), less
    # the nominal aquifer's drawdown, in units of 3 cm.
    true = _theis_drawdown(distance, time, _TRUE_AQUIFER)
    true = true - _theis_drawdown(2 * _STREAM_DISTANCE - distance, time, _TRUE_AQUIFER)
    y = (true - _theis_drawdown(distance, time, _NOMINAL_AQUIFER)) / scale + rng.normal(0, 0.2, rows)
    x = np.stack([distance, time], 1)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_AQUIFER, jnp.float32)

    def init(key):
        del key
        return {"aquifer": jnp.zeros([2])}

    def loss(params, x, y):
        aquifer = nominal * jnp.exp(unit * params["aquifer"])
        fitted = _theis_drawdown(x[:, 0], x[:, 1], aquifer, jnp) - _theis_drawdown(x[:, 0], x[:, 1], nominal, jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "theis-pumping-test",
        data,
        init,
        loss,
        "val MSE (drawdown, units of 3 cm)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"an aquifer's transmissivity and storativity fitted to {rows - held_out} train / {held_out} val "
        f"drawdowns of a pumping test; batch {batch}",
    )


#: The contact as it is: its Coulomb and static friction (N), Stribeck velocity (m/s), the Stribeck curve's exponent,
#: and its viscous friction (N s/m) at 0.2 m/s.
_TRUE_CONTACT = (10.0, 15.0, 0.01, 1.5, 40.0)

#: The nominal contact (the model's start).
_NOMINAL_CONTACT = (9.0, 16.0, 0.008, 1.8, 30.0)

#: The exponent of the speed in the contact's viscous friction as it is (a shear-thinning lubricant), and the speed
#: (m/s) at which its viscous friction is the linear one's.
_SHEAR_THINNING, _REFERENCE_SPEED = 0.8, 0.2


def _stribeck_friction(speed, contact, xp=np):
    """The friction force (N) at sliding ``speed`` (m/s) by the Stribeck curve with viscous friction, ``Fc + (Fs -
    Fc) exp(-(v / vs)^delta) + sigma v``, ``contact`` its ``Fc``, ``Fs``, ``vs``, ``delta`` and ``sigma``."""
    coulomb, static, stribeck, exponent, viscous = contact[0], contact[1], contact[2], contact[3], contact[4]
    return coulomb + (static - coulomb) * xp.exp(-((speed / stribeck) ** exponent)) + viscous * speed


def stribeck_friction(*, quick: bool = False) -> Task:
    """Fit a lubricated contact's Stribeck curve to its friction across sliding speeds, the squared error of the
    friction, batch 64 speeds.

    A held-out-50 task, the identification of friction for a servo drive's compensation (Stribeck 1902, "Die
    wesentlichen Eigenschaften der Gleit- und Rollenlager"; Armstrong-Helouvry, Dupont and Canudas de Wit 1994, "A
    survey of models, analysis tools and compensation methods for the control of machines with friction"): at sliding
    speed ``v`` the friction is ``Fc + (Fs - Fc) exp(-(v / vs)^delta) + sigma v``, the static friction ``Fs`` falling
    to the Coulomb friction ``Fc`` past the Stribeck velocity ``vs`` as the lubricant film builds, plus viscous
    friction, so that the five parameters reach the readings in different speed ranges, ``Fs`` at the slowest, ``vs``
    and ``delta`` along the fall (trading off along a soft valley), ``Fc`` and ``sigma`` at the fastest. Each reading is
    the friction (in units of 3 N) less the nominal contact's (``Fc`` 9 N, ``Fs`` 16 N, ``vs`` 0.008 m/s, ``delta`` 1.8,
    ``sigma`` 30 N s/m), so that the start predicts no change. The contact as it is (``Fc`` 10 N, ``Fs`` 15 N, ``vs``
    0.01 m/s, ``delta`` 1.5) has a shear-thinning lubricant, its viscous friction ``40 N s/m * 0.2 m/s * (v / 0.2
    m/s)^0.8``, which the model cannot follow: its best fit (least squares on the training speeds; ``Fc`` 10.76 N,
    ``Fs`` 15.02 N, ``vs`` 0.0094 m/s, ``delta`` 1.65, ``sigma`` 37.5 N s/m) leaves a residual, 29% above the noise.
    RMSProp, whose steps of 1e-3 keep their size while the gradients shrink as the fit nears, travels the way (up to
    1.2 units) at its full pace; Adam, whose second moment remembers the large early gradients, slows along it, and
    SGD with momentum, whose steps follow the steep directions (the fastest speeds' ``Fc`` and ``sigma``), barely moves
    along the soft ones. The data (numpy seed 0): 5,000 speeds log-uniform over 1e-4 to 0.2 m/s, each friction change
    plus N(0, 0.03^2) noise (-0.428426 to 1.07398); the first 1,000 for validation, 4,000 for training (the same for
    every run seed); each reading given as its speed. The model: the logarithms of the five parameters (in units of
    0.18) from 0 (the nominal contact, the same start on every seed). The loss and the metric are the mean squared error
    of the friction change (0 or more): 0.287727 for a zero prediction (the start), 0.242056 for the validation mean,
    0.000887548 for the true model (the noise), 0.00114777 for the model's best fit (its floor). Budget 2,000 updates,
    evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1 with other units, scales, noises
    and nominal contacts, as the module's docstring says, then on this task as it is on seeds 0 and 1 (RMSProp 0.0011493
    and 0.0011482, within 1% of it from 1,450 and 1,550 updates; Adam 0.0013226 and 0.0013048 and SGD with momentum
    0.0020138 and 0.0020216, still falling at 2,000). On the calibration seeds RMSProp at 1e-3 sets the target,
    0.0011535, its median best 0.0011493 loosened by the spread of its bests (0.0011465 to 0.0011517, at 1,850 to 2,000
    updates), 30% above the noise and 0.5% above the model's floor: it gets below it on every seed within 1,550 to 1,950
    updates (on seed 102 only at 1,950, in the last 5% of the budget), at its floor; Adam at 1e-3 on none (bests
    0.001312 to 0.0013475, 1.14 to 1.17 times the target) and SGD with momentum at 1e-2 on none (bests 0.0020025 to
    0.0020242, 1.74 to 1.75 times), each at 2,000, still falling. After 500 updates the validation error is 0.07423 to
    0.07483 for RMSProp, 0.0881 to 0.0899 for Adam and 0.003419 to 0.003475 for SGD (which leads early, its steps on
    the steep directions); after 1,000, 0.002281 to 0.002345, 0.0186 to 0.01994 and 0.002729 to 0.002774 (1 to 2 s a
    run). The baseline's tuned rate is 3e-2, the top of its grid (median best 0.0011466, below the target on every
    seed within 600 to 650 updates; at 1e-2 its median best is 0.0011531, and it misses the target on two seeds)."""
    rows, held_out, batch, unit, scale = 5000, 1000, 64, 0.18, 3.0
    rng = np.random.default_rng(0)
    speed = np.exp(rng.uniform(np.log(1e-4), np.log(0.2), rows))
    # The contact as it is, its lubricant shear-thinning (the viscous friction a power 0.8 of the speed), less the
    # nominal contact's friction, in units of 3 N.
    coulomb, static, stribeck, exponent, viscous = _TRUE_CONTACT
    true = coulomb + (static - coulomb) * np.exp(-((speed / stribeck) ** exponent))
    true = true + viscous * _REFERENCE_SPEED * (speed / _REFERENCE_SPEED) ** _SHEAR_THINNING
    y = (true - _stribeck_friction(speed, _NOMINAL_CONTACT)) / scale + rng.normal(0, 0.03, rows)
    data = _rows(speed[held_out:, None], y[held_out:], speed[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_CONTACT, jnp.float32)

    def init(key):
        del key
        return {"contact": jnp.zeros([5])}

    def loss(params, x, y):
        contact = nominal * jnp.exp(unit * params["contact"])
        fitted = _stribeck_friction(x[:, 0], contact, jnp) - _stribeck_friction(x[:, 0], nominal, jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "stribeck-friction",
        data,
        init,
        loss,
        "val MSE (friction, units of 3 N)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a lubricated contact's Stribeck curve fitted to {rows - held_out} train / {held_out} val "
        f"friction forces; batch {batch}",
    )


#: The alloy as it is (7075-T6): its Young's modulus (MPa), 0.2% proof stress (MPa) and Ramberg-Osgood exponent.
_TRUE_ALLOY = (71700.0, 503.0, 15.0)

#: The nominal alloy (the model's start).
_NOMINAL_ALLOY = (71000.0, 485.0, 11.5)

#: The alloy's microplastic strain as it is, at its proof stress, and the power of the stress it grows with.
_MICROPLASTIC_STRAIN, _MICROPLASTIC_POWER = 0.0008, 4.0

#: The extensometer's gauge length (mm).
_GAUGE_LENGTH = 5.0


def _ramberg_osgood(stress, alloy):
    """The strain at ``stress`` (MPa) by Ramberg and Osgood's equation, ``sigma / E + 0.002 (sigma / sigma_p)^n``,
    ``alloy`` its ``E``, ``sigma_p`` (the 0.2% proof stress) and ``n``."""
    modulus, proof, exponent = alloy[0], alloy[1], alloy[2]
    return stress / modulus + 0.002 * (stress / proof) ** exponent


def ramberg_osgood_tensile(*, quick: bool = False) -> Task:
    """Fit an alloy's Ramberg-Osgood parameters to the extensions of a tensile test, the squared error of the
    extension, batch 64 readings.

    A held-out-50 task, the fit of an alloy's stress-strain curve (Ramberg and Osgood 1943, "Description of
    stress-strain curves by three parameters", NACA TN 902; MMPDS's 7075-T6 aluminium): at stress ``s`` the strain is
    ``s / E + 0.002 (s / sp)^n``, the elastic strain of Young's modulus ``E`` plus a plastic strain that is 0.2% at the
    proof stress ``sp`` and grows as the ``n``-th power of the stress, so that the readings below the proof stress
    constrain the proof stress and the exponent mostly together (``n`` and ``n log sp``), along a narrow curved valley.
    Each reading is the extension (mm, over the extensometer's 5 mm gauge length) less the nominal alloy's (``E``
    71,000 MPa, ``sp`` 485 MPa, ``n`` 11.5, moved from the fit along the valley), so that the start predicts no change.
    The alloy as it is (``E`` 71,700 MPa, ``sp`` 503 MPa, ``n`` 15) also yields microplastically, a strain of ``0.0008
    (s / 503 MPa)^4`` more, which the model cannot follow: its best fit (least squares on the training readings; ``E``
    69,400 MPa, ``sp`` 492.9 MPa, ``n`` 13.25) leaves a residual, 38% above the noise. Adam, whose momentum carries its
    steps along the valley and whose epsilon (1e-8, outside the square root) is far below its gradients, keeps its pace
    down the valley; RMSProp, whose epsilon (1e-8, inside the square root, so 1e-4 on the gradients) is as large as the
    gradients along the valley (the extensions of a few um), crawls along it as SGD would, and SGD with momentum, whose
    steps are those small gradients, barely moves. The data (numpy seed 0): 5,000 readings, the stress U(80, 560) MPa,
    each extension change plus N(0, 0.0005^2) noise (an extensometer's 0.5 um; -0.00290848 to 0.00402681); the first
    1,000 for validation, 4,000 for training (the same for every run seed); each reading given as its stress. The model:
    the logarithms of ``E``, ``sp`` and ``n`` (in units of 0.6) from 0 (the nominal alloy, the same start on every
    seed). The loss and the metric are the mean squared error of the extension change (0 or more): 7.23954e-07 for a
    zero prediction (the start), 7.23698e-07 for the validation mean, 2.46541e-07 for the true model (the noise),
    3.3983e-07 for the model's best fit (its floor). Budget 2,000 updates, evaluated every 50. Before calibration, the
    fixed candidates ran on seeds 0 and 1 with other units, scales, noises and nominal alloys, as the module's docstring
    says, then on this task as it is on seeds 0 and 1 (Adam 3.3971e-07 and 3.3961e-07, within 1% of it from 1,100 and
    1,000 updates; RMSProp 5.7592e-07 and 5.7732e-07, still falling at 2,000, and SGD with momentum 7.1692e-07 and
    7.1665e-07, barely moved). On the calibration seeds Adam at 1e-3 sets the target, 3.4056e-07, its median best
    3.3975e-07 loosened by the spread of its bests (3.3943e-07 to 3.4034e-07, at 1,300 to 2,000 updates), 38% above the
    noise and 0.2% above the model's floor: it gets below it on every seed within 1,200 to 2,000 updates (on seed 102
    only at 2,000, the last evaluation; on the others by 1,550), its later evaluations jittering about it (their median
    0% to 1.5% above it, the highest 2% to 7% above its best); RMSProp at 1e-3 on none (bests 5.7792e-07 to 5.8317e-07,
    1.7 times the target, still falling at 2,000) and SGD with momentum at 1e-2 on none (bests 7.1607e-07 to
    7.1662e-07, 2.1 times). Adam leads from the start on every seed: after 500 updates the validation error is
    3.736e-07 to 3.886e-07 for Adam, 6.744e-07 to 6.887e-07 for RMSProp and 7.194e-07 to 7.203e-07 for SGD; after
    1,000, 3.417e-07 to 3.576e-07, 6.377e-07 to 6.438e-07 and 7.179e-07 to 7.18e-07 (1 to 2 s a run). The baseline's
    tuned rate is 3e-2, the top of its grid (median best 3.3944e-07, below the target on every seed within 950 to 1,500
    updates), ahead of 1e-2 by 0.02% of the median best (3.395e-07, below the target within 250 to 1,200 updates)."""
    rows, held_out, batch, unit = 5000, 1000, 64, 0.6
    rng = np.random.default_rng(0)
    stress = rng.uniform(80.0, 560.0, rows)
    # The alloy as it is, with its microplastic strain, less the nominal alloy's, as the extension (mm) over the
    # extensometer's 5 mm gauge length.
    true = (
        _ramberg_osgood(stress, _TRUE_ALLOY) + _MICROPLASTIC_STRAIN * (stress / _TRUE_ALLOY[1]) ** _MICROPLASTIC_POWER
    )
    y = _GAUGE_LENGTH * (true - _ramberg_osgood(stress, _NOMINAL_ALLOY)) + rng.normal(0, 0.0005, rows)
    data = _rows(stress[held_out:, None], y[held_out:], stress[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_ALLOY, jnp.float32)

    def init(key):
        del key
        return {"alloy": jnp.zeros([3])}

    def loss(params, x, y):
        alloy = nominal * jnp.exp(unit * params["alloy"])
        fitted = _ramberg_osgood(x[:, 0], alloy) - _ramberg_osgood(x[:, 0], nominal)
        return jnp.mean((_GAUGE_LENGTH * fitted - y) ** 2)

    return _fitted(
        "ramberg-osgood-tensile",
        data,
        init,
        loss,
        "val MSE (extension, mm)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"an alloy's Ramberg-Osgood parameters fitted to {rows - held_out} train / {held_out} val "
        f"extensions of a tensile test; batch {batch}",
    )


SPLIT = "held-out-50"
TASKS: dict[str, Callable[..., Task]] = {
    "theis-pumping-test": theis_pumping_test,
    "stribeck-friction": stribeck_friction,
    "ramberg-osgood-tensile": ramberg_osgood_tensile,
}
