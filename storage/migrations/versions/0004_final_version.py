"""final version pointer on projects, dashboard index on generation groups

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

- projects.final_attempt_id: the attempt chosen as the project's final version (NULL = none yet); deleting that
  attempt clears the pointer (ON DELETE SET NULL). projects.final_set_at: when it was chosen.
- ix_generation_groups_created_at: the dashboard filters groups by date range.

SQLite cannot add a foreign key with ALTER TABLE through Alembic's batch mode without rebuilding `projects`, and
rebuilding it with foreign keys on would cascade-delete every child row; SQLite does accept an inline REFERENCES
clause on ADD COLUMN, so that is used there.
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        present = {c["name"] for c in sa.inspect(bind).get_columns("projects")}  # kept by a SQLite downgrade
        if "final_attempt_id" not in present:
            op.execute("ALTER TABLE projects ADD COLUMN final_attempt_id INTEGER "
                       "REFERENCES video_attempts (id) ON DELETE SET NULL")
        if "final_set_at" not in present:
            op.execute("ALTER TABLE projects ADD COLUMN final_set_at DATETIME")
    else:
        op.add_column('projects', sa.Column('final_attempt_id', sa.Integer(), nullable=True))
        op.add_column('projects', sa.Column('final_set_at', sa.DateTime(), nullable=True))
        op.create_foreign_key('fk_project_final_attempt', 'projects', 'video_attempts', ['final_attempt_id'], ['id'],
                              ondelete='SET NULL')
    op.create_index('ix_generation_groups_created_at', 'generation_groups', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_generation_groups_created_at', table_name='generation_groups')
    if op.get_bind().dialect.name == "sqlite":
        # SQLite >= 3.35 drops plain columns; a column with a REFERENCES clause needs the table rebuilt, which
        # would cascade deletes: keep the (unused) columns rather than risk data.
        return
    op.drop_constraint('fk_project_final_attempt', 'projects', type_='foreignkey')
    op.drop_column('projects', 'final_set_at')
    op.drop_column('projects', 'final_attempt_id')
