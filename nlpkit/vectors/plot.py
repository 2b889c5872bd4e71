"""2-D projections of word vectors (PCA, t-SNE) to a PNG, and projector TSV export."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import Errors


def select_words(
    wv, words: list[str] | None = None, groups: dict[str, list[str]] | None = None,
    *, top: int = 100,
) -> tuple[list[str], list[str]]:  # fmt: skip
    """The words to plot and a group label for each.

    Given groups, every group's words (unknown ones raise E105); given words, one
    group "words"; otherwise the top most frequent words, grouped by k-means.
    RETURNS (tuple[list[str], list[str]]): words and their groups.
    """
    if groups:
        words = [w for ws in groups.values() for w in ws]
        labels = [g for g, ws in groups.items() for _ in ws]
    elif words:
        labels = ["words"] * len(words)
    else:
        words = wv.words[:top]
        from sklearn.cluster import KMeans

        k = max(1, min(6, len(words) // 10))
        km = KMeans(n_clusters=k, n_init=4, random_state=0).fit(wv.unit[: len(words)])
        labels = [f"cluster {c}" for c in km.labels_]
    missing = [w for w in words if wv.get(w) is None]
    if missing:
        raise KeyError(Errors.E105.format(words=missing, size=len(wv)))
    return list(words), labels


def project(vectors: np.ndarray, method: str = "pca", *, seed: int = 0) -> np.ndarray:
    """(n, 2) coordinates by PCA or t-SNE (perplexity adapted to small n)."""
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=seed).fit_transform(vectors)
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(max(2, min(30, (len(vectors) - 1) // 3)))
        return TSNE(
            n_components=2, perplexity=perplexity, init="pca", random_state=seed
        ).fit_transform(vectors)
    raise ValueError(Errors.E107.format(what="method", value=method, known="pca, tsne"))


def plot_vectors(
    wv,
    output: str | Path,
    *,
    words: list[str] | None = None,
    groups: dict[str, list[str]] | None = None,
    methods: tuple[str, ...] = ("pca", "tsne"),
    top: int = 100,
    seed: int = 0,
) -> Path:
    """Plot words in 2-D, one panel per method, labelled and coloured by group.

    RETURNS (Path): the PNG written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    words, labels = select_words(wv, words, groups, top=top)
    if len(words) < 3:
        raise ValueError(
            Errors.E108.format(what="words to plot", rule=">= 3", value=len(words))
        )
    vectors = np.vstack([wv[w] for w in words])
    names = list(dict.fromkeys(labels))
    colors = plt.get_cmap("tab10")
    fig, axes = plt.subplots(
        1, len(methods), figsize=(7 * len(methods), 6), squeeze=False
    )
    for ax, method in zip(axes[0], methods):
        xy = project(vectors, method, seed=seed)
        for k, name in enumerate(names):
            idx = [i for i, g in enumerate(labels) if g == name]
            ax.scatter(xy[idx, 0], xy[idx, 1], color=colors(k % 10), label=name, s=25)
        for (x, y), word in zip(xy, words):
            ax.annotate(
                word, (x, y), fontsize=8, xytext=(3, 3), textcoords="offset points"
            )
        ax.set_title({"pca": "PCA", "tsne": "t-SNE"}.get(method, method))
        ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=100)
    plt.close(fig)
    return output


def export_projector(
    wv, output_dir: str | Path, *, top: int | None = 10000
) -> tuple[Path, Path]:
    """Write vectors.tsv and metadata.tsv for projector.tensorflow.org.

    RETURNS (tuple[Path, Path]): the two files.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    n = len(wv) if top is None else min(top, len(wv))
    vec_path, meta_path = output_dir / "vectors.tsv", output_dir / "metadata.tsv"
    with vec_path.open("w", encoding="utf-8") as f:
        for vec in wv.vectors[:n]:
            f.write("\t".join(f"{x:.6g}" for x in vec) + "\n")
    with meta_path.open("w", encoding="utf-8") as f:
        for word in wv.words[:n]:
            f.write(word.replace("\t", " ") + "\n")
    return vec_path, meta_path
