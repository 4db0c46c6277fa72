"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _selected_frame_fk_inline() -> list:
    # projects <-> hero_frames reference each other. SQLite accepts the forward reference inline (and cannot
    # ALTER in a constraint later); other databases get it added once hero_frames exists.
    if op.get_bind().dialect.name == "sqlite":
        return [sa.ForeignKeyConstraint(['selected_hero_frame_id'], ['hero_frames.id'],
                                        name='fk_project_selected_frame', ondelete='SET NULL')]
    return []


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=120), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('aspect_ratio', sa.String(length=8), nullable=False),
    sa.Column('selected_hero_frame_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    *_selected_frame_fk_inline(),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_owner_id'), ['owner_id'], unique=False)

    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('step', sa.String(length=300), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('max_tries', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('worker_id', sa.String(length=200), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_status'), ['status'], unique=False)

    op.create_table('hero_frames',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('enhanced_prompt', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('engine', sa.String(length=80), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=True),
    sa.Column('aspect_ratio', sa.String(length=8), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('image_path', sa.String(length=500), nullable=False),
    sa.Column('thumbnail_path', sa.String(length=500), nullable=False),
    sa.Column('is_favourite', sa.Boolean(), nullable=False),
    sa.Column('parent_frame_id', sa.Integer(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_frame_id'], ['hero_frames.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hero_frames', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hero_frames_project_id'), ['project_id'], unique=False)

    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key('fk_project_selected_frame', 'projects', 'hero_frames', ['selected_hero_frame_id'],
                              ['id'], ondelete='SET NULL')
    op.create_table('timeline_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('edit_list', sa.JSON(), nullable=False),
    sa.Column('exported_path', sa.String(length=500), nullable=True),
    sa.Column('export_job_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['export_job_id'], ['jobs.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'version')
    )
    with op.batch_alter_table('timeline_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timeline_versions_project_id'), ['project_id'], unique=False)

    op.create_table('generation_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('hero_frame_id', sa.Integer(), nullable=False),
    sa.Column('motion_prompt', sa.Text(), nullable=False),
    sa.Column('negative_prompt', sa.Text(), nullable=False),
    sa.Column('engine', sa.String(length=80), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('attempt_count', sa.Integer(), nullable=False),
    sa.Column('duration', sa.Float(), nullable=False),
    sa.Column('iteration_index', sa.Integer(), nullable=False),
    sa.Column('parent_group_id', sa.Integer(), nullable=True),
    sa.Column('selection_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['hero_frame_id'], ['hero_frames.id'], ),
    sa.ForeignKeyConstraint(['parent_group_id'], ['generation_groups.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('generation_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_generation_groups_project_id'), ['project_id'], unique=False)

    op.create_table('video_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('video_path', sa.String(length=500), nullable=True),
    sa.Column('poster_path', sa.String(length=500), nullable=True),
    sa.Column('duration', sa.Float(), nullable=True),
    sa.Column('fps', sa.Float(), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('cost_usd', sa.Float(), nullable=False),
    sa.Column('overall_score', sa.Float(), nullable=True),
    sa.Column('relative_score', sa.Float(), nullable=True),
    sa.Column('score_reason', sa.Text(), nullable=True),
    sa.Column('score_details', sa.JSON(), nullable=True),
    sa.Column('is_system_selected_best', sa.Boolean(), nullable=False),
    sa.Column('is_user_selected_best', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['generation_groups.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('video_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_attempts_group_id'), ['group_id'], unique=False)

    op.create_table('quality_metrics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('scorer_version', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['video_attempts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('attempt_id', 'name', 'scorer_version')
    )
    with op.batch_alter_table('quality_metrics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_metrics_attempt_id'), ['attempt_id'], unique=False)

    op.create_table('selection_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('system_attempt_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['video_attempts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['generation_groups.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['system_attempt_id'], ['video_attempts.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('selection_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_selection_events_group_id'), ['group_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('selection_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_selection_events_group_id'))

    op.drop_table('selection_events')
    with op.batch_alter_table('quality_metrics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_metrics_attempt_id'))

    op.drop_table('quality_metrics')
    with op.batch_alter_table('video_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_video_attempts_group_id'))

    op.drop_table('video_attempts')
    with op.batch_alter_table('generation_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_generation_groups_project_id'))

    op.drop_table('generation_groups')
    with op.batch_alter_table('timeline_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timeline_versions_project_id'))

    op.drop_table('timeline_versions')
    with op.batch_alter_table('hero_frames', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hero_frames_project_id'))

    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint('fk_project_selected_frame', 'projects', type_='foreignkey')
    op.drop_table('hero_frames')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_status'))
        batch_op.drop_index(batch_op.f('ix_jobs_project_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_kind'))

    op.drop_table('jobs')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_owner_id'))

    op.drop_table('projects')
    op.drop_table('users')
