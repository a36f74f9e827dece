"""The *held-out-40* tasks, added in round 57 for a later round, are kept aside from every design, the held-out-39
tasks' included, and run once (``--split held-out-40``) with the defaults frozen. Before these three, other versions ran
with the fixed candidates on seed 0 (some on seed 1) and were dropped: an admixture model of population genetics
(individuals' ancestry proportions and populations' allele frequencies fitted to genotypes by the binomial likelihood)
in eleven versions (40 to 400 individuals, 2 to 5 populations, starts of scale 0.001 to 0.1: Adam and RMSProp within
2.3% of each other, RMSProp the lowest on seven, Adam on four, each still falling at 2,000); a Cobb-Douglas panel of
uncentred, highly correlated log inputs (SGD with momentum the lowest, 0.002866, RMSProp 3.5 and Adam 37 times as high)
and of uncentred inputs of scales 0.5, 0.2 and 0.1 (RMSProp the lowest but within 1% of its best only from 1,900); the
gravity model with effects N(0.5, 0.6^2) (SGD within 1% of its best from 250 updates), N(1, 0.8^2) with uncentred
distances (SGD diverging), N(0, 0.9^2) (from 500), N(0, 1.05^2) (from 700), N(0, 1.12^2) (from 1,050), N(0, 1.2^2) (from
1,250), N(-0.5, 1.25^2) (from 1,500 and 1,600 on seeds 0 and 1) and N(-1, 1.3^2) (from 1,850 and 1,600); and the school
model with 600 to 2,000 schools and effects of scale 0.35 to 0.5 (Adam the lowest, RMSProp 5% to 17% above it, each
still falling at 2,000). Two calibrations (--calibrate, seeds 100-104) and two baseline tunings ran; the first's gravity
runs (effects N(0, 1.1^2), up to 405 shipments a pair) were discarded, its target and rate not kept, and replaced by the
runs of ``--tasks gravity-trade-flows`` on the task as it is: SGD with momentum set that target within 900 to 1,200
updates, but its best lay in the noise of the validation likelihood (which moved by up to 0.025 between evaluations) and
the baseline, at 3e-2, missed it on 1 seed. The cost of the tasks as they are: the school model's target is reached late
(see it). Each run 0.3 to 0.6 s on the 2 cores shared with another job.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def cobb_douglas_panel(*, quick: bool = False) -> Task:
    """Fit the Cobb-Douglas production functions of several industries to their firms' outputs, the squared error of the
    log output, batch 64 firms.

    A held-out-40 task, the production function of economics (Cobb and Douglas 1928, "A theory of production"; Griliches
    and Mairesse 1998, "Production functions: the search for identification"): a firm's output is ``Q = A K^a L^b M^c``
    in its capital, labour and materials, linear in the logarithms, ``log Q = log A + a log K + b log L + c log M``,
    each industry with its own productivity and elasticities; the inputs that vary little across firms make their
    elasticities the hard ones. The data (numpy seed 0): 8 industries, each with ``log A`` U(0.7, 1.2) and elasticities
    U(0.1, 0.6); 2,000 firms, each in an industry drawn uniformly, its log inputs (relative to their means) of scales 1,
    0.3 and 0.1 with correlation 0.3, its log output plus N(0, 0.02^2) noise; the first 400 firms for validation, 1,600
    for training (the same for every run seed); each firm given as its industry and its 3 log inputs. The model: each
    industry's ``log A`` and elasticities from 0 (the same start on every seed). The loss and the metric are the mean
    squared error of the log output (0 or more): 1.2345 for a zero log output (the start), 0.2314 for the validation
    mean, 0.0004359 for the true functions (the noise). Budget 2,000 updates, evaluated every 50. Before calibration,
    the fixed candidates ran on seed 0 (some on seed 1) with other inputs, as the module's docstring says, with ``log
    A`` U(0.5, 1) (RMSProp 0.00043329, within 1% of it from 1,050 updates; Adam 31% above it and still falling), then on
    this task as it is (RMSProp 0.00044055, within 1% of it from 1,300; SGD with momentum 0.00087088 and Adam 0.0018968,
    each still falling at 2,000). On the calibration seeds RMSProp at 1e-3 sets the target, 0.00044078, its median best
    0.00043463 loosened by the spread of its bests (0.00042868 to 0.00043676, at 1,300 to 2,000 updates, at the noise):
    it gets below it on every seed within 1,300 to 1,650 updates (median 1,350); SGD with momentum at 1e-2 on none
    (bests 0.00087225 to 0.00088223) and Adam at 1e-3 on none (bests 0.0018144 to 0.0018977), each at 2,000, still
    falling. SGD leads from 50 to 1,100 updates, RMSProp from 1,200 on, on every seed: after 100 updates the validation
    error is 0.01504 to 0.01746 for SGD, 0.9658 to 0.9704 for RMSProp and 0.9857 to 0.994 for Adam; after 1,000,
    0.001572 to 0.001675, 0.01376 to 0.01458 and 0.08572 to 0.09021 (0.4 to 0.5 s a run); Adam, whose second moment
    remembers the large gradients of the start, is slowed for the whole budget, and SGD by the inputs of small scale.
    The baseline's tuned rate is 3e-2, the top of its grid (median best 0.00043459, below the target on every seed
    within 300 to 1,000 updates)."""
    industries, inputs, firms, held_out, batch = 8, 3, 2000, 400, 64
    rng = np.random.default_rng(0)
    productivity = rng.uniform(0.7, 1.2, industries)
    elasticity = rng.uniform(0.1, 0.6, [industries, inputs])
    industry = rng.integers(0, industries, firms)
    mixing = np.full([inputs, inputs], 0.3) + 0.7 * np.eye(inputs)
    log_inputs = np.array([1.0, 0.3, 0.1]) * (rng.normal(0, 1, [firms, inputs]) @ np.linalg.cholesky(mixing).T)
    y = productivity[industry] + np.sum(elasticity[industry] * log_inputs, 1) + rng.normal(0, 0.02, firms)
    x = np.concatenate([industry[:, None], log_inputs], 1)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])

    def init(key):
        del key
        return {"productivity": jnp.zeros([industries]), "elasticity": jnp.zeros([industries, inputs])}

    def loss(params, x, y):
        industry = x[:, 0].astype(jnp.int32)
        predicted = params["productivity"][industry] + jnp.sum(params["elasticity"][industry] * x[:, 1:], 1)
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "cobb-douglas-panel",
        data,
        init,
        loss,
        "val MSE (log output)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"Cobb-Douglas production functions of {industries} industries, {inputs} inputs, "
        f"{firms - held_out} train / {held_out} val firms; batch {batch}",
    )


def gravity_trade_flows(*, quick: bool = False) -> Task:
    """Fit the structural gravity model of trade (exporter and importer effects and a distance elasticity) to the counts
    of shipments between countries, the Poisson negative log-likelihood, batch 64 country pairs.

    A held-out-40 task, the gravity equation of international trade (Anderson and van Wincoop 2003, "Gravity with
    gravitas"; Santos Silva and Tenreyro 2006, "The log of gravity", whose Poisson pseudo-maximum likelihood it fits):
    the flow from country ``i`` to country ``j`` has the mean ``exp(e_i + m_j - d log D_ij)``, an exporter effect, an
    importer effect (the multilateral resistance terms) and a distance elasticity ``d``; the small countries' effects,
    whose pairs carry few shipments, are the hard ones. The data (numpy seed 0): 40 countries, each exporter and
    importer effect N(-0.5, 1.1^2), each country at U(0, 1)^2, ``log D`` the logarithm of the distance less its mean,
    ``d`` 1; every ordered pair of distinct countries (1,560) a Poisson count with its mean (mean 1.585, up to 134,
    53.7% of them none); the pairs shuffled, the first 312 for validation, 1,248 for training (the same for every run
    seed); each pair given as its exporter, its importer and its ``log D``. The model: the effects and ``d`` from 0 (the
    same start on every seed). The loss and the metric are the mean negative log-likelihood of the counts, the ``log
    y!`` term kept (0 or more): 2.2204 at the start (a rate of 1), 2.1729 for the validation mean, 1.0347 for the true
    model. Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seed 0 (some on
    seed 1) with other effects, as the module's docstring says (with N(0, 1.05^2) SGD with momentum within 1% of its
    best from 700 updates, RMSProp and Adam 31% and 37% above it); with N(0, 1.1^2) the task was calibrated and
    discarded; with N(-0.5, 1.1^2), on seeds 0 and 1: SGD 1.0644 and 1.0594, within 1% of it from 1,050 and 1,250,
    RMSProp 1.177 and 1.18, Adam 1.1966 and 1.2027. On the calibration seeds SGD with momentum at 1e-2 sets the target,
    1.0676, its median best 1.0648 loosened by the spread of its bests (1.0632 to 1.0664, at 1,300 to 1,800 updates): it
    gets below it on every seed within 1,200 to 1,550 updates (median 1,300); Adam at 1e-3 on none (bests 1.2053 to
    1.217) and RMSProp at 1e-3 on none (bests 1.1792 to 1.1837), each at 2,000, still falling, held back by the step
    their rates allow. SGD leads from 50 updates on, on every seed: after 100 updates the validation loss is 1.442 to
    1.49 for SGD, 2.113 to 2.12 for RMSProp and 2.119 to 2.126 for Adam; after 1,000, 1.069 to 1.079, 1.491 to 1.503 and
    1.518 to 1.525 (0.3 to 0.5 s a run). The baseline's tuned rate is 1e-2, inside its grid (median best 1.0642, below
    the target on every seed within 400 to 600 updates)."""
    countries, held_out, batch = 40, 312, 64
    rng = np.random.default_rng(0)
    exporter_effect = rng.normal(-0.5, 1.1, countries)
    importer_effect = rng.normal(-0.5, 1.1, countries)
    position = rng.uniform(0, 1, [countries, 2])
    origin, destination = np.meshgrid(np.arange(countries), np.arange(countries), indexing="ij")
    distinct = origin != destination
    origin, destination = origin[distinct], destination[distinct]
    log_distance = np.log(np.linalg.norm(position[origin] - position[destination], axis=1))
    log_distance = log_distance - log_distance.mean()
    rate = np.exp(exporter_effect[origin] + importer_effect[destination] - 1.0 * log_distance)
    y = rng.poisson(rate).astype(np.float64)
    order = rng.permutation(len(y))
    x = np.stack([origin, destination, log_distance], 1)[order]
    y = y[order]
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])

    def init(key):
        del key
        return {"exporter": jnp.zeros([countries]), "importer": jnp.zeros([countries]), "elasticity": jnp.zeros([])}

    def loss(params, x, y):
        origin, destination = x[:, 0].astype(jnp.int32), x[:, 1].astype(jnp.int32)
        log_rate = params["exporter"][origin] + params["importer"][destination] - params["elasticity"] * x[:, 2]
        return jnp.mean(jnp.exp(log_rate) - y * log_rate + jax.scipy.special.gammaln(y + 1))

    return _fitted(
        "gravity-trade-flows",
        data,
        init,
        loss,
        "val NLL (shipments)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"gravity model of trade among {countries} countries, {len(y) - held_out} train / {held_out} "
        f"val country pairs; batch {batch}",
    )


def school_value_added(*, quick: bool = False) -> Task:
    """Fit the random intercepts of schools (their value added) and the pupils' covariates' coefficients to the pupils'
    test scores, the squared error, batch 64 pupils.

    A held-out-40 task, the multilevel model of school effectiveness (Raudenbush and Bryk 2002, Hierarchical Linear
    Models, ch. 4; the value-added models of education research): a pupil's score is their school's effect plus their
    covariates' (prior attainment, background) contribution, ``y = u_s + x . b``, the schools many and each with few
    pupils, so that each school's effect is seen in few batches. The data (numpy seed 0): 1,500 schools, each effect
    N(0, 0.35^2); 4 coefficients U(0.2, 0.6); 12 pupils a school (18,000), each with 4 covariates N(0, 1) and the score
    plus N(0, 0.3^2) noise; the pupils shuffled, the first 3,600 for validation, 14,400 for training (the same for every
    run seed); each pupil given as their school and their covariates. The model: the effects and the coefficients from 0
    (the same start on every seed). The loss and the metric are the mean squared error of the score (0 or more): 0.7111
    for a zero score (the start) and for the validation mean, 0.08975 for the true model (the noise). Budget 2,000
    updates, evaluated every 50. Before calibration, the fixed candidates ran on seed 0 (some on seed 1) with other
    schools, as the module's docstring says, then on this task as it is on seeds 0 and 1 (Adam 0.12426 and 0.12427,
    RMSProp 0.14378 and 0.14403, SGD with momentum 0.15932 and 0.15987, each still falling at 2,000). On the calibration
    seeds Adam at 1e-3 sets the target, 0.12565, its median best 0.12444 loosened by the spread of its bests (0.12345 to
    0.12509, each at 2,000 updates, still falling): it gets below it on every seed within 1,900 to 2,000 updates (median
    1,950), so that only the last twentieth of the budget reaches it; RMSProp at 1e-3 on none (bests 0.14301 to 0.14395)
    and SGD with momentum at 1e-2 on none (bests 0.15846 to 0.15941), each at 2,000, still falling. SGD leads from 50 to
    400 updates, RMSProp at 500 and 550, Adam from 600 on, on every seed: after 100 updates the validation error is
    0.2004 to 0.2035 for SGD, 0.4644 to 0.4685 for RMSProp and 0.4865 to 0.4912 for Adam; after 1,000, 0.1778 to 0.182,
    0.1689 to 0.1707 and 0.1549 to 0.1566 (0.4 to 0.6 s a run): a school's effect moves only in the batches that hold
    one of its pupils, by more per batch under Adam, whose second moment averages over the batches without it. The
    baseline's tuned rate is 1e-2, inside its grid (median best 0.10084, below the target on every seed at 300
    updates)."""
    schools, per_school, covariates, held_out, batch = 1500, 12, 4, 3600, 64
    rng = np.random.default_rng(0)
    effect = rng.normal(0, 0.35, schools)
    coefficients = rng.uniform(0.2, 0.6, covariates)
    school = np.repeat(np.arange(schools), per_school)
    features = rng.normal(0, 1, [len(school), covariates])
    y = effect[school] + features @ coefficients + rng.normal(0, 0.3, len(school))
    order = rng.permutation(len(y))
    x = np.concatenate([school[:, None], features], 1)[order]
    y = y[order]
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])

    def init(key):
        del key
        return {"effect": jnp.zeros([schools]), "coefficients": jnp.zeros([covariates])}

    def loss(params, x, y):
        predicted = params["effect"][x[:, 0].astype(jnp.int32)] + x[:, 1:] @ params["coefficients"]
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "school-value-added",
        data,
        init,
        loss,
        "val MSE (test score)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"random intercepts of {schools} schools and {covariates} pupil covariates, "
        f"{len(y) - held_out} train / {held_out} val pupils; batch {batch}",
    )


SPLIT = "held-out-40"
TASKS: dict[str, Callable[..., Task]] = {
    "gravity-trade-flows": gravity_trade_flows,
    "cobb-douglas-panel": cobb_douglas_panel,
    "school-value-added": school_value_added,
}
