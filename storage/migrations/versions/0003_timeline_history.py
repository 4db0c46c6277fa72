"""timeline history: draft/saved versions, a head pointer for undo/redo, export thumbnails

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

Every timeline edit already saved a new version row. This adds what an editor needs on top:
- parent_version: the version an edit was made from (undo goes back along it, redo forward to the newest child);
- is_head: the version the editor shows now (exactly one per project with versions);
- kind ('draft' or 'saved') and name: "Save" marks a version as a named one that can be reopened later;
- saved_at; thumbnail_path: the poster of an exported version.
Existing rows: each project's newest version becomes the head, parents follow the version numbers, exported
versions count as saved.
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('timeline_versions') as batch_op:
        batch_op.add_column(sa.Column('parent_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('is_head', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('kind', sa.String(length=10), nullable=False, server_default='draft'))
        batch_op.add_column(sa.Column('name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('saved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('thumbnail_path', sa.String(length=500), nullable=True))
    op.execute("UPDATE timeline_versions SET parent_version = version - 1 WHERE version > 1")
    op.execute("UPDATE timeline_versions SET kind = 'saved', name = 'Exported', saved_at = created_at "
               "WHERE exported_path IS NOT NULL")
    op.execute("UPDATE timeline_versions SET is_head = :yes WHERE version = (SELECT MAX(t2.version) FROM "
               "timeline_versions AS t2 WHERE t2.project_id = timeline_versions.project_id)"
               .replace(":yes", "TRUE" if op.get_bind().dialect.name != "sqlite" else "1"))


def downgrade() -> None:
    with op.batch_alter_table('timeline_versions') as batch_op:
        batch_op.drop_column('thumbnail_path')
        batch_op.drop_column('saved_at')
        batch_op.drop_column('name')
        batch_op.drop_column('kind')
        batch_op.drop_column('is_head')
        batch_op.drop_column('parent_version')
