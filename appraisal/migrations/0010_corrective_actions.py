from tortoise import migrations
from tortoise.migrations import operations as ops
from appraisal.evidence.models import ActionState
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('appraisal', '0009_corrections')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CorrectiveAction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('inspection', fields.ForeignKeyField('appraisal.Inspection', source_field='inspection_id', db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.RESTRICT)),
                ('item_code', fields.CharField(max_length=16)),
                ('assignee', fields.ForeignKeyField('appraisal.Employee', source_field='assignee_id', db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.RESTRICT)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('description', fields.TextField(default='', unique=False)),
                ('state', fields.CharEnumField(default=ActionState.open, description='open: open\ndone: done\nverified: verified\ncancelled: cancelled', enum_type=ActionState, max_length=10)),
                ('automatic', fields.BooleanField(default=False)),
                ('opened_by', fields.ForeignKeyField('appraisal.User', source_field='opened_by_id', null=True, db_constraint=True, to_field='id', related_name='actions_opened', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('done_by', fields.ForeignKeyField('appraisal.User', source_field='done_by_id', null=True, db_constraint=True, to_field='id', related_name='actions_done', on_delete=OnDelete.SET_NULL)),
                ('done_note', fields.TextField(default='', unique=False)),
                ('checked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('checked_by', fields.ForeignKeyField('appraisal.User', source_field='checked_by_id', null=True, db_constraint=True, to_field='id', related_name='actions_checked', on_delete=OnDelete.SET_NULL)),
                ('check_note', fields.TextField(default='', unique=False)),
                ('verified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'corrective_action', 'app': 'appraisal', 'indexes': [Index(fields=['assignee_id', 'due_at']), Index(fields=['state', 'due_at']), Index(fields=['inspection_id'])], 'pk_attr': 'id', 'table_description': 'Making a failed check good: who fixes it, by when, and who saw it fixed.'},
            bases=['Model'],
        ),
    ]
