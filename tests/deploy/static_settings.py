"""config.settings, reading static files from a tree the test built and collecting them where the test says.

Only these two paths differ from a deployment (SIDEBAR_TEST_STATIC_DIR, SIDEBAR_TEST_STATIC_ROOT): the
storage, DEBUG and the middleware are the real ones.
"""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

STATICFILES_DIRS = [Path(os.environ["SIDEBAR_TEST_STATIC_DIR"])]
STATIC_ROOT = Path(os.environ["SIDEBAR_TEST_STATIC_ROOT"])
