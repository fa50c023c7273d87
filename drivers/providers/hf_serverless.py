"""`hf-serverless`: upstream's newer name for Hugging Face serverless inference, through the
inference-providers router (https://router.huggingface.co/v1/chat/completions, OpenAI-style).

As upstream, the provider is required: `maker/model:PROVIDER:hf-serverless` sends the model
"maker/model:PROVIDER" (PROVIDER may also be one of the router's policies, `fastest` or
`cheapest`). Upstream first looks the model's provider mapping up on the Hub
(model_info(..., expand=["inferenceProviderMapping"])); this driver does not, so a provider that
does not serve the model is the router's own 400/404, with its message kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from drivers.providers.hfrelay import HFRelaySUTFactory

DRIVER_NAME = "hf-serverless"


class HFServerlessSUTFactory(HFRelaySUTFactory):
    DESCRIPTION = (
        "Hugging Face serverless inference through the HF router; provider required "
        "(maker/model:PROVIDER:hf-serverless)."
    )
    EXAMPLE_UIDS: ClassVar[Sequence[str]] = (
        "meta-llama/Llama-3.1-8B-Instruct:together:hf-serverless",
        "google/gemma-3-27b-it:nebius:hf-serverless",
        "Qwen/Qwen2.5-7B-Instruct:fastest:hf-serverless",
    )
