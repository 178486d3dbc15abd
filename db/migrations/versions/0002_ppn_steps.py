"""PPN steps: who submitted, reviewed at the MASH and recorded the decision; the submission's
reference; how a hand-added subject is related (issue #7)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.Integer().with_variant(sa.BigInteger(), "postgresql")
OFFICERS = ("submitted_by_id", "mash_reviewed_by_id", "decision_recorded_by_id")


def upgrade() -> None:
    with op.batch_alter_table("ppn", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submitted_by_id", ID, nullable=True))
        batch_op.add_column(
            sa.Column(
                "submission_reference", sa.String(length=60), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("mash_reviewed_by_id", ID, nullable=True))
        batch_op.add_column(sa.Column("decision_recorded_by_id", ID, nullable=True))
        for column in OFFICERS:
            batch_op.create_foreign_key(
                op.f(f"fk_ppn_{column}_officer"), "officer", [column], ["id"]
            )
    with op.batch_alter_table("ppn_subject", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("relationship", sa.String(length=60), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("ppn_subject", schema=None) as batch_op:
        batch_op.drop_column("relationship")
    with op.batch_alter_table("ppn", schema=None) as batch_op:
        for column in reversed(OFFICERS):
            batch_op.drop_constraint(op.f(f"fk_ppn_{column}_officer"), type_="foreignkey")
        batch_op.drop_column("decision_recorded_by_id")
        batch_op.drop_column("mash_reviewed_by_id")
        batch_op.drop_column("submission_reference")
        batch_op.drop_column("submitted_by_id")
