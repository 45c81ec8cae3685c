from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('appraisal', '0010_corrective_actions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Photo',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('inspection', fields.ForeignKeyField('appraisal.Inspection', source_field='inspection_id', db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.CASCADE)),
                ('item_code', fields.CharField(null=True, max_length=16)),
                ('content_hash', fields.CharField(max_length=64)),
                ('content_type', fields.CharField(default='image/jpeg', max_length=32)),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('bytes', fields.IntField()),
                ('thumb_hash', fields.CharField(max_length=64)),
                ('created_by', fields.ForeignKeyField('appraisal.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'photo', 'app': 'appraisal', 'indexes': [Index(fields=['inspection_id', 'item_code'])], 'pk_attr': 'id', 'table_description': 'A photo backing an inspection (SPEC §3.3), optionally one of its items.'},
            bases=['Model'],
        ),
    ]
