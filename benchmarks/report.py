"""Render the tables of benchmarks/README.md from benchmarks/results/*/*.json.

    python -m benchmarks.report            # rewrite the generated sections
    python -m benchmarks.report --check    # exit 1 if README.md is out of date

Only the text between `<!-- BEGIN GENERATED: <section> -->` and `<!-- END GENERATED
-->` is written; a hand edit there is undone here and fails the test.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from benchmarks.harness import RESULTS
from benchmarks.registry import AREAS, EXPERIMENTS

README = Path(__file__).resolve().parent / "README.md"
END = "<!-- END GENERATED -->"
SECTION_RE = re.compile(
    r"(<!-- BEGIN GENERATED: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(" + END + ")",
    re.S,
)


def load_results(results: Path) -> dict[str, dict]:
    out = {}
    for exp in EXPERIMENTS:
        path = results / exp.area / f"{exp.name}.json"
        if path.exists():
            out[exp.name] = json.loads(path.read_text(encoding="utf-8"))
    return out


def fmt_ratio(x) -> str:
    return "-" if x is None else f"{x:.2f}x"


def fmt_value(x, unit: str) -> str:
    if x is None:
        return "-"
    if unit == "s":
        return f"{x:.3g} s" if x < 100 else f"{x:,.0f} s"
    if unit == "MB":
        return f"{x:,.1f} MB"
    if unit == "":  # a score (nDCG, Spearman): fixed decimals, so rows line up
        return f"{x:.4f}"
    return f"{x:,.4g} {unit}".strip()


def fmt_spread(r: dict, key: str) -> str:
    spread = r.get(f"{key}_spread")
    value = fmt_value(r[key], r.get("unit", "s"))
    if not spread or spread[0] == spread[1]:
        return value
    return f"{value} ({spread[0]:.3g}-{spread[1]:.3g})"


def summary_table(results: dict[str, dict]) -> str:
    lines = [
        "| benchmark | goal | peer | ratio | size | measured | load before | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for exp in EXPERIMENTS:
        r = results.get(exp.name)
        goal = exp.goal["text"] if exp.goal else "(no goal: for reference)"
        if r is None:
            lines.append(
                f"| {exp.name} | {goal} | {exp.peer} | - | - | not yet measured "
                "| - | - |"
            )
            continue
        verdict = r["verdict"]
        if r["status"] != "measured":
            verdict = f"{r['status']}: {r.get('message') or ''}".strip()
        lines.append(
            f"| {exp.name} | {goal} | {r['peer']} | {fmt_ratio(r['ratio'])} "
            f"| {r['size']} | {r['date'][:10]} | {r['loadavg_before'][0]:.2f} "
            f"| {verdict} |"
        )
    return "\n".join(lines)


def area_table(area: str, results: dict[str, dict]) -> str:
    lines = [
        "| benchmark | case | nlpkit | peer | peer figure | ratio |",
        "|---|---|---|---|---|---|",
    ]
    notes = []
    for exp in (e for e in EXPERIMENTS if e.area == area):
        r = results.get(exp.name)
        if r is None or r["status"] != "measured":
            why = "not yet measured" if r is None else r.get("message") or r["status"]
            lines.append(f"| {exp.name} | {why} | - | {exp.peer} | - | - |")
            continue
        for x in r["rows"]:
            ratio = fmt_ratio(x["ratio"])
            if x.get("unit") == "":  # a score: the ratio column holds the difference
                ratio = f"{x['ratio']:+.3f}"
            lines.append(
                f"| {exp.name} | {x['case']} | {fmt_spread(x, 'ours')} "
                f"| {x['peer_name']} | {fmt_spread(x, 'peer')} | {ratio} |"
            )
        for key, value in sorted(r.get("checks", {}).items()):
            notes.append(f"- {exp.name}: {key} = {json.dumps(value)}")
        notes.append(
            f"- {exp.name}: {r['size']} size, {r['rounds']} round(s), "
            f"{r['date']}, load {r['loadavg_before'][0]:.2f} -> "
            f"{r['loadavg_after'][0]:.2f}, {r['cpu_count']} CPUs, commit "
            f"{(r['git']['commit'] or '?')[:10]}"
            + (f", {r['wall_s']:.0f} s in all" if r.get("wall_s") else "")
            + (" (nlpkit had local changes)" if r["git"].get("nlpkit_dirty") else "")
        )
    return "\n".join(lines + ([""] + notes if notes else []))


def runs_table(results_dir: Path) -> str:
    """The last whole run of each size: its wall time against the size's budget."""
    lines = [
        "| command | experiments | failed | wall time | sum of their own times "
        "| cache at start | date | commit |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size, command in (("quick", "make bench-quick"), ("full", "make bench")):
        path = results_dir / "runs" / f"{size}.json"
        if not path.exists():
            lines.append(f"| {command} | - | - | not yet run | - | - | - | - |")
            continue
        r = json.loads(path.read_text(encoding="utf-8"))
        dirty = " (local changes)" if r["git"].get("nlpkit_dirty") else ""
        lines.append(
            f"| {command} | {r['experiments']} | {len(r['failed'])} "
            f"| {r['wall_s'] / 60:.1f} min | {r['sum_s'] / 60:.1f} min "
            f"| {'empty' if r['cache_empty'] else 'filled'} | {r['date']} "
            f"| {(r['git'].get('commit') or '?')[:10]}{dirty} |"
        )
    return "\n".join(lines)


def render(results_dir: Path = RESULTS) -> dict[str, str]:
    results = load_results(results_dir)
    sections = {"summary": summary_table(results), "runs": runs_table(results_dir)}
    for area in AREAS:
        sections[f"area-{area}"] = area_table(area, results)
    return sections


def apply(text: str, sections: dict[str, str]) -> str:
    """text with each generated section's body replaced; raises if one is missing."""
    found = set()

    def sub(m):
        name = m.group("name")
        if name not in sections:
            raise ValueError(f"unknown generated section {name!r}")
        found.add(name)
        return m.group(1) + sections[name] + "\n" + END

    out = SECTION_RE.sub(sub, text)
    missing = set(sections) - found
    if missing:
        raise ValueError(f"README has no markers for: {', '.join(sorted(missing))}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    new = apply(text, render(args.results))
    if args.check:
        if new != text:
            print(f"{args.readme} is out of date: run python -m benchmarks.report")
            return 1
        return 0
    if new != text:
        args.readme.write_text(new, encoding="utf-8")
    print(f"wrote {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
