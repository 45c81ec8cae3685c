from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('appraisal', '0008_void_evidence')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Appeal',
            name='superseded_snapshot',
            field=fields.ForeignKeyField('appraisal.ScoreSnapshot', source_field='superseded_snapshot_id', null=True, db_constraint=True, to_field='id', related_name='superseded_by_appeals', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='ReportJob',
            name='snapshot',
            field=fields.ForeignKeyField('appraisal.ScoreSnapshot', source_field='snapshot_id', null=True, db_constraint=True, to_field='id', related_name='report_jobs', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='ScoreSnapshot',
            name='published_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # The snapshot of a month published now was published when its month was;
        # superseded snapshots of earlier reopens are not known to have been.
        ops.RunSQL(
            'UPDATE "score_snapshot" SET "published_at" = (SELECT "published_at" FROM "period" '
            'WHERE "period"."id" = "score_snapshot"."period_id") '
            'WHERE "superseded_at" IS NULL AND "period_id" IN '
            '(SELECT "id" FROM "period" WHERE "status" = \'published\')',
            reverse_sql='',
        ),
        # A batch printed the newest snapshot with its hash that existed when it started.
        ops.RunSQL(
            'UPDATE "report_job" SET "snapshot_id" = (SELECT "s"."id" FROM "score_snapshot" "s" '
            'WHERE "s"."period_id" = "report_job"."period_id" '
            'AND "s"."content_hash" = "report_job"."snapshot_hash" '
            'AND "s"."created_at" <= "report_job"."created_at" '
            'ORDER BY "s"."sequence" DESC LIMIT 1)',
            reverse_sql='',
        ),
    ]
