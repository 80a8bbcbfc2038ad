"""milestone.expected_percent: the percent complete a roadmap milestone expects

Revision ID: 0002_planimport
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_planimport'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected_percent', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            'ck_milestone_percent', 'expected_percent >= 0 AND expected_percent <= 100'
        )


def downgrade() -> None:
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_constraint('ck_milestone_percent', type_='check')
        batch_op.drop_column('expected_percent')
