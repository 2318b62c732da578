"""English beside the Chinese for the catalogue (django-modeltranslation): staff keep both in the admin."""
from modeltranslation.translator import TranslationOptions, register

from services.models import Bundle, Material, ServiceItem, Step, Zone


@register(Material)
class MaterialTranslation(TranslationOptions):
    fields = ("name", "description")


@register(ServiceItem)
class ServiceItemTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Step)
class StepTranslation(TranslationOptions):
    fields = ("name",)


@register(Bundle)
class BundleTranslation(TranslationOptions):
    fields = ("name", "summary", "description")


@register(Zone)
class ZoneTranslation(TranslationOptions):
    fields = ("name",)
