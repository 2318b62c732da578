"""English beside the Chinese for indicators and rating periods (django-modeltranslation)."""
from modeltranslation.translator import TranslationOptions, register

from points.models import Indicator, Period


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Period)
class PeriodTranslation(TranslationOptions):
    fields = ("name",)
