"""Executes Admin GraphQL requests against Shopify's real 2026-10 schema, with Shopify's cost and errors.

Pipeline for one request: parse → validate (HTTP 200 with ``errors`` and a graphql-ruby style
``extensions.code`` when invalid) → note deprecated fields (``X-Shopify-API-Deprecated-Reason``) → requested
cost from `app.platforms.shopify.cost` (``MAX_COST_EXCEEDED`` over 1,000, ``THROTTLED`` over what the bucket
holds) → execute (query operations with `bulk_exec.LeanExecutor`, anything else or any error with
graphql-core) → refund requested − actual → ``extensions.cost``.

The schema is the pinned introspection file, loaded once by ``cost.load_admin_schema`` (which accepts the
deprecated interface implementations Shopify serves; see there). Response shapes therefore come from the
schema itself: a client cannot pass against the demo store with a field Shopify does not have.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

import graphql
from graphql import (
    ArgumentNode,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    IntValueNode,
    NoDeprecatedCustomRule,
    OperationDefinitionNode,
    OperationType,
    Visitor,
    specified_rules,
)
from graphql.execution.values import VariableValues, get_variable_values

from app.demo_store.bulk_exec import LeanExecutor
from app.demo_store.inventory import default_levels
from app.demo_store.mutations import mutation_root
from app.demo_store.resolvers import query_root
from app.platforms.shopify.cost import MAX_QUERY_COST, load_admin_schema, requested_cost

log = logging.getLogger(__name__)
DEPRECATION_REASON = "https://shopify.dev/api/usage/versioning#deprecation-practices"
RATE_LIMIT_DOCS = "https://shopify.dev/api/usage/rate-limits"
MAX_COST_MESSAGE = (
    "Query cost is {cost}, which exceeds the single query max cost limit ({max}).\n\n"
    "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
    "cost of a query is calculated.\n\n"
    "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
    "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n"
)
# graphql-ruby's codes, which Shopify reports, for graphql-core's validation rules.
RULE_CODES = {
    "FieldsOnCorrectTypeRule": "undefinedField",
    "KnownArgumentNamesRule": "argumentNotAccepted",
    "ProvidedRequiredArgumentsRule": "missingRequiredArguments",
    "ValuesOfCorrectTypeRule": "argumentLiteralsIncompatible",
    "VariablesInAllowedPositionRule": "variableMismatch",
    "NoUndefinedVariablesRule": "variableNotDefined",
    "NoUnusedVariablesRule": "variableNotUsed",
    "KnownTypeNamesRule": "undefinedType",
    "ScalarLeafsRule": "selectionMismatch",
    "KnownDirectivesRule": "undefinedDirective",
    "KnownFragmentNamesRule": "undefinedFragment",
    "NoUnusedFragmentsRule": "useAndDefineFragment",
    "UniqueArgumentNamesRule": "argumentNotUnique",
    "OverlappingFieldsCanBeMergedRule": "fieldConflict",
    "LoneAnonymousOperationRule": "loneAnonymousOperation",
}

ROOT = {**query_root(), **mutation_root()}


@dataclass
class Context:
    """Per-request state the resolvers read as ``info.context``."""

    store: object
    shop: str
    base_url: str
    bulk: bool = False
    bulk_after: str | None = None
    bulk_next: str | None = None
    connection_counts: dict[int, int] = field(default_factory=dict)
    _view: object = None
    _inventory: dict[int, dict] = field(default_factory=dict)
    _fetched: set[int] = field(default_factory=set)

    @property
    def view(self):
        if self._view is None:
            self._view = self.store.view(self.shop)
        return self._view

    def prefetch_inventory(self, records: list[dict]) -> None:
        wanted = [v["inventory_item_id"] for r in records for v in r["variants"]]
        wanted = [i for i in wanted if i not in self._fetched]
        self._inventory.update(self.store.quantities_many(self.shop, wanted))
        self._fetched.update(wanted)

    def levels(self, variant: dict) -> dict[int, dict]:
        """{location id: quantities} of ``variant``, read once per request."""
        item = variant["inventory_item_id"]
        if item not in self._fetched:
            self._inventory.update(self.store.quantities_many(self.shop, [item]))
            self._fetched.add(item)
        levels = default_levels(variant)
        levels.update(self._inventory.get(item, {}))
        return dict(sorted(levels.items()))

    def available(self, variant: dict) -> int:
        """Shopify's ``inventoryQuantity``: available summed over the locations stocking the variant."""
        return sum(q.get("available", 0) for q in self.levels(variant).values())


@dataclass
class Outcome:
    status: int
    body: dict
    headers: dict[str, str] = field(default_factory=dict)


def schema() -> graphql.GraphQLSchema:
    return load_admin_schema()


def _error(message: str, code: str, locations=None, **extra) -> dict:
    body = {"message": message}
    if locations:
        body["locations"] = locations
    body["extensions"] = {"code": code, **extra}
    return body


def _validation_errors(doc: DocumentNode) -> list[dict]:
    errors = graphql.validate(schema(), doc)
    if not errors:
        return []
    out = []
    for rule in specified_rules:
        for err in graphql.validate(schema(), doc, [rule]):
            formatted = err.formatted
            out.append(_error(err.message, RULE_CODES.get(rule.__name__, "validationFailed"),
                              formatted.get("locations")))  # fmt: skip
    return out or [e.formatted for e in errors]


def parse(query: str) -> DocumentNode | dict:
    try:
        return graphql.parse(query)
    except GraphQLError as err:
        return _error(err.message, "parseError", err.formatted.get("locations"))


@lru_cache(maxsize=256)
def checked(query: str) -> tuple[DocumentNode | None, list[dict], bool]:
    """(document, validation errors, uses deprecated fields?) — cached, clients repeat their documents."""
    doc = parse(query)
    if isinstance(doc, dict):
        return None, [doc], False
    errors = _validation_errors(doc)
    if errors:
        return None, errors, False
    return doc, [], bool(graphql.validate(schema(), doc, [NoDeprecatedCustomRule]))


def execute_request(ctx: Context, payload: dict) -> Outcome:
    query = payload.get("query") if isinstance(payload, dict) else None
    if not isinstance(query, str) or not query.strip():
        return Outcome(400, {"errors": {"query": "Required parameter missing or invalid"}})
    variables = payload.get("variables") or {}
    doc, errors, deprecated = checked(query)
    if errors:
        return Outcome(200, {"errors": errors})
    headers = {"X-Shopify-API-Deprecated-Reason": DEPRECATION_REASON} if deprecated else {}
    operation = graphql.get_operation_ast(doc, payload.get("operationName"))
    if operation is None:
        return Outcome(
            200, {"errors": [_error("An operation name is required", "operationNotFound")]}, headers
        )
    shop = ctx.shop
    requested = requested_cost(_only(doc, operation), variables, schema())
    if requested > MAX_QUERY_COST:
        body = {
            "errors": [_error(MAX_COST_MESSAGE.format(cost=requested, max=MAX_QUERY_COST), "MAX_COST_EXCEEDED",
                              cost=requested, maxCost=MAX_QUERY_COST)],
            "extensions": {"cost": _cost(requested, None, ctx.store.throttle.status(shop))},
        }  # fmt: skip
        return Outcome(200, body, headers)
    charged, status = ctx.store.throttle.charge(shop, requested)
    if not charged:
        body = {
            "errors": [
                {
                    "message": "Throttled",
                    "extensions": {"code": "THROTTLED", "documentation": RATE_LIMIT_DOCS},
                }
            ],
            "extensions": {"cost": _cost(requested, None, status)},
        }
        return Outcome(200, body, headers)
    result = _execute(ctx, doc, variables, payload.get("operationName"))
    actual = min(requested, actual_cost(doc, operation, variables, ctx.connection_counts))
    status = ctx.store.throttle.refund(shop, requested - actual)
    body = {}
    if result.errors:
        for err in result.errors:
            if err.original_error is not None and not isinstance(err.original_error, GraphQLError):
                # A resolver bug, not a client mistake: keep the traceback for whoever runs the demo.
                log.warning("demo-store resolver failed at %s", err.path, exc_info=err.original_error)
        body["errors"] = [e.formatted for e in result.errors]
    body["data"] = result.data
    body["extensions"] = {"cost": _cost(requested, actual, status)}
    return Outcome(200, body, headers)


def _never_awaitable(_value) -> bool:
    return False


def _execute(ctx: Context, doc: DocumentNode, variables: dict, operation_name: str | None = None):
    operation = graphql.get_operation_ast(doc, operation_name)
    if operation is not None and operation.operation == OperationType.QUERY:
        # The lean walker (same resolvers, same data, ~10x less overhead per field) for queries whose
        # variables coerce cleanly; any error goes the graphql-core way, so its errors keep their shape.
        coerced = get_variable_values(schema(), operation.variable_definitions or (), variables or {})
        if isinstance(coerced, VariableValues):
            try:
                lean = LeanExecutor(schema(), doc, coerced.coerced, operation)
                return ExecutionResult(lean.run(ROOT, ctx), None)
            except Exception:  # noqa: BLE001 - re-run below, which reports it as graphql-core does
                ctx.connection_counts.clear()
    # Resolvers are synchronous; telling graphql-core so skips an awaitable check on every field.
    return graphql.execute(schema(), doc, ROOT, ctx, variables, operation_name, is_awaitable=_never_awaitable)


def _cost(requested: int, actual: int | None, status: dict) -> dict:
    return {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": status}


def _only(doc: DocumentNode, operation: OperationDefinitionNode) -> DocumentNode:
    """The document with ``operation`` first, since the cost module prices the first operation."""
    rest = [d for d in doc.definitions if d is not operation]
    return DocumentNode(definitions=(operation, *rest))


class _ActualSizes(Visitor):
    """Rewrites each connection's ``first``/``last`` to the number of nodes the response really held."""

    def __init__(self, counts: dict[int, int]):
        super().__init__()
        self.counts = counts

    def enter_field(self, node: FieldNode, *_args):
        arguments = node.arguments or ()
        if not any(a.name.value in ("first", "last") for a in arguments):
            return None
        size = IntValueNode(value=str(self.counts.get(id(node), 0)))
        new_args = tuple(
            ArgumentNode(name=a.name, value=size) if a.name.value in ("first", "last") else a
            for a in arguments
        )
        return FieldNode(alias=node.alias, name=node.name, arguments=new_args, directives=node.directives,
                         selection_set=node.selection_set)  # fmt: skip


def actual_cost(doc: DocumentNode, operation, variables: dict, counts: dict[int, int]) -> int:
    """Shopify's cost formula applied to what the response contained: requested cost with every
    connection sized by the nodes it returned (the largest page, where a connection repeats)."""
    resized = graphql.visit(_only(doc, operation), _ActualSizes(counts))
    return requested_cost(resized, variables, schema())
