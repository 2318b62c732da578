"""English beside the Chinese for the departments (django-modeltranslation)."""
from modeltranslation.translator import TranslationOptions, register

from portal.hall.models import Department


@register(Department)
class DepartmentTranslation(TranslationOptions):
    fields = ("name", "short_name", "description")
