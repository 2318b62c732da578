"""Demo data for volunteers: the hall's ten youth service teams with captains and members."""
from datetime import date

from django.utils.text import slugify

from portal.demo import demo_user
from portal.roles import Role
from volunteers.models import Membership, Team

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

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
GIVEN = ["晓东", "佳怡", "子涵", "浩然", "欣然", "宇轩", "思远", "梓萱", "一鸣", "雨桐"]


def seed() -> str:
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
