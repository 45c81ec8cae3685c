from tortoise import migrations
from tortoise.migrations import operations as ops
from appraisal.appeals.models import AppealStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('appraisal', '0004_report_jobs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Acknowledgement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('snapshot', fields.ForeignKeyField('appraisal.ScoreSnapshot', source_field='snapshot_id', db_constraint=True, to_field='id', related_name='acknowledgements', on_delete=OnDelete.RESTRICT)),
                ('employee', fields.ForeignKeyField('appraisal.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name='acknowledgements', on_delete=OnDelete.RESTRICT)),
                ('comment', fields.TextField(default='', unique=False)),
                ('acknowledged_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'acknowledgement', 'app': 'appraisal', 'unique_together': (('snapshot', 'employee'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Appeal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('snapshot', fields.ForeignKeyField('appraisal.ScoreSnapshot', source_field='snapshot_id', db_constraint=True, to_field='id', related_name='appeals', on_delete=OnDelete.RESTRICT)),
                ('employee', fields.ForeignKeyField('appraisal.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name='appeals', on_delete=OnDelete.RESTRICT)),
                ('reason', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=AppealStatus.open, description='open: open\nupheld: upheld\nrejected: rejected', enum_type=AppealStatus, max_length=16)),
                ('filed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('answer', fields.TextField(default='', unique=False)),
                ('answered_by', fields.ForeignKeyField('appraisal.User', source_field='answered_by_id', null=True, db_constraint=True, to_field='id', related_name='answered_appeals', on_delete=OnDelete.SET_NULL)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'appeal', 'app': 'appraisal', 'unique_together': (('snapshot', 'employee'),), 'indexes': [Index(fields=['status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
