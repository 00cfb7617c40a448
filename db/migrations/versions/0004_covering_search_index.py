"""covering search index (rank, term, household_id)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('search_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_search_rank_term')
        batch_op.create_index('ix_search_rank_term_household', ['rank', 'term', 'household_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('search_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_search_rank_term_household')
        batch_op.create_index('ix_search_rank_term', ['rank', 'term'], unique=False)
