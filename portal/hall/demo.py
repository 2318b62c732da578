"""Demo data for the hall: the departments stationed in it, their officer and the holiday calendar."""
from pathlib import Path

from portal.demo import demo_english, demo_user
from portal.hall.actions import holiday_import, holiday_rows_parse
from portal.hall.models import Department, Holiday
from portal.roles import Role

DEPARTMENTS = [
    ("market", "区市场监督管理局", "市场监管", "A01"),
    ("hrss", "区人力资源和社会保障局", "人社", "A02"),
    ("housing", "区住房和城乡建设局", "住建", "A03"),
    ("tax", "区税务局", "税务", "A04"),
    ("hukou", "公安分局户政科", "户政", "A05"),
    ("fire", "区消防救援大队", "消防", "A06"),
    ("health", "区卫生健康局", "卫健", "A07"),
    ("commerce", "区商务局", "商务", "A08"),
    ("science", "区科技创新局", "科创", "A09"),
    ("youth", "团区委青年发展部", "团委", "A10"),
]

# The State Council's 2026 arrangement (days off and make-up working days), as staff import it.
CALENDAR_FILE = Path(__file__).resolve().parent / "data" / "holidays-cn-2026.csv"

DEPARTMENTS_EN = {
    "market": ("District Market Regulation Bureau", "Market regulation"),
    "hrss": ("District Human Resources and Social Security Bureau", "Human resources"),
    "housing": ("District Housing and Urban-Rural Development Bureau", "Housing"),
    "tax": ("District Taxation Bureau", "Tax"),
    "hukou": ("Public Security Sub-bureau, Household Registration", "Household registration"),
    "fire": ("District Fire and Rescue Brigade", "Fire and rescue"),
    "health": ("District Health Commission", "Health"),
    "commerce": ("District Commerce Bureau", "Commerce"),
    "science": ("District Science and Innovation Bureau", "Science and innovation"),
    "youth": ("District Youth League Committee, Youth Development", "Youth League"),
}


def seed() -> str:
    for position, (code, name, short, window) in enumerate(DEPARTMENTS):
        Department.objects.get_or_create(
            code=code, defaults={"name": name, "short_name": short, "window": window, "position": position}
        )
    chinese = {code: (name, short) for code, name, short, _window in DEPARTMENTS}
    demo_english(Department, {
        "name": {chinese[code][0]: en[0] for code, en in DEPARTMENTS_EN.items()},
        "short_name": {chinese[code][1]: en[1] for code, en in DEPARTMENTS_EN.items()},
    })
    officer = demo_user("officer", "陈部门", [Role.DEPARTMENT_OFFICER], is_staff=True)
    Department.objects.get(code="market").officers.add(officer)
    holiday_import(rows=holiday_rows_parse(CALENDAR_FILE.read_bytes()))
    return f"{Department.objects.count()} departments, {Holiday.objects.count()} calendar days"
