"""corolla-auth: the auth_user and auth_login_attempt tables.

Revision ID: c0a17e5a0001
Revises:
Create Date: 2026-11-25 18:30:00

The first revision of the ``auth`` branch. An app whose tables refer to
``auth_user`` makes its own first revision depend on it:
``depends_on = ("auth",)`` (or this revision id).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0a17e5a0001"
down_revision = None
branch_labels = ("auth",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("username_lower", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_user")),
        sa.UniqueConstraint("username_lower", name=op.f("uq_auth_user_username_lower")),
    )
    op.create_table(
        "auth_login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("attempted_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_login_attempt")),
    )
    op.create_index(op.f("ix_auth_login_attempt_key"), "auth_login_attempt", ["key"], unique=False)
    op.create_index(op.f("ix_auth_login_attempt_attempted_at"), "auth_login_attempt", ["attempted_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_auth_login_attempt_attempted_at"), table_name="auth_login_attempt")
    op.drop_index(op.f("ix_auth_login_attempt_key"), table_name="auth_login_attempt")
    op.drop_table("auth_login_attempt")
    op.drop_table("auth_user")
