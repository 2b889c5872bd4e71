"""Turning annotated Docs into plain dicts for the JSONL and Parquet writers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

ATTRS = ("text", "tokens", "lemmas", "pos", "tags", "ents", "cats", "sents", "vector")
DEFAULT_ATTRS = ("text", "tokens", "ents", "cats")


def doc_to_dict(doc, attrs: Iterable[str] = DEFAULT_ATTRS) -> dict[str, Any]:
    """The id, source and line of a doc, plus the requested attributes.

    attrs: any of ATTRS, plus names of Doc extensions as "_.name".
    """
    out: dict[str, Any] = {"id": doc.user_data.get("id")}
    for attr in attrs:
        if attr == "text":
            out["text"] = doc.text
        elif attr == "tokens":
            out["tokens"] = [t.text for t in doc]
        elif attr == "lemmas":
            out["lemmas"] = [t.lemma_ for t in doc]
        elif attr == "pos":
            out["pos"] = [t.pos_ for t in doc]
        elif attr == "tags":
            out["tags"] = [t.tag_ for t in doc]
        elif attr == "ents":
            out["ents"] = [
                {
                    "start": e.start_char,
                    "end": e.end_char,
                    "label": e.label_,
                    "text": e.text,
                }
                for e in doc.ents
            ]
        elif attr == "cats":
            out["cats"] = dict(doc.cats)
        elif attr == "sents":
            out["sents"] = (
                [s.text for s in doc.sents] if doc.has_annotation("SENT_START") else []
            )
        elif attr == "vector":
            out["vector"] = doc.vector.tolist() if doc.has_vector else None
        elif attr.startswith("_."):
            out[attr[2:]] = _jsonable(getattr(doc._, attr[2:]))
        else:
            raise ValueError(
                f"Unknown attribute '{attr}'. Known: {', '.join(ATTRS)} or '_.<extension>'."
            )
    if doc.user_data.get("meta"):
        out["meta"] = doc.user_data["meta"]
    return out


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "text") and hasattr(value, "start_char"):
        return {
            "start": value.start_char,
            "end": value.end_char,
            "text": value.text,
            "label": getattr(value, "label_", ""),
        }
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value
