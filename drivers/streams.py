"""Moved to drivers/http/streams.py. This name stays for plugins and tests, and is that very module
(sys.modules maps it there): setting an attribute here, as tests do, sets it there."""

import sys

from drivers.http import streams as _module
from drivers.http.streams import *  # noqa: F403

sys.modules[__name__] = _module
