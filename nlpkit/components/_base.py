"""What nlpkit's components share: batched calls and the serialized layout.

`BatchPipe` runs predict + set_annotations per batch under spaCy's error handler,
passing every doc on (a batch whose handler swallowed the error too). The folder
layout is spaCy's `util.to_disk` map with the settings in `cfg` (JSON); older
folders with `cfg.json` still load, and a missing folder is E001. Bytes are the
same map packed by spaCy's `util.to_bytes`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import srsly
from spacy import util
from spacy.pipeline import Pipe
from spacy.tokens import Doc

from ..errors import Errors
from ..util import read_cfg_file


class BatchPipe(Pipe):
    """A Pipe whose __call__ and pipe go through predict and set_annotations."""

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        error_handler = self.get_error_handler()
        for docs in util.minibatch(stream, size=batch_size):
            try:
                self.set_annotations(docs, self.predict(docs))
            except Exception as e:
                error_handler(self.name, self, docs, e)
            yield from docs


def write_bytes(
    cfg: dict[str, Any], writers: dict[str, Callable[[], Any]], exclude: Iterable[str]
) -> bytes:
    """cfg (JSON) and each of writers' values, as spaCy's util.to_bytes packs them."""
    return util.to_bytes({"cfg": lambda: srsly.json_dumps(cfg), **writers}, exclude)


def read_bytes(
    data: bytes,
    readers: dict[str, Callable[[Any], Any]],
    exclude: Iterable[str],
    *,
    set_cfg: Callable[[dict[str, Any]], Any],
) -> None:
    """Read write_bytes output: set_cfg(its cfg), then each reader whose key is there."""
    setters = {"cfg": lambda b: set_cfg(srsly.json_loads(b)), **readers}
    util.from_bytes(data, setters, exclude)


def write_folder(
    path: str | Path,
    cfg: dict[str, Any],
    writers: dict[str, Callable[[Path], Any]],
    exclude: Iterable[str],
) -> None:
    """Write cfg (JSON) and each of writers' files or folders under path."""
    serializers = {"cfg": lambda p: srsly.write_json(p, cfg), **writers}
    util.to_disk(path, serializers, exclude)


def read_folder(
    path: str | Path,
    readers: dict[str, Callable[[Path], Any]],
    exclude: Iterable[str],
    *,
    set_cfg: Callable[[dict[str, Any]], Any] | None = None,
) -> Path:
    """Read a write_folder folder: set_cfg(its cfg), then each reader in order.

    Raises E001 (FileNotFoundError) for a missing folder or cfg; readers get
    their path whether or not it exists (older layouts name files differently).
    RETURNS (Path): the folder.
    """
    path = util.ensure_path(path)
    if not path.exists():
        raise FileNotFoundError(Errors.E001.format(path=path))
    if set_cfg is not None and "cfg" not in exclude:
        set_cfg(read_cfg_file(path))
    util.from_disk(path, readers, exclude)
    return path
