"""Settings read from the environment, so code never hard-codes a machine's paths."""

import os
from pathlib import Path

DATA_DIR_ENV = "NLPKIT_DATA_DIR"
CACHE_DIR_ENV = "NLPKIT_CACHE_DIR"


def data_dir() -> Path:
    """Where the public evaluation data sets live.

    RETURNS (Path): $NLPKIT_DATA_DIR, or ../shared/data beside the project root.
    """
    value = os.environ.get(DATA_DIR_ENV)
    if value:
        return Path(value).expanduser()
    project_root = Path(__file__).resolve().parent.parent
    return project_root.parent / "shared" / "data"


def cache_dir() -> Path:
    """Where nlpkit keeps files it makes once and reuses (e.g. unpacked models).

    RETURNS (Path): $NLPKIT_CACHE_DIR, or ~/.cache/nlpkit ($XDG_CACHE_HOME honoured).
    """
    value = os.environ.get(CACHE_DIR_ENV)
    if value:
        return Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "nlpkit"
