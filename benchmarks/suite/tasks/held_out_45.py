"""The *held-out-45* tasks, added in round 63, are kept aside from every design, the held-out-44 tasks' included, and
run once (``--split held-out-45``) with the defaults frozen. Their structures are new to the suite: the eigenvalues of a
parameterized matrix (a chain's natural frequencies), a vector dipole field in its sources' positions and moments, and
the inverse of a parameterized graph Laplacian (a resistor network's boundary impedance). Before these three, other
versions ran with the fixed candidates on seeds 0 and 1 (through the suite's harness) and were dropped: chains with
ground ties of 0.02 or 0.008 a mass (the floor 8 times the noise, or Adam within 1% of RMSProp's best by 1,450 updates),
stiffnesses U(0.6, 1.6) (Adam reaching RMSProp's floor by 1,650), U(0.4, 2.5), U(0.45, 2.2) or U(0.5, 2) (RMSProp still
falling at 2,000, or reaching at 1,550), in log units of 1, 4 or 10 (all three at the floor); dipole moments U in units
of 1, 1.25, 1.5, 1.6, 1.8 or 2 and of sizes 1, 1.3 or 1.5, offsets in units of 1, 1.2, 1.4, 0.6 or 0.3, 5,000 training
readings (RMSProp within 3% of SGD, or SGD still falling at 2,000); resistor grids with noises of 0.01, weak diagonals
of 0.05 and log conductances in units of 1, 2, 3, 6, 10, 16 or 25 (RMSProp or SGD within 1% of Adam). Six calibrations
(--calibrate, seeds 100-104) and five baseline tunings ran, each on the whole split (each one's files replace the one
before's; the chain's and the network's targets, bests and steps came out the same each time), changing only the
dipoles: moments in units of 1.6 and offsets of 1 with 5,000 training readings (SGD reaching its target within 1,350 to
1,850 updates; no tuning ran on it), then 1.7 and 1.4 (the baseline at 3e-2 missing on 2 seeds), 2 and 1.2 with moments
of size 1.5 (missing on 4), 1.7 and 1.4 with 20,000 readings (missing on 3), 1.7 and 0.6 (SGD at the floor by 1,650; the
baseline at 1e-2 missing on 4, the target 0.2% below its median best), and the version here, offsets in units of 0.4,
the only one on which the baseline reaches the target on every seed. The cost of the tasks as they are: SGD reaches the
dipoles' target only at 1,900 to 2,000 updates, still falling (a setter that reaches its floor earlier puts the target
within 0.2% of it, which the baseline misses); RMSProp's target for the chain is within 0.04% of the model's floor (it
gets there by 1,150 to 1,600 updates and stays); Adam's for the network 1.1% above it. Each run 0.6 to 1.5 s on the 2
cores shared with other jobs."""

from collections.abc import Callable

import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def _chain_stiffness(stiffness):
    """The stiffness matrix of a chain of springs fixed at one end: spring ``i`` joins mass ``i`` to mass ``i - 1`` (to
    the wall for the first), in numpy."""
    matrix = np.diag(stiffness + np.append(stiffness[1:], 0.0))
    return matrix - np.diag(stiffness[1:], 1) - np.diag(stiffness[1:], -1)


def _modes(stiffness_matrix, masses, xp=np):
    """The natural frequencies (rad/s, ascending) of each row of ``masses`` on ``stiffness_matrix``: the square roots of
    the eigenvalues of ``M^-1/2 K M^-1/2``."""
    scale = 1 / xp.sqrt(masses)
    return xp.sqrt(xp.linalg.eigvalsh(scale[:, :, None] * stiffness_matrix[None] * scale[:, None, :]))


def modal_frequency_updating(*, quick: bool = False) -> Task:
    """Fit the stiffnesses of a chain of springs to the shifts of its natural frequencies under added masses, the
    squared error of the frequency shifts, batch 64 mass loadings.

    A held-out-45 task, finite-element model updating from modal data (Friswell and Mottershead 1995, "Finite Element
    Model Updating in Structural Dynamics"; frequency-shift damage detection): a chain of 6 unit masses fixed at one
    end, spring ``i`` joining mass ``i`` to mass ``i - 1`` (the first to the wall), its natural frequencies the square
    roots of the eigenvalues of ``M^-1/2 K M^-1/2``, ``K`` tridiagonal in the stiffnesses, a symmetric eigenvalue
    problem inside the model. Each measurement is the chain's 6 frequencies under a loading of added masses less those
    of the nominal chain (every spring 1) under it, so that the start predicts no shift. The chain as it is also has
    each mass tied to the ground by a spring of 0.004, which the model cannot follow: its best fit (least squares on the
    training loadings) leaves a residual, 30% above the noise. RMSProp, whose steps keep its rate while the gradients of
    the stiffnesses' logarithms shrink and scatter, travels to the fit; Adam, whose momentum averages the noisy
    gradients down, travels slower, and SGD, whose steps are the small shifts', barely moves. The data (numpy seed 0):
    the stiffnesses U(0.55, 1.8); 6,000 loadings, each mass's added mass U(0, 1), the shifts plus N(0, 0.005^2) noise
    (-0.2225 to 0.4478 rad/s); the first 1,000 for validation, 5,000 for training (the same for every run seed); each
    loading given as its 6 added masses. The model: the springs' log stiffnesses from 0 (the nominal chain, the same
    start on every seed). The loss and the metric are the mean squared error of the shifts (0 or more): 0.0122164 for a
    zero prediction (the start), 0.011162 for the validation mean, 2.56927e-05 for the true model (the noise), 3.342e-05
    for the model's best fit (its floor). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed
    candidates ran on seeds 0 and 1 with other ties, stiffnesses and units, as the module's docstring says, then on this
    task (its loadings drawn after one more block of draws) on seeds 0 and 1 (RMSProp 3.307e-05 and 3.3084e-05, within
    1% of it from 1,150 and 1,100 updates; Adam 4.2981e-05 and 4.2558e-05 and SGD with momentum 0.00059116 and
    0.00058751, still falling at 2,000). On the calibration seeds RMSProp at 1e-3 sets the target, 3.3432e-05, its
    median best 3.3415e-05 loosened by the spread of its bests (3.3411e-05 to 3.343e-05, at 1,150 to 2,000 updates), 30%
    above the noise and 0.04% above the model's floor: it gets below it on every seed within 1,150 to 1,600 updates;
    Adam at 1e-3 on none (bests 4.0857e-05 to 4.2306e-05) and SGD with momentum at 1e-2 on none (bests 0.00058949 to
    0.00060614), each at 2,000, still falling, 1.2 and 18 times the target. RMSProp leads at 100, 500 and 1,000 updates,
    on every seed: after 500 updates the validation error is 0.001671 to 0.001798 for RMSProp, 0.002652 to 0.002798 for
    Adam and 0.003252 to 0.003339 for SGD; after 1,000, 4.812e-05 to 6.179e-05, 0.0005394 to 0.0005778 and 0.001628 to
    0.001671 (1 to 1.5 s a run). The baseline's tuned rate is 1e-2, inside its grid (median best 3.3409e-05, below the
    target on every seed within 550 to 1,350 updates)."""
    masses, rows, held_out, batch = 6, 6000, 1000, 64
    rng = np.random.default_rng(0)
    stiffness = rng.uniform(0.55, 1.8, masses)
    added = rng.uniform(0, 1, (rows, masses))
    nominal = _modes(_chain_stiffness(np.ones(masses)), 1 + added)
    true = _modes(_chain_stiffness(stiffness) + 0.004 * np.eye(masses), 1 + added)
    y = true - nominal + rng.normal(0, 0.005, (rows, masses))
    data = _rows(added[held_out:], y[held_out:], added[:held_out], y[:held_out])
    ones = jnp.ones(masses)

    def chain(k):
        return jnp.diag(k + jnp.append(k[1:], 0.0)) - jnp.diag(k[1:], 1) - jnp.diag(k[1:], -1)

    def init(key):
        del key
        return {"log_stiffness": jnp.zeros([masses])}

    def loss(params, x, y):
        shift = _modes(chain(jnp.exp(params["log_stiffness"])), 1 + x, jnp) - _modes(chain(ones), 1 + x, jnp)
        return jnp.mean((shift - y) ** 2)

    return _fitted(
        "modal-frequency-updating",
        data,
        init,
        loss,
        "val MSE (frequency shift)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a chain of {masses} springs' stiffnesses from its modes, {rows - held_out} train / {held_out} "
        f"val mass loadings; batch {batch}",
    )


def _dipole_field(points, positions, moments, xp=np):
    """The magnetic field (in units of mu_0 / 4 pi) at ``points`` of point dipoles ``moments`` at ``positions``,
    summed."""
    r = points[:, None, :] - positions[None]
    distance = xp.sqrt((r**2).sum(-1, keepdims=True))
    unit = r / distance
    return ((3 * (unit * moments[None]).sum(-1, keepdims=True) * unit - moments[None]) / distance**3).sum(1)


#: Where the four magnets are thought to lie (the model's start), in the plane z = 0.
_SITES = np.array([[-0.7, -0.7, 0.0], [0.7, -0.7, 0.0], [-0.7, 0.7, 0.0], [0.7, 0.7, 0.0]])


def magnetic_dipole_localization(*, quick: bool = False) -> Task:
    """Locate four magnets and fit their moments from magnetometer readings of their field, the squared error of the
    field, batch 64 readings.

    A held-out-45 task, magnetic dipole localization (magnetic anomaly detection and magnet tracking, e.g. Wahlstrom and
    Gustafsson 2014, "Magnetometer modeling and validation for tracking metallic targets"): the field at ``x`` of a
    point dipole of moment ``m`` at ``p`` is ``(3 (m . u) u - m) / |x - p|^3``, ``u`` the unit vector from ``p`` to
    ``x`` (in units of mu_0 / 4 pi), a vector field linear in the moment and falling as the cube of the distance, summed
    over the magnets. The magnets lie near four known sites, ``(+-0.7, +-0.7, 0)``, their offsets in the plane learned.
    The magnets are bars: half the moment at each end, 0.1 either side of the centre along x, which the point dipoles
    cannot follow: their best fit (least squares on the training readings) leaves a residual, 45% above the noise. The
    offsets' gradient is 0 until the moments grow; SGD with momentum, whose steps follow the field's strong gradients,
    fits the moments first and then the offsets, while Adam and RMSProp, whose steps of 1e-3 in every coordinate must
    travel the moments' size, are far from the fit at 2,000. The data (numpy seed 0): the offsets U(-0.3, 0.3) in x and
    y, the moments 1.3 times N(0, 1) in each coordinate; 20,000 readings at x and y U(-2, 2) and a height U(0.8, 1.2),
    each the field plus N(0, 0.02^2) noise in each coordinate (-6.2552 to 6.2583); the first 4,000 for validation,
    16,000 for training (the same for every run seed); each reading given as its position. The model: the offsets (in
    units of 0.4) and the moments (in units of 1.7) from 0 (the same start on every seed: no field). The loss and the
    metric are the mean squared error of the field (0 or more): 1.23178 for a zero prediction (the start), 1.22904 for
    the validation mean, 0.000398738 for the true model (the noise), 0.00057683 for the model's best fit (its floor).
    Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1 with other
    units, sizes and readings, as the module's docstring says (the offsets in units of 0.6 and 0.3 on seed 0 only: SGD
    within 1% of its best from 1,300 and 1,950 updates), and on the calibration seeds in four other versions, as it
    says. On the calibration seeds SGD with momentum at 1e-2 sets the target, 0.0005812, its median best 0.00057969
    loosened by the spread of its bests (0.0005791 to 0.00058099, at 1,950 to 2,000 updates), 46% above the noise and
    0.76% above the model's floor: it gets below it on every seed within 1,900 to 2,000 updates, late: SGD still
    creeping down; RMSProp at 1e-3 on none (bests 0.00093951 to 0.0010771) and Adam at 1e-3 on none (bests 0.018309 to
    0.019243), each at 2,000, still falling, 1.6 to 1.9 and 32 times the target. SGD leads on every seed: after 500
    updates the validation error is 0.001397 to 0.001575 for SGD, 0.2971 to 0.3024 for RMSProp and 0.369 to 0.3812 for
    Adam; after 1,000, 0.0006872 to 0.0007112, 0.06016 to 0.0621 and 0.1262 to 0.1288 (0.6 to 1.2 s a run). The
    baseline's tuned rate is 1e-2, inside its grid (median best 0.00057879, below the target on every seed within 1,750
    to 1,900 updates)."""
    magnets, rows, held_out, batch, step, unit = 4, 20000, 4000, 64, 0.4, 1.7
    rng = np.random.default_rng(0)
    offset = np.concatenate([rng.uniform(-0.3, 0.3, (magnets, 2)), np.zeros((magnets, 1))], 1)
    moments = 1.3 * rng.normal(0, 1, (magnets, 3))
    points = np.concatenate([rng.uniform(-2, 2, (rows, 2)), rng.uniform(0.8, 1.2, (rows, 1))], 1)
    # Each magnet a bar: half its moment at each end, 0.1 either side of its centre along x.
    half = np.array([0.1, 0.0, 0.0])
    centres = _SITES + offset
    y = (_dipole_field(points, centres + half, moments) + _dipole_field(points, centres - half, moments)) / 2
    y = y + rng.normal(0, 0.02, (rows, 3))
    data = _rows(points[held_out:], y[held_out:], points[:held_out], y[:held_out])
    sites = jnp.asarray(_SITES, jnp.float32)

    def init(key):
        del key
        return {"offset": jnp.zeros([magnets, 2]), "moment": jnp.zeros([magnets, 3])}

    def loss(params, x, y):
        positions = sites + jnp.concatenate([step * params["offset"], jnp.zeros([magnets, 1])], 1)
        predicted = _dipole_field(x, positions, unit * params["moment"], jnp)
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "magnetic-dipole-localization",
        data,
        init,
        loss,
        "val MSE (field)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"{magnets} magnetic dipoles located from {rows - held_out} train / {held_out} val magnetometer "
        f"readings; batch {batch}",
    )


def _grid_edges(side: int, diagonal: bool = False) -> np.ndarray:
    """The edges of a ``side`` x ``side`` grid of nodes (numbered row by row): right and down, or down-right with
    ``diagonal``."""
    edges = []
    for i in range(side):
        for j in range(side):
            node = i * side + j
            if diagonal:
                if i + 1 < side and j + 1 < side:
                    edges.append((node, node + side + 1))
                continue
            if j + 1 < side:
                edges.append((node, node + 1))
            if i + 1 < side:
                edges.append((node, node + side))
    return np.array(edges)


def _incidence(edges: np.ndarray, nodes: int) -> np.ndarray:
    """The signed edge-node incidence matrix: +1 at each edge's first node, -1 at its second."""
    matrix = np.zeros((len(edges), nodes))
    matrix[np.arange(len(edges)), edges[:, 0]] = 1
    matrix[np.arange(len(edges)), edges[:, 1]] = -1
    return matrix


def _boundary_impedance(incidence, conductance, boundary, xp=np):
    """The transfer impedance between the boundary nodes of a resistor network: the boundary rows and columns of the
    inverse of its Laplacian ``B^T diag(c) B`` grounded at the nodes' mean (plus ``1 1^T / n``)."""
    nodes = incidence.shape[1]
    laplacian = incidence.T @ (conductance[:, None] * incidence) + xp.ones((nodes, nodes)) / nodes
    return xp.linalg.inv(laplacian)[boundary][:, boundary]


def resistor_network_tomography(*, quick: bool = False) -> Task:
    """Fit the 40 conductances of a 5x5 grid of resistors to the changes of its boundary voltages under injected
    currents, the squared error of the voltage changes, batch 64 current patterns.

    A held-out-45 task, difference electrical impedance tomography on a resistor network (Curtis and Morrow 1991, "The
    Dirichlet to Neumann map for a resistor network"; time-difference EIT): currents injected at the 16 boundary nodes
    give boundary voltages through the inverse of the network's Laplacian ``B^T diag(c) B`` (grounded at the nodes'
    mean), a linear solve in the conductances inside the model. Each measurement is a pattern's boundary voltages less
    those of the nominal grid (every conductance 1), so that the start predicts no change. The network as it is also has
    a weak resistor of conductance 0.025 across each square's diagonal, which the grid cannot follow: its best fit
    (least squares on the training patterns) leaves a residual, 56% above the noise. The interior conductances barely
    show at the boundary; the log conductances are in units of 12, so that RMSProp's steps of 1e-3, which keep their
    size whatever the gradient, jitter the boundary's conductances by 1.2% a step, while Adam's momentum averages the
    noisy gradients down near the fit, and SGD's steps, the small voltages', leave the weak directions behind. The data
    (numpy seed 0): the conductances exp(N(0, 0.4^2)); 6,000 patterns, each N(0, 1) currents at the boundary nodes less
    their mean, its voltage changes plus N(0, 0.005^2) noise (-0.6642 to 0.8903); the first 1,000 for validation, 5,000
    for training (the same for every run seed); each pattern given as its 16 currents. The model: the log conductances
    from 0 (the nominal grid, the same start on every seed). The loss and the metric are the mean squared error of the
    voltage changes (0 or more): 0.0141663 for a zero prediction (the start), 0.0141656 for the validation mean,
    2.50554e-05 for the true model (the noise), 3.91769e-05 for the model's best fit (its floor). Budget 2,000 updates,
    evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1 with other noises, diagonals and
    units, as the module's docstring says, then on this task as it is on seeds 0 and 1 (Adam 3.9582e-05 and 3.9491e-05,
    within 1% of it from 1,000 and 950 updates; SGD with momentum 4.2525e-05 and 4.2454e-05 and RMSProp 4.2036e-05 and
    4.3662e-05). On the calibration seeds Adam at 1e-3 sets the target, 3.9605e-05, its median best 3.9524e-05 loosened
    by the spread of its bests (3.9439e-05 to 3.9539e-05, at 1,450 to 1,950 updates), 58% above the noise and 1.1% above
    the model's floor: it gets below it on every seed within 1,200 to 1,450 updates; SGD with momentum at 1e-2 on none
    (bests 4.237e-05 to 4.2491e-05, still falling) and RMSProp at 1e-3 on none (bests 4.0636e-05 to 4.3878e-05,
    jittering, at 1,200 to 1,600 updates), 7% and 3% to 11% above the target. RMSProp leads after 100 updates, Adam
    after 500 and 1,000, on every seed: after 500 updates the validation error is 4.342e-05 to 4.41e-05 for Adam,
    5.475e-05 to 5.572e-05 for SGD and 6.172e-05 to 9.896e-05 for RMSProp; after 1,000, 3.986e-05 to 4.022e-05,
    4.525e-05 to 4.551e-05 and 5.059e-05 to 0.0001098 (0.8 to 1.2 s a run). The baseline's tuned rate is 3e-3, inside
    its grid (median best 3.9263e-05, below the target on every seed within 900 to 1,350 updates)."""
    side, rows, held_out, batch, unit = 5, 6000, 1000, 64, 12.0
    nodes = side * side
    rng = np.random.default_rng(0)
    edges, diagonals = _grid_edges(side), _grid_edges(side, diagonal=True)
    boundary = np.array([i * side + j for i in range(side) for j in range(side) if {i, j} & {0, side - 1}])
    conductance = np.exp(rng.normal(0, 0.4, len(edges)))
    incidence = _incidence(edges, nodes)
    # The network as it is: the grid's resistors and weak ones across each square's diagonal.
    both = np.concatenate([incidence, _incidence(diagonals, nodes)])
    true = _boundary_impedance(both, np.concatenate([conductance, np.full(len(diagonals), 0.025)]), boundary)
    nominal = _boundary_impedance(incidence, np.ones(len(edges)), boundary)
    currents = rng.normal(0, 1, (rows, len(boundary)))
    currents -= currents.mean(1, keepdims=True)
    y = currents @ (true - nominal).T + rng.normal(0, 0.005, (rows, len(boundary)))
    data = _rows(currents[held_out:], y[held_out:], currents[:held_out], y[:held_out])
    incidence_j, nominal_j = jnp.asarray(incidence, jnp.float32), jnp.asarray(nominal, jnp.float32)

    def init(key):
        del key
        return {"log_conductance": jnp.zeros([len(edges)])}

    def loss(params, x, y):
        impedance = _boundary_impedance(incidence_j, jnp.exp(unit * params["log_conductance"]), boundary, jnp)
        return jnp.mean((x @ (impedance - nominal_j).T - y) ** 2)

    return _fitted(
        "resistor-network-tomography",
        data,
        init,
        loss,
        "val MSE (voltage change)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"the {len(edges)} conductances of a {side}x{side} resistor grid from {rows - held_out} train / "
        f"{held_out} val boundary current patterns; batch {batch}",
    )


SPLIT = "held-out-45"
TASKS: dict[str, Callable[..., Task]] = {
    "modal-frequency-updating": modal_frequency_updating,
    "magnetic-dipole-localization": magnetic_dipole_localization,
    "resistor-network-tomography": resistor_network_tomography,
}
