"""Staff import the year's official calendar from the State Council's CSV, in the admin or by command."""
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from portal.exceptions import Invalid
from portal.hall import demo
from portal.hall.actions import holiday_import, holiday_rows_parse
from portal.hall.models import Holiday
from portal.hall.workdays import add_working_days, is_working_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]  # refusals read in English

SHARED = Path("/work/shared/data/holidays-cn-2026.csv")
BUNDLED = demo.CALENDAR_FILE


def _table() -> list[tuple]:
    return list(Holiday.objects.order_by("date").values_list("pk", "date", "kind", "name"))


def test_the_bundled_file_is_the_state_councils_2026_arrangement():
    assert BUNDLED.read_bytes() == SHARED.read_bytes()
    rows = holiday_rows_parse(BUNDLED.read_bytes())
    assert len(rows) == 39
    assert sum(row.kind == Holiday.Kind.DAY_OFF for row in rows) == 33
    assert sum(row.kind == Holiday.Kind.WORKING_DAY for row in rows) == 6


def test_importing_twice_gives_the_same_rows():
    first = holiday_import(rows=holiday_rows_parse(SHARED.read_bytes()))
    assert (first.created, first.updated, first.unchanged) == (39, 0, 0)
    table = _table()
    second = holiday_import(rows=holiday_rows_parse(SHARED.read_bytes()))
    assert (second.created, second.updated, second.unchanged) == (0, 0, 39)
    assert not second.change
    assert _table() == table


def test_the_imported_calendar_drives_the_working_day_clock():
    holiday_import(rows=holiday_rows_parse(SHARED.read_bytes()))
    from datetime import date

    # Spring Festival: Wednesday 18 February is off; Saturday 14 and 28 February are make-up days.
    assert not is_working_day(date(2026, 2, 18))
    assert is_working_day(date(2026, 2, 14)) and is_working_day(date(2026, 2, 28))
    # Friday 13 February + 1 working day is the make-up Saturday.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)


def test_an_import_updates_a_changed_day_and_leaves_other_days_alone():
    from datetime import date

    Holiday.objects.create(date=date(2026, 1, 4), kind=Holiday.Kind.WORKING_DAY, name="元旦调休上班")
    Holiday.objects.create(date=date(2026, 12, 31), kind=Holiday.Kind.DAY_OFF, name="大厅设备检修")
    result = holiday_import(rows=holiday_rows_parse(SHARED.read_bytes()))
    assert (result.created, result.updated, result.unchanged) == (38, 1, 0)
    assert Holiday.objects.get(date=date(2026, 1, 4)).name == "元旦"
    assert Holiday.objects.filter(date=date(2026, 12, 31)).exists()  # a local closure stays
    # Thursday 1 and Friday 2 January became days off; Sunday 4 January was a working day already.
    assert result.change.now_off >= {date(2026, 1, 1), date(2026, 1, 2)}
    assert date(2026, 1, 4) not in result.change.days
    assert date(2026, 1, 3) not in result.change.days  # a Saturday off changes nothing


@pytest.mark.parametrize(
    "content, message",
    [
        (b"date,kind,name\n2026-13-01,off,x\n", "line 2"),
        (b"date,kind,name\n2026-05-01,holiday,x\n", "line 2"),
        (b"date,kind,name\n2026-05-01,off,\n", "line 2"),
        (b"date,kind,name\n2026-05-01,off,a\n2026-05-01,work,b\n", "line 3"),
        (b"day,type\n2026-05-01,off\n", "date, kind and name"),
        ("date,kind,name\n2026-05-01,off,劳动节\n".encode("gbk"), "UTF-8"),
        (b"date,kind,name\n", "no calendar days"),
        (b"date,kind,name\n2026-05-01,off,\x00\n", "UTF-8"),
        (b"date,kind,name\n2026-05-01,off," + b"x" * 61 + b"\n", "line 2"),
    ],
)
def test_a_bad_file_imports_nothing_and_says_which_line(content, message):
    with pytest.raises(Invalid) as refusal:
        holiday_import(rows=holiday_rows_parse(content))
    assert message in str(refusal.value.message)
    assert refusal.value.field == "file"
    assert not Holiday.objects.exists()


def test_a_bom_and_blank_lines_are_fine():
    rows = holiday_rows_parse("\ufeffdate,kind,name\r\n2026-05-01,off,劳动节\r\n\r\n2026-05-09,work,劳动节\r\n".encode())
    assert [(row.date.isoformat(), row.kind) for row in rows] == [("2026-05-01", "day_off"), ("2026-05-09", "working_day")]


def test_the_command_imports_and_reimports_without_change(tmp_path):
    out = StringIO()
    call_command("import_holidays", str(SHARED), stdout=out)
    assert out.getvalue().startswith("39 day(s) added, 0 changed, 0 unchanged")
    table = _table()
    out = StringIO()
    call_command("import_holidays", str(SHARED), stdout=out)
    assert out.getvalue().startswith("0 day(s) added, 0 changed, 39 unchanged")
    assert _table() == table


def test_the_command_refuses_a_missing_or_bad_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_holidays", str(tmp_path / "none.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name\nsoon,off,x\n")
    with pytest.raises(CommandError, match="line 2"):
        call_command("import_holidays", str(bad))
    assert not Holiday.objects.exists()


def _upload(content: bytes, name: str = "holidays-cn-2026.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_staff_import_it_in_the_admin(hall_staff, client_as):
    client = client_as(hall_staff)
    changelist = client.get("/admin/hall/holiday/")
    assert b"/admin/hall/holiday/import/" in changelist.content
    page = client.get("/admin/hall/holiday/import/")
    assert page.status_code == 200 and b'type="file"' in page.content and b'for="id_file"' in page.content
    response = client.post("/admin/hall/holiday/import/", {"file": _upload(SHARED.read_bytes())}, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/hall/holiday/"
    assert Holiday.objects.count() == 39
    table = _table()
    response = client.post("/admin/hall/holiday/import/", {"file": _upload(SHARED.read_bytes())}, follow=True)
    assert response.status_code == 200
    assert _table() == table


def test_the_admin_shows_what_is_wrong_with_a_file(hall_staff, client_as):
    client = client_as(hall_staff)
    response = client.post("/admin/hall/holiday/import/", {"file": _upload(b"date,kind,name\n2026-02-30,off,x\n")})
    assert response.status_code == 400
    assert "第 2 行" in response.content.decode()  # the admin speaks the hall's default language
    response = client.post("/admin/hall/holiday/import/", {})
    assert response.status_code == 400
    response = client.post("/admin/hall/holiday/import/", {"file": _upload(b"x" * (300 * 1024))})
    assert response.status_code == 400
    assert not Holiday.objects.exists()


def test_only_staff_with_the_calendar_rights_may_import(entrepreneur, officer, client_as):
    response = client_as(entrepreneur).post("/admin/hall/holiday/import/", {"file": _upload(SHARED.read_bytes())})
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = client_as(officer).post("/admin/hall/holiday/import/", {"file": _upload(SHARED.read_bytes())})
    assert response.status_code == 403  # an officer signs in to the admin but keeps no calendar
    assert not Holiday.objects.exists()


def test_the_demo_loads_the_calendar_and_seeding_again_changes_nothing():
    demo.seed()
    assert Holiday.objects.count() == 39
    table = _table()
    demo.seed()
    assert _table() == table
