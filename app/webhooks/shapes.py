"""Reading a platform's JSON with the types its documentation promises, or a readable `WrongShape` error.

A signed body is still only JSON: a `changes` item may be a string, `value` a list, an id an object. Intake
(`meta_split`) and the handlers read every field they use through these helpers, so a body of the wrong shape
becomes one delivery stored or failed with an error that says where (`entry[0].changes[1].value is a list,
not an object`) instead of an AttributeError, a TypeError or a value the database refuses. Missing and null
fields are not errors: the platforms omit what does not apply.
"""

from __future__ import annotations


class WrongShape(ValueError):
    """A JSON value of the wrong type; the message names its path in the body."""


def kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    return "null" if value is None else type(value).__name__


def obj(value, where: str) -> dict:
    """An object; {} when missing."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise WrongShape(f"{where} is {kind(value)}, not an object")
    return value


def items(value, where: str) -> list:
    """A list (of anything); [] when missing."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise WrongShape(f"{where} is {kind(value)}, not a list")
    return value


def objects(value, where: str) -> list[dict]:
    """A list of objects; [] when missing."""
    listed = items(value, where)
    for i, item in enumerate(listed):
        obj(item, f"{where}[{i}]")
    return listed


def ident(value, where: str) -> str | None:
    """An id: a string, or an integer as its digits (Meta and Shopify send both); None when missing or empty."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise WrongShape(f"{where} is {kind(value)}, not an id")


def text(value, where: str) -> str | None:
    """A string (a number as its JSON text); None when missing."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise WrongShape(f"{where} is {kind(value)}, not text")
