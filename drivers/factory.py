"""DynamicSUTFactory: makes a SUT from a parsed UID, as the modelgauge guide describes.

Beyond the guide, a factory may declare which UID options it accepts (so an unknown option is a
clear error, never a TypeError), a description and example UIDs for `sutui list-drivers`, list
its provider's models (`list_models`) and check its keys (`check_secrets`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

from drivers.model_listing import ListedModel, ModelsNotListed
from drivers.secrets import InjectSecret, RawSecrets, resolve_injected
from drivers.sut import SUT
from drivers.uid import SUTDefinition


class SecretsNotChecked(Exception):
    """This driver has no way to check its keys (no list endpoint, no check hook)."""


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

    async def check_secrets(self, sut_definition: SUTDefinition) -> str | None:
        """Ask the provider whether this factory's secrets work, with its cheapest authenticated
        call, through the shared transport (drivers/transport.py: its timeouts, retries and
        error classification). Raise SUTError of kind auth (or permission) when the key is
        refused; return None, or a few words on what was checked ("checked offline"). Used by
        `sutui secrets test SCOPE` and the app's setup dialog, with a definition like
        `list_models`'s. Optional: the default lists the models when LISTS_MODELS, else raises
        SecretsNotChecked (`checks_secrets()` says which)."""
        if not self.LISTS_MODELS:
            raise SecretsNotChecked(f"the {sut_definition.driver} driver cannot check its keys")
        await self.list_models(sut_definition)
        return None

    @classmethod
    def checks_secrets(cls) -> bool:
        """True when `check_secrets` can ask the provider (overridden, or LISTS_MODELS)."""
        return cls.LISTS_MODELS or cls.check_secrets is not DynamicSUTFactory.check_secrets

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
