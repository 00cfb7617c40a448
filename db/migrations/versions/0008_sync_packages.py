"""sync packages, office keys and cards, exchange log, period locks, assignments

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 10:08:01.940638
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('assignments',
    sa.Column('target_office', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('assigned_date', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('owner_office', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_owner_office'), ['owner_office'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_target_office'), ['target_office'], unique=False)

    op.create_table('exchange_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('direction', sa.String(length=4), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('peer', sa.String(length=12), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('audit_seq', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('ts', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('exchange_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_log_hash'), ['hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_log_peer'), ['peer'], unique=False)

    op.create_table('office_cards',
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_code', sa.String(length=12), nullable=True),
    sa.Column('sign_public', sa.String(length=64), nullable=False),
    sa.Column('box_public', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('office_keys',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('office_code', sa.String(length=12), nullable=False),
    sa.Column('sign_private', sa.String(length=64), nullable=False),
    sa.Column('sign_public', sa.String(length=64), nullable=False),
    sa.Column('box_private', sa.String(length=64), nullable=False),
    sa.Column('box_public', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('office_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_office_keys_office_code'), ['office_code'], unique=False)

    op.create_table('period_corrections',
    sa.Column('entity', sa.String(length=30), nullable=False),
    sa.Column('entity_id', sa.String(length=36), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('owner_office', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('period_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_corrections_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_period_corrections_owner_office'), ['owner_office'], unique=False)
        batch_op.create_index(batch_op.f('ix_period_corrections_period'), ['period'], unique=False)

    op.create_table('period_locks',
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('locked_at', sa.DateTime(), nullable=False),
    sa.Column('package_hash', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('period')
    )
    op.create_table('sync_peers',
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('out_seq', sa.Integer(), nullable=False),
    sa.Column('out_hash', sa.String(length=64), nullable=True),
    sa.Column('acked_seq', sa.Integer(), nullable=True),
    sa.Column('acked_audit_seq', sa.Integer(), nullable=True),
    sa.Column('in_seq', sa.Integer(), nullable=True),
    sa.Column('in_hash', sa.String(length=64), nullable=True),
    sa.Column('in_created', sa.String(length=20), nullable=True),
    sa.Column('in_period', sa.String(length=7), nullable=True),
    sa.Column('in_at', sa.DateTime(), nullable=True),
    sa.Column('audit_seq', sa.Integer(), nullable=True),
    sa.Column('audit_hash', sa.String(length=64), nullable=True),
    sa.Column('chain_alarm', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('assignment_answers',
    sa.Column('assignment_id', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('owner_office', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assignment_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_answers_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_answers_owner_office'), ['owner_office'], unique=False)




def downgrade() -> None:
    
    with op.batch_alter_table('assignment_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_answers_owner_office'))
        batch_op.drop_index(batch_op.f('ix_assignment_answers_assignment_id'))

    op.drop_table('assignment_answers')
    op.drop_table('sync_peers')
    op.drop_table('period_locks')
    with op.batch_alter_table('period_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_period_corrections_period'))
        batch_op.drop_index(batch_op.f('ix_period_corrections_owner_office'))
        batch_op.drop_index(batch_op.f('ix_period_corrections_entity_id'))

    op.drop_table('period_corrections')
    with op.batch_alter_table('office_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_office_keys_office_code'))

    op.drop_table('office_keys')
    op.drop_table('office_cards')
    with op.batch_alter_table('exchange_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_log_peer'))
        batch_op.drop_index(batch_op.f('ix_exchange_log_hash'))

    op.drop_table('exchange_log')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_target_office'))
        batch_op.drop_index(batch_op.f('ix_assignments_owner_office'))
        batch_op.drop_index(batch_op.f('ix_assignments_deadline'))

    op.drop_table('assignments')

