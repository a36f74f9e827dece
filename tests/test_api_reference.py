"""The API reference in docs/api/ documents every public name (the docs build itself fails on a name that
does not import, see .ci/run; this checks the other direction: nothing public is left out)."""

import importlib
import inspect
import re
from pathlib import Path

import pytest

import optswitch

API_DOCS = Path(__file__).resolve().parent.parent / "docs" / "api"

# Public names of the modules that have no ``__all__`` (yet); a module's ``__all__`` takes precedence.
PUBLIC = {
    "optswitch.selectors": [
        "Selector", "manual", "schedule", "custom", "plateau", "swats", "bandit", "race", "noise_scale",
        "ScheduleState", "PlateauState", "SwatsState", "BanditState", "RaceState", "NoiseScaleState",
        "NoiseProbeState",
    ],
    "optswitch.handoff": ["Context", "Handoff", "reset", "transfer_momentum", "chain", "first_moment"],
    "optswitch.nnx": ["Optimizer"],
    "optswitch.events": [],
    "optswitch.linen": ["TrainState"],
}  # fmt: skip


def documented() -> set[str]:
    """Fully qualified names that an ``autofunction``/``autoclass``/``autodata`` directive documents."""
    names = set()
    for page in API_DOCS.glob("*.rst"):
        module = None
        for line in page.read_text().splitlines():
            if match := re.match(r"\.\. (?:py:)?currentmodule:: (\S+)", line):
                module = match.group(1)
            elif match := re.match(r"\.\. auto(?:function|class|data|exception):: (\S+)", line):
                name = match.group(1)
                names.add(name if name.startswith("optswitch.") or module is None else f"{module}.{name}")
    return names


def public_names() -> list[str]:
    names = [f"optswitch.{name}" for name in optswitch.__all__ if not inspect.ismodule(getattr(optswitch, name))]
    for module_name, fallback in PUBLIC.items():
        module = importlib.import_module(module_name)
        names += [f"{module_name}.{name}" for name in getattr(module, "__all__", fallback)]
    return names


@pytest.mark.parametrize("name", public_names())
def test_every_public_name_is_documented(name):
    assert name in documented(), f"{name} is public but has no entry in docs/api/*.rst; add an auto* directive"


def test_documented_names_exist():
    for name in documented():
        module_name, _, attribute = name.rpartition(".")
        assert hasattr(importlib.import_module(module_name), attribute), f"docs/api documents a missing {name}"


def public_functions() -> list[str]:
    return [name for name in public_names() if inspect.isfunction(_resolve(name))]


def _resolve(name: str):
    module_name, _, attribute = name.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


@pytest.mark.parametrize("name", public_functions())
def test_every_public_function_is_annotated(name):
    # What a type checker sees of the API (py.typed); .ci/run runs mypy on optswitch/ (pyproject's [tool.mypy]).
    signature = inspect.signature(_resolve(name))
    missing = [
        parameter for parameter, value in signature.parameters.items() if value.annotation is inspect.Parameter.empty
    ]
    assert not missing, f"{name}: parameters {missing} have no type annotation"
    assert signature.return_annotation is not inspect.Signature.empty, f"{name} has no return annotation"
