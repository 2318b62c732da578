"""Every badge, status and star level is readable: its text contrasts 4.5:1 or more with its own
background (or the white card it sits on), computed from the stylesheets themselves.

axe-core's color-contrast rule in tests/e2e/test_accessibility.py judges the rendered pages; this
test catches a badge colour that no crawled page happens to show today.
"""
import re
from pathlib import Path

import pytest
from django.conf import settings

CSS_DIR = Path(settings.BASE_DIR) / "static" / "css"
# Small coloured labels: the statuses, badges, counters, star levels and deadline colours.
BADGE = re.compile(r"\.(status|badge|stars|precheck-|todo-count|overdue|due-soon|idea-kind|error|required|muted)")


def _luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _rules():
    text = "".join(path.read_text() for path in sorted(CSS_DIR.glob("*.css")))
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", text))
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)

    def resolve(value: str) -> str | None:
        value = value.strip()
        if value.startswith("var("):
            name, _, fallback = value[4:-1].partition(",")
            return variables.get(name.strip().lstrip("-")) or (fallback.strip() or None)
        return value if value.startswith("#") else None

    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        colour = re.search(r"(?<![-\w])color:\s*([^;]+)", body)
        if not colour or not BADGE.search(selector):
            continue
        background = re.search(r"background(?:-color)?:\s*(#[0-9a-fA-F]{3,6}|var\([^)]*\))", body)
        yield selector.strip(), resolve(colour.group(1)), resolve(background.group(1)) if background else "#ffffff"


def test_it_finds_the_badges_it_checks():
    selectors = " ".join(selector for selector, _c, _b in _rules())
    for name in (".status-ok", ".status-warn", ".status-bad", ".stars", ".badge"):
        assert name in selectors


@pytest.mark.parametrize("selector,colour,background", list(_rules()))
def test_every_badge_passes_the_contrast_minimum(selector, colour, background):
    assert colour and background, selector
    assert contrast(colour, background) >= 4.5, f"{selector}: {colour} on {background}"


def test_the_focus_ring_on_the_red_header_is_white_or_yellow_and_stands_out():
    text = "".join(path.read_text() for path in sorted(CSS_DIR.glob("*.css")))
    rule = re.search(r"\.site-header :focus-visible[^{]*\{([^}]*)\}", text)
    assert rule, "the header has its own focus ring"
    colour = re.search(r"outline:\s*\d+px solid (#[0-9a-fA-F]{3,6})", rule.group(1)).group(1)
    red = re.search(r"--red:\s*(#[0-9a-fA-F]{6})", text).group(1)
    # WCAG 2.2 focus appearance: 3:1 against the background it sits on.
    assert contrast(colour, red) >= 3
