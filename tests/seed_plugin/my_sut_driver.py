"""A SUT driver written by following the modelgauge guide (seed/how-to-create-a-new-sut-driver.md).

Only the import lines differ from the guide, and only what the guide elides is filled in:
- the `requests.post(...)` call, done here with the standard library (`requests` is not a
  dependency of sutui): POST {"inputs": ...} to the API URL, read `.json()[0]`;
- where the API URL comes from: the environment variable MY_SUT_URL, read in the factory, and
  passed before the injected secrets, as upstream's HuggingFaceSUT(uid, api_url, token) does.

The test suite installs this module as a plugin (entry point group `sutui.drivers`) and also
registers it in-process through drivers.DYNAMIC_SUT_FACTORIES, the guide's own way.
"""

import json
import os
import urllib.request

from pydantic import BaseModel

from drivers import (
    AcceptsTextPrompt,
    DynamicSUTFactory,
    InjectSecret,
    PromptResponseSUT,
    RawSecrets,
    RequiredSecret,
    SecretDescription,
    SUTDefinition,
    SUTOptions,
    SUTResponse,
    TextPrompt,
    modelgauge_sut,
)


class MySUTRequest(BaseModel):
    inputs: str


class MySUTResponse(BaseModel):
    generated_text: str  # this will depend on what your provider's API returns


class _JSONResponse:
    """What the guide gets back from `requests.post`: an object with `.json()`."""

    def __init__(self, body: bytes):
        self._body = body

    def json(self):
        return json.loads(self._body)


def _post(url: str, json_body: dict, headers: dict) -> _JSONResponse:
    """A `requests.post(url, json=..., headers=...)` stand-in; HTTP errors raise."""
    data = json.dumps(json_body).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        return _JSONResponse(reply.read())


@modelgauge_sut(capabilities=[AcceptsTextPrompt])
class MySUT(PromptResponseSUT):
    def __init__(self, uid: str, api_url: str, api_key: "MySUTApiKey"):
        # configure the provider here (API key, base URL, etc)
        super().__init__(uid)
        self.api_url = api_url
        self.api_key = api_key.value

    def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> MySUTRequest:
        # turn a modelgauge prompt into a provider-compatible prompt
        return MySUTRequest(inputs=prompt.text)

    def translate_response(self, request: MySUTRequest, response: MySUTResponse) -> SUTResponse:
        # turn a provider-native prompt into a modelgauge-compatible response
        return SUTResponse(text=response.generated_text)

    def evaluate(self, request: MySUTRequest) -> MySUTResponse:
        # queries your provider's API and returns the API results in a Response object
        payload = request.model_dump(exclude_none=True)
        response = _post(
            self.api_url, json_body=payload, headers={"Authorization": f"Bearer {self.api_key}"}
        )
        response_json = response.json()[0]
        return MySUTResponse(**response_json)


DRIVER_NAME = "my_sut"


class MySUTApiKey(RequiredSecret):
    # adjust this to your specific provider
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(
            scope="my_host",  # name a scope in secrets.toml like this string
            key="api_key",
        )


class MySUTFactory(DynamicSUTFactory):
    def __init__(self, raw_secrets: RawSecrets):
        # RawSecrets is a dict of secrets
        super().__init__(raw_secrets)

    def get_secrets(self) -> list[InjectSecret]:
        api_key = InjectSecret(MySUTApiKey)
        return [api_key]

    def make_sut(self, sut_definition: SUTDefinition) -> MySUT:
        sut_metadata = sut_definition.to_dynamic_sut_metadata()  # noqa: F841 (as in the guide)
        return MySUT(
            sut_definition.dynamic_uid,
            os.environ["MY_SUT_URL"],
            *self.injected_secrets(),
        )
