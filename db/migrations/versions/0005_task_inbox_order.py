"""The open tasks in the inbox's order: an index on task (state, due_on, created_at, id)
(issue #10: inbox open with 10,000 open tasks in at most 150 ms)

The inbox reads every open task it may route, ordered by due date, then when made, then id
(desktop/services/inbox.py, INBOX_ORDER). Without this index SQLite found the open tasks through
ix_task_owner_state or a scan and sorted them all; with it, it walks the open tasks already in
that order. Measured on the benchmark's county copy (10,000 open tasks): the inbox's reading
430.7 M -> 351.1 M instructions (callgrind). A partial index (WHERE state = 'open') would not
be used: the state is bound as a parameter.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_task_state_due", "task", ["state", "due_on", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_task_state_due", table_name="task")
