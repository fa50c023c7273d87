"""`together-dedicated`: a Together dedicated endpoint.

Upstream looks the endpoint up with Together's projects API
(GET /v2/projects/{project_id}/endpoints), starts it (PATCH autoscaling to one replica) and sends
chat completions with the endpoint's name as the model. Doing that needs the internet and a real
account, so here the endpoint is given: the UID's model is the endpoint name Together shows
(`myorg/Llama-3.3-70B-Instruct-Turbo-1a2b3c4d:together-dedicated`), sent as `model` to
https://api-inference.together.ai/v1/chat/completions, or `;url=` points at another base
URL. Start the endpoint in the Together dashboard first (and stop it after: it is billed while
it runs). Same wire format, options and secret ([together] api_key) as `together`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from drivers.providers.together import TogetherSUTFactory

DRIVER_NAME = "together-dedicated"


class TogetherDedicatedSUTFactory(TogetherSUTFactory):
    DESCRIPTION = (
        "A Together dedicated endpoint: the model is the endpoint name (no endpoint lookup or "
        "start: that needs a real account online), or ;url= its base URL."
    )
    EXAMPLE_UIDS: ClassVar[Sequence[str]] = (
        "myorg/Llama-3.3-70B-Instruct-Turbo-1a2b3c4d:together-dedicated",
        "meta-llama/Llama-3.3-70B-Instruct-Turbo:together-dedicated;url=https://host/v1",
    )
