"""Building a pipeline with the nlpkit_llm component from a few plain options."""

from __future__ import annotations

from typing import Any

TASKS = {
    "summarize": "nlpkit.Summarize.v1",
    "ner": "nlpkit.NER.v1",
    "textcat": "nlpkit.TextCat.v1",
    "prompt": "nlpkit.Prompt.v1",
}
ROUTES = {
    "all": "nlpkit.route.all.v1",
    "low_confidence": "nlpkit.route.low_confidence.v1",
    "no_entities": "nlpkit.route.no_entities.v1",
}


def task_config(
    task: str, *, labels=None, template=None, examples=None, field=None
) -> dict[str, Any]:
    """A task config block from a short task name (summarize, ner, textcat, prompt)."""
    if task not in TASKS:
        raise ValueError(f"Unknown task {task!r}; choose from {', '.join(TASKS)}.")
    cfg: dict[str, Any] = {"@misc": TASKS[task]}
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
    if name not in ROUTES:
        raise ValueError(f"Unknown route {route!r}; choose from {', '.join(ROUTES)}.")
    cfg: dict[str, Any] = {"@misc": ROUTES[name]}
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
