"""JSON Lines corpora with configurable text, id, label and metadata fields."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import CorpusError, Errors
from .formats import Format
from .options import READER_DEFAULTS
from .records import Record
from .rejects import Rejects
from .sources import iter_lines
from .writers import JsonlWriter


def read_jsonl(
    path: str | Path,
    *,
    text_field: str = READER_DEFAULTS.text_field,
    id_field: str | None = READER_DEFAULTS.id_field,
    meta_fields: Sequence[str] | None = None,
    cats_field: str | None = READER_DEFAULTS.cats_field,
    label_field: str | None = READER_DEFAULTS.label_field,
    spans_field: str | None = READER_DEFAULTS.spans_field,
    rejects: Rejects | None = None,
) -> Iterator[Record]:
    """Read one JSON object per line.

    text_field: the field holding the text (dotted paths such as "doc.body" work).
    id_field: the id field; records without one get '<file>:<line>'.
    meta_fields: fields to keep in Record.meta (None keeps every other field).
    cats_field: a {label: score} dict; label_field: a single label or a list of labels.
    spans_field: entities as [start_char, end_char, label] lists or
        {"start", "end", "label"} dicts.
    """
    rejects = rejects or Rejects.raising()
    source = str(path)
    name = Path(path).name
    used = {text_field, id_field, cats_field, label_field, spans_field, "ents"}
    # records without the text field, held back while every record so far lacks it
    leading: _MissingField | None = _MissingField(source, text_field, rejects)
    for lineno, line in iter_lines(path, rejects=rejects):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            if leading is not None:
                leading.flush()
            rejects.add(
                source,
                lineno,
                f"malformed JSON: {err.msg} at column {err.colno}",
                raw=line,
            )
            continue
        if not isinstance(obj, dict):
            if leading is not None:
                leading.flush()
            rejects.add(
                source,
                lineno,
                f"expected a JSON object, got {type(obj).__name__}",
                raw=line,
            )
            continue
        text = _get(obj, text_field)
        if text is None and leading is not None:
            leading.add(lineno, obj, line)
            continue
        if leading is not None:
            leading.flush()
            leading = None
        if not isinstance(text, str):
            reason = (
                _missing(text_field, obj)
                if text is None
                else f"text field '{text_field}' is {type(text).__name__}, not a string"
            )
            rejects.add(source, lineno, reason, raw=line)
            continue
        try:
            cats = _cats(obj, cats_field, label_field)
            raw_spans = obj.get(spans_field) if spans_field else None
            if raw_spans is None and spans_field == "entities":
                # nlpkit's own output (doc_to_dict) names the field "ents"
                raw_spans = obj.get("ents")
            spans = _spans(raw_spans)
        except ValueError as err:
            rejects.add(source, lineno, str(err), raw=line)
            continue
        doc_id = _get(obj, id_field) if id_field else None
        if meta_fields is None:
            meta = {k: v for k, v in obj.items() if k not in used}
        else:
            meta = {k: _get(obj, k) for k in meta_fields if _get(obj, k) is not None}
        yield Record(
            text=text,
            id=str(doc_id) if doc_id is not None else f"{name}:{lineno}",
            meta=meta,
            cats=cats,
            char_spans=spans,
            source=source,
            line=lineno,
        )
    if leading is not None:
        leading.flush()


JSONL_FORMAT = Format(
    "jsonl", read_jsonl, (".jsonl", ".ndjson", ".json"), writer=JsonlWriter
)


class _MissingField:
    """Records at the start of a file that lack the text field. After GIVE_UP_AFTER
    of them in a row the field name is surely wrong: one error naming the fields the
    records do have, instead of a reject per record."""

    GIVE_UP_AFTER = 20

    def __init__(self, source: str, text_field: str, rejects: Rejects):
        self.source, self.text_field, self.rejects = source, text_field, rejects
        self.held: list[tuple[int, str, str]] = []
        self.fields: dict[str, None] = {}
        self.strings: Counter[str] = Counter()

    def add(self, lineno: int, obj: dict, line: str) -> None:
        self.fields.update(dict.fromkeys(obj))
        # the hint is the field holding the most text
        self.strings.update({k: len(v) for k, v in obj.items() if isinstance(v, str)})
        reason = _missing(self.text_field, obj)
        if self.rejects.strict:
            self.rejects.add(self.source, lineno, reason, raw=line)
        self.held.append((lineno, reason, line))
        if len(self.held) >= self.GIVE_UP_AFTER:
            hint = self.strings.most_common(1)[0][0] if self.strings else "FIELD"
            raise CorpusError(
                Errors.E021.format(
                    field=self.text_field,
                    n=len(self.held),
                    path=self.source,
                    fields=", ".join(self.fields) or "none",
                    hint=hint,
                ),
                source=self.source,
            )

    def flush(self) -> None:
        for lineno, reason, line in self.held:
            self.rejects.add(self.source, lineno, reason, raw=line)
        self.held = []


def _missing(text_field: str, obj: dict) -> str:
    return f"missing text field '{text_field}' (fields: {', '.join(obj) or 'none'})"


def _get(obj: dict, dotted: str | None):
    if dotted is None:
        return None
    value = obj
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _cats(
    obj: dict, cats_field: str | None, label_field: str | None
) -> dict[str, float] | None:
    if cats_field and cats_field in obj:
        cats = obj[cats_field]
        if not isinstance(cats, dict) or not all(
            isinstance(v, (int, float)) for v in cats.values()
        ):
            raise ValueError(f"'{cats_field}' must map labels to numbers")
        return {str(k): float(v) for k, v in cats.items()}
    if label_field and label_field in obj:
        label = obj[label_field]
        labels = label if isinstance(label, list) else [label]
        return {str(lab): 1.0 for lab in labels}
    return None


def _spans(value) -> list[tuple[int, int, str]] | None:
    if value is None:
        return None
    spans = []
    for item in value:
        if isinstance(item, dict):
            item = (item.get("start"), item.get("end"), item.get("label"))
        if (
            not isinstance(item, (list, tuple))
            or len(item) != 3
            or not isinstance(item[0], int)
            or not isinstance(item[1], int)
            or not isinstance(item[2], str)
            or not 0 <= item[0] < item[1]
        ):
            raise ValueError(
                f"bad entity {item!r}: expected [start_char, end_char, label]"
            )
        spans.append((item[0], item[1], item[2]))
    return spans
