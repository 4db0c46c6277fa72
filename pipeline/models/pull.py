"""Install a diffusers model folder from the Hugging Face Hub into the models directory (when online).

Only the files the pipeline needs are fetched: model_index.json, each component's configs, tokenizer files and
safetensors weights (no .bin/.ckpt/.onnx/.msgpack copies, no fp16 variants next to the main weights, no samples).
Files land in <models_dir>/<repo name>, in the layout the registry reads; a file already there with the Hub's etag
is skipped, so an interrupted pull resumes where it stopped. `HF_ENDPOINT` (or HFS settings' environment) points it
at a mirror. Offline (HF_HUB_OFFLINE=1) it says so and names the folder layout to copy in by hand.
"""
from __future__ import annotations

import fnmatch
import json
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pipeline.errors import InvalidInput

REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")
WEIGHT_SKIPS = ("*.bin", "*.ckpt", "*.pt", "*.pth", "*.onnx", "*.onnx_data", "*.msgpack", "*.h5", "*.gguf",
                "*.fp16.safetensors", "*.fp16-*.safetensors")
COMPONENT_FILES = ("*.json", "*.safetensors", "*.txt", "*.model", "*.tiktoken")


class PullError(InvalidInput):
    """A pull that cannot start or finish, in words for the user."""


@dataclass
class PullResult:
    repo_id: str
    folder: str  # the folder name in the models directory
    downloaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already there (resumed)


def wanted_files(siblings: list[str], index: dict[str, Any]) -> list[str]:
    """The files a diffusers pipeline needs, from the repo's file list and its model_index.json."""
    components = [name for name, value in index.items() if not name.startswith("_") and isinstance(value, list)]
    wanted = ["model_index.json"]
    for path in siblings:
        folder, _, name = path.partition("/")
        if folder not in components or "/" in name or any(fnmatch.fnmatch(name, p) for p in WEIGHT_SKIPS):
            continue
        if any(fnmatch.fnmatch(name, p) for p in COMPONENT_FILES):
            wanted.append(path)
    return wanted


def pull(repo_id: str, models_dir: Path | None, progress: Callable[[str], None] = print,
         endpoint: str | None = None, revision: str | None = None) -> PullResult:
    """Download a diffusers folder from the Hub into models_dir/<repo name>."""
    from huggingface_hub import HfApi, constants, hf_hub_download
    from huggingface_hub.errors import HfHubHTTPError

    if not REPO_ID.fullmatch(repo_id or ""):
        raise PullError(f"'{repo_id}' is not a Hub repository id such as Wan-AI/Wan2.2-TI2V-5B-Diffusers.")
    if models_dir is None:
        raise PullError("Set HFS_MODELS_DIR to the folder that holds your model folders first.")
    folder = Path(models_dir) / repo_id.split("/")[1]
    if constants.is_offline_mode():
        raise PullError(f"Offline (HF_HUB_OFFLINE=1): nothing can be downloaded. Copy the model's diffusers folder "
                        f"to {folder.name}/ in the models directory by hand: model_index.json at the top and one "
                        "subfolder per component (transformer/, vae/, text_encoder/, tokenizer/, scheduler/).")
    try:
        info = HfApi(endpoint=endpoint).model_info(repo_id, revision=revision)
        siblings = [s.rfilename for s in info.siblings or []]
        if "model_index.json" not in siblings:
            raise PullError(f"{repo_id} has no model_index.json: it is not a diffusers pipeline folder.")
        fetch = dict(repo_id=repo_id, revision=info.sha, local_dir=folder, endpoint=endpoint)
        result = PullResult(repo_id, folder.name)
        index: dict[str, Any] = {}
        files = ["model_index.json"]  # first: it names the components, and so the other files
        for number, name in enumerate(files, 1):
            progress(f"{repo_id}: file {number} of {len(files) if index else '…'}: {name}")
            before = _fingerprint(folder / name)
            local = Path(hf_hub_download(filename=name, **fetch))
            (result.skipped if before is not None and before == _fingerprint(local) else result.downloaded).append(name)
            if not index:
                index = json.loads(local.read_text(encoding="utf-8"))
                files.extend(wanted_files(siblings, index)[1:])
    except HfHubHTTPError as exc:
        status = getattr(exc.response, "status_code", None)
        raise PullError(f"The Hub refused {repo_id} (HTTP {status}): check the id, and accept the model's licence "
                        "on its page and log in (HF_TOKEN) if it is gated.") from None
    except OSError as exc:  # connection refused, DNS, disk full
        raise PullError(f"The download of {repo_id} stopped: {str(exc)[:200]}. Run the pull again to resume.") from None
    return result


def _fingerprint(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def pull_progress(repo_id: str, settings: Any, access: Any, endpoint: str | None = None) -> Iterator[str]:
    """The pull as lines of progress for the UI (an admin's action in team mode: it writes to the server's models
    folder): each file as it starts, then what was downloaded, or the reason it could not be."""
    access.require_admin()
    lines: queue.Queue[str | None] = queue.Queue()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = pull((repo_id or "").strip(), settings.models_dir, lines.put, endpoint=endpoint)
        except PullError as exc:
            outcome["error"] = str(exc)
        finally:
            lines.put(None)

    threading.Thread(target=run, name="hub-pull", daemon=True).start()
    while (line := lines.get()) is not None:
        yield line
    if "error" in outcome:
        raise PullError(outcome["error"])
    result = outcome["result"]
    yield (f"{result.repo_id} is in {result.folder}/: {len(result.downloaded)} file(s) downloaded, "
           f"{len(result.skipped)} already there. Scan the models folder to use it.")
