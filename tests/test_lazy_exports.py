"""Lazily exported names resolve to the objects their modules define, never a module.

Each check runs in a fresh interpreter, because what a package attribute holds
depends on which submodules were imported before it.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import nlpkit

PACKAGE_ROOT = Path(nlpkit.__file__).parent


def _lazy_packages() -> list[str]:
    names = []
    for init in sorted(PACKAGE_ROOT.rglob("__init__.py")):
        if "lazy_exports(" in init.read_text(encoding="utf8"):
            parts = init.parent.relative_to(PACKAGE_ROOT.parent).parts
            names.append(".".join(parts))
    return names


# Resolve every public name before and after importing every submodule (or only
# after, with "submodules-first"); print what went wrong as JSON.
CHECK = """
import importlib, json, pkgutil, sys, types
pkg = importlib.import_module(sys.argv[1])
table = pkg._LAZY
bad = []

def check(stage):
    for name in pkg.__all__:
        value = getattr(pkg, name)
        if isinstance(value, types.ModuleType):
            bad.append([stage, name, "is a module"])
        elif name in table:
            expected = getattr(importlib.import_module(table[name]), name)
            if value is not expected:
                bad.append([stage, name, "differs from its defining module"])

if sys.argv[2] == "names-first":
    check("fresh")
for info in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + "."):
    try:
        importlib.import_module(info.name)
    except ImportError:
        pass
check("after importing submodules")
print(json.dumps(bad))
"""


def _run(code: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_lazy_packages_are_found():
    assert {"nlpkit", "nlpkit.vectors", "nlpkit.retrieval"} <= set(_lazy_packages())


@pytest.mark.parametrize("order", ["names-first", "submodules-first"])
@pytest.mark.parametrize("package", _lazy_packages())
def test_every_lazy_name_resolves_to_its_object(package, order):
    assert json.loads(_run(CHECK, package, order)) == []


def test_from_import_after_sibling_gives_function_not_module():
    # The reported bug: resolving svd_embeddings imports the module `ppmi`, which
    # then shadowed the function `ppmi` in the same from-import.
    out = _run(
        "from nlpkit.vectors import svd_embeddings, ppmi\n"
        "import nlpkit.vectors.ppmi as _\n"
        "from nlpkit.vectors import ppmi as again\n"
        "print(type(ppmi).__name__, type(again).__name__, ppmi is again)"
    )
    assert out.split() == ["function", "function", "True"]


def test_old_submodule_import_paths_still_work():
    out = _run(
        "from nlpkit.vectors.ppmi import ppmi, svd_embeddings\n"
        "from nlpkit.vectors.glove import train_glove\n"
        "import nlpkit.vectors\n"
        "print(nlpkit.vectors.ppmi is ppmi, callable(train_glove))"
    )
    assert out.split() == ["True", "True"]
