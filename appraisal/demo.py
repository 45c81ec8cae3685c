"""A realistic demo organisation: teams, staff, logins and a few months of evidence.

`appraisal demo` loads it into an empty database so that every screen has
something to show: a property-management / hotel service organisation with
five teams, about sixty employees and inspections, surveys, complaints and
commendations over the last few months (the current one still in progress).

Everything is drawn from `random.Random(seed)`, so the same seed and the same
`today` give the same organisation. Rows are written with `bulk_create` in
one transaction: a few thousand rows load in well under a second on SQLite.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import anyio
from PIL import Image, ImageDraw
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from appraisal.accounts.models import User
from appraisal.accounts.security import hash_password
from appraisal.actor import Role
from appraisal.audit.service import record
from appraisal.clock import local_now
from appraisal.config import get_settings
from appraisal.evidence import photos, tallies
from appraisal.evidence.models import (
    ActionState,
    Commendation,
    Complaint,
    ComplaintStatus,
    ComplaintUpdate,
    CorrectiveAction,
    Inspection,
    InspectionItem,
    InspectionMethod,
    ItemResult,
    Photo,
    Severity,
    SurveyResponse,
)
from appraisal.evidence.rectify import failed_rectify_codes
from appraisal.periods.models import Period, PeriodStatus
from appraisal.periods.service import rulebook_of
from appraisal.rulebook import RuleBook, get_rulebook
from appraisal.staff.models import Employee, Team

BATCH = 500  # rows per INSERT batch: well under SQLite's and asyncpg's parameter limits

# (username, password, role). Passwords are shared per role so that only a
# handful of argon2 hashes are computed (each one takes tens of milliseconds).
DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("admin", "admin-demo-1", Role.admin.value),
    ("hr", "hr-demo-1", Role.hr.value),
    ("sup.front", "sup-demo-1", Role.supervisor.value),
    ("sup.service", "sup-demo-1", Role.supervisor.value),
    ("sup.eng", "sup-demo-1", Role.supervisor.value),
    ("sup.security", "sup-demo-1", Role.supervisor.value),
    ("sup.clean", "sup-demo-1", Role.supervisor.value),
    ("emp.zhang", "emp-demo-1", Role.employee.value),
    ("emp.li", "emp-demo-1", Role.employee.value),
]

# Employee logins → the fixed demo employee they belong to (first of their team).
_EMPLOYEE_LOGINS: dict[str, str] = {"emp.zhang": "张晓燕", "emp.li": "李俊杰"}


@dataclass(frozen=True)
class _TeamSpec:
    name: str
    supervisor: str
    size: int
    positions: tuple[tuple[str, int], ...]  # (position, weight)
    touchpoints: tuple[tuple[str, int], ...]  # (touchpoint, weight)
    surveys: tuple[int, int]  # surveys per employee per month (min, max)
    complaints: tuple[str, ...]
    pinned: tuple[tuple[str, str], ...] = ()  # (name, position) of the first employees


# A property-management site (物业服务中心): each team works one post of rulebook 2026.2
# and is inspected at that post's touchpoints (codes of the rulebook's [[touchpoints]]).
_TEAMS: tuple[_TeamSpec, ...] = (
    _TeamSpec(
        "前台客服部", "sup.front", 12,
        (("前台接待", 1),),
        (("front_desk", 6), ("service_counter", 3), ("lobby", 1)),
        (2, 5),
        ("到前台办理门禁卡排队二十多分钟，没有任何解释",
         "快递代收登记错了房号，取件时找了很久",
         "前台接待回答问题语气生硬，显得不耐烦",
         "访客登记时没有核对身份就直接放行"),
        pinned=(("张晓燕", "前台接待"),),
    ),
    _TeamSpec(
        "客服中心", "sup.service", 14,
        (("客服话务员", 1),),
        (("telephone", 8), ("service_counter", 2)),
        (3, 6),
        ("报修电话连打三次才有人接听",
         "答应当天回电，结果一直没有回复",
         "咨询物业费账单被转接了好几次，问题仍未解决",
         "通话中话务员语气不耐烦，没说完就挂断"),
        pinned=(("李俊杰", "客服话务员"),),
    ),
    _TeamSpec(
        "工程维修部", "sup.eng", 10,
        (("工程维修", 1),),
        (("lift", 4), ("unit_door", 3), ("water_feature", 2), ("corridor", 1)),
        (1, 3),
        ("约好上午上门维修，下午两点才到",
         "维修完成后现场的垃圾和灰尘没有清理",
         "电梯停运一整天，没有张贴任何通知",
         "上门维修没有穿鞋套，也没有出示工牌"),
    ),
    _TeamSpec(
        "安保部", "sup.security", 13,
        (("安全员", 1),),
        (("pedestrian_gate", 3), ("vehicle_gate", 3), ("car_park", 3), ("boundary_wall", 1),
         ("shops", 1)),
        (1, 3),
        ("停车场岗亭值班人员态度粗暴",
         "访客车辆在道闸前等了十分钟才放行",
         "门岗值班时一直看手机，询问时没有理会",
         "夜间巡逻没有发现单元门损坏"),
    ),
    _TeamSpec(
        "保洁绿化部", "sup.clean", 11,
        (("保洁员", 1),),
        (("corridor", 3), ("courtyard", 3), ("bins", 2), ("roads", 2), ("lobby", 1)),
        (1, 3),
        ("电梯厅地面湿滑，没有放置警示牌",
         "楼道垃圾没有按时清运，有明显异味",
         "垃圾桶满溢一整天没有清理",
         "早上七点前就开始冲洗道路，噪音影响休息"),
    ),
)

# The rulebook the demo's months are pinned to when it opens them: the site inspects
# at its touchpoints (months already opened keep their own rulebook).
DEMO_RULEBOOK = "2026.2"

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾田董潘袁蔡蒋余于杜叶程"
    "魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛段雷龙黎史陶贺毛郝顾龚邵万钱严"
)
_GIVEN = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "丹", "玲", "婷", "雪", "浩", "宇", "晨", "颖", "鹏", "辉", "斌", "倩",
    "秀英", "桂英", "晓燕", "欣怡", "子涵", "思远", "建华", "国强", "海燕", "志刚", "春梅", "文博",
    "佳怡", "雨萱", "晓东", "丽华", "建军", "美玲", "志伟", "嘉欣", "天宇", "梦瑶", "少华", "红梅",
    "永辉", "淑珍", "立新", "晓峰", "慧敏", "雅婷", "振华", "秋菊", "德明", "文静", "家豪", "诗琪",
)

# What an inspector writes when an item is missed (the demo's own wording).
_FAIL_NOTES: dict[str, str] = {
    "H1": "接待时表情冷淡，没有主动招呼客人",
    "H2": "客人求助时推说不归自己管，没有主动协助",
    "H3": "解答时打断客人，显得不耐烦",
    "H4": "登记信息有误，办理后没有复核",
    "V1": "客人到达时没有问候",
    "V2": "客人提问后没有及时回应",
    "V3": "客人离开时没有道别",
    "S1": "客人走近时仍坐着，没有起身相迎",
    "S2": "客人离开时没有起身相送",
    "M1": "上岗未佩戴工牌",
    "E1": "电话响铃超过三声才接听 / 访客等候超过一分钟",
    "E2": "办理出错，需要返工",
    "N1": "工作台面杂乱，私人物品外露",
    "N2": "制服不整洁，仪容不符合要求",
    "N3": "设施有污渍或损坏，未及时报修",
}
_GOOD_NOTES = ("", "", "", "表现良好，继续保持", "问候规范，微笑自然", "处理流程熟练")

_SILENT_VIDEO = frozenset({"V1", "V2", "V3"})  # CCTV has no sound

_SURVEY_GOOD = (
    "服务很热情，谢谢！", "电话接得很快，问题一次就解决了", "前台工作人员非常耐心",
    "维修师傅很专业，走之前还把现场打扫干净了", "保安大哥很负责，主动帮忙搬东西",
    "大堂和电梯厅都很干净", "态度好，效率高", "问题处理得很细心，点赞",
)
_SURVEY_MEH = (
    "等候时间有点长", "回复速度还可以再快一些", "说话语气有点生硬", "问题解决了，但来回跑了两趟",
    "电梯厅地面有水渍", "希望维修前能提前告知时间",
)
_COMMENDATIONS: dict[str, tuple[str, ...]] = {
    "锦旗": ("业主送来锦旗“服务热情 尽职尽责”", "住户赠送锦旗，感谢深夜及时抢修爆裂水管",
             "客人赠送锦旗，感谢帮忙找回遗失的钱包"),
    "表扬信": ("客人来信表扬其耐心讲解缴费流程", "业主写表扬信，感谢雨天主动撑伞护送老人回家",
               "住户来信感谢其帮助联系120并陪同等候"),
    "线上好评": ("点评网站好评中点名表扬其接待热情", "公众号留言称赞其回复及时、解答耐心",
                 "酒店预订平台好评提到其帮忙安排行李寄存"),
}


@dataclass
class _Person:
    """An employee being generated, with the performance profile behind its evidence."""

    team: _TeamSpec
    employee_no: str
    name: str
    position: str
    hired_on: date
    profile: str  # strong | normal | weak
    weak_codes: tuple[str, ...] = ()
    id: int = 0


@dataclass
class _Window:
    month: str
    start: datetime
    limit: datetime  # last allowed timestamp: month end or now, whichever is first
    current: bool
    period_id: int = 0
    rulebook: RuleBook | None = None




async def organisation_is_empty() -> bool:
    """True while there are no employees: the demo never mixes with real staff."""
    return not await Employee.exists()


def _windows(months: int, today: date | None, tz: ZoneInfo) -> list[_Window]:
    real_now = local_now().replace(microsecond=0)
    if today is None or today == real_now.date():
        today, cap = real_now.date(), real_now
    else:  # a fixed day (tests): the end of that day stands for "now"
        cap = datetime.combine(today, time(23, 59, 59), tz)
    out: list[_Window] = []
    y, m = today.year, today.month
    for back in range(months - 1, -1, -1):
        yy, mm = divmod(y * 12 + (m - 1) - back, 12)
        start = datetime(yy, mm + 1, 1, tzinfo=tz)
        ny, nm = divmod(yy * 12 + mm + 1, 12)
        end = datetime(ny, nm + 1, 1, tzinfo=tz) - timedelta(seconds=1)
        out.append(_Window(f"{yy:04d}-{mm + 1:02d}", start, min(end, cap), back == 0))
    return out


def _ts(rng: random.Random, w: _Window, hours: tuple[int, int] = (8, 20)) -> datetime:
    """A working-hours moment inside the window (never after its limit)."""
    limit = w.limit
    days = (limit.date() - w.start.date()).days
    day = w.start.date() + timedelta(days=rng.randint(0, max(days, 0)))
    ts = datetime.combine(day, time(rng.randint(*hours), rng.randint(0, 59), rng.randint(0, 59)),
                          w.start.tzinfo)
    if not w.start <= ts <= limit:  # e.g. the first hours of the current month
        ts = w.start + (limit - w.start) * rng.random()
    return ts.replace(microsecond=0)


def _elapsed(w: _Window) -> float:
    """How much of the month lies before its limit (1 for past months)."""
    if not w.current:
        return 1.0
    y, m = divmod(w.start.year * 12 + w.start.month, 12)  # the month after
    length = datetime(y, m + 1, 1, tzinfo=w.start.tzinfo) - w.start
    return min(1.0, (w.limit - w.start) / length)


def _people(rng: random.Random, first_day: date) -> list[_Person]:
    pinned = {name for spec in _TEAMS for name, _ in spec.pinned}
    used: set[str] = set(pinned)
    people: list[_Person] = []
    no = 1001
    for spec in _TEAMS:
        positions = [p for p, _ in spec.positions]
        weights = [w for _, w in spec.positions]
        for i in range(spec.size):
            if i < len(spec.pinned):
                name, position = spec.pinned[i]
            else:
                name = ""
                while not name or name in used:
                    name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
                position = rng.choices(positions, weights)[0]
            used.add(name)
            hired = first_day - timedelta(days=rng.randint(45, 8 * 365))
            people.append(_Person(spec, f"E{no}", name, position, hired, "normal"))
            no += 1
    # Performance profiles: most are solid, a few shine, a few struggle with
    # particular standards (so failures and coaching concentrate on them).
    free = [p for p in people if p.name not in _EMPLOYEE_LOGINS.values()]
    chosen = rng.sample(free, 22)
    for p in chosen[:14]:
        p.profile = "strong"
    for p in chosen[14:]:
        p.profile = "weak"
        p.weak_codes = tuple(rng.sample(_checked(p.team), 2))
    for p in people:
        if p.name == "张晓燕":
            p.profile = "strong"
        elif p.name == "李俊杰":  # a solid call-centre agent who is slow to pick up
            p.weak_codes = ("E1",)
        elif p.profile == "normal" and rng.random() < 0.3:
            p.weak_codes = (rng.choice(_checked(p.team)),)
    return people


def _picture(rng: random.Random) -> bytes:
    """A made-up photo of something to put right: a wall, a stain and a marker."""
    wall = tuple(rng.randint(120, 210) for _ in range(3))
    im = Image.new("RGB", (960, 720), wall)
    draw = ImageDraw.Draw(im)
    x, y = rng.randint(120, 640), rng.randint(100, 420)
    draw.rectangle((0, 560, 960, 720), fill=tuple(c // 2 for c in wall))
    draw.ellipse((x, y, x + rng.randint(120, 260), y + rng.randint(80, 200)),
                 fill=(rng.randint(90, 140), rng.randint(60, 90), 40))
    draw.rectangle((x - 30, y - 30, x + 300, y + 240), outline=(220, 30, 30), width=8)
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def _photos(rng: random.Random, actions: Sequence[CorrectiveAction],
            inspections: Sequence[tuple[Inspection, list[Any]]]) -> list[Photo]:
    """A few photos of failed checks that opened actions (made-up pictures, stored as
    uploads are: re-encoded, named by their hash in the media folder)."""
    when = {i.id: (i.occurred_at, i.inspector_id) for i, _ in inspections}
    out = []
    for action in rng.sample(list(actions), min(8, len(actions))):
        encoded = photos.encode(_picture(rng))
        photos.store_files(encoded)
        taken, inspector = when[action.inspection_id]
        out.append(Photo(
            inspection_id=action.inspection_id, item_code=action.item_code,
            content_hash=encoded.content_hash, content_type=photos.CONTENT_TYPE,
            width=encoded.width, height=encoded.height, bytes=len(encoded.jpeg),
            thumb_hash=encoded.thumb_hash, created_by_id=inspector,
            created_at=taken + timedelta(minutes=2)))
    return out


def _checked(team: _TeamSpec) -> list[str]:
    """The items a team is inspected on: those of its touchpoints."""
    book = get_rulebook(DEMO_RULEBOOK)
    return sorted({code for tp, _ in team.touchpoints for code in book.touchpoint(tp).items})


def _actions(rng: random.Random, inspections: Sequence[tuple[Inspection, list[Any]]],
             windows: Sequence[_Window], sup_ids: dict[str, int | None],
             hr_id: int | None, team_of: dict[int, str]) -> list[CorrectiveAction]:
    """Corrective actions for the failed rectify items, as a site would have them: most
    put right and verified in time, some verified late, a few still open past their due
    time; this month's also open (not yet due) and done (waiting for the check)."""
    now = windows[-1].limit
    book = {w.period_id: w.rulebook for w in windows}
    out: list[CorrectiveAction] = []
    for insp, items in inspections:
        rulebook = book.get(insp.period_id)
        if rulebook is None or rulebook.rectification is None:
            continue
        rows = [{"code": c, "result": r, "points": pts} for c, r, pts in items]
        for code in failed_rectify_codes(rulebook, rows):
            recorded = insp.occurred_at + timedelta(minutes=rng.randint(5, 90))
            due = recorded + timedelta(hours=rulebook.rectification.due_hours)
            sup = sup_ids[team_of[insp.employee_id]]
            action = CorrectiveAction(
                inspection_id=insp.id, item_code=code, assignee_id=insp.employee_id, due_at=due,
                description="", automatic=True, opened_by_id=insp.inspector_id,
                state=ActionState.open)
            fate = rng.random()
            done = recorded + timedelta(hours=rng.uniform(2, 16))
            checked = done + timedelta(hours=rng.uniform(1, 5))
            if fate < 0.12:  # put right only after the due time
                done = due + timedelta(hours=rng.uniform(2, 40))
                checked = done + timedelta(hours=rng.uniform(1, 5))
            # Still open (overdue once its due time passed) unless it was put right by now;
            # then waiting for the check, or checked and verified.
            if fate <= 0.95 and done <= now:
                action.state, action.done_at, action.done_by_id = ActionState.done, done, sup
                action.done_note = "已处理，待验收"
                if checked <= now and fate <= 0.9:
                    action.done_note = "已整改到位"
                    action.state, action.verified_at = ActionState.verified, checked
                    action.checked_at, action.checked_by_id = checked, hr_id
            out.append(action)
    return out


def _items(rng: random.Random, p: _Person, rulebook: RuleBook, touchpoint: str,
           method: InspectionMethod) -> list[tuple[str, ItemResult, Decimal | None]]:
    # Only the touchpoint's own checklist is judged there (2026.2); CCTV has no sound.
    at = set(rulebook.touchpoint(touchpoint).items) if rulebook.touchpoints else None
    na = _SILENT_VIDEO if method is InspectionMethod.video else frozenset()
    base = {"strong": 0.015, "normal": 0.04, "weak": 0.09}[p.profile]
    weak = {"strong": 0.15, "normal": 0.25, "weak": 0.45}[p.profile]
    rows: list[tuple[str, ItemResult, Decimal | None]] = []
    for item in rulebook.items:
        if at is not None and item.code not in at:
            continue
        if item.code in na:
            # Inspectors sometimes tick "n.a.", sometimes just leave the item out.
            if rng.random() < 0.4:
                rows.append((item.code, ItemResult.na, None))
            continue
        fail_rate = weak if item.code in p.weak_codes else base
        r = rng.random()
        if r < fail_rate:
            rows.append((item.code, ItemResult.failed, Decimal(0)))
        elif item.points >= 10 and r < fail_rate + 0.05:
            # Partly met: a score between half and nearly full marks.
            earned = (item.points * Decimal(rng.randint(10, 18)) / 20).quantize(Decimal("0.1"))
            rows.append((item.code, ItemResult.points, min(earned, item.points)))
        else:
            rows.append((item.code, ItemResult.passed, item.points))
    if not rows:  # every item left out: a checklist needs at least one result
        code = rulebook.items[0].code
        rows.append((code, ItemResult.passed, rulebook.items[0].points))
    return rows


def _method(rng: random.Random, touchpoint: str) -> InspectionMethod:
    if touchpoint == "telephone":
        return rng.choices([InspectionMethod.phone, InspectionMethod.mystery_shopper], [4, 1])[0]
    return rng.choices(
        [InspectionMethod.onsite, InspectionMethod.video, InspectionMethod.mystery_shopper], [6, 2, 2]
    )[0]


async def _ensure_users(conn: BaseDBAsyncClient, people: Sequence[_Person],
                        teams: dict[str, Team]) -> tuple[dict[str, User], int]:
    """Create the demo logins (existing usernames are left untouched)."""
    existing = {u.username: u for u in await User.filter(
        username__in=[u for u, _, _ in DEMO_LOGINS]).using_db(conn)}
    by_name = {p.name: p for p in people}
    hashes: dict[str, str] = {}
    users: dict[str, User] = dict(existing)
    created = 0
    for username, password, role in DEMO_LOGINS:
        if username in existing:
            continue
        if password not in hashes:
            hashes[password] = await hash_password(password)
        emp_name = _EMPLOYEE_LOGINS.get(username)
        users[username] = await User.create(
            username=username, password_hash=hashes[password], role=Role(role),
            employee_id=by_name[emp_name].id if emp_name else None, using_db=conn,
        )
        created += 1
    for spec in _TEAMS:
        sup = users.get(spec.supervisor)
        if sup is not None and sup.role == Role.supervisor:
            await sup.supervised_teams.add(teams[spec.name], using_db=conn)
    return users, created


async def _ensure_periods(conn: BaseDBAsyncClient, windows: list[_Window]) -> None:
    existing = {p.month: p for p in await Period.filter(
        month__in=[w.month for w in windows]).using_db(conn)}
    for w in windows:
        period = existing.get(w.month)
        rulebook = get_rulebook(DEMO_RULEBOOK)
        if period is None:
            period = await Period.create(
                month=w.month, status=PeriodStatus.open, rulebook_version=rulebook.version,
                rulebook_hash=rulebook.content_hash, using_db=conn,
            )
        elif period.rulebook_version != rulebook.version:  # pinned earlier: keep its rulebook
            rulebook = rulebook_of(period)
        w.period_id = period.id
        # Evidence may only be added to open periods; others get none.
        w.rulebook = rulebook if period.status == PeriodStatus.open else None


def _inspections(rng: random.Random, people: Sequence[_Person], windows: Sequence[_Window],
                 sup_ids: dict[str, int | None]) -> list[tuple[Inspection, list[Any]]]:
    out: list[tuple[Inspection, list[Any]]] = []
    current = windows[-1]
    # A few people not yet (fully) inspected this month: HR's "who still needs
    # inspections" list has something on it.
    behind = {p.employee_no for p in rng.sample(
        [p for p in people if p.name not in _EMPLOYEE_LOGINS.values()], 6)}
    for w in windows:
        if w.rulebook is None:
            continue
        for p in people:
            n = rng.choice((2, 3, 3, 4))
            if w is current and p.employee_no in behind:
                n = rng.choice((0, 1, 1))
            touchpoints = [t for t, _ in p.team.touchpoints]
            weights = [x for _, x in p.team.touchpoints]
            seen: set[datetime] = set()
            for _ in range(n):
                # (employee, occurred_at) identifies a row on read-back, so it must be
                # unique; in the first seconds of a month there may be no room: skip.
                ts = _ts(rng, w, (7, 21))
                for _attempt in range(20):
                    if ts not in seen:
                        break
                    ts = _ts(rng, w, (7, 21))
                else:
                    continue
                seen.add(ts)
                touchpoint = rng.choices(touchpoints, weights)[0]
                method = _method(rng, touchpoint)
                items = _items(rng, p, w.rulebook, touchpoint, method)
                missed = [_FAIL_NOTES.get(c) or "未做到：" + w.rulebook.item(c).standard_zh
                          for c, r, _ in items if r in (ItemResult.failed, ItemResult.points)]
                notes = "；".join(missed) if missed else rng.choice(_GOOD_NOTES)
                out.append((Inspection(
                    employee_id=p.id, period_id=w.period_id, inspector_id=sup_ids[p.team.name],
                    occurred_at=ts, touchpoint=touchpoint, method=method, notes=notes,
                ), items))
    return out


def _surveys(rng: random.Random, people: Sequence[_Person], windows: Sequence[_Window],
             hr_id: int | None) -> list[SurveyResponse]:
    out: list[SurveyResponse] = []
    dist = {"strong": (1, 1, 4, 24, 70), "normal": (2, 3, 10, 35, 50), "weak": (6, 10, 24, 35, 25)}
    seq = 0
    for w in windows:
        if w.rulebook is None:
            continue
        for p in people:
            lo, hi = p.team.surveys
            n = round(rng.randint(lo, hi) * _elapsed(w))
            phone = p.team.name == "客服中心"
            for _ in range(n):
                answers: dict[str, int | None] = {}
                for q in ("attitude", "quality", "efficiency", "environment", "overall"):
                    missing = 0.3 if q == "environment" and phone else 0.08
                    answers[q] = None if rng.random() < missing else \
                        rng.choices((1, 2, 3, 4, 5), dist[p.profile])[0]
                if all(v is None for v in answers.values()):
                    answers["overall"] = 4
                given = [v for v in answers.values() if v is not None]
                comment = ""
                if rng.random() < 0.35:
                    good = sum(given) / len(given) >= 4
                    comment = rng.choice(_SURVEY_GOOD if good else _SURVEY_MEH)
                seq += 1
                out.append(SurveyResponse(
                    employee_id=p.id, period_id=w.period_id, recorded_by_id=hr_id,
                    received_at=_ts(rng, w, (8, 21)), comment=comment,
                    external_id=f"DEMO-S-{seq:06d}", **answers,
                ))
    return out


def _within(ts: datetime, w: _Window) -> datetime | None:
    """A follow-up moment, or None when it has not happened yet (after now or the month end)."""
    return ts.replace(microsecond=0) if ts <= w.limit else None


def _complaints(rng: random.Random, people: Sequence[_Person], windows: Sequence[_Window],
                sup_ids: dict[str, int | None]) -> list[tuple[Complaint, list[ComplaintUpdate]]]:
    """Complaints in every state (SPEC §3.4): answered at once or with a promised reply
    time, news given daily or forgotten, resolved and visited again, or still open; the
    follow-up runs on past the month's end, up to now, as it does on a real site."""
    out: list[tuple[Complaint, list[ComplaintUpdate]]] = []
    weights = [{"strong": 0.3, "normal": 1.0, "weak": 5.0}[p.profile] for p in people]
    now = windows[-1].limit
    critical_left = 1  # a critical complaint (veto) is rare: at most one in the demo

    def by_now(ts: datetime | None) -> datetime | None:
        return ts.replace(microsecond=0) if ts is not None and ts <= now else None

    for w in windows:
        if w.rulebook is None:
            continue
        for n in range(round(rng.randint(4, 8) * _elapsed(w))):
            p = rng.choices(people, weights)[0]
            received = _ts(rng, w)
            severity = rng.choices([Severity.minor, Severity.major, Severity.critical], [75, 22, 3])[0]
            if severity is Severity.critical:
                if not critical_left:
                    severity = Severity.major
                critical_left = 0
            channel = rng.choices(["电话", "前台", "微信", "12345热线"], [35, 25, 30, 10])[0]
            late = rng.random() < 0.15
            first = by_now(received + timedelta(
                hours=rng.uniform(25, 60) if late else rng.uniform(0.3, 6)))
            if w.current and n % 3 == 0:
                first = None  # not answered yet: overdue once a day has passed
            # Not answered at once: the customer is given a time for the reply.
            promised = (first + timedelta(hours=rng.uniform(20, 44))).replace(microsecond=0) \
                if first and rng.random() < 0.5 else None
            status = rng.choices([ComplaintStatus.substantiated, ComplaintStatus.unsubstantiated,
                                  ComplaintStatus.pending], [55, 35, 10])[0]
            resolved = by_now(first + timedelta(hours=rng.uniform(2, 90))) \
                if first and status != ComplaintStatus.pending else None
            if resolved is None:
                status = ComplaintStatus.pending  # not concluded yet
            # Visited again, mostly in time; a few never were.
            visit = by_now(resolved + timedelta(days=rng.uniform(0.5, 4.5))) \
                if resolved and n % 5 != 4 else None
            satisfied = (rng.random() < 0.8) if visit else None
            complaint = Complaint(
                employee_id=p.id, handler_id=p.id, period_id=w.period_id,
                recorded_by_id=sup_ids[p.team.name], received_at=received, channel=channel,
                severity=severity, description=rng.choice(p.team.complaints), status=status,
                first_response_at=first, promised_reply_at=promised, resolved_at=resolved,
                customer_satisfied=satisfied, return_visit_at=visit,
            )
            # News while it is open: mostly daily, sometimes forgotten for days.
            updates = []
            if first is not None:
                until = resolved or now
                at = first + timedelta(hours=rng.uniform(14, 30))
                while at < until:
                    if rng.random() < 0.75:
                        updates.append(ComplaintUpdate(
                            at=at.replace(microsecond=0), note=rng.choice(_PROGRESS),
                            customer_contacted=rng.random() < 0.6,
                            recorded_by_id=sup_ids[p.team.name]))
                    at += timedelta(hours=rng.uniform(14, 40))
            out.append((complaint, updates))
    return out


_PROGRESS = ("已联系维修班组，明天上午上门", "已向顾客说明处理进度", "等待配件到货，已告知顾客",
             "主管已约顾客面谈", "已提交物业经理审批", "已回电顾客，对方表示理解")


def _commendations(rng: random.Random, people: Sequence[_Person], windows: Sequence[_Window],
                   hr_id: int | None) -> list[Commendation]:
    out: list[Commendation] = []
    weights = [{"strong": 4.0, "normal": 1.0, "weak": 0.2}[p.profile] for p in people]
    for w in windows:
        if w.rulebook is None:
            continue
        for _ in range(round(rng.randint(3, 6) * _elapsed(w))):
            p = rng.choices(people, weights)[0]
            source = rng.choices(list(_COMMENDATIONS), [2, 3, 5])[0]
            out.append(Commendation(
                employee_id=p.id, period_id=w.period_id, recorded_by_id=hr_id,
                received_at=_ts(rng, w), source=source,
                description=rng.choice(_COMMENDATIONS[source]),
            ))
    return out


async def load_demo(months: int = 3, seed: int = 2026, today: date | None = None) -> dict[str, int]:
    """Load the demo organisation; returns how many rows of each kind were created."""
    if months < 1:
        raise ValueError("months must be at least 1")
    tz = get_settings().timezone
    rng = random.Random(seed)
    windows = _windows(months, today, tz)
    people = _people(rng, windows[0].start.date())
    counts = dict.fromkeys(
        ("teams", "employees", "users", "inspections", "actions", "photos", "complaints",
         "surveys", "commendations"), 0)

    async with in_transaction() as conn:
        # Teams (an existing team of the same name is reused).
        teams = {t.name: t for t in await Team.filter(
            name__in=[s.name for s in _TEAMS]).using_db(conn)}
        new_teams = [Team(name=s.name) for s in _TEAMS if s.name not in teams]
        await Team.bulk_create(new_teams, using_db=conn)
        counts["teams"] = len(new_teams)
        # bulk_create does not return ids on every backend: read them back by name.
        teams = {t.name: t for t in await Team.filter(
            name__in=[s.name for s in _TEAMS]).using_db(conn)}

        await Employee.bulk_create([
            Employee(employee_no=p.employee_no, name=p.name, team_id=teams[p.team.name].id,
                     position=p.position, hired_on=p.hired_on) for p in people
        ], batch_size=BATCH, using_db=conn)
        counts["employees"] = len(people)
        ids = dict(await Employee.filter(employee_no__in=[p.employee_no for p in people])
                   .using_db(conn).values_list("employee_no", "id"))
        for p in people:
            p.id = ids[p.employee_no]

        users, counts["users"] = await _ensure_users(conn, people, teams)
        sup_ids = {s.name: users[s.supervisor].id if s.supervisor in users else None for s in _TEAMS}
        hr_id = users["hr"].id if "hr" in users else None
        await _ensure_periods(conn, windows)

        inspections = _inspections(rng, people, windows, sup_ids)
        await Inspection.bulk_create([i for i, _ in inspections], batch_size=BATCH, using_db=conn)
        # Match each inspection back to its id by (employee, occurred_at), unique by construction.
        stored = await Inspection.filter(
            employee_id__in=[p.id for p in people], period_id__in=[w.period_id for w in windows],
        ).using_db(conn).values_list("id", "employee_id", "occurred_at")
        insp_ids = {(emp, int(ts.timestamp())): iid for iid, emp, ts in stored}
        await InspectionItem.bulk_create([
            InspectionItem(inspection_id=insp_ids[(i.employee_id, int(i.occurred_at.timestamp()))],
                           code=code, result=result, points=points)
            for i, items in inspections for code, result, points in items
        ], batch_size=BATCH, using_db=conn)
        counts["inspections"] = len(inspections)
        for i, _ in inspections:
            i.id = insp_ids[(i.employee_id, int(i.occurred_at.timestamp()))]
        team_of = {p.id: p.team.name for p in people}
        actions = _actions(rng, inspections, windows, sup_ids, hr_id, team_of)
        await CorrectiveAction.bulk_create(actions, batch_size=BATCH, using_db=conn)
        counts["actions"] = len(actions)
        shots = await anyio.to_thread.run_sync(_photos, rng, actions, inspections)
        await Photo.bulk_create(shots, batch_size=BATCH, using_db=conn)
        counts["photos"] = len(shots)

        complaints = _complaints(rng, people, windows, sup_ids)
        await Complaint.bulk_create([c for c, _ in complaints], batch_size=BATCH, using_db=conn)
        counts["complaints"] = len(complaints)
        found = await Complaint.filter(employee_id__in=[p.id for p in people]).using_db(
            conn).values_list("id", "employee_id", "received_at")
        complaint_ids = {(emp, int(ts.timestamp())): cid for cid, emp, ts in found}
        updates = []
        for c, news in complaints:
            for u in news:
                u.complaint_id = complaint_ids[(c.employee_id, int(c.received_at.timestamp()))]
                updates.append(u)
        await ComplaintUpdate.bulk_create(updates, batch_size=BATCH, using_db=conn)
        for key, model, rows in (
            ("surveys", SurveyResponse, _surveys(rng, people, windows, hr_id)),
            ("commendations", Commendation, _commendations(rng, people, windows, hr_id)),
        ):
            await model.bulk_create(rows, batch_size=BATCH, using_db=conn)
            counts[key] = len(rows)
        # Loaded around the writes: their tallies summed up once, as the writes keep them.
        await tallies.rebuild(w.period_id for w in windows if w.period_id is not None)

        await record(None, "demo_load", "organisation", "demo", after=dict(counts))
    return counts
