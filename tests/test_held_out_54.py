"""The held-out-54 split: it runs only when asked, apart from every other split, and is the last split kept aside; its
tasks hold the data their docstrings state (each drawn again here by hand, its references and its model computed in
numpy, each model's floor by scipy's least squares); they train; their targets and the baseline's rates were set from
fixed optimizers only, so that the split stays blind; and the stored calibration says what the docstrings say of it."""

import held_out_split
import numpy as np
import pytest
from scipy.optimize import least_squares
from scipy.special import erfc

from benchmarks.suite import cli, tasks
from benchmarks.suite.tasks import held_out_54

HELD_OUT_54 = ["herschel-bulkley-chocolate", "omori-aftershock-decay", "dopant-diffusion-profile"]


def test_the_held_out_54_split_runs_only_when_asked_and_is_disjoint_from_every_other(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_runs_only_when_asked(held_out_54, HELD_OUT_54, "held-out-53", 71, help_text)
    assert tasks.KEPT_ASIDE[-1] == "held-out-54" and tasks.SPLIT_MODULES[-1] is held_out_54


NOMINAL_CHOCOLATE = (20.0, 10.0, 0.5)


def herschel_bulkley(rate, at_3, consistency, index):
    """A Herschel-Bulkley fluid's shear stress (Pa) at the shear ``rate`` (1/s), from its stress at 3 1/s, in numpy."""
    return at_3 + consistency * ((rate / 3.0) ** index - 1)


def casson(rate, yield_stress, viscosity):
    """A Casson fluid's shear stress (Pa) at the shear ``rate`` (1/s), in numpy."""
    return (np.sqrt(yield_stress) + np.sqrt(viscosity * rate)) ** 2


def test_herschel_bulkley_chocolate_holds_the_data_its_docstring_states():
    task = tasks.herschel_bulkley_chocolate()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000, 1) and data["y_val"].shape == (1000,)
    # The data by hand: the chocolate as it is, a Casson fluid, less the nominal chocolate, in units of 5 Pa, plus the
    # rheometer's 1.3 Pa of noise.
    rng = np.random.default_rng(0)
    rate = np.exp(rng.uniform(np.log(0.1), np.log(100.0), 5000))
    noise = rng.normal(0, 1.3 / 5, 5000)
    y = (casson(rate, 12.0, 1.5) - herschel_bulkley(rate, *NOMINAL_CHOCOLATE)) / 5 + noise
    assert y.min() == pytest.approx(Y_RANGES["stress"][0], rel=1e-5)
    assert y.max() == pytest.approx(Y_RANGES["stress"][1], rel=1e-5)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]])[:, 0], rate, rtol=1e-6)
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), y, rtol=1e-5, atol=1e-5)
    held_out_split.check_start_and_references(task, data, noise, REFERENCES, "stress", (1e-3, 1e-3, 1e-7))
    # The chocolate as it is, at 3 1/s; a Casson fluid is a Herschel-Bulkley fluid of index 1/2 (its consistency 2
    # sqrt(tau_c eta_c)) plus a Newtonian term, eta_c times the rate, which the model's index takes up as best it can.
    assert casson(3.0, 12.0, 1.5) == pytest.approx(31.197, abs=5e-4)
    np.testing.assert_allclose(casson(rate, 12.0, 1.5), 12.0 + 2 * np.sqrt(18.0 * rate) + 1.5 * rate, rtol=1e-12)

    def model(p, rate):
        chocolate = (
            NOMINAL_CHOCOLATE[0] + 2.0 * p[0],
            NOMINAL_CHOCOLATE[1] * np.exp(0.1 * p[1]),
            NOMINAL_CHOCOLATE[2] + 0.05 * p[2],
        )
        return (herschel_bulkley(rate, *chocolate) - herschel_bulkley(rate, *NOMINAL_CHOCOLATE)) / 5

    fitted = least_squares(lambda p: model(p, rate[1000:]) - y[1000:], np.zeros(3), xtol=1e-15, ftol=1e-15).x
    floor = held_out_split.metric_on(task, {"chocolate": fitted})
    assert floor == pytest.approx(REFERENCES["stress-floor"], rel=1e-3)
    assert REFERENCES["stress-floor"] > 1.1 * REFERENCES["stress-true"]
    # The best fit's chocolate, as the docstring states it.
    chocolate = (20.0 + 2.0 * fitted[0], 10.0 * np.exp(0.1 * fitted[1]), 0.5 + 0.05 * fitted[2])
    np.testing.assert_allclose(chocolate, (30.127, 14.779, 0.78073), rtol=2e-4)
    # The model by hand on 8 readings: any chocolate near the nominal one.
    params = {"chocolate": rng.normal(0, 1, 3)}
    x, y = data["x_train"][:8], data["y_train"][:8]
    held_out_split.check_the_model_by_hand(task, params, x, y, model(params["chocolate"], x[:, 0]))


NOMINAL_AFTERSHOCKS = (2.0, 1.035, 0.032)


def omori_log_rate(days, level, exponent, delay):
    """The decimal logarithm of the Omori-Utsu rate (per day) ``days`` after the main shock, from its value at one
    day, in numpy."""
    return level - exponent * (np.log10(days + delay) - np.log10(1.0 + delay))


def test_omori_aftershock_decay_holds_the_data_its_docstring_states():
    task = tasks.omori_aftershock_decay()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000, 1) and data["y_val"].shape == (1000,)
    # The data by hand: the sequence as it is, K / (t + c)^p over a background of 0.3 per day, its rate at one day
    # (without the background) 200 per day, less the nominal sequence, as decimal logarithms, plus 0.015 of noise.
    rng = np.random.default_rng(0)
    days = 10 ** rng.uniform(-2.0, 2.0, 5000)
    noise = rng.normal(0, 0.015, 5000)
    productivity = 200.0 * 1.05**1.1
    assert productivity / (1 + 0.05) ** 1.1 == pytest.approx(200.0)
    true = np.log10(0.3 + productivity / (days + 0.05) ** 1.1)
    y = true - omori_log_rate(days, *NOMINAL_AFTERSHOCKS) + noise
    assert y.min() == pytest.approx(Y_RANGES["rate"][0], rel=1e-5)
    assert y.max() == pytest.approx(Y_RANGES["rate"][1], rel=1e-5)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]])[:, 0], days, rtol=1e-6)
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), y, rtol=1e-5, atol=1e-6)
    held_out_split.check_start_and_references(task, data, noise, REFERENCES, "rate", (1e-7, 1e-8, 1e-9))

    def model(p, days):
        sequence = (
            NOMINAL_AFTERSHOCKS[0] + 1.2 * p[0],
            NOMINAL_AFTERSHOCKS[1] + 0.1 * p[1],
            NOMINAL_AFTERSHOCKS[2] * np.exp(0.7 * p[2]),
        )
        return omori_log_rate(days, *sequence) - omori_log_rate(days, *NOMINAL_AFTERSHOCKS)

    fitted = least_squares(lambda p: model(p, days[1000:]) - y[1000:], np.zeros(3), xtol=1e-15, ftol=1e-15).x
    floor = held_out_split.metric_on(task, {"sequence": fitted})
    assert floor == pytest.approx(REFERENCES["rate-floor"], rel=1e-3)
    assert REFERENCES["rate-floor"] > 1.1 * REFERENCES["rate-true"]
    sequence = (2.0 + 1.2 * fitted[0], 1.035 + 0.1 * fitted[1], 0.032 * np.exp(0.7 * fitted[2]))
    np.testing.assert_allclose(sequence, (2.3014, 1.0771, 0.045252), rtol=2e-4)
    # The model by hand on 8 readings: any sequence near the nominal one.
    params = {"sequence": rng.normal(0, 0.5, 3)}
    x, y = data["x_train"][:8], data["y_train"][:8]
    held_out_split.check_the_model_by_hand(task, params, x, y, model(params["sequence"], x[:, 0]))


NOMINAL_PROFILE = (0.0209, 0.111, 8e-5)


def profile(depth, surface, length, background):
    """A dopant's atomic fraction at ``depth`` (um) diffused from a constant surface concentration, in numpy."""
    return surface * erfc(depth / length) + background


def test_the_erfc_profile_solves_ficks_second_law():
    # dC/dt = D d2C/dx2 for C(x, t) = C_s erfc(x / (2 sqrt(D t))), by central differences, and C(0, t) = C_s.
    diffusivity, time, depth, step = 0.25, 0.01, np.array([0.02, 0.1, 0.2]), 1e-4

    def concentration(depth, time):
        return held_out_54._erfc_profile(depth, (0.02, 2 * np.sqrt(diffusivity * time), 0.0))

    by_time = (concentration(depth, time + step**2) - concentration(depth, time - step**2)) / (2 * step**2)
    by_depth = concentration(depth + step, time) - 2 * concentration(depth, time) + concentration(depth - step, time)
    np.testing.assert_allclose(by_time, diffusivity * by_depth / step**2, rtol=1e-4)
    assert concentration(0.0, time) == pytest.approx(0.02)


def test_dopant_diffusion_profile_holds_the_data_its_docstring_states():
    task = tasks.dopant_diffusion_profile()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000, 1) and data["y_val"].shape == (1000,)
    # The data by hand: the wafer as it is, its main profile and a tail of 6% of its surface concentration and three
    # times its diffusion length, less the nominal wafer, as atomic fractions, plus the spectrometer's 2e-4 of noise.
    rng = np.random.default_rng(0)
    depth = rng.uniform(0.0, 0.4, 5000)
    noise = rng.normal(0, 2e-4, 5000)
    true = profile(depth, 0.02, 0.1, 2e-4) + 0.06 * 0.02 * erfc(depth / 0.3)
    y = true - profile(depth, *NOMINAL_PROFILE) + noise
    assert y.min() == pytest.approx(Y_RANGES["concentration"][0], rel=1e-5)
    assert y.max() == pytest.approx(Y_RANGES["concentration"][1], rel=1e-5)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]])[:, 0], depth, rtol=1e-6)
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), y, rtol=1e-5, atol=1e-9)
    held_out_split.check_start_and_references(task, data, noise, REFERENCES, "concentration", (1e-12, 1e-13, 1e-13))

    def model(p, depth):
        wafer = (
            NOMINAL_PROFILE[0] * np.exp(0.22 * p[0]),
            NOMINAL_PROFILE[1] * np.exp(0.22 * p[1]),
            NOMINAL_PROFILE[2] + 6e-4 * p[2],
        )
        return profile(depth, *wafer) - profile(depth, *NOMINAL_PROFILE)

    fitted = least_squares(lambda p: model(p, depth[1000:]) - y[1000:], np.zeros(3), xtol=1e-15, ftol=1e-15).x
    floor = held_out_split.metric_on(task, {"profile": fitted})
    assert floor == pytest.approx(REFERENCES["concentration-floor"], rel=1e-3)
    assert REFERENCES["concentration-floor"] > 1.1 * REFERENCES["concentration-true"]
    wafer = (0.0209 * np.exp(0.22 * fitted[0]), 0.111 * np.exp(0.22 * fitted[1]), 8e-5 + 6e-4 * fitted[2])
    np.testing.assert_allclose(wafer, (0.020839, 0.1048, 0.00043887), rtol=2e-4)
    # The nominal wafer is the fit moved 0.65 units along the softest direction of the loss's curvature there.
    assert np.linalg.norm(fitted) == pytest.approx(0.65, abs=0.01)
    # The model by hand on 8 readings: any wafer near the nominal one.
    params = {"profile": rng.normal(0, 1, 3)}
    x, y = data["x_train"][:8], data["y_train"][:8]
    held_out_split.check_the_model_by_hand(task, params, x, y, model(params["profile"], x[:, 0]))


Y_RANGES = {
    "stress": (-0.209627, 35.9787),
    "rate": (0.190047, 0.360079),
    "concentration": (-0.0008524, 0.0010352),
}

REFERENCES = {
    "stress-zero": 107.743,
    "stress-mean": 65.865,
    "stress-true": 0.0666647,
    "stress-floor": 0.104339,
    "rate-zero": 0.0768643,
    "rate-mean": 0.00103022,
    "rate-true": 0.000221887,
    "rate-floor": 0.000325568,
    "concentration-zero": 1.21495e-07,
    "concentration-mean": 9.12289e-08,
    "concentration-true": 3.94466e-08,
    "concentration-floor": 4.87477e-08,
}


def test_the_docstrings_state_the_references():
    keys = ["stress", "rate", "concentration"]
    held_out_split.check_docstrings_state_the_references(HELD_OUT_54, keys, REFERENCES)


@pytest.mark.parametrize("name", HELD_OUT_54)
def test_held_out_54_tasks_train(name):
    held_out_split.check_trains(name, held_out_split.PLATEAU_UPDATES.get(name, 20))


def test_held_out_54_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("held-out-54", HELD_OUT_54)


SETTERS = {
    "herschel-bulkley-chocolate": ("sgd", 5, (600, 1500), 0.03),
    "omori-aftershock-decay": ("rmsprop", 5, (1400, 1650), 0.03),
    "dopant-diffusion-profile": ("adam", 5, (1100, 1350), 0.03),
}

#: The baseline at its tuned rate reaches the chocolate's tight target on 1 seed of 5 (0.01% to 0.06% above it on the
#: other four), as the task's docstring says; every other target on every seed.
BASELINE_REACHES = {"herschel-bulkley-chocolate": 1}


def test_each_fixed_candidate_sets_one_target_as_the_docstrings_say():
    # From the stored calibration: the candidate that sets each target reaches it on the seeds and at the updates the
    # docstring states, and the other two on none; the baseline reaches each (the chocolate's on 1 seed of 5). The
    # docstrings state each target, its setter's updates to reach it, and the baseline's rate as stored.
    held_out_split.check_each_fixed_candidate_sets_one_target("held-out-54", SETTERS, BASELINE_REACHES)
    held_out_split.check_docstrings_state_the_setters(SETTERS)
