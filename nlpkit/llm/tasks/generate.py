"""Free-text tasks: summaries and free prompts, written into a Doc extension."""

from typing import Any

from spacy.util import registry

from ...errors import Errors
from ..parsing import find_json
from .base import Task, set_extension

SUMMARY_TEMPLATE = """Summarize the text in at most {{ max_words }} words.
{%- for eg in examples %}

Text: {{ eg.text }}
Summary: {{ eg.answer }}
{%- endfor %}

Text: {{ text }}
Summary:"""


class TextTask(Task):
    """The answer as text (or parsed JSON) in doc._.<field>.

    field (str): the Doc extension that receives the answer.
    parse_json (bool): store the first JSON object/array of the answer instead.
    """

    name = "prompt"

    def __init__(
        self, *, field="llm_output", parse_json=False, template=None, examples=None
    ):
        super().__init__(template=template, examples=examples)
        self.field = field
        self.parse_json = parse_json

    def setup(self) -> None:
        set_extension(self.field)

    def parse(self, doc, text: str, context: Any = None) -> Any:
        if self.parse_json:
            data = find_json(text)
            if data is None:
                raise ValueError(
                    Errors.E406.format(
                        task=self.name, reason="no JSON in the answer", text=text[:200]
                    )
                )
            return data
        answer = text.strip()
        if not answer:
            raise ValueError(
                Errors.E406.format(task=self.name, reason="empty answer", text=text)
            )
        return answer

    def set_annotations(self, doc, parsed) -> None:
        doc._.set(self.field, parsed)

    def to_cfg(self) -> dict[str, Any]:
        return {**super().to_cfg(), "field": self.field, "parse_json": self.parse_json}


class SummarizeTask(TextTask):
    """A summary of at most max_words words in doc._.<field>."""

    name = "summarize"
    DEFAULT_TEMPLATE = SUMMARY_TEMPLATE

    def __init__(self, *, max_words=50, field="summary", template=None, examples=None):
        super().__init__(field=field, template=template, examples=examples)
        self.max_words = max_words

    def template_vars(self) -> dict[str, Any]:
        return {"max_words": self.max_words}

    def to_cfg(self) -> dict[str, Any]:
        return {**super().to_cfg(), "max_words": self.max_words}


@registry.misc("nlpkit.Summarize.v1")
def create_summarize_task(
    max_words: int = 50,
    field: str = "summary",
    template: str | None = None,
    examples: str | None = None,
) -> SummarizeTask:
    """Build the summarization task; the summary goes to doc._.<field>."""
    return SummarizeTask(
        max_words=max_words, field=field, template=template, examples=examples
    )


@registry.misc("nlpkit.Prompt.v1")
def create_prompt_task(
    template: str,
    field: str = "llm_output",
    parse_json: bool = False,
    examples: str | None = None,
) -> TextTask:
    """Build a free prompt task: a Jinja2 template with {{ text }}; answer in doc._.<field>."""
    task = TextTask(
        field=field, parse_json=parse_json, template=template, examples=examples
    )
    return task
