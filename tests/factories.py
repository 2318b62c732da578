"""factory_boy factories, one section per app. Keep each app's factories in its own section."""
from datetime import date, timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from portal.accounts.models import User
from portal.roles import Role

TEST_PASSWORD = "a-Strong-test-pass-9"


# --- accounts -------------------------------------------------------------------------------
class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    display_name = factory.Faker("name", locale="zh_CN")
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or [Role.ENTREPRENEUR]:
            self.groups.add(Group.objects.get_or_create(name=str(role))[0])


# --- hall -----------------------------------------------------------------------------------
class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "hall.Department"
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"区第{n}局")
    short_name = factory.Sequence(lambda n: f"第{n}局")


# --- cases ----------------------------------------------------------------------------------
class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.Case"

    title = factory.Sequence(lambda n: f"青创企业开办堵点{n}：餐饮许可与消防验收衔接")
    description = "创业青年反映餐饮许可与消防验收需要分别跑多个部门，请协同办理。"
    source = "walk_in"
    lead_department = factory.SubFactory(DepartmentFactory)
    opened_by = factory.SubFactory(UserFactory, is_staff=True, roles=[Role.HALL_STAFF])


def _case_task_due():
    from datetime import timedelta

    from django.utils import timezone

    from portal.hall.workdays import end_of_working_day

    return end_of_working_day(timezone.localdate() + timedelta(days=7))


def _case_task_marker(task):
    from portal.cases.actions import case_task_first_reminder_at

    return case_task_first_reminder_at(due_at=task.due_at) if task.status == "open" else None


class CaseTaskFactory(factory.django.DjangoModelFactory):
    """A task whose assignee is an officer of its department and whose reminder marker is set."""

    class Meta:
        model = "cases.CaseTask"
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    department = factory.LazyAttribute(lambda o: o.case.lead_department)
    assignee = factory.SubFactory(UserFactory, roles=[Role.DEPARTMENT_OFFICER])
    description = factory.Sequence(lambda n: f"任务{n}：出具消防验收意见")
    due_at = factory.LazyFunction(_case_task_due)
    next_reminder_at = factory.LazyAttribute(lambda o: _case_task_marker(o))
    status = "open"

    @factory.post_generation
    def officer(self, create, extracted, **kwargs):
        self.department.officers.add(self.assignee)


# --- services: catalogue and booking --------------------------------------------------------
def _slot_start():
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    # Three days on at 10:07 in the hall's time: inside opening hours, so a test that travels to
    # a little before the start is still on the slot's day at any hour of the run, and seven
    # minutes past so it never meets a test's own on-the-hour slot (`_at(3, 9)`).
    day = timezone.localdate() + timedelta(days=3)
    return timezone.make_aware(datetime.combine(day, time(10, 7)))


def _slot_end(start):
    from datetime import timedelta

    return start + timedelta(minutes=30)


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "services.Material"
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"材料{n}")


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "services.ServiceItem"
        django_get_or_create = ["code"]
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"item-{n}")
    name = factory.Sequence(lambda n: f"事项{n}")
    stage = "registration"
    department = factory.SubFactory(DepartmentFactory)
    legal_days = 20
    promised_days = 5
    visits = 1

    @factory.post_generation
    def materials(self, create, extracted, **kwargs):
        for material in extracted or []:
            self.materials.add(material)


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "services.Step"

    item = factory.SubFactory(ServiceItemFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"步骤{n}")
    kind = "own"


class BundleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "services.Bundle"
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"bundle-{n}")
    name = factory.Sequence(lambda n: f"青创+套餐{n}")


class BundleItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "services.BundleItem"

    bundle = factory.SubFactory(BundleFactory)
    item = factory.SubFactory(ServiceItemFactory)
    position = factory.Sequence(lambda n: n)


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "services.Slot"

    bundle = factory.SubFactory(BundleFactory)
    item = None
    starts_at = factory.LazyFunction(_slot_start)
    ends_at = factory.LazyAttribute(lambda o: _slot_end(o.starts_at))
    capacity = 5


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "services.Booking"

    reference = factory.Sequence(lambda n: f"TEST{n:04d}")
    user = factory.SubFactory(UserFactory)
    slot = factory.SubFactory(SlotFactory, booked_count=1)
    status = "booked"


# --- volunteers -----------------------------------------------------------------------------
class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.Team"

    name = factory.Sequence(lambda n: f"青年服务队{n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    positioning = "outward"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.Membership"

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.TEAM_MEMBER])
    role = "member"
    joined_on = date(2025, 1, 1)


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity open for sign-up, starting in two days, two hours long."""

    class Meta:
        model = "volunteers.Activity"

    team = factory.SubFactory(TeamFactory)
    kind = "volunteer"
    title = factory.Sequence(lambda n: f"青年专区志愿服务{n}")
    place = "政务大厅青年专区"
    capacity = 10
    status = "open"
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))


class SignUpFactory(factory.django.DjangoModelFactory):
    """A sign-up row. Tests of capacity go through the action instead; this keeps ``signed_up`` in step."""

    class Meta:
        model = "volunteers.SignUp"
        skip_postgeneration_save = True

    activity = factory.SubFactory(ActivityFactory)
    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def count_it(self, create, extracted, **kwargs):
        from django.db.models import F

        if create and self.status == "active":
            type(self.activity).objects.filter(pk=self.activity_id).update(signed_up=F("signed_up") + 1)
            self.activity.refresh_from_db(fields=["signed_up"])


# --- points ---------------------------------------------------------------------------------
class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "points.Indicator"
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"ind-{n}")
    category = "service"
    name = factory.Sequence(lambda n: f"指标{n}")
    max_points = 20


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "points.Period"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"2026年第{n}期")
    starts_on = date(2026, 10, 1)
    ends_on = date(2026, 12, 31)

    @factory.post_generation
    def indicators(self, create, extracted, **kwargs):
        """Five indicators of 20 points (100 in all) unless a list is given."""
        if not create:
            return
        if extracted is None:
            extracted = [IndicatorFactory(code=f"five-{i}", name=f"五星指标{i}", max_points=20) for i in range(1, 6)]
        self.indicators.set(extracted)



# --- suggestions ----------------------------------------------------------------------------
def _next_ledger_number() -> str:
    from django.utils import timezone

    from suggestions.actions import suggestion_next_number

    return suggestion_next_number(year=timezone.localdate().year)


class SuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "suggestions.Suggestion"

    # The real numbering (the year's counter), so factory rows and submitted entries never collide.
    number = factory.LazyFunction(_next_ledger_number)
    kind = "idea"
    category = "service"
    title = factory.Sequence(lambda n: f"建议{n}：延长青年专区周末服务时间")
    content = "周末也有很多创业青年需要办事，建议青年专区周六上午开放。"
    submitter = factory.SubFactory(UserFactory)
