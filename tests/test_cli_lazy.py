"""`nlpkit X` imports only X's module; the command map stays complete."""

import json
import subprocess
import sys

import pytest
import typer

import nlpkit.cli as cli

NAMES = (
    "import json, sys, typer, nlpkit.cli as c; app = c.load(tuple(sys.argv[1:])); "
    "print(json.dumps([sorted(typer.main.get_group(app).commands), "
    "sorted(m for m in sys.modules if m.startswith('nlpkit.cli.'))]))"
)


def test_every_command_is_mapped_to_its_module():
    registered = set(typer.main.get_group(cli.app).commands)
    assert registered == set(cli.COMMANDS)
    assert set(cli.COMMANDS.values()) <= set(cli.MODULES)


@pytest.mark.parametrize("module", sorted(set(cli.COMMANDS.values())))
def test_a_command_module_alone_registers_its_commands(module):
    out = subprocess.run(
        [sys.executable, "-c", NAMES, module],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    commands, modules = json.loads(out)
    assert {n for n, m in cli.COMMANDS.items() if m == module} <= set(commands)
    others = {f"nlpkit.cli.{m}" for m in cli.MODULES} - {f"nlpkit.cli.{module}"}
    if module == "vectors":  # the command timed against gensim: nothing else loads
        assert not others & set(modules)


@pytest.mark.parametrize(
    "args, command",
    [
        (["vectors", "train", "x"], "vectors"),
        (["-v", "search", "q"], "search"),
        (["--quiet", "--", "vectors"], None),
        (["--help"], None),
        ([], None),
    ],
)
def test_command_of(args, command):
    assert cli.command_of(args) == command


def test_lazy_main_runs_the_command(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat\n" * 50, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "nlpkit.cli", "vectors", "train", str(corpus),
         "-o", str(tmp_path / "v"), "--min-count", "1", "--epochs", "1",
         "--dim", "8", "--no-spacy"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "v").is_dir()
    unknown = subprocess.run(
        [sys.executable, "-m", "nlpkit.cli", "vectorz"], capture_output=True, text=True
    )
    assert unknown.returncode != 0
    assert "Did you mean 'vectors'" in unknown.stderr
