import json

import pyarrow.parquet as pq
import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlpkit.io import open_writer, read_corpus, read_docbin, read_parquet
from nlpkit.io.docdict import doc_to_dict

# Lone surrogates (category Cs) are excluded: they are not Unicode scalar values,
# so UTF-8 (JSONL files, Parquet strings, DocBin's msgpack) cannot encode them.
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=40
)
NLP = spacy.blank("en")


def sample_docs():
    docs = []
    for i, (text, ents, cats) in enumerate(
        [
            (
                "Ada Lovelace met Babbage in London.",
                [(0, 12, "PER"), (28, 34, "LOC")],
                {"pos": 1.0},
            ),
            (
                "Zoë ate crème brûlée 🍮 in Zürich.",
                [(0, 3, "PER"), (26, 32, "LOC")],
                {"neg": 0.0},
            ),
            ("   ", [], {}),
        ]
    ):
        doc = NLP.make_doc(text)
        doc.ents = [doc.char_span(s, e, label=lab) for s, e, lab in ents]
        doc.cats = cats
        doc.user_data["id"] = f"d{i}"
        docs.append(doc)
    return docs


def as_tuple(doc):
    return (
        doc.text,
        [(e.start_char, e.end_char, e.label_) for e in doc.ents],
        {k: v for k, v in doc.cats.items()},
        doc.user_data.get("id"),
    )


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "spacy"])
def test_round_trip(tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    docs = sample_docs()
    with open_writer(path, fmt) as writer:
        for doc in docs:
            writer.write(doc if fmt == "spacy" else doc_to_dict(doc))
    options = {"spans_field": "ents"} if fmt == "jsonl" else {}
    back = [r.to_doc(NLP) for r in read_corpus(path, **options)]
    assert [as_tuple(d) for d in back] == [as_tuple(d) for d in docs]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(texts=st.lists(TEXT, min_size=1, max_size=5))
def test_round_trip_odd_unicode(tmp_path, texts):
    texts = ["Ada " + t for t in texts]
    docs = []
    for text in texts:
        doc = NLP.make_doc(text)
        doc.ents = [doc.char_span(0, 3, label="PER")]
        docs.append(doc)
    for fmt in ("jsonl", "parquet", "spacy"):
        path = tmp_path / f"h.{fmt}"
        with open_writer(path, fmt) as writer:
            for doc in docs:
                writer.write(doc if fmt == "spacy" else doc_to_dict(doc))
        options = {"spans_field": "ents"} if fmt == "jsonl" else {}
        back = [r.to_doc(NLP) for r in read_corpus(path, **options)]
        assert [d.text for d in back] == texts, fmt
        assert [[e.text for e in d.ents] for d in back] == [["Ada"]] * len(texts)


def test_parquet_streams_row_groups(tmp_path):
    path = tmp_path / "big.parquet"
    with open_writer(path, "parquet", row_group_size=10) as writer:
        for i in range(35):
            writer.write(
                {"id": str(i), "text": f"doc {i}", "meta": {"n": i}, "score": i / 2}
            )
    meta = pq.ParquetFile(path).metadata
    assert (meta.num_rows, meta.num_row_groups) == (35, 4)
    records = list(read_parquet(path))
    assert records[-1].meta == {"n": 34} and records[-1].id == "34"
    assert pq.read_table(path).column("score").to_pylist()[3] == 1.5


def test_parquet_rejects_new_columns_and_non_dicts(tmp_path):
    with pytest.raises(ValueError, match="new column"):
        with open_writer(tmp_path / "x.parquet", row_group_size=1) as writer:
            writer.write({"text": "a"})
            writer.write({"text": "b", "other": 1})
    assert not (tmp_path / "x.parquet").exists()
    with pytest.raises(TypeError, match="E019"):
        open_writer(tmp_path / "y.parquet").write("text")
    with pytest.raises(TypeError, match="E019"):
        open_writer(tmp_path / "y.spacy").write({"text": "a"})


def test_empty_parquet_and_docbin_outputs(tmp_path):
    with open_writer(tmp_path / "e.parquet"):
        pass
    with open_writer(tmp_path / "e.spacy"):
        pass
    assert list(read_parquet(tmp_path / "e.parquet", text_field="id")) == []
    assert list(read_docbin(tmp_path / "e.spacy")) == []


def test_docbin_keeps_ids_and_drops_unpicklable_user_data(tmp_path):
    doc = NLP.make_doc("Hello there")
    doc.user_data.update({"id": "x1", "meta": {"src": "web"}, ("custom", 1): object()})
    with open_writer(tmp_path / "u.spacy") as writer:
        writer.write(doc)
    (record,) = read_docbin(tmp_path / "u.spacy")
    assert (record.id, record.meta, record.get_text()) == (
        "x1",
        {"src": "web"},
        "Hello there",
    )


def test_jsonl_writer_output_is_readable_jsonl(tmp_path):
    doc = sample_docs()[1]
    with open_writer(tmp_path / "o.jsonl") as writer:
        writer.write(doc_to_dict(doc))
    row = json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))
    assert row["text"].startswith("Zoë") and row["ents"][1]["text"] == "Zürich"
