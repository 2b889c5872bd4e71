import pytest
import spacy

from nlpkit.llm.parsing import (
    align_entities,
    find_json,
    match_label,
    parse_entities,
    parse_labels,
    parse_list,
)

LABELS = ["PERSON", "ORG", "LOC"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("- apples\n- pears.\n- plums;", ["apples", "pears", "plums"]),
        ("1. apples\n2) pears\n3: plums", ["apples", "pears", "plums"]),
        ("* **apples**\n• pears", ["apples", "pears"]),
        ("apples, pears, plums.", ["apples", "pears", "plums"]),
        ("\n\n  \n", []),
    ],
)
def test_parse_list(text, expected):
    assert parse_list(text) == expected


def test_find_json_with_text_around():
    text = 'Sure! Here is the JSON:\n```json\n{"PERSON": ["Ann"]}\n```\nHope it helps.'
    assert find_json(text) == {"PERSON": ["Ann"]}
    assert find_json('The answer is [1, 2] (a list) and {"a": 1}.') == [1, 2]
    assert find_json("no json {here") is None


@pytest.mark.parametrize(
    "answer,label",
    [
        ("Positive.", "positive"),
        ("**POSITIVE**", "positive"),
        ("  negative!\n", "negative"),
        ("The sentiment is negative, not positive.", "negative"),
        ("Label: pos", "positive"),
        ("I cannot tell", None),
        ("positively unclear", None),
    ],
)
def test_match_label(answer, label):
    assert match_label(answer, ["positive", "negative"], {"pos": "positive"}) == label


def test_parse_labels_multi():
    labels = ["sports", "politics", "science_tech"]
    assert parse_labels("- Sports\n- SCIENCE TECH.", labels) == [
        "sports",
        "science_tech",
    ]
    assert parse_labels('["politics", "weather"]', labels) == ["politics"]
    assert parse_labels('{"sports": true, "politics": false}', labels) == ["sports"]


@pytest.mark.parametrize(
    "text",
    [
        "PERSON: Ann Smith\nORG: Acme Corp.\nLOC: none",
        "- person: ann smith\n- org: Acme Corp",
        "1. Ann Smith (PERSON)\n2. Acme Corp [org]",
        "Ann Smith - Person\nAcme Corp -> ORG",
        'Here you go: {"PERSON": ["Ann Smith"], "ORG": ["Acme Corp"], "LOC": []} Done.',
        '[{"text": "Ann Smith", "label": "person"}, {"entity": "Acme Corp", "type": "ORG"}]',
        '```json\n{"entities": [["Ann Smith", "PERSON"], ["Acme Corp", "ORG"]]}\n```',
    ],
)
def test_parse_entities_messy(text):
    pairs = parse_entities(text, LABELS)
    assert {(e.lower(), lab) for e, lab in pairs} == {
        ("ann smith", "PERSON"),
        ("acme corp", "ORG"),
    }


def test_parse_entities_drops_unknown_labels_and_none():
    assert parse_entities("DATE: Monday\nPERSON: none\nPERSON: N/A", LABELS) == []


def test_align_entities_all_occurrences_case_and_boundaries():
    nlp = spacy.blank("en")
    doc = nlp("Ann met ANN SMITH at Acme Corp. in Annapolis; acme corp paid.")
    spans = align_entities(
        doc, [("Ann Smith", "PERSON"), ("acme  corp", "ORG"), ("Ann", "PERSON")]
    )
    got = [(s.text, s.label_) for s in spans]
    assert ("ANN SMITH", "PERSON") in got
    # "Corp." is one token in spaCy's English tokenizer: the span snaps to it
    assert ("Acme Corp.", "ORG") in got and ("acme corp", "ORG") in got
    assert ("Ann", "PERSON") in got
    assert all("Annapolis" not in s.text for s in spans)  # no match inside a word
    starts = [s.start for s in spans]
    assert starts == sorted(starts)
    assert len({i for s in spans for i in range(s.start, s.end)}) == sum(
        len(s) for s in spans
    )  # no overlaps


def test_align_entities_missing_string_skipped():
    doc = spacy.blank("en")("Nothing here.")
    assert align_entities(doc, [("Paris", "LOC")]) == []
