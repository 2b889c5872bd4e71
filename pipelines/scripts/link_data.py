"""Point assets/data at the shared data folder: $NLPKIT_DATA_DIR if set, else DEFAULT.

python scripts/link_data.py DEFAULT LINK
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def link_data(default: str, link: str) -> Path:
    """Make LINK a symlink to the data folder; RETURNS (Path): the folder linked to."""
    target = Path(os.environ.get("NLPKIT_DATA_DIR") or default).expanduser().resolve()
    if not target.is_dir():
        raise SystemExit(
            f"Data folder {target} not found: set NLPKIT_DATA_DIR or --vars.data_dir"
        )
    link_path = Path(link)
    link_path.parent.mkdir(parents=True, exist_ok=True)
    if link_path.is_symlink() or link_path.exists():
        link_path.unlink()
    link_path.symlink_to(target, target_is_directory=True)
    return target


if __name__ == "__main__":
    print(f"assets/data -> {link_data(sys.argv[1], sys.argv[2])}")
