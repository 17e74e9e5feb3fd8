"""The schema's one hardening extension: token limit, cached parse, extra rules, cached validation.

It does the work of Strawberry's `MaxTokensLimiter`, `ParserCache`, `AddValidationRules` and
`ValidationCache` in one object with two hooks. Strawberry builds every extension per operation
and keeps each `on_operation` hook (a generator inside an exit stack) alive for as long as the
operation lasts, which for a subscription is the socket's life; per event it also asks every
extension for results. One extension without `on_operation` holds nothing per subscription but
itself, and its `on_parse`/`on_validate` contexts end with their steps.

`LeanExtensionsRunner` and `NO_MIDDLEWARE` (used by `LunaSchema`) drop what Strawberry would
still build per operation for extensions that neither wrap the operation nor resolvers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache

from graphql import ASTValidationRule, MiddlewareManager, parse
from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import OperationContextManager
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.schema import validate_document
from strawberry.types.execution import ParseOptions

CACHE_SIZE = 256  # distinct documents kept parsed and validated per process

# Shared by every request (a cache per extension instance would never hit), keyed like
# Strawberry's ParserCache/ValidationCache: the text and parse options (the token limit
# included), and the schema, document and rule classes.
cached_parse = lru_cache(maxsize=CACHE_SIZE)(parse)
cached_validate = lru_cache(maxsize=CACHE_SIZE)(validate_document)


class Limits:
    """What every operation's guards share: the parse options and our rules, built once."""

    __slots__ = ("_base", "_extended", "parse_options", "rules")

    def __init__(self, max_tokens: int, rules: tuple[type[ASTValidationRule], ...]) -> None:
        self.parse_options = ParseOptions(max_tokens=max_tokens)
        self.rules = rules
        self._base: tuple[type[ASTValidationRule], ...] | None = None
        self._extended: tuple[type[ASTValidationRule], ...] = rules

    def extend(
        self, base: tuple[type[ASTValidationRule], ...]
    ) -> tuple[type[ASTValidationRule], ...]:
        """`base + rules`, one tuple for every operation (Strawberry's default `base` is
        graphql-core's `specified_rules` itself), instead of a ~300-byte copy per operation."""
        if base is not self._base:
            self._base, self._extended = base, base + self.rules
        return self._extended


class RequestGuards(SchemaExtension):
    """Per operation: parse under the token limit (cached), validate with our rules (cached)."""

    __slots__ = ("_limits",)

    def __init__(self, limits: Limits) -> None:
        self._limits = limits

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        # What MaxTokensLimiter sets in on_operation (parsing is the only reader), as one
        # shared dict rather than a key added to each operation's own.
        context.parse_options = self._limits.parse_options
        # As ParserCache: a document set here is not parsed again by Strawberry. A parse
        # error (tokens over the limit included) propagates to Strawberry's handler.
        context.graphql_document = cached_parse(context.query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        # As AddValidationRules then ValidationCache: Strawberry skips its own validation
        # once pre_execution_errors is set (an empty list when the document is valid).
        context.validation_rules = self._limits.extend(context.validation_rules)
        context.pre_execution_errors = cached_validate(
            context.schema._schema, context.graphql_document, context.validation_rules
        )
        yield


def guards_factory(
    max_tokens: int, rules: list[type[ASTValidationRule]]
) -> Callable[[], SchemaExtension]:
    """What `strawberry.Schema(extensions=...)` takes: one fresh `RequestGuards` per operation."""
    limits = Limits(max_tokens, tuple(rules))

    def make() -> SchemaExtension:
        return RequestGuards(limits)

    return make


class _NoOperationHooks(OperationContextManager):
    """The operation context of extensions none of which has `on_operation`: does nothing.

    Strawberry's own opens an AsyncExitStack (with its deque, ~0.8 KiB) even with no hook to
    enter, and a subscription holds it for its life. This one holds no state: one serves all.
    """

    __slots__ = ()

    def __init__(self) -> None:
        self.hooks = []

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc_info: object) -> None:
        return None


NO_OPERATION_HOOKS = _NoOperationHooks()


class LeanExtensionsRunner(SchemaExtensionsRunner):
    """Strawberry's runner, with the no-op operation context when no extension needs one."""

    def operation(self) -> OperationContextManager:
        manager = super().operation()
        return manager if manager.hooks else NO_OPERATION_HOOKS


# What Strawberry builds per operation when no extension wraps resolvers: graphql-core's
# MiddlewareManager without middleware returns each resolver as is and caches nothing.
NO_MIDDLEWARE = MiddlewareManager()
