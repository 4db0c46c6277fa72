"""More tiny random pipelines, saved in the layouts real downloads have (no downloads, random weights):

- Wan 2.2 TI2V-5B: saved as a `WanPipeline` with `expand_timesteps` (as Wan-AI/Wan2.2-TI2V-5B-Diffusers is), a
  48-channel VAE with 16× spatial compression, a tiny T5 encoder and a word-level tokenizer;
- LTX-Video: saved as an `LTXPipeline` (what Lightricks/LTX-Video folders say), loaded as LTXImageToVideoPipeline;
- an unsupported folder (`KandinskyV22Pipeline`) and a broken one, for the registry's reasons.
Sizes follow diffusers' own fast tests (tests/pipelines/wan, tests/pipelines/ltx), rewritten here.
"""
from __future__ import annotations

import json
from pathlib import Path

from pipeline.providers.diffusers_run import import_diffusers  # the torchvision shim, before diffusers' models


def _word_tokenizer():
    """A T5-style fast tokenizer over a small word vocabulary (the real one is a 256k sentencepiece model)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<pad>", "</s>", "<unk>"] + "a the of on in and to with slow push orbit camera red shoe watch lamp".split()
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, pad_token="<pad>", eos_token="</s>", unk_token="<unk>",
                                   model_max_length=512)


def build_wan_ti2v(folder: Path, name: str = "Wan2.2-TI2V-5B-tiny") -> Path:
    import_diffusers()
    import torch
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanPipeline, WanTransformer3DModel
    from transformers import UMT5Config, UMT5EncoderModel

    torch.manual_seed(0)
    vae = AutoencoderKLWan(base_dim=3, z_dim=48, in_channels=12, out_channels=12, is_residual=True, patch_size=2,
                           latents_mean=[0.0] * 48, latents_std=[1.0] * 48, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                           scale_factor_spatial=16, scale_factor_temporal=4, temperal_downsample=[False, True, True])
    text_encoder = UMT5EncoderModel(UMT5Config(vocab_size=32, d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
                                           relative_attention_num_buckets=8, dropout_rate=0.0))
    transformer = WanTransformer3DModel(patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12,
                                        in_channels=48, out_channels=48, text_dim=32, freq_dim=256, ffn_dim=32,
                                        num_layers=2, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
                                        rope_max_seq_len=32)
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)
    pipe = WanPipeline(transformer=transformer, vae=vae, scheduler=scheduler, text_encoder=text_encoder,
                       tokenizer=_word_tokenizer(), transformer_2=None, boundary_ratio=None, expand_timesteps=True)
    pipe.save_pretrained(folder / name)
    return folder / name


def ltx_parts():
    """The tiny LTX-Video transformer and VAE (diffusers' tests/pipelines/ltx sizes), seeded."""
    import torch
    from diffusers import AutoencoderKLLTXVideo, LTXVideoTransformer3DModel

    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(in_channels=8, out_channels=8, patch_size=1, patch_size_t=1,
                                             num_attention_heads=4, attention_head_dim=8, cross_attention_dim=32,
                                             num_layers=1, caption_channels=32)
    vae = AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1), spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False), decoder_inject_noise=(False,) * 5,
        upsample_residual=(False,) * 4, upsample_factor=(1,) * 4, timestep_conditioning=False, patch_size=1,
        patch_size_t=1, encoder_causal=True, decoder_causal=False)
    return transformer, vae


def build_ltx(folder: Path, name: str = "LTX-Video-tiny") -> Path:
    import_diffusers()
    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler, LTXPipeline
    from transformers import T5Config, T5EncoderModel

    transformer, vae = ltx_parts()
    torch.manual_seed(0)
    text_encoder = T5EncoderModel(T5Config(vocab_size=32, d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
                                           relative_attention_num_buckets=8, dropout_rate=0.0))
    pipe = LTXPipeline(transformer=transformer, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(),
                       text_encoder=text_encoder, tokenizer=_word_tokenizer())
    pipe.save_pretrained(folder / name)
    return folder / name


def write_unsupported(folder: Path) -> tuple[Path, Path]:
    """A Kandinsky 2.2 folder (a class the studio does not run) and a folder whose model_index.json is broken."""
    kandinsky = folder / "kandinsky-2-2-decoder"
    kandinsky.mkdir(parents=True, exist_ok=True)
    (kandinsky / "model_index.json").write_text(json.dumps({
        "_class_name": "KandinskyV22Pipeline", "_diffusers_version": "0.42.1", "movq": ["diffusers", "VQModel"],
        "scheduler": ["diffusers", "DDPMScheduler"], "unet": ["diffusers", "UNet2DConditionModel"]}), encoding="utf-8")
    broken = folder / "half-downloaded"
    broken.mkdir(parents=True, exist_ok=True)
    (broken / "model_index.json").write_text("{not json", encoding="utf-8")
    return kandinsky, broken
