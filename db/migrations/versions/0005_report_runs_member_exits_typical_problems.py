"""report runs (snapshots of the 月报), member exits (date of death), typical problems (典型问题)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_runs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('office', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('made_at', sa.DateTime(), nullable=False),
    sa.Column('made_by', sa.String(length=64), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_runs_office'), ['office'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_runs_period'), ['period'], unique=False)

    op.create_table('member_exits',
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('died', sa.Boolean(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('owner_office', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('member_exits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_exits_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_exits_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_exits_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_exits_owner_office'), ['owner_office'], unique=False)

    op.create_table('typical_problems',
    sa.Column('problem_id', sa.String(length=36), nullable=False),
    sa.Column('marked_date', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('owner_office', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['problem_id'], ['problems.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('typical_problems', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_typical_problems_owner_office'), ['owner_office'], unique=False)
        batch_op.create_index(batch_op.f('ix_typical_problems_problem_id'), ['problem_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('typical_problems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_typical_problems_problem_id'))
        batch_op.drop_index(batch_op.f('ix_typical_problems_owner_office'))
    op.drop_table('typical_problems')
    with op.batch_alter_table('member_exits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_exits_owner_office'))
        batch_op.drop_index(batch_op.f('ix_member_exits_member_id'))
        batch_op.drop_index(batch_op.f('ix_member_exits_household_id'))
        batch_op.drop_index(batch_op.f('ix_member_exits_day'))
    op.drop_table('member_exits')
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_runs_period'))
        batch_op.drop_index(batch_op.f('ix_report_runs_office'))
    op.drop_table('report_runs')
