"""Every region that scrolls sideways is reachable by keyboard and named (axe-core's
scrollable-region-focusable): tabindex="0", role="region" and a label, in every template."""
import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_every_scrolling_table_wrapper_takes_focus_and_has_a_name():
    wrappers = []
    for path in TEMPLATES.rglob("*.html"):
        for tag in re.findall(r'<div[^>]*class="[^"]*\btable-wrap\b[^"]*"[^>]*>', path.read_text()):
            wrappers.append((path.relative_to(TEMPLATES), tag))
    assert len(wrappers) >= 10
    missing = [(str(path), tag) for path, tag in wrappers
               if 'tabindex="0"' not in tag or 'role="region"' not in tag
               or not re.search(r'aria-label(ledby)?="[^"]+"', tag)]
    assert missing == []
