"""The *held-out-53* tasks, added in round 70, are kept aside from every design, the held-out-52 tasks' included, and
run once (``--split held-out-53``) with the defaults frozen. Their structures are new to the suite: a hydrogel's force
curve under an atomic force microscope's spherical tip (Hertz's contact law, a force growing as the indentation's power
3/2 from a contact point, the glass slide under the thin gel as the misfit), an elliptical galaxy's surface-brightness
profile (Sersic's law, a power of the radius in the exponent of the light, a faint exponential disc as the misfit), and
a copper rod's thermal expansion read by a dilatometer (Gruneisen's rule with Einstein's heat capacity, the lattice's
energy of three oscillators of one frequency, the Debye spectrum of the rod as it is as the misfit). Before these three,
other versions ran with the fixed candidates on seeds 0 and 1 (through the suite's harness, most on seed 0 alone) and
were dropped, 20 in all, and two more were looked at only through their curvature at the fit and never run. Hertz's gel
in 1 version before the one kept: the force in units of 10 nN, SGD with momentum 1.03 times the floor at 2,000 updates
(3.4 times at 1,000), Adam and RMSProp 170 and 146 times; in units of 5 nN (kept), within 0.3% from 600 and 650.
Sersic's galaxy in 16 versions before the one kept: with the surface brightness at the effective radius as a parameter
(it and ``r_e`` correlate at -0.99 over the readings), in units of 0.5 mag and the logarithms of ``r_e`` and ``n`` in
units of 0.3, from the bulge as it is, RMSProp 1.22, SGD with momentum 1.54 and Adam 5.0 times the floor at 2,000; the
same in units of 1 mag and 0.6, SGD within 0.3% of the floor from 1,800 updates and RMSProp from 1,950 (Adam 1.8 times).
With the surface brightness at 10 arcsec in its place (the condition number of the parameters' correlation over the
readings 6 against 240), in units of 1.2 mag and 0.3 and a nominal galaxy 0.95 mag fainter than the fit, RMSProp within
0.3% from 950 but Adam and SGD 1.15 and 1.18 times the floor at 2,000 (Adam's and RMSProp's steps do not change with the
readings' units, SGD's do: in units of 2 mag, SGD 2.7 times); 0.95 mag brighter, RMSProp 1.05 times (the index pushed
the wrong way while the brightness settles, then brought back), Adam 8.9 and SGD 3.0 times; 0.55 mag brighter, RMSProp
from 1,650, Adam 2.7 and SGD 2.9 times; with the logarithms in units of 0.4 and the readings in units of 3 mag, from
1,600 (2.3 and 3.8 times); in units of 0.5 and 0.75 mag brighter, from 1,600 (4.9 and 2.7 times), the same with the
brightness in units of 1 mag, from 1,650 (6.8 and 2.8 times), and in units of 0.6, 0.95 mag brighter and readings in
units of 4 mag, from 1,650 (10.4 and 3.6 times); with the nominal index 5 (at the fit's), from 1,300 (Adam 2.7 and SGD
1.7 times), 4.5, from 1,400 (3.7 and 1.85 times); in units of 6 mag, from 1,650 (RMSProp's epsilon nearer its gradients;
SGD 7.8 times), with the brightness in units of 1.4 mag, 0.95 mag brighter, from 1,650 (3.8 and 7.7 times); in units of
4 mag, from 1,300 and 1,350 on seeds 0 and 1 (2.7 and 3.6 times), and with the logarithms in units of 0.6, from 1,300 on
both (2.9 and 2.3 times); with the brightness in units of 1.3 mag, 0.85 mag brighter (kept), from 1,400 and 1,350, Adam
3.3 and SGD 3.6 times. The copper rod in 3 versions before the one kept, built from the start on the mechanism by which
Adam set the solar cell's target in held-out-52 (small absolute gradients that RMSProp's epsilon swamps): the strain
itself as the reading, from the strain at absolute zero, in units of 5e-4 and the logarithms of ``K`` and ``theta_E`` in
units of 0.2, Adam 31 times the floor at 2,000 (SGD and RMSProp about 17,000 times; the start 17,000 times the floor);
from the strain at 293 K in units of 5e-5 and 0.2 and 0.3, not run (the softest curvature 2e-9, below what Adam's
epsilon lets it follow); in units of 2e-4, 0.8 and 1.2, Adam 4.4 times at 2,000 (its second moment remembering the
start's gradients); the length change of a 100 mm rod in mm as the reading, in units of 1e-5 and 0.007 and 0.01 (not
run, the condition number 130) and 0.0062 and 0.023 (51), the nominal rod moved 1 unit along the softest direction from
the fit (the start 3.5 times the floor), Adam within 1% of the floor from 1,850 and 1,750 updates (SGD and RMSProp 3.5
times); with the expansion coefficient at 293 K in place of ``K`` (the condition number 15 with ``theta_E`` in units of
0.04), moved 0.65 units (kept), within 0.3% from 1,050 on both seeds. So SGD with momentum at 1e-2 sets one target (the
gel's), RMSProp at 1e-3 one (the galaxy's) and Adam at 1e-3 one (the rod's), each calibrated (--calibrate) and its
baseline tuned (--tune-baseline) once, on seeds 100-104, with the fixed candidates and the baseline only. The cost of
the tasks as they are: the three targets are within 0.21% of their model's floor (SGD's for the gel 0.21% below it,
RMSProp's for the galaxy 0.03% above it, Adam's for the rod 0.19% below it, the gel's and the rod's validation error a
little below the floor fitted on the training rows), so that each setter reaches its target at its floor; RMSProp
reaches the galaxy's at 1,550 to 1,700 updates (not in the last 5% of the budget), later than on seeds 0 and 1 (within
0.3% of the floor from 1,350 and 1,400 there); SGD with momentum's bests on the gel are close together (0.013225 to
0.013227), so that its target is tight and the baseline, at 3e-2 (the top of its grid), gets below it on 3 seeds of 5,
0.02% above it on the other two; the baseline's tuned rate is 3e-2, the top of its grid, for the galaxy too. Each run
0.9 to 1.5 s on the 2 cores shared with other jobs."""

from collections.abc import Callable

import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows

#: The gel as it is: the cantilever's force offset (nN), the contact point's stage height (um) and Young's modulus
#: (kPa).
_TRUE_GEL = (1.5, 1.2, 25.0)

#: The nominal gel (the model's start).
_NOMINAL_GEL = (0.0, 1.0, 20.0)

#: The tip's radius (um), and the gel's thickness on its glass slide as it is (um).
_TIP_RADIUS, _GEL_THICKNESS = 5.0, 50.0


def _hertz(height, gel, xp=np):
    """The force (nN) at the stage's ``height`` (um) on a spherical tip pressed into an incompressible elastic
    half-space by Hertz's law, ``b + (4/3) E / (1 - 0.5^2) sqrt(R) d^(3/2)``, ``d = max(height - z0, 0)`` the
    indentation and ``R`` the tip's radius, ``gel`` its ``b``, ``z0`` and ``E``."""
    offset, contact, modulus = gel[0], gel[1], gel[2]
    depth = xp.maximum(height - contact, 0.0)
    # kPa um^0.5 um^1.5 = 1e3 N/m^2 1e-12 m^2 = 1 nN.
    return offset + 4.0 / 3.0 * modulus / 0.75 * _TIP_RADIUS**0.5 * depth**1.5


def hertz_afm_indentation(*, quick: bool = False) -> Task:
    """Fit a hydrogel's force offset, contact point and Young's modulus to an atomic force microscope's force curve (the
    force on its spherical tip as the stage rises), the squared error of the force, batch 64 readings.

    A held-out-53 task, the indentation of a soft sample by a sphere (Hertz 1882, "Uber die Beruhrung fester elastischer
    Korper"; Dimitriadis et al. 2002, "Determination of elastic moduli of thin layers of soft material using the atomic
    force microscope"): a tip of radius ``R`` pressed a depth ``d`` into an incompressible elastic half-space of Young's
    modulus ``E`` feels ``(4/3) E / (1 - 0.5^2) sqrt(R) d^(3/2)``, the depth the stage's height less the contact point
    ``z0`` (0 before contact), and the cantilever reads it plus its offset ``b``, so that ``b`` reaches the readings
    before the contact, ``z0`` through where the force starts to rise and ``E`` through how steeply. Each reading is the
    force (in units of 5 nN) less the nominal gel's (``b`` 0 nN, ``z0`` 1 um, ``E`` 20 kPa; the tip's ``R`` 5 um), so
    that the start predicts no change. The gel as it is (``b`` 1.5 nN, ``z0`` 1.2 um, ``E`` 25 kPa) is a layer 50 um
    thick bonded to a glass slide, whose stiffness adds to the force as the contact grows (Dimitriadis' factor ``1 +
    1.133 c + 1.283 c^2 + 0.769 c^3 + 0.0975 c^4``, ``c = sqrt(R d) / 50 um``), which the model cannot follow: its best
    fit (least squares on the training readings; ``b`` 1.6026 nN, ``z0`` 1.2175 um, ``E`` 27.115 kPa) leaves a residual,
    34% above the noise. SGD with momentum, whose steps grow with the large force changes (gradients of 0.4 to 2.8 at
    the start), travels the fit's way (0.8, 4.35 and 6.09 units) within about 600 updates; Adam and RMSProp, whose steps
    of 1e-3 keep each parameter's pace, are still far at 2,000. The data (numpy seed 0): 5,000 readings, the stage's
    height U(0, 3) um, each force change plus N(0, 0.1^2) noise (the cantilever's 0.5 nN; -2.25545 to 6.91149); the
    first 1,000 for validation, 4,000 for training (the same for every run seed); each reading given as its height. The
    model: ``b`` (in units of 2 nN), ``z0`` (in units of 0.05 um) and the logarithm of ``E`` (in units of 0.05) from 0
    (the nominal gel, the same start on every seed). The loss and the metric are the mean squared error of the force
    change (0 or more): 4.64322 for a zero prediction (the start), 4.37033 for the validation mean, 0.00986165 for the
    true model (the noise), 0.0132559 for the model's best fit (its floor). Budget 2,000 updates, evaluated every 50.
    Before calibration, the fixed candidates ran on seeds 0 and 1 with readings in other units, as the module's
    docstring says, then on this task as it is on seeds 0 and 1 (SGD with momentum 0.013226 and 0.013229, within 0.3% of
    the floor from 600 and 650 updates; Adam 2.2553 and 2.2426 and RMSProp 1.9352 and 1.9122, still falling at 2,000).
    On the calibration seeds SGD with momentum at 1e-2 sets the target, 0.013228, its median best 0.013226 loosened by
    the spread of its bests (0.013225 to 0.013227, at 750 to 1,650 updates), 34% above the noise and 0.21% below the
    model's floor (fitted on the training readings; SGD's validation error gets a little below it): it gets below it on
    every seed within 750 to 1,650 updates, at its floor, its later evaluations jittering about it (their median 0.12%
    to 1.1% above the target, the highest 1.9% to 4.2% above its best); Adam at 1e-3 on none (bests 2.248 to 2.2775, 170
    to 172 times the target) and RMSProp at 1e-3 on none (bests 1.9079 to 1.9287, 144 to 146 times), each at 2,000,
    still falling. SGD leads on every seed: after 500 updates the validation error is 0.01347 to 0.01359 for SGD, 3.272
    to 3.302 for Adam and 3.18 to 3.186 for RMSProp; after 1,000, 0.01323 to 0.01335, 2.853 to 2.876 and 2.679 to 2.685
    (0.9 to 1.5 s a run). The baseline's tuned rate is 3e-2, the top of its grid (median best 0.013228, its bests
    0.013226 to 0.013231, below the target on 3 seeds of 5 within 1,000 to 1,200 updates and 0.02% above it on the other
    two), ahead of 1e-2 (median best 0.052027, 3.9 times the target, below it on no seed)."""
    rows, held_out, batch, scale, units = 5000, 1000, 64, 5.0, (2.0, 0.05, 0.05)
    rng = np.random.default_rng(0)
    height = rng.uniform(0.0, 3.0, rows)
    offset, contact = _TRUE_GEL[0], _TRUE_GEL[1]
    depth = np.maximum(height - contact, 0.0)
    # The gel as it is, on its glass slide: Dimitriadis' bonded thin-layer factor on the Hertz force.
    thin = np.sqrt(_TIP_RADIUS * depth) / _GEL_THICKNESS
    bottom = 1 + 1.133 * thin + 1.283 * thin**2 + 0.769 * thin**3 + 0.0975 * thin**4
    true = offset + (_hertz(height, _TRUE_GEL) - offset) * bottom
    y = (true - _hertz(height, _NOMINAL_GEL)) / scale + rng.normal(0, 0.5 / scale, rows)
    data = _rows(height[held_out:, None], y[held_out:], height[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_GEL, jnp.float32)

    def init(key):
        del key
        return {"gel": jnp.zeros([3])}

    def loss(params, x, y):
        offset = params["gel"]
        gel = (
            nominal[0] + units[0] * offset[0],
            nominal[1] + units[1] * offset[1],
            nominal[2] * jnp.exp(units[2] * offset[2]),
        )
        fitted = _hertz(x[:, 0], gel, jnp) - _hertz(x[:, 0], nominal, jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "hertz-afm-indentation",
        data,
        init,
        loss,
        "val MSE (force, units of 5 nN)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a hydrogel's Hertz contact fitted to {rows - held_out} train / {held_out} val AFM force-curve "
        f"readings; batch {batch}",
    )


#: The galaxy's bulge as it is: its surface brightness at its effective radius (mag per arcsec^2), its effective
#: radius (arcsec) and its Sersic index.
_TRUE_BULGE = (20.0, 6.0, 4.0)

#: The nominal galaxy (the model's start): its surface brightness at 10 arcsec (mag per arcsec^2), its effective radius
#: (arcsec) and its Sersic index.
_NOMINAL_BULGE = (20.2, 6.0, 5.0)

#: The disc of the galaxy as it is: its surface brightness over the bulge's at the bulge's effective radius, and its
#: scale length (arcsec).
_DISC_SHARE, _DISC_LENGTH = 0.03, 20.0

#: The radius (arcsec) at which the model's surface brightness is a parameter.
_PIVOT = 10.0


def _sersic_b(index, xp=np):
    """Sersic's ``b_n``, for which the effective radius holds half the light (Ciotti and Bertin 1999's series)."""
    del xp
    return 2 * index - 1 / 3 + 4 / (405 * index) + 46 / (25515 * index**2)


def _sersic(radius, bulge, xp=np):
    """The surface brightness (mag per arcsec^2) at ``radius`` (arcsec) of a Sersic profile, ``mu_10 + 2.5 / ln 10 b_n
    ((r / r_e)^(1 / n) - (10 / r_e)^(1 / n))``, ``bulge`` its ``mu_10`` (the surface brightness at 10 arcsec), ``r_e``
    and ``n``."""
    brightness, effective, index = bulge[0], bulge[1], bulge[2]
    shape = (radius / effective) ** (1 / index) - (_PIVOT / effective) ** (1 / index)
    return brightness + 2.5 / np.log(10) * _sersic_b(index, xp) * shape


def sersic_galaxy_profile(*, quick: bool = False) -> Task:
    """Fit an elliptical galaxy's surface brightness at 10 arcsec, effective radius and Sersic index to the surface
    brightness read along its major axis, the squared error of the surface brightness, batch 64 readings.

    A held-out-53 task, the light profile of a spheroidal galaxy (Sersic 1963, "Influence of the atmospheric and
    instrumental dispersion on the brightness distribution in a galaxy"; Graham and Driver 2005, "A concise reference to
    (projected) Sersic R^1/n quantities"): its surface brightness falls as ``I_e exp(-b_n ((r / r_e)^(1 / n) - 1))``,
    ``r_e`` the radius holding half the light, ``n`` the Sersic index (4 for de Vaucouleurs' law) and ``b_n`` near ``2 n
    - 1/3`` (Ciotti and Bertin's series), in magnitudes ``mu_e + 2.5 / ln 10 b_n ((r / r_e)^(1 / n) - 1)``, written here
    with the surface brightness at 10 arcsec, ``mu_10``, in place of ``mu_e`` (which trades off with ``r_e`` at a
    correlation of -0.99 over the readings), so that ``mu_10`` reaches the readings everywhere and ``r_e`` and ``n``
    through the profile's curvature. Each reading is the surface brightness (in units of 4 mag per arcsec^2) less the
    nominal galaxy's (``mu_10`` 20.2 mag per arcsec^2, ``r_e`` 6 arcsec, ``n`` 5), so that the start predicts no change.
    The galaxy as it is (a bulge of ``mu_e`` 20 mag per arcsec^2, ``r_e`` 6 arcsec and ``n`` 4, its ``mu_10`` 21.134)
    holds a faint exponential disc (at the bulge's effective radius 3% of its surface brightness, of scale length 20
    arcsec), which the model cannot follow: its best fit (least squares on the training readings; ``mu_10`` 21.0547 mag
    per arcsec^2, ``r_e`` 7.6629 arcsec, ``n`` 4.9907) leaves a residual, 48% above the noise. RMSProp, whose steps of
    1e-3 keep their size as the gradients shrink near the fit, travels the way (0.66, 0.49 and, after the index is
    pushed off while the brightness settles, back to about 0) at its full pace; Adam, whose second moment remembers the
    large early gradients (the brightness's, 0.13 at the start against 0.003 and 0.01), slows along it, and SGD with
    momentum, whose steps follow the steep direction (``mu_10``'s), creeps along the soft ones (``r_e``'s and ``n``'s).
    The data (numpy seed 0): 5,000 readings, the radius U(0.5, 30) arcsec, each surface-brightness change plus N(0,
    0.005^2) noise (the photometry's 0.02 mag; 0.161844 to 0.304538); the first 1,000 for validation, 4,000 for training
    (the same for every run seed); each reading given as its radius. The model: ``mu_10`` (in units of 1.3 mag per
    arcsec^2) and the logarithms of ``r_e`` and ``n`` (in units of 0.5) from 0 (the nominal galaxy, the same start on
    every seed). The loss and the metric are the mean squared error of the surface-brightness change (0 or more):
    0.042886 for a zero prediction (the start), 0.000517241 for the validation mean, 2.46541e-05 for the true model (the
    noise), 3.65042e-05 for the model's best fit (its floor). Budget 2,000 updates, evaluated every 50. Before
    calibration, the fixed candidates ran on seeds 0 and 1 with other parameters, units and nominal galaxies, as the
    module's docstring says, then on this task as it is on seeds 0 and 1 (RMSProp 3.6478e-05 and 3.6497e-05, within 0.3%
    of the floor from 1,400 and 1,350 updates; Adam 0.00011913 and 0.0001207 and SGD with momentum 0.00013129 and
    0.00013273, still falling at 2,000). On the calibration seeds RMSProp at 1e-3 sets the target, 3.6514e-05, its
    median best 3.649e-05 loosened by the spread of its bests (3.647e-05 to 3.6503e-05, at 1,650 to 2,000 updates), 48%
    above the noise and 0.03% above the model's floor: it gets below it on every seed within 1,550 to 1,700 updates
    (later than on seeds 0 and 1, but not in the last 5% of the budget; within 1% of the floor from 1,250 to 1,400 and
    0.3% from 1,350 to 1,500), at its floor, its later evaluations about it (their median 0.1% to 0.6% above it, the
    highest 0.8% to 2.2% above its best); Adam at 1e-3 on none (bests 0.00011799 to 0.00012181, 3.2 to 3.3 times the
    target) and SGD with momentum at 1e-2 on none (bests 0.00013068 to 0.00013396, 3.6 to 3.7 times), each at 2,000,
    still falling. After 500 updates the validation error is 0.001805 to 0.00188 for RMSProp, 0.005378 to 0.00547 for
    Adam and 0.0003828 to 0.0003911 for SGD (which leads early, its steps on the steep direction); after 1,000,
    4.723e-05 to 4.883e-05, 0.0005555 to 0.0005709 and 0.0002592 to 0.0002649 (0.9 to 1.4 s a run). The baseline's tuned
    rate is 3e-2, the top of its grid (median best 3.6454e-05, below the target on every seed within 550 to 750
    updates), ahead of 1e-2 by 0.4% of the median best (3.6585e-05, below the target on no seed)."""
    rows, held_out, batch, scale, units = 5000, 1000, 64, 4.0, (1.3, 0.5, 0.5)
    rng = np.random.default_rng(0)
    radius = rng.uniform(0.5, 30.0, rows)
    brightness, effective, index = _TRUE_BULGE
    # The galaxy as it is: its bulge's light and its disc's, added as fluxes.
    bulge = brightness + 2.5 / np.log(10) * _sersic_b(index) * ((radius / effective) ** (1 / index) - 1)
    disc = _DISC_SHARE * 10 ** (-0.4 * brightness) * np.exp((effective - radius) / _DISC_LENGTH)
    true = -2.5 * np.log10(10 ** (-0.4 * bulge) + disc)
    y = (true - _sersic(radius, _NOMINAL_BULGE)) / scale + rng.normal(0, 0.02 / scale, rows)
    data = _rows(radius[held_out:, None], y[held_out:], radius[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_BULGE, jnp.float32)

    def init(key):
        del key
        return {"bulge": jnp.zeros([3])}

    def loss(params, x, y):
        offset = params["bulge"]
        bulge = (
            nominal[0] + units[0] * offset[0],
            nominal[1] * jnp.exp(units[1] * offset[1]),
            nominal[2] * jnp.exp(units[2] * offset[2]),
        )
        fitted = _sersic(x[:, 0], bulge, jnp) - _sersic(x[:, 0], nominal, jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "sersic-galaxy-profile",
        data,
        init,
        loss,
        "val MSE (surface brightness, units of 4 mag per arcsec^2)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"an elliptical galaxy's Sersic profile fitted to {rows - held_out} train / {held_out} val "
        f"surface-brightness readings; batch {batch}",
    )


#: The rod as it is: its strain at 293 K (the dilatometer's zero offset), its Gruneisen coupling (strain per K of the
#: lattice's thermal energy per atom over Boltzmann's constant) and its Debye temperature (K).
_TRUE_ROD = (2e-6, 5.7e-6, 343.0)

#: The nominal rod (the model's start): its strain at 293 K, its expansion coefficient at 293 K (per K) and its Einstein
#: temperature (K).
_NOMINAL_ROD = (3.6e-6, 15.93e-6, 254.4)

#: The temperature (K) at which the dilatometer reads the rod's length as its reference.
_REFERENCE_TEMPERATURE = 293.0


def _einstein_energy(temperature, characteristic, xp=np):
    """Three Einstein oscillators' thermal energy over Boltzmann's constant (K), ``3 theta / (exp(theta / T) - 1)``."""
    return 3 * characteristic / xp.expm1(characteristic / temperature)


def _einstein_heat(temperature, characteristic, xp=np):
    """Three Einstein oscillators' heat capacity over Boltzmann's constant, ``3 x^2 e^x / (e^x - 1)^2``, ``x = theta /
    T``."""
    x = characteristic / temperature
    return 3 * x**2 * xp.exp(x) / xp.expm1(x) ** 2


def _debye_energy(temperature, characteristic):
    """A Debye solid's thermal energy per atom over Boltzmann's constant (K), ``9 T (T / theta)^3 int_0^(theta / T) x^3
    / (e^x - 1) dx``, the integral by the trapezoid rule on 2,000 intervals, in numpy."""
    top = characteristic / np.asarray(temperature, np.float64)
    x = np.linspace(0.0, 1.0, 2001)[None, :] * top[:, None]
    safe = np.where(x > 0, x, 1.0)
    integrand = np.where(x > 0, safe**3 / np.expm1(safe), 0.0)
    return 9 * temperature / top**3 * np.trapezoid(integrand, x, axis=1)


def _expansion(temperature, rod, xp=np):
    """The strain at ``temperature`` (K) against the length at 293 K of an Einstein solid by Gruneisen's rule, ``e +
    alpha (U_E(T) - U_E(293 K)) / C_E(293 K)``, ``U_E`` and ``C_E`` its thermal energy and heat capacity, ``rod`` its
    ``e``, ``alpha`` (its expansion coefficient at 293 K, per K) and ``theta_E``."""
    reference = _REFERENCE_TEMPERATURE
    energy = _einstein_energy(temperature, rod[2], xp) - _einstein_energy(reference, rod[2], xp)
    return rod[0] + rod[1] * energy / _einstein_heat(reference, rod[2], xp)


def einstein_thermal_expansion(*, quick: bool = False) -> Task:
    """Fit a copper rod's zero offset, expansion coefficient and Einstein temperature to a dilatometer's readings of its
    length change from 80 to 400 K, the squared error of the length change, batch 64 readings.

    A held-out-53 task, the thermal expansion of a crystal (Gruneisen 1912, "Theorie des festen Zustandes einatomiger
    Elemente"; Einstein 1907, "Die Plancksche Theorie der Strahlung und die Theorie der spezifischen Warme"): the
    lattice's strain follows its thermal energy, ``e + K U(T)`` (Gruneisen's rule, ``K`` the Gruneisen parameter over
    the bulk modulus and the volume), and Einstein's solid, three oscillators per atom of one frequency, holds ``U_E(T)
    = 3 theta_E / (exp(theta_E / T) - 1)`` (over Boltzmann's constant), written here with the expansion coefficient at
    293 K, ``alpha = K C_E(293 K)``, in place of ``K`` (which trades off with ``theta_E``), and the strain against the
    length at 293 K, ``e + alpha (U_E(T) - U_E(293 K)) / C_E(293 K)``, so that ``e`` reaches the readings near room
    temperature, ``alpha`` through the slope and ``theta_E`` through the curve's bend at the low temperatures. Each
    reading is the length change of a 100 mm rod (in mm) less the nominal rod's (``e`` 3.6e-6, ``alpha`` 15.93e-6 per K,
    ``theta_E`` 254.4 K, moved from the fit along the softest direction), so that the start predicts no change (in
    float32, up to 9e-8 mm, 0.1% of the noise). The rod as it is (``e`` 2e-6, ``K`` 5.7e-6 per K, its expansion
    coefficient at 293 K 15.98e-6 per K) is a Debye solid (Debye 1912, "Zur Theorie der spezifischen Warmen"; its energy
    ``9 T (T / theta_D)^3 int_0^(theta_D / T) x^3 / (e^x - 1) dx``, ``theta_D`` 343 K, copper's), whose spectrum of
    frequencies the model cannot follow: its best fit (least squares on the training readings; ``e`` 2.6547e-6,
    ``alpha`` 15.976e-6 per K, ``theta_E`` 259.35 K) leaves a residual, 74% above the noise. Adam, whose steps are
    scaled to each parameter's gradients (5e-8 to 2.4e-7 at the start, the readings' changes from the nominal rod being
    under a um and the misfits tenths of one) and whose epsilon (1e-8, outside the square root) is below them, keeps its
    pace along the valley; RMSProp, whose epsilon (1e-8, inside the square root, so 1e-4 on the gradients) is far above
    them, makes steps ten times the gradients and barely moves, and SGD with momentum, whose steps are a tenth of the
    gradients, does not move. The data (numpy seed 0): 5,000 readings, the temperature U(80, 400) K, each length change
    plus N(0, 0.0001^2) noise (the dilatometer's 0.1 um; -0.000708801 to 0.000898977); the first 1,000 for validation,
    4,000 for training (the same for every run seed); each reading given as its temperature. The model: ``e`` (in units
    of 1e-5) and the logarithms of ``alpha`` (in units of 0.0062) and ``theta_E`` (in units of 0.04) from 0 (the nominal
    rod, the same start on every seed). The loss and the metric are the mean squared error of the length change (0 or
    more): 8.73477e-08 for a zero prediction (the start), 8.46243e-08 for the validation mean, 9.86165e-09 for the true
    model (the noise), 1.71646e-08 for the model's best fit (its floor). Budget 2,000 updates, evaluated every 50.
    Before calibration, the fixed candidates ran on seeds 0 and 1 with other readings, parameters, units and nominal
    rods, as the module's docstring says, then on this task as it is on seeds 0 and 1 (Adam 1.7109e-08 and 1.7131e-08,
    within 0.3% of the floor from 1,050 updates on both; SGD with momentum 8.7325e-08 and 8.7325e-08 and RMSProp
    8.5953e-08 and 8.5952e-08, barely moved). On the calibration seeds Adam at 1e-3 sets the target, 1.7132e-08, its
    median best 1.7118e-08 loosened by the spread of its bests (1.7109e-08 to 1.7127e-08, at 1,150 to 1,300 updates),
    74% above the noise and 0.19% below the model's floor (fitted on the training readings; Adam's validation error gets
    a little below it): it gets below it on every seed within 1,100 to 1,300 updates, at its floor, its later
    evaluations about it (their median 0.12% to 0.34% above it, the highest 0.5% to 1.3% above its best); RMSProp at
    1e-3 on none (bests 8.5937e-08 to 8.5956e-08, 5 times the target, still falling slowly at 2,000) and SGD with
    momentum at 1e-2 on none (bests 8.7325e-08 on every seed, 5.1 times, a hair below the start). Adam leads from the
    start on every seed: after 500 updates the validation error is 2.302e-08 to 2.333e-08 for Adam, 8.697e-08 to
    8.699e-08 for RMSProp and 8.734e-08 for SGD; after 1,000, 1.721e-08 to 1.729e-08, 8.662e-08 to 8.665e-08 and
    8.733e-08 (0.9 to 1.3 s a run). The baseline's tuned rate is 3e-3 (median best 1.7123e-08, below the target on every
    seed within 500 to 1,150 updates), ahead of 1e-2 by 0.02% of the median best (1.7127e-08, below the target on 4
    seeds of 5 within 250 to 1,250 updates)."""
    rows, held_out, batch, length, units = 5000, 1000, 64, 100.0, (1e-5, 0.0062, 0.04)
    rng = np.random.default_rng(0)
    temperature = rng.uniform(80.0, 400.0, rows)
    # The rod as it is, a Debye solid: its strain against its length at 293 K.
    energy = _debye_energy(np.append(temperature, _REFERENCE_TEMPERATURE), _TRUE_ROD[2])
    true = _TRUE_ROD[0] + _TRUE_ROD[1] * (energy[:-1] - energy[-1])
    y = length * (true - _expansion(temperature, _NOMINAL_ROD)) + rng.normal(0, 1e-4, rows)
    data = _rows(temperature[held_out:, None], y[held_out:], temperature[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_ROD, jnp.float32)

    def init(key):
        del key
        return {"rod": jnp.zeros([3])}

    def loss(params, x, y):
        offset = params["rod"]
        rod = (
            nominal[0] + units[0] * offset[0],
            nominal[1] * jnp.exp(units[1] * offset[1]),
            nominal[2] * jnp.exp(units[2] * offset[2]),
        )
        fitted = _expansion(x[:, 0], rod, jnp) - _expansion(x[:, 0], nominal, jnp)
        return jnp.mean((length * fitted - y) ** 2)

    return _fitted(
        "einstein-thermal-expansion",
        data,
        init,
        loss,
        "val MSE (length change, mm)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a copper rod's Einstein-Gruneisen thermal expansion fitted to {rows - held_out} train / "
        f"{held_out} val dilatometer readings; batch {batch}",
    )


SPLIT = "held-out-53"
TASKS: dict[str, Callable[..., Task]] = {
    "hertz-afm-indentation": hertz_afm_indentation,
    "sersic-galaxy-profile": sersic_galaxy_profile,
    "einstein-thermal-expansion": einstein_thermal_expansion,
}
