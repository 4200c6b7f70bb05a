"""food entry photo: a unique index on food_entries.photo; recipe ingredient amounts as entered

The photo column itself came with 0003. Signed photo URLs are resolved to their owner by the
file name, so the name gets a unique index (one owner per file, a fast lookup). A recipe's
ingredients keep the quantity and unit the member gave (2 x "1 egg") beside their grams, so a
recipe can be edited as it was written; rows from before this stay grams only.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 22:10:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('food_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_food_entries_photo'), ['photo'], unique=True)

    with op.batch_alter_table('recipe_ingredients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quantity', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('recipe_ingredients', schema=None) as batch_op:
        batch_op.drop_column('unit')
        batch_op.drop_column('quantity')

    with op.batch_alter_table('food_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_food_entries_photo'))
