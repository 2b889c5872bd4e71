import pytest
import spacy
from io_helpers import read_strict_and_lenient, write

from nlpkit.errors import CorpusError
from nlpkit.io import Rejects, read_corpus
from nlpkit.io.conll import decode_tags, detect_scheme, read_iob

IOB2 = """\
en:Ada\tB-PER
en:Lovelace\tI-PER
en:visited\tO
en:Paris\tB-LOC

en:The\tO
en:BBC\tB-ORG
"""

CONLL4 = """\
-DOCSTART- -X- -X- O

EU NNP B-NP I-ORG
rejects VBZ B-VP O
German JJ B-NP I-MISC

Peter NNP B-NP I-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- -X- O

BRUSSELS NNP B-NP I-LOC
"""

BILOU = "Ada\tB-PER\nLovelace\tL-PER\nin\tO\nParis\tU-LOC\n\nNew\tB-LOC\nYork\tE-LOC\n"


def spans(record):
    return [(" ".join(record.words[s:e]), label) for s, e, label in record.ents]


def test_iob2_with_token_prefix(tmp_path):
    path = write(tmp_path, "a.iob", IOB2)
    first, second = read_iob(path, token_prefix="en:")
    assert first.words == ["Ada", "Lovelace", "visited", "Paris"]
    assert spans(first) == [("Ada Lovelace", "PER"), ("Paris", "LOC")]
    assert spans(second) == [("BBC", "ORG")]
    assert (first.id, second.line) == ("a.iob:1", 6)
    # without the option the prefix stays: nothing is stripped behind the user's back
    assert next(read_iob(path)).words[0] == "en:Ada"


def test_token_prefix_missing_rejects_sentence(tmp_path):
    path = write(tmp_path, "p.iob", "en:Ada\tB-PER\nLovelace\tI-PER\n\nen:Bob\tB-PER\n")
    with pytest.raises(CorpusError, match=r"p\.iob:2: token 'Lovelace' .* prefix"):
        list(read_iob(path, token_prefix="en:"))


CONLL4_SPANS = [
    [("EU", "ORG"), ("German", "MISC")],
    [("Peter Blackburn", "PER")],
    [("BRUSSELS", "LOC")],
]
BILOU_SPANS = [[("Ada Lovelace", "PER"), ("Paris", "LOC")], [("New York", "LOC")]]


@pytest.mark.parametrize(
    "name,text,scheme,expected",
    [
        ("c.conll", CONLL4, "iob1", CONLL4_SPANS),  # four columns
        ("b.bilou", BILOU, "bilou", BILOU_SPANS),  # BILOU and BIOES tags
    ],
)
def test_detected_scheme_and_spans(tmp_path, name, text, scheme, expected):
    path = write(tmp_path, name, text)
    assert detect_scheme(path) == scheme
    assert [spans(r) for r in read_corpus(path)] == expected


def test_conll_docstart(tmp_path):
    path = write(tmp_path, "c.conll", CONLL4)
    docs = list(read_iob(path, n_sents=0))
    assert [d.words for d in docs] == [
        ["EU", "rejects", "German", "Peter", "Blackburn"],
        ["BRUSSELS"],
    ]
    assert spans(docs[0])[-1] == ("Peter Blackburn", "PER")
    assert docs[0].meta == {"n_sents": 2, "doc_index": 1}


def test_columns_option_picks_token_and_tag(tmp_path):
    path = write(tmp_path, "x.conll", "1\tParis\tNNP\tB-LOC\n2\tis\tVBZ\tO\n")
    (record,) = read_iob(path, columns=(1, 3))
    assert record.words == ["Paris", "is"] and spans(record) == [("Paris", "LOC")]


def test_n_sents_groups_and_offsets(tmp_path):
    path = write(tmp_path, "a.iob", IOB2)
    (record,) = read_iob(path, n_sents=2, token_prefix="en:")
    assert len(record.words) == 6
    assert spans(record) == [("Ada Lovelace", "PER"), ("Paris", "LOC"), ("BBC", "ORG")]
    doc = record.to_doc(spacy.blank("en"))
    assert [(e.text, e.label_) for e in doc.ents][-1] == ("BBC", "ORG")


@pytest.mark.parametrize(
    "tags,scheme,expected",
    [
        ("B-PER I-PER O B-LOC", "iob2", [(0, 2, "PER"), (3, 4, "LOC")]),
        (
            "I-PER I-PER B-PER O I-LOC",
            "iob1",
            [(0, 2, "PER"), (2, 3, "PER"), (4, 5, "LOC")],
        ),
        ("U-PER O B-LOC I-LOC L-LOC", "bilou", [(0, 1, "PER"), (2, 5, "LOC")]),
        ("B-creative-work I-creative-work", "iob2", [(0, 2, "creative-work")]),
    ],
)
def test_decode_tags(tags, scheme, expected):
    assert decode_tags(tags.split(), scheme) == expected


@pytest.mark.parametrize(
    "tags,scheme,message",
    [
        ("O I-PER", "iob2", "'I-PER' on line 2 follows 'O'"),
        ("B-PER I-LOC", "iob2", "follows 'B-PER'"),
        ("B-PER O", "bilou", "not closed with L-PER before line 2"),
        ("B-PER", "bilou", "at the end of the sentence"),
        ("U-PER", "iob2", "pass scheme='bilou'"),
        ("PER", "iob1", "unknown tag 'PER'"),
    ],
)
def test_invalid_tag_sequences(tags, scheme, message):
    with pytest.raises(ValueError, match=message):
        decode_tags(tags.split(), scheme)


def test_invalid_tag_sequence_strict_and_lenient(tmp_path):
    text = "Ada\tB-PER\n\nthe\tO\nBBC\tI-ORG\nsaid\tO\n\nParis\tB-LOC\n"
    path = write(tmp_path, "s.iob", text)
    match = r"s\.iob:3: invalid tag sequence: 'I-ORG' on line 4"
    records, (entry,) = read_strict_and_lenient(read_iob, path, match, scheme="iob2")
    assert [r.words for r in records] == [["Ada"], ["Paris"]]
    assert entry["line"] == 3 and entry["reason"].startswith("invalid tag sequence")
    assert entry["raw"] == "the\tO\nBBC\tI-ORG\nsaid\tO"
    # IOB1 allows an entity to start with I-
    assert len(list(read_iob(path, scheme="iob1"))) == 3


def test_wrong_column_count_strict_and_lenient(tmp_path):
    path = write(tmp_path, "w.conll", "Ada\tB-PER\n\nthe\tDT\tO\nend\tO\n\nok\tO\n")
    match = r"w\.conll:3: line 3 has 3 column\(s\), expected 2"
    records, (entry,) = read_strict_and_lenient(read_iob, path, match)
    assert [r.words for r in records] == [["Ada"], ["ok"]]
    assert entry["line"] == 3 and "3 column(s)" in entry["reason"]


def test_invalid_utf8_rejects_whole_sentence(tmp_path):
    path = tmp_path / "u.iob"
    path.write_bytes(b"Ada\tB-PER\n\nbad\xff\tO\nword\tO\n\nok\tO\n")
    match = r"u\.iob:3: invalid UTF-8 at byte 3"
    records, entries = read_strict_and_lenient(read_iob, path, match)
    assert [r.words for r in records] == [["Ada"], ["ok"]]
    assert entries[0]["line"] == 3


def test_blank_lines_crlf_and_bom(tmp_path):
    path = tmp_path / "b.iob"
    path.write_bytes(
        "\ufeffAda\tB-PER\r\n\r\n\r\n  \t\r\nParis\tB-LOC\r\n\ufeff\r\n".encode()
    )
    records = list(read_iob(path))
    assert [spans(r) for r in records] == [[("Ada", "PER")], [("Paris", "LOC")]]
    assert records[1].line == 5


def test_empty_iob_file(tmp_path, caplog):
    path = write(tmp_path, "e.iob", "\n\n")
    assert list(read_corpus(path)) == []
    with Rejects(tmp_path / "r.jsonl") as rejects:
        assert list(read_corpus(path, rejects=rejects)) == []
    assert rejects.count == 0 and "[W004]" in caplog.text


def test_bad_options():
    with pytest.raises(ValueError, match="E010"):
        list(read_iob("x.iob", scheme="bio2"))
    with pytest.raises(ValueError, match="E011"):
        list(read_iob("x.iob", n_sents=-1))


def test_bad_first_line_does_not_fix_the_column_count(tmp_path):
    path = write(tmp_path, "f.iob", "lonely\n\nAda\tB-PER\n")
    with Rejects() as rejects:
        (record,) = read_iob(path, rejects=rejects)
    assert record.words == ["Ada"] and rejects.count == 1
    with pytest.raises(CorpusError, match="f.iob:1: line 1 has 1 column"):
        list(read_iob(path))
