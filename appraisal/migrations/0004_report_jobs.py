from tortoise import migrations
from tortoise.migrations import operations as ops
from appraisal.reporting.models import JobStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('appraisal', '0003_incentives')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReportJob',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('period', fields.ForeignKeyField('appraisal.Period', source_field='period_id', db_constraint=True, to_field='id', related_name='report_jobs', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=JobStatus.queued, description='queued: queued\nrunning: running\ndone: done\nfailed: failed', enum_type=JobStatus, max_length=10)),
                ('total', fields.IntField(default=0)),
                ('done', fields.IntField(default=0)),
                ('file_path', fields.CharField(default='', max_length=500)),
                ('file_size', fields.BigIntField(default=0)),
                ('error', fields.TextField(default='', unique=False)),
                ('snapshot_hash', fields.CharField(default='', max_length=64)),
                ('created_by', fields.ForeignKeyField('appraisal.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='report_jobs', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'report_job', 'app': 'appraisal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
