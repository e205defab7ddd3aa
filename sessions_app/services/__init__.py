"""Every write of sessions, one module per subject: import from the subject's module (there is no re-export
here), e.g. `from sessions_app.services.bookings import book_session`. The outbox is sessions_app.outbox."""
