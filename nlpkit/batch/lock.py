"""The run lock: one run at a time per output directory.

The driver holds an exclusive flock on OUTPUT/.lock for the life of the run. The
kernel drops the lock when the process dies, however it dies, so a lock left by a
dead run is free to take; the JSON in the file (pid, host, start, command) only
serves to name the holder in the message a second run gets.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import Errors, Warnings

logger = logging.getLogger("nlpkit")

LOCK_NAME = ".lock"

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None


class RunLockedError(RuntimeError):
    """Another live run holds the output directory; `holder` is what it wrote."""

    def __init__(self, message: str, holder: dict[str, Any]):
        super().__init__(message)
        self.holder = holder


def read_holder(fd: int) -> dict[str, Any]:
    os.lseek(fd, 0, os.SEEK_SET)
    data = b""
    while chunk := os.read(fd, 65536):
        data += chunk
    try:
        holder = json.loads(data.decode("utf-8"))
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}


class RunLock:
    """An exclusive lock on an output directory, as a context manager.

    path: the lock file (OUTPUT/.lock). command: what to report as the holder's
    command line (default: this process's argv).
    """

    def __init__(self, output_dir: str | Path, *, command: str | None = None):
        self.path = Path(output_dir) / LOCK_NAME
        self.command = command or " ".join(sys.argv)
        self.fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise RunLockedError (E515) naming the holder."""
        if fcntl is None or self.fd is not None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = read_holder(fd)
            os.close(fd)
            raise RunLockedError(
                Errors.E515.format(
                    path=self.path,
                    pid=holder.get("pid", "?"),
                    host=holder.get("host", "?"),
                    started=holder.get("started", "?"),
                    command=holder.get("command", "command unknown"),
                ),
                holder,
            ) from None
        except BaseException:
            os.close(fd)
            raise
        previous = read_holder(fd)
        if previous.get("pid"):
            logger.warning(
                Warnings.W503.format(
                    path=self.path,
                    pid=previous["pid"],
                    host=previous.get("host", "?"),
                    started=previous.get("started", "?"),
                )
            )
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "command": self.command,
        }
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(holder).encode("utf-8"))
        os.fsync(fd)
        self.fd = fd

    def release(self) -> None:
        """Empty the file (a clean end leaves no holder to report) and unlock.

        The file itself stays: deleting it would let a run that opened it just
        before lock an inode no later run sees.
        """
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        try:
            os.ftruncate(fd, 0)
            # Forked workers share the lock; unlock it for all of them, now.
            fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError:
            pass
        finally:
            os.close(fd)

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
