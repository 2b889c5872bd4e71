"""Regenerate the sample corpora from their hand-written sources.

    python corpora/build_samples.py

ner/sentences.txt ([text|LABEL] markup) -> ner/ner.jsonl (char spans) and
ner/ner.iob (token<TAB>IOB2 tag, tokens from spaCy's English tokenizer);
textcat/reviews_source.txt (label<TAB>text) -> textcat/reviews.jsonl.
"""

import json
import re
from pathlib import Path

import spacy

HERE = Path(__file__).resolve().parent
MARK = re.compile(r"\[([^\[\]|]+)\|(PER|ORG|LOC)\]")


def parse(line: str) -> tuple[str, list[tuple[int, int, str]]]:
    text, spans, pos = "", [], 0
    for m in MARK.finditer(line):
        text += line[pos : m.start()]
        spans.append((len(text), len(text) + len(m.group(1)), m.group(2)))
        text += m.group(1)
        pos = m.end()
    return text + line[pos:], spans


def source_lines(path: Path):
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line


def build_ner(nlp) -> int:
    rows, blocks = [], []
    for i, line in enumerate(source_lines(HERE / "ner" / "sentences.txt"), 1):
        text, spans = parse(line)
        doc = nlp.make_doc(text)
        ents = [doc.char_span(s, e, label=lab) for s, e, lab in spans]
        if any(ent is None for ent in ents):
            raise ValueError(f"entity does not align with tokens in: {text}")
        doc.ents = ents
        rows.append({"id": f"ner-{i:03d}", "text": text, "entities": spans})
        tags = [t.ent_iob_ + ("-" + t.ent_type_ if t.ent_type_ else "") for t in doc]
        blocks.append("\n".join(f"{t.text}\t{tag}" for t, tag in zip(doc, tags)))
    with (HERE / "ner" / "ner.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    (HERE / "ner" / "ner.iob").write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return len(rows)


def build_textcat() -> int:
    rows = []
    for i, line in enumerate(source_lines(HERE / "textcat" / "reviews_source.txt"), 1):
        label, text = line.split("\t", 1)
        rows.append({"id": f"review-{i:03d}", "text": text, "label": label})
    with (HERE / "textcat" / "reviews.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


if __name__ == "__main__":
    nlp = spacy.blank("en")
    print(f"ner: {build_ner(nlp)} sentences; textcat: {build_textcat()} texts")
