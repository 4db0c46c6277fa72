"""Hero frames (images.generate) and product-photo enhancement (images.edit) with OpenAI image models.

One frame engine and one photo engine per catalog model ("openai:gpt-image-1.5", ...). The images come back as
base64. OpenAI sizes are fixed (1024², 1536×1024, 1024×1536): the nearest is asked for and the result is
centre-cropped to the requested aspect ratio. Costs follow the catalog's per-image rule for the quality and size the
response reports; sizes without a listed price are recorded as unknown. OpenAI image models take no seed and no
negative prompt.
"""
from __future__ import annotations

import base64
import io
from typing import Any

from pipeline.engines.interfaces import (
    EngineCheckpoint,
    EngineSpec,
    FrameRequest,
    PhotoEnhanceOptions,
    ProgressFn,
    RenderedFrame,
    no_progress,
)
from pipeline.errors import EngineInputError, ProviderError
from pipeline.providers.catalog import ModelSpec, load_catalog

EDIT_PROMPT = ("Enhance this product photograph into a clean commercial hero frame. Keep the product, its shape, "
               "label, text, logo and colours exactly as they are; do not add, remove or move objects.")
EDIT_STEPS = {
    "white_balance": "Correct the white balance to neutral.",
    "exposure": "Correct the exposure: open the shadows, keep the highlights.",
    "contrast": "Add gentle local contrast.",
    "sharpen": "Sharpen fine detail slightly, without halos.",
}


class _OpenAIImage:
    def __init__(self, spec: ModelSpec, settings: Any = None) -> None:
        self.spec, self.settings = spec, settings
        self.name, self.label = spec.id, spec.label

    def _size(self, aspect_ratio: str) -> str:
        return self.spec.limits.sizes.get(aspect_ratio) or self.spec.limits.sizes.get(
            self.spec.nearest_ratio(aspect_ratio), "1024x1024")

    def _finish(self, response, requested: dict[str, Any], aspect_ratio: str | float | None, what: str):
        """(image, parameters, cost) from an ImagesResponse; ProviderError when it holds no readable image."""
        from pipeline.providers import price
        from pipeline.providers.common import crop_to_ratio, decode_image

        images = [item for item in (getattr(response, "data", None) or []) if getattr(item, "b64_json", None)]
        if not images:
            raise ProviderError(f"{what}: OpenAI returned no image.")
        try:
            data = base64.b64decode(images[0].b64_json, validate=True)
        except (ValueError, TypeError):
            raise ProviderError(f"{what}: OpenAI returned an image that cannot be decoded.") from None
        image = decode_image(data, f"OpenAI ({self.spec.model})")
        if aspect_ratio:
            image = crop_to_ratio(image, aspect_ratio)
        billed = {"quality": getattr(response, "quality", None) or requested.get("quality"),
                  "size": getattr(response, "size", None) or requested.get("size")}
        cost = price.actual(self.spec, {"image_output_count": len(images)}, billed)
        usage = getattr(response, "usage", None)
        parameters = {"provider": "openai", "model": self.spec.model, "inputs": requested, "billed_as": billed,
                      "usage": usage.model_dump() if usage is not None else None, "seed_used": False,
                      "cost_usd": cost, "cost_known": cost is not None}
        return image, parameters, cost

    def _client(self):
        from pipeline.providers.openai_run import make_client

        return make_client(self.settings)


class OpenAIFrameEngine(_OpenAIImage):
    def render(self, request: FrameRequest, progress: ProgressFn = no_progress,
               checkpoint: EngineCheckpoint | None = None) -> RenderedFrame:
        from pipeline.providers.openai_run import call

        if not request.prompt or not request.prompt.strip():
            raise EngineInputError("The prompt is empty. Describe the shot you want.")
        requested = {"model": self.spec.model, "size": self._size(request.aspect_ratio),
                     "quality": self.settings.openai_image_quality, "n": 1, "output_format": "png"}
        progress(5, f"Asking {self.spec.label}")
        client = self._client()
        try:
            response = call(lambda: client.images.generate(prompt=request.prompt, **requested), self.settings,
                            "Hero frame")
        finally:
            client.close()
        image, parameters, cost = self._finish(response, requested, request.aspect_ratio, "Hero frame")
        progress(100, "Image ready")
        return RenderedFrame(image=image, seed=request.seed, model=self.spec.model, parameters=parameters,
                             cost_usd=cost)


class OpenAIPhotoEnhancer(_OpenAIImage):
    def enhance(self, image: Any, options: PhotoEnhanceOptions) -> RenderedFrame:
        from PIL import Image

        from pipeline.engines.interfaces import ASPECT_RATIOS
        from pipeline.providers.common import crop_to_ratio
        from pipeline.providers.openai_run import call

        picture = image if isinstance(image, Image.Image) else Image.fromarray(image)
        picture = picture.convert("RGB")
        ratio = options.crop_to_aspect
        if ratio:
            picture = crop_to_ratio(picture, ratio)
        else:
            ratio = min(ASPECT_RATIOS, key=lambda r: abs(ASPECT_RATIOS[r][0] / ASPECT_RATIOS[r][1]
                                                         - picture.width / picture.height))
        steps = [text for name, text in EDIT_STEPS.items() if getattr(options, name)]
        prompt = " ".join([EDIT_PROMPT, *steps])
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG")
        requested = {"model": self.spec.model, "size": self._size(ratio), "quality": self.settings.openai_image_quality,
                     "input_fidelity": "high", "output_format": "png"}
        client = self._client()
        try:
            response = call(lambda: client.images.edit(image=("photo.png", buffer.getvalue(), "image/png"),
                                                       prompt=prompt, **requested), self.settings, "Photo enhancement")
        finally:
            client.close()
        # keep the photo's own framing: crop the model's fixed size back to the photo's ratio
        result, parameters, cost = self._finish(response, requested, picture.width / picture.height,
                                                "Photo enhancement")
        parameters["edit_prompt"] = prompt
        return RenderedFrame(image=result, seed=0, model=self.spec.model, parameters=parameters, cost_usd=cost)


def _configured(settings: Any) -> bool:
    from pipeline.providers.openai_run import configured

    return configured(settings)


def _factory(cls, spec: ModelSpec):
    def build(settings: Any = None):
        return cls(spec, settings)

    return build


_MISSING = "set HFS_OPENAI_API_KEY, or HFS_OPENAI_BASE_URL for an OpenAI-compatible server"


def ENGINES() -> list[EngineSpec]:  # noqa: N802 — the name every engine module offers its engines by
    """One frame engine per OpenAI image model and one photo enhancer per edit model in the catalog."""
    offered = [("frame", "text-to-image", OpenAIFrameEngine), ("photo", "image-edit", OpenAIPhotoEnhancer)]
    return [EngineSpec(kind, spec.id, _factory(engine_class, spec), wants_settings=True, configured=_configured,
                       missing=_MISSING)
            for kind, catalog_kind, engine_class in offered for spec in load_catalog().select("openai", catalog_kind)]
