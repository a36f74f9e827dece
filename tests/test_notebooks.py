"""The notebooks run from top to bottom, in a fresh kernel, on every test run, so they cannot rot.

They are stored with their outputs, so that a reader sees the switch log and the plots without running anything.
Refresh the stored outputs after editing a notebook with ``python tests/test_notebooks.py``.
"""

import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def execute(path: Path) -> nbformat.NotebookNode:
    """Runs the notebook at ``path`` in a fresh ``python3`` kernel (ipykernel's, on this interpreter)."""
    notebook = nbformat.read(path, as_version=4)
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


@pytest.mark.parametrize(
    ("name", "printed"),
    [
        (
            "quickstart",
            [
                *["       300: adam -> sgd", "       600: sgd -> rmsprop", "compiles of train_step: 1"],
                *["        20: adam -> sgd", "       100: sgd -> adam"],  # the race's first and last leg
            ],
        ),
        ("flax", ["       300: adam -> sgd", "active now: sgd"]),
    ],
)
def test_notebook_runs_and_switches(name, printed):
    notebook = execute(NOTEBOOKS / f"{name}.ipynb")
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    text = "".join(output.get("text", "") for output in outputs if output.output_type == "stream")
    for line in printed:
        assert line in text
    assert any("image/png" in output.get("data", {}) for output in outputs)  # the plot was drawn


if __name__ == "__main__":
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nbformat.write(execute(path), path)
        print(f"executed and stored {path}", file=sys.stderr)
