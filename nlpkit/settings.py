"""Settings read from the environment, so code never hard-codes a machine's paths."""

import os
from pathlib import Path

DATA_DIR_ENV = "NLPKIT_DATA_DIR"


def data_dir() -> Path:
    """Where the public evaluation data sets live.

    RETURNS (Path): $NLPKIT_DATA_DIR, or ../shared/data beside the project root.
    """
    value = os.environ.get(DATA_DIR_ENV)
    if value:
        return Path(value).expanduser()
    project_root = Path(__file__).resolve().parent.parent
    return project_root.parent / "shared" / "data"
