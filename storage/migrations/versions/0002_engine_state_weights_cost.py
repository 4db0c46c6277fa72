"""engine state on jobs, per-project scoring weights, group cost estimate

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.add_column(sa.Column('engine_state', sa.JSON(), nullable=True))
    with op.batch_alter_table('projects') as batch_op:
        batch_op.add_column(sa.Column('scoring_weights', sa.JSON(), nullable=True))
    with op.batch_alter_table('generation_groups') as batch_op:
        batch_op.add_column(sa.Column('estimated_cost_usd', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('generation_groups') as batch_op:
        batch_op.drop_column('estimated_cost_usd')
    with op.batch_alter_table('projects') as batch_op:
        batch_op.drop_column('scoring_weights')
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.drop_column('engine_state')
