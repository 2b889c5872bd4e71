"""`nlpkit llm run` and `nlpkit llm eval`: LLM hand-off over a corpus, and its scores."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ._util import Arg, Opt, app, console, fail, progress_bar

llm_app = typer.Typer(
    help="LLM hand-off: run an LLM task over a corpus; score generated text.",
    no_args_is_help=True,
)
app.add_typer(llm_app, name="llm")


@llm_app.command("run")
def run_cli(
    inputs: list[str] = Arg(..., help="Input files, directories or globs"),
    output: Path = Opt(..., "--output", "-o", help="Output directory"),
    task: str = Opt(
        "summarize", "--task", "-t", help="summarize, ner, textcat or prompt"
    ),
    labels: str = Opt(None, "--labels", help="Comma-separated labels (ner, textcat)"),
    template: str = Opt(
        None, "--template", help="Jinja2 template text or file (prompt)"
    ),
    examples: Path = Opt(None, "--examples", help="Few-shot examples (.jsonl/.yaml)"),
    base: str = Opt(None, "--base", help="spaCy pipeline to run before the LLM"),
    route: str = Opt(None, "--route", help="all, no_entities or low_confidence[:0.8]"),
    base_url: str = Opt(
        None,
        "--base-url",
        help="OpenAI-compatible server (default: SmolLM2 in process)",
    ),
    model: str = Opt(None, "--model", help="Model name on the server"),
    api_key_env: str = Opt(
        None, "--api-key-env", help="NAME of the env variable with the API key"
    ),
    model_path: Path = Opt(None, "--gguf", help="GGUF file for the in-process backend"),
    max_new_tokens: int = Opt(64, "--max-new-tokens"),
    temperature: float = Opt(0.0, "--temperature"),
    concurrency: int = Opt(4, "--concurrency", help="Requests in flight (HTTP)"),
    cache: Path = Opt(None, "--cache", help="SQLite cache file"),
    no_cache: bool = Opt(False, "--no-cache", help="Bypass the cache"),
    batch_size: int = Opt(16, "--batch-size", "-b"),
    price_in: float = Opt(0.0, "--price-in", help="Price per 1k input tokens"),
    price_out: float = Opt(0.0, "--price-out", help="Price per 1k output tokens"),
) -> None:
    """Annotate a corpus with an LLM task; writes the docs and prints run stats."""
    from ..batch import process
    from ..llm.build import backend_config, build_pipeline, route_config, task_config

    try:
        task_cfg = task_config(
            task,
            labels=labels.split(",") if labels else None,
            template=template,
            examples=examples,
        )
        backend_cfg = backend_config(
            base_url=base_url,
            model=model,
            api_key_env=api_key_env,
            model_path=model_path,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            max_concurrency=concurrency,
        )
        nlp = build_pipeline(
            base,
            task_cfg,
            backend_cfg,
            route=route_config(route),
            cache_path=str(cache) if cache else None,
            use_cache=not no_cache,
            batch_size=batch_size,
            rejects_path=str(output / "llm_rejects.jsonl"),
            price_per_1k_input=price_in,
            price_per_1k_output=price_out,
        )
    except (ValueError, FileNotFoundError) as err:
        fail(str(err))
    field = {"summarize": "_.summary", "prompt": "_.llm_output"}.get(task)
    attrs = ["text", "ents", "cats", "_.llm_error", "_.llm_raw"] + (
        [field] if field else []
    )
    with progress_bar() as bar:
        progress = bar.add_task("LLM", total=None)
        summary = process(
            nlp,
            inputs,
            output,
            attrs=attrs,
            batch_size=batch_size,
            on_progress=lambda n: bar.update(progress, advance=n),
        )
    print_table(
        "nlpkit llm run", {**summary.to_dict(), **nlp.get_pipe("llm").stats.to_dict()}
    )


@llm_app.command("eval")
def eval_cli(
    path: Path = Arg(..., help="JSONL file with predictions and references"),
    pred_field: str = Opt("prediction", "--pred-field"),
    ref_field: str = Opt("reference", "--ref-field"),
    query_field: str = Opt(None, "--query-field", help="Question field, for the judge"),
    metrics: str = Opt("rouge,bleu", "--metrics", help="rouge, bleu, accuracy, judge"),
    judge_model: str = Opt(None, "--judge", help="Cross-encoder model path or name"),
    stemmer: bool = Opt(False, "--stemmer", help="Porter stemming in ROUGE"),
) -> None:
    """Score generated text against references and print a table."""
    from ..evaluate.generation import evaluate_generation, read_pairs

    names = [m.strip() for m in metrics.split(",") if m.strip()]
    try:
        preds, refs, queries = read_pairs(path, pred_field, ref_field, query_field)
        judge = None
        if "judge" in names and judge_model:
            from ..retrieval.judge import CrossEncoderJudge

            judge = CrossEncoderJudge(judge_model)
        scores = evaluate_generation(
            preds,
            refs,
            metrics=names,
            queries=queries,
            judge=judge,
            use_stemmer=stemmer,
        )
    except (ValueError, FileNotFoundError) as err:
        fail(str(err))
    print_table(f"nlpkit llm eval: {path.name}", scores)


def print_table(title: str, values: dict) -> None:
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in values.items():
        table.add_row(
            str(key), f"{value:.4f}" if isinstance(value, float) else str(value)
        )
    console.print(table)
