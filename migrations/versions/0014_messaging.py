"""WhatsApp follow-up: customers with consent history, the outbox, message templates, automations

Revision ID: 0014_messaging
Revises: 0013_product_feed
Create Date: 2026-12-04 01:40:00

Written by hand. New tables only; the downgrade drops them (outbox history and consent history go with them).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_messaging"
down_revision = "0013_product_feed"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def _workspace():
    return sa.Column(
        "workspace_id", sa.Integer(), sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False
    )


def upgrade():
    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column("user_id", sa.String(255)),
        sa.Column("wa_id", sa.String(50)),
        sa.Column("name", sa.String(255)),
        sa.Column("consent", sa.String(20), nullable=False),
        sa.Column("consent_at", UTC_TIME),
        sa.Column("last_inbound_at", UTC_TIME),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("workspace_id", "user_id"),
        sa.UniqueConstraint("workspace_id", "wa_id"),
    )
    op.create_table(
        "consent_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column(
            "customer_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("source", sa.String(30), nullable=False),
        sa.Column("detail", sa.String(255)),
        sa.Column("happened_at", UTC_TIME, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_consent_event_workspace_id", "consent_event", ["workspace_id"])
    op.create_index("ix_consent_event_customer_id", "consent_event", ["customer_id"])
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column(
            "customer_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("integration_id", sa.Integer(), sa.ForeignKey("integration.id", ondelete="SET NULL")),
        sa.Column("event_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("template_name", sa.String(512), nullable=False),
        sa.Column("language", sa.String(20)),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", UTC_TIME, nullable=False),
        sa.Column("enqueued_at", UTC_TIME),
        sa.Column("lease_until", UTC_TIME),
        sa.Column("wamid", sa.String(255), unique=True),
        sa.Column("error_code", sa.Integer()),
        sa.Column("error", sa.Text()),
        sa.Column("sent_at", UTC_TIME),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("customer_id", "event_key", "template_name"),
    )
    op.create_index("ix_outbox_message_status_due_at", "outbox_message", ["status", "due_at"])
    op.create_index(
        "ix_outbox_message_workspace_id_created_at", "outbox_message", ["workspace_id", "created_at"]
    )
    op.create_index("ix_outbox_message_integration_id", "outbox_message", ["integration_id"])
    op.create_table(
        "message_template",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column(
            "integration_id",
            sa.Integer(),
            sa.ForeignKey("integration.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("meta_id", sa.String(100)),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("language", sa.String(20), nullable=False),
        sa.Column("category", sa.String(30)),
        sa.Column("status", sa.String(30)),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("synced_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("integration_id", "name", "language"),
    )
    op.create_index("ix_message_template_workspace_id", "message_template", ["workspace_id"])
    op.create_table(
        "automation",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("template_name", sa.String(512)),
        sa.Column("language", sa.String(20)),
        sa.Column("delay_minutes", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("workspace_id", "kind"),
    )


def downgrade():
    op.drop_table("automation")
    op.drop_table("message_template")
    op.drop_table("outbox_message")
    op.drop_table("consent_event")
    op.drop_table("customer")
