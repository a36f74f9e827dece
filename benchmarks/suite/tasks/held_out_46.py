"""The *held-out-46* tasks, added in round 64, are kept aside from every design, the held-out-45 tasks' included, and
run once (``--split held-out-46``) with the defaults frozen. Their structures are new to the suite: an option pricing
formula (Black and Scholes's, normal distribution functions of a parameterized volatility), a product of interference
matrices (the characteristic matrices of a thin-film stack, complex 2x2), and a complex impedance in frequency (an
electrochemical equivalent circuit with a fractional-power element). Before these three, other versions ran with the
fixed candidates on seeds 0 and 1 (through the suite's harness) and were dropped: smiles whose log volatility is in
units of 1 with price noise of 0.0002 (the floor 20 times the noise), then in units of 1.5, 2 or 4 with noise of 0.001
(Adam still falling at 2,000, or at its floor only by 1,600 to 1,650) or 6 (RMSProp within 18% of Adam's best); stacks
whose high-index layers absorb 0.005 (the floor 10 times the noise) or 0.002, their thickness changes in units of 10,
12, 13 or 15 nm with reflectance noise of 0.002 (RMSProp's steps jitter it 25% above the floor), and, after the first
calibration, units of 10 nm or batches of 128 at noise 0.004, and noises of 0.01 (units of 13, 16 or 20 nm) or 0.02 (13
nm) (RMSProp first within 1% of its best at 950 to 1,800 updates and within 0.3% at 1,300 to 1,800, jittering as in the
version here, no better) and, after the second, thicknesses the nominal ones times 1 + U(-0.04, 0.04) in units of 5 or 7
nm (RMSProp still falling at 2,000, Adam within 40% of it); circuits whose constant-phase element is referred to 1 rad/s
(its admittance and exponent coupled, the curvature's condition number 2,200: SGD stalls) in log units of 1 (RMSProp as
fast as SGD), 0.35 or 0.25 (RMSProp ahead, or SGD still falling at 2,000), then referred to 100 rad/s, each element in
units that even the curvature out, at sizes 1.4 and 1.6 (SGD within 1% of its floor only from 1,350 to 1,650) or in
units 1.2 times as large (SGD there by 500). Two calibrations (--calibrate, seeds 100-104) and two baseline tunings ran,
each on the whole split (the second's files replace the first's; the smile's and the stack's targets, bests and steps
came out the same both times), changing only the circuit: first its elements 1.6 times as large (resistances of 2 and 8
ohms nominally) in units 0.625 times these, the same task for SGD, whose steps see the same curvature (SGD reaching its
target within 1,300 to 1,700 updates), on which the baseline at 3e-2, the top of its grid, missed the target on 1 seed,
then the version here, whose parameters travel 1.6 times less far for Adam's steps. The cost of the tasks as they are:
RMSProp reaches the stack's target only at 1,700 to 2,000 updates, late, on the low swings of the jitter its steps of
1e-3 keep up at its floor; Adam's target for the smile is 0.72% above the model's floor, SGD's for the circuit 0.02%
below it (SGD's validation error gets a little below the least-squares fit on the training rows). Each run 1 to 5 s on
the 2 cores shared with other jobs."""

from collections.abc import Callable

import jax.numpy as jnp
import numpy as np
from jax.scipy.special import ndtr
from scipy.special import ndtr as np_ndtr

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def _call_price(moneyness, maturity, volatility, xp=np, cdf=np_ndtr):
    """Black and Scholes's undiscounted call price on a forward of 1, at log strike ``moneyness`` (the strike
    ``e^moneyness``), ``maturity`` years and ``volatility``: ``N(d1) - K N(d2)``."""
    spread = volatility * xp.sqrt(maturity)
    d1 = -moneyness / spread + spread / 2
    return cdf(d1) - xp.exp(moneyness) * cdf(d1 - spread)


def _smile_features(moneyness, maturity, xp=np):
    """The features of the model's log volatility: 1, ``k``, ``k^2``, ``k^3``, ``log T`` and ``k log T``."""
    log_maturity = xp.log(maturity)
    ones = xp.ones_like(moneyness)
    return xp.stack([ones, moneyness, moneyness**2, moneyness**3, log_maturity, moneyness * log_maturity], 1)


def black_scholes_smile(*, quick: bool = False) -> Task:
    """Fit a volatility surface to option prices through Black and Scholes's formula, the squared error of the price,
    batch 64 options.

    A held-out-46 task, the calibration of an implied volatility surface (Black and Scholes 1973, "The Pricing of
    Options and Corporate Liabilities"; Gatheral 2004, "A parsimonious arbitrage-free implied volatility
    parameterization", raw SVI): a call on a forward of 1 at strike ``K = e^k`` and maturity ``T`` is worth ``N(d1) - K
    N(d2)``, ``d1 = -k / (s sqrt T) + s sqrt T / 2``, ``d2 = d1 - s sqrt T``, ``N`` the normal distribution function, at
    volatility ``s``; the model's volatility is 0.2 times the exponential of a cubic in ``k`` plus ``log T`` and ``k log
    T`` terms, so that the parameters reach the prices only through the normal distribution functions of the pricing
    formula. Each price is given less the price at a flat volatility of 0.2, so that the start predicts no change. The
    market's smile is raw SVI's, variance ``0.02 (1 + 0.3 log T) + 0.12 (-0.5 (k - 0.05) + sqrt((k - 0.05)^2 + 0.2^2))``
    a year, which the model cannot follow: its best fit (least squares on the training options) leaves a residual, 80%
    above the noise. Adam, whose momentum carries its steps along the coupled coefficients of ``k``, ``k^2`` and
    ``k^3``, reaches the fit; RMSProp, without momentum, jitters across them and is still on its way at 2,000, and SGD,
    whose steps are the small prices' gradients (vegas of a few hundredths), barely moves the curvature terms. The data
    (numpy seed 0): 6,000 options, ``k`` U(-0.5, 0.5) and ``T`` U(0.1, 2) years, each price change plus N(0, 0.001^2)
    noise (-0.004719 to 0.03642); the first 1,000 for validation, 5,000 for training (the same for every run seed); each
    option given as ``(k, T)``. The model: the 6 coefficients (in units of 5) from 0 (the flat 0.2, the same start on
    every seed). The loss and the metric are the mean squared error of the price change (0 or more): 0.00014775 for a
    zero prediction (the start), 8.5042e-05 for the validation mean, 9.29124e-07 for the true model (the noise),
    1.66816e-06 for the model's best fit (its floor). Budget 2,000 updates, evaluated every 50. Before calibration, the
    fixed candidates ran on seeds 0 and 1 with other units and noises, as the module's docstring says, then on this task
    as it is on seeds 0 and 1 (Adam 1.6682e-06 and 1.6745e-06, within 1% of it from 1,450 updates on both; RMSProp
    2.3487e-06 and 2.388e-06 and SGD with momentum 1.53e-05 and 1.5313e-05, still falling at 2,000). On the calibration
    seeds Adam at 1e-3 sets the target, 1.6802e-06, its median best 1.6697e-06 loosened by the spread of its bests
    (1.6655e-06 to 1.6794e-06, at 1,650 to 1,850 updates), 81% above the noise and 0.72% above the model's floor: it
    gets below it on every seed within 1,550 to 1,700 updates, still improving; RMSProp at 1e-3 on none (bests 2.359e-06
    to 2.5103e-06, 1.4 to 1.5 times the target) and SGD with momentum at 1e-2 on none (bests 1.5181e-05 to 1.533e-05, 9
    times), each at 2,000, still falling. RMSProp leads at 100 updates, Adam from 500 on, on every seed: after 500
    updates the validation error is 3.784e-06 to 4.004e-06 for Adam, 4.621e-06 to 4.975e-06 for RMSProp and 4.553e-05 to
    4.692e-05 for SGD; after 1,000, 1.851e-06 to 1.944e-06, 3.482e-06 to 3.549e-06 and 2.785e-05 to 2.829e-05 (1 to 4 s
    a run). The baseline's tuned rate is 3e-3, inside its grid (median best 1.6681e-06, below the target on every seed
    within 800 to 850 updates)."""
    rows, held_out, batch, unit, flat = 6000, 1000, 64, 5.0, 0.2
    rng = np.random.default_rng(0)
    moneyness, maturity = rng.uniform(-0.5, 0.5, rows), rng.uniform(0.1, 2.0, rows)
    # The market's smile: raw SVI's total variance per year, its level rising with the maturity.
    variance = 0.02 * (1 + 0.3 * np.log(maturity))
    variance = variance + 0.12 * (-0.5 * (moneyness - 0.05) + np.sqrt((moneyness - 0.05) ** 2 + 0.2**2))
    price = _call_price(moneyness, maturity, np.sqrt(variance)) - _call_price(moneyness, maturity, flat)
    y = price + rng.normal(0, 0.001, rows)
    x = np.stack([moneyness, maturity], 1)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])

    def init(key):
        del key
        return {"smile": jnp.zeros([6])}

    def loss(params, x, y):
        k, t = x[:, 0], x[:, 1]
        volatility = flat * jnp.exp(_smile_features(k, t, jnp) @ (unit * params["smile"]))
        predicted = _call_price(k, t, volatility, jnp, ndtr) - _call_price(k, t, flat, jnp, ndtr)
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "black-scholes-smile",
        data,
        init,
        loss,
        "val MSE (call price)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a volatility smile fitted through Black-Scholes to {rows - held_out} train / {held_out} val "
        f"option prices; batch {batch}",
    )


def _reflectance(wavelength, thickness, index, substrate, xp=np):
    """The reflectance at normal incidence, from air, of a stack of thin layers on ``substrate``: the product of the
    layers' characteristic matrices ``[[cos d, i sin d / n], [i n sin d, cos d]]``, ``d = 2 pi n t / wavelength``, top
    layer first."""
    phase = 2 * np.pi * index[None] * thickness[None] / wavelength[:, None]
    cos, sin = xp.cos(phase), xp.sin(phase)
    m11, m12 = xp.ones_like(wavelength) + 0j, xp.zeros_like(wavelength) + 0j
    m21, m22 = m12, m11
    for layer in range(thickness.shape[0]):
        a11, a12 = cos[:, layer], 1j * sin[:, layer] / index[layer]
        a21, a22 = 1j * index[layer] * sin[:, layer], cos[:, layer]
        m11, m12, m21, m22 = m11 * a11 + m12 * a21, m11 * a12 + m12 * a22, m21 * a11 + m22 * a21, m21 * a12 + m22 * a22
    b, c = m11 + m12 * substrate, m21 + m22 * substrate
    return xp.abs((b - c) / (b + c)) ** 2


def thin_film_reflectance(*, quick: bool = False) -> Task:
    """Fit the thicknesses of a stack of thin films to its reflectance spectrum, the squared error of the reflectance,
    batch 64 wavelengths.

    A held-out-46 task, thin-film metrology by spectral reflectometry (Macleod, "Thin-Film Optical Filters"; the
    characteristic matrix method of Abeles): at normal incidence each layer of index ``n`` and thickness ``t`` has the
    matrix ``[[cos d, i sin d / n], [i n sin d, cos d]]``, ``d = 2 pi n t / wavelength``; the stack's is their product,
    and with ``(B, C)`` that product applied to ``(1, n_substrate)`` the reflectance from air is ``|(B - C) / (B +
    C)|^2``, an interference pattern periodic in each thickness over the wavelength. The stack: 6 layers, of indices 2.3
    and 1.46 in turn (top first) on glass (1.52), each nominally a quarter wave at 0.55 um, ``0.55 / (4 n)``. Each
    reading is the stack's reflectance at a wavelength less the nominal stack's, so that the start predicts no change.
    The stack as it is also absorbs a little in its high-index layers (an extinction coefficient of 0.002), which the
    model's lossless layers cannot follow: its best fit (least squares on the training wavelengths) leaves a residual,
    31% above the noise. RMSProp, whose steps of 1e-3 keep their size while the interference's gradients turn and
    scatter, travels to the fit; Adam, whose momentum averages those gradients down, and SGD, whose steps follow the
    steepest of them, are still far at 2,000. The data (numpy seed 0): the thicknesses the nominal ones times 1 +
    U(-0.08, 0.08); 5,000 wavelengths U(0.4, 0.9) um, each reflectance change plus N(0, 0.004^2) noise (-0.1605 to
    0.2444); the first 1,000 for validation, 4,000 for training (the same for every run seed); each reading given as its
    wavelength. The model: the thickness changes (in units of 13 nm) from 0 (the nominal stack, the same start on every
    seed). The loss and the metric are the mean squared error of the reflectance change (0 or more): 0.00799895 for a
    zero prediction (the start), 0.00787389 for the validation mean, 1.57605e-05 for the true model (the noise),
    2.07252e-05 for the model's best fit (its floor). Budget 2,000 updates, evaluated every 50. Before calibration, the
    fixed candidates ran on seeds 0 and 1 with other absorptions, noises and units, as the module's docstring says, then
    on this task as it is on seeds 0 and 1 (RMSProp 2.2478e-05 and 2.2468e-05, within 1% of it from 1,450 and 1,650
    updates; Adam 6.8215e-05 and 6.9304e-05 and SGD with momentum 9.0858e-05 and 9.0773e-05, still falling at 2,000). On
    the calibration seeds RMSProp at 1e-3 sets the target, 2.2545e-05, its median best 2.2498e-05 loosened by the spread
    of its bests (2.2453e-05 to 2.2513e-05, at 1,800 to 2,000 updates), 43% above the noise and 8.8% above the model's
    floor: it gets below it on every seed within 1,700 to 2,000 updates, late: RMSProp is within 7% of it from 1,000 and
    its steps jitter about it from there; Adam at 1e-3 on none (bests 6.7468e-05 to 6.9521e-05) and SGD with momentum at
    1e-2 on none (bests 9.0428e-05 to 9.0783e-05), each at 2,000, still falling, 3 and 4 times the target. SGD leads at
    100 updates, RMSProp from 500 on, on every seed: after 500 updates the validation error is 5.081e-05 to 5.526e-05
    for RMSProp, 0.0001476 to 0.0001485 for Adam and 0.000114 to 0.0001144 for SGD; after 1,000, 2.316e-05 to 2.4e-05,
    0.0001223 to 0.0001239 and 0.0001055 to 0.0001058 (2 to 5 s a run). The baseline's tuned rate is 3e-2, the top of
    its grid (median best 2.0665e-05, below the target on every seed within 400 to 450 updates)."""
    layers, rows, held_out, batch, unit, substrate = 6, 5000, 1000, 64, 0.013, 1.52
    rng = np.random.default_rng(0)
    index = np.where(np.arange(layers) % 2 == 0, 2.3, 1.46)
    nominal = 0.55 / (4 * index)
    thickness = nominal * (1 + rng.uniform(-0.08, 0.08, layers))
    wavelength = rng.uniform(0.4, 0.9, rows)
    # The stack as it is: its high-index layers absorb a little (an extinction coefficient of 0.002).
    lossy = index + 0.002j * (index > 2)
    change = _reflectance(wavelength, thickness, lossy, substrate) - _reflectance(wavelength, nominal, index, substrate)
    y = change + rng.normal(0, 0.004, rows)
    data = _rows(wavelength[held_out:, None], y[held_out:], wavelength[:held_out, None], y[:held_out])
    index_j, nominal_j = jnp.asarray(index, jnp.float32), jnp.asarray(nominal, jnp.float32)

    def init(key):
        del key
        return {"thickness": jnp.zeros([layers])}

    def loss(params, x, y):
        wavelength = x[:, 0]
        fitted = _reflectance(wavelength, nominal_j + unit * params["thickness"], index_j, substrate, jnp)
        predicted = fitted - _reflectance(wavelength, nominal_j, index_j, substrate, jnp)
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "thin-film-reflectance",
        data,
        init,
        loss,
        "val MSE (reflectance)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"the thicknesses of a {layers}-layer thin-film stack from {rows - held_out} train / {held_out} "
        f"val reflectance readings; batch {batch}",
    )


#: The reference angular frequency of the constant-phase element and the Warburg element (rad/s).
_OMEGA_0 = 100.0


def _randles(omega, series, transfer, admittance, exponent, warburg, xp=np):
    """The impedance at angular frequency ``omega`` of a Randles circuit: ``series`` resistance, then the charge
    transfer resistance ``transfer`` and a Warburg element ``warburg (j omega / omega_0)^(-1/2)`` in series with each
    other, in parallel with a constant-phase element of admittance ``admittance (j omega / omega_0)^exponent``."""
    scaled = 1j * omega / _OMEGA_0
    faradaic = transfer + warburg / xp.sqrt(scaled)
    return series + faradaic / (1 + faradaic * admittance * scaled**exponent)


#: The nominal circuit (the model's start): series and transfer resistances, the constant-phase element's admittance
#: and exponent, and the Warburg coefficient.
_NOMINAL = (1.25, 5.0, 0.0064, 0.8, 0.05)

#: The scales of the model's parameters: the logarithms of the series and transfer resistances, of the admittance, the
#: exponent, and the logarithm of the Warburg coefficient.
_CIRCUIT_UNITS = (0.45, 0.16, 0.77, 0.21, 1.54)


def electrochemical_impedance(*, quick: bool = False) -> Task:
    """Fit an equivalent circuit to an electrochemical impedance spectrum, the squared error of the impedance's real and
    imaginary parts, batch 64 frequencies.

    A held-out-46 task, equivalent-circuit fitting of electrochemical impedance spectroscopy (Randles 1947, "Kinetics of
    rapid electrode reactions"; Orazem and Tribollet, "Electrochemical Impedance Spectroscopy"): the cell's impedance at
    angular frequency ``w`` is a series resistance plus, in parallel, a faradaic branch (the charge transfer resistance
    and a Warburg element ``sigma (j w / w0)^(-1/2)`` in series) and a constant-phase element of admittance ``Y0 (j w /
    w0)^a`` (``w0`` 100 rad/s), a complex function of the frequency with a fractional power of ``j w`` in it, fitted by
    its real and imaginary parts over six decades. Each reading is the impedance less that of the nominal circuit (1.25
    and 5 ohms, ``Y0`` 0.0064, ``a`` 0.8, ``sigma`` 0.05), so that the start predicts no change. The cell as it is (2
    and 7.5 ohms, ``Y0`` 0.0096, ``a`` 0.85, ``sigma`` 0.075) also has a surface film in series, 0.25 ohm in parallel
    with 8 uF, which the circuit cannot follow: its best fit (least squares on the training frequencies) leaves a
    residual, 21% above the noise. Each element is in units that even out the curvature at the fit, and the fit lies far
    from the start in them (the transfer resistance 2.5 units away); SGD with momentum, whose steps grow with the large
    impedance gradients, travels there, while Adam and RMSProp, whose steps of 1e-3 in each coordinate cannot cover 2.5
    units in 2,000, are far from it at the end. The data (numpy seed 0): 6,000 frequencies, ``log10 w`` U(-1, 5), each
    change's real and imaginary parts plus N(0, 0.0125^2) noise (-1.8012 to 4.078); the first 1,000 for validation,
    5,000 for training (the same for every run seed); each reading given as ``log10 w``. The model: the logarithms of
    the two resistances, of ``Y0`` and of ``sigma`` (in units of 0.45, 0.16, 0.77 and 1.54) and ``a`` (in units of 0.21)
    from 0 (the nominal circuit, the same start on every seed). The loss and the metric are the mean squared error of
    the impedance's parts (0 or more): 4.25324 for a zero prediction (the start), 3.2814 for the validation mean,
    0.000162951 for the true model (the noise), 0.000197804 for the model's best fit (its floor). Budget 2,000 updates,
    evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1 with other references, units and
    sizes, as the module's docstring says, then on this task as it is on seeds 0 and 1 (SGD with momentum 0.00019769 and
    0.00019766, within 1% of it from 900 updates on both; RMSProp 0.021924 and 0.021926 and Adam 0.17891 and 0.1799,
    still falling at 2,000), and on the calibration seeds in one other version, as it says. On the calibration seeds SGD
    with momentum at 1e-2 sets the target, 0.00019777, its median best 0.00019756 loosened by the spread of its bests
    (0.00019743 to 0.00019765, at 1,550 to 1,950 updates), 21% above the noise and 0.02% below the model's floor (fitted
    on the training rows; SGD's validation error gets a little below it): it gets below it on every seed within 1,300 to
    1,700 updates; RMSProp at 1e-3 on none (bests 0.021828 to 0.022112) and Adam at 1e-3 on none (bests 0.17905 to
    0.18257), each at 2,000, still falling, 110 and 900 times the target. SGD leads on every seed: after 500 updates the
    validation error is 0.0002318 to 0.0002411 for SGD, 2.151 to 2.153 for RMSProp and 2.22 to 2.228 for Adam; after
    1,000, 0.0001982 to 0.0001991, 0.8565 to 0.8581 and 1.06 to 1.064 (1 to 4 s a run). The baseline's tuned rate is
    3e-2, the top of its grid (median best 0.00019752, below the target on every seed within 1,100 to 1,700 updates)."""
    rows, held_out, batch = 6000, 1000, 64
    rng = np.random.default_rng(0)
    log_omega = rng.uniform(-1, 5, rows)
    omega = 10.0**log_omega
    # The cell as it is: a Randles circuit and, in series, a surface film (0.25 ohm in parallel with 8 uF).
    impedance = _randles(omega, 2.0, 7.5, 0.0096, 0.85, 0.075) + 0.25 / (1 + 0.25 * 8e-6 * 1j * omega)
    change = impedance - _randles(omega, *_NOMINAL)
    y = np.stack([change.real, change.imag], 1) + rng.normal(0, 0.0125, (rows, 2))
    data = _rows(log_omega[held_out:, None], y[held_out:], log_omega[:held_out, None], y[:held_out])
    units = jnp.asarray(_CIRCUIT_UNITS, jnp.float32)

    def init(key):
        del key
        return {"circuit": jnp.zeros([5])}

    def loss(params, x, y):
        omega = 10.0 ** x[:, 0]
        c = units * params["circuit"]
        series, transfer, admittance, exponent, warburg = _NOMINAL
        fitted = _randles(
            omega,
            series * jnp.exp(c[0]),
            transfer * jnp.exp(c[1]),
            admittance * jnp.exp(c[2]),
            exponent + c[3],
            warburg * jnp.exp(c[4]),
            jnp,
        )
        change = fitted - _randles(omega, *_NOMINAL, jnp)
        return jnp.mean((jnp.stack([change.real, change.imag], 1) - y) ** 2)

    return _fitted(
        "electrochemical-impedance",
        data,
        init,
        loss,
        "val MSE (impedance)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a Randles circuit fitted to {rows - held_out} train / {held_out} val impedance readings; "
        f"batch {batch}",
    )


SPLIT = "held-out-46"
TASKS: dict[str, Callable[..., Task]] = {
    "black-scholes-smile": black_scholes_smile,
    "thin-film-reflectance": thin_film_reflectance,
    "electrochemical-impedance": electrochemical_impedance,
}
