"""The one helper every state machine moves through.

A stateful model declares ``TRANSITIONS``: a mapping from a status to the statuses it may move
to. Each move is its own action (``suggestion_accept``, ``booking_cancel``, ...) that checks who
may act and what the move needs, then calls :func:`transition_move`, which

* refuses a move the table does not allow (``TransitionNotAllowed``, 409),
* changes the status with a conditional ``UPDATE ... WHERE status = <the status we read>`` so
  that two people moving the same object at once cannot both succeed (the loser gets the 409),
* writes the history row in the same transaction, with the same field names in every app
  (``at``, ``by``, ``from_status``, ``to_status``, ``note``),
* and queues the notification for after the commit, so no mail is sent for a move that was
  rolled back.
"""
from collections.abc import Callable, Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from portal.exceptions import TransitionNotAllowed


def transition_allowed(obj: models.Model, to: str, *, field: str = "status") -> bool:
    """Whether ``obj.TRANSITIONS`` has a move from the object's current status to ``to``."""
    return to in obj.TRANSITIONS.get(getattr(obj, field), ())


def transition_move(
    obj: models.Model,
    *,
    to: str,
    by: Any,
    history: type[models.Model],
    link: str,
    note: str = "",
    field: str = "status",
    changes: Mapping[str, Any] | None = None,
    history_extra: Mapping[str, Any] | None = None,
    notify: Callable[[], None] | None = None,
    message: str | None = None,
) -> models.Model:
    """Move ``obj`` to ``to``, write its history row and queue ``notify`` after the commit.

    ``history`` is the history model and ``link`` the name of its foreign key to ``obj``;
    ``changes`` are other fields written in the same UPDATE (an answer, a completion time);
    ``history_extra`` are further fields of the history row. Raises ``TransitionNotAllowed``
    when the table forbids the move or another request moved the object first; then nothing
    is written. Returns ``obj`` with the new status and changes applied.
    """
    current = getattr(obj, field)
    if not transition_allowed(obj, to, field=field):
        raise TransitionNotAllowed(message)
    changes = dict(changes or {})
    with transaction.atomic():
        moved = type(obj)._default_manager.filter(pk=obj.pk, **{field: current}).update(
            **{field: to}, **changes
        )
        if moved != 1:
            # Someone else moved it between our read and this UPDATE: their move stands.
            raise TransitionNotAllowed(message)
        setattr(obj, field, to)
        for name, value in changes.items():
            setattr(obj, name, value)
        history._default_manager.create(
            **{link: obj},
            at=timezone.now(),
            by=by,
            from_status=current,
            to_status=to,
            note=note,
            **dict(history_extra or {}),
        )
        if notify is not None:
            transaction.on_commit(notify)
    return obj
