"""The package's shape: each public module says what it exports, and no module outgrows one idea."""

import importlib
import pathlib
import pkgutil

import pytest

import optswitch

PACKAGE = pathlib.Path(optswitch.__file__).parent
# demo is a script (python -m optswitch.demo), not an API.
UNCHECKED = {"demo"}
PUBLIC = sorted(module.name for module in pkgutil.iter_modules(optswitch.__path__) if not module.name.startswith("_"))
PUBLIC = ["optswitch"] + [f"optswitch.{name}" for name in PUBLIC if name not in UNCHECKED]


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_module_exports_a_list_of_names_it_has(name):
    module = importlib.import_module(name)
    assert isinstance(getattr(module, "__all__", None), list), f"{name} has no __all__"
    missing = [export for export in module.__all__ if not hasattr(module, export)]
    assert not missing, f"{name}.__all__ names {missing}, which it does not define"


def test_no_module_is_longer_than_350_lines():
    lengths = {str(path.relative_to(PACKAGE)): len(path.read_text().splitlines()) for path in PACKAGE.rglob("*.py")}
    assert {path: n for path, n in lengths.items() if n > 350} == {}
