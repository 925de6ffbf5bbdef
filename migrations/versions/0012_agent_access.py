"""agent access: token scopes and the record of agent tool calls

Revision ID: 0012_agent_access
Revises: 0011_locations
Create Date: 2026-12-04 01:30:00

Written by hand. API tokens get the scopes chosen when they are made (space-separated); the tokens that
exist already keep every scope through the column's default, so no script or agent loses access on upgrade.
`agent_call` records each MCP tool call (token, tool, a short summary of the arguments, outcome, duration)
for Settings → Agents.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012_agent_access"
down_revision = "0011_locations"
branch_labels = None
depends_on = None

ALL_SCOPES = "catalog:read orders:read orders:write messages:send shop:admin"


def upgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scopes", sa.String(length=255), nullable=False, server_default=ALL_SCOPES)
        )
    op.create_table(
        "agent_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("transport", sa.String(length=10), nullable=False),
        sa.Column("tool", sa.String(length=100), nullable=False),
        sa.Column("arguments", sa.String(length=500), nullable=False),
        sa.Column("outcome", sa.String(length=60), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_agent_call_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_token.id"], name=op.f("fk_agent_call_token_id_api_token"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_call")),
    )
    with op.batch_alter_table("agent_call", schema=None) as batch_op:
        batch_op.create_index("ix_agent_call_workspace_id_id", ["workspace_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agent_call_token_id"), ["token_id"], unique=False)


def downgrade():
    with op.batch_alter_table("agent_call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_call_token_id"))
        batch_op.drop_index("ix_agent_call_workspace_id_id")
    op.drop_table("agent_call")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("scopes")
