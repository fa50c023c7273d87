"""Moved to drivers/http/client.py. This name stays for plugins and tests, and is that very module
(sys.modules maps it there): setting an attribute here, as tests do, sets it there."""

import sys

from drivers.http import client as _module
from drivers.http.client import *  # noqa: F403

sys.modules[__name__] = _module
