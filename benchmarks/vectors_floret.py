"""How close the floret table's vectors come to fastText's own, seen and unseen words.

fastText (gensim) is trained on gensim's lee_background.cor (60k tokens); the words of
WS-353 are split into those in its vocabulary and those not (their vectors come from
n-grams only). Mean cosine between spaCy's floret-mode vectors and fastText's.

Run: .venv/bin/python -m benchmarks.vectors_floret
"""

from __future__ import annotations

from benchmarks._common import save_results


def main() -> None:
    from gensim.test.utils import datapath

    from nlpkit.vectors.evaluate import read_pairs
    from nlpkit.vectors.floret import floret_agreement, to_floret
    from nlpkit.vectors.train import train_fasttext

    wv = train_fasttext(
        [datapath("lee_background.cor")], dim=100, epochs=5, min_count=5, threads=2
    )
    pairs = read_pairs(datapath("wordsim353.tsv"))
    words = sorted({w for a, b, _ in pairs for w in (a, b)})
    seen = [w for w in words if w in wv]
    unseen = [w for w in words if w not in wv]
    rows = {}
    for hash_count in (1, 2):
        table = to_floret(wv, hash_count=hash_count)
        rows[hash_count] = {
            "rows": table.shape[0],
            "seen": floret_agreement(wv, table, seen),
            "unseen": floret_agreement(wv, table, unseen),
        }
        print(
            f"hash_count={hash_count}, {table.shape[0]:,} rows: mean cosine "
            f"{rows[hash_count]['seen']:.3f} on {len(seen)} seen words, "
            f"{rows[hash_count]['unseen']:.3f} on {len(unseen)} unseen words"
        )
    save_results(
        "vectors_floret", {"n_seen": len(seen), "n_unseen": len(unseen), **rows}
    )


if __name__ == "__main__":
    main()
