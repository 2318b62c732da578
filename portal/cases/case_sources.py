"""Records of other apps a case can be opened from, without the cases app knowing those apps.

An app whose records can become cases (the ideas ledger: a blocker) registers itself in its
``AppConfig.ready()``::

    case_sources.register("suggestion", model=Suggestion, slug_field="number", link=suggestion_case_link,
                          opens=("blocker",), url=suggestion_page_url)

``name`` is the field the case API takes (``suggestion``: a ledger number). The case keeps the
record's reference (``Case.source_reference``) as plain data; the registering app holds the link
itself. ``link(record, case)`` runs right after the case is opened, in the same transaction, and
raises a domain error (a 409 when the record already has a case) to roll the opening back.
``opens`` names the ``Case.Source`` values of the cases the source opens and ``url(reference)``
the record's page, so the case page can link back to the record it came from.
"""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class CaseSource:
    name: str
    model: type[models.Model]
    slug_field: str
    link: Callable[[Any, Any], None]
    opens: tuple[str, ...] = ()
    url: Callable[[str], str] | None = None

    def reference(self, record: models.Model) -> str:
        return str(getattr(record, self.slug_field))


_SOURCES: dict[str, CaseSource] = {}


def register(name: str, *, model: type[models.Model], slug_field: str, link: Callable[[Any, Any], None],
             opens: tuple[str, ...] = (), url: Callable[[str], str] | None = None) -> None:
    """Register (or replace) the source called ``name``."""
    _SOURCES[name] = CaseSource(name=name, model=model, slug_field=slug_field, link=link, opens=tuple(opens), url=url)


def get(name: str) -> CaseSource | None:
    return _SOURCES.get(name)


def for_record(record: models.Model) -> CaseSource:
    """The registered source ``record`` belongs to; ValueError for a record of no source."""
    for source in _SOURCES.values():
        if isinstance(record, source.model):
            return source
    raise ValueError(f"{type(record).__name__} is not a registered case source")


def origin_url(case) -> str | None:
    """The page of the record ``case`` was opened from (a ledger entry), or None: a case opened
    at the desk, or a source that gives no page."""
    if not case.source_reference:
        return None
    for source in _SOURCES.values():
        if case.source in source.opens and source.url is not None:
            return source.url(case.source_reference)
    return None
