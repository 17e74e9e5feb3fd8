"""The schema's one hardening extension: token limit, cached parse, extra rules, cached validation.

It does the work of Strawberry's `MaxTokensLimiter`, `ParserCache`, `AddValidationRules` and
`ValidationCache` in one object with two hooks. Strawberry builds every extension per operation
and keeps each `on_operation` hook (a generator inside an exit stack) alive for as long as the
operation lasts, which for a subscription is the socket's life; per event it also asks every
extension for results. One extension without `on_operation` holds nothing per subscription but
itself, and its `on_parse`/`on_validate` contexts end with their steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache

from graphql import ASTValidationRule, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

CACHE_SIZE = 256  # distinct documents kept parsed and validated per process

# Shared by every request (a cache per extension instance would never hit), keyed like
# Strawberry's ParserCache/ValidationCache: the text and parse options (the token limit
# included), and the schema, document and rule classes.
cached_parse = lru_cache(maxsize=CACHE_SIZE)(parse)
cached_validate = lru_cache(maxsize=CACHE_SIZE)(validate_document)


class RequestGuards(SchemaExtension):
    """Per operation: parse under the token limit (cached), validate with our rules (cached)."""

    __slots__ = ("_max_tokens", "_rules")

    def __init__(self, max_tokens: int, rules: tuple[type[ASTValidationRule], ...]) -> None:
        self._max_tokens = max_tokens
        self._rules = rules

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        # MaxTokensLimiter sets this in on_operation; parsing is its only reader.
        context.parse_options["max_tokens"] = self._max_tokens
        # As ParserCache: a document set here is not parsed again by Strawberry. A parse
        # error (tokens over the limit included) propagates to Strawberry's handler.
        context.graphql_document = cached_parse(context.query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        # As AddValidationRules then ValidationCache: Strawberry skips its own validation
        # once pre_execution_errors is set (an empty list when the document is valid).
        context.validation_rules = context.validation_rules + self._rules
        context.pre_execution_errors = cached_validate(
            context.schema._schema, context.graphql_document, context.validation_rules
        )
        yield


def guards_factory(
    max_tokens: int, rules: list[type[ASTValidationRule]]
) -> Callable[[], SchemaExtension]:
    """What `strawberry.Schema(extensions=...)` takes: one fresh `RequestGuards` per operation."""
    frozen = tuple(rules)

    def make() -> SchemaExtension:
        return RequestGuards(max_tokens, frozen)

    return make
