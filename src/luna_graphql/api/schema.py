"""The schema, composed from per-feature root classes, with the hardening extensions.

To add a feature, write `api/<feature>.py` with `<Feature>Query` / `<Feature>Mutation` /
`<Feature>Subscription` classes and append them to the lists below; `merge_types` folds each
list into one root type.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Iterable
from typing import Any

import strawberry
from graphql import ASTValidationRule, MiddlewareManager, NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_limit_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_limit_rule
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from luna_graphql.api.conversations import ConversationQuery
from luna_graphql.api.errors import format_errors
from luna_graphql.api.gestures import GestureMutation, GestureQuery, GestureSubscription
from luna_graphql.api.guards import NO_MIDDLEWARE, LeanExtensionsRunner, guards_factory
from luna_graphql.api.insights import InsightsQuery
from luna_graphql.api.luna import LunaMutation, LunaQuery
from luna_graphql.api.messages import MessageMutation, MessageQuery
from luna_graphql.api.preferences import PreferencesMutation, PreferencesQuery
from luna_graphql.api.reactions import ReactionMutation, ReactionSubscription
from luna_graphql.api.realtime_mutations import RealtimeMutation
from luna_graphql.api.receipts import ReceiptMutation
from luna_graphql.api.shared_results import SharingExecutor
from luna_graphql.api.subscriptions import RealtimeSubscription
from luna_graphql.api.viewer import ViewerQuery
from luna_graphql.settings import Settings

QUERIES: list[type] = [
    ViewerQuery,
    ConversationQuery,
    MessageQuery,
    PreferencesQuery,
    InsightsQuery,
    LunaQuery,
    GestureQuery,
]
MUTATIONS: list[type] = [
    MessageMutation,
    ReceiptMutation,
    PreferencesMutation,
    RealtimeMutation,
    LunaMutation,
    GestureMutation,
    ReactionMutation,
]
SUBSCRIPTIONS: list[type] = [RealtimeSubscription, GestureSubscription, ReactionSubscription]


class LunaSchema(strawberry.Schema):
    """A Strawberry schema whose every result leaves through `api.errors.format_errors`."""

    def __init__(self, *args: Any, production: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.production = production

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return LeanExtensionsRunner(execution_context=execution_context, extensions=extensions)

    def _get_middleware_manager(self, extensions: list[SchemaExtension]) -> MiddlewareManager:
        # Strawberry builds one per operation (a subscription holds it for its life); ours
        # serves every operation when no extension wraps resolvers.
        if any(extension._implements_resolve() for extension in extensions):
            return super()._get_middleware_manager(extensions)
        return NO_MIDDLEWARE

    def process_errors(self, errors: list[Any], execution_context: Any = None) -> None:
        # Strawberry would log every error, expected ones included; `format_errors` logs the
        # unexpected ones once, with their request id.
        return None

    def _format(self, result: ExecutionResult, context: Any) -> None:
        if result.errors:
            result.errors = format_errors(
                result.errors,
                pre_execution=isinstance(result, PreExecutionError),
                production=self.production,
                request_id=getattr(context, "request_id", None),
            )

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        if allowed_operation_types is not None:
            # Only HTTP executes here (WebSocket operations go through `stream`). Over plain
            # HTTP graphql-core would resolve a subscription's root field without running
            # its resolver and answer null; refuse it with a clear 400 instead.
            allowed_operation_types = set(allowed_operation_types) - {OperationType.SUBSCRIPTION}
        result = await super().execute(
            query,
            variable_values=variable_values,
            context_value=context_value,
            root_value=root_value,
            operation_name=operation_name,
            allowed_operation_types=allowed_operation_types,
            operation_extensions=operation_extensions,
        )
        self._format(result, context_value)
        return result

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
    ) -> AsyncGenerator[Any, None]:
        # WebSocket operations (queries, mutations and subscriptions) arrive here.
        source = await super().stream(
            query,
            variable_values=variable_values,
            context_value=context_value,
            root_value=root_value,
            operation_name=operation_name,
            operation_extensions=operation_extensions,
            allowed_operation_types=allowed_operation_types,
        )
        return FormattedStream(source, self._format, context_value)


class FormattedStream(AsyncGenerator[Any, None]):
    """`source` with each ExecutionResult passed through `format`; closing it closes `source`.

    Not an async generator: every idle subscription holds one, and a generator's frame weighs
    several times this object. Strawberry's transports close the stream on every exit path
    (`aclosing`), which closes the source; an unclosed one is left to the source's own
    finalizer, as it would be for the generator.
    """

    __slots__ = ("_context", "_format", "_source")

    def __init__(
        self,
        source: AsyncGenerator[Any, None],
        format: Callable[[ExecutionResult, Any], None],
        context: Any,
    ) -> None:
        self._source = source
        self._format = format
        self._context = context

    def _formatted(self, item: Any) -> Any:
        if isinstance(item, ExecutionResult):
            self._format(item, self._context)
        return item

    async def __anext__(self) -> Any:
        return self._formatted(await anext(self._source))

    async def asend(self, value: None) -> Any:
        return self._formatted(await self._source.asend(value))

    async def athrow(self, *args: Any) -> Any:
        return self._formatted(await self._source.athrow(*args))

    async def aclose(self) -> None:
        await self._source.aclose()


def _extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    # Rule classes are built once: the validation cache keys on them, and a class created per
    # request (what MaxAliasesLimiter/QueryDepthLimiter do) would never hit the cache.
    rules: list[type[ASTValidationRule]] = [
        depth_limit_rule(settings.max_query_depth, None),
        alias_limit_rule(settings.max_aliases),
    ]
    if settings.is_production:
        rules.append(NoSchemaIntrospectionCustomRule)
    # One extension, not Strawberry's four: see api/guards.py for what that saves per socket.
    return [guards_factory(settings.max_tokens, rules)]


def build_schema(settings: Settings | None = None) -> LunaSchema:
    """The served schema. Without settings: the bare schema (SDL export, snapshot test)."""
    query = merge_types("Query", tuple(QUERIES))
    mutation = merge_types("Mutation", tuple(MUTATIONS))
    subscription = merge_types("Subscription", tuple(SUBSCRIPTIONS)) if SUBSCRIPTIONS else None
    production = settings is not None and settings.is_production
    return LunaSchema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        extensions=[] if settings is None else _extensions(settings),
        config=StrawberryConfig(disable_field_suggestions=production),
        execution_context_class=SharingExecutor,
        production=production,
    )
