"""English beside the Chinese for teams and activities (django-modeltranslation)."""
from modeltranslation.translator import TranslationOptions, register

from volunteers.models import Activity, Team


@register(Team)
class TeamTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Activity)
class ActivityTranslation(TranslationOptions):
    fields = ("title", "description", "place")
