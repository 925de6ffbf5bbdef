"""Shared parameter types: what every route, API model and agent tool accepts as an id, a quantity or a text.

One definition each, so a value the database cannot hold (an id past INTEGER, a NUL byte, which Postgres text
refuses) is turned away at the door with a 400 naming the parameter, instead of failing as a 500 deep inside
a query. Three ways in, one rule:

- request arguments (query strings, form fields, JSON bodies): `check_request()` runs before every view and
  `check_json()` on every API body; `parse_id()` / `parse_limit()` read numeric arguments;
- path ids: `DatabaseInt`, the app's `int` URL converter;
- pydantic models (API bodies, agent tools): `DbId`, `Quantity`, `Text(...)`.

A failure raises `BadParameter` (a 400), which `app.errors` answers as `{"error", "parameter"}` on /api and
as a 400 page (or fragment, for htmx) elsewhere, like every `AppError`. Imports nothing of ours but
`app.problems`: models, services and tools use it.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StrictInt
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Rule

from app.problems import AppError

INT_MAX = 2**31 - 1  # the database's INTEGER: every id and quantity column
MAX_ARG_LENGTH = 2_000  # a query argument (search words, filters, cursors)
MAX_FIELD_LENGTH = 200_000  # a form field or JSON string (a product description is the longest)
MAX_QUANTITY = 100_000
# C0 controls and DEL, but tab, newline and carriage return (text areas send them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class BadParameter(AppError, BadRequest):
    """A request parameter the app cannot use; `parameter` names it (a query, form, JSON or path name).

    Also a werkzeug `BadRequest` (its `description` is the message), so code that expects one still gets it.
    """

    def __init__(self, parameter: str, message: str):
        super().__init__(message, parameter=parameter)  # AppError, then BadRequest(description=message)
        self.parameter = parameter


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None."""
    if "\x00" in value:
        return "must not contain NUL bytes"
    if _CONTROL.search(value):
        return "must not contain control characters"
    if _SURROGATE.search(value):
        return "must be valid Unicode text"
    return None


def check_text(value: str, parameter: str, max_length: int = MAX_FIELD_LENGTH) -> str:
    problem = text_problem(value)
    if problem is None and len(value) > max_length:
        problem = f"must be at most {max_length:,} characters"
    if problem:
        raise BadParameter(parameter, f"'{parameter}' {problem}.")
    return value


def check_request(request) -> None:
    """Every query argument and form field of `request`, names and values: text the database can store."""
    for name, value in request.args.items(multi=True):
        check_text(name, "query", 200)
        check_text(value, name or "query", MAX_ARG_LENGTH)
    if request.method != "GET" and request.mimetype in _FORMS:
        for name, value in request.form.items(multi=True):
            check_text(name, "form", 200)
            check_text(value, name or "form")


def check_json(value, path: str = "body") -> None:
    """Every string (keys too) and integer of a parsed JSON body; errors name the field (`items.0.sku`)."""
    if isinstance(value, str):
        check_text(value, path)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -(2**63) <= value < 2**63:  # past BIGINT: no column holds it, no query may bind it
            raise BadParameter(path, f"'{path}' is out of range.")
    elif isinstance(value, dict):
        for key, item in value.items():
            name = (key if path == "body" else f"{path}.{key}") or "body"
            check_text(key, name, 200)
            check_json(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json(item, f"{path}.{index}")


def parse_id(value, parameter: str) -> int | None:
    """An optional id argument ("" or None: not given), within the INTEGER primary keys."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and re.fullmatch(r"\d{1,10}", text):
        text = int(text)
    if isinstance(text, bool) or not isinstance(text, int) or not 1 <= text <= INT_MAX:
        raise BadParameter(parameter, f"'{parameter}' must be an id from 1 to {INT_MAX}.")
    return text


def parse_limit(value, parameter: str, maximum: int) -> int | None:
    """An optional page size from 1 to `maximum`."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if not re.fullmatch(r"\d{1,6}", text) or not 1 <= int(text) <= maximum:
        raise BadParameter(parameter, f"'{parameter}' must be a whole number from 1 to {maximum}.")
    return int(text)


def parse_choice(value, parameter: str, allowed) -> str:
    """One of `allowed` (a filter, a kind of job)."""
    if not isinstance(value, str) or value not in allowed:
        raise BadParameter(parameter, f"'{parameter}' must be one of: {', '.join(allowed)}.")
    return value


# --- path ids ---------------------------------------------------------------------------------------------


class DatabaseInt(IntegerConverter):
    """`<int:...>` in URLs: ids fit the INTEGER primary keys; a longer number is a 400 naming the parameter
    (it could never be a row) instead of overflowing the database."""

    parameter = "id"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str):
        if len(value) > 10 or int(value) > self.max:
            raise BadParameter(self.parameter, f"'{self.parameter}' must be an id from 1 to {self.max}.")
        return super().to_python(value)


class NamedRule(Rule):
    """Tells each path converter the name of the variable it reads, for its error message."""

    def get_converter(self, variable_name, converter_name, args, kwargs):
        converter = super().get_converter(variable_name, converter_name, args, kwargs)
        if isinstance(converter, DatabaseInt):
            converter.parameter = variable_name
        return converter


# --- pydantic types (API bodies, agent tools) -------------------------------------------------------------


def Text(max_length: int = MAX_FIELD_LENGTH):  # noqa: N802 (a type, used as one)
    """A string the database can store, at most `max_length` characters (the column's length). Checked by a
    validator rather than `maxLength`, so OpenAI's strict tool schemas (which refuse that keyword) take it."""

    def storable(value: str) -> str:
        problem = text_problem(value)
        if problem is None and len(value) > max_length:
            problem = f"must be at most {max_length:,} characters"
        if problem:
            raise ValueError(f"Text {problem}.")
        return value

    return Annotated[str, AfterValidator(storable)]


DbId = Annotated[StrictInt, Field(ge=1, le=INT_MAX)]
Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)]


def first_error(exc) -> tuple[str, str]:
    """(parameter, message) of a pydantic ValidationError's first problem, the parameter as `items.0.sku`."""
    error = exc.errors()[0]
    # A union's member shows in `loc` as its type (`function-after[...]`): only field names and indexes name it.
    parts = [str(part) for part in error["loc"] if isinstance(part, int) or re.fullmatch(r"\w+", str(part))]
    parameter = ".".join(parts) or "body"
    return parameter, f"'{parameter}': {error['msg']}."
