from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('appraisal', '0006_login_throttle_idempotency')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReportPart',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.ForeignKeyField('appraisal.ReportJob', source_field='job_id', db_constraint=True, to_field='id', related_name='parts', on_delete=OnDelete.CASCADE)),
                ('part', fields.IntField()),
                ('appraisals', fields.IntField()),
            ],
            options={'table': 'report_part', 'app': 'appraisal', 'unique_together': (('job', 'part'),), 'pk_attr': 'id', 'table_description': 'A part of a queued batch whose PDFs are in its part ZIP, recorded once.'},
            bases=['Model'],
        ),
    ]
