"""The notebooks run from top to bottom, in a fresh kernel, on every test run, so they cannot rot.

They are stored with their outputs, so that a reader sees the switch log and the plots without running anything.
Refresh the stored outputs after editing a notebook with ``python tests/test_notebooks.py``.
"""

import json
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from helpers import race_reference
from nbclient import NotebookClient

from optswitch.selectors._race import DEFAULT_MARGIN

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ["adam", "sgd", "rmsprop"]
#: The recommended switch's candidates: each of NAMES at 3x its learning rate, then as given.
MULTIPLES = [*(f"{name}-x3" for name in NAMES), *NAMES]


def execute(path: Path, check: str = "") -> nbformat.NotebookNode:
    """Runs the notebook at ``path`` in a fresh ``python3`` kernel (ipykernel's, on this interpreter).

    ``check``, if given, is the source of one more cell, run last (it is not stored). A cell that raises makes
    ``execute`` raise ``nbclient``'s ``CellExecutionError``, which names the cell and the error.
    """
    notebook = nbformat.read(path, as_version=4)
    if check:
        notebook.cells.append(nbformat.v4.new_code_cell(check))
    # jupyter_client starts a "python" kernelspec with sys.executable, so the kernel sees this environment.
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.parent)}},
        record_timing=False,
    )
    client.execute()
    return notebook


def report_runs(runs: dict[str, tuple[str, str]]) -> str:
    """A cell that prints, as JSON after ``RUNS``, each loss-driven run's losses and switches.

    ``runs`` maps a label to the notebook's names of (the list of losses, the run's summary).
    """
    items = ", ".join(f"{label!r}: ({curve}, {summary})" for label, (curve, summary) in runs.items())
    return (
        "import json\n"
        f"print('RUNS ' + json.dumps({{label: {{'losses': [float(v) for v in curve], 'switches': summary.switches}} "
        f"for label, (curve, summary) in {{{items}}}.items()}}))"
    )


def stall_step(picks: list[int], losses: list[float], at: int, window: int) -> int:
    """The update from which ``step_down(at=at, stall=window)`` steps the race's ``picks`` down: ``at``, or the one
    after the first full window of a 3x copy's updates (in ``picks``, 0-2) whose least-squares line through the log
    loss does not fall; a window starts over when the candidate changes."""
    run: list[float] = []
    for t, (pick, loss) in enumerate(zip(picks, losses, strict=False)):
        if t + 1 >= at:
            break
        run = [*run, np.log(loss)] if t and picks[t - 1] == pick else [np.log(loss)]
        if len(run) == window:
            if pick < 3 and np.polyfit(np.arange(window), run, 1)[0] >= 0:
                return t + 1
            run = []
    return at


def switches_of(trace: list[int], names: list[str] = NAMES) -> list[list]:
    """The log's switches ``[first update, from, to]`` of a reference's candidate per update."""
    return [[t, names[trace[t - 1]], names[trace[t]]] for t in range(1, len(trace)) if trace[t] != trace[t - 1]]


def first_below(losses: list[float], threshold: float) -> int:
    """The first update whose loss, in float32 as the selector compares it, is below ``threshold``."""
    return next(t for t, loss in enumerate(losses) if np.float32(loss) < np.float32(threshold))


@pytest.mark.parametrize(
    ("name", "printed", "runs"),
    [
        (
            "quickstart",
            ["       300: adam -> sgd", "       600: sgd -> rmsprop", "compiles of train_step: 1"],
            {"race": ("raced", "raced_summary"), "below": ("decided", "decided_summary")},
        ),
        (
            "flax",
            ["       300: adam -> sgd", "active now: sgd"],
            {"nnx below": ("nnx_losses", "nnx_summary"), "linen below": ("decided_losses", "decided_summary")},
        ),
    ],
)
def test_notebook_runs_and_switches(name, printed, runs):
    notebook = execute(NOTEBOOKS / f"{name}.ipynb", check=report_runs(runs))
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    text = "".join(output.get("text", "") for output in outputs if output.output_type == "stream")
    for line in printed:
        assert line in text
    assert any("image/png" in output.get("data", {}) for output in outputs)  # the plot was drawn

    # Each loss-driven run switched where its rule, computed here on the losses it recorded, says.
    reported = json.loads(text.split("RUNS ", 1)[1])
    for label, run in reported.items():
        losses = run["losses"]
        if label == "race":  # the recommended race over MULTIPLES, run_length=600: legs of 6, stop at 300
            config = dict(stop=300, margin=DEFAULT_MARGIN)
            reference = race_reference(
                lambda t, active, run=losses: run[t], 6, len(losses), list(range(6)), 6, 2.0, 0.125, 1.0, **config
            )
            # step_down(at=300, stall=30): from update 300 on, or from the end of a window of 30 updates of a 3x copy
            # (0, 1, 2) whose log loss does not fall, a 3x copy runs as the candidate itself (3, 4, 5).
            step = stall_step(reference, losses, 300, 30)
            stepped = [k + 3 if t >= step and k < 3 else k for t, k in enumerate(reference)]
            expected = switches_of(stepped, MULTIPLES)
            assert len(expected) >= 10
        else:  # hand_over_below(0.01, to=1): from Adam to SGD after the first loss below 0.01
            expected = [[first_below(losses, 0.01) + 1, "adam", "sgd"]]
        assert run["switches"] == expected, label


if __name__ == "__main__":
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nbformat.write(execute(path), path)
        print(f"executed and stored {path}", file=sys.stderr)
