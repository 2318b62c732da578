"""Qingfeng index (青锋指数): indicators, rating periods and their four stages, achievements, the ledger.

A period moves draft → peer review → captain scoring → committee review → alliance decision →
published, forward only (Period.TRANSITIONS, on its ``stage``). Inside a period each team's scores have their own
small workflow (TeamRating: open → submitted → approved, or returned and submitted again), and
each member has one MemberResult that publication fills in. Points live in LedgerEntry, which is
append-only at the model and queryset level and, below them, in the database (triggers refuse
UPDATE and DELETE; points/migrations/0005_ledger_append_only_trigger.py).
"""
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.files import private_storage_get
from portal.roles import Role
from portal.workflow import transition_allowed


class Indicator(models.Model):
    """One of the five-star standard's quantitative indicators (百分制量化指标)."""

    class Category(models.TextChoices):
        POLITICS = "politics", _("Political quality")
        SERVICE = "service", _("Service effectiveness")
        SKILL = "skill", _("Professional skill")
        INNOVATION = "innovation", _("Innovation and reform")
        CONDUCT = "conduct", _("Conduct and discipline")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    max_points = models.PositiveSmallIntegerField(_("maximum points"), validators=[MinValueValidator(1)])
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(max_points__gte=1, max_points__lte=100), name="indicator_max_points_1_100"),
        ]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.name} ({self.max_points})"


class Stage(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PEER_REVIEW = "peer_review", _("Peer review")
    CAPTAIN_SCORING = "captain_scoring", _("Captain scoring")
    COMMITTEE_REVIEW = "committee_review", _("Committee review")
    ALLIANCE_DECISION = "alliance_decision", _("Alliance decision")
    PUBLISHED = "published", _("Published")


# The due-date field of each working stage.
STAGE_DUE_FIELD = {
    Stage.PEER_REVIEW: "peer_review_due",
    Stage.CAPTAIN_SCORING: "captain_scoring_due",
    Stage.COMMITTEE_REVIEW: "committee_review_due",
    Stage.ALLIANCE_DECISION: "alliance_decision_due",
}


class Period(models.Model):
    """A rating period (e.g. 2026 Q4) and the stage it is in."""

    # Forward only, one step at a time (on ``stage``). Each stage's guard lives in the actions.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Stage.DRAFT: (Stage.PEER_REVIEW,),
        Stage.PEER_REVIEW: (Stage.CAPTAIN_SCORING,),
        Stage.CAPTAIN_SCORING: (Stage.COMMITTEE_REVIEW,),
        Stage.COMMITTEE_REVIEW: (Stage.ALLIANCE_DECISION,),
        Stage.ALLIANCE_DECISION: (Stage.PUBLISHED,),
        Stage.PUBLISHED: (),
    }
    # The role that makes the move into each stage: the committee runs the review, the alliance decides.
    MOVED_BY: dict[str, str] = {
        Stage.PEER_REVIEW: Role.COMMITTEE_REVIEWER,
        Stage.CAPTAIN_SCORING: Role.COMMITTEE_REVIEWER,
        Stage.COMMITTEE_REVIEW: Role.COMMITTEE_REVIEWER,
        Stage.ALLIANCE_DECISION: Role.COMMITTEE_REVIEWER,
        Stage.PUBLISHED: Role.ALLIANCE_MEMBER,
    }

    name = models.CharField(_("name"), max_length=60, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.DRAFT)
    indicators = models.ManyToManyField(Indicator, related_name="periods", verbose_name=_("indicators"))
    peer_review_due = models.DateTimeField(_("peer review due"), null=True, blank=True)
    captain_scoring_due = models.DateTimeField(_("captain scoring due"), null=True, blank=True)
    committee_review_due = models.DateTimeField(_("committee review due"), null=True, blank=True)
    alliance_decision_due = models.DateTimeField(_("alliance decision due"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="period_ends_after_start"),
        ]
        verbose_name = _("rating period")
        verbose_name_plural = _("rating periods")

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.stage == Stage.PUBLISHED

    @property
    def stage_due(self):
        field = STAGE_DUE_FIELD.get(self.stage)
        return getattr(self, field) if field else None

    @property
    def next_stage(self) -> str | None:
        moves = self.TRANSITIONS.get(self.stage)
        return moves[0] if moves else None


class TeamRating(models.Model):
    """One team's scores in one period: the captain submits, the committee approves or returns."""

    class Status(models.TextChoices):
        OPEN = "open", _("Being scored")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned to the captain")
        APPROVED = "approved", _("Approved")

    TRANSITIONS = {
        Status.OPEN: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.APPROVED, Status.RETURNED},
        Status.RETURNED: {Status.SUBMITTED},
        Status.APPROVED: set(),
    }

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="team_ratings", verbose_name=_("period"))
    team = models.ForeignKey("volunteers.Team", on_delete=models.PROTECT, related_name="ratings", verbose_name=_("team"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    return_reason = models.TextField(_("reason for return"), blank=True)
    average = models.DecimalField(_("average score"), max_digits=5, decimal_places=2, null=True, blank=True)
    stars = models.PositiveSmallIntegerField(_("star level"), null=True, blank=True)
    is_pioneer_post = models.BooleanField(_("youth pioneer post"), default=False)

    class Meta:
        ordering = ["period", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["period", "team"], name="one_rating_per_team_and_period"),
            models.CheckConstraint(condition=Q(stars__isnull=True) | Q(stars__gte=1, stars__lte=5), name="team_stars_1_5"),
        ]
        verbose_name = _("team rating")
        verbose_name_plural = _("team ratings")

    def __str__(self) -> str:
        return f"{self.team} · {self.period}"

    def is_open_to_captain(self, stage: str) -> bool:
        """Whether the captain may (re)score the team and submit at this stage of the period.

        During captain scoring until the scores are submitted, and in committee review while the
        committee has returned them.
        """
        if stage == Stage.CAPTAIN_SCORING:
            return transition_allowed(self, self.Status.SUBMITTED)
        return stage == Stage.COMMITTEE_REVIEW and self.status == self.Status.RETURNED


class MemberResult(models.Model):
    """A member taking part in a period; publication writes the total, stars and title."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="member_results", verbose_name=_("period"))
    team = models.ForeignKey("volunteers.Team", on_delete=models.PROTECT, related_name="member_results", verbose_name=_("team"))
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="point_results", verbose_name=_("member")
    )
    captain_comment = models.TextField(_("captain's comment"), blank=True)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    total = models.PositiveSmallIntegerField(_("total"), null=True, blank=True)
    stars = models.PositiveSmallIntegerField(_("star level"), null=True, blank=True)
    is_good_youth = models.BooleanField(_("good youth of government service"), default=False)

    class Meta:
        ordering = ["period", "team", "member"]
        constraints = [
            models.UniqueConstraint(fields=["period", "member"], name="one_result_per_member_and_period"),
            models.CheckConstraint(condition=Q(total__isnull=True) | Q(total__lte=100), name="member_total_at_most_100"),
            models.CheckConstraint(condition=Q(stars__isnull=True) | Q(stars__gte=1, stars__lte=5), name="member_stars_1_5"),
        ]
        # The leaderboard's order, ties included: a page of 10,000 members reads its 20 rows.
        indexes = [models.Index(fields=["period", "-total", "member"], name="points_memberresult_board")]
        verbose_name = _("member result")
        verbose_name_plural = _("member results")

    def __str__(self) -> str:
        return f"{self.member} · {self.period}"


class PeerScore(models.Model):
    """One member's score for a teammate on one indicator (队员互评). Re-scoring updates the row."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="peer_scores", verbose_name=_("period"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="peer_scores_given", verbose_name=_("reviewer")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="peer_scores_received", verbose_name=_("member")
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    points = models.PositiveSmallIntegerField(_("points"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "reviewer", "member", "indicator"], name="one_peer_score_per_pair"),
            models.CheckConstraint(condition=~Q(reviewer=F("member")), name="peer_score_never_self"),
        ]
        verbose_name = _("peer score")
        verbose_name_plural = _("peer scores")

    def __str__(self) -> str:
        return f"{self.reviewer_id} → {self.member_id}: {self.points}"


class CaptainScore(models.Model):
    """The captain's score for one member on one indicator (队长定分)."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="captain_scores", verbose_name=_("period"))
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="captain_scores", verbose_name=_("member")
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    points = models.PositiveSmallIntegerField(_("points"))
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("scored by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "member", "indicator"], name="one_captain_score_per_indicator"),
        ]
        verbose_name = _("captain score")
        verbose_name_plural = _("captain scores")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.points}"


class PeriodEvent(models.Model):
    """The history of every move in a period: who, when, what, why.

    ``from_status`` and ``to_status`` are the period's stages for a stage move; the moves of a
    team's scores and of appeals name their ``team`` or ``member`` and leave them blank.
    """

    class Kind(models.TextChoices):
        ADVANCED = "advanced", _("Stage advanced")
        SUBMITTED = "submitted", _("Team scores submitted")
        APPROVED = "approved", _("Team scores approved")
        RETURNED = "returned", _("Team scores returned")
        APPEAL_FILED = "appeal_filed", _("Appeal filed")
        APPEAL_UPHELD = "appeal_upheld", _("Appeal: result upheld")
        APPEAL_REOPENED = "appeal_reopened", _("Appeal: captain scoring reopened")
        APPEAL_RESOLVED = "appeal_resolved", _("Appeal: member rescored")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="events", verbose_name=_("period"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    team = models.ForeignKey("volunteers.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("team"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("member"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("by"))
    note = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("period event")
        verbose_name_plural = _("period events")

    def __str__(self) -> str:
        return f"{self.period} · {self.get_kind_display()}"


class Appeal(models.Model):
    """A member's appeal against a published result; the committee upholds or reopens."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("appeal status", "Open")
        UPHELD = "upheld", _("Result upheld")
        REOPENED = "reopened", _("Captain scoring reopened")
        RESOLVED = "resolved", _("Rescored")

    TRANSITIONS = {
        Status.OPEN: {Status.UPHELD, Status.REOPENED},
        Status.REOPENED: {Status.RESOLVED},
        Status.UPHELD: set(),
        Status.RESOLVED: set(),
    }

    result = models.ForeignKey(MemberResult, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("result"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    old_total = models.PositiveSmallIntegerField(_("total before"), null=True, blank=True)
    new_total = models.PositiveSmallIntegerField(_("total after"), null=True, blank=True)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One appeal per result: an appeal that has been decided is the answer.
            models.UniqueConstraint(fields=["result"], name="one_appeal_per_result"),
        ]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.result} · {self.get_status_display()}"


def evidence_path(instance: "Achievement", filename: str) -> str:
    return f"points/evidence/{instance.member_id}/{filename}"


class Achievement(models.Model):
    """先锋亮绩: a member shows what they did; the captain approves it into points."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REJECTED},
        Status.APPROVED: set(),
        Status.REJECTED: set(),
    }

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="achievements", verbose_name=_("member")
    )
    team = models.ForeignKey("volunteers.Team", on_delete=models.PROTECT, related_name="achievements",
                             verbose_name=_("team"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="achievements", verbose_name=_("period"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="achievements",
                                  verbose_name=_("indicator"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    # Kept in the private storage, which has no URL: only points.views.achievement_evidence serves
    # it, to the member, the team's captain and the reviewers.
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, storage=private_storage_get, blank=True)
    points_claimed = models.PositiveSmallIntegerField(_("points claimed"), validators=[MinValueValidator(1)])
    points_awarded = models.PositiveSmallIntegerField(_("points awarded"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "status"])]
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")

    def __str__(self) -> str:
        return self.title


class AppendOnlyError(Exception):
    """The ledger never changes: corrections are new, compensating entries."""


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Ledger entries are append-only: they cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Ledger entries are append-only: they cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Ledger entries are append-only: they cannot be updated.")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("Ledger entries are append-only: they cannot be updated.")

    def bulk_create(self, objs, batch_size=None, ignore_conflicts=False, update_conflicts=False,
                    update_fields=None, unique_fields=None):
        # An upsert is an UPDATE of the row it collides with.
        if update_conflicts:
            raise AppendOnlyError("Ledger entries are append-only: they cannot be updated.")
        return super().bulk_create(objs, batch_size=batch_size, ignore_conflicts=ignore_conflicts)


class LedgerEntry(models.Model):
    """One line of the points ledger. Never updated, never deleted; balances are sums."""

    class Source(models.TextChoices):
        ACHIEVEMENT = "achievement", _("Achievement")
        PERIOD_RESULT = "period_result", _("Period result")
        SERVICE_HOURS = "service_hours", _("Service hours")
        CORRECTION = "correction", _("Correction")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("member")
    )
    points = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=300)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("author"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries",
                               verbose_name=_("period"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("indicator"))
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("achievement"))
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections",
                                 verbose_name=_("corrects"))
    # A natural key of what caused the entry ("result:3:17", "hours:42"), so a retried action
    # cannot write the same points twice: the unique constraint refuses the second insert.
    reference = models.CharField(_("source reference"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["reference"], condition=~Q(reference=""), name="ledger_reference_once"),
        ]
        indexes = [models.Index(fields=["member", "period"])]
        # ``_base_manager`` (related lookups, and any code reaching past ``objects``) refuses too.
        base_manager_name = "objects"
        verbose_name = _("points ledger entry")
        verbose_name_plural = _("points ledger")

    def __str__(self) -> str:
        return f"{self.member} {self.points:+d} ({self.get_source_display()})"

    def save(self, *, force_insert=False, force_update=False, using=None, update_fields=None):
        if not self._state.adding or force_update or update_fields is not None:
            raise AppendOnlyError("Ledger entries are append-only: they cannot be updated.")
        # Always an INSERT: a new object given an existing id collides with it (IntegrityError)
        # instead of Django's "update if the id exists" overwriting the row.
        super().save(force_insert=True, using=using)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Ledger entries are append-only: they cannot be deleted.")
