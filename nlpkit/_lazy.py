"""Lazy public names for packages, so `import nlpkit` never loads torch or gensim."""

import sys
from collections.abc import Callable
from importlib import import_module
from types import ModuleType


class _LazyPackage(ModuleType):
    """A package whose lazily exported names win over same-named submodules.

    Importing a submodule makes the import system set it as an attribute of its
    package. When that submodule's name is also an exported name (the function
    `ppmi` in the module `ppmi`), the module would shadow the export, so such
    attributes are dropped and the name resolves through the table instead.
    """

    def __setattr__(self, name: str, value: object) -> None:
        table = self.__dict__.get("__lazy_table__", {})
        if name in table and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


def by_name(modules: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Invert a module -> exported names table into name -> defining module."""
    return {name: module for module, names in modules.items() for name in names}


def lazy_exports(
    module_name: str, table: dict[str, str], namespace: dict
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Build a module's __getattr__ and __dir__ from a name -> defining-module table.

    A name is imported on first access and then cached in the module's namespace.
    """
    namespace["__lazy_table__"] = table
    sys.modules[module_name].__class__ = _LazyPackage

    def __getattr__(name: str):
        if name in table:
            value = getattr(import_module(table[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module '{module_name}' has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted([*namespace, *table])

    return __getattr__, __dir__
