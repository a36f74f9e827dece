"""Sphinx configuration: the API reference from the docstrings, as optax builds its own."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The sources in this checkout, not an installed copy, are what the reference documents.
sys.path.insert(0, str(ROOT))

import optswitch  # noqa: E402

project = "optswitch"
copyright = "the optswitch authors"
release = optswitch.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "myst_nb",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# The notebooks are executed, with their outputs checked, by tests/test_notebooks.py; the docs show the outputs
# stored in them.
nb_execution_mode = "off"
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
# Signatures stay readable; the types are given in each docstring's Args.
autodoc_typehints = "none"
autodoc_default_options = {"show-inheritance": False}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# docs/selectors.md, the selectors' guide, is listed by a glob so that a checkout without it still builds.
suppress_warnings = ["toc.empty_glob"]

html_theme = "sphinx_book_theme"
html_title = f"optswitch {release}"
