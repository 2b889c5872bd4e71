"""One CLI vocabulary (issue 26): settled option names, hidden old spellings that
still work and warn (W060), "did you mean" for a mistyped choice, checks before any
pipeline is loaded, reader defaults taken from the readers, and clean --help."""

import inspect
import json

import pytest
import typer
from typer.testing import CliRunner

from nlpkit.cli import app
from nlpkit.cli._util import rename_options, unknown_choice
from nlpkit.cli.options import reader_options
from nlpkit.io import read_iob, read_jsonl

IOB = "Alice\tB-PER\nlives\tO\nin\tO\nParis\tB-LOC\n\nBob\tB-PER\n\n"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def iob(tmp_path):
    path = tmp_path / "gold.iob"
    path.write_text(IOB, encoding="utf-8")
    return path


def test_unknown_choice_suggests_close_match():
    message = unknown_choice("--mode", "hybird", ["bm25", "dense", "hybrid"])
    assert message == (
        "[E061] Unknown --mode 'hybird'. Did you mean 'hybrid'? "
        "Choose from: bm25, dense, hybrid."
    )
    assert "Did you mean 'bm25'" in unknown_choice("--mode", "BM25", ["bm25"])
    assert "Did you mean" not in unknown_choice("--mode", "zzz", ["bm25", "dense"])


@pytest.mark.parametrize(
    "args,option,guess",
    [
        ("convert {iob} -o {out} --scheme iob3", "--scheme", "iob2"),
        ("convert {iob} -o {out} -f jsnol", "--input-format", "jsonl"),
        ("convert {iob} -o {out} -F parquett", "--output-format", "parquet"),
        ("vectors train {iob} -o {out} -a word2vek", "--algorithm", "word2vec"),
        ("vectors plot v -o {out} --method pca,tnse", "--method", "tsne"),
        ("cooc build {iob} -o {out} --direction lefft", "--direction", "left"),
        ("cooc build {iob} -o {out} --context sentense", "--context", "sentence"),
        ("search q -i {out} --mode hybird", "--mode", "hybrid"),
        ("index build {iob} -o {out} --tokenizer stemm", "--tokenizer", "stem"),
        ("llm run {iob} -o {out} --task sumarize", "--task", "summarize"),
        ("llm eval {iob} --metrics rouge,blue", "--metrics", "bleu"),
        ("process m {iob} -o {out} --backend dsak", "--backend", "dask"),
    ],
)
def test_mistyped_choice_is_one_line_with_exit_2(
    runner, iob, tmp_path, args, option, guess
):
    args = [a.format(iob=iob, out=tmp_path / "out.spacy") for a in args.split()]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    line = result.output.strip()
    assert "\n" not in line and line.startswith("✘ [E061] Unknown " + option)
    assert f"Did you mean '{guess}'?" in line
    assert not (tmp_path / "out.spacy").exists()


def test_options_are_checked_before_the_pipeline_loads(runner, iob, tmp_path):
    # the model does not exist: loading it would fail with E009, so E061 proves the
    # option was refused first
    missing = str(tmp_path / "no-such-model")
    result = runner.invoke(app, ["evaluate", missing, str(iob), "-f", "ioob"])
    assert result.exit_code == 2 and "E061" in result.output
    assert "E009" not in result.output
    result = runner.invoke(app, ["evaluate", missing, str(iob), "-O", "novalue"])
    assert result.exit_code == 2 and "E060" in result.output


def test_convert_old_spellings_work_and_warn(runner, iob, tmp_path):
    old = tmp_path / "old.jsonl"
    result = runner.invoke(
        app,
        [
            "convert",
            str(iob),
            str(old),
            "--format",
            "iob",
            "-n",
            "2",
            "--option",
            "scheme=iob2",
        ],
    )
    assert result.exit_code == 0, result.output
    for spelling in ("--format", "-n", "--option", "OUTPUT as the last argument"):
        assert f"[W060] nlpkit convert: {spelling} is deprecated" in result.output
    new = tmp_path / "new.jsonl"
    result = runner.invoke(
        app,
        [
            "convert",
            str(iob),
            "-o",
            str(new),
            "-f",
            "iob",
            "--n-sents",
            "2",
            "-O",
            "scheme=iob2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "W060" not in result.output
    assert old.read_text(encoding="utf-8") == new.read_text(encoding="utf-8")
    docs = [json.loads(line) for line in new.read_text(encoding="utf-8").splitlines()]
    assert len(docs) == 1 and [e["label"] for e in docs[0]["ents"]] == [
        "PER",
        "LOC",
        "PER",
    ]


def test_convert_output_format_and_missing_output(runner, iob, tmp_path):
    out = tmp_path / "docs.data"
    result = runner.invoke(app, ["convert", str(iob), "-o", str(out), "-F", "jsonl"])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["text"]
    result = runner.invoke(app, ["convert", str(iob)])
    assert result.exit_code == 2 and "E064" in result.output


def test_top_k_old_spellings(runner, tmp_path):
    from nlpkit.vectors import train_vectors

    path = tmp_path / "vectors"
    corpus = [["cat", "dog", "fish", "bird"], ["dog", "cat", "bird"]] * 20
    train_vectors(corpus, algorithm="ppmi-svd", dim=2, min_count=1).to_disk(path)
    new = runner.invoke(app, ["vectors", "similar", str(path), "cat", "-k", "2"])
    old = runner.invoke(app, ["vectors", "similar", str(path), "cat", "--topn", "2"])
    assert new.exit_code == old.exit_code == 0, old.output
    assert (
        "[W060] nlpkit vectors similar: --topn is deprecated, use --top-k" in old.output
    )
    assert new.output.count("│ ") == old.output.count("│ ") and "W060" not in new.output
    # a value attached to a short option, as click reads it, old spelling or new
    attached = runner.invoke(app, ["vectors", "similar", str(path), "cat", "-k2"])
    old_attached = runner.invoke(app, ["vectors", "similar", str(path), "cat", "-n2"])
    assert attached.exit_code == old_attached.exit_code == 0, old_attached.output
    assert "-n is deprecated, use --top-k" in old_attached.output
    assert attached.output == new.output
    assert old_attached.output.count("│ ") == new.output.count("│ ")


def test_rename_options_with_attached_short_values():
    aliases = {"-n": "--top-k", "-j": ("--output-format", "jsonl")}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("nlpkit.cli._util.warn", lambda message: None)
        out = rename_options(["-n5", "-k10", "-x1", "-j", "--", "-n5"], aliases, "x")
    assert out == [
        "--top-k", "5", "-k10", "-x1", "--output-format", "jsonl", "--", "-n5",
    ]  # fmt: skip


def test_rename_options():
    warned = []
    aliases = {"--format": "--input-format", "--json": ("--output-format", "jsonl")}
    args = ["a", "--format=iob", "--json", "--format", "x", "--", "--format"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("nlpkit.cli._util.warn", warned.append)
        out = rename_options(args, aliases, "nlpkit x")
    assert out == [
        "a", "--input-format", "iob", "--output-format", "jsonl",
        "--input-format", "x", "--", "--format",
    ]  # fmt: skip
    assert len(warned) == 2 and all("W060" in w for w in warned)


def test_reader_options():
    assert reader_options(["text_field=body", "n-sents=2", "columns=[0, 3]"]) == {
        "text_field": "body",
        "n_sents": 2,
        "columns": [0, 3],
    }
    assert reader_options(["text_field=body"], text_field="body", label_field=None) == {
        "text_field": "body"
    }
    with pytest.raises(typer.Exit):
        reader_options(["text_field=a"], text_field="b")  # E063
    with pytest.raises(typer.Exit):
        reader_options(["text_field"])  # E060


def test_help_shows_reader_defaults_from_the_readers(runner):
    from nlpkit.io.options import READER_DEFAULTS

    result = runner.invoke(app, ["convert", "--help"], terminal_width=200)
    text_default = inspect.signature(read_jsonl).parameters["text_field"].default
    scheme_default = inspect.signature(read_iob).parameters["scheme"].default
    assert (text_default, scheme_default) == (
        READER_DEFAULTS.text_field,
        READER_DEFAULTS.scheme,
    )
    assert f"[default: ({text_default})]" in result.output
    assert f"[default: ({scheme_default})]" in result.output


def all_commands(command=None, path=()):
    import typer.main

    command = command or typer.main.get_command(app)
    yield list(path)
    for name, sub in getattr(command, "commands", {}).items():
        yield from all_commands(sub, (*path, name))


def test_help_of_every_command_hides_old_spellings_and_flag_types(runner):
    paths = list(all_commands())
    assert ["vectors", "train"] in paths and len(paths) > 20
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], terminal_width=200)
        assert result.exit_code == 0, path
        for hidden in ("<bool>", "--format ", "--option ", "--topn", "--json", "--k "):
            assert hidden not in result.output, (path, hidden)


def test_help_keeps_bracketed_words(runner):
    result = runner.invoke(app, ["vectors", "train", "--help"], terminal_width=200)
    assert "[initialize]" in result.output and "OUTPUT/spacy" in result.output
    assert "[word2vec|skipgra" in result.output


def test_index_and_search_old_and_new_spellings(runner, tmp_path):
    corpus = tmp_path / "posts.jsonl"
    rows = [
        {"id": "a", "body": "the walrus sat on the ice"},
        {"id": "b", "body": "a walrus and a walrus swam"},
        {"id": "c", "body": "bread and butter"},
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    old_ix, new_ix = tmp_path / "old", tmp_path / "new"
    old = ["index", "build", str(corpus), "-o", str(old_ix), "--format", "jsonl"]
    result = runner.invoke(app, [*old, "--option", "text_field=body"])
    assert result.exit_code == 0, result.output
    assert "[W060] nlpkit index build: --format is deprecated" in result.output
    new = ["index", "build", str(corpus), "-o", str(new_ix), "-f", "jsonl"]
    result = runner.invoke(app, [*new, "--text-field", "body"])
    assert result.exit_code == 0 and "W060" not in result.output, result.output
    old = runner.invoke(
        app, ["search", "walrus", "-i", str(old_ix), "--json", "--k", "2"]
    )
    new = runner.invoke(
        app, ["search", "walrus", "-i", str(new_ix), "-F", "jsonl", "-k", "2"]
    )
    assert old.exit_code == new.exit_code == 0, old.output
    assert "--json is deprecated, use --output-format jsonl" in old.stderr
    assert old.stdout == new.stdout
    assert [json.loads(line)["id"] for line in new.stdout.splitlines()] == ["b", "a"]
