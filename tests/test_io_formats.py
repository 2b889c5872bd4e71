import json
import subprocess
import sys
import zipfile
from importlib.metadata import entry_points

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from io_helpers import read_strict_and_lenient, write, write_jsonl

from nlpkit.io import (
    FORMATS,
    READER_DEFAULTS,
    WRITERS,
    Format,
    ParquetWriter,
    ReaderOptions,
    open_writer,
    read_corpus,
    read_docbin,
    read_jsonl,
    read_parquet,
    read_text,
    read_zip,
    register_format,
)
from nlpkit.io.formats import as_format


def test_formats_module_imports_no_reader():
    code = (
        "import sys, nlpkit.io.formats as f\n"
        "readers = [m for m in sys.modules if m.startswith('nlpkit.io.')]\n"
        "print(sorted(readers))\n"
        "print(f.detect_format('a.conll'), 'nlpkit.io.conll' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert "nlpkit.io.jsonl" not in out[0] and "nlpkit.io.conll" not in out[0]
    assert out[1] == "conll True"  # loaded on first use


def test_builtin_formats_are_entry_points():
    declared = {ep.name: ep.load() for ep in entry_points(group="nlpkit_formats")}
    assert {"jsonl", "csv", "tsv", "txt", "iob", "conll", "zip"} <= set(declared)
    assert all(isinstance(fmt, Format) for fmt in declared.values())
    assert all(declared[name] == FORMATS[name] for name in declared)
    assert FORMATS["jsonl"].read is read_jsonl and "parquet" in WRITERS


def test_register_format_in_code_and_function_entries(tmp_path):
    @register_format("test_upper", extensions=(".upper",))
    def read_upper(path, *, rejects=None, shout=True):
        for record in read_text(path, rejects=rejects):
            record.text = record.text.upper() if shout else record.text
            yield record

    path = write(tmp_path, "a.upper", "hello\n")
    assert [r.text for r in read_corpus(path)] == ["HELLO"]
    assert [r.text for r in read_corpus(path, shout=False)] == ["hello"]
    # an entry point may name a bare reader function; its extensions come along
    read_upper.extensions = (".up",)
    assert as_format("bare", read_upper) == Format("bare", read_upper, (".up",))
    with pytest.raises(TypeError, match="E226"):
        as_format("broken", 42)


def test_reader_options_reach_the_readers_that_take_them(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [{"id": "x", "body": "walrus"}])
    write(tmp_path, "b.csv", "body,label\nice floe,cold\n")
    write(tmp_path, "c.iob", "Ada\tI-PER\n")
    options = ReaderOptions(text_field="body", scheme="iob1")
    records = list(read_corpus(tmp_path, reader_options=options))
    assert [r.get_text() for r in records] == ["walrus", "ice floe", "Ada"]
    assert records[2].ents == [(0, 1, "PER")]
    assert options.changed() == {"text_field": "body", "scheme": "iob1"}
    assert options.replace(label_field=None) == options


def test_reader_defaults_live_in_reader_options():
    import inspect

    from nlpkit.io import read_csv, read_iob

    def default(func, name):
        return inspect.signature(func).parameters[name].default

    assert default(read_jsonl, "text_field") == READER_DEFAULTS.text_field == "text"
    assert default(read_csv, "text_column") == READER_DEFAULTS.text_field
    assert default(read_iob, "scheme") == READER_DEFAULTS.scheme
    assert default(read_iob, "n_sents") == READER_DEFAULTS.n_sents


def test_writers_table_takes_extra_writers(tmp_path):
    assert sorted(WRITERS) == ["jsonl", "parquet", "spacy"]
    WRITERS["pq2"] = ParquetWriter
    try:
        with open_writer(tmp_path / "x.out", "pq2") as writer:
            writer.write({"id": "1", "text": "hi"})
        assert [r.text for r in read_parquet(tmp_path / "x.out")] == ["hi"]
    finally:
        del WRITERS["pq2"]
    assert "pq2" not in WRITERS
    with pytest.raises(ValueError, match="E007"):
        open_writer(tmp_path / "x.out", "pq2")


def test_text_mode_is_checked():
    with pytest.raises(ValueError, match="E225.*line, paragraph, file"):
        list(read_text("unused.txt", mode="sentence"))


def test_not_a_zip_file(tmp_path):
    path = write(tmp_path, "fake.zip", "plain text, not an archive\n")
    records, entries = read_strict_and_lenient(read_zip, path, r"fake\.zip: not a zip")
    assert records == [] and entries[0]["source"] == str(path)


def test_damaged_member_costs_that_member(tmp_path):
    path = tmp_path / "d.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("a.txt", "first member")
        archive.writestr("b.txt", "second member")
    data = path.read_bytes()
    path.write_bytes(data.replace(b"first member", b"FIRST member", 1))
    match = r"d\.zip:a\.txt: cannot extract the member \(BadZipFile: Bad CRC"
    records, entries = read_strict_and_lenient(read_zip, path, match)
    assert [r.text for r in records] == ["second member"]
    assert entries[0]["source"] == f"{path}:a.txt"
    auto, _ = read_strict_and_lenient(read_zip, path, match, member_format="auto")
    assert [r.text for r in auto] == ["second member"]


def test_parquet_bad_file_and_rows(tmp_path):
    fake = write(tmp_path, "fake.parquet", "no parquet here\n")
    _, entries = read_strict_and_lenient(read_parquet, fake, "not a Parquet file")
    assert entries[0]["line"] is None
    path = tmp_path / "rows.parquet"
    table = {
        "id": ["1", "2", "3"],
        "text": ["fine", None, "bad meta"],
        "meta": [json.dumps({"a": 1}), None, "{oops"],
    }
    pq.write_table(pa.table(table), path)
    match = r"rows\.parquet:2: no text in column 'text'"
    records, entries = read_strict_and_lenient(read_parquet, path, match)
    assert [(r.id, r.meta) for r in records] == [("1", {"a": 1})]
    assert [(e["line"], e["reason"][:20]) for e in entries] == [
        (2, "no text in column 't"),
        (3, "'meta' is not JSON ("),
    ]


def test_not_a_docbin_file_is_named_once(tmp_path):
    path = write(tmp_path, "x.spacy", "garbage\n")
    _, (entry,) = read_strict_and_lenient(read_docbin, path, r"E002\] \S+x\.spacy: not")
    assert entry["reason"].startswith("not a DocBin file (")


def test_convert_takes_reader_options(tmp_path):
    from nlpkit.io.convert import convert

    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "body": "Ada wrote"}])
    options = ReaderOptions(text_field="body")
    summary = convert(src, tmp_path / "out.jsonl", reader_options=options)
    assert (summary.read, summary.written) == (1, 1)
    (row,) = read_jsonl(tmp_path / "out.jsonl")
    assert (row.id, row.text) == ("a", "Ada wrote")
