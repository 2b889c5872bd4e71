import json

import pytest
import spacy

from nlpkit.errors import CorpusError
from nlpkit.io import (
    JsonlWriter,
    ReadStats,
    Record,
    Rejects,
    read_corpus,
    read_jsonl,
    read_rejects,
    read_text,
)


@pytest.fixture
def nlp():
    return spacy.blank("en")


def test_text_line_mode(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("first doc\n\nsecond doc\n", encoding="utf-8")
    records = list(read_text(path))
    assert [r.text for r in records] == ["first doc", "second doc"]
    assert [r.line for r in records] == [1, 3]
    assert records[1].id == "a.txt:3"


def test_text_paragraph_and_file_modes(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("a b\nc d\n\n\ne f\n", encoding="utf-8")
    paras = list(read_text(path, mode="paragraph"))
    assert [p.text for p in paras] == ["a b\nc d", "e f"]
    assert [p.line for p in paras] == [1, 5]
    whole = list(read_text(path, mode="file"))
    assert len(whole) == 1 and whole[0].text.startswith("a b")


def test_invalid_utf8_strict_names_file_and_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"good line\nbad \xff\xfe line\n")
    with pytest.raises(CorpusError, match=r"bad\.txt:2: invalid UTF-8"):
        list(read_text(path))


def test_invalid_utf8_lenient_goes_to_rejects(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"good line\nbad \xff line\nanother\n")
    with Rejects(tmp_path / "rejects.jsonl") as rejects:
        records = list(read_text(path, rejects=rejects))
    assert [r.text for r in records] == ["good line", "another"]
    (entry,) = read_rejects(tmp_path / "rejects.jsonl")
    assert entry["line"] == 2 and "invalid UTF-8" in entry["reason"]
    assert entry["source"] == str(path)


def test_jsonl_fields_and_malformed_line(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"id": 7, "body": "Hello there", "label": "POS", "src": "x"}\n'
        "{not json}\n"
        '{"id": 8, "text": "no body"}\n'
        '["a list"]\n',
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match=r"c\.jsonl:2: malformed JSON"):
        list(read_jsonl(path, text_field="body"))
    rejects = Rejects(tmp_path / "r.jsonl")
    records = list(read_jsonl(path, text_field="body", rejects=rejects))
    rejects.close()
    assert len(records) == 1
    assert records[0].id == "7" and records[0].cats == {"POS": 1.0}
    assert records[0].meta == {"src": "x"}
    reasons = [e["reason"] for e in read_rejects(tmp_path / "r.jsonl")]
    assert reasons[0].startswith("malformed JSON")
    assert reasons[1] == "missing text field 'body' (fields: id, text)"
    assert reasons[2].startswith("expected a JSON object")


def test_jsonl_entities_to_doc(tmp_path, nlp):
    path = tmp_path / "e.jsonl"
    path.write_text(
        json.dumps(
            {
                "text": "Ada Lovelace lived in London",
                "entities": [[0, 12, "PER"], [22, 28, "LOC"]],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    (record,) = read_jsonl(path)
    doc = record.to_doc(nlp)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Ada Lovelace", "PER"),
        ("London", "LOC"),
    ]
    assert doc.user_data["id"] == "e.jsonl:1"


def test_misaligned_entity_is_an_error_with_place(nlp):
    record = Record(
        text="Ada Lovelace", char_spans=[(0, 2, "PER")], source="f.jsonl", line=3
    )
    with pytest.raises(CorpusError, match=r"f\.jsonl:3: entity \[0, 2\)"):
        record.to_doc(nlp)


def test_missing_and_empty_files(tmp_path, caplog):
    # missing inputs fail when read_corpus is called, in both modes
    with pytest.raises(CorpusError, match="File not found"):
        read_corpus(tmp_path / "nope.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with Rejects(tmp_path / "r.jsonl") as rejects:
        with pytest.raises(CorpusError, match=r"File not found: .*nope\.txt"):
            read_corpus([empty, tmp_path / "nope.txt"], rejects=rejects)
        with pytest.raises(CorpusError, match=r"\[E006\] No input files matched"):
            read_corpus(str(tmp_path / "*.csv"), rejects=rejects)
        stats = ReadStats()
        assert list(read_corpus(empty, rejects=rejects, stats=stats)) == []
    # an empty file is a warning and a count, not a rejected record
    assert (stats.empty_files, stats.read, rejects.count) == (1, 0, 0)
    assert not (tmp_path / "r.jsonl").exists()
    assert f"[W004] {empty} is empty" in caplog.text
    assert list(read_corpus(empty)) == []


def test_read_corpus_directory_and_glob(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "b.txt").write_text("two\n", encoding="utf-8")
    (tmp_path / "d" / "a.jsonl").write_text('{"text": "one"}\n', encoding="utf-8")
    assert [r.text for r in read_corpus(tmp_path / "d")] == ["one", "two"]
    assert [r.text for r in read_corpus(str(tmp_path / "d" / "*.txt"))] == ["two"]


def test_jsonl_writer_is_atomic(tmp_path):
    path = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError):
        with JsonlWriter(path) as writer:
            writer.write({"a": 1})
            raise RuntimeError("boom")
    assert not path.exists()
    assert not list(tmp_path.iterdir())
    with JsonlWriter(path) as writer:
        writer.write({"a": "é"})
    assert path.read_text(encoding="utf-8") == '{"a": "é"}\n'


def test_process_output_reads_back_with_entities(tmp_path, nlp):
    from nlpkit.io.docdict import doc_to_dict

    record = Record(text="Ada Lovelace lived in London", char_spans=[(0, 12, "PER")])
    path = tmp_path / "out.jsonl"
    with JsonlWriter(path) as writer:
        writer.write(doc_to_dict(record.to_doc(nlp)))
    (back,) = read_jsonl(path)
    assert back.char_spans == [(0, 12, "PER")]
    assert "ents" not in back.meta


def test_folder_bytes_round_trip_and_unsafe_names(tmp_path):
    import srsly

    from nlpkit.util import bytes_to_folder, folder_to_bytes

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "cfg").write_text("{}")
    (tmp_path / "a" / "b" / "w.bin").write_bytes(b"\x00\x01")
    out = bytes_to_folder(folder_to_bytes(tmp_path / "a"), tmp_path / "c")
    assert (out / "cfg").read_text() == "{}"
    assert (out / "b" / "w.bin").read_bytes() == b"\x00\x01"
    bad = srsly.msgpack_dumps({"../escape": b"x"})
    with pytest.raises(ValueError, match="E020"):
        bytes_to_folder(bad, tmp_path / "d")
    assert not (tmp_path / "escape").exists()
