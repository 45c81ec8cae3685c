from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('appraisal', '0002_score_snapshots')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IncentiveAllocation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('period', fields.ForeignKeyField('appraisal.Period', source_field='period_id', db_constraint=True, to_field='id', related_name='allocations', on_delete=OnDelete.RESTRICT)),
                ('snapshot', fields.ForeignKeyField('appraisal.ScoreSnapshot', source_field='snapshot_id', db_constraint=True, to_field='id', related_name='allocations', on_delete=OnDelete.RESTRICT)),
                ('team', fields.ForeignKeyField('appraisal.Team', source_field='team_id', null=True, db_constraint=True, to_field='id', related_name='allocations', on_delete=OnDelete.RESTRICT)),
                ('currency', fields.CharField(default='CNY', max_length=3)),
                ('pool', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('cap', fields.DecimalField(null=True, max_digits=14, decimal_places=2)),
                ('allocated', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('unallocated', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('created_by', fields.ForeignKeyField('appraisal.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='allocations', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'incentive_allocation', 'app': 'appraisal', 'indexes': [Index(fields=['period_id', 'team_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IncentiveShare',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('allocation', fields.ForeignKeyField('appraisal.IncentiveAllocation', source_field='allocation_id', db_constraint=True, to_field='id', related_name='shares', on_delete=OnDelete.CASCADE)),
                ('employee', fields.ForeignKeyField('appraisal.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name='incentive_shares', on_delete=OnDelete.RESTRICT)),
                ('grade', fields.CharField(null=True, max_length=24)),
                ('final_score', fields.DecimalField(null=True, max_digits=6, decimal_places=2)),
                ('coefficient', fields.DecimalField(max_digits=8, decimal_places=4)),
                ('amount', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('service_star', fields.BooleanField(default=False)),
            ],
            options={'table': 'incentive_share', 'app': 'appraisal', 'unique_together': (('allocation', 'employee'),), 'indexes': [Index(fields=['employee_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
