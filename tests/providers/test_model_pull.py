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


def test_the_panel_download_streams_progress_and_ends_with_the_folder(hub, tmp_path, online):
    from types import SimpleNamespace

    from pipeline.models.pull import pull_progress
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "data", models_dir=tmp_path / "models")
    (tmp_path / "models").mkdir()
    admin = SimpleNamespace(require_admin=lambda: None)
    lines = list(pull_progress("Wan-AI/Wan2.2-TI2V-5B-Diffusers", settings, admin, endpoint=hub.url))
    assert lines[0].endswith("model_index.json") and "file 2 of" in lines[1]
    assert lines[-1].startswith("Wan-AI/Wan2.2-TI2V-5B-Diffusers is in Wan2.2-TI2V-5B-Diffusers/")
    assert (tmp_path / "models" / "Wan2.2-TI2V-5B-Diffusers" / "model_index.json").is_file()


def test_the_panel_download_says_why_not_offline_or_for_a_member(services, monkeypatch):
    from huggingface_hub import constants

    from pipeline.errors import Forbidden
    from studio.tabs.models_panel import on_pull

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(services.settings, "models_dir", services.media.root)
    shown = list(on_pull(services, "Wan-AI/Wan2.2-TI2V-5B-Diffusers"))
    assert shown[-1].startswith("**Not downloaded:** Offline (HF_HUB_OFFLINE=1)")

    def refuse():
        raise Forbidden("Only an admin can do this.")

    monkeypatch.setattr(services.access, "require_admin", refuse)
    assert list(on_pull(services, "Wan-AI/Wan2.2-TI2V-5B-Diffusers")) == ["**Not downloaded:** Only an admin can do "
                                                                           "this."]
