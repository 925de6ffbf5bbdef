"""one proved integration holds each platform account: `integration.proved_at` and a partial unique index

Revision ID: 0007_integration_holder
Revises: 0006_bulk_write_checks
Create Date: 2026-12-03 10:00:00

Written by hand. Until now webhooks went to any integration naming the account (connected first, else the
oldest row), and the handlers fed every workspace with a row for it, disconnected ones included: a workspace
could add a row for someone else's shop and receive its deliveries and customer data. From here on only the
row whose credentials were proved (`proved_at`) receives anything, and the partial unique index allows one
such row per (platform, account_id) across all workspaces.

Carrying rows over: the old code never kept a proof, but it only ever set `connected` after one, and
`needs_reauth` only on a connected row (an uninstall, whose `shop/redact` must still arrive). So per account
the row today's routing picks among those counts as proved: connected first, then the oldest. Any other
`connected` row of the same account (a shop connected in two workspaces) goes to `needs_reauth` with a
sentence saying why, so its merchant can see it and its jobs stop. Disconnected rows stay unproved: nothing
tells a row that once proved from one that never did; their merchant connects again.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007_integration_holder"
down_revision = "0006_bulk_write_checks"
branch_labels = None
depends_on = None

HOLDS = "proved_at IS NOT NULL"
SECOND_HOLDER_MESSAGE = (
    "This account is also connected to another workspace, which now receives its webhooks. "
    "Connect it again here to move it to this workspace."
)


def upgrade():
    with op.batch_alter_table("integration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proved_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        """
        UPDATE integration SET proved_at = updated_at
        WHERE id IN (
            SELECT (
                SELECT i.id FROM integration AS i
                WHERE i.platform = k.platform AND i.account_id = k.account_id
                  AND i.status IN ('connected', 'needs_reauth')
                ORDER BY CASE WHEN i.status = 'connected' THEN 0 ELSE 1 END, i.id
                LIMIT 1
            )
            FROM (SELECT DISTINCT platform, account_id FROM integration) AS k
        )
        """
    )
    op.get_bind().execute(
        sa.text(
            "UPDATE integration SET status = 'needs_reauth', status_message = :message, sync_error = :message "
            "WHERE status = 'connected' AND proved_at IS NULL"
        ),
        {"message": SECOND_HOLDER_MESSAGE},
    )
    op.create_index(
        "uq_integration_holder",
        "integration",
        ["platform", "account_id"],
        unique=True,
        postgresql_where=sa.text(HOLDS),
        sqlite_where=sa.text(HOLDS),
    )


def downgrade():
    op.drop_index("uq_integration_holder", table_name="integration")
    with op.batch_alter_table("integration", schema=None) as batch_op:
        batch_op.drop_column("proved_at")
