"""The demo data at 1x and grown to 10x: for the query-count tests and bench/pages.py.

``grow_tenfold()`` adds nine copies of every service item (with steps and materials), bundle
(with its items and slots), booking (each by a new person, on the copied slot), golden idea,
team member and activity, so every list a page shows is ten times as long.
"""
from django.core.management import call_command
from django.db import transaction


def seed_demo() -> None:
    call_command("seed_demo", verbosity=0)


@transaction.atomic
def grow_tenfold() -> None:
    from datetime import timedelta

    from portal.accounts.models import User
    from services.actions import booking_reference_generate
    from services.models import Booking, Bundle, BundleItem, ServiceItem, Slot, Step
    from suggestions.models import Suggestion
    from volunteers.models import Activity, Membership

    items = list(ServiceItem.objects.prefetch_related("materials", "steps"))
    bundles = list(Bundle.objects.prefetch_related("bundle_items"))
    slots = list(Slot.objects.all())
    bookings = list(Booking.objects.all())
    ideas = list(Suggestion.objects.all())
    memberships = list(Membership.objects.filter(left_on__isnull=True, role=Membership.Role.MEMBER))
    activities = list(Activity.objects.all())
    for copy in range(1, 10):
        item_map, bundle_map, slot_map = {}, {}, {}
        for item in items:
            twin = ServiceItem.objects.create(
                code=f"{item.code}-x{copy}", name=f"{item.name}（{copy}）", stage=item.stage,
                department_id=item.department_id, legal_days=item.legal_days, promised_days=item.promised_days,
                visits=item.visits, bookable=item.bookable, position=item.position,
            )
            twin.materials.set(item.materials.all())
            Step.objects.bulk_create([Step(item=twin, position=s.position, name=s.name, kind=s.kind)
                                      for s in item.steps.all()])
            item_map[item.pk] = twin.pk
        for bundle in bundles:
            twin = Bundle.objects.create(slug=f"{bundle.slug}-x{copy}", name=f"{bundle.name}（{copy}）",
                                         position=bundle.position, summary=bundle.summary)
            BundleItem.objects.bulk_create([
                BundleItem(bundle=twin, item_id=item_map[e.item_id], position=e.position,
                           requires_id=item_map.get(e.requires_id) if e.requires_id else None)
                for e in bundle.bundle_items.all()
            ])
            bundle_map[bundle.pk] = twin.pk
        for slot in slots:
            twin = Slot.objects.create(
                bundle_id=bundle_map.get(slot.bundle_id), item_id=item_map.get(slot.item_id),
                starts_at=slot.starts_at + timedelta(minutes=copy), ends_at=slot.ends_at + timedelta(minutes=copy),
                capacity=slot.capacity, booked_count=slot.booked_count,
            )
            slot_map[slot.pk] = twin.pk
        people = User.objects.bulk_create([
            User(username=f"scale{copy}-{n}", display_name=f"青年{copy}-{n}", password="!")
            for n in range(max(len(bookings), len(memberships)))
        ])
        Booking.objects.bulk_create([
            Booking(reference=booking_reference_generate(), user=people[n], slot_id=slot_map[b.slot_id],
                    status=b.status, note=b.note)
            for n, b in enumerate(bookings)
        ])
        Suggestion.objects.bulk_create([_copy(idea, number=f"{idea.number}-{copy}", case_id=None) for idea in ideas])
        Membership.objects.bulk_create([
            Membership(team_id=m.team_id, user=people[n], role=m.role, joined_on=m.joined_on)
            for n, m in enumerate(memberships)
        ])
        Activity.objects.bulk_create([_copy(a, title=f"{a.title}（{copy}）") for a in activities])


def _copy(obj, **changes):
    fields = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}
    return type(obj)(**{**fields, **changes})
