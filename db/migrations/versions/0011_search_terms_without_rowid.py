"""search_terms: the primary key is (rank, term, household_id), a WITHOUT ROWID table on SQLite

The covering index (rank, term, household_id) becomes the table itself: each term is stored once
instead of twice (table row and index entry), which is most of what a roster import or a district's
package import writes. Every writer already gives each household a set of distinct terms.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _term_type() -> sa.types.TypeEngine:
    return sa.String(length=80).with_variant(postgresql.VARCHAR(length=80, collation='C'), 'postgresql')


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        # in place: drop the surrogate id (and its sequence), the key takes the covering index's place
        op.execute('DELETE FROM search_terms a USING search_terms b WHERE a.id > b.id AND a.rank = b.rank '
                   'AND a.term = b.term AND a.household_id = b.household_id')
        op.drop_index('ix_search_rank_term_household', table_name='search_terms')
        op.drop_column('search_terms', 'id')
        op.create_primary_key('search_terms_pkey', 'search_terms', ['rank', 'term', 'household_id'])
        return
    # SQLite cannot change a table's key: build the new table, copy in key order, swap
    op.create_table('search_terms_new',
                    sa.Column('rank', sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column('term', _term_type(), nullable=False),
                    sa.Column('household_id', sa.String(length=36), nullable=False),
                    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
                    sa.PrimaryKeyConstraint('rank', 'term', 'household_id'),
                    sqlite_with_rowid=False)
    op.execute('INSERT OR IGNORE INTO search_terms_new (rank, term, household_id) '
               'SELECT rank, term, household_id FROM search_terms ORDER BY rank, term, household_id')
    op.drop_table('search_terms')
    op.rename_table('search_terms_new', 'search_terms')
    op.create_index('ix_search_terms_household_id', 'search_terms', ['household_id'], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint('search_terms_pkey', 'search_terms', type_='primary')
        op.add_column('search_terms', sa.Column('id', sa.Integer(), sa.Identity(), nullable=False))
        op.create_primary_key('search_terms_pkey', 'search_terms', ['id'])
        op.create_index('ix_search_rank_term_household', 'search_terms', ['rank', 'term', 'household_id'])
        return
    op.create_table('search_terms_old',
                    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column('household_id', sa.String(length=36), nullable=False),
                    sa.Column('term', _term_type(), nullable=False),
                    sa.Column('rank', sa.Integer(), nullable=False),
                    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
                    sa.PrimaryKeyConstraint('id'))
    op.execute('INSERT INTO search_terms_old (household_id, term, rank) '
               'SELECT household_id, term, rank FROM search_terms')
    op.drop_table('search_terms')
    op.rename_table('search_terms_old', 'search_terms')
    op.create_index('ix_search_terms_household_id', 'search_terms', ['household_id'], unique=False)
    op.create_index('ix_search_rank_term_household', 'search_terms', ['rank', 'term', 'household_id'])
