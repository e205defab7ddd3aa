from celery import shared_task
from django.core.management import call_command


@shared_task(name="marketplace.tasks.clear_expired_login_sessions")
def clear_expired_login_sessions() -> None:
    """Removes expired browser sessions from the database (nightly, from the beat schedule)."""
    call_command("clearsessions")
