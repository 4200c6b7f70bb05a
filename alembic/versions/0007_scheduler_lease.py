"""scheduler lease: one process runs the schedule, one run per job at a time; APScheduler's job store

`scheduler_lease` holds the lease rows (jobs/lease.py). `apscheduler_jobs` is APScheduler 3's
SQLAlchemyJobStore table with its own columns, created here so the schema stays Alembic's: the
store would otherwise create it at run time, and autogenerate would then offer to drop it.
Its `job_state` has no server default: APScheduler always writes it.

Downgrading drops both tables: the schedule is rebuilt from the settings when a scheduler next
starts; only the record of which runs were due while it was stopped is lost.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import adaptivefit.models.base


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('scheduler_lease',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=200), server_default='', nullable=False),
    sa.Column('acquired_at', adaptivefit.models.base.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('renewed_at', adaptivefit.models.base.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('expires_at', adaptivefit.models.base.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_lease'))
    )
    op.create_table('apscheduler_jobs',
    sa.Column('id', sa.Unicode(length=191), nullable=False),
    sa.Column('next_run_time', sa.Float(precision=25), nullable=True),
    sa.Column('job_state', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apscheduler_jobs'))
    )
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apscheduler_jobs_next_run_time'), ['next_run_time'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apscheduler_jobs_next_run_time'))

    op.drop_table('apscheduler_jobs')
    op.drop_table('scheduler_lease')
