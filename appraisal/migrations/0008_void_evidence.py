from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('appraisal', '0007_report_parts')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Commendation',
            name='void_reason',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Commendation',
            name='voided_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Commendation',
            name='voided_by',
            field=fields.ForeignKeyField('appraisal.User', source_field='voided_by_id', null=True, db_constraint=True, to_field='id', related_name='commendations_voided', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Complaint',
            name='void_reason',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Complaint',
            name='voided_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Complaint',
            name='voided_by',
            field=fields.ForeignKeyField('appraisal.User', source_field='voided_by_id', null=True, db_constraint=True, to_field='id', related_name='complaints_voided', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Inspection',
            name='void_reason',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Inspection',
            name='voided_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Inspection',
            name='voided_by',
            field=fields.ForeignKeyField('appraisal.User', source_field='voided_by_id', null=True, db_constraint=True, to_field='id', related_name='inspections_voided', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='SurveyResponse',
            name='void_reason',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='SurveyResponse',
            name='voided_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='SurveyResponse',
            name='voided_by',
            field=fields.ForeignKeyField('appraisal.User', source_field='voided_by_id', null=True, db_constraint=True, to_field='id', related_name='surveys_voided', on_delete=OnDelete.SET_NULL),
        ),
    ]
