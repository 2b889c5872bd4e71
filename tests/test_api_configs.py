"""The configs in pipelines/ as shipped: filled, valid for spacy debug config and
debug data, and failing early with an nlpkit error when required vectors are missing."""

from pathlib import Path

import numpy as np
import pytest
import spacy
from spacy.cli.debug_config import debug_config
from spacy.cli.debug_data import debug_data
from spacy.cli.init_config import fill_config
from spacy.cli.train import train
from spacy.tokens import DocBin
from spacy.util import load_config

ROOT = Path(__file__).resolve().parent.parent
PIPELINES = ROOT / "pipelines"
CONFIGS = sorted(p.name for p in PIPELINES.glob("*.cfg"))
NER_TRAIN = ROOT / "tests" / "fixtures" / "ner" / "train.iob"
NER_DEV = ROOT / "tests" / "fixtures" / "ner" / "dev.iob"
NER_SAMPLE = ROOT / "corpora" / "ner" / "ner.iob"
REVIEWS = ROOT / "corpora" / "textcat" / "reviews.jsonl"
STATIC_VECTOR_CONFIGS = [
    "ner.cfg",
    "textcat.cfg",
    "textcat_cnn.cfg",
    "textcat_cnn_multilabel.cfg",
    "textcat_multilabel.cfg",
]


@pytest.fixture(scope="module")
def vectors(tmp_path_factory):
    """A tiny spaCy vectors folder for the words of the sample corpora."""
    path = tmp_path_factory.mktemp("vectors")
    nlp = spacy.blank("en")
    rng = np.random.default_rng(0)
    lines = NER_SAMPLE.read_text(encoding="utf8").splitlines()
    words = {line.split("\t")[0].lower() for line in lines}
    words |= {t.lower_ for t in nlp.make_doc(REVIEWS.read_text(encoding="utf8"))}
    for word in sorted(w for w in words if w.strip()):
        nlp.vocab.set_vector(word, rng.normal(size=8).astype("float32"))
    nlp.to_disk(path)
    return path


@pytest.mark.parametrize("name", CONFIGS)
def test_config_is_filled(name, tmp_path):
    """Each shipped config is what `spacy init fill-config` makes of it."""
    filled = tmp_path / name
    fill_config(filled, PIPELINES / name, silent=True)
    assert load_config(PIPELINES / name) == load_config(filled)


@pytest.fixture(scope="module")
def docbin(tmp_path_factory):
    """The reviews as a .spacy file, for configs that read spacy.Corpus.v1."""
    from nlpkit.io.spacy_readers import create_textcat_corpus

    nlp = spacy.blank("en")
    path = tmp_path_factory.mktemp("docbin") / "reviews.spacy"
    docs = [eg.reference for eg in create_textcat_corpus(REVIEWS)(nlp)]
    DocBin(docs=docs, store_user_data=True).to_disk(path)
    return path


def corpus_paths(name: str, docbin: Path) -> dict:
    """--paths.train/--paths.dev for a config: a fixture in the format it reads."""
    readers = {
        section.get("@readers")
        for section in load_config(PIPELINES / name).get("corpora", {}).values()
    }
    if "nlpkit.IOBCorpus.v1" in readers:
        return {"paths.train": str(NER_TRAIN), "paths.dev": str(NER_DEV)}
    path = REVIEWS if "nlpkit.TextCatCorpus.v1" in readers else docbin
    return {"paths.train": str(path), "paths.dev": str(path)}


@pytest.mark.parametrize("name", CONFIGS)
def test_debug_config(name, docbin):
    """`spacy debug config` accepts each config given only its corpus paths (like
    spaCy's own configs, whose corpus paths are null); it exits on an error."""
    debug_config(PIPELINES / name, overrides=corpus_paths(name, docbin))


@pytest.mark.parametrize("name", ["ner.cfg", "textcat.cfg", "textcat_bow.cfg"])
def test_debug_data(name, vectors):
    """`spacy debug data` runs on the configs with the sample corpora (it exits when it
    finds an error; "fewer than 100 examples" is one, so the fixtures are too small)."""
    path = NER_SAMPLE if name == "ner.cfg" else REVIEWS
    overrides = {"paths.train": str(path), "paths.dev": str(path)}
    overrides["paths.vectors"] = str(vectors)
    debug_data(PIPELINES / name, config_overrides=overrides, silent=True)


@pytest.mark.parametrize("name", STATIC_VECTOR_CONFIGS)
def test_static_vectors_without_vectors_raise(name, tmp_path):
    """Without --paths.vectors: nlpkit's E224, not thinc's IndexError."""
    if name == "ner.cfg":
        paths = {"paths.train": str(NER_TRAIN), "paths.dev": str(NER_DEV)}
    else:
        paths = {"paths.train": str(REVIEWS), "paths.dev": str(REVIEWS)}
    with pytest.raises(ValueError, match=r"E224.*--paths\.vectors") as err:
        train(PIPELINES / name, tmp_path, overrides=paths)
    assert "--components.tok2vec.model.embed.include_static_vectors false" in str(
        err.value
    )


def test_ner_cfg_trains_without_static_vectors(tmp_path):
    """The override that E224 suggests trains ner.cfg with no vectors at all."""
    overrides = {
        "paths.train": str(NER_TRAIN),
        "paths.dev": str(NER_DEV),
        "vars.token_prefix": "en:",
        "components.tok2vec.model.embed.include_static_vectors": False,
        "training.max_steps": 2,
        "training.eval_frequency": 1,
    }
    train(PIPELINES / "ner.cfg", tmp_path, overrides=overrides)
    nlp = spacy.load(tmp_path / "model-last")
    assert nlp.vocab.vectors.shape[0] == 0
    assert "PER" in nlp.get_pipe("ner").labels


def test_textcat_vectors_cfg_without_vectors_raise(tmp_path):
    paths = {"paths.train": str(REVIEWS), "paths.dev": str(REVIEWS)}
    with pytest.raises(ValueError, match="E209"):
        train(PIPELINES / "textcat_vectors.cfg", tmp_path, overrides=paths)
