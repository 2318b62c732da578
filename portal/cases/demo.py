"""Demo cross-department cases (跨部门协同办理): realistic blockers split into department tasks.

Idempotent: cases are keyed on their title and tasks on (case, department, what to do); deadlines
are set relative to the day of the first run and never touched again.
"""
from datetime import timedelta

from django.utils import timezone

from portal.accounts.models import User
from portal.cases.actions import case_task_first_reminder_at
from portal.cases.models import Case, CaseEvent, CaseTask
from portal.demo import demo_user
from portal.hall.models import Department
from portal.hall.workdays import add_working_days, end_of_working_day, subtract_working_days
from portal.roles import Role
from portal.workflow import transition_move

OFFICERS = [
    # username, name, department code
    ("officer", "陈部门", "market"),
    ("fire_officer", "李消防", "fire"),
    ("health_officer", "孙卫健", "health"),
    ("tax_officer", "钱税务", "tax"),
    ("hrss_officer", "郑人社", "hrss"),
]

# title, description, source, lead department, applicant username, tasks:
# (department, officer username, what to do, working days from today (negative: overdue), done note or None)
CASES = [
    (
        "青禾餐饮：食品经营许可与消防检查衔接",
        "创业青年林小创反映：开办餐饮店时食品经营许可要求先有消防检查意见，消防检查又要求先有营业执照和许可，"
        "两头等待，来回跑了三次。请市场监管牵头，消防、卫健协同，一次办结。",
        Case.Source.BLOCKER, "market", "founder",
        [
            ("market", "officer", "梳理餐饮类一件事材料清单，确认许可与消防检查可并联办理", -3, "已形成并联办理材料清单"),
            ("fire", "fire_officer", "对青禾餐饮门店开展消防安全检查并出具意见", -1, None),
            ("health", "health_officer", "确认从业人员健康证明可在青年专区现场受理", 2, None),
        ],
    ),
    (
        "青创孵化企业社保开户与税务登记同步办理",
        "孵化基地多家初创企业反映：新办企业社保开户与税务登记分两次办理，希望在青年专区一次提交。",
        Case.Source.IDEA, "hrss", None,
        [
            ("hrss", "hrss_officer", "开通社保开户与税务登记共享材料通道", 1, None),
            ("tax", "tax_officer", "在青年专区设立新办企业涉税事项联办窗口", 5, None),
        ],
    ),
    (
        "物流初创企业道路运输许可咨询",
        "一位创业青年在青年专区现场咨询物流企业开办所需的许可事项，需要多部门联合答复。",
        Case.Source.WALK_IN, "market", None,
        [
            ("market", "officer", "一次性告知物流企业开办登记事项", -6, "已现场一次性告知"),
            ("tax", "tax_officer", "讲解小规模纳税人税收优惠政策", -4, "已电话讲解并寄送政策汇编"),
        ],
    ),
]


def _due(days: int):
    today = timezone.localdate()
    day = add_working_days(today, days) if days >= 0 else subtract_working_days(today, -days)
    return end_of_working_day(day)


def seed() -> str:
    staff = User.objects.filter(username="staff").first() or demo_user(
        "staff", "王晓窗", [Role.HALL_STAFF], is_staff=True
    )
    officers = {}
    for username, name, code in OFFICERS:
        person = demo_user(username, name, [Role.DEPARTMENT_OFFICER], is_staff=True)
        Department.objects.get(code=code).officers.add(person)
        officers[username] = person
    made = 0
    for title, description, source, lead, applicant_name, tasks in CASES:
        case = Case.objects.filter(title=title).first()
        if case is None:
            case = Case.objects.create(
                title=title, description=description, source=source, opened_by=staff,
                lead_department=Department.objects.get(code=lead),
                applicant=User.objects.filter(username=applicant_name).first() if applicant_name else None,
            )
            # Backdate the opening so the overdue demo tasks are plausible.
            Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - timedelta(days=14))
            CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.OPENED, by=staff, to_status=case.status)
            made += 1
        for code, officer, what, days, done_note in tasks:
            if CaseTask.objects.filter(case=case, department__code=code, description=what).exists():
                continue
            due_at = _due(days)
            done = done_note is not None
            task = CaseTask.objects.create(
                case=case, department=Department.objects.get(code=code), assignee=officers[officer],
                description=what, due_at=due_at,
                status=CaseTask.Status.DONE if done else CaseTask.Status.OPEN,
                completed_at=min(due_at, timezone.now()) if done else None,
                completed_by=officers[officer] if done else None, note=done_note or "",
                next_reminder_at=None if done else case_task_first_reminder_at(due_at=due_at),
            )
            CaseEvent.objects.create(case=case, task=task, kind=CaseEvent.Kind.TASK_ADDED, by=staff,
                                     to_status=CaseTask.Status.OPEN, note=what)
            if done:
                CaseEvent.objects.create(case=case, task=task, kind=CaseEvent.Kind.TASK_COMPLETED,
                                         by=officers[officer], from_status=CaseTask.Status.OPEN,
                                         to_status=CaseTask.Status.DONE, note=done_note)
        statuses = set(case.tasks.values_list("status", flat=True))
        to = None
        if case.status in Case.ACTIVE and statuses == {CaseTask.Status.DONE}:
            to = Case.Status.DONE
        elif case.status == Case.Status.OPEN and CaseTask.Status.DONE in statuses:
            to = Case.Status.IN_PROGRESS
        if to:
            transition_move(
                case, to=to, by=None, history=CaseEvent, link="case",
                changes={"closed_at": timezone.now() if to in Case.CLOSED else None},
                history_extra={"kind": CaseEvent.Kind.STATUS_CHANGED},
            )
    return f"{Case.objects.count()} cases ({made} new), {CaseTask.objects.count()} case tasks"
