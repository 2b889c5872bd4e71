"""Text classification by an LLM into doc.cats."""

from typing import Any

from spacy.util import registry

from ...errors import Errors
from ..parsing import match_label, parse_labels
from .base import LabelTask

DEFAULT_TEMPLATE = """Classify the text into {% if exclusive %}exactly one{% else %}one or more{% endif %} of these categories: {{ labels | join(", ") }}.
{%- if label_definitions %}
{% for label, definition in label_definitions.items() %}
{{ label }}: {{ definition }}
{%- endfor %}
{%- endif %}
Answer with the {% if exclusive %}category{% else %}categories, comma-separated,{% endif %} only.
{%- for eg in examples %}

Text: {{ eg.text }}
Answer: {{ eg.answer }}
{%- endfor %}

Text: {{ text }}
Answer:"""


class TextCatTask(LabelTask):
    """Categories for the whole doc: the chosen ones 1.0, the others 0.0.

    labels (list[str]): the categories, as they should appear in doc.cats.
    exclusive (bool): one category per doc (True) or several.
    label_definitions (dict[str, str] | None): a sentence per label for the prompt.
    aliases (dict[str, str] | None): other answers the model may give -> label.
    """

    name = "textcat"
    DEFAULT_TEMPLATE = DEFAULT_TEMPLATE
    prompt_vars = (*LabelTask.prompt_vars, "exclusive")
    cfg_keys = (*LabelTask.cfg_keys, "exclusive")

    def __init__(self, labels, *, exclusive=True, **options):
        # options: label_definitions, aliases, template, examples (see LabelTask)
        super().__init__(labels, **options)
        self.exclusive = exclusive

    def parse(self, doc, text: str, context: Any = None) -> dict[str, float]:
        if self.exclusive:
            label = match_label(text, self.labels, self.aliases)
            found = [label] if label else []
        else:
            found = parse_labels(text, self.labels, self.aliases)
        if self.exclusive and not found:
            raise ValueError(
                Errors.E406.format(
                    task=self.name, reason=f"no label of {self.labels}", text=text[:200]
                )
            )
        return {lab: 1.0 if lab in found else 0.0 for lab in self.labels}

    def set_annotations(self, doc, parsed) -> None:
        doc.cats = {**doc.cats, **parsed}

    def initialize(self, examples) -> None:
        if not self.labels:
            self.labels = sorted({lab for eg in examples for lab in eg.reference.cats})

    def score(self, examples) -> dict[str, Any]:
        from spacy.scorer import Scorer

        return Scorer.score_cats(
            examples, "cats", labels=self.labels, multi_label=not self.exclusive
        )


@registry.misc("nlpkit.TextCat.v1")
def create_textcat_task(
    labels: list[str],
    exclusive: bool = True,
    label_definitions: dict[str, str] | None = None,
    aliases: dict[str, str] | None = None,
    template: str | None = None,
    examples: str | None = None,
) -> TextCatTask:
    """Build the text classification task (zero-shot, or few-shot with examples)."""
    return TextCatTask(
        labels,
        exclusive=exclusive,
        label_definitions=label_definitions,
        aliases=aliases,
        template=template,
        examples=examples,
    )
