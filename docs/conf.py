"""Sphinx configuration of treelearn's documentation site.

Build it from the repository root with::

    pip install -e ".[docs]" && sphinx-build -W --keep-going -b html docs docs/_build/html

The notebooks in ``notebooks/`` (stored without outputs) are copied into
``docs/notebooks/`` and executed by myst-nb during the build; the gallery's
explorer pages are written by :func:`treelearn.export.export_html` into the HTML
output when the build finishes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import treelearn

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

project = "treelearn"
author = "the treelearn developers"
copyright = "the treelearn developers"
version = release = treelearn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
    "sphinxarg.ext",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "images/*.py", "**.ipynb_checkpoints"]
root_doc = "index"

# -- API reference --------------------------------------------------------------
templates_path = ["_templates"]
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
intersphinx_mapping = {}  # no network during the build

# -- notebooks (myst-nb) ---------------------------------------------------------
# Executed on every build, as tests/test_notebooks.py runs them: a fresh kernel per
# notebook, a cell that raises fails the build.
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
# stderr is the progress bars (tqdm) and their notices, not content for the page; a
# cell that fails still fails the build (nb_execution_raise_on_error).
nb_output_stderr = "remove"
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3

# -- HTML -------------------------------------------------------------------------
html_theme = "furo"
html_title = f"treelearn {release}"
html_static_path = ["_static"]
html_css_files = ["treelearn.css"]


def _copy_notebooks() -> None:
    """Copy ``notebooks/*.ipynb`` into ``docs/notebooks/`` (only those that changed)."""
    target = DOCS / "notebooks"
    target.mkdir(exist_ok=True)
    sources = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for source in sources:
        copy = target / source.name
        if not copy.exists() or copy.read_bytes() != source.read_bytes():
            shutil.copy2(source, copy)
    for stale in set(target.glob("*.ipynb")) - {target / s.name for s in sources}:
        stale.unlink()


_copy_notebooks()

#: the modules of the API reference, each with the names it documents; a subpackage's
#: names are its ``__all__``, so that the reference follows the code. From ``treelearn``
#: itself only the estimators and ``load_json``: its other names are re-exports of the
#: subpackages' and are documented there.
API = {
    "treelearn": [
        "DecisionTreeClassifier",
        "ID3Classifier",
        "C45Classifier",
        "CARTClassifier",
        "load_json",
    ],
    **{
        f"treelearn.{name}": None
        for name in ("criteria", "information", "export", "compare", "datasets")
    },
}


def _write_api_pages() -> None:
    """Write ``docs/api/<module>.rst``: the module's docstring and an autosummary table."""
    import importlib

    target = DOCS / "api"
    target.mkdir(exist_ok=True)
    for module_name, names in API.items():
        module = importlib.import_module(module_name)
        names = names if names is not None else list(module.__all__)
        title = f"``{module_name}``"
        lines = [
            title,
            "=" * len(title),
            "",
            f".. automodule:: {module_name}",
            "   :no-members:",
            "",
            f".. currentmodule:: {module_name}",
            "",
            ".. autosummary::",
            "   :toctree: generated",
            "   :nosignatures:",
            "",
            *(f"   {name}" for name in names),
            "",
        ]
        page = target / f"{module_name}.rst"
        text = "\n".join(lines)
        if not page.exists() or page.read_text() != text:
            page.write_text(text)


_write_api_pages()


#: the explorer pages of the gallery (docs/gallery.md links them), written at build time
EXPLORERS = ("credit_g_c45.html", "cart_2000.html")


def write_explorers(folder: Path) -> None:
    """Write the gallery's explorer pages (:func:`treelearn.export.export_html`) into ``folder``.

    ``credit_g_c45.html``: C4.5 (J48) on credit-g with its first 100 rows to choose
    a prediction path from; ``cart_2000.html``: a fully grown CART tree of about 2000
    nodes (the data of ``docs/images/make_explorer_images.py``).
    """
    from sklearn.datasets import make_classification

    from treelearn import C45Classifier, CARTClassifier
    from treelearn.datasets import load_credit_g
    from treelearn.export import export_html

    folder.mkdir(parents=True, exist_ok=True)
    X, y = load_credit_g(as_frame=True, return_X_y=True)
    page = export_html(C45Classifier().fit(X, y), X=X.iloc[:100], title="C4.5 on credit-g")
    (folder / EXPLORERS[0]).write_text(page, encoding="utf-8")
    X2, y2 = make_classification(
        n_samples=4000, n_features=12, n_informative=8, n_classes=3, flip_y=0.3, random_state=1
    )
    names = [f"f{j}" for j in range(X2.shape[1])]
    cart = CARTClassifier().fit(X2, y2)
    page = export_html(cart, X=X2[:50], feature_names=names, title="CART, fully grown")
    (folder / EXPLORERS[1]).write_text(page, encoding="utf-8")


def _write_explorers(app: Any, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        write_explorers(Path(app.outdir) / "explorer")


def _skip_foreign_member(
    app: Any, what: str, name: str, obj: Any, skip: bool, options: Any
) -> bool | None:
    """Leave out the members a class inherits from outside treelearn.

    scikit-learn's (``get_params``, ``set_fit_request``...), graphviz's
    (``Source.render``...) and the builtins' (``tuple.count``) are documented by their
    own projects; treelearn's own inherited ones (``BaseDecisionTree.fit``) stay.
    """
    if what != "class":
        return None
    if hasattr(obj, "__objclass__"):  # a method of a builtin type
        return True
    module = getattr(getattr(obj, "fget", obj), "__module__", None)
    if isinstance(module, str) and module.split(".")[0] != "treelearn":
        return True
    return None


def setup(app: Any) -> None:
    app.connect("autodoc-skip-member", _skip_foreign_member)
    app.connect("build-finished", _write_explorers)
