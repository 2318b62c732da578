"""Demo people: one account per role (listed in the README), all with DEMO_PASSWORD."""
import functools

from django.contrib.auth.hashers import make_password

from portal.accounts.actions import user_set_roles
from portal.accounts.models import User
from portal.roles import Role

DEMO_PASSWORD = "hall-demo-2026"

DEMO_ACCOUNTS = [
    # username, display name, roles, is_staff, company
    ("founder", "林小创", [Role.ENTREPRENEUR], False, "青禾餐饮管理有限公司"),
    ("staff", "王晓窗", [Role.HALL_STAFF], True, ""),
    ("officer", "陈部门", [Role.DEPARTMENT_OFFICER], True, ""),
    ("member", "赵青锋", [Role.TEAM_MEMBER], False, ""),
    ("captain", "刘队长", [Role.TEAM_MEMBER, Role.TEAM_CAPTAIN], False, ""),
    ("reviewer", "周青工", [Role.COMMITTEE_REVIEWER], False, ""),
    ("alliance", "吴党建", [Role.ALLIANCE_MEMBER], False, ""),
]


@functools.cache
def _demo_password_hash() -> str:
    # Hashing is slow on purpose; demo accounts share one hash so seeding 80 people takes a second.
    return make_password(DEMO_PASSWORD)


def demo_user(username: str, display_name: str, roles, *, is_staff: bool = False, company: str = "") -> User:
    """Get or create a demo person. The password is only set on creation, so a rerun changes nothing."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": display_name,
            "email": f"{username}@example.com",
            "is_staff": is_staff,
            "company_name": company,
        },
    )
    if created:
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    user_set_roles(user=user, roles=roles)
    return user


def demo_english(model, english: dict[str, dict[str, str]]) -> None:
    """Give demo rows their English: ``{field: {Chinese: English}}``. Only an empty English column
    is filled, so a rerun keeps what staff have typed in the admin. One UPDATE per text."""
    from django.db.models import Q

    for field, pairs in english.items():
        for chinese, text in pairs.items():
            model._base_manager.filter(
                Q(**{f"{field}_en__isnull": True}) | Q(**{f"{field}_en": ""}), **{f"{field}_zh_hans": chinese}
            ).update(**{f"{field}_en": text})


def seed() -> str:
    for username, name, roles, is_staff, company in DEMO_ACCOUNTS:
        demo_user(username, name, roles, is_staff=is_staff, company=company)
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={"display_name": "系统管理员", "email": "admin@example.com", "is_staff": True, "is_superuser": True},
    )
    if created:
        admin.password = _demo_password_hash()
        admin.save(update_fields=["password"])
    return f"{len(DEMO_ACCOUNTS) + 1} demo accounts"


