"""The README's Python examples run as written, in order, in one namespace."""

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
# That section's examples need 8 devices: tests/multidevice/test_docs.py runs them.
MULTIDEVICE_SECTION = re.compile(r"\n## Training on many devices and hosts\n.*?(?=\n## )", flags=re.DOTALL)


def python_blocks():
    return re.findall(r"```python\n(.*?)```", MULTIDEVICE_SECTION.sub("", README.read_text()), flags=re.DOTALL)


def test_readme_python_blocks_run():
    blocks = python_blocks()
    assert len(blocks) >= 4
    namespace = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert namespace["summary"].names == ("adam", "sgd")
    assert namespace["optswitch"].active(namespace["opt_state"]) == "sgd"
    assert namespace["checked"].names == ("prodigy", "adam")  # "Which to use": Prodigy checked once against Adam


def test_readme_summary_output_is_what_the_example_prints():
    text = README.read_text()
    shown = re.search(r"```text\n(.*?)```", text, flags=re.DOTALL).group(1).strip()
    namespace = {}
    first = python_blocks()[0]
    exec(compile(first.replace("print(optswitch.summary(opt_state))", ""), str(README), "exec"), namespace)
    assert str(namespace["optswitch"].summary(namespace["opt_state"])) == shown


FLAX_SECTION = re.compile(r"\n## Flax\n.*?(?=\n## )", flags=re.DOTALL)


def test_readme_flax_section_runs_as_written_after_import_optswitch_only():
    # In a fresh interpreter: the section never imports optswitch.nnx or optswitch.linen, so they must load lazily.
    section = FLAX_SECTION.search(README.read_text()).group(0)
    flax_blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert "import optswitch.nnx" not in section and "import optswitch.linen" not in section
    assert "optswitch.chain(" in section and "clip_by_global_norm" in section and "sync_schedules()" in section
    script = "\n".join([python_blocks()[0].replace("print(optswitch.summary(opt_state))", ""), *flax_blocks])
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=README.parent)
    assert result.returncode == 0, result.stderr
    assert "UserWarning" not in result.stderr  # the fused path is taken, through the chain
    assert result.stdout.splitlines() == ["sgd", "{'adamw': 40, 'sgd': 20}"]


def test_without_flax_optswitch_nnx_names_the_extra():
    script = "import sys; sys.modules['flax'] = None\nimport optswitch\n"
    for name in ("nnx", "linen"):
        result = subprocess.run(
            [sys.executable, "-c", script + f"optswitch.{name}"], capture_output=True, text=True, cwd=README.parent
        )
        assert f"ImportError: optswitch.{name} needs flax" in result.stderr
        assert "pip install 'optswitch[flax]'" in result.stderr
    result = subprocess.run([sys.executable, "-c", script + "optswitch.nothing"], capture_output=True, text=True)
    assert "AttributeError: module 'optswitch' has no attribute 'nothing'" in result.stderr
