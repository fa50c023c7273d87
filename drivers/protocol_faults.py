"""Moved to drivers/http/faults.py. This name stays for plugins and tests, and is that very module
(sys.modules maps it there): setting an attribute here, as tests do, sets it there."""

import sys

from drivers.http import faults as _module
from drivers.http.faults import *  # noqa: F403

sys.modules[__name__] = _module
