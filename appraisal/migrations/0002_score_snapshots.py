from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('appraisal', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ScoreSnapshot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('period', fields.ForeignKeyField('appraisal.Period', source_field='period_id', db_constraint=True, to_field='id', related_name='snapshots', on_delete=OnDelete.RESTRICT)),
                ('sequence', fields.IntField()),
                ('rulebook_version', fields.CharField(max_length=32)),
                ('rulebook_hash', fields.CharField(max_length=64)),
                ('content_hash', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('created_by', fields.ForeignKeyField('appraisal.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='snapshots', on_delete=OnDelete.SET_NULL)),
                ('superseded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('superseded_reason', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'score_snapshot', 'app': 'appraisal', 'unique_together': (('period', 'sequence'),), 'pk_attr': 'id', 'table_description': 'One close of a period. A reopen supersedes it, but it is never deleted.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SnapshotScore',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('snapshot', fields.ForeignKeyField('appraisal.ScoreSnapshot', source_field='snapshot_id', db_constraint=True, to_field='id', related_name='scores', on_delete=OnDelete.RESTRICT)),
                ('employee', fields.ForeignKeyField('appraisal.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name='snapshot_scores', on_delete=OnDelete.RESTRICT)),
                ('final_score', fields.DecimalField(null=True, max_digits=6, decimal_places=2)),
                ('grade', fields.CharField(null=True, max_length=24)),
                ('status', fields.CharField(max_length=24)),
                ('veto', fields.BooleanField(default=False)),
                ('dimensions', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('breakdown', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'snapshot_score', 'app': 'appraisal', 'unique_together': (('snapshot', 'employee'),), 'indexes': [Index(fields=['employee_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
