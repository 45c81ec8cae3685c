from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('appraisal', '0014_action_photos')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EvidenceTally',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('period', fields.ForeignKeyField('appraisal.Period', source_field='period_id', db_constraint=True, to_field='id', related_name='tallies', on_delete=OnDelete.RESTRICT)),
                ('employee', fields.ForeignKeyField('appraisal.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name='tallies', on_delete=OnDelete.RESTRICT)),
                ('inspections', fields.IntField(default=0)),
                ('n_attitude', fields.IntField(default=0)),
                ('s_attitude', fields.IntField(default=0)),
                ('n_quality', fields.IntField(default=0)),
                ('s_quality', fields.IntField(default=0)),
                ('n_efficiency', fields.IntField(default=0)),
                ('s_efficiency', fields.IntField(default=0)),
                ('n_environment', fields.IntField(default=0)),
                ('s_environment', fields.IntField(default=0)),
                ('n_overall', fields.IntField(default=0)),
                ('s_overall', fields.IntField(default=0)),
            ],
            options={'table': 'evidence_tally', 'app': 'appraisal', 'unique_together': (('period', 'employee'),), 'pk_attr': 'id', 'table_description': "What one employee's counted evidence of a period adds up to, kept by every write"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ItemTally',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('period', fields.ForeignKeyField('appraisal.Period', source_field='period_id', db_constraint=True, to_field='id', related_name='item_tallies', on_delete=OnDelete.RESTRICT)),
                ('employee', fields.ForeignKeyField('appraisal.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name='item_tallies', on_delete=OnDelete.RESTRICT)),
                ('code', fields.CharField(max_length=16)),
                ('earned_cents', fields.BigIntField(default=0)),
                ('applicable', fields.IntField(default=0)),
            ],
            options={'table': 'item_tally', 'app': 'appraisal', 'unique_together': (('period', 'employee', 'code'),), 'pk_attr': 'id', 'table_description': "One employee's applicable results of one checklist item in a period: how many, and"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='SnapshotScore',
            name='rank',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='SnapshotScore',
            name='team_id',
            field=fields.IntField(null=True),
        ),
        ops.AddIndex(
            model_name='SnapshotScore',
            index=Index(fields=['snapshot_id', 'rank']),
        ),
        # The results that lost points, for an employee's breakdown and the close's
        # explanations: found without reading the passes (nine in ten results).
        ops.RunSQL(
            "CREATE INDEX inspection_item_lost ON inspection_item (inspection_id, code, points, "
            "result) WHERE result IN ('fail', 'points')",
            "DROP INDEX inspection_item_lost"),
        # The tallies of the evidence already recorded (evidence.tallies.REBUILD).
        ops.RunSQL([
            'INSERT INTO item_tally (period_id, employee_id, code, earned_cents, applicable) \nSELECT i.period_id, i.employee_id, it.code,\n       SUM(CAST(ROUND(it.points * 100) AS INTEGER)) AS earned_cents, COUNT(*) AS applicable\nFROM inspection_item it JOIN inspection i ON i.id = it.inspection_id\nWHERE it.points IS NOT NULL AND i.voided_at IS NULL \nGROUP BY i.period_id, i.employee_id, it.code',
            'INSERT INTO evidence_tally (period_id, employee_id, inspections, n_attitude, s_attitude, n_quality, s_quality, n_efficiency, s_efficiency, n_environment, s_environment, n_overall, s_overall) SELECT period_id, employee_id, inspections, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM (\nSELECT i.period_id, i.employee_id, COUNT(*) AS inspections\nFROM inspection i\nWHERE i.voided_at IS NULL  AND EXISTS (\n    SELECT 1 FROM inspection_item it WHERE it.inspection_id = i.id AND it.points IS NOT NULL)\nGROUP BY i.period_id, i.employee_id) c',
            'INSERT INTO evidence_tally (period_id, employee_id, inspections, n_attitude, s_attitude, n_quality, s_quality, n_efficiency, s_efficiency, n_environment, s_environment, n_overall, s_overall) SELECT period_id, employee_id, 0, n_attitude, s_attitude, n_quality, s_quality, n_efficiency, s_efficiency, n_environment, s_environment, n_overall, s_overall FROM (SELECT s.period_id, s.employee_id, COUNT(s.attitude) AS n_attitude, COALESCE(SUM(s.attitude), 0) AS s_attitude, COUNT(s.quality) AS n_quality, COALESCE(SUM(s.quality), 0) AS s_quality, COUNT(s.efficiency) AS n_efficiency, COALESCE(SUM(s.efficiency), 0) AS s_efficiency, COUNT(s.environment) AS n_environment, COALESCE(SUM(s.environment), 0) AS s_environment, COUNT(s.overall) AS n_overall, COALESCE(SUM(s.overall), 0) AS s_overall FROM survey_response s WHERE s.voided_at IS NULL  GROUP BY s.period_id, s.employee_id) s WHERE true ON CONFLICT (period_id, employee_id) DO UPDATE SET "n_attitude" = "evidence_tally"."n_attitude" + excluded."n_attitude", "s_attitude" = "evidence_tally"."s_attitude" + excluded."s_attitude", "n_quality" = "evidence_tally"."n_quality" + excluded."n_quality", "s_quality" = "evidence_tally"."s_quality" + excluded."s_quality", "n_efficiency" = "evidence_tally"."n_efficiency" + excluded."n_efficiency", "s_efficiency" = "evidence_tally"."s_efficiency" + excluded."s_efficiency", "n_environment" = "evidence_tally"."n_environment" + excluded."n_environment", "s_environment" = "evidence_tally"."s_environment" + excluded."s_environment", "n_overall" = "evidence_tally"."n_overall" + excluded."n_overall", "s_overall" = "evidence_tally"."s_overall" + excluded."s_overall"',
        ]),
    ]
