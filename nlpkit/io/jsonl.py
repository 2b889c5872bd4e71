"""JSON Lines corpora with configurable text, id, label and metadata fields."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from .formats import register_format
from .records import Record
from .rejects import Rejects
from .sources import iter_lines


@register_format("jsonl", extensions=(".jsonl", ".ndjson", ".json"))
def read_jsonl(
    path: str | Path,
    *,
    text_field: str = "text",
    id_field: str | None = "id",
    meta_fields: Sequence[str] | None = None,
    cats_field: str | None = "cats",
    label_field: str | None = "label",
    spans_field: str | None = "entities",
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
    for lineno, line in iter_lines(path, rejects=rejects):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            rejects.add(
                source,
                lineno,
                f"malformed JSON: {err.msg} at column {err.colno}",
                raw=line,
            )
            continue
        if not isinstance(obj, dict):
            rejects.add(
                source,
                lineno,
                f"expected a JSON object, got {type(obj).__name__}",
                raw=line,
            )
            continue
        text = _get(obj, text_field)
        if not isinstance(text, str):
            reason = (
                f"missing text field '{text_field}'"
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
