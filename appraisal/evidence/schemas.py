"""Request and response bodies for evidence (field names as in SPEC §3)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
Touchpoint = Annotated[str, msgspec.Meta(min_length=1, max_length=100, examples=["前台"])]
Notes = Annotated[str, msgspec.Meta(max_length=4000)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
# Checked against the survey scale of the month's rulebook (service); here only sane bounds.
Answer = Annotated[int, msgspec.Meta(ge=0, le=100)]
Method = Literal["onsite", "mystery_shopper", "video", "phone"]
SeverityIn = Literal["minor", "major", "critical"]
StatusIn = Literal["pending", "substantiated", "unsubstantiated"]
UNSET = msgspec.UNSET
Unset = msgspec.UnsetType


class ItemIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=16, examples=["V1"])]
    result: Literal["pass", "fail", "na"] | None = None
    points: Annotated[Decimal, msgspec.Meta(examples=["8"])] | None = None


class ItemPatch(msgspec.Struct, forbid_unknown_fields=True):
    """One item of a correction: its new result or points, or `"result": null` to remove it."""

    code: Annotated[str, msgspec.Meta(min_length=1, max_length=16, examples=["V1"])]
    result: Literal["pass", "fail", "na"] | Unset | None = UNSET
    points: Annotated[Decimal, msgspec.Meta(examples=["8"])] | None = None


class InspectionIn(msgspec.Struct, forbid_unknown_fields=True):
    employee_id: Id
    occurred_at: datetime
    touchpoint: Touchpoint
    method: Method
    items: list[ItemIn]
    notes: Notes = ""


class InspectionPatch(msgspec.Struct, forbid_unknown_fields=True):
    employee_id: Id | Unset = UNSET
    occurred_at: datetime | Unset = UNSET
    touchpoint: Touchpoint | Unset = UNSET
    method: Method | Unset = UNSET
    items: Annotated[list[ItemPatch], msgspec.Meta(description=(
        "Merged by item code: each item given replaces that code's result (or points); "
        "the items not given stay as they are. `{\"code\": \"V1\", \"result\": null}` "
        "removes V1 from the inspection (to say that it did not apply, send \"na\"). "
        "What remains must hold at least one item, and at least one that is not n.a."
    ))] | Unset = UNSET
    notes: Notes | Unset = UNSET


Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=1000,
                                     examples=["录入重复 / entered twice"])]


class VoidOut(msgspec.Struct):
    """Evidence voided (SPEC §3.2): kept, shown struck through, counting for nothing."""

    voided_at: datetime
    voided_by: str | None
    reason: str


class ItemOut(msgspec.Struct):
    code: str
    result: str
    points: Decimal | None
    max_points: Decimal
    lost_points: Decimal | None  # above zero, or None: nothing lost (or n.a.)
    dimension: str
    standard_zh: str
    standard_en: str
    coaching_zh: str | None = None
    coaching_en: str | None = None


class PhotoRef(msgspec.Struct):
    """A photo of an inspection: `GET /api/v1/photos/{id}` (`?size=thumb`) shows it."""

    id: int
    item_code: str | None  # the item it backs; null: the inspection as a whole


class PhotoOut(msgspec.Struct):
    """A photo attached (SPEC §3.3): stored as a JPEG without metadata."""

    id: int
    inspection_id: int
    item_code: str | None
    content_type: str
    width: int
    height: int
    bytes: int


class InspectionOut(msgspec.Struct):
    id: int
    employee_id: int
    employee_no: str
    employee_name: str
    inspector_id: int | None
    inspector: str | None
    period: str
    occurred_at: datetime
    touchpoint: str
    method: str
    notes: str
    items: list[ItemOut]
    earned_points: Decimal
    max_points: Decimal
    created_at: datetime
    updated_at: datetime
    void: VoidOut | None  # set once voided: who, when and why
    # Its photos, per item (SPEC §3.3); a void inspection keeps them.
    photos: list[PhotoRef] = msgspec.field(default_factory=list)


class ComplaintIn(msgspec.Struct, forbid_unknown_fields=True):
    employee_id: Id
    received_at: datetime
    channel: Annotated[str, msgspec.Meta(min_length=1, max_length=50, examples=["电话"])]
    severity: SeverityIn
    description: Text
    status: StatusIn = "pending"
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    customer_satisfied: bool | None = None
    return_visit_at: datetime | None = None
    handler_id: Id | None = None  # who follows it up; by default the employee complained against
    promised_reply_at: datetime | None = None  # the reply time promised at the first response


class ComplaintPatch(msgspec.Struct, forbid_unknown_fields=True):
    employee_id: Id | Unset = UNSET
    received_at: datetime | Unset = UNSET
    channel: Annotated[str, msgspec.Meta(min_length=1, max_length=50)] | Unset = UNSET
    severity: SeverityIn | Unset = UNSET
    description: Text | Unset = UNSET
    status: StatusIn | Unset = UNSET
    first_response_at: datetime | Unset | None = UNSET
    resolved_at: datetime | Unset | None = UNSET
    customer_satisfied: bool | Unset | None = UNSET
    return_visit_at: datetime | Unset | None = UNSET
    handler_id: Id | Unset | None = UNSET  # null: back to the employee complained against
    promised_reply_at: datetime | Unset | None = UNSET


class ComplaintUpdateIn(msgspec.Struct, forbid_unknown_fields=True):
    """News given on a complaint's progress; `at` is when it was given (it happened)."""

    at: datetime
    note: Notes = ""
    customer_contacted: bool = False


class ComplaintUpdateOut(msgspec.Struct):
    id: int
    at: datetime
    note: str
    customer_contacted: bool
    recorded_by: str | None
    created_at: datetime


class DeadlineOut(msgspec.Struct):
    """A follow-up deadline (SPEC §3.4): met by its due time, missed, or still pending.
    `calendar_assumed`: a working day on the way lies in a year the calendar does not
    know yet (Monday–Friday and the organisation's days off were assumed)."""

    kind: Literal["first_response", "promise", "update", "resolution", "return_visit"]
    due_at: datetime
    met_at: datetime | None
    state: Literal["met", "missed", "pending"]
    calendar_assumed: bool


class ComplaintOut(msgspec.Struct):
    id: int
    employee_id: int
    employee_no: str
    employee_name: str
    period: str
    received_at: datetime
    channel: str
    severity: str
    description: str
    status: str
    first_response_at: datetime | None
    resolved_at: datetime | None
    customer_satisfied: bool | None
    return_visit_at: datetime | None
    recorded_by: str | None
    created_at: datetime
    updated_at: datetime
    void: VoidOut | None  # set once voided: who, when and why
    handler_id: int
    handler_no: str
    handler_name: str
    promised_reply_at: datetime | None
    updates: list[ComplaintUpdateOut]
    # With a rulebook that sets complaint deadlines (2026.2 on); empty before.
    deadlines: list[DeadlineOut]
    finished: bool  # resolved and, when the rulebook asks for one, visited again
    overdue: bool  # a deadline passed with its work not done
    # The month its outcome counts in when recorded after its own month closed.
    carried_to: str | None


class SurveyIn(msgspec.Struct, forbid_unknown_fields=True):
    employee_id: Id
    received_at: datetime
    attitude: Answer | None = None
    quality: Answer | None = None
    efficiency: Answer | None = None
    environment: Answer | None = None
    overall: Answer | None = None
    comment: Notes = ""
    external_id: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None


class SurveyPatch(msgspec.Struct, forbid_unknown_fields=True):
    """A correction of a survey response: the fields given replace theirs; an answer
    set to null is cleared (at least one answer must remain)."""

    employee_id: Id | Unset = UNSET
    received_at: datetime | Unset = UNSET
    attitude: Answer | Unset | None = UNSET
    quality: Answer | Unset | None = UNSET
    efficiency: Answer | Unset | None = UNSET
    environment: Answer | Unset | None = UNSET
    overall: Answer | Unset | None = UNSET
    comment: Notes | Unset = UNSET


class SurveyOut(msgspec.Struct):
    id: int
    employee_id: int
    employee_no: str
    employee_name: str
    period: str
    received_at: datetime
    attitude: int | None
    quality: int | None
    efficiency: int | None
    environment: int | None
    overall: int | None
    comment: str
    external_id: str | None
    created_at: datetime
    void: VoidOut | None  # set once voided: who, when and why


class CommendationIn(msgspec.Struct, forbid_unknown_fields=True):
    employee_id: Id
    received_at: datetime
    source: Annotated[str, msgspec.Meta(min_length=1, max_length=100, examples=["锦旗"])]
    description: Notes = ""


class CommendationPatch(msgspec.Struct, forbid_unknown_fields=True):
    employee_id: Id | Unset = UNSET
    received_at: datetime | Unset = UNSET
    source: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | Unset = UNSET
    description: Notes | Unset = UNSET


class CommendationOut(msgspec.Struct):
    id: int
    employee_id: int
    employee_no: str
    employee_name: str
    period: str
    received_at: datetime
    source: str
    description: str
    recorded_by: str | None
    created_at: datetime
    void: VoidOut | None  # set once voided: who, when and why


# --- corrective actions (整改, SPEC §3.5) ------------------------------------------

ActionStateOut = Literal["open", "done", "verified", "cancelled"]
Note = Annotated[str, msgspec.Meta(max_length=4000)]


class ActionIn(msgspec.Struct, forbid_unknown_fields=True):
    """An action opened by hand on a failed item of an inspection."""

    inspection_id: Id
    item_code: Annotated[str, msgspec.Meta(min_length=1, max_length=16, examples=["CP3"])]
    assignee_id: Id
    due_at: datetime
    description: Notes = ""


class ActionPatch(msgspec.Struct, forbid_unknown_fields=True):
    """`"state": "done"` with a `note` marks the action done (the assignee, or their
    supervisor); supervisors and HR may also move its due time, assignee or description
    while it is not verified."""

    state: Literal["done"] | Unset = UNSET
    note: Note | Unset = UNSET
    due_at: datetime | Unset = UNSET
    assignee_id: Id | Unset = UNSET
    description: Notes | Unset = UNSET


class ActionCheck(msgspec.Struct, forbid_unknown_fields=True):
    """A check of the work by someone other than the assignee: passed → verified,
    not passed → open again."""

    passed: bool
    note: Note = ""


class ActionOut(msgspec.Struct):
    id: int
    inspection_id: int
    item_code: str
    standard_zh: str | None
    standard_en: str | None
    touchpoint: str
    assignee_id: int
    assignee_no: str
    assignee_name: str
    due_at: datetime
    description: str
    state: ActionStateOut
    overdue: bool  # not verified and past its due time
    automatic: bool  # opened by a failed `rectify` item
    opened_by: str | None
    created_at: datetime
    done_at: datetime | None
    done_by: str | None
    done_note: str
    checked_at: datetime | None
    checked_by: str | None
    check_note: str
    verified_at: datetime | None
    photos: list[int] = msgspec.field(default_factory=list)  # of the fix, oldest first
