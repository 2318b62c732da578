"""The catalogue's gauges at /metrics (portal/metrics.py): bookings today, the queue waiting now."""
from portal.metrics import portal_gauge, today_bounds
from services.models import Booking, QueueTicket


@portal_gauge("portal_bookings_today", "Bookings (booked, checked in or completed) for slots starting today.")
def bookings_today() -> float:
    start, end = today_bounds()
    return Booking.objects.filter(slot__starts_at__gte=start, slot__starts_at__lt=end).exclude(
        status__in=[Booking.Status.CANCELLED, Booking.Status.NO_SHOW]
    ).count()


@portal_gauge("portal_queue_waiting", "Queue numbers waiting to be called today, all zones.")
def queue_waiting() -> float:
    start, _ = today_bounds()
    return QueueTicket.objects.filter(day=start.date(), status=QueueTicket.Status.WAITING).count()
