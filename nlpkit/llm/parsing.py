"""Parsing messy LLM output: lists, JSON with text around it, labels in any case."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

_BULLET = re.compile(r"^\s*(?:[-*•·–—+]|\(?\d{1,3}[.):]|\(?[a-zA-Z][.)])\s+")
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)
_STRIP = " \t\"'`*_.,;:!?()[]{}<>"


def strip_item(text: str) -> str:
    """An item without bullets/numbers, quotes, markdown emphasis or trailing punctuation."""
    text = _BULLET.sub("", text.strip())
    return text.strip(_STRIP).strip()


def parse_list(text: str) -> list[str]:
    """Items of a hyphenated, bulleted or numbered list, or one line of comma-separated items.

    RETURNS (list[str]): non-empty items with bullets and trailing punctuation removed.
    """
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) == 1 and not _BULLET.match(lines[0]) and "," in lines[0]:
        lines = lines[0].split(",")
    items = [strip_item(ln) for ln in lines]
    return [it for it in items if it]


def find_json(text: str) -> Any:
    """The first JSON object or array in text (inside code fences or prose), or None."""
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    decoder = json.JSONDecoder()
    for cand in candidates:
        for i, ch in enumerate(cand):
            if ch not in "{[":
                continue
            try:
                value, _ = decoder.raw_decode(cand[i:])
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict | list):
                return value
    return None


def normalize(label: str) -> str:
    """A label key for matching: lower case, no punctuation, single underscores."""
    return re.sub(r"[^0-9a-z]+", "_", label.lower()).strip("_")


def match_label(
    text: str, labels: Sequence[str], aliases: dict[str, str] | None = None
) -> str | None:
    """The known label a messy answer names ('Positive.', '**POSITIVE**', 'label: pos').

    RETURNS (str | None): the label as given in labels, or None when none fits.
    """
    table = {normalize(lab): lab for lab in labels}
    for alias, lab in (aliases or {}).items():
        table[normalize(alias)] = lab
    key = normalize(strip_item(text))
    if key in table:
        return table[key]
    # the first label mentioned as a whole word, by position in the answer
    best = None
    low = text.lower()
    for norm, lab in table.items():
        pattern = (
            r"(?<![0-9a-z])"
            + re.escape(norm).replace("_", "[^0-9a-z]+")
            + r"(?![0-9a-z])"
        )
        m = re.search(pattern, low)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), lab)
    return best[1] if best else None


def parse_labels(
    text: str, labels: Sequence[str], aliases: dict[str, str] | None = None
) -> list[str]:
    """Every known label an answer names (JSON list, bullets or commas), in order."""
    data = find_json(text)
    if isinstance(data, dict):
        items = [
            str(k) for k, v in data.items() if v not in (False, 0, None, "no", "false")
        ]
    elif isinstance(data, list):
        items = [str(x) for x in data]
    else:
        items = parse_list(text)
    found: list[str] = []
    for item in items:
        lab = match_label(item, labels, aliases)
        if lab is not None and lab not in found:
            found.append(lab)
    return found


def parse_entities(
    text: str, labels: Sequence[str], aliases: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """(entity text, label) pairs from messy output.

    Accepts JSON ({"PERSON": ["Ann"]}, [{"text": "Ann", "label": "PERSON"}],
    [["Ann", "PERSON"]]) or lines like "PERSON: Ann, Bob", "- Ann (PERSON)",
    "1. Ann - person". Unknown labels are dropped.
    RETURNS (list[tuple[str, str]]): pairs in output order, duplicates removed.
    """
    pairs: list[tuple[str, str]] = []
    data = find_json(text)
    if data is not None:
        pairs = list(_json_pairs(data))
    if not pairs:
        pairs = list(_line_pairs(text, labels, aliases))
    out: list[tuple[str, str]] = []
    for ent, lab in pairs:
        label = match_label(lab, labels, aliases)
        ent = strip_item(ent)
        if label and ent and (ent, label) not in out:
            out.append((ent, label))
    return out


def _json_pairs(data: Any) -> Iterable[tuple[str, str]]:
    if isinstance(data, dict):
        if "entities" in data:
            yield from _json_pairs(data["entities"])
            return
        if "text" in data and "label" in data:
            yield str(data["text"]), str(data["label"])
            return
        for lab, ents in data.items():
            for ent in ents if isinstance(ents, list) else [ents]:
                if isinstance(ent, str):
                    yield ent, str(lab)
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, dict):
                text = item.get("text") or item.get("entity") or item.get("span")
                label = item.get("label") or item.get("type") or item.get("category")
                if text and label:
                    yield str(text), str(label)
            elif isinstance(item, list | tuple) and len(item) == 2:
                yield str(item[0]), str(item[1])


def _line_pairs(text: str, labels, aliases) -> Iterable[tuple[str, str]]:
    for raw in text.splitlines():
        line = _BULLET.sub("", raw.strip())
        if not line:
            continue
        # "Ann Smith (PERSON)" or "Ann Smith [PERSON]"
        m = re.match(r"^(.+?)\s*[(\[]\s*([^()\[\]]+?)\s*[)\]]\W*$", line)
        if m and match_label(m.group(2), labels, aliases):
            yield m.group(1), m.group(2)
            continue
        # "PERSON: Ann, Bob" or "Ann Smith: PERSON" / "Ann Smith - person"
        m = re.match(r"^(.+?)\s*(?::|\s-\s|\s–\s|=>|->)\s*(.+)$", line)
        if not m:
            continue
        left, right = m.group(1), m.group(2)
        if match_label(left, labels, aliases) and normalize(
            strip_item(left)
        ) in _label_keys(labels, aliases):
            for ent in right.split(","):
                if strip_item(ent).lower() not in ("none", "n/a", ""):
                    yield ent, left
        elif match_label(right, labels, aliases):
            yield left, right


def _label_keys(labels, aliases) -> set[str]:
    return {normalize(x) for x in [*labels, *(aliases or {})]}


def align_entities(
    doc, pairs: Sequence[tuple[str, str]], *, case_sensitive: bool = False
):
    """Token spans of doc for each (entity text, label), every occurrence, no overlaps.

    The entity string is found in doc.text (ignoring case unless case_sensitive) and
    snapped to token boundaries; strings that do not occur are skipped.
    RETURNS (list[Span]): spans sorted by position; on overlap the longer one wins.
    """
    from spacy.tokens import Span
    from spacy.util import filter_spans

    haystack = doc.text if case_sensitive else doc.text.lower()
    spans = []
    for ent, label in pairs:
        needle = ent if case_sensitive else ent.lower()
        needle = re.sub(r"\s+", " ", needle.strip())
        if not needle:
            continue
        pattern = r"(?<!\w)" + re.escape(needle).replace(r"\ ", r"\s+") + r"(?!\w)"
        for m in re.finditer(pattern, haystack):
            span = doc.char_span(
                m.start(), m.end(), label=label, alignment_mode="strict"
            )
            if span is None:
                span = doc.char_span(
                    m.start(), m.end(), label=label, alignment_mode="expand"
                )
                # an expanded span must not swallow much more than the entity
                if span is None or len(span.text) > len(needle) + 3:
                    continue
            spans.append(Span(doc, span.start, span.end, label=label))
    return sorted(filter_spans(spans), key=lambda s: s.start)
