from django.db.models import QuerySet

from portal.hall.hooks import department_item_count
from portal.hall.models import Department


def department_list() -> QuerySet:
    """Every department in the hall's order, each with ``item_count`` (one query)."""
    return Department.objects.annotate(item_count=department_item_count()).order_by("position", "name")


def department_officer_is(*, department: Department, user) -> bool:
    """Whether ``user`` is an active officer of ``department``."""
    return department.officers.filter(pk=user.pk, is_active=True).exists()
