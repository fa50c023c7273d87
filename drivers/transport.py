"""Moved to drivers/http/transport.py. This name stays for plugins and tests, and is that very
module (sys.modules maps it there): setting an attribute here, as tests do, sets it there."""

import sys

from drivers.http import transport as _module
from drivers.http.transport import *  # noqa: F403

sys.modules[__name__] = _module
