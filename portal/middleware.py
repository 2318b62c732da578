from django.shortcuts import render

from portal.exceptions import DomainError


class DomainErrorMiddleware:
    """A rule of the hall that refuses a page request shows as a page with its message and status.

    Views normally catch DomainError and re-show their form; this is the net under them, so a
    refusal is never a 500. The API has its own handler (portal.exceptions.api_exception_handler).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return render(
                request,
                "error.html",
                {"message": exception.message, "status": exception.status_code},
                status=exception.status_code,
            )
        return None
