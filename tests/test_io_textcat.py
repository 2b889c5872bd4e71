import pytest
from io_helpers import read_strict_and_lenient, write

from nlpkit.errors import CorpusError
from nlpkit.io import read_corpus
from nlpkit.io.textcat import read_csv, read_labelled_lines


def test_labelled_lines(tmp_path):
    path = write(tmp_path, "sst.txt", "1 a warm , funny film .\n\n0 dull\n")
    first, second = read_labelled_lines(path)
    assert first.words == ["a", "warm", ",", "funny", "film", "."]
    assert first.get_text() == "a warm , funny film ."
    assert first.cats == {"1": 1.0} and second.cats == {"0": 1.0}
    assert (second.id, second.line) == ("sst.txt:3", 3)
    raw = next(read_labelled_lines(path, tokenized=False))
    assert raw.text == "a warm , funny film ." and raw.words is None


def test_labelled_lines_bad_line(tmp_path):
    path = write(tmp_path, "sst.txt", "1 good\nlonely\n0 bad\n")
    records, (entry,) = read_strict_and_lenient(
        read_labelled_lines, path, r"sst\.txt:2: expected 'label sentence'"
    )
    assert [r.cats for r in records] == [{"1": 1.0}, {"0": 1.0}]
    assert (entry["line"], entry["raw"]) == (2, "lonely")


def test_csv_header_columns_and_quoted_newlines(tmp_path):
    path = write(
        tmp_path,
        "d.csv",
        'id,body,topic,lang\nx1,"Rates rose, again",economy,en\n'
        'x2,"Two\nlines",sport,en\n',
    )
    records = list(
        read_corpus(
            path,
            text_column="body",
            label_column="topic",
            id_column="id",
            meta_columns=["lang"],
        )
    )
    assert [r.text for r in records] == ["Rates rose, again", "Two\nlines"]
    assert [r.id for r in records] == ["x1", "x2"]
    assert records[0].cats == {"economy": 1.0}
    assert records[1].meta == {"lang": "en"} and records[1].line == 3


def test_tsv_without_header_by_index_multilabel(tmp_path):
    path = write(tmp_path, "d.tsv", "a match report\tsport|news\nno labels\t\n")
    first, second = read_corpus(
        path, header=False, text_column=0, label_column=1, label_separator="|"
    )
    assert first.cats == {"sport": 1.0, "news": 1.0}
    assert second.cats == {} and first.id == "d.tsv:1"


def test_csv_bad_rows_strict_and_lenient(tmp_path):
    path = write(
        tmp_path, "b.csv", "text,label\nfine,pos\ntoo,many,fields\n,neg\nok,\n"
    )
    match = r"b\.csv:3: row has 3 field\(s\), the header has 2"
    records, entries = read_strict_and_lenient(read_csv, path, match)
    assert [r.text for r in records] == ["fine"]
    reasons = [(e["line"], e["reason"]) for e in entries]
    assert reasons == [
        (3, "row has 3 field(s), the header has 2"),
        (4, "empty text in column 'text'"),
        (5, "empty label in column 'label'"),
    ]


def test_csv_unknown_column(tmp_path):
    path = write(tmp_path, "c.csv", "a,b\nx,y\n")
    with pytest.raises(
        CorpusError, match=r"E012.*column 'text' is not in the header \(a, b\)"
    ):
        list(read_csv(path))
    with pytest.raises(CorpusError, match="E013"):
        list(read_csv(path, header=False))


def test_csv_accepts_jsonl_field_names(tmp_path):
    path = write(tmp_path, "f.csv", "body,stars\ngood stuff,5\n")
    (record,) = read_corpus(path, text_field="body", label_field="stars")
    assert (record.text, record.cats) == ("good stuff", {"5": 1.0})
