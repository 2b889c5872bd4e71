import spacy
from typer.testing import CliRunner

import nlpkit
from nlpkit.batch import iter_output, iter_rejects
from nlpkit.cli import app


def test_process_reconciles_read_written_rejected(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        '{"text": "A good doc."}\nnot json\n{"text": "Another one."}\n',
        encoding="utf-8",
    )
    summary = nlpkit.process(spacy.blank("en"), corpus, tmp_path / "out")
    assert (summary.read, summary.written, summary.rejected) == (3, 2, 1)
    assert [d["tokens"] for d in iter_output(tmp_path / "out")] == [
        ["A", "good", "doc", "."],
        ["Another", "one", "."],
    ]
    (reject,) = iter_rejects(tmp_path / "out")
    assert reject["line"] == 2


def test_cli_help_lists_commands():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "process" in result.output and "demo" in result.output
