"""UCP's published JSON Schemas (release 2026-04-08, in tests/fixtures/ucp) as validators, $refs resolved
between the files by their `$id`s."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "ucp"
SCHEMAS = ROOT / "schemas"


@cache
def _registry() -> Registry:
    resources = []
    for path in [*SCHEMAS.rglob("*.json"), ROOT / "discovery" / "profile_schema.json"]:
        document = json.loads(path.read_text())
        resources.append((document["$id"], Resource.from_contents(document)))
        if path.is_relative_to(SCHEMAS):
            # The profile schema ($id .../schemas/discovery/profile.json) names ucp.json "../schemas/ucp.json",
            # the way the files sit in the repository (source/discovery, source/schemas); what ucp.json then
            # refers to resolves under that address too.
            alias = "https://ucp.dev/schemas/schemas/" + path.relative_to(SCHEMAS).as_posix()
            resources.append((alias, Resource.from_contents(document)))
    return Registry().with_resources(resources)


def validator(file: str, definition: str | None = None) -> jsonschema.Draft202012Validator:
    uri = f"https://ucp.dev/schemas/{file}" + (f"#/$defs/{definition}" if definition else "")
    return jsonschema.Draft202012Validator(
        {"$ref": uri}, registry=_registry(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def problems(file: str, definition: str | None, instance) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(file, definition).iter_errors(instance)][:10]  # fmt: skip
