"""Figures of the suite: validation curves with the switch points marked, and performance profiles.

Only matplotlib's object API with the Agg backend: no window opens, and nothing here touches global state.
"""

import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from benchmarks.suite import scoring
from benchmarks.suite.harness import Run

#: One color per contender, stable across figures: the fixed candidates first, then the switches.
_COLORS = [
    "#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860",
    "#DA8BC3", "#8C8C8C", "#CCB974", "#64B5CD", "#000000", "#B8860B",
]  # fmt: skip


def colors(contenders: Sequence[str]) -> dict[str, str]:
    """A color per contender, in order."""
    return {name: _COLORS[k % len(_COLORS)] for k, name in enumerate(contenders)}


def median_curve(runs: Sequence[Run]) -> tuple[np.ndarray, np.ndarray]:
    """Steps and the median validation metric over ``runs`` at each evaluation (over the runs still going)."""
    length = max(len(run.steps) for run in runs)
    steps = next(run.steps for run in runs if len(run.steps) == length)
    table = np.full([len(runs), length], np.nan)
    for row, run in zip(table, runs, strict=True):
        row[: len(run.metric)] = run.metric
    with np.errstate(all="ignore"):
        return np.asarray(steps), np.nanmedian(table, axis=0)


def draw_curves(
    ax,
    runs_by_contender: Mapping[str, Sequence[Run]],
    *,
    title: str,
    metric: str,
    higher_is_better: bool,
    target: scoring.Target | None = None,
    log_scale: bool = False,
    palette: Mapping[str, str] | None = None,
) -> None:
    """Draws each contender's median validation curve on ``ax``, a marker at each switch of each seed.

    A marker sits on the curve at the step the new candidate starts, pointing down, labelled once with the
    candidate switched to. Fixed optimizers are dashed, switches solid; ``palette`` maps contenders to colors
    (default :func:`colors` of ``runs_by_contender``'s keys).
    """
    palette = colors(list(runs_by_contender)) if palette is None else palette
    shown = []
    for name, runs in runs_by_contender.items():
        steps, curve = median_curve(runs)
        label = name if len(runs) == 1 else f"{name} (median of {len(runs)})"
        is_switch = any(run.active[0] for run in runs)  # a fixed optimizer records no active candidate
        ax.plot(steps, curve, color=palette[name], label=label, linewidth=1.6, linestyle="-" if is_switch else "--")
        shown.append(curve[len(curve) // 10 :])
        labelled = set()
        # Many switches (a bandit's) would bury the curves under markers: draw them small and unlabelled.
        many = sum(len(run.switches) for run in runs) > 25
        for run in runs:
            for step, _, to in run.switches:
                y = np.interp(step, steps, curve)
                size = 3 if many else 7
                ax.plot(step, y, marker="v", color=palette[name], markeredgecolor="black", markersize=size, zorder=5)
                if not many and (step, to) not in labelled and len(labelled) < 6:
                    labelled.add((step, to))
                    ax.annotate(f"→{to}", (step, y), textcoords="offset points", xytext=(3, 6), fontsize=7)
    if target is not None:
        ax.axhline(target.value, color="black", linestyle="--", linewidth=1, label=f"target {target.value:.4g}")
    if log_scale:
        ax.set_yscale("log")
    else:
        _zoom(ax, np.concatenate(shown), higher_is_better, target)
    ax.set_title(title)
    ax.set_xlabel("step")
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)


def _zoom(ax, values, higher_is_better, target):
    """Limits the y axis to the later part of the curves, where the contenders differ."""
    values = values[np.isfinite(values)]
    if target is not None:
        values = np.append(values, target.value)
    if not len(values):
        return
    if higher_is_better:
        top = values.max()
        bottom = max(values.min(), top - 4 * (top - np.median(values)) - 1e-3)
    else:
        bottom = values.min()
        top = min(values.max(), bottom + 4 * (np.median(values) - bottom) + 1e-3)
    pad = 0.05 * (top - bottom)
    ax.set_ylim(bottom - pad, top + pad)


def curves_figure(panels: Sequence[dict]) -> Figure:
    """A figure with one :func:`draw_curves` panel per entry of ``panels`` (its keyword arguments)."""
    columns = min(2, len(panels))
    rows = math.ceil(len(panels) / columns)
    figure = Figure(figsize=(6.4 * columns, 4.2 * rows), layout="constrained")
    axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
    for ax, panel in zip(axes, panels, strict=False):
        draw_curves(ax, **panel)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    return figure


def profile_figure(ratios_by_clock: Mapping[str, Mapping[str, Mapping[str, float]]], r_max: float = 4.0) -> Figure:
    """Performance profiles, one panel per clock (e.g. "seconds", "steps"), the score of each contender listed.

    Args:
        ratios_by_clock: clock -> task -> contender -> performance ratio.
        r_max: the right end of the profile, and of the score's integral.
    """
    figure = Figure(figsize=(6.4 * len(ratios_by_clock), 4.4), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(ratios_by_clock)))
    taus = np.linspace(1.0, r_max, 601)
    for ax, (clock, ratios) in zip(axes, ratios_by_clock.items(), strict=True):
        contenders = list(next(iter(ratios.values())))
        palette = colors(contenders)
        for name in contenders:
            rho = scoring.profile(ratios, name, taus)
            label = f"{name} (score {scoring.score(ratios, name, r_max):.3f})"
            ax.step(taus, rho, where="post", color=palette[name], label=label, linewidth=1.6)
        ax.set_xlim(1.0, r_max)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel(f"performance ratio τ (time to target / fastest's), {clock}")
        ax.set_ylabel(f"fraction of the {len(ratios)} tasks within τ")
        ax.set_title(f"Performance profile by {clock}; score = area / (r_max - 1), r_max = {r_max:g}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    return figure
