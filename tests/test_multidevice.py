"""Runs the tests of multidevice/ on 8 CPU devices, in a pytest process of their own, and reports them here.

XLA makes 8 CPU devices only if asked before jax is imported, and the rest of the suite runs on one, so this
module starts ``python -m pytest tests/multidevice`` once with ``XLA_FLAGS=--xla_force_host_platform_device_count=8``
and has one test per test function there: a function that failed, was skipped, or did not run fails here. To
run them directly: ``XLA_FLAGS=--xla_force_host_platform_device_count=8 python -m pytest tests/multidevice``.
"""

import ast
import contextlib
import os
import signal
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
MULTIDEVICE = TESTS / "multidevice"
TIMEOUT = 600  # seconds for the whole session; it takes about 30 on 2 cores


def multidevice_tests() -> list[tuple[str, str]]:
    """(module, function) of every test function in multidevice/, read from the source, without importing it."""
    return [
        (path.stem, node.name)
        for path in sorted(MULTIDEVICE.glob("test_*.py"))
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    ]


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> tuple[dict, str]:
    """Runs the 8-device session once; returns {(module, function): [problem or None per case]} and its output."""
    report = tmp_path_factory.mktemp("multidevice") / "report.xml"
    flags = f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count=8".strip()
    env = dict(os.environ, XLA_FLAGS=flags, JAX_PLATFORMS="cpu")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", str(MULTIDEVICE)]
    # A session of its own, so that on a timeout its whole process group (the multi-host test's workers too) ends.
    process = subprocess.Popen(
        command,
        cwd=TESTS.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    if not report.exists():
        pytest.fail(f"the 8-device session wrote no report (exit code {process.returncode}):\n{output[-6000:]}")
    cases = {}
    for case in ElementTree.parse(report).iter("testcase"):
        key = (case.get("classname", "").rsplit(".", 1)[-1], case.get("name", "").split("[")[0])
        problems = [f"{child.tag}: {child.get('message')}\n{child.text or ''}" for child in case]
        cases.setdefault(key, []).append("\n".join(problems) or None)
    return cases, output


@pytest.mark.parametrize(("module", "function"), multidevice_tests())
def test_on_eight_devices(session, module, function):
    cases, output = session
    assert cases.get((module, function)), f"{module}::{function} did not run on 8 devices:\n{output[-6000:]}"
    problems = [problem for problem in cases[(module, function)] if problem]
    assert not problems, "\n\n".join(problems)[-8000:]
