"""The OpenAPI document as the API answers (drf-spectacular), for every view at once.

Every operation documents the refusals of the one error contract in ``portal/exceptions.py``
with their body ``{"detail", "code", "errors"}``: 400 (invalid input, a malformed filter), 401
(no or a bad token), 403, 404 (an object not found or not visible, a page past the last) and,
for writes, 409 (a conflict with the current state) and 429 (a rate limit). A view documents
its successes; these come from here, so no view copies them.
"""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.fields import empty


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("A message for people."))
    code = serializers.CharField(help_text=_("A stable code for programs, e.g. invalid or transition_not_allowed."))
    errors = serializers.DictField(
        required=False, help_text=_("For invalid input: the messages of each field that is not valid.")
    )

    class Meta:
        ref_name = "Error"


REFUSALS = {
    "400": _("The input is not valid (errors has the messages of each field)."),
    "401": _("Not signed in, or the token is not valid."),
    "403": _("Signed in, but not allowed to do this."),
    "404": _("Not found, or not visible to you."),
    "409": _("Conflicts with the current state (a full slot, a move the workflow does not allow)."),
    "429": _("Too many requests: a limit (such as ideas per hour) is reached; try again later."),
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class PortalAutoSchema(AutoSchema):
    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        # An output field with ``default=None`` answers null when its source is missing (a slot
        # of a bundle has no service): say so, as ``allow_null`` does.
        if direction == "response" and getattr(field, "default", empty) is None:
            meta["nullable"] = True
        return meta

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = ["400", "404"]
        if self.view.get_authenticators():
            codes += ["401", "403"]
        if self.method in WRITES:
            codes += ["409", "429"]
        for code in sorted(codes):
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=str(REFUSALS[code])), code
                )
        return dict(sorted(responses.items()))
