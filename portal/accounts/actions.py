from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from portal.accounts.models import User
from portal.roles import ROLE_PERMISSIONS, Role


def roles_sync_permissions() -> None:
    """Give each role's group exactly the permissions ROLE_PERMISSIONS lists. Idempotent."""
    known = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
    }
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set([known[dotted] for dotted in ROLE_PERMISSIONS.get(role, []) if dotted in known])


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    email: str = "",
    display_name: str = "",
    mobile: str = "",
    company_name: str = "",
    language: str = "",
    roles: tuple[str, ...] = (Role.ENTREPRENEUR,),
) -> User:
    """Create a person with the given roles. Callers validate the input first (forms/serializers)."""
    user = User(
        username=username,
        email=email,
        display_name=display_name,
        mobile=mobile,
        company_name=company_name,
        language=language,
    )
    user.set_password(password)
    user.save()
    user_set_roles(user=user, roles=roles)
    return user


def user_set_roles(*, user: User, roles: tuple[str, ...] | list[str]) -> User:
    groups = [Group.objects.get_or_create(name=str(role))[0] for role in roles]
    user.groups.add(*groups)
    if hasattr(user, "_role_names"):
        del user._role_names
    return user


def user_profile_update(
    *, user: User, display_name: str, email: str, mobile: str, company_name: str, language: str | None = None
) -> User:
    """Save the fields a person keeps on their own profile (validated by ProfileForm)."""
    user.display_name = display_name
    user.email = email
    user.mobile = mobile
    user.company_name = company_name
    fields = ["display_name", "email", "mobile", "company_name"]
    if language is not None:
        user.language = language
        fields.append("language")
    user.save(update_fields=fields)
    return user


def user_language_set(*, user: User, language: str) -> User:
    """Remember the language a signed-in person switched to: their notifications follow it.

    Languages the site does not offer are ignored (the switch itself refuses them too)."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def user_unlock(*, user: User, by: User) -> int:
    """Lift a sign-in lockout on ``user``'s account: forget its failed attempts (django-axes).

    Idempotent; returns how many attempt records were removed. Lockouts of an address as such
    (every account from one network) are lifted in the admin's list of access attempts.
    """
    return axes_reset(username=user.get_username())
