"""One Replicate prediction: create without blocking (or resume a stored one), poll, cancel, download.

The prediction id is saved to the engine checkpoint (Job.engine_state) right after create, so a restarted worker
polls the same prediction instead of paying for a new one. Replicate deletes inputs and outputs after an hour:
outputs are downloaded as soon as the prediction succeeds. Uses the replicate SDK (1.x), imported lazily.
"""
from __future__ import annotations

import base64
import logging
import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any, BinaryIO

from pipeline.engines.interfaces import EngineCheckpoint, ProgressFn
from pipeline.errors import EngineInputError, JobCancelled, ProviderError, TransientEngineError
from pipeline.providers import price
from pipeline.providers.catalog import ModelSpec
from pipeline.providers.common import RETRYABLE_STATUS, clip, provider_failure, redact, with_retries

log = logging.getLogger(__name__)
TERMINAL = ("succeeded", "failed", "canceled")
BILLING_METRICS = ("predict_time", "total_time", "video_output_duration_seconds", "video_output_count",
                   "image_output_count")


def configured(settings: Any) -> bool:
    token = getattr(settings, "replicate_api_token", None)
    return token is not None and bool(token.get_secret_value())


def make_client(settings: Any):
    if settings is None or not configured(settings):
        raise EngineInputError("Replicate is not configured: set HFS_REPLICATE_API_TOKEN (or REPLICATE_API_TOKEN).")
    import httpx
    import replicate

    return replicate.Client(api_token=settings.replicate_api_token.get_secret_value(),
                            base_url=settings.replicate_base_url or None,
                            timeout=httpx.Timeout(30.0, connect=10.0))


class ReplicateRun:
    def __init__(self, spec: ModelSpec, settings: Any, progress: ProgressFn, checkpoint: EngineCheckpoint,
                 what: str) -> None:
        self.spec, self.settings, self.progress, self.checkpoint, self.what = spec, settings, progress, checkpoint, what
        self.client = make_client(settings)
        self.state: dict[str, Any] = checkpoint.load()

    # ------------------------------------------------------------ create or resume, then wait
    def run(self, inputs: dict[str, Any], files: dict[str, BinaryIO] | None = None):
        """The finished, succeeded prediction. Failed, cancelled or timed-out predictions raise ProviderError
        (or JobCancelled) after their charge was saved to the checkpoint."""
        prediction_id = self.state.get("prediction_id")
        if prediction_id:  # a restarted worker: poll the stored prediction, never pay for a second one
            log.info("%s: resuming Replicate prediction %s", self.what, prediction_id)
            prediction = self._get(prediction_id)
        else:
            self.progress(2, f"{self.what}: starting {self.spec.label}")
            prediction = self._create(inputs, files or {})
            self.state = {"provider": "replicate", "model": self.spec.model, "prediction_id": prediction.id,
                          "created": time.time(), "status": prediction.status}
            self.checkpoint.save(self.state)
        prediction = self._wait(prediction)
        self._settle(prediction, inputs)
        if prediction.status == "failed":
            raise provider_failure("Replicate", f"prediction {prediction.id} failed: "
                                                f"{prediction.error or 'no reason given'}", self.settings)
        if prediction.status == "canceled":
            raise ProviderError(f"Replicate: prediction {prediction.id} was cancelled on Replicate.")
        return prediction

    def _create(self, inputs: dict[str, Any], files: dict[str, BinaryIO]):
        from replicate.exceptions import ReplicateError

        def create():
            body = {**inputs, **files}  # open files are uploaded by the SDK through POST /v1/files
            if self.spec.version is not None or self.state.get("version"):
                return self.client.predictions.create(version=self.spec.version or self.state["version"], input=body)
            return self.client.models.predictions.create(model=self.spec.model, input=body)

        if self._community():
            self.state["version"] = self._latest_version()
        try:
            return with_retries(create, retries=self.settings.provider_retries,
                                base_delay=self.settings.provider_retry_delay, what=f"Replicate {self.spec.model}",
                                classify=_classify_create, settings=self.settings)
        except ReplicateError as exc:
            raise provider_failure("Replicate", f"could not start {self.spec.model}: {_describe(exc)}",
                                   self.settings) from None
        except (ValueError, TypeError) as exc:  # JSONDecodeError or a body that is not a prediction
            # Not retried: the start may have been taken, and a second one would be paid twice.
            what = "not JSON" if "JSON" in type(exc).__name__ else "unexpected fields"
            raise ProviderError(f"Replicate answered the request to start {self.spec.model} with something that "
                                f"is not a prediction ({what}). Check the Replicate dashboard before starting it "
                                "again.") from None

    def _community(self) -> bool:
        return not self.spec.official and self.spec.version is None

    def _latest_version(self) -> str:
        from replicate.exceptions import ReplicateError

        try:
            model = self.client.models.get(self.spec.model)
        except ReplicateError as exc:
            raise provider_failure("Replicate", f"cannot read {self.spec.model}: {_describe(exc)}",
                                   self.settings) from None
        if model.latest_version is None:
            raise ProviderError(f"Replicate: {self.spec.model} has no published version.")
        return model.latest_version.id

    def _wait(self, prediction):
        started = float(self.state.get("created") or time.time())
        timeout = self.settings.replicate_timeout
        while prediction.status not in TERMINAL:
            elapsed = time.time() - started
            try:
                self.progress(_percent(prediction, elapsed), f"{self.what}: {prediction.status} on Replicate "
                                                             f"({elapsed:.0f} s)")
            except JobCancelled:
                self.stop(prediction.id)
                raise
            if elapsed > timeout:
                self.stop(prediction.id)
                raise ProviderError(f"Replicate: prediction {prediction.id} did not finish within {timeout:g} s "
                                    f"(still {prediction.status}); it was cancelled.")
            time.sleep(self.settings.replicate_poll_interval)
            prediction = self._get(prediction.id)
        return prediction

    def _get(self, prediction_id: str):
        import httpx
        from replicate.exceptions import ReplicateError

        try:
            return self.client.predictions.get(prediction_id)
        except ReplicateError as exc:
            if exc.status == 404:
                raise ProviderError(f"Replicate: prediction {prediction_id} no longer exists (Replicate deletes "
                                    "predictions' data after an hour).") from None
            if exc.status in RETRYABLE_STATUS:
                raise TransientEngineError(f"Replicate is not answering polls ({_describe(exc)})") from None
            raise provider_failure("Replicate", _describe(exc), self.settings) from None
        except httpx.TransportError as exc:
            raise TransientEngineError(f"Replicate could not be reached ({type(exc).__name__})") from None
        except (ValueError, TypeError) as exc:  # a malformed prediction object
            raise ProviderError(f"Replicate sent an unreadable prediction ({type(exc).__name__}).") from None

    # ------------------------------------------------------------ stop and settle
    def stop(self, prediction_id: str) -> None:
        """Cancel the prediction (best effort) and record what it cost."""
        self.state = cancel_prediction(self.client, self.spec, self.settings, self.state, prediction_id)
        self.checkpoint.save(self.state)

    def _settle(self, prediction, inputs: dict[str, Any]) -> None:
        self.state.update(status=prediction.status, final=True, metrics=_billing(prediction.metrics),
                          cost_usd=price.actual(self.spec, prediction.metrics, inputs))
        self.checkpoint.save(self.state)

    # ------------------------------------------------------------ outputs
    def output_urls(self, prediction) -> list[str]:
        output = prediction.output
        items = output if isinstance(output, list) else list(output.values()) if isinstance(output, dict) else [output]
        urls = [item for item in items if isinstance(item, str) and item.startswith(("http://", "https://", "data:"))]
        if not urls:
            raise ProviderError(f"Replicate: prediction {prediction.id} succeeded but returned no output file "
                                f"(output: {clip(repr(output), 120)}).")
        return urls

    def fetch(self, url: str, destination: Path | None = None) -> bytes | Path:
        """Download an output now (Replicate deletes it after an hour). No API token is sent with it."""
        import httpx

        if url.startswith("data:"):
            data = base64.b64decode(url.split(",", 1)[1])
            if destination is None:
                return data
            Path(destination).write_bytes(data)
            return Path(destination)
        try:
            with httpx.Client(timeout=httpx.Timeout(120.0, connect=10.0), follow_redirects=True) as http, \
                    http.stream("GET", url) as response:
                if response.status_code in (403, 404, 410):
                    raise ProviderError(f"Replicate: the output of prediction {self.state.get('prediction_id')} "
                                        f"is gone (HTTP {response.status_code}).")
                if response.status_code >= 400:
                    raise TransientEngineError(f"downloading the output failed (HTTP {response.status_code})")
                if destination is None:
                    return response.read()
                return _stream_to(response, Path(destination))
        except httpx.TransportError as exc:
            raise TransientEngineError(f"downloading the output failed ({type(exc).__name__})") from None


def cancel_prediction(client, spec: ModelSpec, settings: Any, state: dict[str, Any], prediction_id: str) -> dict:
    """Cancel a prediction and return the state with its final status and charge (unknown if cancel failed)."""
    import httpx
    from replicate.exceptions import ReplicateError

    state = {**state, "cancel_requested": True}
    try:
        prediction = with_retries(lambda: client.predictions.cancel(prediction_id), retries=settings.provider_retries,
                                  base_delay=settings.provider_retry_delay, what="Replicate cancel",
                                  classify=_classify_create, settings=settings)
        if prediction.status not in TERMINAL:
            prediction = client.predictions.get(prediction_id)
    except (ReplicateError, TransientEngineError, httpx.TransportError, ValueError) as exc:
        log.warning("Could not cancel Replicate prediction %s: %s", prediction_id, redact(exc, settings))
        return {**state, "cancel_failed": True, "cost_usd": None}
    return {**state, "status": prediction.status, "final": prediction.status in TERMINAL,
            "metrics": _billing(prediction.metrics), "cost_usd": price.actual(spec, prediction.metrics)}


def abandon(spec: ModelSpec, settings: Any, state: dict[str, Any]) -> dict[str, Any]:
    """A job ended (failed for good, cancelled while no worker ran it) with its prediction maybe still running:
    cancel it so it stops costing money, and return the state with what it was charged."""
    if not state.get("prediction_id") or state.get("final"):
        return state
    return cancel_prediction(make_client(settings), spec, settings, state, state["prediction_id"])


def _stream_to(response, destination: Path) -> Path:
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{destination.stem}.", suffix=".download", dir=destination.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in response.iter_bytes():
                out.write(chunk)
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, destination)
    finally:
        Path(temp_name).unlink(missing_ok=True)
    return destination


def _classify_create(exc: BaseException) -> str | None:
    import httpx
    from replicate.exceptions import ReplicateError

    if isinstance(exc, ReplicateError) and exc.status in RETRYABLE_STATUS:
        return f"HTTP {exc.status}"
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return "connection failed"  # nothing reached Replicate, so nothing was created
    return None


def _describe(exc) -> str:
    parts = [p for p in (getattr(exc, "title", None), getattr(exc, "detail", None)) if p]
    status = getattr(exc, "status", None)
    return f"{' — '.join(parts) or 'error'}{f' (HTTP {status})' if status else ''}"


def _billing(metrics: dict[str, Any] | None) -> dict[str, float]:
    return {k: v for k, v in (metrics or {}).items() if k in BILLING_METRICS and isinstance(v, (int, float))}


def _percent(prediction, elapsed: float) -> float:
    parsed = prediction.progress if prediction.logs else None
    if parsed is not None:
        return 5 + 80 * max(0.0, min(1.0, parsed.percentage))
    return 5 + 75 * (1 - math.exp(-elapsed / 90))
