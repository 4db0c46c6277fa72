"""ad composer plans and product videos

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21

ad_plans: one row per ad plan (kind 'ad') or one-click product video (kind 'product_video'): the validated plan
JSON, its status (draft, generating, done, cancelled, failed), the project it generated (SET NULL when that
project is deleted), the generation job, the estimated and the actual cost, and the generation state (frames
and groups made per scene, so a retried job resumes instead of starting over).
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ad_plans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False, server_default='ad'),
        sa.Column('prompt', sa.Text(), nullable=False, server_default=''),
        sa.Column('plan', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False, server_default='draft'),
        sa.Column('project_id', sa.Integer(), nullable=True),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('estimated_cost_usd', sa.Float(), nullable=True),
        sa.Column('cost_usd', sa.Float(), nullable=True),
        sa.Column('state', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_ad_plans_project_id', 'ad_plans', ['project_id'], unique=False)
    op.create_index('ix_ad_plans_status', 'ad_plans', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ad_plans_status', table_name='ad_plans')
    op.drop_index('ix_ad_plans_project_id', table_name='ad_plans')
    op.drop_table('ad_plans')
