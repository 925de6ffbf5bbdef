"""A lean executor for bulk queries: the same resolvers and schema, without graphql-core's per-field overhead.

A bulk export of 100,000 products touches millions of fields; graphql-core spends ~15 µs on each, which made
the demo store, not the app, the thing a benchmark measured. Bulk documents are validated against the schema
first (`bulk.validate_bulk_query`), so this walker only has to do what execution does for valid documents
over our resolver dicts: collect fields (aliases, fragments, ``@include``/``@skip``), coerce arguments with
the schema's types and defaults, call callables as ``(info, **args)``, pick runtime types by
``__typename`` and serialize leaves. A test checks it answers exactly what ``graphql.execute`` answers.
`graphql_api` also runs ordinary (validated) query operations through it, and falls back to
``graphql.execute`` whenever a resolver raises or breaks a non-null field, so errors keep graphql-core's
exact shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import graphql
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    InlineFragmentNode,
    Undefined,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)


class NonNullViolation(Exception):
    """A resolver gave null for a non-null field: only graphql-core knows how to report that."""


@dataclass
class _Path:
    prev: Any
    key: str


@dataclass
class _Info:
    context: Any
    field_name: str
    field_nodes: list[FieldNode]
    path: _Path
    variable_values: dict
    schema: Any


class LeanExecutor:
    def __init__(self, schema, doc: DocumentNode, variables: dict | None = None, operation=None):
        self.schema = schema
        self.variables = variables or {}  # already coerced (graphql's get_variable_values) by the caller
        self.fragments = {
            d.name.value: d for d in doc.definitions if isinstance(d, graphql.FragmentDefinitionNode)
        }
        self.operation = operation or graphql.get_operation_ast(doc)
        self._collected: dict[tuple, list] = {}
        self._plans: dict[tuple, list] = {}
        self._shapes: dict = {}

    def run(self, root: dict, context) -> dict:
        return self._object(self.schema.query_type, root, [self.operation], context, None)

    def _included(self, node) -> bool:
        for directive in node.directives or ():
            if directive.name.value in ("skip", "include"):
                arg = directive.arguments[0]
                value = bool(graphql.value_from_ast(arg.value, graphql.GraphQLBoolean, self.variables))
                if value == (directive.name.value == "skip"):
                    return False
        return True

    def _applies(self, condition, runtime: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        target = self.schema.get_type(condition.name.value)
        return target is runtime or (is_abstract_type(target) and self.schema.is_sub_type(target, runtime))

    def _collect(self, runtime: GraphQLObjectType, nodes: list) -> list[tuple[str, list[FieldNode]]]:
        key = (runtime.name, tuple(id(n) for n in nodes))
        cached = self._collected.get(key)
        if cached is not None:
            return cached
        fields: dict[str, list[FieldNode]] = {}

        def walk(selection_set):
            for sel in selection_set.selections:
                if not self._included(sel):
                    continue
                if isinstance(sel, FieldNode):
                    fields.setdefault(sel.alias.value if sel.alias else sel.name.value, []).append(sel)
                elif isinstance(sel, InlineFragmentNode):
                    if self._applies(sel.type_condition, runtime):
                        walk(sel.selection_set)
                elif isinstance(sel, FragmentSpreadNode):
                    fragment = self.fragments[sel.name.value]
                    if self._applies(fragment.type_condition, runtime):
                        walk(fragment.selection_set)

        for node in nodes:
            if node.selection_set is not None:
                walk(node.selection_set)
        result = list(fields.items())
        self._collected[key] = result
        return result

    def _args(self, field_def, node: FieldNode) -> dict:
        given = {a.name.value: a.value for a in node.arguments or ()}
        args = {}
        for name, arg_def in field_def.args.items():
            if name in given:
                args[name] = graphql.value_from_ast(given[name], arg_def.type, self.variables)
            elif arg_def.default_value is not Undefined:
                args[name] = arg_def.default_value
        return args

    # A page repeats the same few (type, selection) pairs thousands of times: what each field needs (its
    # definition, its coerced arguments, how to complete its type) is worked out once per pair and reused.
    def _plan(self, runtime: GraphQLObjectType, nodes: list) -> list[tuple]:
        key = (runtime.name, tuple(id(n) for n in nodes))
        plan = self._plans.get(key)
        if plan is None:
            plan = []
            for out_key, field_nodes in self._collect(runtime, nodes):
                name = field_nodes[0].name.value
                if name == "__typename":
                    plan.append((out_key, name, None, None, None))
                    continue
                field_def = runtime.fields[name]
                args = self._args(field_def, field_nodes[0])
                plan.append((out_key, name, field_nodes, args, self._shape(field_def.type)))
            self._plans[key] = plan
        return plan

    def _shape(self, type_) -> tuple:
        """(non-null?, list item shape or None, leaf serializer or None, named type) of a field type."""
        shape = self._shapes.get(type_)
        if shape is None:
            non_null = is_non_null_type(type_)
            inner = type_.of_type if non_null else type_
            if is_list_type(inner):
                shape = (non_null, self._shape(inner.of_type), None, None)
            else:
                named = get_named_type(inner)
                serialize = named.serialize if is_leaf_type(named) else None
                if named is graphql.GraphQLString or named is graphql.GraphQLID:
                    serialize = _keep_str(serialize)
                shape = (non_null, None, serialize, None if is_abstract_type(named) else named)
            self._shapes[type_] = shape
        return shape

    def _object(self, runtime: GraphQLObjectType, source: dict, nodes: list, context, path) -> dict:
        out = {}
        for key, name, field_nodes, args, shape in self._plan(runtime, nodes):
            if field_nodes is None:
                out[key] = runtime.name
                continue
            value = source.get(name)
            if callable(value):
                info = _Info(context, name, field_nodes, _Path(path, key), self.variables, self.schema)
                value = value(info, **args)
            out[key] = self._complete(shape, value, field_nodes, context, _Path(path, key))
        return out

    def _complete(self, shape: tuple, value, nodes, context, path):
        non_null, item, serialize, named = shape
        if value is None:
            if non_null:  # graphql-core reports an error here; the caller falls back to it
                raise NonNullViolation(path.key)
            return None
        if item is not None:
            return [self._complete(item, v, nodes, context, path) for v in value]
        if serialize is not None:
            return serialize(value)
        runtime = named if named is not None else self.schema.get_type(value["__typename"])
        return self._object(runtime, value, nodes, context, path)


def _keep_str(serialize):
    """String and ID serialize a str to itself; skip the call for the common case."""

    def fast(value):
        return value if value.__class__ is str else serialize(value)

    return fast
