"""Small helpers shared across nlpkit."""

from __future__ import annotations

from pathlib import Path

from .errors import Errors


def load_pipeline(name_or_path: str | Path, **kwargs):
    """spacy.load with an nlpkit error that says what to give instead."""
    import spacy

    try:
        return spacy.load(name_or_path, **kwargs)
    except OSError as err:
        raise OSError(Errors.E009.format(name=name_or_path, reason=err)) from err


def folder_to_bytes(path: str | Path) -> bytes:
    """Every file under a folder, packed with msgpack as {relative path: bytes}."""
    import srsly

    root = Path(path)
    files = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    return srsly.msgpack_dumps(files)


def bytes_to_folder(data: bytes, path: str | Path) -> Path:
    """Unpack folder_to_bytes output under path; names leaving path are refused."""
    import srsly

    root = Path(path).resolve()
    for name, content in srsly.msgpack_loads(data).items():
        target = (root / name).resolve()
        if not target.is_relative_to(root):
            raise ValueError(Errors.E020.format(name=name, root=root))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return root
