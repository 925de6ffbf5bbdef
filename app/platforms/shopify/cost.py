"""Shopify's *requested* query cost, computed locally, and the pinned Admin schema.

Shopify charges every GraphQL call against a leaky bucket before running it, by a static analysis of the
document (shopify.dev, "GraphQL Admin API rate limits", cost calculation):

- scalar and enum fields cost 0; an object field costs 1 (plus what is selected inside it);
- interfaces and unions cost the maximum of their possible selections (we take the costliest type condition);
- a connection costs 2 plus ``first``/``last`` times the cost of one node selection (``edges``/``node``/
  ``nodes``/``pageInfo``/``cursor`` are the connection's own plumbing and add nothing on their own), so
  nested connections multiply;
- a mutation field costs 10;
- one request may not ask for more than 1,000 points (``MAX_COST_EXCEEDED``).

The client uses this to size pages and to wait before a request its bucket cannot pay for; the demo store
uses it to answer with a realistic ``extensions.cost``. It must stay pure: no HTTP, no app imports.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import graphql
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)

SCHEMA_PATH = Path(__file__).parent / "schema" / "admin_2026-10.json.gz"
MAX_QUERY_COST = 1000
MUTATION_COST = 10
CONNECTION_COST = 2
OBJECT_COST = 1

# Shopify marks a few interface *implementations* deprecated while the interface field is not (Node.id on
# ChannelDefinition, HasMetafields.metafield on MediaImage, ...). The GraphQL spec forbids that, so
# graphql-core's schema validation refuses the schema and `validate()` would raise before looking at a
# document. The schema is what Shopify serves and executes; we accept exactly that class of error and
# nothing else, so a broken download still fails loudly.
_TOLERATED_SCHEMA_ERROR = "must not be deprecated"


def _accept_served_schema(schema: GraphQLSchema) -> GraphQLSchema:
    errors = graphql.validate_schema(schema)
    other = [e for e in errors if _TOLERATED_SCHEMA_ERROR not in e.message]
    if other:
        raise ValueError(f"pinned Shopify schema is invalid: {other[0].message}")
    schema._validation_errors = []  # noqa: SLF001 - mark as validated, see comment above
    return schema


@lru_cache(maxsize=1)
def load_admin_schema() -> GraphQLSchema:
    """Return the pinned Admin API schema (2026-10), built once per process and marked validated."""
    with gzip.open(SCHEMA_PATH, "rt", encoding="utf-8") as fh:
        data = json.load(fh)["data"]
    return _accept_served_schema(graphql.build_client_schema(data))


def requested_cost(
    document: str | DocumentNode, variables: dict | None = None, schema: GraphQLSchema | None = None
) -> int:
    """Return the requested cost Shopify will charge for the (first) operation in ``document``."""
    if isinstance(document, str) and schema is None:
        # A client prices the same document for every page, with only its cursor changing: the cost
        # depends on the few variables that size connections or steer @include/@skip, so key on those.
        given = variables or {}
        key = tuple((name, given.get(name, _ABSENT)) for name in _priced_variables(document))
        try:
            return _cached_cost(document, key)
        except TypeError:  # an unhashable value (a list or an input object): price it afresh
            pass
    doc = _parse(document) if isinstance(document, str) else document
    schema = schema or load_admin_schema()
    fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        raise ValueError("document has no operation")
    op = operations[0]
    calc = _Calculator(schema, fragments, _variables_with_defaults(op, variables or {}))
    if op.operation == OperationType.MUTATION:
        # Each top-level mutation field is a flat 10 points; what it returns is not charged on top.
        return MUTATION_COST * len(calc.fields(op.selection_set, schema.mutation_type))
    root = schema.subscription_type if op.operation == OperationType.SUBSCRIPTION else schema.query_type
    return calc.selection_cost(op.selection_set, root)


@lru_cache(maxsize=64)
def _parse(document: str) -> DocumentNode:
    return graphql.parse(document)


_ABSENT = object()


@lru_cache(maxsize=1024)
def _cached_cost(document: str, key: tuple) -> int:
    return requested_cost(_parse(document), {n: v for n, v in key if v is not _ABSENT})


@lru_cache(maxsize=64)
def _priced_variables(document: str) -> tuple[str, ...]:
    """Names of the variables the cost can depend on: used in a ``first``/``last`` argument or in a
    directive's arguments (``@include(if:)``, ``@skip(if:)``)."""
    names: set[str] = set()

    class Collect(graphql.Visitor):
        def enter_argument(self, node, _key, _parent, _path, ancestors):
            priced = node.name.value in ("first", "last") or any(
                isinstance(a, graphql.DirectiveNode) for a in ancestors if not isinstance(a, list)
            )
            if priced:
                names.update(_variables_in(node.value))

    graphql.visit(_parse(document), Collect())
    return tuple(sorted(names))


def _variables_in(value) -> set[str]:
    if isinstance(value, graphql.VariableNode):
        return {value.name.value}
    if isinstance(value, graphql.ListValueNode):
        return set().union(*(_variables_in(v) for v in value.values))
    if isinstance(value, graphql.ObjectValueNode):
        return set().union(*(_variables_in(f.value) for f in value.fields))
    return set()


def _variables_with_defaults(op: OperationDefinitionNode, variables: dict) -> dict:
    values = {}
    for var in op.variable_definitions or ():
        name = var.variable.name.value
        if name in variables:
            values[name] = variables[name]
        elif var.default_value is not None:
            values[name] = graphql.value_from_ast_untyped(var.default_value)
    return values


class _Calculator:
    def __init__(self, schema: GraphQLSchema, fragments: dict, variables: dict):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def _arg(self, node: FieldNode, name: str) -> Any:
        for arg in node.arguments or ():
            if arg.name.value == name:
                return graphql.value_from_ast_untyped(arg.value, self.variables)
        return None

    def _included(self, node) -> bool:
        for directive in node.directives or ():
            name = directive.name.value
            if name in ("include", "skip"):
                arg = directive.arguments[0] if directive.arguments else None
                value = bool(graphql.value_from_ast_untyped(arg.value, self.variables)) if arg else True
                if (name == "include") != value:
                    return False
        return True

    def fields(self, selection_set: SelectionSetNode | None, parent) -> list[tuple[FieldNode, Any]]:
        """Flatten the selection to (field node, parent type); for abstract parents keep the costliest branch."""
        if selection_set is None:
            return []
        plain: list[tuple[FieldNode, Any]] = []
        branches: list[list[tuple[FieldNode, Any]]] = []
        for sel in selection_set.selections:
            if not self._included(sel):
                continue
            if isinstance(sel, FieldNode):
                plain.append((sel, parent))
                continue
            if isinstance(sel, FragmentSpreadNode):
                frag = self.fragments[sel.name.value]
                cond, sub = frag.type_condition, frag.selection_set
            elif isinstance(sel, InlineFragmentNode):
                cond, sub = sel.type_condition, sel.selection_set
            else:  # pragma: no cover - no other selection kinds exist
                continue
            target = self.schema.get_type(cond.name.value) if cond else parent
            sub_fields = self.fields(sub, target)
            if target is parent:
                plain.extend(sub_fields)
            else:
                branches.append(sub_fields)
        if branches:
            plain.extend(max(branches, key=self._sum))
        return plain

    def _sum(self, fields: list[tuple[FieldNode, Any]]) -> int:
        return sum(self.field_cost(node, parent) for node, parent in fields)

    def selection_cost(self, selection_set: SelectionSetNode | None, parent) -> int:
        return self._sum(self.fields(selection_set, parent))

    def field_cost(self, node: FieldNode, parent) -> int:
        name = node.name.value
        if name.startswith("__") or not hasattr(parent, "fields"):
            return 0
        field = parent.fields.get(name)
        if field is None:
            return 0
        named = graphql.get_named_type(field.type)
        if graphql.is_leaf_type(named):
            return 0
        if named.name.endswith("Connection"):
            return self._connection_cost(node, named)
        return OBJECT_COST + self.selection_cost(node.selection_set, named)

    def _connection_cost(self, node: FieldNode, connection) -> int:
        size = self._arg(node, "first") or self._arg(node, "last") or 0
        per_node = 0
        for child, parent in self.fields(node.selection_set, connection):
            child_name = child.name.value
            if child_name == "nodes":
                per_node = max(per_node, self._node_cost(child, parent))
            elif child_name == "edges":
                edge_type = graphql.get_named_type(parent.fields["edges"].type)
                for edge_child, edge_parent in self.fields(child.selection_set, edge_type):
                    if edge_child.name.value == "node":
                        per_node = max(per_node, self._node_cost(edge_child, edge_parent))
        return CONNECTION_COST + int(size) * per_node

    def _node_cost(self, node: FieldNode, parent) -> int:
        node_type = graphql.get_named_type(parent.fields[node.name.value].type)
        return OBJECT_COST + self.selection_cost(node.selection_set, node_type)
