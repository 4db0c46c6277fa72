"""team mode: accounts, ownership, sharing and the usage ledger

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21

users: bcrypt password hash, auth source (local or hf), disabled flag, per-user monthly cap, last login.
projects.team_access: None (private), 'viewer' or 'editor'. jobs.user_id: who asked for the work.
ad_plans.owner_id: plans exist before their project. usage_events: one row per queued generation, the ledger
behind the hourly generation limit, the monthly spend caps and the admin spend view. Existing rows are given to
the single-user 'local' account when it exists, so nothing made before team mode becomes ownerless.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('password_hash', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('auth_source', sa.String(length=20), nullable=False, server_default='local'))
        batch_op.add_column(sa.Column('disabled', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('monthly_cap_usd', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('projects') as batch_op:
        batch_op.add_column(sa.Column('team_access', sa.String(length=10), nullable=True))
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_jobs_user_id', ['user_id'], unique=False)
        batch_op.create_foreign_key('fk_jobs_user_id', 'users', ['user_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('ad_plans') as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_ad_plans_owner_id', ['owner_id'], unique=False)
        batch_op.create_foreign_key('fk_ad_plans_owner_id', 'users', ['owner_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'usage_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('project_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('generations', sa.Integer(), nullable=False, server_default='1'),
        sa.Column('estimated_usd', sa.Float(), nullable=False, server_default='0'),
        sa.Column('actual_usd', sa.Float(), nullable=True),
        sa.Column('engine', sa.String(length=80), nullable=False, server_default=''),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['group_id'], ['generation_groups.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_usage_events_user_id', 'usage_events', ['user_id'], unique=False)
    op.create_index('ix_usage_events_project_id', 'usage_events', ['project_id'], unique=False)
    op.create_index('ix_usage_events_created_at', 'usage_events', ['created_at'], unique=False)
    # Work made in single-user mode stays with the local account (it can be handed over with the users CLI).
    op.execute("UPDATE projects SET owner_id = (SELECT id FROM users WHERE username = 'local') "
               "WHERE owner_id IS NULL")
    op.execute("UPDATE ad_plans SET owner_id = (SELECT owner_id FROM projects WHERE projects.id = ad_plans.project_id) "
               "WHERE owner_id IS NULL AND project_id IS NOT NULL")
    op.execute("UPDATE ad_plans SET owner_id = (SELECT id FROM users WHERE username = 'local') WHERE owner_id IS NULL")


def downgrade() -> None:
    op.drop_index('ix_usage_events_created_at', table_name='usage_events')
    op.drop_index('ix_usage_events_project_id', table_name='usage_events')
    op.drop_index('ix_usage_events_user_id', table_name='usage_events')
    op.drop_table('usage_events')
    with op.batch_alter_table('ad_plans') as batch_op:
        batch_op.drop_constraint('fk_ad_plans_owner_id', type_='foreignkey')
        batch_op.drop_index('ix_ad_plans_owner_id')
        batch_op.drop_column('owner_id')
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.drop_constraint('fk_jobs_user_id', type_='foreignkey')
        batch_op.drop_index('ix_jobs_user_id')
        batch_op.drop_column('user_id')
    with op.batch_alter_table('projects') as batch_op:
        batch_op.drop_column('team_access')
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('monthly_cap_usd')
        batch_op.drop_column('disabled')
        batch_op.drop_column('auth_source')
        batch_op.drop_column('password_hash')
