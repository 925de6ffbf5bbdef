"""One error base, answered in one place: every domain error is an `AppError`, and `app.errors` turns any that
a route lets through into `{"error": message, ...extras}` with its status on /api, and into the error page (or,
for an htmx swap, the sentence alone) on pages."""

from __future__ import annotations

import pytest

from agent_tools.registry import ToolError
from app.catalog.listing import ListError
from app.integrations.base import IntegrationError
from app.inventory.errors import InventoryError, OutOfStock
from app.params import BadParameter
from app.problems import AppError
from app.services.accounts import AccountError
from app.services.bulk_jobs import BulkError, BulkUnavailable
from app.services.conversations import ReplyRefused
from app.services.logs import RetryRefused
from app.services.order_records import OrderRefused
from app.services.orders import OrderChangeRefused
from app.services.passwords import PasswordRejected
from app.services.products import ProductValidationError
from app.services.refused import Refused
from app.sync.service import SyncAlreadyRunning, SyncError

# Code catches these as ValueError (forms, CLI, agent tools): they stay ValueErrors.
VALUE_ERRORS = [AccountError, PasswordRejected, ListError, ProductValidationError, OrderRefused, BulkError,
                IntegrationError]  # fmt: skip
OTHERS = [Refused, ReplyRefused, OrderChangeRefused, RetryRefused, InventoryError, SyncError, SyncAlreadyRunning,
          ToolError, BadParameter]  # fmt: skip


@pytest.mark.parametrize("error", VALUE_ERRORS + OTHERS)
def test_every_domain_error_is_an_app_error(error):
    assert issubclass(error, AppError)


@pytest.mark.parametrize("error", VALUE_ERRORS)
def test_errors_that_were_value_errors_still_are(error):
    assert issubclass(error, ValueError)


def test_each_error_keeps_its_message_status_and_extra_fields():
    assert (Refused("No.").message, Refused("No.").status, OrderRefused("Gone.", 404).status) == (
        "No.",
        409,
        404,
    )
    assert (BulkUnavailable("Down.").status, BulkError("Bad.", {"ids": "x"}).answer()) == (
        503,
        {"fields": {"ids": "x"}},
    )
    assert IntegrationError("Bad.").answer() == {"fields": {}}
    assert IntegrationError("Taken.", status=409).status == 409
    assert OutOfStock(7, 3, 1).answer() == {"variant_id": 7, "requested": 3, "available": 1}
    assert BadParameter("limit", "'limit' is bad.").answer() == {"parameter": "limit"}
    assert BadParameter("limit", "'limit' is bad.").description == "'limit' is bad."
    account = AccountError("Wrong password.", field="current_password")
    assert (str(account), account.field, account.status, account.answer()) == (
        "Wrong password.",
        "current_password",
        400,
        {},
    )


def _answer(app, path: str, exc: Exception, headers: dict | None = None):
    with app.test_request_context(path, headers=headers or {}):
        response = app.make_response(app.handle_user_exception(exc))
        return app.process_response(response)


def test_an_app_error_on_the_api_is_json_with_its_status_and_extra_fields(app):
    response = _answer(app, "/api/orders/1", OutOfStock(7, 3, 1))
    assert response.status_code == 409
    assert response.get_json() == {"error": "Only 1 left in stock for variant 7; 3 requested.", "variant_id": 7,
                                   "requested": 3, "available": 1}  # fmt: skip
    response = _answer(
        app, "/api/integrations", IntegrationError("Check the fields.", fields={"shop": "Required."})
    )
    assert response.status_code == 422
    assert response.get_json() == {
        "error": "Check the fields.",
        "fields": {"shop": "Required."},
        "parameter": "shop",
    }
    response = _answer(app, "/api/me", AppError("Who are you?", status=401))
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_an_app_error_on_a_page_is_the_error_page_or_for_htmx_the_sentence(app):
    page = _answer(app, "/orders/1", OrderChangeRefused("This order is already cancelled."))
    body = page.get_data(as_text=True)
    assert page.status_code == 409 and "<!doctype html>" in body.lower() and "already cancelled" in body
    fragment = _answer(
        app, "/orders/1", OrderChangeRefused("This order is already cancelled."), {"HX-Request": "1"}
    )
    body = fragment.get_data(as_text=True)
    assert (
        fragment.status_code == 409 and "<!doctype html>" not in body.lower() and "already cancelled" in body
    )
    assert "HX-Request" in fragment.headers["Vary"] and "HX-Request" in page.headers["Vary"]
