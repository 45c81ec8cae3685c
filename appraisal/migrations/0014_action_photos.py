from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('appraisal', '0013_complaint_followup')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Photo',
            name='action',
            field=fields.ForeignKeyField('appraisal.CorrectiveAction', source_field='action_id', null=True, db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.SET_NULL),
        ),
    ]
