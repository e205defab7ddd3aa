"""What happens elsewhere when a person leaves the company (deactivated by SCIM, the CSV import or HR).

provisioning deactivates; apps that hold a person's place in something shared (a seat in a group session, a
place on a waiting list) register a handler in their AppConfig.ready() and give it up, so that the person
does not keep a seat somebody else is waiting for. Handlers run inside the deactivating transaction: they
write (rows, outbox messages), they never send.
"""

from collections.abc import Callable
from datetime import datetime

from marketplace.models import User

DepartureHandler = Callable[[User, datetime], None]

_handlers: list[DepartureHandler] = []


def register_departure_handler(handler: DepartureHandler) -> None:
    if handler not in _handlers:
        _handlers.append(handler)


def person_departed(person: User, now: datetime) -> None:
    for handler in _handlers:
        handler(person, now)
