"""Building a pipeline with the nlpkit_llm component from a few plain options."""

from __future__ import annotations

from typing import Any

from ..errors import Errors


def _registered(module: str, pattern: str, given: tuple | None = ()) -> dict[str, str]:
    """Short name -> registered name, read from the registry (no second table).

    A short name is the function's name matched by pattern (create_ner_task ->
    "ner"); only blocks that need no argument beyond `given` are offered (RAG
    needs a retriever and route.any its rules, so they are config-only).
    """
    import importlib
    import inspect
    import re

    import catalogue
    from spacy.util import registry

    importlib.import_module(module)
    names = {}
    # _get_all reads what is registered in process, without importing every
    # package's spacy_misc entry points as registry.misc.get_all() would.
    for key, func in catalogue._get_all(registry.misc.namespace).items():
        match = re.fullmatch(pattern, getattr(func, "__name__", ""))
        if not match or not func.__module__.startswith(module):
            continue
        params = inspect.signature(func).parameters.values()
        if given is None or all(
            (p.default is not p.empty or p.name in given) and p.kind != p.VAR_POSITIONAL
            for p in params
        ):
            names[match.group(1)] = key[-1]
    return dict(sorted(names.items()))


def task_names() -> dict[str, str]:
    """The tasks a short name picks (summarize, ner, textcat, prompt)."""
    return _registered("nlpkit.llm.tasks", r"create_(\w+)_task", ("labels", "template"))


def route_names() -> dict[str, str]:
    """The routes a short name picks (all, low_confidence, no_entities)."""
    return _registered("nlpkit.llm.routing", r"create_route_(\w+)")


def _pick(kind: str, name: str, known: dict[str, str]) -> str:
    """The registered name of a short name, or E430 naming the known ones."""
    if name not in known:
        raise ValueError(
            Errors.E430.format(kind=kind, name=name, known=", ".join(known))
        )
    return known[name]


def __getattr__(name: str):
    # TASKS and ROUTES stay importable for older callers, read from the registry.
    if name == "TASKS":
        return task_names()
    if name == "ROUTES":
        return route_names()
    raise AttributeError(name)


def task_config(
    task: str, *, labels=None, template=None, examples=None, field=None
) -> dict[str, Any]:
    """A task config block from a short task name (summarize, ner, textcat, prompt)."""
    cfg: dict[str, Any] = {"@misc": _pick("task", task, task_names())}
    if labels:
        cfg["labels"] = list(labels)
    if template:
        cfg["template"] = template
    if examples:
        cfg["examples"] = str(examples)
    if field and task in ("summarize", "prompt"):
        cfg["field"] = field
    return cfg


def backend_config(
    *, base_url=None, model=None, api_key_env=None, model_path=None, **settings
) -> dict[str, Any]:
    """An HTTP backend block when base_url is given, else the in-process GGUF one."""
    settings = {k: v for k, v in settings.items() if v is not None}
    if base_url:
        cfg = {
            "@misc": "nlpkit.OpenAICompatible.v1",
            "base_url": base_url,
            "model": model or "default",
        }
        if api_key_env:
            cfg["api_key_env"] = api_key_env
        return {**cfg, **settings}
    settings.pop("max_concurrency", None)
    cfg = {"@misc": "nlpkit.LlamaCpp.v1"}
    if model_path:
        cfg["model_path"] = str(model_path)
    return {**cfg, **settings}


def route_config(route: str | None) -> dict[str, Any] | None:
    """ "all", "no_entities" or "low_confidence[:threshold]" as a route block."""
    if not route:
        return None
    name, _, arg = route.partition(":")
    cfg: dict[str, Any] = {"@misc": _pick("route", name, route_names())}
    if arg:
        cfg["threshold"] = float(arg)
    return cfg


def build_pipeline(
    base: str | None,
    task: dict,
    backend: dict,
    *,
    route: dict | None = None,
    **component,
):
    """A pipeline (blank English or the base one) ending in an nlpkit_llm component."""
    import spacy

    if base:
        from ..util import load_pipeline

        nlp = load_pipeline(base)
    else:
        nlp = spacy.blank("en")
    config = {"task": task, "backend": backend, "route": route, **component}
    nlp.add_pipe("nlpkit_llm", name="llm", config=config)
    return nlp
