"""Resolving model names and paths offline, and picking a device."""

from __future__ import annotations

from ..errors import Errors
from ..models import ModelLoadError, looks_like_path, resolve_model

__all__ = [
    "ModelLoadError",
    "hub_error",
    "looks_like_path",
    "pick_device",
    "resolve_model",
]


def pick_device(device: str | None = None) -> str:
    if device:
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def hub_error(name: str, err: Exception) -> ModelLoadError:
    reason = f"not a local folder, and loading it failed ({type(err).__name__}: {err})"
    return ModelLoadError(Errors.E303.format(name=name, reason=reason[:400]))
