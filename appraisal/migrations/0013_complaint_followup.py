from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('appraisal', '0012_staff_pages')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ComplaintUpdate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('complaint', fields.ForeignKeyField('appraisal.Complaint', source_field='complaint_id', db_constraint=True, to_field='id', related_name='updates', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('note', fields.TextField(default='', unique=False)),
                ('customer_contacted', fields.BooleanField(default=False)),
                ('recorded_by', fields.ForeignKeyField('appraisal.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='complaint_updates', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'complaint_update', 'app': 'appraisal', 'indexes': [Index(fields=['complaint_id', 'at'])], 'pk_attr': 'id', 'table_description': "News given on a complaint's progress (SPEC §3.4: at least daily)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Complaint',
            name='counted_in',
            field=fields.ForeignKeyField('appraisal.Period', source_field='counted_in_id', null=True, db_constraint=True, to_field='id', related_name='complaints_carried', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Complaint',
            name='handler',
            field=fields.ForeignKeyField('appraisal.Employee', source_field='handler_id', null=True, db_constraint=True, to_field='id', related_name='complaints_handled', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Complaint',
            name='promised_reply_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
