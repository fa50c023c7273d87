"""DynamicSUTFactory: makes a SUT from a parsed UID, as the modelgauge guide describes.

Beyond the guide, a factory may declare which UID options it accepts (so an unknown option is a
clear error, never a TypeError), a description and example UIDs for `sutui list-drivers`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

from drivers.model_listing import ListedModel, ModelsNotListed
from drivers.secrets import InjectSecret, RawSecrets, resolve_injected
from drivers.sut import SUT
from drivers.uid import SUTDefinition


class DynamicSUTFactory(ABC):
    """Turns `maker/model:provider:driver;options` into a SUT for one driver."""

    DESCRIPTION: ClassVar[str] = ""
    """One line on what the driver talks to."""
    ACCEPTED_OPTIONS: ClassVar[dict[str, str]] = {}
    """UID option -> help. A key ending in `*` accepts every option with that prefix (vllm-*)."""
    EXAMPLE_UIDS: ClassVar[Sequence[str]] = ()
    PROVIDER_REQUIRED: ClassVar[bool] = False
    STREAMS: ClassVar[bool] = False
    LISTS_MODELS: ClassVar[bool] = False
    """True when `list_models` asks the provider which models it serves."""

    def __init__(self, raw_secrets: RawSecrets):
        self.raw_secrets = raw_secrets

    @abstractmethod
    def get_secrets(self) -> list[InjectSecret[Any]]:
        """The secrets this driver's SUTs need."""

    @abstractmethod
    def make_sut(self, sut_definition: SUTDefinition) -> SUT:
        """Build the SUT named by the definition."""

    def validate(self, sut_definition: SUTDefinition) -> None:
        """Raise UIDError for a definition this driver can never make (an unknown model name, a
        bad option value). No network and no secrets: `sutui uid`, listings and the app call it
        before anything runs. The default accepts everything."""
        return None

    async def list_models(self, sut_definition: SUTDefinition) -> list[ListedModel]:
        """The models the provider serves for definitions like this one (its model is
        drivers.model_listing.ANY_MODEL; provider and options as a UID gives them), through
        the shared transport with this factory's secrets. Optional: set LISTS_MODELS = True
        when implemented (drivers/model_listing.py)."""
        raise ModelsNotListed(f"the {sut_definition.driver} driver cannot list its models")

    def secrets_for(self, sut_definition: SUTDefinition) -> list[InjectSecret[Any]]:
        """The secrets one SUT needs; drivers whose scope depends on the provider override it."""
        return self.get_secrets()

    def injected_secrets(self) -> list[Any]:
        """The values of get_secrets(), in order; raises once listing every missing one."""
        return resolve_injected(self.get_secrets(), self.raw_secrets)

    @classmethod
    def accepts_option(cls, key: str) -> bool:
        for accepted in cls.ACCEPTED_OPTIONS:
            if accepted.endswith("*"):
                if key.startswith(accepted[:-1]):
                    return True
            elif key == accepted:
                return True
        return False
