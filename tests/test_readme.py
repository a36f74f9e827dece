"""The README's Python examples run as written, in order, in one namespace."""

import re
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


def test_readme_summary_output_is_what_the_example_prints():
    text = README.read_text()
    shown = re.search(r"```text\n(.*?)```", text, flags=re.DOTALL).group(1).strip()
    namespace = {}
    first = python_blocks()[0]
    exec(compile(first.replace("print(optswitch.summary(opt_state))", ""), str(README), "exec"), namespace)
    assert str(namespace["optswitch"].summary(namespace["opt_state"])) == shown
