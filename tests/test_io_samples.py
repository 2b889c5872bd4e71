from collections import Counter
from pathlib import Path

import spacy
from spacy.util import registry

from nlpkit.io import read_iob, read_jsonl

CORPORA = Path(__file__).resolve().parent.parent / "corpora"


def test_ner_sample_iob_and_jsonl_agree():
    nlp = spacy.blank("en")
    iob = list(read_iob(CORPORA / "ner" / "ner.iob", scheme="iob2"))
    jsonl = list(read_jsonl(CORPORA / "ner" / "ner.jsonl"))
    assert len(iob) == len(jsonl) >= 200
    labels = Counter()
    for a, b in zip(iob, jsonl):
        doc_a, doc_b = a.to_doc(nlp), b.to_doc(nlp)
        assert [t.text for t in doc_a] == [t.text for t in doc_b]
        ents = [(e.start, e.end, e.label_) for e in doc_b.ents]
        assert [(e.start, e.end, e.label_) for e in doc_a.ents] == ents
        labels.update(e[2] for e in ents)
    assert set(labels) == {"PER", "ORG", "LOC"} and min(labels.values()) > 50


def test_textcat_sample_is_balanced_and_readable():
    records = list(read_jsonl(CORPORA / "textcat" / "reviews.jsonl"))
    assert len(records) == 200
    assert Counter(next(iter(r.cats)) for r in records) == {"pos": 100, "neg": 100}
    assert len({r.text for r in records}) == 200
    corpus = registry.readers.get("nlpkit.TextCatCorpus.v1")(
        str(CORPORA / "textcat" / "reviews.jsonl")
    )
    eg = next(iter(corpus(spacy.blank("en"))))
    assert eg.reference.cats == {"neg": 0.0, "pos": 1.0}
