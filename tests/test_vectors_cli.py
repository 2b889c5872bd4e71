"""`nlpkit vectors ...` and `nlpkit cooc ...` through the typer app."""

import json

import pytest
from gensim.test.utils import datapath
from typer.testing import CliRunner

from nlpkit.cli import app
from nlpkit.vectors.kv import load_vectors

EXAMPLE = (
    "Data Science is popular these days. Quality of data is popular issue among "
    "companies.\n"
)


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result


def test_cooc_build_and_show_issue_example(tmp_path):
    corpus = tmp_path / "example.txt"
    corpus.write_text(EXAMPLE, encoding="utf-8")
    result = run(
        "cooc",
        "build",
        corpus,
        "--context",
        "sentence",
        "--window",
        0,
        "-o",
        tmp_path / "m",
    )
    assert result.exit_code == 0, result.output
    result = run("cooc", "show", tmp_path / "m", "data")
    assert result.exit_code == 0, result.output
    counts = {}
    for line in result.output.splitlines():
        cells = [c.strip() for c in line.split("│") if c.strip()]
        if len(cells) == 2 and cells[1].replace(".", "").isdigit():
            counts[cells[0]] = float(cells[1])
    assert counts["popular"] == 2 and counts["science"] == 1 and counts["quality"] == 1
    result = run("cooc", "show", tmp_path / "m", "unicorn")
    assert result.exit_code == 1 and "E105" in result.output


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("vec") / "w2v"
    result = run(
        "vectors", "train", datapath("lee_background.cor"), "-o", out,
        "--algorithm", "fasttext", "--dim", 16, "--epochs", 2, "--min-count", 3,
        "--threads", 1,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def test_vectors_train_writes_nlpkit_and_spacy(trained):
    wv = load_vectors(trained)
    assert wv.dim == 16 and wv.has_subwords and wv.meta["algorithm"] == "fasttext"
    assert (trained / "spacy" / "config.cfg").exists()


def test_vectors_similar_analogy_eval(trained, tmp_path):
    result = run("vectors", "similar", trained, "government", "-n", 3)
    assert result.exit_code == 0 and "nearest to 'government'" in result.output
    result = run("vectors", "analogy", trained, "man", "king", "woman")
    assert result.exit_code == 0, result.output
    out = tmp_path / "scores.json"
    result = run(
        "vectors", "eval", trained, "--similarity", datapath("wordsim353.tsv"),
        "--no-analogies", "-o", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    scores = json.loads(out.read_text())
    (entry,) = scores.values()
    assert entry["n_pairs"] == 353 and -1 <= entry["spearman"] <= 1


def test_vectors_plot_and_projector(trained, tmp_path):
    png = tmp_path / "plot.png"
    result = run(
        "vectors", "plot", trained, "-o", png,
        "-g", "people:man,woman,president,minister",
        "-g", "places:australia,sydney,afghanistan,israel",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:4] == b"\x89PNG"
    result = run(
        "vectors", "export-projector", trained, "-o", tmp_path / "proj", "--top", 50
    )
    assert result.exit_code == 0
    lines = (tmp_path / "proj" / "vectors.tsv").read_text().splitlines()
    assert len(lines) == 50 and len(lines[0].split("\t")) == 16
    assert len((tmp_path / "proj" / "metadata.tsv").read_text().splitlines()) == 50


def test_cli_bad_input(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    result = run(
        "vectors", "train", empty, "-o", tmp_path / "x", "--algorithm", "glove"
    )
    assert result.exit_code == 1 and "E101" in result.output  # io: empty file
    punct = tmp_path / "punct.txt"
    punct.write_text("... !!!\n-- ?\n", encoding="utf-8")
    for algorithm in ("glove", "word2vec", "ppmi-svd"):
        result = run("vectors", "train", punct, "-o", tmp_path / "x", "-a", algorithm)
        assert result.exit_code == 1 and "E101" in result.output, algorithm
    small = tmp_path / "small.txt"
    small.write_text("a b c\n", encoding="utf-8")
    result = run("vectors", "train", small, "-o", tmp_path / "y", "--min-count", 5)
    assert result.exit_code == 1 and "E102" in result.output
    result = run("vectors", "similar", tmp_path / "nothing", "x")
    assert result.exit_code == 1 and "E001" in result.output


def test_demo_step_trains_vectors(tmp_path):
    from nlpkit.demo import step_vectors

    summary = step_vectors(tmp_path)
    assert summary["step"] == "train word vectors" and summary["words"] > 100
    assert len(summary["neighbours"]["councils"]) == 3  # unseen: from subwords
    assert load_vectors(tmp_path / "vectors").has_subwords
