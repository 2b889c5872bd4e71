"""Inputs that workers read themselves: URLs on object storage (moto's S3 server on
127.0.0.1), Parquet cut at row groups, and files read whole (gzip, CSV, ...) cut
into record ranges; no record goes through the driver or the scheduler."""

import gzip
import hashlib
import json

import pytest
import spacy
from batch_components import write_corpus
from s3_helpers import BUCKET, moto_server, use_s3

import nlpkit
from nlpkit.batch import iter_output, iter_rejects, plan
from nlpkit.batch.backends import LocalBackend
from nlpkit.batch.manifest import Manifest, file_fingerprint
from nlpkit.batch.shards import CollectingRejects, FileShard, RowGroups, cut_shards
from nlpkit.errors import CorpusError
from nlpkit.io import Rejects, expand_inputs, open_writer, read_corpus
from nlpkit.io.sources import InputURL


class Recording(LocalBackend):
    """The local backend, keeping every task it is given."""

    def __init__(self, n_process: int = 1):
        super().__init__(n_process=n_process)
        self.tasks = []

    def run(self, tasks):
        def seen():
            for task in tasks:
                self.tasks.append(task)
                yield task

        yield from super().run(seen())


def write_parquet(path, n: int, row_group_size: int, bad=()):
    with open_writer(path, "parquet", row_group_size=row_group_size) as writer:
        for i in range(n):
            writer.write({"id": f"p{i}", "text": None if i in bad else f"Row {i}."})
    return path


def write_gz_and_csv(folder):
    gz = folder / "a.jsonl.gz"
    lines = [json.dumps({"id": f"g{i}", "text": f"Gz {i}."}) for i in range(25)]
    lines[7] = "{not json"
    gz.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    csv = folder / "b.csv"
    rows = [f'c{i},"first line\nsecond {i}",x\n' for i in range(23)]
    csv.write_text("id,text,label\n" + "".join(rows))
    return gz, csv


def driver_ids(paths) -> list[str]:
    """Ids as the driver itself reads the files (read_corpus), rejects skipped."""
    return [r.id for r in read_corpus(paths, rejects=Rejects())]


def no_records_sent(backend: Recording, kind) -> bool:
    return bool(backend.tasks) and all(
        not t.records and not t.reader_rejects and isinstance(t.source, kind)
        for t in backend.tasks
    )


def test_parquet_shards_follow_row_groups_and_resume_exactly_once(tmp_path):
    path = write_parquet(tmp_path / "p.parquet", 30, 7, bad={12})
    out = tmp_path / "out"
    nlp = spacy.blank("en")
    backend = Recording()
    summary = nlpkit.process(nlp, path, out, shard_size=10, backend=backend)
    assert no_records_sent(backend, RowGroups)
    [entry] = Manifest.load(out).data["plan"]["files"]
    # groups of 7 rows: two make a shard of 14 >= 10 rows; the last has 2.
    assert entry["kind"] == "row_groups"
    assert entry["groups"] == [[0, 2, 0, 14], [2, 2, 14, 14], [4, 1, 28, 2]]
    assert (summary.read, summary.written, summary.rejected) == (30, 29, 1)
    [reject] = iter_rejects(out)
    assert (reject["source"], reject["line"], reject["shard"]) == (str(path), 13, 0)
    expected = driver_ids(path)
    assert [d["id"] for d in iter_output(out)] == expected
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["shards"]["1"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    again = nlpkit.process(nlp, path, out, shard_size=10, resume=True)
    assert (again.shards_skipped, again.processed, again.read) == (2, 14, 30)
    assert [d["id"] for d in iter_output(out)] == expected


def test_files_read_whole_are_read_by_workers_as_the_driver_reads_them(tmp_path):
    gz, csv = write_gz_and_csv(tmp_path)
    out = tmp_path / "out"
    backend = Recording(n_process=2)
    summary = nlpkit.process(spacy.blank("en"), [gz, csv], out, shard_size=10,
                             backend=backend)  # fmt: skip
    assert no_records_sent(backend, FileShard)
    files = Manifest.load(out).data["plan"]["files"]
    assert [(f["kind"], f["shards"]) for f in files] == [
        ("file", [[0, 10], [10, 20], [20, 24]]),
        ("file", [[0, 10], [10, 20], [20, 23]]),
    ]
    assert (summary.read, summary.written, summary.shards) == (48, 47, 6)
    assert [d["id"] for d in iter_output(out)] == driver_ids([gz, csv])
    [reject] = iter_rejects(out)
    assert (reject["source"], reject["line"], reject["shard"]) == (str(gz), 8, 0)


def test_a_worker_reads_a_file_once_for_its_shards_in_order(tmp_path, monkeypatch):
    _, csv = write_gz_and_csv(tmp_path)
    options = {"reader": {}, "max_length": 10_000}
    rejects = CollectingRejects()
    records = plan.read_file(csv, "csv", rejects, options)
    cut = [[r.id for r in t.records] for t in cut_shards(records, rejects, 5)]
    opened = []
    read_file = plan.read_file
    monkeypatch.setattr(plan, "read_file", lambda *a, **k: (opened.append(a[0]),
                                                            read_file(*a, **k))[1])  # fmt: skip

    def shard(k: int, plan_id: str = "p1") -> list[str]:
        item = FileShard(str(csv), "csv", k, 5, 5 * k, 5 * k + 5, plan_id)
        return [r.id for r in plan.read_range(item, CollectingRejects(), options)]

    assert [shard(k) for k in (0, 2, 3)] == [cut[0], cut[2], cut[3]]
    assert len(opened) == 1
    assert shard(1) == cut[1] and len(opened) == 2  # behind the reader: reopened
    assert shard(0, "p2") == cut[0] and len(opened) == 3  # another run's plan
    with pytest.raises(CorpusError, match="E536"):
        shard(len(cut))


def test_a_version_1_plan_still_resumes_with_the_driver_reading(tmp_path):
    _, csv = write_gz_and_csv(tmp_path)
    out = tmp_path / "out"
    nlp = spacy.blank("en")
    nlpkit.process(nlp, csv, out, shard_size=10)
    manifest = json.loads((out / "manifest.json").read_text())
    entry = manifest["plan"]["files"][0]
    manifest["plan"]["version"] = 1
    entry["kind"], entry["records"] = "records", 23
    del entry["shards"], manifest["plan"]["id"], manifest["shards"]["2"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    summary = nlpkit.process(nlp, csv, out, shard_size=10, resume=True)
    assert (summary.shards_skipped, summary.processed, summary.read) == (2, 3, 23)
    assert [d["id"] for d in iter_output(out)] == driver_ids(csv)


def test_credentials_in_a_url_are_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(CorpusError, match="E535") as info:
        nlpkit.process(spacy.blank("en"), "s3://AKIA1:hunter2@bucket/in/", out)
    assert "hunter2" not in str(info.value) and "AKIA1" not in str(info.value)
    assert not out.exists()
    corpus = write_corpus(tmp_path / "c.jsonl", 3)
    with pytest.raises(ValueError, match="E535") as info:
        nlpkit.process(spacy.blank("en"), corpus, "s3://AKIA1:hunter2@bucket/out")
    assert "hunter2" not in str(info.value)
    with pytest.raises(CorpusError, match="E537.*nosuchfs"):
        expand_inputs("nosuchfs://bucket/in/")


@pytest.fixture(scope="module")
def moto_port(tmp_path_factory):
    pytest.importorskip("s3fs")
    pytest.importorskip("moto.server")
    with moto_server(tmp_path_factory.mktemp("moto")) as port:
        yield port


@pytest.fixture
def s3(moto_port, monkeypatch, tmp_path):
    fs = use_s3(moto_port, monkeypatch)
    return fs, f"{BUCKET}/{tmp_path.name}"


@pytest.mark.server
def test_url_inputs_expand_like_local_paths(s3):
    fs, prefix = s3
    names = ["in/b.jsonl", "in/a.jsonl", "in/sub/c.txt", "in/sub/.e.txt",
             "in/.hidden/d.jsonl"]  # fmt: skip
    fs.pipe({f"{prefix}/{name}": b'{"text": "x"}\n' for name in names})
    url = f"s3://{prefix}/in"
    found = expand_inputs(url)
    assert found == [f"{url}/a.jsonl", f"{url}/b.jsonl", f"{url}/sub/c.txt"]
    assert all(isinstance(p, InputURL) for p in found)
    assert (found[2].name, found[2].suffix) == ("c.txt", ".txt")
    assert expand_inputs(f"{url}/*.jsonl") == found[:2]
    assert expand_inputs([f"{url}/b.jsonl", f"{url}/a.jsonl"]) == found[1::-1]
    with pytest.raises(CorpusError, match="E001"):
        expand_inputs(f"{url}/nothing.jsonl")
    with pytest.raises(CorpusError, match="E006"):
        expand_inputs(f"{url}/*.csv")


@pytest.mark.server
def test_jsonl_parquet_gz_and_csv_inputs_on_s3(s3, tmp_path):
    fs, prefix = s3
    local = tmp_path / "local"
    local.mkdir()
    write_corpus(local / "a.jsonl", 30)
    write_parquet(local / "b.parquet", 25, 6)
    gz, csv = write_gz_and_csv(local)
    for path in (local / "a.jsonl", local / "b.parquet", csv):
        fs.put_file(str(path), f"{prefix}/in/{path.name}")
    fs.put_file(str(gz), f"{prefix}/in/c.jsonl.gz")
    out = f"s3://{prefix}/out"
    nlp = spacy.blank("en")
    backend = Recording(n_process=2)
    summary = nlpkit.process(nlp, f"s3://{prefix}/in/", out, shard_size=10,
                             backend=backend)  # fmt: skip
    assert all(not t.records and t.source is not None for t in backend.tasks)
    local_order = [local / "a.jsonl", csv, local / "b.parquet", gz]  # sorted names
    assert [d["id"] for d in iter_output(out)] == driver_ids(local_order)
    assert summary.rejected == 1
    [reject] = iter_rejects(out)
    assert (reject["source"], reject["line"]) == (f"s3://{prefix}/in/c.jsonl.gz", 8)
    data = Manifest.load(out).data
    assert [f["kind"] for f in data["plan"]["files"]] == [
        "lines", "file", "row_groups", "file"]  # fmt: skip
    assert all(i["path"].startswith("s3://") and i["etag"] for i in data["inputs"])
    print_ = file_fingerprint(f"s3://{prefix}/in/b.csv", content=True)
    assert print_["sha256"] == hashlib.sha256(csv.read_bytes()).hexdigest()
    again = nlpkit.process(nlp, f"s3://{prefix}/in/", out, shard_size=10,
                           resume=True)  # fmt: skip
    assert (again.shards_skipped, again.processed) == (summary.shards, 0)


@pytest.mark.server
def test_cli_reads_a_url_glob_and_writes_to_s3(s3, tmp_path):
    from typer.testing import CliRunner

    from nlpkit.cli import app

    fs, prefix = s3
    model = tmp_path / "model"
    spacy.blank("en").to_disk(model)
    fs.put_file(str(write_corpus(tmp_path / "a.jsonl", 12)), f"{prefix}/in/a.jsonl")
    out = f"s3://{prefix}/out"
    args = ["process", str(model), f"s3://{prefix}/in/*.jsonl", "--output", out]
    result = CliRunner().invoke(app, [*args, "--shard-size", "5"])
    assert result.exit_code == 0, result.output
    assert [d["id"] for d in iter_output(out)] == [f"d{i:05d}" for i in range(12)]
    args = ["process", str(model), f"s3://{prefix}/in/*.csv", "--output", f"{out}2"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0 and "E006" in result.output


class SeesInputs(LocalBackend):
    """The local backend, keeping the local inputs it is told workers read."""

    def open(self, spec, job, nlp=None, inputs=()):
        self.inputs = list(inputs)
        super().open(spec, job, nlp, inputs)


def test_backend_learns_the_local_inputs_and_a_worker_stats_them(tmp_path):
    """The backend gets (path, size) of each local input workers read (not URLs);
    a worker's check finds missing files and files of another size, counts them
    and names the first, reading nothing."""
    from nlpkit.batch.storage import inputs_visible

    local = write_corpus(tmp_path / "a.jsonl", 5)
    remote = write_corpus(tmp_path / "b.jsonl", 5)
    backend = SeesInputs()
    summary = nlpkit.process(spacy.blank("en"), [local, f"file://{remote}"],
                             tmp_path / "out", backend=backend)  # fmt: skip
    assert summary.written == 10
    assert backend.inputs == [(str(local), local.stat().st_size)]
    assert inputs_visible(backend.inputs) is None
    size = remote.stat().st_size
    missing = str(tmp_path / "gone.jsonl")
    files = [*backend.inputs, (missing, 7), (str(remote), size + 1)]
    assert inputs_visible(files) == (2, missing, "No such file or directory")
    detail = f"{size} bytes there, {size + 1} here"
    assert inputs_visible([(str(remote), size + 1)]) == (1, str(remote), detail)


class OpensAsBefore(LocalBackend):
    """A backend written before open() took the local inputs."""

    def open(self, spec, job, nlp=None):
        self.opened = True
        super().open(spec, job, nlp)


def test_backend_whose_open_takes_no_inputs_still_runs(tmp_path):
    backend = OpensAsBefore()
    local = write_corpus(tmp_path / "a.jsonl", 5)
    summary = nlpkit.process(spacy.blank("en"), [local], tmp_path / "out",
                             backend=backend)  # fmt: skip
    assert backend.opened and summary.written == 5
