"""Evidence recorded against an employee within a period."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from appraisal.accounts.models import User
from appraisal.periods.models import Period
from appraisal.staff.models import Employee


class InspectionMethod(StrEnum):
    onsite = "onsite"
    mystery_shopper = "mystery_shopper"
    video = "video"
    phone = "phone"


class ItemResult(StrEnum):
    passed = "pass"
    failed = "fail"
    na = "na"
    points = "points"


class Severity(StrEnum):
    minor = "minor"
    major = "major"
    critical = "critical"


class ComplaintStatus(StrEnum):
    pending = "pending"
    substantiated = "substantiated"
    unsubstantiated = "unsubstantiated"


# The survey answer columns (SPEC §3), in import-column order.
SURVEY_QUESTIONS = ("attitude", "quality", "efficiency", "environment", "overall")

# Void evidence (SPEC §3.2) keeps its row, marked with who voided it, when and why, and
# counts for nothing: every reader that counts or scores evidence filters with these
# (ORM filters on the evidence itself, on an inspection through its items, raw SQL).
COUNTED: dict[str, Any] = {"voided_at__isnull": True}
COUNTED_ITEMS: dict[str, Any] = {"inspection__voided_at__isnull": True}
COUNTED_SQL = "voided_at IS NULL"


def _voided_by(related_name: str) -> fields.ForeignKeyNullableRelation[User]:
    return fields.ForeignKeyField("appraisal.User", related_name=related_name, null=True,
                                  on_delete=fields.SET_NULL)


class Inspection(Model):
    id = fields.IntField(primary_key=True)
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "appraisal.Employee", related_name="inspections", on_delete=fields.RESTRICT
    )
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField(
        "appraisal.Period", related_name="inspections", on_delete=fields.RESTRICT
    )
    inspector: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="inspections", null=True, on_delete=fields.SET_NULL
    )
    occurred_at = fields.DatetimeField()
    touchpoint = fields.CharField(max_length=100)
    method = fields.CharEnumField(InspectionMethod, max_length=20)
    notes = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    voided_at = fields.DatetimeField(null=True)
    voided_by: fields.ForeignKeyNullableRelation[User] = _voided_by("inspections_voided")
    void_reason = fields.TextField(default="")

    items: fields.ReverseRelation[InspectionItem]
    employee_id: int
    period_id: int
    inspector_id: int | None
    voided_by_id: int | None

    class Meta:
        table = "inspection"
        ordering = ["-occurred_at", "-id"]
        indexes = (("period_id", "employee_id"),)


class InspectionItem(Model):
    """One checklist result. `points` is what was earned (null for n.a.)."""

    id = fields.IntField(primary_key=True)
    inspection: fields.ForeignKeyRelation[Inspection] = fields.ForeignKeyField(
        "appraisal.Inspection", related_name="items", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=16)
    result = fields.CharEnumField(ItemResult, max_length=8)
    points = fields.DecimalField(max_digits=8, decimal_places=2, null=True)

    inspection_id: int

    class Meta:
        table = "inspection_item"
        unique_together = (("inspection", "code"),)


class Complaint(Model):
    id = fields.IntField(primary_key=True)
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "appraisal.Employee", related_name="complaints", on_delete=fields.RESTRICT
    )
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField(
        "appraisal.Period", related_name="complaints", on_delete=fields.RESTRICT
    )
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="complaints_recorded", null=True,
        on_delete=fields.SET_NULL,
    )
    received_at = fields.DatetimeField()
    channel = fields.CharField(max_length=50)
    severity = fields.CharEnumField(Severity, max_length=10)
    description = fields.TextField()
    status = fields.CharEnumField(ComplaintStatus, max_length=16, default=ComplaintStatus.pending)
    first_response_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    customer_satisfied = fields.BooleanField(null=True)
    return_visit_at = fields.DatetimeField(null=True)
    # Who follows it up (SPEC §3.4); null: the employee complained against.
    handler: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField(
        "appraisal.Employee", related_name="complaints_handled", null=True,
        on_delete=fields.RESTRICT,
    )
    promised_reply_at = fields.DatetimeField(null=True)  # the reply time the customer was given
    # Where its outcome counts when it was recorded after its own month closed: the
    # earliest open period after it (null: its own period).
    counted_in: fields.ForeignKeyNullableRelation[Period] = fields.ForeignKeyField(
        "appraisal.Period", related_name="complaints_carried", null=True,
        on_delete=fields.RESTRICT,
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    voided_at = fields.DatetimeField(null=True)
    voided_by: fields.ForeignKeyNullableRelation[User] = _voided_by("complaints_voided")
    void_reason = fields.TextField(default="")

    updates: fields.ReverseRelation[ComplaintUpdate]
    employee_id: int
    period_id: int
    recorded_by_id: int | None
    voided_by_id: int | None
    handler_id: int | None
    counted_in_id: int | None

    class Meta:
        table = "complaint"
        ordering = ["-received_at", "-id"]
        indexes = (("period_id", "employee_id"),)


class ComplaintUpdate(Model):
    """News given on a complaint's progress (SPEC §3.4: at least daily)."""

    id = fields.IntField(primary_key=True)
    complaint: fields.ForeignKeyRelation[Complaint] = fields.ForeignKeyField(
        "appraisal.Complaint", related_name="updates", on_delete=fields.CASCADE
    )
    at = fields.DatetimeField()
    note = fields.TextField(default="")
    customer_contacted = fields.BooleanField(default=False)
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="complaint_updates", null=True, on_delete=fields.SET_NULL,
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    complaint_id: int
    recorded_by_id: int | None

    class Meta:
        table = "complaint_update"
        ordering = ["at", "id"]
        indexes = (("complaint_id", "at"),)


class SurveyResponse(Model):
    id = fields.IntField(primary_key=True)
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "appraisal.Employee", related_name="surveys", on_delete=fields.RESTRICT
    )
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField(
        "appraisal.Period", related_name="surveys", on_delete=fields.RESTRICT
    )
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="surveys_recorded", null=True,
        on_delete=fields.SET_NULL,
    )
    received_at = fields.DatetimeField()
    attitude = fields.SmallIntField(null=True)
    quality = fields.SmallIntField(null=True)
    efficiency = fields.SmallIntField(null=True)
    environment = fields.SmallIntField(null=True)
    overall = fields.SmallIntField(null=True)
    comment = fields.TextField(default="")
    # Unique so that re-importing the same file adds nothing.
    external_id = fields.CharField(max_length=100, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    voided_at = fields.DatetimeField(null=True)
    voided_by: fields.ForeignKeyNullableRelation[User] = _voided_by("surveys_voided")
    void_reason = fields.TextField(default="")

    employee_id: int
    period_id: int
    recorded_by_id: int | None
    voided_by_id: int | None

    class Meta:
        table = "survey_response"
        ordering = ["-received_at", "-id"]
        indexes = (("period_id", "employee_id"),)


class Commendation(Model):
    id = fields.IntField(primary_key=True)
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "appraisal.Employee", related_name="commendations", on_delete=fields.RESTRICT
    )
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField(
        "appraisal.Period", related_name="commendations", on_delete=fields.RESTRICT
    )
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="commendations_recorded", null=True,
        on_delete=fields.SET_NULL,
    )
    received_at = fields.DatetimeField()
    source = fields.CharField(max_length=100)
    description = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    voided_at = fields.DatetimeField(null=True)
    voided_by: fields.ForeignKeyNullableRelation[User] = _voided_by("commendations_voided")
    void_reason = fields.TextField(default="")

    employee_id: int
    period_id: int
    recorded_by_id: int | None
    voided_by_id: int | None

    class Meta:
        table = "commendation"
        ordering = ["-received_at", "-id"]
        indexes = (("period_id", "employee_id"),)


class ActionState(StrEnum):
    """A corrective action (整改, SPEC §3.5): open → done → verified; a failed check sends
    it back to open. Cancelled: its failure was corrected away or its inspection voided."""

    open = "open"
    done = "done"
    verified = "verified"
    cancelled = "cancelled"


# Actions that still call for work or a check (not verified, not cancelled).
LIVE_ACTION_STATES = (ActionState.open, ActionState.done)


class CorrectiveAction(Model):
    """Making a failed check good: who fixes it, by when, and who saw it fixed.

    Not tied to a period: an action not verified by `due_at` costs its assignee in the
    period that contains `due_at`, whichever month the inspection was in.
    """

    id = fields.IntField(primary_key=True)
    inspection: fields.ForeignKeyRelation[Inspection] = fields.ForeignKeyField(
        "appraisal.Inspection", related_name="actions", on_delete=fields.RESTRICT
    )
    item_code = fields.CharField(max_length=16)
    assignee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "appraisal.Employee", related_name="actions", on_delete=fields.RESTRICT
    )
    due_at = fields.DatetimeField()
    description = fields.TextField(default="")
    state = fields.CharEnumField(ActionState, max_length=10, default=ActionState.open)
    automatic = fields.BooleanField(default=False)  # opened by a failed `rectify` item
    opened_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="actions_opened", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    done_at = fields.DatetimeField(null=True)
    done_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="actions_done", null=True, on_delete=fields.SET_NULL
    )
    done_note = fields.TextField(default="")
    checked_at = fields.DatetimeField(null=True)  # the last verification, passed or not
    checked_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="actions_checked", null=True, on_delete=fields.SET_NULL
    )
    check_note = fields.TextField(default="")
    verified_at = fields.DatetimeField(null=True)  # set only by a passed verification

    inspection_id: int
    assignee_id: int
    opened_by_id: int | None
    done_by_id: int | None
    checked_by_id: int | None

    class Meta:
        table = "corrective_action"
        ordering = ["due_at", "id"]
        indexes = (("assignee_id", "due_at"), ("state", "due_at"), ("inspection_id",))


class Photo(Model):
    """A photo backing an inspection (SPEC §3.3), optionally one of its items.

    The image itself lives outside the database (`APPRAISAL_MEDIA_DIR`), re-encoded as a
    JPEG without metadata and named by the SHA-256 of its bytes, as is its thumbnail. A
    void inspection keeps its photos; they count for nothing, as it does.
    """

    id = fields.IntField(primary_key=True)
    inspection: fields.ForeignKeyRelation[Inspection] = fields.ForeignKeyField(
        "appraisal.Inspection", related_name="photos", on_delete=fields.CASCADE
    )
    item_code = fields.CharField(max_length=16, null=True)
    content_hash = fields.CharField(max_length=64)  # SHA-256 of the stored JPEG
    content_type = fields.CharField(max_length=32, default="image/jpeg")
    width = fields.IntField()
    height = fields.IntField()
    bytes = fields.IntField()
    thumb_hash = fields.CharField(max_length=64)  # SHA-256 of the 320 px thumbnail
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="photos", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    # Set on a photo of the fix, taken when a corrective action was marked done (SPEC
    # §3.5); such a photo shows the item put right, not what failed.
    action: fields.ForeignKeyNullableRelation[CorrectiveAction] = fields.ForeignKeyField(
        "appraisal.CorrectiveAction", related_name="photos", null=True,
        on_delete=fields.SET_NULL)

    inspection_id: int
    created_by_id: int | None
    action_id: int | None

    class Meta:
        table = "photo"
        ordering = ["id"]
        indexes = (("inspection_id", "item_code"),)


class EvidenceTally(Model):
    """What one employee's counted evidence of a period adds up to, kept by every write
    that changes it, in the write's own transaction (evidence.tallies): a close or a
    live score reads one row per employee instead of every inspection and survey."""

    id = fields.IntField(primary_key=True)
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField(
        "appraisal.Period", related_name="tallies", on_delete=fields.RESTRICT)
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "appraisal.Employee", related_name="tallies", on_delete=fields.RESTRICT)
    # Counted inspections with at least one applicable result (the minimum counts these).
    inspections = fields.IntField(default=0)
    # Per survey question: answers given (n_) and their sum (s_).
    n_attitude = fields.IntField(default=0)
    s_attitude = fields.IntField(default=0)
    n_quality = fields.IntField(default=0)
    s_quality = fields.IntField(default=0)
    n_efficiency = fields.IntField(default=0)
    s_efficiency = fields.IntField(default=0)
    n_environment = fields.IntField(default=0)
    s_environment = fields.IntField(default=0)
    n_overall = fields.IntField(default=0)
    s_overall = fields.IntField(default=0)

    period_id: int
    employee_id: int

    class Meta:
        table = "evidence_tally"
        unique_together = (("period", "employee"),)


class ItemTally(Model):
    """One employee's applicable results of one checklist item in a period: how many, and
    the points earned in cents (kept with EvidenceTally, by the same writes)."""

    id = fields.IntField(primary_key=True)
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField(
        "appraisal.Period", related_name="item_tallies", on_delete=fields.RESTRICT)
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "appraisal.Employee", related_name="item_tallies", on_delete=fields.RESTRICT)
    code = fields.CharField(max_length=16)
    earned_cents = fields.BigIntField(default=0)
    applicable = fields.IntField(default=0)

    period_id: int
    employee_id: int

    class Meta:
        table = "item_tally"
        unique_together = (("period", "employee", "code"),)
