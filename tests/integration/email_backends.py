"""An email backend for the real-worker tests: one file per message, named by its outbox row.

SIDEBAR_TEST_SEND_DELAY (seconds) makes each send slow, so that a test can kill a worker in the middle: while
a slow send is under way, a file `sending-<outbox id>` is there.
"""

import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

from sessions_app.notifications import OUTBOX_HEADER


class OneFilePerMessageBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        delay = float(os.environ.get("SIDEBAR_TEST_SEND_DELAY", "0"))
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            outbox_id = message.extra_headers.get(OUTBOX_HEADER, "none")
            in_flight = folder / f"sending-{outbox_id}"
            if delay:
                in_flight.touch()  # a test waits for this to kill the worker while the mail is not out yet
                time.sleep(delay)  # the slowness is the point: a test kills the worker mid-send
            path = folder / f"{outbox_id}-{uuid.uuid4().hex}.eml"
            path.write_bytes(message.message().as_bytes())
            in_flight.unlink(missing_ok=True)
        return len(email_messages)
