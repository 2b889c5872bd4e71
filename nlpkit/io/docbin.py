"""spaCy DocBin (.spacy) files: a reader of records and a writer of Docs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import CorpusError, Errors
from .formats import Format
from .records import USER_DATA_KEYS, Record
from .rejects import Rejects
from .writers import AtomicWriter


def iter_docbin_docs(path: str | Path, vocab) -> Iterator:
    """The Docs of one .spacy file (spaCy loads a DocBin file whole)."""
    from spacy.tokens import DocBin

    from .sources import is_url, open_url

    try:
        if is_url(str(path)):  # an fsspec URL: DocBin.from_disk takes local paths
            with open_url(str(path)) as f:
                doc_bin = DocBin(store_user_data=True).from_bytes(f.read())
        else:
            doc_bin = DocBin(store_user_data=True).from_disk(path)
    except (ValueError, KeyError, TypeError) as err:
        raise CorpusError(
            Errors.E002.format(place=str(path), reason=_not_docbin(err)),
            source=str(path),
        ) from err
    yield from doc_bin.get_docs(vocab)


def _not_docbin(err: Exception) -> str:
    return f"not a DocBin file ({err})"


def read_docbin(
    path: str | Path, *, rejects: Rejects | None = None
) -> Iterator[Record]:
    """Read a .spacy file as records (tokens, spaces, entities, cats, id and meta).

    RETURNS (Iterator[Record]): ids from the doc's user_data, else '<file>:<n>'.
    """
    from spacy.vocab import Vocab

    rejects = rejects or Rejects.raising()
    source = str(path)
    name = Path(path).name
    try:
        docs = iter_docbin_docs(path, Vocab())
        for i, doc in enumerate(docs, 1):
            yield Record(
                words=[t.text for t in doc],
                spaces=[bool(t.whitespace_) for t in doc],
                ents=[(e.start, e.end, e.label_) for e in doc.ents] or None,
                cats=dict(doc.cats) or None,
                id=doc.user_data.get("id") or f"{name}:{i}",
                meta=dict(doc.user_data.get("meta") or {}),
                source=source,
                line=doc.user_data.get("line"),
            )
    except CorpusError as err:
        # the error already names the file: keep only its reason
        rejects.add(source, None, _not_docbin(err.__cause__))


class DocBinWriter(AtomicWriter):
    """Writes spaCy Docs to a .spacy file. A DocBin is saved in one piece, so the
    docs are held in their compact DocBin arrays until close()."""

    def __init__(self, path: str | Path, *, overwrite: bool = True, attrs=None):
        from spacy.tokens import DocBin
        from srsly.msgpack import Packer

        super().__init__(path, overwrite=overwrite)
        kwargs = {"attrs": attrs} if attrs is not None else {}
        # user_data is packed here with one reused Packer: DocBin.add builds a new
        # one per doc, which scans the msgpack entry points each time (~2 ms/doc)
        self._doc_bin = DocBin(store_user_data=False, **kwargs)
        self._packer = Packer(use_bin_type=True)

    def write(self, doc) -> None:
        from spacy.tokens import Doc

        if not isinstance(doc, Doc):
            raise TypeError(
                Errors.E019.format(
                    fmt="spacy", what="spaCy Doc objects", got=type(doc).__name__
                )
            )
        # keep only the plain user_data (id, meta, source, line)
        user_data = {k: doc.user_data[k] for k in USER_DATA_KEYS if k in doc.user_data}
        self._doc_bin.add(doc)
        self._doc_bin.user_data.append(self._packer.pack(user_data))
        self.count += 1

    def _finish(self) -> None:
        self._doc_bin.store_user_data = True
        self._doc_bin.to_disk(self.tmp_path)


SPACY_FORMAT = Format("spacy", read_docbin, (".spacy",), writer=DocBinWriter)
