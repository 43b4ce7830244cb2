"""The images provider: generate and edit for one deployment, knowing nothing of HTTP.

It checks the model supports the operation, validates the request against the catalog, screens the
prompt against the account's block terms, and makes the pictures, answers and stream events in Azure's
shape. The routes in ``dataplane.py`` do the HTTP around it.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from emulator.accounts import AccountSpec, DeploymentSpec
from emulator.catalog import Catalog, Model
from emulator.errors import invalid_request, operation_not_supported, prompt_blocked
from emulator.imaging import ImageCache, Picture, edit
from emulator.multipart import EditInputs
from emulator.validation import ImageRequest, parse_image_request

GENERATE = "imageGeneration"
EDIT = "imageEdit"
# OpenAI's published output token counts for a 1024x1024 picture; other sizes scale with the area.
_OUTPUT_TOKENS = {"low": 272, "medium": 1056, "high": 4160}
_INPUT_IMAGE_TOKENS = {"low": 323, "high": 4160}
_SAFE = {"filtered": False, "severity": "safe"}
_CLEAR = {"filtered": False, "detected": False}
CONTENT_FILTER_RESULTS = {"hate": _SAFE, "self_harm": _SAFE, "sexual": _SAFE, "violence": _SAFE}
# Flat, as the specs' image prompt results are (AzureContentFilterImagePromptResults, which requires
# jailbreak; dalleFilterResults in 2025-04-01-preview), not the chat shape {index, content_filter_results}.
PROMPT_FILTER_RESULTS = {
    **CONTENT_FILTER_RESULTS,
    "profanity": _CLEAR,
    "jailbreak": _CLEAR,
    "custom_blocklists": {"filtered": False, "details": []},
}


@dataclass(frozen=True)
class ImageAnswer:
    created: int
    request: ImageRequest
    images: tuple[bytes, ...]
    usage: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        data = [
            {
                "b64_json": base64.b64encode(image).decode("ascii"),
                "content_filter_results": CONTENT_FILTER_RESULTS,
                "prompt_filter_results": PROMPT_FILTER_RESULTS,
            }
            for image in self.images
        ]
        background = "transparent" if self.request.background == "transparent" else "opaque"
        return {
            "created": self.created,
            "data": data,
            "background": background,
            "output_format": self.request.output_format,
            "quality": self.request.quality,
            "size": self.request.size,
            "usage": self.usage,
        }


class ImagesProvider:
    def __init__(
        self, catalog: Catalog, cache: ImageCache, *, accept_webp: bool = True, realistic: bool = False
    ) -> None:
        self._catalog = catalog
        self._cache = cache
        self._accept_webp = accept_webp
        self._realistic = realistic

    def rules_for(self, deployment: DeploymentSpec, operation: str) -> Model:
        rules = self._catalog.model(deployment.model)
        if rules is None or operation not in rules.operations:
            raise operation_not_supported(operation, deployment.model)
        return rules

    def validate(
        self, rules: Model, fields: Mapping[str, Any], operation: str, *, from_form: bool
    ) -> ImageRequest:
        return parse_image_request(
            fields, rules, edit=operation == EDIT, from_form=from_form, accept_webp=self._accept_webp
        )

    @staticmethod
    def screen_prompt(account: AccountSpec, prompt: str) -> None:
        lowered = prompt.casefold()
        if any(term.casefold() in lowered for term in account.block_terms if term):
            raise prompt_blocked()

    def make(
        self,
        deployment: DeploymentSpec,
        request: ImageRequest,
        inputs: EditInputs | None = None,
        *,
        detail: float = 1.0,
        only_index: int | None = None,
    ) -> tuple[bytes, ...]:
        indexes = range(request.n) if only_index is None else (only_index,)
        pictures = [
            Picture(
                deployment.name,
                request.prompt,
                i,
                request.width,
                request.height,
                request.output_format,
                request.output_compression,
                request.background == "transparent",
                realistic=self._realistic,
                quality=request.quality,
            )
            for i in indexes
        ]
        if inputs is None:
            return tuple(self._cache.get_or_make(p, detail) for p in pictures)
        keep_size = request.size_label == "auto"
        return tuple(
            edit(inputs.images[0], inputs.mask, p, keep_size=keep_size, detail=detail) for p in pictures
        )

    def answer(
        self, deployment: DeploymentSpec, request: ImageRequest, inputs: EditInputs | None = None
    ) -> ImageAnswer:
        if inputs is not None and request.size_label == "auto":
            first = inputs.images[0]
            request = _with_size(request, first.width, first.height)
        images = self.make(deployment, request, inputs)
        return ImageAnswer(int(time.time()), request, images, usage(request, inputs))

    def stream(
        self,
        deployment: DeploymentSpec,
        request: ImageRequest,
        operation: str,
        inputs: EditInputs | None = None,
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """(event, data) pairs: ``partial_images`` coarser frames, then the completed picture, per image."""
        if inputs is not None and request.size_label == "auto":
            request = _with_size(request, inputs.images[0].width, inputs.images[0].height)
        prefix = "image_generation" if operation == GENERATE else "image_edit"
        created = int(time.time())
        common = {
            "background": "transparent" if request.background == "transparent" else "opaque",
            "created_at": created,
            "output_format": request.output_format,
            "quality": request.quality,
            "size": request.size,
        }
        for index in range(request.n):
            for partial in range(request.partial_images):
                detail = (partial + 1) / (request.partial_images + 2)
                (data,) = self.make(deployment, request, inputs, detail=detail, only_index=index)
                yield (
                    f"{prefix}.partial_image",
                    {
                        "type": f"{prefix}.partial_image",
                        "b64_json": _b64(data),
                        "partial_image_index": partial,
                        **common,
                    },
                )
            (data,) = self.make(deployment, request, inputs, only_index=index)
            yield (
                f"{prefix}.completed",
                {
                    "type": f"{prefix}.completed",
                    "b64_json": _b64(data),
                    **common,
                    "usage": usage(request, inputs),
                },
            )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _with_size(request: ImageRequest, width: int, height: int) -> ImageRequest:
    return replace(request, width=width, height=height)


def usage(request: ImageRequest, inputs: EditInputs | None) -> dict[str, Any]:
    text_tokens = max(1, len(request.prompt) // 4)
    image_tokens = 0
    if inputs is not None:
        per_image = _INPUT_IMAGE_TOKENS.get(request.input_fidelity or "low", 323)
        image_tokens = per_image * len(inputs.images)
    area = request.width * request.height / (1024 * 1024)
    output = round(_OUTPUT_TOKENS.get(request.quality, 4160) * area) * request.n
    return {
        "input_tokens": text_tokens + image_tokens,
        "input_tokens_details": {"text_tokens": text_tokens, "image_tokens": image_tokens},
        "output_tokens": output,
        "total_tokens": text_tokens + image_tokens + output,
    }


def require_model_field(fields: Mapping[str, Any]) -> str:
    """The v1 routes name the deployment in ``model``."""
    model = fields.get("model")
    if model is None or model == "":
        raise invalid_request(
            "Missing required parameter: 'model'.", param="model", code="missing_required_parameter"
        )
    if not isinstance(model, str):
        raise invalid_request(
            "Invalid type for 'model': expected a string.", param="model", code="invalid_type"
        )
    return model
