"""The product feed settings form (on the general settings page, posted to `settings.feed`): which products
the agentic-commerce feed at `/api/feeds/acp` lists, and for which countries. The service checks the values."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import Length

from app.auth_scope import current_scope
from app.models import Collection
from app.services import workspace_settings as service


class FeedForm(FlaskForm):
    scope = SelectField(
        "Products in the feed",
        choices=[SelectChoice("all", "Every active product"), SelectChoice("collection", "One collection")],
    )
    collection_id = SelectField(
        "Collection", coerce=lambda v: int(v) if str(v).isdigit() else None, validate_choice=False
    )
    excluded_tags = StringField("Leave out products tagged", validators=[Length(max=2000)])
    target_countries = StringField("Sell to countries", validators=[Length(max=500)])
    store_country = StringField("Store country", validators=[Length(max=10)])
    store_url = StringField("Shop address", validators=[Length(max=500)])


def feed_form(workspace_id: int, form: FeedForm | None = None) -> FeedForm:
    if form is None:
        row = service.feed_settings(workspace_id)
        countries = (row.target_countries or "").replace(",", ", ")
        form = FeedForm(formdata=None, scope=row.scope, collection_id=row.collection_id,
                        excluded_tags=row.excluded_tags, target_countries=countries,
                        store_country=row.store_country, store_url=row.store_url)  # fmt: skip
    collections = current_scope().all(Collection)
    form.collection_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(c.id), c.title) for c in sorted(collections, key=lambda c: c.title)
    ]
    return form
