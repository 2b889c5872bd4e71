"""The shard plan: line formats cut into byte ranges that workers read themselves,
other formats into record ranges of the file, the plan stored in the manifest for
resume."""

import io
import json

import spacy
from batch_components import write_corpus

import nlpkit
from nlpkit.batch import iter_output, iter_rejects
from nlpkit.batch.manifest import Manifest
from nlpkit.batch.plan import BLOCK, line_ranges, planned_tasks


def ranges_of(data: bytes, n: int):
    return list(line_ranges(io.BytesIO(data), n))


def test_line_ranges_cover_the_file_at_line_boundaries():
    lines = [f"line {i}\n".encode() for i in range(1, 11)]
    data = b"".join(lines)
    got = ranges_of(data, 4)
    assert [(first, n) for _, _, first, n in got] == [(1, 4), (5, 4), (9, 2)]
    assert b"".join(data[a:b] for a, b, _, _ in got) == data
    assert data[got[1][0] : got[1][1]] == b"".join(lines[4:8])
    # A last line without a newline still counts.
    assert ranges_of(b"a\nb", 1) == [(0, 2, 1, 1), (2, 3, 2, 1)]
    assert ranges_of(b"", 5) == []


def test_line_ranges_across_blocks():
    line = b"x" * 99 + b"\n"
    data = line * (3 * BLOCK // len(line) + 7)
    got = ranges_of(data, 1000)
    assert sum(n for *_, n in got) == len(data) // len(line)
    assert all(data[a:b].count(b"\n") == n for a, b, _, n in got)
    assert [a for a, *_ in got[1:]] == [b for _, b, *_ in got[:-1]]


def test_workers_read_ranges_and_rejects_name_file_and_line(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 50)
    text = corpus.read_text().splitlines()
    text[36] = "{not json"
    corpus.write_text("\n".join(text) + "\n")
    out = tmp_path / "out"
    summary = nlpkit.process(spacy.blank("en"), corpus, out, shard_size=10)
    assert (summary.read, summary.written, summary.rejected) == (50, 49, 1)
    [reject] = iter_rejects(out)
    assert reject["source"] == str(corpus) and reject["line"] == 37
    assert reject["shard"] == 3 and "malformed JSON" in reject["reason"]
    plan = Manifest.load(out).data["plan"]
    [entry] = plan["files"]
    assert entry["kind"] == "lines" and entry["n_shards"] == 5
    assert [r[2] for r in entry["ranges"]] == [1, 11, 21, 31, 41]
    tasks = list(planned_tasks(plan, shard_size=10, options={}, strict=False,
                               skip=lambda i: i != 2))  # fmt: skip
    assert [t.index for t in tasks] == [2]
    assert tasks[0].records == [] and tasks[0].source.first_line == 21


def test_text_ids_keep_whole_file_line_numbers(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("".join(f"Sentence {i}.\n" if i % 7 else "\n" for i in range(30)))
    out = tmp_path / "out"
    nlpkit.process(spacy.blank("en"), path, out, shard_size=8, attrs=["text"])
    docs = list(iter_output(out))
    expected = [(f"t.txt:{i + 1}", f"Sentence {i}.") for i in range(30) if i % 7]
    assert [(d["id"], d["text"]) for d in docs] == expected


def test_mixed_formats_keep_input_order(tmp_path):
    first = write_corpus(tmp_path / "a.jsonl", 7)
    csv = tmp_path / "b.csv"
    csv.write_text('id,text,label\nc1,"two\nlines",x\nc2,plain,y\nc3,third,x\n')
    txt = tmp_path / "c.txt"
    txt.write_text("last one\n")
    out = tmp_path / "out"
    summary = nlpkit.process(spacy.blank("en"), [first, csv, txt], out, shard_size=2)
    ids = [d["id"] for d in iter_output(out)]
    assert ids == [f"d{i:05d}" for i in range(7)] + [
        "b.csv:2",
        "b.csv:4",
        "b.csv:5",
        "c.txt:1",
    ]
    files = Manifest.load(out).data["plan"]["files"]
    assert [(f["kind"], f["first_shard"], f["n_shards"]) for f in files] == [
        ("lines", 0, 4),
        ("file", 4, 2),
        ("lines", 6, 1),
    ]
    assert summary.shards == 7


def test_resume_uses_the_stored_plan(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 40)
    out = tmp_path / "out"
    nlp = spacy.blank("en")
    nlpkit.process(nlp, corpus, out, shard_size=10)
    manifest = json.loads((out / "manifest.json").read_text())
    # Narrow shard 1 to lines 11-15 in the stored plan, and make it redo: a resumed
    # run reads what the plan says, not what planning again would give.
    lines = corpus.read_bytes().splitlines(keepends=True)
    shard = manifest["plan"]["files"][0]["ranges"][1]
    shard[1] = shard[0] + sum(len(line) for line in lines[10:15])
    shard[3] = 5
    del manifest["shards"]["1"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    summary = nlpkit.process(nlp, corpus, out, shard_size=10, resume=True)
    assert summary.shards_skipped == 3 and summary.processed == 5
    ids = [d["id"] for d in iter_output(out)]
    assert ids == [f"d{i:05d}" for i in range(40) if not 15 <= i < 20]


def test_run_started_before_plans_resumes_as_it_was_cut(tmp_path):
    """A manifest without a plan (written by an older nlpkit) resumes with the
    driver reading the records and cutting them across files, as it did then."""
    a = write_corpus(tmp_path / "a.jsonl", 15)
    b = tmp_path / "b.jsonl"
    b.write_text("".join(f'{{"id": "b{i}", "text": "B {i}."}}\n' for i in range(5)))
    out = tmp_path / "out"
    nlp = spacy.blank("en")
    nlpkit.process(nlp, [a, b], out, shard_size=10)
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["plan"]
    # The old cut: 10 records of a.jsonl, then 5 of a.jsonl and 5 of b.jsonl.
    manifest["shards"] = {"0": manifest["shards"]["0"]}
    (out / "manifest.json").write_text(json.dumps(manifest))
    summary = nlpkit.process(nlp, [a, b], out, shard_size=10, resume=True)
    assert (summary.shards_skipped, summary.processed, summary.shards) == (1, 10, 2)
    ids = [d["id"] for d in iter_output(out)]
    assert ids == [f"d{i:05d}" for i in range(15)] + [f"b{i}" for i in range(5)]
