"""Named entities from an LLM, aligned to token spans (doc.ents or a span group)."""

from typing import Any

from spacy.util import registry

from ..parsing import align_entities, parse_entities
from .base import LabelTask, Task

DEFAULT_TEMPLATE = """You are an expert named entity recogniser. Find the entities of these types in the text: {{ labels | join(", ") }}.
{%- if label_definitions %}
{% for label, definition in label_definitions.items() %}
{{ label }}: {{ definition }}
{%- endfor %}
{%- endif %}
Answer with one line per type, in the form TYPE: entity, entity. Write TYPE: none when there is no entity of that type.
{%- for eg in examples %}

Text: {{ eg.text }}
Answer:
{{ eg.answer }}
{%- endfor %}

Text: {{ text }}
Answer:"""


class NERTask(LabelTask):
    """Entities of the given labels; each returned string is matched in the text.

    labels (list[str]): entity labels, e.g. ["PERSON", "ORG", "LOC"].
    label_definitions (dict[str, str] | None): a sentence per label for the prompt.
    aliases (dict[str, str] | None): other names the model may use -> label.
    spans_key (str | None): write a span group instead of doc.ents.
    case_sensitive (bool): match entity strings to the text respecting case.
    """

    name = "ner"
    DEFAULT_TEMPLATE = DEFAULT_TEMPLATE

    def __init__(self, labels, *, spans_key=None, case_sensitive=False, **options):
        # options: label_definitions, aliases, template, examples (see LabelTask)
        super().__init__(labels, **options)
        self.spans_key = spans_key
        self.case_sensitive = case_sensitive

    @property
    def examples(self) -> list[dict]:
        return [
            {**eg, "answer": format_answer(eg["answer"], self.labels)}
            for eg in Task.examples.fget(self)
        ]

    @examples.setter
    def examples(self, value):
        Task.examples.fset(self, value)

    def parse(self, doc, text: str, context: Any = None):
        pairs = parse_entities(text, self.labels, self.aliases)
        spans = align_entities(doc, pairs, case_sensitive=self.case_sensitive)
        return [(s.start, s.end, s.label_) for s in spans]

    def set_annotations(self, doc, parsed) -> None:
        from spacy.tokens import Span

        new = [Span(doc, start, end, label=label) for start, end, label in parsed]
        if self.spans_key:
            doc.spans[self.spans_key] = new
            return
        taken = set()
        for ent in doc.ents:
            taken.update(range(ent.start, ent.end))
        keep = [s for s in new if not taken.intersection(range(s.start, s.end))]
        doc.ents = sorted([*doc.ents, *keep], key=lambda s: s.start)

    def initialize(self, examples) -> None:
        if not self.labels:
            found = {ent.label_ for eg in examples for ent in eg.reference.ents}
            self.labels = sorted(found)

    def score(self, examples) -> dict[str, Any]:
        from spacy.scorer import Scorer

        if self.spans_key:
            return Scorer.score_spans(
                examples,
                "spans",
                getter=lambda doc, attr: doc.spans.get(self.spans_key, []),
            )
        return Scorer.score_spans(examples, "ents")


def format_answer(answer, labels) -> str:
    """A few-shot answer as the prompt asks for it: dicts/lists become TYPE: a, b lines."""
    if isinstance(answer, str):
        return answer
    by_label: dict[str, list[str]] = {lab: [] for lab in labels}
    items = answer.items() if isinstance(answer, dict) else []
    for lab, ents in items:
        by_label.setdefault(lab, []).extend(ents if isinstance(ents, list) else [ents])
    if isinstance(answer, list):
        for item in answer:
            by_label.setdefault(item["label"], []).append(item["text"])
    return "\n".join(
        f"{lab}: {', '.join(ents) if ents else 'none'}"
        for lab, ents in by_label.items()
    )


@registry.misc("nlpkit.NER.v1")
def create_ner_task(
    labels: list[str],
    label_definitions: dict[str, str] | None = None,
    aliases: dict[str, str] | None = None,
    spans_key: str | None = None,
    case_sensitive: bool = False,
    template: str | None = None,
    examples: str | None = None,
) -> NERTask:
    """Build the NER task (zero-shot, or few-shot with an examples file)."""
    return NERTask(
        labels,
        label_definitions=label_definitions,
        aliases=aliases,
        spans_key=spans_key,
        case_sensitive=case_sensitive,
        template=template,
        examples=examples,
    )
