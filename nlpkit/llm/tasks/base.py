"""What every LLM task shares: prompt templates, few-shot examples, serialization."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import srsly
from jinja2.exceptions import SecurityError, UndefinedError

from ...errors import Errors


def load_examples(path: str | Path) -> list[dict[str, Any]]:
    """Few-shot examples from a JSONL, JSON or YAML file: dicts with "text" and "answer".

    RETURNS (list[dict]): the examples, in file order.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(Errors.E408.format(path=path, reason="file not found"))
    suffix = path.suffix.lower()
    try:
        if suffix == ".jsonl":
            data = list(srsly.read_jsonl(path))
        elif suffix in (".yml", ".yaml"):
            data = srsly.read_yaml(path)
        elif suffix == ".json":
            data = srsly.read_json(path)
        else:
            raise ValueError(
                f"unknown extension {suffix!r}; use .jsonl, .json or .yaml"
            )
    except ValueError as err:
        raise ValueError(Errors.E408.format(path=path, reason=err)) from err
    if not isinstance(data, list):
        raise ValueError(
            Errors.E408.format(path=path, reason="expected a list of examples")
        )
    for i, eg in enumerate(data, 1):
        if not isinstance(eg, dict) or "text" not in eg or "answer" not in eg:
            raise ValueError(
                Errors.E408.format(
                    path=path, reason=f"example {i} needs 'text' and 'answer' keys"
                )
            )
    return data


def read_template(template: str) -> str:
    """Template text: the string itself, or the contents of a file it names."""
    if (
        "\n" not in template
        and len(template) < 512
        and Path(template).suffix in (".jinja", ".jinja2", ".txt", ".j2")
    ):
        return Path(template).read_text(encoding="utf-8")
    return template


def compile_template(template_text: str):
    """A Jinja2 template compiled in an immutable sandbox.

    Templates travel inside saved pipelines (llm/cfg.json), so a downloaded pipeline
    must not be able to reach Python internals through one: the sandbox refuses
    attribute access to dunders and unsafe callables, and nothing can be mutated.
    """
    from jinja2 import StrictUndefined, TemplateSyntaxError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, keep_trailing_newline=False
    )
    try:
        return env.from_string(template_text)
    except TemplateSyntaxError as err:
        raise ValueError(Errors.E414.format(reason=err)) from err


class Task:
    """Base of the LLM tasks: renders prompts and keeps few-shot examples.

    Subclasses set `name` and DEFAULT_TEMPLATE and implement parse() and
    set_annotations(). Templates are Jinja2, with `text`, `examples` and the task's
    own variables (`labels`, ...).
    """

    name = "task"
    DEFAULT_TEMPLATE = "{{ text }}"

    def __init__(self, *, template: str | None = None, examples: str | None = None):
        self.template_text = (
            read_template(template) if template else self.DEFAULT_TEMPLATE
        )
        self.examples_path = examples
        self._examples: list[dict] | None = None
        self._template = None

    @property
    def examples(self) -> list[dict]:
        if self._examples is None:
            self._examples = (
                load_examples(self.examples_path) if self.examples_path else []
            )
        return self._examples

    @examples.setter
    def examples(self, value: list[dict]) -> None:
        self._examples = list(value)

    def template_vars(self) -> dict[str, Any]:
        return {}

    def render(self, text: str, **extra) -> str:
        if self._template is None:
            self._template = compile_template(self.template_text)
        try:
            rendered = self._template.render(
                text=text, examples=self.examples, **self.template_vars(), **extra
            )
        except (SecurityError, UndefinedError) as err:
            raise ValueError(Errors.E414.format(reason=err)) from err
        return rendered.strip()

    def generate_prompts(self, docs) -> list[tuple[str, Any]]:
        """A (prompt, context) pair per doc; the context is handed back to parse()."""
        return [(self.render(doc.text), None) for doc in docs]

    def parse(self, doc, text: str, context: Any = None) -> Any:
        """The annotation an answer gives; raises ValueError when it gives none."""
        raise NotImplementedError

    def set_annotations(self, doc, parsed: Any) -> None:
        raise NotImplementedError

    def setup(self) -> None:
        """Add the Doc extensions the task writes (only those missing)."""

    def initialize(self, examples) -> None:
        """Infer what the task can from gold examples (labels); default: nothing."""

    def score(self, examples) -> dict[str, Any]:
        return {}

    def to_cfg(self) -> dict[str, Any]:
        """Plain settings saved beside the pipeline (never secrets)."""
        return {"name": self.name, "template": self.template_text}

    def from_cfg(self, cfg: dict[str, Any]) -> None:
        if cfg.get("template"):
            self.template_text = cfg["template"]
            self._template = None


class LabelTask(Task):
    """A task whose prompt names labels (NER, text classification).

    labels (list[str]): the labels; the prompt gets them, and `label_definitions`
        (a sentence per label) and whatever else `prompt_vars` names.
    aliases (dict[str, str] | None): other names the model may use -> label.
    `cfg_keys` are the settings saved beside the pipeline.
    """

    prompt_vars: tuple[str, ...] = ("labels", "label_definitions")
    cfg_keys: tuple[str, ...] = ("labels", "label_definitions", "aliases")

    def __init__(
        self,
        labels,
        *,
        label_definitions=None,
        aliases=None,
        template=None,
        examples=None,
    ):
        super().__init__(template=template, examples=examples)
        self.labels = list(labels)
        self.label_definitions = dict(label_definitions or {})
        self.aliases = dict(aliases or {})

    def template_vars(self) -> dict[str, Any]:
        if not self.labels:
            raise ValueError(Errors.E407.format(task=self.name))
        return {key: getattr(self, key) for key in self.prompt_vars}

    def to_cfg(self) -> dict[str, Any]:
        return {**super().to_cfg(), **{k: getattr(self, k) for k in self.cfg_keys}}

    def from_cfg(self, cfg: dict[str, Any]) -> None:
        super().from_cfg(cfg)
        for key in self.cfg_keys:
            if key in cfg:
                setattr(self, key, cfg[key])


def set_extension(name: str, default: Any = None) -> None:
    from spacy.tokens import Doc

    if not Doc.has_extension(name):
        Doc.set_extension(name, default=default)
