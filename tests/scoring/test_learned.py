"""The learned tier: metrics built from weight files in a local folder, never downloaded.

The weight files are written by the tests themselves, randomly initialised in
the layout pyiqa / CLIP expect: MUSIQ (pyiqa's ``pretrained_model_path``), the
LAION aesthetic MLP and a tiny CLIP (same architecture family and file format
as OpenAI's, with small sizes so the test stays fast)."""

from __future__ import annotations

import os
import time

import pytest

from scoring import ScoringConfig, score_video
from scoring.learned import SPECS, clip_file_name, locate, missing_reason


@pytest.fixture(scope="module")
def pyiqa_ok():
    from scoring import pyiqa_backend

    reason = pyiqa_backend.import_error()
    if reason:  # pragma: no cover - depends on the environment
        pytest.skip(reason)
    return pyiqa_backend


@pytest.fixture(scope="module")
def weights_dir(tmp_path_factory, pyiqa_ok):
    """Random-init weight files: flat MUSIQ checkpoint, LAION MLP in pyiqa's
    cache layout (``pyiqa/``), CLIP backbones in CLIP's (``clip/``)."""
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pkg_resources deprecation, from the clip package
        from clip.model import CLIP
    from pyiqa.archs.laion_aes_arch import MLP
    from pyiqa.archs.musiq_arch import MUSIQ

    root = tmp_path_factory.mktemp("learned")
    torch.manual_seed(0)
    torch.save(MUSIQ(pretrained=False).state_dict(), root / SPECS["musiq-spaq"].checkpoint)
    (root / "pyiqa").mkdir()
    torch.save(MLP(32).state_dict(), root / "pyiqa" / SPECS["laion_aes"].checkpoint)
    (root / "clip").mkdir()
    tiny = CLIP(embed_dim=32, image_resolution=64, vision_layers=1, vision_width=64, vision_patch_size=32,
                context_length=77, vocab_size=49408, transformer_width=64, transformer_heads=1, transformer_layers=1)
    for backbone in ("ViT-L/14", "ViT-B/32"):
        torch.save(tiny.state_dict(), root / "clip" / clip_file_name(backbone))
    return root


def test_locate_finds_both_layouts(weights_dir, tmp_path):
    files, missing = locate(SPECS["laion_aes"], weights_dir)
    assert missing == [] and files["checkpoint"].parent.name == "pyiqa" and files["clip"].name == "ViT-L-14.pt"
    assert missing_reason(SPECS["musiq-spaq"], weights_dir) is None
    assert missing_reason(SPECS["musiq-spaq"], None) == "no learned-metrics folder configured (learned tier off)"
    assert missing_reason(SPECS["musiq-spaq"], tmp_path / "nope") == (
        f"learned-metrics folder {tmp_path / 'nope'} does not exist")
    assert missing_reason(SPECS["laion_aes"], tmp_path) == (
        f"weights not found: {tmp_path / 'sac+logos+ava1-l14-linearMSE.pth'}, {tmp_path / 'clip' / 'ViT-L-14.pt'}")


def test_learned_metrics_load_from_the_folder(clips, weights_dir, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    config = ScoringConfig(learned_metrics_dir=str(weights_dir))
    r = score_video(clips.clean, clips.hero, "slow pan to the right", prompt="a colourful abstract texture",
                    config=config, metrics=["imaging_quality", "aesthetic_quality", "clip_score"])
    assert r.metrics_used == ["imaging_quality", "aesthetic_quality", "clip_score"], r.metrics_skipped
    assert r.labels["imaging_quality_model"] == f"pyiqa:musiq-spaq ({weights_dir / SPECS['musiq-spaq'].checkpoint})"
    assert (r.labels["aesthetic_quality_model"].startswith("pyiqa:laion_aes (")
            and "pyiqa" in r.labels["aesthetic_quality_model"])
    assert r.labels["clip_score_model"] == f"pyiqa:clipscore ({weights_dir / 'clip' / 'ViT-B-32.pt'})"
    for d in ("imaging_quality", "aesthetic_quality", "clip_score"):
        assert 0.0 <= r.dimensions[d] <= 1.0
    assert "musiq-spaq_mean" in r.details and "piqe_mean" not in r.details
    # the model really is the file's: reloading the same weights gives the same number
    again = score_video(clips.clean, clips.hero, "slow pan to the right", config=config, metrics=["imaging_quality"])
    assert again.dimensions["imaging_quality"] == r.dimensions["imaging_quality"]


def test_missing_weights_are_reported_at_once(clips, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    config = ScoringConfig(learned_metrics_dir=str(tmp_path))
    t = time.perf_counter()
    r = score_video(clips.short, None, "", prompt="a cat", config=config, metrics=["aesthetic_quality", "clip_score"])
    assert time.perf_counter() - t < 2.0  # no download, no retry stall
    assert r.metrics_used == []
    assert r.metrics_skipped["aesthetic_quality"].startswith(f"weights not found: {tmp_path}")
    assert r.metrics_skipped["clip_score"] == f"weights not found: {tmp_path / 'clip' / 'ViT-B-32.pt'}"
    # imaging_quality falls back to the weight-free PIQE and says why
    r = score_video(clips.short, None, "", config=config, metrics=["imaging_quality"])
    if "imaging_quality" in r.dimensions:
        assert r.labels["imaging_quality_model"].startswith("pyiqa:piqe (musiq-spaq: weights not found")


def test_no_folder_means_no_learned_tier(clips, monkeypatch):
    monkeypatch.delenv("SCORING_LEARNED_DIR", raising=False)
    r = score_video(clips.short, None, "", metrics=["aesthetic_quality", "clip_score"])
    assert r.metrics_skipped == {
        "aesthetic_quality": "no learned-metrics folder configured (learned tier off)",
        "clip_score": "no learned-metrics folder configured (learned tier off)",
    }


def test_env_folder_and_prompt_requirement(clips, weights_dir, monkeypatch):
    monkeypatch.setenv("SCORING_LEARNED_DIR", str(weights_dir))
    r = score_video(clips.short, None, "", metrics=["clip_score"])
    assert r.metrics_skipped == {"clip_score": "no prompt given"}


def test_downloads_are_blocked_while_building(pyiqa_ok, tmp_path):
    """Even if an architecture tried to fetch something, it fails at once."""
    from scoring.learned import LearnedSpec

    spec = LearnedSpec("nima", "nima", "nima.pth", "", "pretrained_model_path")
    (tmp_path / "nima.pth").write_bytes(b"x")
    files, _ = locate(spec, tmp_path)
    t = time.perf_counter()
    with pytest.raises(Exception, match=r"(?i)download|hub|cache|connection"):
        pyiqa_ok.get_learned_metric(spec, files, "cpu")
    assert time.perf_counter() - t < 10.0
    assert os.environ.get("HF_HUB_OFFLINE") == "1"


def test_warmup_builds_the_learned_tier(weights_dir):
    import scoring

    status = scoring.warmup(config=ScoringConfig(learned_metrics_dir=str(weights_dir)))
    assert status["pyiqa"] == "ok"
    assert {status[k] for k in ("musiq-spaq", "laion_aes", "clipscore")} == {"ok"}
