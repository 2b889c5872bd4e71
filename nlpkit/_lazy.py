"""Lazy public names for packages, so `import nlpkit` never loads torch or gensim."""

from collections.abc import Callable
from importlib import import_module


def lazy_exports(
    module_name: str, table: dict[str, str], namespace: dict
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Build a module's __getattr__ and __dir__ from a name -> defining-module table.

    A name is imported on first access and then cached in the module's namespace.
    """

    def __getattr__(name: str):
        if name in table:
            value = getattr(import_module(table[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module '{module_name}' has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted([*namespace, *table])

    return __getattr__, __dir__
