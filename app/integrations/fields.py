"""The shape of an integration's fields as the API and the Integrations page send them, checked before any
service sees them: account keys and names are text that fits their columns (`integration.account_id`,
`display_name`: 255), Meta ids may also come as JSON numbers. A mismatch is a 400 naming the field.

Parsing only: whether a value is right for its platform (a shop domain, a numeric id) stays with
`app.integrations.service`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from app.params import BadParameter, Text, first_error

AccountNumber = Text(255) | Annotated[StrictInt, Field(ge=0)]


class IntegrationFields(BaseModel):
    model_config = ConfigDict(extra="allow")

    platform: Text(20) | None = None
    display_name: Text(255) | None = None
    shop_domain: Text(255) | None = None
    phone_number_id: AccountNumber | None = None
    page_id: AccountNumber | None = None


def check_fields(data: dict) -> dict:
    """`data` unchanged when its known fields have the right types and lengths; BadParameter otherwise."""
    try:
        IntegrationFields.model_validate(data)
    except ValidationError as exc:
        raise BadParameter(*first_error(exc)) from None
    return data
