"""Routing rules: which docs go to the LLM (True) and which stay as they are."""

from collections.abc import Callable

from spacy.tokens import Doc
from spacy.util import registry

RouteRule = Callable[[Doc], bool]


@registry.misc("nlpkit.route.all.v1")
def create_route_all() -> RouteRule:
    """Send every doc."""

    def route_all(doc: Doc) -> bool:
        return True

    return route_all


@registry.misc("nlpkit.route.low_confidence.v1")
def create_route_low_confidence(
    threshold: float = 0.8, labels: list[str] | None = None
) -> RouteRule:
    """Send docs whose highest doc.cats score is below threshold (or that have no cats).

    labels (list[str] | None): only these categories count (all when None).
    """

    def route_low_confidence(doc: Doc) -> bool:
        scores = [v for k, v in doc.cats.items() if labels is None or k in labels]
        return not scores or max(scores) < threshold

    return route_low_confidence


@registry.misc("nlpkit.route.no_entities.v1")
def create_route_no_entities(labels: list[str] | None = None) -> RouteRule:
    """Send docs in which earlier components found no entity (of these labels)."""

    def route_no_entities(doc: Doc) -> bool:
        return not any(labels is None or ent.label_ in labels for ent in doc.ents)

    return route_no_entities


@registry.misc("nlpkit.route.any.v1")
def create_route_any(*rules: RouteRule) -> RouteRule:
    """Send a doc when any of the rules says so (rules under `*` in the config)."""

    def route_any(doc: Doc) -> bool:
        return any(rule(doc) for rule in rules)

    return route_any
