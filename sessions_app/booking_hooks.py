"""What apps above sessions_app hear of a booking, inside the booking's own transaction and under its locks
(waitlists marks the wait it answers as booked), without sessions_app importing them. Registered in
AppConfig.ready()."""

from collections.abc import Callable

from sessions_app.models import Booking

BookingListener = Callable[[Booking], None]

_listeners: list[BookingListener] = []


def register_booking_listener(listener: BookingListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def booking_made(booking: Booking) -> None:
    """Called by book_session once the booking is written, and by reschedule_booking once it is moved; a
    listener's error undoes the change."""
    for listener in _listeners:
        listener(booking)
