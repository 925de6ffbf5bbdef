"""The call log's argument summary stays short and leaves personal fields out, whatever an agent sends."""

from __future__ import annotations

import json

from app.mcp.calls import ARGUMENTS_MAX, summarise


def test_long_values_many_items_and_personal_fields_are_cut():
    arguments = {
        "query": "☃" * 500,
        "customer_name": "Zoë Private",
        "items": [{"variant_id": 2**40 + n, "quantity": 1, "sku": None} for n in range(300)],
    }
    text = summarise(arguments)
    assert len(text) <= ARGUMENTS_MAX
    assert "Zoë" not in text and "Private" not in text
    assert "☃" * 61 not in text
    assert str(2**40) in text  # ids beyond int32 are kept as they are


def test_nul_bytes_odd_types_and_empty_arguments_are_safe():
    assert summarise(None) == "{}"
    assert summarise({}) == "{}"
    text = summarise({"q": "a\x00b", "when": object(), "nested": {"deep": ["x"] * 9}})
    assert "\x00" not in text and "\\u0000" in text  # the NUL is escaped by JSON, never stored raw
    assert json.loads(text)["nested"]["deep"][-1] == "… 4 more"
