"""The package's layers (README, "Architecture"): maths → figures → widgets → answer keys.

A maths module imports no plotting, widget or formula library, and no SciPy at import time; the
figures layer imports no widget module; no module imports another module's private names.
"""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lessons"
MATHS = ["losses", "registry", "validate", "fitting", "quantile_line", "estimators", "optimise",
         "penalties", "network", "batched", "mlp", "data"]
FIGURES = ["plotting", "canvas"]
HEAVY = ("matplotlib", "scipy", "ipywidgets", "sympy", "IPython", "lessons.demos",
         "lessons.checks", "lessons.plotting", "lessons.canvas")


def _imported_after(module):
    code = (f"import sys; import lessons.{module}; "
            f"print(' '.join(sorted({{name.split('.')[0] if not name.startswith('lessons') "
            f"else name for name in sys.modules}})))")
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.split()
    return set(output)


@pytest.mark.parametrize("module", MATHS)
def test_maths_modules_import_nothing_heavy(module):
    loaded = _imported_after(module)
    assert not [name for name in HEAVY if name in loaded]


@pytest.mark.parametrize("module", FIGURES)
def test_figures_modules_import_no_widgets_or_demos(module):
    loaded = _imported_after(module)
    assert not [name for name in ("ipywidgets", "lessons.demos", "lessons.checks")
                if name in loaded]


# IPython's display protocol (``_repr_mimebundle_``, ``_repr_html_``, ...) is public by contract.
_DISPLAY_PROTOCOL = re.compile(r"_repr_\w+_|_ipython_\w+_")


def _private_imports(path):
    """(line, text) of every use of another lessons module's _private name in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = {p.stem for p in PACKAGE.rglob("*.py")} - {"__init__"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lessons"):
            found += [(node.lineno, alias.name) for alias in node.names
                      if alias.name.startswith("_")]
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                and not node.attr.startswith("__") and isinstance(node.value, ast.Name)
                and not _DISPLAY_PROTOCOL.fullmatch(node.attr)
                and node.value.id in modules and node.value.id != path.stem):
            found.append((node.lineno, f"{node.value.id}.{node.attr}"))
    return found


OWN = [PACKAGE / f"{name}.py" for name in MATHS + FIGURES] + sorted(PACKAGE.glob("demos/*.py"))


@pytest.mark.parametrize("path", OWN, ids=[p.relative_to(PACKAGE).as_posix() for p in OWN])
def test_no_module_uses_another_modules_private_names(path):
    assert _private_imports(path) == []
