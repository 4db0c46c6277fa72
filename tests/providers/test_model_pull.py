"""`python -m pipeline.models pull`: only the files a pipeline needs, into the models directory, resumable, from a
loopback server standing in for the Hub; offline it says so."""
from __future__ import annotations

import pytest

from pipeline.models.pull import PullError, pull
from tests.providers.fake_hub import FakeHub

EXTRA = {"README.md": b"# a model card", "assets/sample.mp4": b"\x00" * 64,
         "transformer/diffusion_pytorch_model.bin": b"\x00" * 128,
         "transformer/diffusion_pytorch_model.fp16.safetensors": b"\x00" * 32}


@pytest.fixture
def online(monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)  # another test may have imported diffusers offline


@pytest.fixture(scope="module")
def wan_folder(tmp_path_factory):
    from tests.providers.tiny_video_models import build_wan_ti2v

    return build_wan_ti2v(tmp_path_factory.mktemp("hub"))


@pytest.fixture
def hub(wan_folder):
    server = FakeHub({"Wan-AI/Wan2.2-TI2V-5B-Diffusers": wan_folder}, EXTRA)
    yield server
    server.server.close()


def test_pull_fetches_only_what_the_pipeline_needs_and_resumes(hub, wan_folder, tmp_path, online):
    from pipeline.models.registry import read_folder

    models = tmp_path / "models"
    steps: list[str] = []
    result = pull("Wan-AI/Wan2.2-TI2V-5B-Diffusers", models, steps.append, endpoint=hub.url)
    folder = models / "Wan2.2-TI2V-5B-Diffusers"
    expected = {str(p.relative_to(wan_folder)) for p in wan_folder.rglob("*") if p.is_file()}
    assert set(result.downloaded) == expected and result.skipped == []
    assert not (folder / "README.md").exists() and not (folder / "transformer" / "diffusion_pytorch_model.bin").exists()
    assert not (folder / "transformer" / "diffusion_pytorch_model.fp16.safetensors").exists()
    info = read_folder(folder)
    assert info.supported and info.load_class == "WanImageToVideoPipeline"
    assert info.params == read_folder(wan_folder).params
    assert steps[-1].startswith(f"Wan-AI/Wan2.2-TI2V-5B-Diffusers: file {len(expected)} of {len(expected)}")
    (folder / "vae" / "config.json").unlink()  # an interrupted pull: one file missing
    fetched = len(hub.downloads())
    again = pull("Wan-AI/Wan2.2-TI2V-5B-Diffusers", models, steps.append, endpoint=hub.url)
    assert again.downloaded == ["vae/config.json"] and len(again.skipped) == len(expected) - 1
    assert hub.downloads()[fetched:] == ["vae/config.json"]


def test_pull_explains_what_it_cannot_do(hub, tmp_path, online, monkeypatch):
    with pytest.raises(PullError, match="not a Hub repository id"):
        pull("../etc", tmp_path, endpoint=hub.url)
    with pytest.raises(PullError, match="HTTP 404"):
        pull("someone/missing", tmp_path, endpoint=hub.url)
    with pytest.raises(PullError, match="Set HFS_MODELS_DIR"):
        pull("Wan-AI/Wan2.2-TI2V-5B-Diffusers", None, endpoint=hub.url)
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(PullError, match=r"Offline .* Wan2.2-TI2V-5B-Diffusers/ in the models directory"):
        pull("Wan-AI/Wan2.2-TI2V-5B-Diffusers", tmp_path, endpoint=hub.url)
    assert not hub.downloads()
