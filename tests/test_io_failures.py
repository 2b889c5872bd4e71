"""Readers and `nlpkit convert` never lose data silently and fail clearly."""

import gzip
import json
import random
import zipfile

import pytest
import spacy
from spacy.tokens import DocBin
from typer.testing import CliRunner

from nlpkit.cli import app
from nlpkit.errors import CorpusError
from nlpkit.io import (
    ReadStats,
    Record,
    Rejects,
    check_length,
    read_corpus,
    read_csv,
    read_rejects,
    read_text,
    read_zip,
)
from nlpkit.io.convert import convert
from nlpkit.io.writers import WRITERS, JsonlWriter

runner = CliRunner()


def load(path):
    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def convert_cli(src, output, *options):
    args = ["convert", str(src), "-o", str(output), *map(str, options)]
    return runner.invoke(app, args)


# 1. CSV quotes and the read count


UNCLOSED = 'label,text\npos,"good film\nneg,bad film\n'


def test_csv_unclosed_quote_is_rejected_and_later_rows_recovered(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text(UNCLOSED, encoding="utf-8")
    with pytest.raises(CorpusError, match=r"u\.csv:2: unclosed quote"):
        list(read_csv(path))
    with Rejects(tmp_path / "r.jsonl") as rejects:
        records = list(read_csv(path, rejects=rejects))
    assert [(r.text, r.cats, r.line) for r in records] == [
        ("bad film", {"neg": 1.0}, 3)
    ]
    (entry,) = read_rejects(tmp_path / "r.jsonl")
    assert entry["line"] == 2 and "runs to the end of the file" in entry["reason"]
    assert entry["raw"] == 'pos,"good film'


def test_csv_quoted_field_over_max_field_lines(tmp_path):
    path = tmp_path / "m.csv"
    rows = "".join(f"neg,row {i}\n" for i in range(10))
    path.write_text(
        'label,text\npos,"two\nlines"\nneg,"open\n' + rows + 'pos,"x"\n',
        encoding="utf-8",
    )
    with Rejects(tmp_path / "r.jsonl") as rejects:
        records = list(read_csv(path, rejects=rejects, max_field_lines=5))
    # the real two-line field is kept; the open quote on line 4 costs one row
    assert records[0].text == "two\nlines"
    assert [r.text for r in records[1:]] == [f"row {i}" for i in range(10)] + ["x"]
    (entry,) = read_rejects(tmp_path / "r.jsonl")
    assert entry["line"] == 4 and "runs over 5 lines" in entry["reason"]


def test_convert_csv_unclosed_quote_strict_and_lenient(tmp_path):
    src = tmp_path / "u.csv"
    src.write_text(UNCLOSED, encoding="utf-8")
    summary = convert(src, tmp_path / "u.spacy")
    assert (summary.read, summary.written, summary.rejected) == (2, 1, 1)
    result = convert_cli(src, tmp_path / "s.spacy", "--strict")
    assert result.exit_code == 1
    assert f"{src}:2: unclosed quote" in result.output
    assert not (tmp_path / "s.spacy").exists()


class DroppingWriter(JsonlWriter):
    """A writer plugin that skips docs without entities and does not say so."""

    def write(self, item: dict) -> None:
        if item["ents"]:
            super().write(item)


def test_convert_fails_when_a_record_is_neither_written_nor_rejected(
    tmp_path, monkeypatch
):
    monkeypatch.setitem(WRITERS, "dropping", DroppingWriter)
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"text": "Ada met Bob", "entities": [[0, 3, "PER"]]})
        + "\n"
        + json.dumps({"text": "no entities here"})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    with pytest.raises(CorpusError, match=r"E023.*read 2, but written 1 \+ rejected"):
        convert(src, out, output_format="dropping")
    assert not out.exists()


def test_read_stats_count_what_readers_read(tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(b"one\ntwo \xff\nthree\n")
    stats = ReadStats()
    with Rejects(tmp_path / "r.jsonl") as rejects:
        records = read_corpus(src, rejects=rejects, stats=stats)
        for record in records:
            # a consumer's own rejects are not counted as read
            rejects.add(record.source, record.line, "consumer")
    assert (stats.records, stats.rejected, stats.read, rejects.count) == (2, 1, 3, 3)


# 2. damaged gzip input


def write_truncated_gzip(path, n_lines=5000):
    rng = random.Random(0)
    data = "".join(f"line {i} {rng.random()}\n" for i in range(n_lines)).encode()
    whole = gzip.compress(data)
    path.write_bytes(whole[: len(whole) // 2])


def test_truncated_gzip_keeps_lines_before_the_damage(tmp_path):
    path = tmp_path / "t.txt.gz"
    write_truncated_gzip(path)
    with pytest.raises(CorpusError, match=r"t\.txt\.gz:\d+: truncated gzip stream"):
        list(read_text(path))
    with Rejects(tmp_path / "r.jsonl") as rejects:
        records = list(read_text(path, rejects=rejects))
    assert 0 < len(records) < 5000
    assert [r.text.split()[1] for r in records] == [str(i) for i in range(len(records))]
    (entry,) = read_rejects(tmp_path / "r.jsonl")
    n = len(records)
    assert entry["line"] == n + 1
    assert entry["reason"].startswith(f"truncated gzip stream after line {n};")


def test_cli_convert_truncated_gzip(tmp_path):
    src = tmp_path / "t.txt.gz"
    write_truncated_gzip(src)
    out = tmp_path / "t.spacy"
    result = convert_cli(src, out)
    assert result.exit_code == 0, result.output
    assert "Aborted" not in result.output
    written = len(load(out))
    assert 0 < written < 5000
    (entry,) = read_rejects(tmp_path / "t.rejects.jsonl")
    assert f"truncated gzip stream after line {written}" in entry["reason"]
    result = convert_cli(src, tmp_path / "s.spacy", "--strict")
    assert result.exit_code == 1 and "Aborted" not in result.output
    assert f"{src}:{written + 1}: truncated gzip stream" in result.output


def test_cli_convert_non_gzip_file_named_gz(tmp_path):
    src = tmp_path / "plain.txt.gz"
    src.write_text("hello world\n", encoding="utf-8")
    result = convert_cli(src, tmp_path / "p.spacy")
    assert result.exit_code == 1, result.output
    assert "Aborted" not in result.output and "Traceback" not in result.output
    assert "not a gzip file" in result.output and str(src) in result.output
    assert not (tmp_path / "p.spacy").exists()


def test_truncated_gzip_iob(tmp_path):
    rng = random.Random(1)
    text = "".join(
        f"w{i}\t{rng.choice(['O', 'B-PER'])}\n" + ("\n" if i % 5 == 4 else "")
        for i in range(20000)
    )
    whole = gzip.compress(text.encode())
    path = tmp_path / "t.iob.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with Rejects(tmp_path / "r.jsonl") as rejects:
        records = list(read_corpus(path, rejects=rejects, scheme="iob2"))
    assert records
    (entry,) = read_rejects(tmp_path / "r.jsonl")
    assert entry["reason"].startswith("truncated gzip stream after line")


# 3. one bad item does not abort a lenient run


def test_unknown_extension_in_directory(tmp_path, caplog):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_text("first doc\n", encoding="utf-8")
    (data / "notes.docx").write_bytes(b"PK\x03\x04")
    summary = convert(data, tmp_path / "out.spacy")
    assert (summary.written, summary.rejected, summary.skipped_files) == (1, 0, 1)
    assert f"[W003] Skipped {data / 'notes.docx'}" in caplog.text
    with pytest.raises(CorpusError, match=r"E004.*notes\.docx"):
        convert(data, tmp_path / "strict.spacy", strict=True)
    assert not (tmp_path / "strict.spacy").exists()
    # a file named explicitly is never skipped
    with pytest.raises(CorpusError, match=r"E004.*notes\.docx"):
        convert([data / "a.txt", data / "notes.docx"], tmp_path / "x.spacy")


def test_zip_member_of_unknown_format_is_rejected(tmp_path):
    path = tmp_path / "z.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "hello\n")
        archive.writestr("README", "about\n")
    with Rejects(tmp_path / "r.jsonl") as rejects:
        records = list(read_zip(path, member_format="auto", rejects=rejects))
    assert [r.text for r in records] == ["hello"]
    (entry,) = read_rejects(tmp_path / "r.jsonl")
    assert entry["source"] == f"{path}:README" and "E004" in entry["reason"]


def test_check_length():
    assert check_length(Record(text="abcd"), 4) is None
    assert check_length(Record(text="abcde"), 4) == (
        "text of 5 characters exceeds max_length 4"
    )
    assert check_length(Record(words=["ab", "cd"]), 4) == (
        "text of 5 characters exceeds max_length 4"
    )
    assert check_length("abcde", None) is None


def test_convert_max_length(tmp_path):
    src = tmp_path / "long.txt"
    long_line = "word " * 220_000  # over spaCy's default nlp.max_length
    src.write_text(f"short one\n{long_line}\nshort two\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = convert_cli(src, out, "--max-length", 1000)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in rows] == ["short one", "short two"]
    (entry,) = read_rejects(tmp_path / "out.rejects.jsonl")
    assert entry["line"] == 2
    assert entry["reason"] == (
        f"text of {len(long_line)} characters exceeds max_length 1000"
    )
    # no limit by default: spaCy's E088 does not abort the run
    summary = convert(src, tmp_path / "all.spacy")
    assert (summary.written, summary.rejected) == (3, 0)


# 4. missing, empty, nothing written, reject rate


def test_cli_missing_input_or_empty_glob_writes_nothing(tmp_path):
    out = tmp_path / "o.spacy"
    for missing in (tmp_path / "nope.txt", tmp_path / "*.csv"):
        result = convert_cli(missing, out)
        assert result.exit_code == 1
        assert str(missing) in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert list(tmp_path.iterdir()) == []


def test_empty_file_is_counted_not_rejected(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "full.txt").write_text("a doc\n", encoding="utf-8")
    summary = convert(
        [tmp_path / "empty.txt", tmp_path / "full.txt"], tmp_path / "o.spacy"
    )
    assert (summary.read, summary.written, summary.rejected) == (1, 1, 0)
    assert summary.empty_files == 1 and summary.rejects_path is None
    result = convert_cli(tmp_path / "empty.txt", tmp_path / "e.spacy")
    assert result.exit_code == 1
    assert "Nothing written" in result.output and "1 empty file(s)" in result.output


def test_cli_nothing_written_fails_with_the_first_reason(tmp_path):
    src = tmp_path / "bad.jsonl"
    src.write_text("{oops\n" * 12, encoding="utf-8")
    out = tmp_path / "o.spacy"
    result = convert_cli(src, out)
    assert result.exit_code == 1
    line = result.output.strip().splitlines()[-1]
    assert "Nothing written" in line and "all 12 record(s) rejected" in line
    assert str(tmp_path / "o.rejects.jsonl") in line
    assert f"first reason: {src}:1: malformed JSON" in line
    assert not out.exists()
    assert len(read_rejects(tmp_path / "o.rejects.jsonl")) == 12


def test_cli_max_reject_rate(tmp_path):
    src = tmp_path / "half.jsonl"
    src.write_text('{"text": "fine"}\n{oops\n' * 5, encoding="utf-8")
    result = convert_cli(src, tmp_path / "a.spacy")
    assert result.exit_code == 0, result.output
    assert len(load(tmp_path / "a.spacy")) == 5
    result = convert_cli(src, tmp_path / "b.spacy", "--max-reject-rate", 0.2)
    assert result.exit_code == 1
    assert "5 of 10 records rejected (50.0%), more than max_reject_rate 0.2" in (
        result.output
    )
    assert not (tmp_path / "b.spacy").exists()
    result = convert_cli(src, tmp_path / "c.spacy", "--max-reject-rate", 1.5)
    assert result.exit_code != 0 and "max" in result.output
    assert "reject" in result.output


# 5. the wrong text field


def test_cli_wrong_text_field_stops_once_with_the_fields_seen(tmp_path):
    src = tmp_path / "reviews.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": str(i), "body": f"review number {i}", "stars": 3}) + "\n"
            for i in range(30)
        ),
        encoding="utf-8",
    )
    out = tmp_path / "o.spacy"
    result = convert_cli(src, out)
    assert result.exit_code == 1
    assert (
        f"No field 'text' in the first 20 records of {src}; fields seen: id, body, "
        "stars. Pass --text-field body"
    ) in result.output
    assert "W002" not in result.output and not out.exists()
    result = convert_cli(src, out, "--text-field", "body")
    assert result.exit_code == 0 and len(load(out)) == 30


def test_missing_text_field_in_a_few_records_is_a_reject(tmp_path):
    src = tmp_path / "mixed.jsonl"
    lines = [{"body": "x"}] * 3 + [{"text": "ok"}] + [{"body": "y"}]
    src.write_text("".join(json.dumps(o) + "\n" for o in lines), encoding="utf-8")
    with Rejects(tmp_path / "r.jsonl") as rejects:
        records = list(read_corpus(src, rejects=rejects))
    assert [r.text for r in records] == ["ok"]
    entries = read_rejects(tmp_path / "r.jsonl")
    assert [e["line"] for e in entries] == [1, 2, 3, 5]
    assert entries[0]["reason"] == "missing text field 'text' (fields: body)"
    with pytest.raises(CorpusError, match=r"mixed\.jsonl:1: missing text field"):
        list(read_corpus(src))


def test_quiet_rejects_count_without_warnings(tmp_path, caplog):
    src = tmp_path / "bad.jsonl"
    src.write_text("{oops\n" * 8, encoding="utf-8")
    with Rejects(quiet=True) as rejects:
        assert list(read_corpus(src, rejects=rejects)) == []
    assert rejects.count == 8 and caplog.text == ""
    with Rejects() as rejects:
        list(read_corpus(src, rejects=rejects))
    assert caplog.text.count("[W002]") == 5 and caplog.text.count("[W001]") == 1


def test_failed_sharded_run_leaves_no_shards(tmp_path):
    src = tmp_path / "half.jsonl"
    src.write_text('{"text": "fine"}\n{oops\n' * 5, encoding="utf-8")
    out = tmp_path / "shards"
    with pytest.raises(CorpusError, match="E024"):
        convert(src, out, shard_size=2, max_reject_rate=0.1)
    assert list(out.iterdir()) == []
