"""A hall that runs today's schema upgrades by ``migrate`` and loses nothing.

The database is built at the migrations every hall runs today and filled through the historical
models, the way a live hall's rows look; then it is migrated to the newest migrations (the leaves
of the graph when the test runs, so migrations added later are covered as well) and every row, id
and link is looked for again through the models of now. Content types and permissions must keep
their ids: generic links (reminders, the admin log) and the groups' grants point at them. Finally
the reminder sweep runs, and what was sent before the upgrade must not be sent again.

django-test-migrations' ``Migrator`` drives the migrations; it mutes the migrate signals, so the
content types and permissions ``migrate`` creates on ``post_migrate`` are created here explicitly.
"""
import os
from datetime import date, timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps as global_apps
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django_test_migrations import sql
from django_test_migrations.migrator import Migrator

# The last migration of each of our apps that every hall has run today. Fixed: an upgrade starts here.
TODAY = {
    "accounts": "0002_roles",
    "notifications": "0001_initial",
    "services": "0003_cases",
    "volunteers": "0002_activities",
    "points": "0002_ledger_labels",
    "suggestions": "0002_ledger",
}
OUR_PACKAGES = {"portal", "services", "volunteers", "points", "suggestions"}
# Rows that post_migrate and the role sync write on every migrate, compared by id below instead.
REWRITTEN_BY_MIGRATE = {"django_content_type", "auth_permission", "auth_group_permissions"}
# Today's models that now live in another app, under the same table and content-type id.
MOVED = {
    ("services", "department"): ("hall", "department"),
    ("services", "holiday"): ("hall", "holiday"),
    ("services", "case"): ("cases", "case"),
    ("services", "casetask"): ("cases", "casetask"),
    ("services", "caseevent"): ("cases", "caseevent"),
}
CASE_REMINDER_KINDS = ["case_due_soon", "case_due_today", "case_overdue", "case_escalated"]


def _ours(label: str) -> bool:
    try:
        return global_apps.get_app_config(label).name.split(".")[0] in OUR_PACKAGES
    except LookupError:  # an app that only exists in the migration history
        return True


def _today_nodes() -> list[tuple[str, str]]:
    """Today's nodes: ours as listed, Django's and third parties' at their (pinned) leaves."""
    leaves = MigrationLoader(connection, ignore_no_migrations=True).graph.leaf_nodes()
    return [*TODAY.items(), *[(label, name) for label, name in leaves if not _ours(label)]]


def _newest_nodes() -> list[tuple[str, str]]:
    return MigrationLoader(connection, ignore_no_migrations=True).graph.leaf_nodes()


def _back_to_today_nodes() -> list[tuple[str, str | None]]:
    """Today's nodes, plus "none at all" for our apps that only exist since."""
    newer_apps = {label for label, _name in _newest_nodes() if _ours(label) and label not in TODAY}
    return [*_today_nodes(), *[(label, None) for label in sorted(newer_apps)]]


class TodayMigrator(Migrator):
    """A Migrator whose starting point holds exactly today's migrations.

    The library's own starting plan keeps every migration that the full plan orders before the
    last target; that would include the migrations of the new apps (``hall``, ``cases``) that no
    hall has run yet. Here the plan is today's nodes and what they depend on, nothing else.
    """

    def apply_initial_migration(self, targets):
        sql.drop_models_tables(self._database, no_style())
        sql.flush_django_migrations_table(self._database, no_style())
        self._executor.loader.build_graph()
        plan = self._executor.migration_plan(targets, clean_start=True)
        return self._migrate(targets, plan=plan)


def _after_migrate(state) -> None:
    """What ``migrate`` does when it finishes: content types, permissions, the role groups' grants."""
    ContentType.objects.clear_cache()
    emit_post_migrate_signal(0, False, DEFAULT_DB_ALIAS, apps=state.apps, plan=[])
    ContentType.objects.clear_cache()


@pytest.fixture
def migrator(transactional_db, django_db_use_migrations):
    if not django_db_use_migrations:
        if os.environ.get("CI"):
            pytest.fail("--nomigrations was given in CI: the upgrade test needs real migrations")
        pytest.skip("--nomigrations was given (outside CI only)")
    migrator = TodayMigrator(DEFAULT_DB_ALIAS)
    yield migrator
    migrator.reset()
    ContentType.objects.clear_cache()


def _row_counts(state) -> dict[str, int]:
    """Rows in every table of the state's models (many-to-many tables included)."""
    tables = sorted({
        model._meta.db_table for model in state.apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    } - REWRITTEN_BY_MIGRATE)
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table not in existing:
                counts[table] = None
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


# --- today's hall, through the historical models ------------------------------------------------
def _fill_today(apps) -> SimpleNamespace:
    """Rows of every kind a live hall holds today; returns their ids and the values to find again."""
    now = timezone.now()
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("accounts", "User")
    Department = apps.get_model("services", "Department")
    Holiday = apps.get_model("services", "Holiday")
    Case = apps.get_model("services", "Case")
    CaseTask = apps.get_model("services", "CaseTask")
    CaseEvent = apps.get_model("services", "CaseEvent")
    Reminder = apps.get_model("notifications", "Reminder")
    Notification = apps.get_model("notifications", "Notification")
    Suggestion = apps.get_model("suggestions", "Suggestion")
    SuggestionEvent = apps.get_model("suggestions", "SuggestionEvent")
    LogEntry = apps.get_model("admin", "LogEntry")

    def person(username: str, *roles: str, **fields):
        user = User.objects.create(
            username=username, email=f"{username}@hall.example", display_name=username, password="!", **fields
        )
        user.groups.set(Group.objects.filter(name__in=roles))
        return user

    staff = person("staff", "hall_staff", is_staff=True)
    founder = person("founder", "entrepreneur")
    reviewer = person("reviewer", "committee_reviewer")
    officer_a1 = person("officer_a1", "department_officer")
    officer_a2 = person("officer_a2", "department_officer")
    officer_b = person("officer_b", "department_officer")
    auditor = person("auditor")
    captain = person("captain", "team_member", "team_captain")
    member = person("member", "team_member")

    market = Department.objects.create(code="market", name="区市场监督管理局", short_name="市场监管", position=1)
    market.officers.set([officer_a1, officer_a2])
    fire = Department.objects.create(code="fire", name="区消防救援大队", short_name="消防", position=2)
    fire.officers.set([officer_b])
    Holiday.objects.create(date=date(2026, 10, 1), kind="day_off", name="国庆节")
    Holiday.objects.create(date=date(2026, 10, 10), kind="working_day", name="国庆调休")

    def perm(app_label: str, codename: str):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    # A group and a person given permissions by hand in the admin, outside the role groups.
    auditors = Group.objects.create(name="case auditors")
    auditors.permissions.set([perm("services", "view_case"), perm("services", "view_department"),
                              perm("services", "view_booking")])
    auditor.groups.add(auditors)
    auditor.user_permissions.set([perm("services", "view_casetask"), perm("services", "change_holiday")])

    # A blocker in the ledger, assigned, answer overdue and reminded, turned into a case.
    blocker = Suggestion.objects.create(
        number="JDZ-2026-0007", kind="blocker", category="business_environment", title="餐饮开业许可衔接",
        content="餐饮许可与消防验收衔接不畅。", status="assigned", submitter=founder, department=market,
        accepted_at=now - timedelta(days=40), answer_due_at=now - timedelta(days=20), support_count=1,
    )
    idea = Suggestion.objects.create(
        number="JDZ-2026-0008", kind="idea", category="service", title="周末开放青年专区",
        content="建议青年专区周六上午开放。", submitter=founder,
    )
    apps.get_model("suggestions", "LedgerCounter").objects.create(year=2026, last=8)
    apps.get_model("suggestions", "Support").objects.create(suggestion=blocker, user=member)
    SuggestionEvent.objects.create(suggestion=blocker, kind="submit", actor=founder, actor_role="submitter",
                                   to_status="submitted")
    SuggestionEvent.objects.create(suggestion=blocker, kind="case", actor=staff, actor_role="staff",
                                   note="区市场监督管理局", department=market)

    case = Case.objects.create(
        title=f"{blocker.number} {blocker.title}", description=blocker.content, applicant=founder,
        source="blocker", lead_department=market, suggestion=blocker, status="in_progress", opened_by=staff,
    )
    done_task = CaseTask.objects.create(
        case=case, department=market, assignee=officer_a1, description="出具食品经营许可意见",
        due_at=now - timedelta(days=35), status="done", completed_at=now - timedelta(days=36),
        completed_by=officer_a1, note="已出具。",
    )
    # Reminded all the way up the ladder. Its marker has passed again, as after a deadline moved
    # away and back: the sweep reads it, and must find every reminder already on record.
    reminded_due = now - timedelta(days=30)
    reminded_task = CaseTask.objects.create(
        case=case, department=fire, assignee=officer_b, description="出具消防验收意见",
        due_at=reminded_due, next_reminder_at=reminded_due + timedelta(seconds=1),
    )
    # Overdue too but never reminded: the sweep after the upgrade must still work for it.
    unreminded_task = CaseTask.objects.create(
        case=case, department=market, assignee=officer_a2, description="核对营业执照经营范围",
        due_at=now - timedelta(days=29), next_reminder_at=now - timedelta(days=29, seconds=-1),
    )
    events = [
        CaseEvent.objects.create(case=case, kind="opened", actor=staff, to_status="open", note="由台账堵点转办"),
        *[CaseEvent.objects.create(case=case, task=task, kind="task_added", actor=staff)
          for task in (done_task, reminded_task, unreminded_task)],
        CaseEvent.objects.create(case=case, kind="status_changed", actor=officer_a1, from_status="open",
                                 to_status="in_progress"),
        CaseEvent.objects.create(case=case, task=done_task, kind="task_completed", actor=officer_a1,
                                 note="已出具。"),
    ]

    task_type = ContentType.objects.get(app_label="services", model="casetask")
    reminders = []
    for kind in CASE_REMINDER_KINDS:
        reminder = Reminder.objects.create(subject_type=task_type, subject_id=reminded_task.pk, kind=kind,
                                           deadline=reminded_due, message=f"{kind}: 出具消防验收意见")
        reminder.recipients.set([officer_b, reviewer] if kind == "case_escalated" else [officer_b])
        reminders.append(reminder)
    idea_reminder = Reminder.objects.create(
        subject_type=ContentType.objects.get(app_label="suggestions", model="suggestion"), subject_id=blocker.pk,
        kind="suggestion_answer_overdue", deadline=blocker.answer_due_at, message="Overdue answer",
    )
    idea_reminder.recipients.set([officer_a1, officer_a2])
    reminders.append(idea_reminder)
    Notification.objects.create(user=officer_b, title="Case task overdue", url=f"/cases/{case.pk}/",
                                delivered_at=now, read_at=now)
    log = LogEntry.objects.create(
        user=staff, content_type=ContentType.objects.get(app_label="services", model="case"),
        object_id=str(case.pk), object_repr=str(case.title), action_flag=2, change_message="[]",
    )

    # The catalogue and a slot with bookings and their history.
    item = apps.get_model("services", "ServiceItem").objects.create(
        code="food-licence", name="食品经营许可", stage="registration", department=market, legal_days=20,
        promised_days=5,
    )
    material = apps.get_model("services", "Material").objects.create(name="营业执照")
    item.materials.set([material])
    apps.get_model("services", "Step").objects.create(item=item, name="受理", kind="joint")
    bundle = apps.get_model("services", "Bundle").objects.create(slug="open-restaurant", name="开餐馆一件事")
    apps.get_model("services", "BundleItem").objects.create(bundle=bundle, item=item)
    slot = apps.get_model("services", "Slot").objects.create(
        item=item, starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=1), capacity=2,
        booked_count=1,
    )
    Booking = apps.get_model("services", "Booking")
    BookingEvent = apps.get_model("services", "BookingEvent")
    booked = Booking.objects.create(reference="QK7M2P9X4R", slot=slot, user=founder, note="带齐材料")
    cancelled = Booking.objects.create(reference="QK7M2P9X4S", slot=slot, user=member, status="cancelled")
    # Two completed visits with today's 1-5 star reviews: they become completion-stage evaluations.
    Review = apps.get_model("services", "Review")
    done = [Booking.objects.create(reference=f"QK7M2P9X5{n}", slot=slot, user=founder, status="completed")
            for n in (2, 3)]
    reviews = [Review.objects.create(booking=done[0], stars=5, comment="一次办好"),
               Review.objects.create(booking=done[1], stars=1, comment="等了很久")]
    booking_events = [
        BookingEvent.objects.create(booking=booked, to_status="booked", actor=founder),
        BookingEvent.objects.create(booking=cancelled, to_status="booked", actor=member),
        BookingEvent.objects.create(booking=cancelled, from_status="booked", to_status="cancelled",
                                    actor=staff, note="申请人来电取消"),
    ]

    # A team, an activity with its status history, and a points ledger entry.
    team = apps.get_model("volunteers", "Team").objects.create(name="政务先锋红色青年宣讲队", slug="vanguard",
                                                               positioning="outward")
    apps.get_model("volunteers", "Membership").objects.create(team=team, user=captain, role="captain",
                                                              joined_on=date(2026, 1, 5))
    apps.get_model("volunteers", "Membership").objects.create(team=team, user=member, joined_on=date(2026, 1, 6))
    activity = apps.get_model("volunteers", "Activity").objects.create(
        team=team, kind="lecture", title="营商环境宣讲", starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=7, hours=2), place="青年专区", capacity=30, signed_up=1, status="open",
    )
    activity_change = apps.get_model("volunteers", "ActivityStatusChange").objects.create(
        activity=activity, from_status="planned", to_status="open", changed_by=captain, reason="开放报名",
    )
    apps.get_model("volunteers", "SignUp").objects.create(activity=activity, user=member)
    indicator = apps.get_model("points", "Indicator").objects.create(
        code="service-hours", category="service", name="服务时长", max_points=20,
    )
    period = apps.get_model("points", "Period").objects.create(
        name="2026年上半年", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30), stage="peer_review",
    )
    period.indicators.set([indicator])
    period_event = apps.get_model("points", "PeriodEvent").objects.create(
        period=period, kind="advanced", from_stage="draft", to_stage="peer_review", actor=staff, reason="按期开始",
    )
    ledger_entry = apps.get_model("points", "LedgerEntry").objects.create(
        member=member, points=3, reason="帮办代办 3 小时", source="correction", author=staff, period=period,
        indicator=indicator,
    )

    return SimpleNamespace(
        users={u.username: u.pk for u in User.objects.all()},
        departments={d.pk: (d.code, set(d.officers.values_list("pk", flat=True))) for d in Department.objects.all()},
        holidays={h.pk: (h.date, h.kind, h.name) for h in Holiday.objects.all()},
        case=(case.pk, case.title, case.status, case.lead_department_id, case.applicant_id, case.opened_by_id,
              case.opened_at, case.source),
        blocker=(blocker.pk, blocker.number),
        idea=idea.pk,
        tasks={t.pk: (t.case_id, t.department_id, t.assignee_id, t.status, t.due_at, t.completed_by_id,
                      t.note, t.next_reminder_at) for t in CaseTask.objects.all()},
        done_task=done_task.pk,
        reminded_task=reminded_task.pk,
        unreminded_task=unreminded_task.pk,
        events={e.pk: (e.case_id, e.task_id, e.kind, e.actor_id, e.from_status, e.to_status, e.note, e.at)
                for e in events},
        content_types={key: ContentType.objects.get(app_label=key[0], model=key[1]).pk for key in MOVED},
        permissions={(p.content_type.app_label, p.codename): p.pk
                     for p in Permission.objects.filter(content_type__app_label="services")},
        auditors=(auditors.pk, {p.pk for p in auditors.permissions.all()}),
        auditor_permissions={p.pk for p in auditor.user_permissions.all()},
        reminders={r.pk: (r.subject_type_id, r.subject_id, r.kind, r.deadline, {u.pk for u in r.recipients.all()})
                   for r in reminders},
        log=(log.pk, log.content_type_id),
        item=(item.pk, item.department_id),
        slot=(slot.pk, slot.booked_count),
        bookings={b.pk: (b.reference, b.status, b.user_id, b.slot_id) for b in (booked, cancelled, *done)},
        reviews={r.booking_id: (r.stars, r.comment, r.created_at) for r in reviews},
        booking_events={e.pk: (e.booking_id, e.from_status, e.to_status, e.actor_id, e.note, e.at)
                        for e in booking_events},
        activity_change=(activity_change.pk, activity_change.activity_id, activity_change.from_status,
                         activity_change.to_status, activity_change.changed_by_id, activity_change.reason,
                         activity_change.changed_at),
        period_event=(period_event.pk, period_event.from_stage, period_event.to_stage, period_event.actor_id,
                      period_event.reason, period_event.created_at),
        ledger_entry=(ledger_entry.pk, ledger_entry.member_id, ledger_entry.points, ledger_entry.period_id),
    )


@pytest.fixture
def today(migrator):
    """A hall at today's migrations, filled; yields what was saved and the row count of each table."""
    state = migrator.apply_initial_migration(_today_nodes())
    applied = set(MigrationRecorder(connection).applied_migrations())
    assert not {key for key in applied if _ours(key[0]) and key[0] not in TODAY}, "a new app's migration ran"
    assert {(label, name) for label, name in TODAY.items()} <= applied
    _after_migrate(state)
    saved = _fill_today(state.apps)
    return SimpleNamespace(saved=saved, counts=_row_counts(state), state=state)


# --- the upgrade ------------------------------------------------------------------------------
def _upgrade(migrator) -> None:
    state = migrator.apply_tested_migration(_newest_nodes())
    _after_migrate(state)


def _check_every_table(today) -> None:
    # The star reviews' table keeps its rows one release (the old code still runs during the
    # upgrade); they are also copied into evaluations (below).
    assert _row_counts(today.state) == today.counts


def _check_reviews_became_evaluations(today) -> None:
    """5→非常满意 … 1→非常不满意, at completion, with the comment and the time, nothing lost."""
    Evaluation = global_apps.get_model("services", "Evaluation")
    assert {e.booking_id: (e.grade, e.comment, e.created_at) for e in Evaluation.objects.all()} == today.saved.reviews
    assert set(Evaluation.objects.values_list("stage", flat=True)) == {"completion"}
    assert Evaluation.objects.filter(grade=1).get().item_id == today.saved.item[0]
    assert not global_apps.get_model("services", "Rectification").objects.exists()


def _check_hall(today) -> None:
    Department = global_apps.get_model("hall", "Department")
    Holiday = global_apps.get_model("hall", "Holiday")
    assert {
        d.pk: (d.code, set(d.officers.values_list("pk", flat=True))) for d in Department.objects.all()
    } == today.saved.departments
    assert {h.pk: (h.date, h.kind, h.name) for h in Holiday.objects.all()} == today.saved.holidays
    ServiceItem = global_apps.get_model("services", "ServiceItem")
    item = ServiceItem.objects.select_related("department").get(pk=today.saved.item[0])
    assert item.department.pk == today.saved.item[1]
    assert isinstance(item.department, Department)


def _check_cases(today) -> None:
    saved = today.saved
    Case = global_apps.get_model("cases", "Case")
    CaseTask = global_apps.get_model("cases", "CaseTask")
    CaseEvent = global_apps.get_model("cases", "CaseEvent")
    Suggestion = global_apps.get_model("suggestions", "Suggestion")

    case = Case.objects.get(pk=saved.case[0])
    assert (case.pk, case.title, case.status, case.lead_department_id, case.applicant_id, case.opened_by_id,
            case.opened_at, case.source) == saved.case
    assert {t.pk: (t.case_id, t.department_id, t.assignee_id, t.status, t.due_at, t.completed_by_id, t.note,
                   t.next_reminder_at) for t in CaseTask.objects.all()} == saved.tasks
    assert set(case.tasks.values_list("pk", flat=True)) == set(saved.tasks)
    assert {e.pk: (e.case_id, e.task_id, e.kind, e.by_id, e.from_status, e.to_status, e.note, e.at)
            for e in CaseEvent.objects.all()} == saved.events

    # The link now lives on the ledger entry; the case keeps where it came from as data.
    blocker = Suggestion.objects.get(pk=saved.blocker[0])
    assert blocker.case_id == case.pk
    assert blocker.case == case
    assert case.source_reference == saved.blocker[1]
    assert Suggestion.objects.get(pk=saved.idea).case_id is None


def _check_bookings_teams_points(today) -> None:
    saved = today.saved
    Booking = global_apps.get_model("services", "Booking")
    BookingEvent = global_apps.get_model("services", "BookingEvent")
    Slot = global_apps.get_model("services", "Slot")
    assert {b.pk: (b.reference, b.status, b.user_id, b.slot_id) for b in Booking.objects.all()} == saved.bookings
    assert {e.pk: (e.booking_id, e.from_status, e.to_status, e.by_id, e.note, e.at)
            for e in BookingEvent.objects.all()} == saved.booking_events
    assert Slot.objects.get(pk=saved.slot[0]).booked_count == saved.slot[1]

    change = global_apps.get_model("volunteers", "ActivityStatusChange").objects.get(pk=saved.activity_change[0])
    assert (change.pk, change.activity_id, change.from_status, change.to_status, change.by_id, change.note,
            change.at) == saved.activity_change
    event = global_apps.get_model("points", "PeriodEvent").objects.get(pk=saved.period_event[0])
    assert (event.pk, event.from_status, event.to_status, event.by_id, event.note, event.at) == saved.period_event
    entry = global_apps.get_model("points", "LedgerEntry").objects.get(pk=saved.ledger_entry[0])
    assert (entry.pk, entry.member_id, entry.points, entry.period_id) == saved.ledger_entry


def _check_content_types_and_permissions(today) -> None:
    saved = today.saved
    Permission = global_apps.get_model("auth", "Permission")
    Group = global_apps.get_model("auth", "Group")
    User = global_apps.get_model("accounts", "User")

    for (old_app, model_name), (new_app, new_name) in MOVED.items():
        model = global_apps.get_model(new_app, new_name)
        assert ContentType.objects.get_for_model(model).pk == saved.content_types[(old_app, model_name)], model
        assert not ContentType.objects.filter(app_label=old_app, model=model_name).exists(), model
        for action in ("add", "change", "delete", "view"):
            codename = f"{action}_{new_name}"
            permission = Permission.objects.get(content_type__app_label=new_app, codename=codename)
            assert permission.pk == saved.permissions[(old_app, codename)], codename

    auditors = Group.objects.get(pk=saved.auditors[0])
    assert set(auditors.permissions.values_list("pk", flat=True)) == saved.auditors[1]
    auditor = User.objects.get(pk=saved.users["auditor"])
    assert set(auditor.user_permissions.values_list("pk", flat=True)) == saved.auditor_permissions
    assert auditor.has_perm("cases.view_case")
    assert auditor.has_perm("hall.view_department")
    assert auditor.has_perm("services.view_booking")
    assert auditor.has_perm("cases.view_casetask")
    assert auditor.has_perm("hall.change_holiday")
    assert not auditor.has_perm("cases.change_case")

    LogEntry = global_apps.get_model("admin", "LogEntry")
    log = LogEntry.objects.get(pk=saved.log[0])
    assert log.content_type_id == saved.log[1]
    assert log.get_edited_object() == global_apps.get_model("cases", "Case").objects.get(pk=saved.case[0])


def _check_reminders(today) -> None:
    saved = today.saved
    Reminder = global_apps.get_model("notifications", "Reminder")
    CaseTask = global_apps.get_model("cases", "CaseTask")
    Suggestion = global_apps.get_model("suggestions", "Suggestion")
    reminders = Reminder.objects.prefetch_related("recipients")
    assert {r.pk: (r.subject_type_id, r.subject_id, r.kind, r.deadline, {u.pk for u in r.recipients.all()})
            for r in reminders} == saved.reminders
    task_type = ContentType.objects.get_for_model(CaseTask)
    assert Reminder.objects.filter(subject_type=task_type, subject_id=saved.reminded_task).count() == 4
    for reminder in Reminder.objects.all():
        assert isinstance(reminder.subject, CaseTask | Suggestion), reminder.pk


def test_it_upgrades_keeping_every_row_id_and_link(migrator, today):
    _upgrade(migrator)
    _check_every_table(today)
    _check_reviews_became_evaluations(today)
    _check_hall(today)
    _check_cases(today)
    _check_bookings_teams_points(today)
    _check_content_types_and_permissions(today)
    _check_reminders(today)


def test_it_does_not_send_again_what_was_sent_before_the_upgrade(migrator, today):
    _upgrade(migrator)
    saved = today.saved
    Reminder = global_apps.get_model("notifications", "Reminder")
    CaseTask = global_apps.get_model("cases", "CaseTask")
    task_type = ContentType.objects.get_for_model(CaseTask)
    mail.outbox.clear()

    call_command("sweep_case_reminders", stdout=StringIO())

    reminded = Reminder.objects.filter(subject_type=task_type, subject_id=saved.reminded_task)
    assert sorted(reminded.values_list("kind", flat=True)) == sorted(CASE_REMINDER_KINDS)
    assert set(reminded.values_list("pk", flat=True)) <= set(saved.reminders)
    assert [m.subject for m in mail.outbox if "出具消防验收意见" in m.subject + m.body] == []
    Notification = global_apps.get_model("notifications", "Notification")
    assert not Notification.objects.filter(title__contains="出具消防验收意见").exists()
    # The sweep does work after the upgrade: the task never reminded gets its overdue and escalation.
    fresh = Reminder.objects.filter(subject_type=task_type, subject_id=saved.unreminded_task)
    assert sorted(fresh.values_list("kind", flat=True)) == ["case_escalated", "case_overdue"]
    assert any("核对营业执照经营范围" in m.subject + m.body for m in mail.outbox)
    assert CaseTask.objects.get(pk=saved.reminded_task).next_reminder_at is None


def test_it_migrates_back_to_today_keeping_the_rows(migrator, today):
    _upgrade(migrator)
    state = migrator.apply_tested_migration(_back_to_today_nodes())
    _after_migrate(state)
    assert _row_counts(state) == today.counts
    Case = state.apps.get_model("services", "Case")
    Department = state.apps.get_model("services", "Department")
    assert Case.objects.get(pk=today.saved.case[0]).suggestion_id == today.saved.blocker[0]
    assert {d.pk: (d.code, set(d.officers.values_list("pk", flat=True))) for d in Department.objects.all()} == (
        today.saved.departments
    )
    content_types = state.apps.get_model("contenttypes", "ContentType").objects
    for (app_label, model_name), pk in today.saved.content_types.items():
        assert content_types.get(app_label=app_label, model=model_name).pk == pk
