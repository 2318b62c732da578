"""Pages of the golden-ideas ledger: the public ledger, an entry's page, the submit form, and the
small POST forms on an entry's page. Each view parses, calls one action or selector, and renders;
a refusal (DomainError) becomes a message or a form error, never a 500.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.cases.selectors import case_is_visible_to
from portal.exceptions import DomainError, Invalid
from portal.filters import filter_form
from suggestions import actions, selectors
from suggestions.filters import SuggestionFilter
from suggestions.forms import (
    AnswerDraftForm,
    CaseOpenForm,
    HideForm,
    MergeForm,
    ReopenForm,
    SuggestionForm,
    TransitionForm,
)
from suggestions.models import Suggestion

PAGE_SIZE = 20


def _entry(request: HttpRequest, number: str) -> Suggestion:
    try:
        return selectors.suggestion_get_for_user(user=request.user, number=number)
    except DomainError as exc:
        raise Http404(exc.message)


def _form_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def ledger(request: HttpRequest) -> HttpResponse:
    form, _hidden = filter_form(SuggestionFilter, request.GET)
    try:
        entries = selectors.suggestion_list(user=request.user, filters=request.GET)
    except ValidationError:
        entries = Suggestion.objects.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "suggestions/ledger.html", {
        "filter_form": form,
        "page": page,
        "query": query.urlencode(),
        "counts": selectors.suggestion_headline_counts(),
        "department_stats": selectors.suggestion_department_stats(),
        "now": timezone.now(),
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """The submit form. The first POST shows similar entries (if any) so the person can support
    one instead; "submit anyway" (``confirm``) records it."""
    form = SuggestionForm(request.POST or None, initial=SuggestionForm.initial_from(request.GET))
    similar: list[Suggestion] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "confirm" not in request.POST:
            similar = selectors.suggestion_similar(title=data["title"], content=data["content"])
        if not similar:
            try:
                entry = actions.suggestion_submit(by=request.user, **data)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(
                    request, _("Thank you! Your entry is in the ledger as %(number)s.") % {"number": entry.number}
                )
                return redirect("suggestions:detail", number=entry.number)
    return render(request, "suggestions/submit.html", {"form": form, "similar": similar})


def detail(request: HttpRequest, number: str) -> HttpResponse:
    entry = _entry(request, number)
    return render(request, "suggestions/detail.html", _detail_context(request, entry))


def _detail_context(request: HttpRequest, entry) -> dict:
    """The entry's page, with the forms this person is offered on it."""
    user = request.user
    access = selectors.suggestion_can_manage(user=user, suggestion=entry)
    case = getattr(entry, "case", None)
    context = {
        "entry": entry,
        "access": access,
        "now": timezone.now(),
        "supported": selectors.suggestion_supported_by(user=user, suggestion=entry),
        "draft": selectors.suggestion_draft_for(user=user, suggestion=entry),
        "case": case,
        "history": selectors.suggestion_history(suggestion=entry),
        # The applicant, the departments on it and hall staff follow the link; others see the number.
        "case_visible": case is not None and case_is_visible_to(user=user, case=case),
    }
    if access["staff"] or access["officer"]:
        transition_form = TransitionForm(suggestion=entry, officer_only=not access["staff"])
        context["transition_form"] = transition_form if transition_form.fields["to"].choices else None
        if entry.status == Suggestion.Status.ASSIGNED:
            draft = context["draft"]
            context["draft_form"] = AnswerDraftForm(initial={
                "kind": draft.kind, "text": draft.text, "reason": draft.reason, "redirect": draft.redirect,
            } if draft else None)
    if access["staff"]:
        context.update(hide_form=HideForm(), merge_form=MergeForm(), case_form=CaseOpenForm())
    if access["mine"]:
        context["reopen_form"] = ReopenForm()
    return context


def _refused_form(request: HttpRequest, entry, name: str, form, status: int) -> HttpResponse:
    """A refused form sent from the entry's page: the page again, with what was typed and each
    error beside its field, when the person is offered that form there; else the errors as
    messages over the page (a form the page does not show them cannot hold them)."""
    context = _detail_context(request, entry)
    if context.get(name) is not None:
        context[name] = form
        return render(request, "suggestions/detail.html", context, status=status)
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
    return redirect("suggestions:detail", number=entry.number)


def _done(request: HttpRequest, number: str, call, success: str, *, entry=None, form=None,
          name: str = "") -> HttpResponse:
    """Run one action; a refusal of a form's action shows the page again with the form as typed."""
    try:
        call()
    except DomainError as exc:
        # A wrong value (400) is shown beside its field; other refusals (403, 409) over the page.
        if form is None or not isinstance(exc, Invalid):
            messages.error(request, str(exc.message))
        else:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            return _refused_form(request, entry, name, form, exc.status_code)
    else:
        messages.success(request, success)
    return redirect("suggestions:detail", number=number)


def _invalid(request: HttpRequest, entry, name: str, form) -> HttpResponse:
    """A form that does not validate: the page again, with what was typed and the errors beside the fields."""
    return _refused_form(request, entry, name, form, 400)


@login_required
@require_POST
def support(request: HttpRequest, number: str) -> HttpResponse:
    entry = _entry(request, number)
    return _done(request, number, lambda: actions.suggestion_support(suggestion=entry, by=request.user),
                 _("Thank you for your support."))


@login_required
@require_POST
def transition(request: HttpRequest, number: str) -> HttpResponse:
    entry = _entry(request, number)
    form = TransitionForm(request.POST, suggestion=entry)
    if not form.is_valid():
        return _invalid(request, entry, "transition_form", form)
    return _done(
        request, number,
        lambda: actions.suggestion_move(suggestion=entry, by=request.user, **form.cleaned_data),
        _("The entry was moved."), entry=entry, form=form, name="transition_form",
    )


@login_required
@require_POST
def draft(request: HttpRequest, number: str) -> HttpResponse:
    entry = _entry(request, number)
    form = AnswerDraftForm(request.POST)
    if not form.is_valid():
        return _invalid(request, entry, "draft_form", form)
    return _done(
        request, number,
        lambda: actions.suggestion_answer_draft(suggestion=entry, by=request.user, **form.cleaned_data),
        _("The answer draft was saved; hall staff will publish it."), entry=entry, form=form, name="draft_form",
    )


@login_required
@require_POST
def reopen(request: HttpRequest, number: str) -> HttpResponse:
    entry = _entry(request, number)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _invalid(request, entry, "reopen_form", form)
    return _done(
        request, number,
        lambda: actions.suggestion_reopen(suggestion=entry, by=request.user, **form.cleaned_data),
        _("The entry was reopened and the department was told."), entry=entry, form=form, name="reopen_form",
    )


@login_required
@require_POST
def feedback(request: HttpRequest, number: str) -> HttpResponse:
    entry = _entry(request, number)
    if request.POST.get("resolved") not in ("yes", "no"):
        messages.error(request, _("Please answer yes or no."))
        return redirect("suggestions:detail", number=number)
    resolved = request.POST["resolved"] == "yes"
    return _done(
        request, number,
        lambda: actions.suggestion_feedback(suggestion=entry, by=request.user, resolved=resolved),
        _("Thank you for telling us."),
    )


@login_required
@require_POST
def merge(request: HttpRequest, number: str) -> HttpResponse:
    entry = _entry(request, number)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _invalid(request, entry, "merge_form", form)

    def call():
        original = selectors.suggestion_get_for_user(user=request.user, number=form.cleaned_data["into"].strip())
        actions.suggestion_merge(duplicate=entry, original=original, by=request.user)

    return _done(request, number, call, _("The entry was merged."), entry=entry, form=form, name="merge_form")


@login_required
@require_POST
def hide(request: HttpRequest, number: str) -> HttpResponse:
    entry = _entry(request, number)
    form = HideForm(request.POST)
    if not form.is_valid():
        return _invalid(request, entry, "hide_form", form)
    return _done(
        request, number,
        lambda: actions.suggestion_hide(suggestion=entry, by=request.user, **form.cleaned_data),
        _("The entry is hidden."), entry=entry, form=form, name="hide_form",
    )


@login_required
@require_POST
def case_open(request: HttpRequest, number: str) -> HttpResponse:
    entry = _entry(request, number)
    form = CaseOpenForm(request.POST)
    if not form.is_valid():
        return _invalid(request, entry, "case_form", form)
    return _done(
        request, number,
        lambda: actions.suggestion_case_open(
            suggestion=entry, lead_department=form.cleaned_data["lead_department"], by=request.user
        ),
        _("A cross-department case was opened for this blocker."),
    )
