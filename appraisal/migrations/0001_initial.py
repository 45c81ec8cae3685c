from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from appraisal.actor import Role
from appraisal.evidence.models import ComplaintStatus, InspectionMethod, ItemResult, Severity
from appraisal.periods.models import PeriodStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Period',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('month', fields.CharField(unique=True, max_length=7)),
                ('status', fields.CharEnumField(default=PeriodStatus.open, description='open: open\nclosed: closed\npublished: published', enum_type=PeriodStatus, max_length=16)),
                ('rulebook_version', fields.CharField(max_length=32)),
                ('rulebook_hash', fields.CharField(max_length=64)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'period', 'app': 'appraisal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Team',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'team', 'app': 'appraisal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Employee',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('employee_no', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=100)),
                ('team', fields.ForeignKeyField('appraisal.Team', source_field='team_id', db_constraint=True, to_field='id', related_name='employees', on_delete=OnDelete.RESTRICT)),
                ('position', fields.CharField(default='', max_length=100)),
                ('hired_on', fields.DateField(null=True)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'employee', 'app': 'appraisal', 'indexes': [Index(fields=['team_id', 'active'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, max_length=64)),
                ('password_hash', fields.CharField(max_length=255)),
                ('role', fields.CharEnumField(description='admin: admin\nhr: hr\nsupervisor: supervisor\nemployee: employee', enum_type=Role, max_length=16)),
                ('employee', fields.OneToOneField('appraisal.Employee', source_field='employee_id', null=True, db_constraint=True, to_field='id', related_name='user', on_delete=OnDelete.SET_NULL)),
                ('supervised_teams', fields.ManyToManyField('appraisal.Team', unique=True, db_constraint=True, through='team_supervisor', forward_key='team_id', backward_key='app_user_id', related_name='supervisors', on_delete=OnDelete.CASCADE)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'app_user', 'app': 'appraisal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('user', fields.ForeignKeyField('appraisal.User', source_field='user_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_token', 'app': 'appraisal', 'pk_attr': 'id', 'table_description': 'A login session. Only the SHA-256 of the token is stored.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('actor', fields.ForeignKeyField('appraisal.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='audit_entries', on_delete=OnDelete.SET_NULL)),
                ('actor_username', fields.CharField(default='', max_length=64)),
                ('action', fields.CharField(max_length=32)),
                ('entity', fields.CharField(max_length=32)),
                ('entity_id', fields.CharField(max_length=64)),
                ('before', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('after', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('reason', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'audit_entry', 'app': 'appraisal', 'indexes': [Index(fields=['entity', 'entity_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Commendation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('employee', fields.ForeignKeyField('appraisal.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name='commendations', on_delete=OnDelete.RESTRICT)),
                ('period', fields.ForeignKeyField('appraisal.Period', source_field='period_id', db_constraint=True, to_field='id', related_name='commendations', on_delete=OnDelete.RESTRICT)),
                ('recorded_by', fields.ForeignKeyField('appraisal.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='commendations_recorded', on_delete=OnDelete.SET_NULL)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('source', fields.CharField(max_length=100)),
                ('description', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'commendation', 'app': 'appraisal', 'indexes': [Index(fields=['period_id', 'employee_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Complaint',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('employee', fields.ForeignKeyField('appraisal.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name='complaints', on_delete=OnDelete.RESTRICT)),
                ('period', fields.ForeignKeyField('appraisal.Period', source_field='period_id', db_constraint=True, to_field='id', related_name='complaints', on_delete=OnDelete.RESTRICT)),
                ('recorded_by', fields.ForeignKeyField('appraisal.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='complaints_recorded', on_delete=OnDelete.SET_NULL)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('channel', fields.CharField(max_length=50)),
                ('severity', fields.CharEnumField(description='minor: minor\nmajor: major\ncritical: critical', enum_type=Severity, max_length=10)),
                ('description', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=ComplaintStatus.pending, description='pending: pending\nsubstantiated: substantiated\nunsubstantiated: unsubstantiated', enum_type=ComplaintStatus, max_length=16)),
                ('first_response_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('customer_satisfied', fields.BooleanField(null=True)),
                ('return_visit_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'complaint', 'app': 'appraisal', 'indexes': [Index(fields=['period_id', 'employee_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Inspection',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('employee', fields.ForeignKeyField('appraisal.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name='inspections', on_delete=OnDelete.RESTRICT)),
                ('period', fields.ForeignKeyField('appraisal.Period', source_field='period_id', db_constraint=True, to_field='id', related_name='inspections', on_delete=OnDelete.RESTRICT)),
                ('inspector', fields.ForeignKeyField('appraisal.User', source_field='inspector_id', null=True, db_constraint=True, to_field='id', related_name='inspections', on_delete=OnDelete.SET_NULL)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('touchpoint', fields.CharField(max_length=100)),
                ('method', fields.CharEnumField(description='onsite: onsite\nmystery_shopper: mystery_shopper\nvideo: video\nphone: phone', enum_type=InspectionMethod, max_length=20)),
                ('notes', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'inspection', 'app': 'appraisal', 'indexes': [Index(fields=['period_id', 'employee_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InspectionItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('inspection', fields.ForeignKeyField('appraisal.Inspection', source_field='inspection_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=16)),
                ('result', fields.CharEnumField(description='passed: pass\nfailed: fail\nna: na\npoints: points', enum_type=ItemResult, max_length=8)),
                ('points', fields.DecimalField(null=True, max_digits=8, decimal_places=2)),
            ],
            options={'table': 'inspection_item', 'app': 'appraisal', 'unique_together': (('inspection', 'code'),), 'pk_attr': 'id', 'table_description': 'One checklist result. `points` is what was earned (null for n.a.).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyResponse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('employee', fields.ForeignKeyField('appraisal.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name='surveys', on_delete=OnDelete.RESTRICT)),
                ('period', fields.ForeignKeyField('appraisal.Period', source_field='period_id', db_constraint=True, to_field='id', related_name='surveys', on_delete=OnDelete.RESTRICT)),
                ('recorded_by', fields.ForeignKeyField('appraisal.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='surveys_recorded', on_delete=OnDelete.SET_NULL)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attitude', fields.SmallIntField(null=True)),
                ('quality', fields.SmallIntField(null=True)),
                ('efficiency', fields.SmallIntField(null=True)),
                ('environment', fields.SmallIntField(null=True)),
                ('overall', fields.SmallIntField(null=True)),
                ('comment', fields.TextField(default='', unique=False)),
                ('external_id', fields.CharField(null=True, unique=True, max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'survey_response', 'app': 'appraisal', 'indexes': [Index(fields=['period_id', 'employee_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
