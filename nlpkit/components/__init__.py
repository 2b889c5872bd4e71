"""spaCy components; each module is thin and wraps a library folder."""
