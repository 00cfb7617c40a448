"""search_terms: no foreign key to households (a derived index the code rewrites with the household)

Checking the key made the database look up the household again for every term it stored; on
PostgreSQL the check also locks that household's row, and it was about half the time a district
spends storing the terms of a township's package (≈80,000 terms per 5,000 households).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def _term_type() -> sa.types.TypeEngine:
    return sa.String(length=80).with_variant(postgresql.VARCHAR(length=80, collation='C'), 'postgresql')


def _rebuild_on_sqlite(foreign_key: bool) -> None:
    """SQLite cannot drop or add a table's constraint: build the table again, copy in key order, swap."""
    extra = [sa.ForeignKeyConstraint(['household_id'], ['households.id'], )] if foreign_key else []
    op.create_table('search_terms_new',
                    sa.Column('rank', sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column('term', _term_type(), nullable=False),
                    sa.Column('household_id', sa.String(length=36), nullable=False),
                    *extra,
                    sa.PrimaryKeyConstraint('rank', 'term', 'household_id'),
                    sqlite_with_rowid=False)
    op.execute('INSERT INTO search_terms_new (rank, term, household_id) '
               'SELECT rank, term, household_id FROM search_terms ORDER BY rank, term, household_id')
    op.drop_table('search_terms')
    op.rename_table('search_terms_new', 'search_terms')
    op.create_index('ix_search_terms_household_id', 'search_terms', ['household_id'], unique=False)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        for fk in sa.inspect(bind).get_foreign_keys('search_terms'):
            op.drop_constraint(fk['name'], 'search_terms', type_='foreignkey')
        return
    _rebuild_on_sqlite(foreign_key=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        # terms of a household no longer there would refuse the key: they find nothing anyway
        op.execute('DELETE FROM search_terms t WHERE NOT EXISTS '
                   '(SELECT 1 FROM households h WHERE h.id = t.household_id)')
        op.create_foreign_key('search_terms_household_id_fkey', 'search_terms', 'households',
                              ['household_id'], ['id'])
        return
    op.execute('DELETE FROM search_terms WHERE household_id NOT IN (SELECT id FROM households)')
    _rebuild_on_sqlite(foreign_key=True)
