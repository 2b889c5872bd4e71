import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import spacy
from io_helpers import write_jsonl
from spacy.tokens import DocBin
from spacy.util import load_config, load_model_from_config, registry, resolve_dot_names
from thinc.api import ConfigValidationError

from nlpkit.errors import CorpusError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def nlp():
    return spacy.blank("en")


def test_readers_found_by_entry_point_in_fresh_process():
    code = (
        "import sys, spacy; from spacy.util import registry\n"
        "assert 'nlpkit' not in sys.modules\n"
        "for name in ('IOBCorpus', 'TextCatCorpus', 'JsonlCorpus', 'DocBinCorpus'):\n"
        "    registry.readers.get(f'nlpkit.{name}.v1')\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd="/"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_iob_corpus_examples_and_rereads(nlp):
    corpus = registry.readers.get("nlpkit.IOBCorpus.v1")(
        str(FIXTURES / "ner" / "train.iob"), token_prefix="en:"
    )
    first = list(corpus(nlp))
    assert len(first) == 10
    eg = first[0]
    assert [(e.text, e.label_) for e in eg.reference.ents] == [
        ("Maria Okafor", "PER"),
        ("Northwind Labs", "ORG"),
        ("Lisbon", "LOC"),
    ]
    assert eg.predicted.text == eg.reference.text
    assert not eg.predicted.ents
    # a new epoch reads the file again and gives the same examples
    assert [e.reference.text for e in corpus(nlp)] == [e.reference.text for e in first]
    limited = registry.readers.get("nlpkit.IOBCorpus.v1")(
        str(FIXTURES / "ner" / "train.iob"), token_prefix="en:", limit=3
    )
    assert len(list(limited(nlp))) == 3


def test_iob_corpus_skips_bad_sentence_unless_strict(tmp_path, nlp, caplog):
    path = tmp_path / "bad.iob"
    path.write_text(
        "Ada\tB-PER\n\nthe\tO\nBBC\tI-ORG\n\nParis\tB-LOC\n", encoding="utf-8"
    )
    create = registry.readers.get("nlpkit.IOBCorpus.v1")
    with caplog.at_level("WARNING", logger="nlpkit"):
        egs = list(create(str(path), scheme="iob2")(nlp))
    assert len(egs) == 2
    assert "bad.iob:3: invalid tag sequence" in caplog.text
    with pytest.raises(CorpusError, match=r"bad\.iob:3"):
        list(create(str(path), scheme="iob2", strict=True)(nlp))


def test_textcat_corpus_fills_other_labels(tmp_path, nlp):
    labels = {"great fun": "pos", "awful": "neg", "meh": "neutral"}
    rows = [{"text": text, "label": label} for text, label in labels.items()]
    path = write_jsonl(tmp_path / "t.jsonl", rows)
    create = registry.readers.get("nlpkit.TextCatCorpus.v1")
    egs = list(create(str(path))(nlp))
    assert egs[0].reference.cats == {"neg": 0.0, "neutral": 0.0, "pos": 1.0}
    egs = list(create(str(path), labels=["neg", "pos"])(nlp))
    assert len(egs) == 2  # 'neutral' is not a known label: logged and skipped
    sst = tmp_path / "s.txt"
    sst.write_text("1 fine film\n0 dull\n", encoding="utf-8")
    egs = list(create(str(sst))(nlp))
    assert [e.reference.cats for e in egs] == [
        {"0": 0.0, "1": 1.0},
        {"0": 1.0, "1": 0.0},
    ]


def test_textcat_corpus_csv_multilabel(tmp_path, nlp):
    path = tmp_path / "m.csv"
    path.write_text("body,tags\nrain and goals,sport|weather\n", encoding="utf-8")
    create = registry.readers.get("nlpkit.TextCatCorpus.v1")
    (eg,) = create(
        str(path),
        text_field="body",
        label_field="tags",
        exclusive=False,
        label_separator="|",
    )(nlp)
    assert eg.reference.cats == {"sport": 1.0, "weather": 1.0}
    with pytest.raises(CorpusError, match="E015"):
        list(
            create(
                str(path),
                text_field="body",
                label_field="tags",
                label_separator="|",
                strict=True,
            )(nlp)
        )


def test_jsonl_and_docbin_corpus(tmp_path, nlp):
    path = tmp_path / "e.jsonl"
    path.write_text(
        json.dumps({"text": "Ada met Bob", "entities": [[0, 3, "PER"], [8, 11, "PER"]]})
        + "\n",
        encoding="utf-8",
    )
    (eg,) = registry.readers.get("nlpkit.JsonlCorpus.v1")(str(path))(nlp)
    assert [e.text for e in eg.reference.ents] == ["Ada", "Bob"]
    db = DocBin(docs=[eg.reference])
    db.to_disk(tmp_path / "e.spacy")
    (eg2,) = registry.readers.get("nlpkit.DocBinCorpus.v1")(str(tmp_path / "e.spacy"))(
        nlp
    )
    assert [e.text for e in eg2.reference.ents] == ["Ada", "Bob"]


def test_spacy_debug_data_accepts_iob_config():
    result = subprocess.run(
        [sys.executable, "-m", "spacy", "debug", "data", "tests/configs/iob_ner.cfg"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    out = result.stdout + result.stderr
    assert "Corpus is loadable" in out, out
    assert "10 training docs" in out and "3 evaluation docs" in out
    assert "3 label(s)" in out and "0 missing value(s)" in out
    # the only error debug data reports on this tiny fixture is its size
    errors = [line for line in out.splitlines() if "✘" in line]
    assert len(errors) == 2 and "Low number of examples" in errors[0], errors


def test_iob_corpus_warns_about_language_prefix(nlp):
    """WikiANN-style "en:" tokens read without token_prefix: W203 says what to set."""
    reader = registry.readers.get("nlpkit.IOBCorpus.v1")
    with pytest.warns(UserWarning, match=r"W203.*token_prefix.*en:"):
        examples = list(reader(FIXTURES / "ner" / "train.iob")(nlp))
    assert examples[0].reference[0].text.startswith("en:")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stripped = list(reader(FIXTURES / "ner" / "train.iob", token_prefix="en:")(nlp))
        list(reader(ROOT / "corpora" / "ner" / "ner.iob")(nlp))
    assert stripped[0].reference[0].text == "Maria"


def test_reader_rejects_unknown_setting():
    """A typo in a reader's own setting is a config error (typed, no **kwargs)."""
    config = load_config(
        ROOT / "pipelines" / "ner.cfg",
        overrides={
            "paths.train": str(FIXTURES / "ner" / "train.iob"),
            "paths.dev": str(FIXTURES / "ner" / "dev.iob"),
            "corpora.train.token_prefx": "en:",
        },
    )
    with pytest.raises(ConfigValidationError, match="token_prefx"):
        resolve_dot_names(config, ["corpora.train"])


def test_unreferenced_config_variable_warns(tmp_path):
    """--vars.token_prefx (a typo of token_prefix) adds a variable that nothing uses:
    spaCy accepts it silently; the reader warns (W204) when training reads it."""
    overrides = {
        "paths.train": str(FIXTURES / "ner" / "train.iob"),
        "paths.dev": str(FIXTURES / "ner" / "dev.iob"),
        "vars.token_prefx": "en:",
        "components.tok2vec.model.embed.include_static_vectors": False,
    }
    config = load_config(ROOT / "pipelines" / "ner.cfg", overrides=overrides)
    nlp = load_model_from_config(config, auto_fill=True)
    (corpus,) = resolve_dot_names(nlp.config.interpolate(), ["corpora.train"])
    with pytest.warns(UserWarning, match=r"W204.*vars\.token_prefx"):
        next(iter(corpus(nlp)))
    del overrides["vars.token_prefx"]
    overrides["vars.token_prefix"] = "en:"
    config = load_config(ROOT / "pipelines" / "ner.cfg", overrides=overrides)
    nlp = load_model_from_config(config, auto_fill=True)
    (corpus,) = resolve_dot_names(nlp.config.interpolate(), ["corpora.train"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert next(iter(corpus(nlp))).reference[0].text == "Maria"


def test_docbin_corpus_names_a_bad_file(tmp_path, nlp):
    (tmp_path / "bad.spacy").write_bytes(b"not a docbin")
    create = registry.readers.get("nlpkit.DocBinCorpus.v1")
    with pytest.raises(CorpusError, match=r"bad\.spacy: not a DocBin file"):
        list(create(str(tmp_path / "bad.spacy"))(nlp))
