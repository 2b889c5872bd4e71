"""`nlpkit llm run` and `nlpkit llm eval`: LLM hand-off over a corpus, and its scores."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ..evaluate.generation import evaluate_generation
from ..llm.http import OpenAICompatibleBackend
from ..llm.run import run_llm
from ..llm.types import GenerationSettings
from . import options as opt
from ._util import (
    Arg,
    Opt,
    Typer,
    app,
    clear_errors,
    console,
    fail,
    progress_callbacks,
    run_errors,
)

# Defaults come from the library, never restated here.
GENERATION = GenerationSettings()
RUN = opt.defaults_of(run_llm)
SCORES = opt.defaults_of(evaluate_generation)

llm_app = Typer(
    help="LLM hand-off: run an LLM task over a corpus; score generated text.",
    no_args_is_help=True,
)
app.add_typer(llm_app, name="llm")


def _tasks():
    from ..llm.build import task_names

    return task_names()


@llm_app.command("run")
def run_cli(
    inputs: list[str] = Arg(..., help="Input files, directories or globs"),
    output: Path = opt.output("Output directory"),
    input_format: opt.InputFormat = None,
    text_field: opt.TextField = None,
    label_field: opt.LabelField = None,
    reader_option: opt.ReaderOption = (),
    task: str = opt.choice(
        "summarize", "--task", "-t", choices=_tasks, help="The LLM task"
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
    max_new_tokens: int = Opt(GENERATION.max_new_tokens, "--max-new-tokens"),
    temperature: float = Opt(GENERATION.temperature, "--temperature"),
    concurrency: int = Opt(
        OpenAICompatibleBackend.DEFAULT_MAX_CONCURRENCY,
        "--concurrency",
        help="Requests in flight (HTTP)",
    ),
    cache: Path = Opt(None, "--cache", help="SQLite cache file"),
    no_cache: bool = Opt(False, "--no-cache", help="Bypass the cache"),
    batch_size: int = Opt(RUN["batch_size"], "--batch-size", "-b"),
    shard_size: int = Opt(
        RUN["shard_size"],
        "--shard-size",
        help="Docs per shard (unit of resume; small for LLMs)",
    ),
    timeout: float = Opt(
        None, "--timeout", help="Seconds per request (HTTP); may change on --resume"
    ),
    resume: opt.Resume = False,
    overwrite: opt.Overwrite = False,
    max_reject_rate: opt.MaxRejectRate = None,
    price_in: float = Opt(0.0, "--price-in", help="Price per 1k input tokens"),
    price_out: float = Opt(0.0, "--price-out", help="Price per 1k output tokens"),
) -> None:
    """Annotate a corpus with an LLM task; writes the docs and prints run stats.

    The output is sharded with a manifest, as for `nlpkit process`: --resume continues
    an interrupted run with no doc missing or duplicated; --overwrite starts again.
    Docs the LLM failed on keep doc._.llm_error and are listed in
    OUTPUT/llm_rejects.jsonl. Exits 1 when no server answers at --base-url, when
    every LLM request failed, and while another run holds OUTPUT/.lock.
    """
    from ..llm.build import backend_config, build_pipeline, route_config, task_config
    from ..llm.run import LLMRunFailed

    options = opt.reader_options(
        reader_option, text_field=text_field, label_field=label_field
    )
    with clear_errors():
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
            price_per_1k_input=price_in,
            price_per_1k_output=price_out,
        )
    field = {"summarize": "_.summary", "prompt": "_.llm_output"}.get(task)
    attrs = ["text", "ents", "cats", "_.llm_error", "_.llm_raw"] + (
        [field] if field else []
    )

    def failed(err):
        if isinstance(err, LLMRunFailed):
            print_run(err.summary.to_dict())

    with run_errors(output, failed), progress_callbacks("LLM") as progress:
        summary = run_llm(
            nlp,
            inputs,
            output,
            attrs=attrs,
            timeout=timeout,
            resume=resume,
            overwrite=overwrite,
            batch_size=batch_size,
            shard_size=shard_size,
            max_reject_rate=max_reject_rate,
            input_format=input_format,
            reader_options=options,
            **progress,
        )
    print_run(summary.to_dict())


@llm_app.command("eval")
def eval_cli(
    path: Path = Arg(..., help="JSONL file with predictions and references"),
    pred_field: str = Opt("prediction", "--pred-field"),
    ref_field: str = Opt("reference", "--ref-field"),
    query_field: str = Opt(None, "--query-field", help="Question field, for the judge"),
    metrics: str = opt.choice(
        ",".join(SCORES["metrics"]),
        "--metrics",
        choices=opt.library("evaluate.generation", "METRICS"),
        sep=",",
        help="Metrics, comma-separated",
    ),
    judge_model: str = Opt(None, "--judge", help="Cross-encoder model path or name"),
    stemmer: bool = Opt(False, "--stemmer", help="Porter stemming in ROUGE"),
) -> None:
    """Score generated text against references and print a table."""
    from ..evaluate.generation import read_pairs

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
    print_table(
        f"nlpkit llm eval: {path.name}",
        {metric_label(k): v for k, v in scores.items()},
        counts=("pairs",),
    )


RUN_ROWS = {
    "read": "records read",
    "written": "docs written",
    "rejected": "records rejected",
    "docs_routed": "docs sent to the LLM",
    "docs_skipped": "docs kept by the route",
    "docs_empty": "empty docs (not sent)",
    "cache_hits": "answers from the cache",
    "requests_sent": "requests sent",
    "failures": "LLM failures",
    "tokens_in": "tokens in",
    "tokens_out": "tokens out",
    "seconds": "time (s)",
    "docs_per_second": "docs/s",
    "estimated_cost": "estimated cost",
    "shards_skipped": "shards skipped (resume)",
    "output": "output",
    "llm_rejects_file": "LLM failures file",
}


# Digits worth showing; other floats get format_value's default.
RUN_FORMATS = {"seconds": "{:,.2f}", "docs_per_second": "{:,.1f}"}


def print_run(values: dict) -> None:
    rows = {
        label: RUN_FORMATS[key].format(values[key])
        if key in RUN_FORMATS and isinstance(values[key], (int, float))
        else values[key]
        for key, label in RUN_ROWS.items()
        if key in values
    }
    print_table("nlpkit llm run", rows)


def metric_label(key: str) -> str:
    """'rouge1_f' -> 'ROUGE-1 F1', 'bleu' -> 'BLEU', 'n' -> 'pairs'."""
    names = {"n": "pairs", "bleu": "BLEU", "accuracy": "accuracy"}
    if key in names:
        return names[key]
    kinds = {"_p": "precision", "_r": "recall", "_f": "F1"}
    base, kind = key[:-2], kinds.get(key[-2:])
    if key.startswith("rouge") and kind:
        variant = base[len("rouge") :]
        return f"ROUGE-{variant} {kind}"
    return key.replace("_", " ")


def print_table(title: str, values: dict, *, counts: tuple[str, ...] = ()) -> None:
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in values.items():
        table.add_row(str(key), format_value(value, count=key in counts))
    console.print(table)


def format_value(value, *, count: bool = False) -> str:
    if isinstance(value, bool) or value is None:
        return "-" if value is None else str(value)
    if isinstance(value, int) or (count and float(value).is_integer()):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 100 else f"{value:,.1f}"
    return str(value) if value != "" else "-"
