"""What each code is called, in Chinese and in English: the one table pages and PDFs use.

The API speaks in codes (`onsite`, `major`, `pending`, `excellent`); people read
labels. Pages show `label(kind, code, lang)` in their language, the bilingual
PDFs `bilingual(kind, code)`, the payroll export the Chinese label. A code
without a label (a group a newer rulebook brings, a field path such as
`items[1].points`) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

Labels = Mapping[str, tuple[str, str]]  # code → (中文, English)


def _frozen(table: dict[str, tuple[str, str]]) -> Labels:
    return MappingProxyType(table)


METHOD = _frozen({
    "onsite": ("现场巡检", "On site"),
    "mystery_shopper": ("神秘顾客", "Mystery shopper"),
    "video": ("视频抽查", "Video"),
    "phone": ("电话抽查", "Phone"),
})
# Worst last; 严重 is the severity that vetoes a grade in the default rulebook.
SEVERITY = _frozen({
    "minor": ("一般", "Minor"),
    "major": ("较重", "Major"),
    "critical": ("严重", "Critical"),
})
COMPLAINT_STATUS = _frozen({
    "pending": ("待核实", "Pending"),
    "substantiated": ("属实", "Substantiated"),
    "unsubstantiated": ("不属实", "Unsubstantiated"),
})
ITEM_RESULT = _frozen({
    "pass": ("合格", "Pass"),
    "fail": ("不合格", "Fail"),
    "na": ("不适用", "N/A"),
    "points": ("打分", "Points"),
})
GRADE = _frozen({
    "excellent": ("优秀", "Excellent"),
    "good": ("良好", "Good"),
    "pass": ("合格", "Pass"),
    "needs_improvement": ("待改进", "Needs improvement"),
})
SCORE_STATUS = _frozen({
    "graded": ("已评级", "Graded"),
    "insufficient_evidence": ("证据不足", "Insufficient evidence"),
})
PERIOD_STATUS = _frozen({
    "open": ("登记中", "Open for evidence"),
    "closed": ("已结账，未发布", "Closed, not published"),
    "published": ("已向员工发布", "Published to employees"),
})
APPEAL_STATUS = _frozen({
    "open": ("处理中", "Open"),
    "upheld": ("申诉成立", "Upheld"),
    "rejected": ("维持原结果", "Rejected"),
})
JOB_STATUS = _frozen({
    "queued": ("排队中", "Queued"),
    "running": ("生成中", "Running"),
    "done": ("已完成", "Done"),
    "failed": ("失败", "Failed"),
})
ACTION_STATE = _frozen({
    "open": ("待整改", "Open"),
    "done": ("待验收", "Done, to check"),
    "verified": ("已验收", "Verified"),
    "cancelled": ("已撤销", "Cancelled"),
    "overdue": ("已逾期", "Overdue"),
})
ROLE = _frozen({
    "admin": ("管理员", "Admin"),
    "hr": ("人事", "HR"),
    "supervisor": ("主管", "Supervisor"),
    "employee": ("员工", "Employee"),
})
# The checklist groups of the rulebooks' items (五比 四心 三声 二站 一监督 and the rest).
ITEM_GROUP = _frozen({
    "四心": ("四心", "Four hearts"),
    "三声": ("三声", "Three voices"),
    "二站": ("二站", "Two standings"),
    "一监督": ("一监督", "One supervision"),
    "效率": ("效率", "Efficiency"),
    "环境": ("环境", "Environment"),
    # rulebook 2026.2: each touchpoint's own checks are grouped under its name
    "人行出入口": ("人行出入口", "Pedestrian entrance"),
    "车行出入口": ("车行出入口", "Vehicle entrance"),
    "道路广场": ("道路广场", "Roads and squares"),
    "水景": ("水景", "Water feature"),
    "停车场": ("停车场", "Car park"),
    "围墙": ("围墙", "Boundary wall"),
    "宣传栏": ("宣传栏", "Notice board"),
    "苑门单元门": ("苑门单元门", "Courtyard and building doors"),
    "苑落内": ("苑落内", "Inside the courtyards"),
    "垃圾筒": ("垃圾筒", "Rubbish bins"),
    "大堂(电梯厅)": ("大堂(电梯厅)", "Lobby (lift hall)"),
    "电梯内": ("电梯内", "Inside the lift"),
    "楼道": ("楼道", "Stairs and corridors"),
    "商铺": ("商铺", "Shops"),
    "前台": ("前台", "Front desk"),
    "电话": ("电话", "Telephone"),
    "客服中心": ("客服中心", "Service counter (reception)"),
})
SURVEY_QUESTION = _frozen({
    "attitude": ("服务态度", "Attitude"),
    "quality": ("服务质量", "Quality"),
    "efficiency": ("工作效率", "Efficiency"),
    "environment": ("环境", "Environment"),
    "overall": ("总体满意度", "Overall"),
})
AUDIT_ACTION = _frozen({
    "create": ("新建", "Created"),
    "update": ("修改", "Changed"),
    "delete": ("删除", "Deleted"),
    "void": ("作废", "Voided"),
    "import": ("导入", "Imported"),
    "auto_open": ("自动开启", "Opened by evidence"),
    "close": ("结账", "Closed"),
    "publish": ("发布", "Published"),
    "reopen": ("重新打开", "Reopened"),
    "allocate": ("分配奖金", "Allocated"),
    "acknowledge": ("确认", "Acknowledged"),
    "appeal": ("申诉", "Appealed"),
    "answer": ("答复", "Answered"),
    "demo_load": ("载入演示数据", "Demo loaded"),
    "cancel": ("撤销", "Cancelled"),
    "done": ("完成整改", "Marked done"),
    "verify": ("验收", "Checked"),
})
AUDIT_ENTITY = _frozen({
    "inspection": ("巡检记录", "Inspection"),
    "complaint": ("投诉", "Complaint"),
    "survey": ("顾客评价", "Survey"),
    "commendation": ("表扬", "Commendation"),
    "period": ("考核月份", "Month"),
    "incentive": ("奖金分配", "Incentives"),
    "employee": ("员工", "Employee"),
    "team": ("团队", "Team"),
    "user": ("用户", "User"),
    "appeal": ("申诉", "Appeal"),
    "appraisal": ("考核结果", "Appraisal"),
    "report_job": ("批量生成", "Report batch"),
    "organisation": ("机构", "Organisation"),
    "corrective_action": ("整改", "Corrective action"),
    "photo": ("照片", "Photo"),
    "complaint_update": ("投诉进展", "Complaint update"),
})
# Request fields and import columns, as problems name them on the pages.
FIELD = _frozen({
    **SURVEY_QUESTION,
    "employee_id": ("员工", "Employee"),
    "employee_no": ("工号", "Employee no."),
    "name": ("姓名", "Name"),
    "team": ("团队", "Team"),
    "team_id": ("团队", "Team"),
    "position": ("岗位", "Position"),
    "touchpoint": ("地点", "Where"),
    "method": ("方式", "How"),
    "items": ("检查项目", "Checklist"),
    "notes": ("备注", "Notes"),
    "occurred_at": ("巡检时间", "Inspected at"),
    "received_at": ("受理时间", "Received"),
    "channel": ("渠道", "Channel"),
    "severity": ("严重程度", "Severity"),
    "description": ("经过", "What happened"),
    "status": ("状态", "Status"),
    "first_response_at": ("首次响应", "Responded"),
    "resolved_at": ("解决", "Resolved"),
    "return_visit_at": ("回访", "Return visit"),
    "customer_satisfied": ("顾客满意", "Customer satisfied"),
    "comment": ("留言", "Comment"),
    "external_id": ("外部编号", "External id"),
    "source": ("来源", "Source"),
    "reason": ("原因", "Reason"),
    "answer": ("答复", "Answer"),
    "decision": ("决定", "Decision"),
    "pool": ("奖金池", "Incentive pool"),
    "cap": ("个人上限", "Cap per person"),
    "file": ("文件", "File"),
    "month": ("月份", "Month"),
    "period": ("月份", "Month"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "role": ("角色", "Role"),
    "body": ("请求内容", "Request"),
    # Columns the audit trail keeps.
    "id": ("编号", "Id"),
    "period_id": ("月份", "Month"),
    "recorded_by_id": ("登记人", "Recorded by"),
    "inspector_id": ("巡检人", "Inspector"),
    "handler_id": ("处理人", "Handler"),
    "created_at": ("创建时间", "Created"),
    "updated_at": ("修改时间", "Changed"),
    "voided_at": ("作废时间", "Voided"),
    "voided_by_id": ("作废人", "Voided by"),
    "void_reason": ("作废原因", "Why voided"),
    "closed_at": ("结账时间", "Closed"),
    "published_at": ("发布时间", "Published"),
    "rulebook_version": ("规则版本", "Rulebook"),
    "active": ("启用", "Active"),
    "grade": ("等级", "Grade"),
    "final_score": ("得分", "Score"),
    "opened_at": ("开启时间", "Opened"),
    "rulebook_hash": ("规则校验值", "Rulebook hash"),
    "snapshot_id": ("结果快照", "Result snapshot"),
    "snapshot_sequence": ("快照序号", "Snapshot no."),
    "content_hash": ("结果校验值", "Result hash"),
    "superseded_snapshot_id": ("被取代的结果快照", "Superseded snapshot"),
    "allocated": ("已分配", "Allocated"),
    "unallocated": ("未分配", "Unallocated"),
    "replaced": ("被取代的分配", "Replaced allocation"),
    "currency": ("币种", "Currency"),
    "filed_at": ("提交时间", "Filed"),
    "answered_at": ("答复时间", "Answered"),
    "answered_by_id": ("答复人", "Answered by"),
    "acknowledged_at": ("确认时间", "Acknowledged"),
    "hired_on": ("入职日期", "Hired on"),
    "team_ids": ("团队", "Teams"),
    "supervisor_ids": ("主管", "Supervisors"),
    # Corrective actions (整改).
    "inspection_id": ("巡检记录", "Inspection"),
    "item_code": ("检查项目", "Check"),
    "assignee_id": ("整改人", "Assignee"),
    "due_at": ("整改期限", "Due"),
    "state": ("状态", "State"),
    "automatic": ("自动开启", "Opened by a failed check"),
    "actions_opened": ("开启的整改", "Actions opened"),
    "done_at": ("完成时间", "Done"),
    "done_by_id": ("完成登记人", "Marked done by"),
    "done_note": ("整改说明", "What was done"),
    "checked_at": ("验收时间", "Checked"),
    "checked_by_id": ("验收人", "Checked by"),
    "check_note": ("验收意见", "Check note"),
    "verified_at": ("验收通过", "Verified"),
    "passed": ("验收结果", "Check result"),
    "note": ("说明", "Note"),
    # What the demo loads, counted.
    "teams": ("团队数", "Teams"),
    "employees": ("员工数", "Employees"),
    "users": ("用户数", "Users"),
    "inspections": ("巡检数", "Inspections"),
    "actions": ("整改数", "Corrective actions"),
    "photos": ("照片数", "Photos"),
    "complaints": ("投诉数", "Complaints"),
    "surveys": ("顾客评价数", "Surveys"),
    "commendations": ("表扬数", "Commendations"),
    # Inspection photos.
    # Staff, logins and passwords.
    "left_on": ("最后工作日", "Last working day"),
    "current": ("当前密码", "Current password"),
    "new": ("新密码", "New password"),
    "repeat": ("再次输入的新密码", "New password again"),
    "must_change_password": ("须修改密码", "Must change password"),
    "sheet": ("表格", "Sheet"),
})
# Complaint follow-up deadlines (SPEC §3.4) and how each stands.
DEADLINE_KIND = _frozen({
    "first_response": ("首次回复", "First response"),
    "promise": ("承诺答复", "Promised reply"),
    "update": ("进展反馈", "Progress update"),
    "resolution": ("办结", "Resolution"),
    "return_visit": ("回访", "Return visit"),
})
DEADLINE_STATE = _frozen({
    "met": ("按时", "Met"),
    "missed": ("逾期", "Missed"),
    "pending": ("未到期", "Due"),
})

KINDS: Mapping[str, Labels] = MappingProxyType({
    "method": METHOD, "severity": SEVERITY, "complaint_status": COMPLAINT_STATUS,
    "item_result": ITEM_RESULT, "grade": GRADE, "score_status": SCORE_STATUS,
    "period_status": PERIOD_STATUS, "appeal_status": APPEAL_STATUS, "job_status": JOB_STATUS,
    "role": ROLE, "item_group": ITEM_GROUP, "survey_question": SURVEY_QUESTION,
    "audit_action": AUDIT_ACTION, "audit_entity": AUDIT_ENTITY, "field": FIELD,
    "action_state": ACTION_STATE,
    "deadline_kind": DEADLINE_KIND, "deadline_state": DEADLINE_STATE,
})

# Message params named otherwise than their kind of code (`appraisal.web.say` labels them):
# the roles a guard allows ("admin, hr"), the kind of record a 404 names.
PARAM_KINDS: Mapping[str, str] = MappingProxyType({"allowed": "role", "entity": "audit_entity"})

# The kind of code a stored value is, by its column (and entity, where columns share a
# name): the audit trail shows it by its label.
VALUE_KINDS: Mapping[tuple[str, str], str] = MappingProxyType({
    ("*", "severity"): "severity", ("*", "method"): "method", ("*", "grade"): "grade",
    ("*", "role"): "role", ("complaint", "status"): "complaint_status",
    ("period", "status"): "period_status", ("appeal", "status"): "appeal_status",
    ("report_job", "status"): "job_status", ("corrective_action", "state"): "action_state",
})


def value_kind(entity: str, column: str) -> str | None:
    """Which kind of code `column` of `entity` holds, if any."""
    return VALUE_KINDS.get((entity, column)) or VALUE_KINDS.get(("*", column))


def codes(kind: str) -> tuple[str, ...]:
    """The codes of `kind`, in their order (a form's choices)."""
    return tuple(KINDS[kind])


def label(kind: str, code: object, lang: str = "zh") -> str:
    """`code` of `kind` as people read it in `lang` ("zh" or "en"); unknown: as it is."""
    text = str(getattr(code, "value", code))  # an enum member stands for its value
    pair = KINDS[kind].get(text)
    if pair is None:
        return text
    return pair[1] if lang == "en" else pair[0]


def bilingual(kind: str, code: object) -> str:
    """"优秀 Excellent": both labels, as the printed reports show them."""
    zh, en = label(kind, code, "zh"), label(kind, code, "en")
    return zh if zh == en else f"{zh} {en}"


def table(kind: str, lang: str) -> dict[str, str]:
    """Every code of `kind` with its label in `lang`."""
    return {code: label(kind, code, lang) for code in KINDS[kind]}
