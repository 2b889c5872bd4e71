"""Numbered error and warning messages.

Each area owns a range of numbers so that modules never collide:
E0xx/W0xx foundation and corpus I/O, E1xx vectors and co-occurrence,
E2xx NER and text classification, E3xx retrieval and reranking, E4xx LLM,
E5xx batch processing. Messages say what is wrong, where, and what to do.
"""


class ErrorsWithCodes(type):
    def __getattribute__(self, code):
        msg = super().__getattribute__(code)
        if code.startswith("__"):
            return msg
        return f"[{code}] {msg}"


class Warnings(metaclass=ErrorsWithCodes):
    # foundation and corpus I/O
    W001 = "Rejected {count} record(s) from {source}; see the rejects file {path}."
    W002 = "Rejected record at {place}: {reason}"

    # vectors and co-occurrence (W1xx)

    # NER and text classification (W2xx)

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

    # LLM (W4xx)

    # batch processing (W5xx)


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

    # vectors and co-occurrence (E1xx)

    # NER and text classification (E2xx)

    # retrieval and reranking (E3xx)
    E301 = "Empty query{where}: a query needs at least one non-space character."
    E302 = (
        "No candidates to rerank for query {query!r}: give at least one candidate "
        "passage (did the first-stage search return nothing?)."
    )
    E303 = (
        "Cannot load model '{name}': {reason}. Give a local path to a saved model "
        "folder (e.g. one written by `nlpkit rerank train`), or a name that resolves "
        "offline ('minilm' for the packaged all-MiniLM-L6-v2)."
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
    E307 = "Unknown {what} '{value}'. Choose one of: {known}."
    E308 = "Fusion weights {weights} do not match the {n} ranker(s) {names}."
    E309 = "{place}: {reason}"
    E310 = (
        "No training pairs: {reason}. Give (query, positive) examples, or documents "
        "long enough to make pseudo-queries from."
    )
    E311 = "Duplicate document id '{id}' at {place}: ids in an index must be unique."
    E312 = "No documents to index{where}: the corpus is empty."
    E313 = "{name} must be {rule}, got {value!r}."

    # LLM (E4xx)

    # batch processing (E5xx)


class CorpusError(ValueError):
    """A corpus record or file that cannot be read, with the place it came from."""

    def __init__(
        self, message: str, *, source: str | None = None, line: int | None = None
    ):
        super().__init__(message)
        self.source = source
        self.line = line
