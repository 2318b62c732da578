"""Reads of the golden-ideas ledger. The ledger is public, so lists are not scoped per person, but
nothing here ever hands the submitter's identity to a public page or API response.
"""
import re
import statistics
from collections import defaultdict

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from portal.accounts.models import User
from portal.accounts.selectors import ME_SECTION_ROWS, me_section, me_todo
from portal.filters import filters_apply
from portal.hall.models import Department
from portal.home import home_section
from portal.roles import Role, has_role
from suggestions.exceptions import NotFound
from suggestions.filters import SuggestionFilter
from suggestions.models import Suggestion, SuggestionAnswer, SuggestionEvent, Support

SIMILAR_LIMIT = 5


def _base() -> QuerySet[Suggestion]:
    return Suggestion.objects.select_related(
        "department", "published_answer", "published_answer__department", "merged_into"
    )


def suggestion_list(*, user, filters: dict | None = None) -> QuerySet[Suggestion]:
    """The public ledger, newest first, filtered. Raises ValidationError (400) for bad filters."""
    return filters_apply(SuggestionFilter, filters, _base())


def suggestion_get_for_user(*, user, number: str) -> Suggestion:
    """One entry with its history and answers. Every entry is public (hidden ones show as hidden);
    raises NotFound (404) for an unknown number. Changing it is checked by each action (403).
    """
    try:
        return _base().prefetch_related(
            Prefetch("events", queryset=SuggestionEvent.objects.select_related("department")),
            Prefetch(
                "answers",
                queryset=SuggestionAnswer.objects.filter(published_at__isnull=False).select_related("department"),
                to_attr="published_answers",
            ),
        ).get(number=number)
    except Suggestion.DoesNotExist:
        raise NotFound(_("There is no ledger entry with this number."))


def suggestion_submitter_visible_to(*, user) -> bool:
    """Only hall staff may see who submitted an entry (to contact them, to lift an abuse hide);
    department officers answer the idea, not the person."""
    return has_role(user, Role.HALL_STAFF)


def suggestion_admin_list(*, user, queryset: QuerySet[Suggestion] | None = None) -> QuerySet[Suggestion]:
    """The entries ``user`` works on in the admin: hall staff every entry; anyone else (department
    officers) only the entries assigned to a department they are an officer of, never hidden ones."""
    queryset = _base() if queryset is None else queryset
    if has_role(user, Role.HALL_STAFF):
        return queryset
    return queryset.filter(department__officers=user, hidden_at__isnull=True).distinct()


def suggestion_officer_is(*, user, suggestion: Suggestion) -> bool:
    """Whether ``user`` is an officer of the department the entry is assigned to."""
    return bool(
        suggestion.department_id
        and user is not None
        and user.is_authenticated
        and suggestion.department.officers.filter(pk=user.pk).exists()
    )


def suggestion_can_manage(*, user, suggestion: Suggestion) -> dict:
    """What the person may do on the entry's page (the actions check again)."""
    staff = has_role(user, Role.HALL_STAFF)
    officer = suggestion_officer_is(user=user, suggestion=suggestion)
    mine = user.is_authenticated and suggestion.submitter_id == user.pk
    return {"staff": staff, "officer": officer, "mine": mine}


def hall_staff_list() -> list[User]:
    """Active hall staff: who is told when no department officer is."""
    return list(User.objects.filter(groups__name=Role.HALL_STAFF, is_active=True))


def department_officer_list(*, department: Department | None) -> list[User]:
    """The department's active officers (none without a department)."""
    if department is None:
        return []
    return list(department.officers.filter(is_active=True))


def suggestion_draft_for(*, user, suggestion: Suggestion) -> SuggestionAnswer | None:
    """The unpublished answer draft, for hall staff and the assigned department's officers only."""
    access = suggestion_can_manage(user=user, suggestion=suggestion)
    if not (access["staff"] or access["officer"]):
        return None
    return suggestion.answers.filter(published_at__isnull=True).select_related("department").first()


def suggestion_supported_by(*, user, suggestion: Suggestion) -> bool:
    return user.is_authenticated and Support.objects.filter(suggestion=suggestion, user=user).exists()


def suggestion_list_mine(*, user) -> QuerySet[Suggestion]:
    return _base().filter(submitter=user)


# --- similar entries --------------------------------------------------------------------------
# Chinese has no spaces between words, so text is cut into overlapping character pairs (bigrams:
# "营业执照" -> 营业, 业执, 执照); runs of Latin letters or digits count as one word each. A few pairs
# that appear in almost every entry carry no meaning and are left out.
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[A-Za-z0-9]{2,}")
_STOP = {
    "建议", "希望", "能否", "可以", "我们", "一个", "问题", "没有", "进行", "因为", "所以", "如果", "需要",
    "目前", "现在", "还是", "就是", "这个", "那个", "什么", "怎么", "非常", "有些", "一些", "已经", "是否",
}
MAX_TITLE_TERMS = 10
MAX_CONTENT_TERMS = 10


def text_terms(text: str) -> list[str]:
    """Distinct search terms of a text, in order: CJK bigrams and Latin/digit words."""
    seen: dict[str, None] = {}
    for run in _CJK_RUN.findall(text or ""):
        for i in range(len(run) - 1):
            pair = run[i:i + 2]
            if pair not in _STOP:
                seen.setdefault(pair, None)
    for word in _WORD.findall(text or ""):
        seen.setdefault(word.lower(), None)
    return list(seen)


def suggestion_similar(*, title: str, content: str = "", exclude_pk: int | None = None,
                       limit: int = SIMILAR_LIMIT) -> list[Suggestion]:
    """Up to ``limit`` existing entries that look like the one being written, best first.

    One query, scored in the database (so it works on SQLite and PostgreSQL alike): each term
    found in an entry's title scores 2, in its content 1. An entry needs a fifth of the best
    possible score (and at least 3) to count as similar. Merged and hidden entries are left out.
    """
    title_terms = text_terms(title)[:MAX_TITLE_TERMS]
    content_terms = [t for t in text_terms(content) if t not in title_terms][:MAX_CONTENT_TERMS]
    terms = title_terms + content_terms
    if not terms:
        return []
    score = Value(0, output_field=IntegerField())
    matches = Q()
    for term in terms:
        score = score + Case(When(title__icontains=term, then=Value(2)), default=Value(0), output_field=IntegerField())
        score = score + Case(When(content__icontains=term, then=Value(1)), default=Value(0),
                             output_field=IntegerField())
        matches |= Q(title__icontains=term) | Q(content__icontains=term)
    threshold = max(3, (3 * len(terms)) // 5)
    queryset = (
        _base()
        .filter(matches, hidden_at__isnull=True)
        .exclude(status=Suggestion.Status.MERGED)
        .annotate(similarity=score)
        .filter(similarity__gte=threshold)
        .order_by("-similarity", "-support_count", "-created_at")
    )
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return list(queryset[:limit])


def suggestion_history(*, suggestion: Suggestion) -> list[SuggestionEvent]:
    """The entry's history with ``note_display``: a note the portal wrote (the department an entry
    was assigned to or became a case at, the submitter's "resolved?" answer) said in the page's
    language; the stored note is in the language of whoever acted. What people wrote stays as
    written. No query more unless the entry was first assigned to another department.
    """
    events = list(suggestion.events.all())
    feedback: dict[str, bool] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            feedback[gettext("Resolved")], feedback[gettext("Not resolved")] = True, False
    assigned = [e for e in events if e.kind == SuggestionEvent.Kind.MOVE and e.to_status == Suggestion.Status.ASSIGNED]
    departments: dict[str, Department] = {}

    def known(candidates) -> None:
        for department in candidates:
            for code, _name in settings.LANGUAGES:
                for field in ("short_name", "name"):  # the note is str(department): its short name
                    name = getattr(department, build_localized_fieldname(field, code), "")
                    if name:
                        departments.setdefault(name, department)

    # The entry's department (already read) names nearly every assignment; the table is read
    # only for an entry that was assigned elsewhere first.
    known([suggestion.department] if suggestion.department_id else [])
    if any(e.note and e.note not in departments for e in assigned):
        known(Department.objects.all())
    for event in events:
        event.note_display = event.note
        if event.kind == SuggestionEvent.Kind.FEEDBACK and event.note in feedback:
            event.note_display = gettext("Resolved") if feedback[event.note] else gettext("Not resolved")
        elif event.kind == SuggestionEvent.Kind.CASE and event.department_id:
            event.note_display = str(event.department)
        elif event in assigned and event.note in departments:
            event.note_display = str(departments[event.note])
    return events


# --- figures ------------------------------------------------------------------------------------
def _counted() -> QuerySet[Suggestion]:
    """Entries that count in the figures: not a merged duplicate, not hidden for abuse."""
    return Suggestion.objects.exclude(status=Suggestion.Status.MERGED).filter(hidden_at__isnull=True)


def suggestion_headline_counts() -> dict:
    """Ideas collected, adopted, blockers solved, answered-on-time share: one aggregate query."""
    now = timezone.now()
    idea, blocker = Suggestion.Kind.IDEA, Suggestion.Kind.BLOCKER
    row = _counted().aggregate(
        ideas=Count("pk", filter=Q(kind=idea)),
        adopted=Count("pk", filter=Q(kind=idea, status__in=[Suggestion.Status.ADOPTED, Suggestion.Status.IMPLEMENTED])),
        blockers=Count("pk", filter=Q(kind=blocker)),
        solved=Count("pk", filter=Q(kind=blocker, status=Suggestion.Status.IMPLEMENTED)),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        on_time=Count("pk", filter=Suggestion.answered_on_time_q()),
        overdue=Count("pk", filter=Suggestion.overdue_q(now)),
        overdue_unanswered=Count("pk", filter=Suggestion.overdue_q(now) & Q(answered_at__isnull=True)),
        reopened=Count("pk", filter=Q(reopen_count__gt=0)),
    )
    # An entry still waiting past its deadline has already missed it: it counts against the
    # share, or the ledger would show 100% while entries are overdue.
    due = row["answered"] + row["overdue_unanswered"]
    row["on_time_percent"] = round(100 * row["on_time"] / due) if due else None
    return row


def suggestion_department_stats() -> list[dict]:
    """Per department: answered, median days to answer, share answered on time, satisfaction
    (from the submitters' "was this resolved?"), and times reopened. Two queries, any size.
    """
    per: dict[int, dict] = defaultdict(lambda: {"answered": 0, "on_time": 0, "days": [], "resolved": 0,
                                                "feedback": 0, "reopened": 0, "entries": 0, "overdue": 0})
    rows = (
        _counted()
        .filter(department__isnull=False)
        .annotate(
            on_time=ExpressionWrapper(Suggestion.answered_on_time_q(), output_field=BooleanField()),
            overdue=ExpressionWrapper(Suggestion.overdue_q(timezone.now()), output_field=BooleanField()),
        )
        .values_list("department_id", "accepted_at", "answered_at", "on_time", "resolved", "reopen_count", "overdue")
    )
    for department_id, accepted_at, answered_at, on_time, resolved, reopened, overdue in rows:
        item = per[department_id]
        item["entries"] += 1
        item["reopened"] += reopened
        if answered_at is None and overdue:
            # Still unanswered past its deadline: it has missed it, as in the ledger's headline share.
            item["overdue"] += 1
        if answered_at is not None:
            item["answered"] += 1
            item["on_time"] += bool(on_time)

            if accepted_at is not None:
                item["days"].append((answered_at - accepted_at).total_seconds() / 86400)
        if resolved is not None:
            item["feedback"] += 1
            item["resolved"] += bool(resolved)
    departments = Department.objects.filter(pk__in=per.keys())
    stats = []
    for department in departments:
        item = per[department.pk]
        stats.append({
            "department": department,
            "entries": item["entries"],
            "answered": item["answered"],
            "median_days": round(statistics.median(item["days"]), 1) if item["days"] else None,
            "on_time_percent": round(100 * item["on_time"] / due) if (due := item["answered"] + item["overdue"]) else None,
            "satisfaction_percent": round(100 * item["resolved"] / item["feedback"]) if item["feedback"] else None,
            "reopened": item["reopened"],
        })
    return stats


# --- the personal page ----------------------------------------------------------------------------
@me_section(40)
def my_ideas_section(*, user) -> dict | None:
    entries = list(suggestion_list_mine(user=user)[:ME_SECTION_ROWS + 1])
    if not entries:
        return None
    return {
        "title": _("My ideas and blockers"),
        "anchor": "my-ideas",
        "template": "suggestions/_me_section.html",
        "context": {"entries": entries[:ME_SECTION_ROWS], "more": len(entries) > ME_SECTION_ROWS,
                    "now": timezone.now()},
    }


@me_todo(30)
def my_ideas_todo(*, user) -> list[dict]:
    """For a department officer: assigned entries of their departments that wait for an answer."""
    if not has_role(user, Role.DEPARTMENT_OFFICER):
        return []
    codes = list(Department.objects.filter(officers=user).values_list("code", flat=True))
    if not codes:
        return []
    count = Suggestion.objects.filter(
        status=Suggestion.Status.ASSIGNED, department__code__in=codes, hidden_at__isnull=True
    ).count()
    label = ngettext("%(count)d idea to answer for my department", "%(count)d ideas to answer for my department", count)
    url = reverse("suggestions:ledger") + "?status=assigned" + (f"&department={codes[0]}" if len(codes) == 1 else "")
    return [{"label": label % {"count": count}, "count": count, "url": url}]


@home_section(30)
def latest_answered_section() -> dict | None:
    """The three latest answered entries of the public ledger, for the home page."""
    entries = list(
        _counted().filter(answered_at__isnull=False, published_answer__isnull=False)
        .select_related("published_answer", "department").order_by("-answered_at", "-pk")[:3]
    )
    if not entries:
        return None
    return {
        "title": _("Latest answered golden ideas"),
        "template": "suggestions/_home_answered.html",
        "context": {"entries": entries},
        "more_url": reverse("suggestions:ledger"),
        "more_label": _("The whole ledger"),
    }
