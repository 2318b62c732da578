"""Demo data for volunteers: the ten youth service teams, their people, and six weeks of activities."""
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify

from portal.accounts.models import User
from portal.demo import demo_english, demo_user
from portal.roles import Role
from volunteers.actions import activity_create, activity_hours_approve, activity_signup
from volunteers.models import Activity, Attendance, Membership, SignUp, Team

HALF = Decimal("0.5")

P = Team.Positioning
TEAMS = [
    ("vanguard", "政务先锋红色青年宣讲队", P.OUTWARD, "走进园区、高校宣讲惠企政策与党的创新理论。"),
    ("direct", "商事直通车青年服务队", P.OUTWARD, "上门开展政策宣讲、登记辅导、证照送达和开业仪式。"),
    ("helpdesk", "青年帮办代办服务队", P.PRECISION, "在青年专区提供一对一帮办代办。"),
    ("policy", "惠企政策青年解读队", P.SPECIALTY, "把政策讲清楚、算明白、落下去。"),
    ("startup", "青创孵化陪跑服务队", P.PRECISION, "陪伴初创企业走过开办到成长的每一步。"),
    ("reform", "改革攻坚青年突击队", P.SPECIALTY, "聚焦堵点难点，推动流程再造。"),
    ("nightschool", "青年夜校服务队", P.SPECIALTY, "开设创业夜校和青年沙龙。"),
    ("digital", "数字政务青年服务队", P.SPECIALTY, "帮助群众使用网上办、掌上办。"),
    ("outreach", "园区企业走访服务队", P.OUTWARD, "定期走访园区企业，收集诉求。"),
    ("care", "暖心服务志愿队", P.PRECISION, "为特殊群体提供绿色通道和陪同服务。"),
]

TEAMS_EN = {
    "vanguard": ("Government-service vanguard youth lecture team", "Explains business-friendly policies and the Party's new theories in parks and universities."),
    "direct": ("Business direct-service youth team", "Visits businesses for policy briefings, registration coaching, certificate delivery and opening ceremonies."),
    "helpdesk": ("Youth assisted-handling team", "One-to-one help with applications in the youth zone."),
    "policy": ("Youth policy explainers", "Makes policies clear, works out what they bring and sees them applied."),
    "startup": ("Start-up incubation companions", "Walks with new businesses from opening to growth."),
    "reform": ("Youth reform task force", "Takes on blockers and hard cases and redesigns the process."),
    "nightschool": ("Youth night school team", "Runs a start-up night school and youth salons."),
    "digital": ("Digital government youth team", "Helps people apply online and on their phones."),
    "outreach": ("Park business visiting team", "Visits the businesses in the park regularly and collects their requests."),
    "care": ("Warm-service volunteers", "A green channel and company for people who need extra help."),
}
ACTIVITIES_EN = {
    "青年理论宣讲：优化营商环境政策解读": "Youth theory lecture: the business-environment policies explained",
    "商事直通车：登记辅导进园区": "Business direct service: registration coaching in the park",
    "青年专区帮办代办值守": "Assisted handling desk in the youth zone",
    "惠企政策“算明白”小课堂": "Business policies worked out: a short class",
    "“高效办成一件事”流程堵点梳理": "\"Get one thing done efficiently\": mapping the blockers in the process",
    "青年创业夜校：财税入门": "Youth start-up night school: tax and finance basics",
    "暖心服务志愿者值守": "Warm-service volunteer desk",
}
PLACES_EN = {
    "政务大厅三楼报告厅": "Service hall, 3rd floor lecture room",
    "青创孵化园A座": "Youth Start-up Incubation Park, Building A",
    "政务大厅青年专区": "Service hall youth zone",
    "青年专区洽谈室": "Youth zone meeting room",
    "政务大厅会议室": "Service hall meeting room",
    "青年之家": "Youth Home",
    "政务大厅一楼服务台": "Service hall, ground floor service desk",
}

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
GIVEN = ["晓东", "佳怡", "子涵", "浩然", "欣然", "宇轩", "思远", "梓萱", "一鸣", "雨桐"]


def seed_teams() -> str:
    reviewer = demo_user("reviewer", "周青工", [Role.COMMITTEE_REVIEWER])
    for index, (slug, name, positioning, description) in enumerate(TEAMS):
        team, _created = Team.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "positioning": positioning, "description": description, "leader": reviewer},
        )
        if index == 0:
            captain = demo_user("captain", "刘队长", [Role.TEAM_MEMBER, Role.TEAM_CAPTAIN])
            members = [demo_user("member", "赵青锋", [Role.TEAM_MEMBER])]
        else:
            captain = demo_user(
                f"captain{index}", SURNAMES[index] + "队长", [Role.TEAM_MEMBER, Role.TEAM_CAPTAIN]
            )
            members = []
        for number in range(6 - len(members)):
            given = GIVEN[(index + number) % len(GIVEN)]
            members.append(
                demo_user(
                    slugify(f"{slug}-m{number + 1}"),
                    SURNAMES[(index * 7 + number) % len(SURNAMES)] + given,
                    [Role.TEAM_MEMBER],
                )
            )
        Membership.objects.get_or_create(
            team=team, user=captain, left_on=None,
            defaults={"role": Membership.Role.CAPTAIN, "joined_on": date(2025, 3, 1)},
        )
        for member in members:
            Membership.objects.get_or_create(
                team=team, user=member, left_on=None,
                defaults={"role": Membership.Role.MEMBER, "joined_on": date(2025, 3, 1)},
            )
    return f"{Team.objects.count()} teams, {Membership.objects.filter(left_on__isnull=True).count()} members"


# --- activities: three weeks back, three weeks ahead ----------------------------------------
K = Activity.Kind
# (team slug, kind, title, place, weekday, start hour, hours, capacity)
ACTIVITY_PLAN = [
    ("vanguard", K.LECTURE, "青年理论宣讲：优化营商环境政策解读", "政务大厅三楼报告厅", 1, 14, 2, 40),
    ("direct", K.DIRECT, "商事直通车：登记辅导进园区", "青创孵化园A座", 2, 9, 3, 8),
    ("helpdesk", K.ASSISTED, "青年专区帮办代办值守", "政务大厅青年专区", 3, 9, 4, 6),
    ("policy", K.LECTURE, "惠企政策“算明白”小课堂", "青年专区洽谈室", 3, 15, 2, 25),
    ("reform", K.REFORM, "“高效办成一件事”流程堵点梳理", "政务大厅会议室", 4, 10, 2, 12),
    ("nightschool", K.SALON, "青年创业夜校：财税入门", "青年之家", 4, 19, 2, 30),
    ("care", K.VOLUNTEER, "暖心服务志愿者值守", "政务大厅一楼服务台", 5, 9, 3, 10),
]


def _activity_start(monday: date, weekday: int, hour: int) -> datetime:
    day = monday + timedelta(days=weekday - 1)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _seed_activities() -> None:
    """Activities keyed on (team, title, start): a rerun finds them and changes nothing."""
    staff = User.objects.filter(username="staff").first()
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    teams = {team.slug: team for team in Team.objects.filter(slug__in={row[0] for row in ACTIVITY_PLAN})}
    volunteers = list(User.objects.filter(username__in=["founder", "member"]))
    volunteers += list(User.objects.filter(username__startswith="vanguard-m").order_by("username")[:3])
    now = timezone.now()
    for week in range(-3, 3):
        monday = this_monday + timedelta(weeks=week)
        for slug, kind, title, place, weekday, hour, hours, capacity in ACTIVITY_PLAN:
            team = teams.get(slug)
            if team is None:
                continue
            starts_at = _activity_start(monday, weekday, hour)
            activity = Activity.objects.filter(team=team, title=title, starts_at=starts_at).first()
            if activity is not None:
                continue
            ends_at = starts_at + timedelta(hours=hours)
            activity = activity_create(
                team=team, kind=kind, title=title, place=place, capacity=capacity,
                starts_at=starts_at, ends_at=ends_at, status=Activity.Status.OPEN, by=staff,
                description=f"{team.name}组织，欢迎青年朋友报名参加。",
            )
            if ends_at <= now:
                _seed_past(activity, volunteers, hours)
            elif starts_at > now and volunteers:
                # A few sign-ups on upcoming ones, so the list shows places being taken.
                for person in volunteers[: (week + weekday) % 3]:
                    activity_signup(activity=activity, by=person)


def _seed_past(activity: Activity, people: list, hours: int) -> None:
    """A past activity: sign-ups (written as at the time), attendance, approved hours."""
    captain = activity.team.captain
    chosen = people[: 2 + activity.pk % 3]
    SignUp.objects.bulk_create([SignUp(activity=activity, user=person) for person in chosen])
    Activity.objects.filter(pk=activity.pk).update(signed_up=len(chosen))
    for index, person in enumerate(chosen):
        served = Decimal(hours) - (HALF if index % 3 == 2 else 0)
        Attendance.objects.create(
            activity=activity, user=person, proposed_hours=served, recorded_by=captain,
            checked_in_at=activity.starts_at, checked_out_at=activity.starts_at + timedelta(hours=float(served)),
        )
    if captain is not None:
        activity_hours_approve(activity=activity, by=captain)


def seed() -> str:
    summary = seed_teams()
    _seed_activities()
    chinese = {slug: (name, description) for slug, name, _p, description in TEAMS}
    demo_english(Team, {
        "name": {chinese[slug][0]: en for slug, (en, _d) in TEAMS_EN.items()},
        "description": {chinese[slug][1]: description for slug, (_n, description) in TEAMS_EN.items()},
    })
    demo_english(Activity, {"title": ACTIVITIES_EN, "place": PLACES_EN})
    approved = Attendance.objects.filter(approved_hours__isnull=False).aggregate(total=Sum("approved_hours"))["total"]
    return f"{summary}, {Activity.objects.count()} activities, {approved or 0} approved hours"
