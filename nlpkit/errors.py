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
    W101 = "{n_oov} of {n_total} pairs in {name} have a word without a vector; they are left out of the score."

    # NER and text classification (W2xx)

    # retrieval and reranking (W3xx)

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

    # vectors and co-occurrence (E1xx)
    E101 = "The corpus {source} has no tokens: nothing to count or train on. Check the path, the format and the text field."
    E102 = "No word in {source} occurs at least min_count={min_count} times (the most frequent occurs {top} times). Lower min_count or use a larger corpus."
    E103 = "Vectors of mismatched dimensions: {what} has dimension {got}, expected {expected}."
    E104 = "{path}:{line}: truncated or malformed vectors file: {reason}."
    E105 = "Unknown word(s) {words}: not in the vocabulary of {size:,} words and no subword vectors to build one from."
    E106 = "Unknown vectors format '{fmt}' for {path}. Known formats: {known}."
    E107 = "Unknown {what} '{value}'. Choose one of: {known}."
    E108 = "{what} must be {rule}, got {value}."
    E109 = "Vectors of {path} contain NaN or infinite values in row {row} ('{word}')."
    E110 = "Cannot load vectors from {path}: {reason}."
    E111 = "The vectors component '{name}' has no vectors. Set `path` in its config or call `component.set_vectors(vectors)` before use."
    E112 = "No evaluation pairs could be read from {path}; expected lines 'word1 word2 score'."

    # NER and text classification (E2xx)

    # retrieval and reranking (E3xx)

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
