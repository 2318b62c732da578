"""Every 1–5 star review becomes a completion-stage 好差评 evaluation (5→非常满意 … 1→非常不满意:
the grades keep the stars' values), with its comment and time, nothing lost. The star reviews'
table stays for one release: the code still running while this migrates reads and writes it
(add, then use, then drop); the next release copies the reviews written since and drops it. The item, department, window and staff member are filled in as a new
evaluation's would be. Old bad reviews open no rectification: they predate the callback loop,
and a deadline long passed would only escalate on the first sweep."""
from django.db import migrations


def reviews_to_evaluations(apps, schema_editor):
    Review = apps.get_model("services", "Review")
    Evaluation = apps.get_model("services", "Evaluation")
    BundleItem = apps.get_model("services", "BundleItem")
    QueueTicket = apps.get_model("services", "QueueTicket")
    QueueTicketEvent = apps.get_model("services", "QueueTicketEvent")
    ServiceItem = apps.get_model("services", "ServiceItem")
    rows = []
    for review in Review.objects.select_related("booking__slot").order_by("pk").iterator():
        slot = review.booking.slot
        ticket = QueueTicket.objects.filter(booking_id=review.booking_id).first()
        item_id = slot.item_id or (ticket.item_id if ticket else None)
        if item_id is None and slot.bundle_id:
            item_id = (BundleItem.objects.filter(bundle_id=slot.bundle_id).order_by("position", "pk")
                       .values_list("item_id", flat=True).first())
        staff_id = None
        if ticket is not None:
            staff_id = (QueueTicketEvent.objects.filter(ticket_id=ticket.pk, by__isnull=False,
                                                        to_status__in=["called", "done"])
                        .order_by("-at", "-pk").values_list("by_id", flat=True).first())
        department_id = ServiceItem.objects.filter(pk=item_id).values_list("department_id", flat=True).first()
        rows.append(Evaluation(
            booking_id=review.booking_id, stage="completion", grade=review.stars, comment=review.comment,
            created_at=review.created_at, item_id=item_id, department_id=department_id,
            window_id=ticket.window_id if ticket else None, staff_id=staff_id,
        ))
    Evaluation.objects.bulk_create(rows, batch_size=500)


def evaluations_to_reviews(apps, schema_editor):
    """Back to stars: each completion-stage evaluation becomes the booking's review again."""
    Review = apps.get_model("services", "Review")
    Evaluation = apps.get_model("services", "Evaluation")
    Review.objects.all().delete()  # the reviews copied on the way up are still there
    Review.objects.bulk_create([
        Review(booking_id=e.booking_id, stars=e.grade, comment=e.comment, created_at=e.created_at)
        for e in Evaluation.objects.filter(stage="completion").order_by("pk")
    ], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("services", "0009_evaluations_and_rectifications"),
    ]

    operations = [
        migrations.RunPython(reviews_to_evaluations, evaluations_to_reviews),
    ]
