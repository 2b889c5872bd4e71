from typer.testing import CliRunner

from nlpkit.about import __version__
from nlpkit.cli import app


def test_version_flag_prints_version_and_exits():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"nlpkit {__version__}"
