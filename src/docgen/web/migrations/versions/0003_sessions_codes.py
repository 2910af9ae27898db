"""Server-side sessions, accounts that can be ended, and the project codes of each check.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as table:
        table.add_column(sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()))
    op.create_table(
        "sessions",
        sa.Column("key", sa.String(64), primary_key=True),  # SHA-256 of the cookie's token, never the token
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False, index=True),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("expires", sa.DateTime, nullable=False),
        sa.Column("address", sa.String(64), nullable=True),
    )
    op.create_table(
        "check_codes",
        sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id"), nullable=False, index=True),
        sa.Column("code", sa.String(64), nullable=False, index=True),
        sa.PrimaryKeyConstraint("check_id", "code"),
    )


def downgrade() -> None:
    op.drop_table("check_codes")
    op.drop_table("sessions")
    with op.batch_alter_table("accounts") as table:
        table.drop_column("active")
