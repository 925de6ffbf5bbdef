"""webhook.superseded_by: the delivery whose newer version was applied instead of this one

Revision ID: 0009_webhook_superseded_by
Revises: 0008_login_sessions
Create Date: 2026-12-03 10:00:00

Written by hand. Workers claim the inbox in batches and apply only the newest delivery of each resource (a
product, an order, an inventory level); the older ones in the batch are recorded as done with the id of the
delivery that was applied in their place. A plain integer, not a foreign key: it is a record for people
reading the log, a shop's redaction deletes webhooks in bulk, and a key would cost a lookup per update.

Also an index for the Logs page's inbox throughput (deliveries done in a workspace in the last minute),
partial on `processed_at IS NOT NULL` so the intake's inserts (not yet processed) never write to it.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009_webhook_superseded_by"
down_revision = "0008_login_sessions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("webhook") as batch:
        batch.add_column(sa.Column("superseded_by", sa.Integer(), nullable=True))
    op.create_index(
        "ix_webhook_workspace_id_processed_at",
        "webhook",
        ["workspace_id", "processed_at"],
        postgresql_where=sa.text("processed_at IS NOT NULL"),
        sqlite_where=sa.text("processed_at IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_webhook_workspace_id_processed_at", table_name="webhook")
    with op.batch_alter_table("webhook") as batch:
        batch.drop_column("superseded_by")
