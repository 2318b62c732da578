"""The activity list as an RFC 5545 calendar a phone's calendar app can subscribe to."""
from collections.abc import Iterable
from datetime import UTC

from django.utils import timezone
from icalendar import Calendar, Event

from volunteers.models import Activity

PRODID = "-//Youth-friendly government service hall//Activities//ZH"


def activities_calendar(*, activities: Iterable[Activity], name: str, base_url: str, host: str) -> bytes:
    """Build the feed. UIDs are stable per activity, so a re-fetch updates events instead of adding them.

    Times are written in UTC (the ``Z`` form) so no VTIMEZONE block is needed for a valid file.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone.get_current_timezone_name())
    stamp = timezone.now().astimezone(UTC)
    for activity in activities:
        event = Event()
        event.add("uid", f"activity-{activity.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", activity.starts_at.astimezone(UTC))
        event.add("dtend", activity.ends_at.astimezone(UTC))
        event.add("summary", f"{activity.title}（{activity.team.name}）")
        event.add("location", activity.place)
        event.add("description", activity.description)
        event.add("categories", [str(activity.get_kind_display())])
        event.add("url", f"{base_url}/activities/{activity.pk}/")
        event.add("status", "CANCELLED" if activity.status == Activity.Status.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
