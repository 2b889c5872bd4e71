"""Parquet: a streaming writer (one row group per batch) and a record reader."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import Errors
from .formats import Format
from .options import READER_DEFAULTS
from .records import Record
from .rejects import Rejects
from .writers import AtomicWriter

DEFAULT_ROW_GROUP_SIZE = 1000


def _known_types():
    import pyarrow as pa

    ent = pa.struct(
        [
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("label", pa.string()),
            ("text", pa.string()),
        ]
    )
    strings = pa.list_(pa.string())
    return {
        "id": pa.string(),
        "text": pa.string(),
        "tokens": strings,
        "lemmas": strings,
        "pos": strings,
        "tags": strings,
        "sents": strings,
        "ents": pa.list_(ent),
        "cats": pa.map_(pa.string(), pa.float64()),
        "vector": pa.list_(pa.float32()),
        "meta": pa.string(),  # JSON: metadata differs from record to record
    }


class ParquetWriter(AtomicWriter):
    """Writes dicts (as doc_to_dict makes them) to Parquet, one row group per
    row_group_size rows, so memory stays flat however many rows are written.

    The columns are fixed by the first batch; id, text, tokens, ents, cats, ... have
    fixed types, "meta" and any other dict values are stored as JSON strings.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        overwrite: bool = True,
        row_group_size: int = DEFAULT_ROW_GROUP_SIZE,
    ):
        super().__init__(path, overwrite=overwrite)
        self.row_group_size = row_group_size
        self._rows: list[dict] = []
        self._writer = None
        self._schema = None

    def write(self, item: dict) -> None:
        if not isinstance(item, dict):
            raise TypeError(
                Errors.E019.format(fmt="parquet", what="dicts", got=type(item).__name__)
            )
        self._rows.append(item)
        self.count += 1
        if len(self._rows) >= self.row_group_size:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._rows:
            return
        if self._schema is None:
            self._schema = self._make_schema(self._rows)
            self._writer = pq.ParquetWriter(self.tmp_path, self._schema)
        names = set(self._schema.names)
        columns = {}
        for name in self._schema.names:
            columns[name] = [self._value(name, row.get(name)) for row in self._rows]
        extra = {k for row in self._rows for k in row} - names
        if extra:
            raise ValueError(
                Errors.E019.format(
                    fmt="parquet",
                    what=f"the columns of the first rows ({', '.join(sorted(names))})",
                    got=f"new column(s) {', '.join(sorted(extra))}",
                )
            )
        table = pa.Table.from_pydict(columns, schema=self._schema)
        self._writer.write_table(table)
        self._rows = []

    def _make_schema(self, rows: list[dict]):
        import pyarrow as pa

        known = _known_types()
        names: list[str] = []
        for row in rows:
            names.extend(k for k in row if k not in names)
        fields = []
        for name in names:
            if name in known:
                fields.append(pa.field(name, known[name]))
                continue
            values = [self._value(name, row.get(name)) for row in rows]
            fields.append(pa.field(name, pa.array(values).type))
        return pa.schema(fields)

    def _value(self, name: str, value):
        if value is None:
            return None
        if name == "meta" or (isinstance(value, dict) and name != "cats"):
            return json.dumps(value, ensure_ascii=False)
        if name == "cats":
            return list(value.items())
        return value

    def _finish(self) -> None:
        self._flush()
        if self._writer is None:  # no rows: still write a valid, empty file
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.table({"id": pa.array([], pa.string())}), self.tmp_path)
        else:
            self._writer.close()

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
        super().abort()


def read_parquet(
    path: str | Path,
    *,
    text_field: str = READER_DEFAULTS.text_field,
    id_field: str = READER_DEFAULTS.id_field,
    batch_size: int = 1000,
    row_groups: Sequence[int] | None = None,
    rejects: Rejects | None = None,
) -> Iterator[Record]:
    """Read rows written by ParquetWriter (or any table with a text column), one
    batch at a time. ents become char spans, cats and meta are restored.

    path: a local file or an fsspec URL (s3://...).
    row_groups: read only these consecutive row groups (a batch worker's shard);
        rows keep their numbers in the whole file.
    RETURNS (Iterator[Record]): line = the 1-based row number.
    """
    import pyarrow.parquet as pq

    from .sources import is_url, open_url

    rejects = rejects or Rejects.raising()
    source = str(path)
    stream = open_url(source) if is_url(source) else None
    try:
        try:
            table = pq.ParquetFile(path if stream is None else stream)
        except Exception as err:  # pyarrow raises several types for a bad file
            rejects.add(source, None, f"not a Parquet file ({err})")
            return
        row = 0
        if row_groups:
            meta = table.metadata
            row = sum(meta.row_group(i).num_rows for i in range(row_groups[0]))
        batches = table.iter_batches(batch_size=batch_size, row_groups=row_groups)
        for batch in batches:
            for item in batch.to_pylist():
                row += 1
                try:
                    record = _row_record(item, text_field, id_field)
                except (ValueError, TypeError, KeyError) as err:
                    rejects.add(source, row, str(err), raw=repr(item)[:200])
                    continue
                record.source, record.line = source, row
                yield record
    finally:
        if stream is not None:
            stream.close()


def row_group_sizes(path: str | Path) -> list[int]:
    """Rows in each row group of a Parquet file (local or URL), from its footer."""
    import pyarrow.parquet as pq

    from .sources import is_url, open_url

    with open_url(str(path)) if is_url(str(path)) else open(path, "rb") as f:
        meta = pq.ParquetFile(f).metadata
        return [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]


def _row_record(item: dict, text_field: str, id_field: str) -> Record:
    text = item.get(text_field)
    if not isinstance(text, str):
        raise ValueError(f"no text in column '{text_field}'")
    ents, cats, meta = item.get("ents"), item.get("cats"), item.get("meta")
    try:
        spans = [(e["start"], e["end"], e["label"]) for e in ents or []]
    except (TypeError, KeyError):
        raise ValueError(f"'ents' is not a list of start/end/label: {ents!r}") from None
    try:
        meta = json.loads(meta) if isinstance(meta, str) else {}
    except json.JSONDecodeError as err:
        raise ValueError(f"'meta' is not JSON ({err.msg})") from None
    return Record(
        text=text,
        id=str(item[id_field]) if item.get(id_field) is not None else None,
        char_spans=spans or None,
        cats=dict(cats) if cats else None,
        meta=meta if isinstance(meta, dict) else {"meta": meta},
    )


PARQUET_FORMAT = Format("parquet", read_parquet, (".parquet",), writer=ParquetWriter)
