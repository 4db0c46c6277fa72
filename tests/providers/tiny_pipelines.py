"""Tiny randomly initialised diffusers pipelines, built from configs and saved to a folder (no downloads).

Like diffusers' own get_dummy_components(): a few-channel UNet, VAE and CLIP encoder; the CLIP tokenizer gets a
byte-level vocabulary written next to it. The weights are random, so images are noise; the code paths are real.
"""
from __future__ import annotations

import json
from pathlib import Path


def byte_alphabet() -> dict[str, int]:
    """GPT-2's byte-to-unicode alphabet: every byte is one token (no merges), so any text tokenizes."""
    printable = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
                 + list(range(ord("®"), ord("ÿ") + 1)))
    codes, extra = printable[:], 0
    for byte in range(256):
        if byte not in printable:
            codes.append(256 + extra)
            extra += 1
    return {chr(c): i for i, c in enumerate(codes)}


def _byte_vocab() -> dict[str, int]:
    vocab = byte_alphabet()
    chars = list(vocab)
    vocab.update({c + "</w>": len(chars) + i for i, c in enumerate(chars)})
    vocab["<|startoftext|>"], vocab["<|endoftext|>"] = len(vocab), len(vocab) + 1
    return vocab


def build_text_to_image(folder: Path) -> Path:
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    vocab = _byte_vocab()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    tokenizer = CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=16)
    torch.manual_seed(0)
    unet = UNet2DConditionModel(block_out_channels=(4, 8), layers_per_block=1, sample_size=8, in_channels=4,
                                out_channels=4, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                                up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), cross_attention_dim=8,
                                norm_num_groups=2)
    vae = AutoencoderKL(block_out_channels=[4, 8], in_channels=3, out_channels=3, latent_channels=4,
                        down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
                        norm_num_groups=2)
    text_encoder = CLIPTextModel(CLIPTextConfig(
        bos_token_id=vocab["<|startoftext|>"], eos_token_id=vocab["<|endoftext|>"], hidden_size=8,
        intermediate_size=16, layer_norm_eps=1e-5, num_attention_heads=2, num_hidden_layers=2, pad_token_id=1,
        vocab_size=len(vocab)))
    pipe = StableDiffusionPipeline(unet=unet, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer,
                                   scheduler=DDIMScheduler(clip_sample=False, steps_offset=1), safety_checker=None,
                                   feature_extractor=None, requires_safety_checker=False)
    pipe.save_pretrained(folder / "tiny-sd")
    return folder / "tiny-sd"


def build_image_to_video(folder: Path) -> Path:
    import torch
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        StableVideoDiffusionPipeline,
        UNetSpatioTemporalConditionModel,
    )
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(0)
    unet = UNetSpatioTemporalConditionModel(
        block_out_channels=(32, 32), layers_per_block=1, sample_size=32, in_channels=8, out_channels=4,
        down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
        up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"), cross_attention_dim=32,
        num_attention_heads=2, projection_class_embeddings_input_dim=24, addition_time_embed_dim=8)
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", interpolation_type="linear",
        num_train_timesteps=1000, prediction_type="v_prediction", sigma_max=700.0, sigma_min=0.002, steps_offset=1,
        timestep_spacing="leading", timestep_type="continuous", use_karras_sigmas=True)
    vae = AutoencoderKLTemporalDecoder(block_out_channels=[32, 64], in_channels=3, out_channels=3, latent_channels=4,
                                       down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"])
    # PIL input is resized to 224 for the image encoder, so the tiny CLIP takes 224 px in 32 px patches
    encoder = CLIPVisionModelWithProjection(CLIPVisionConfig(
        hidden_size=32, projection_dim=32, num_hidden_layers=1, num_attention_heads=4, image_size=224,
        intermediate_size=37, patch_size=32))
    pipe = StableVideoDiffusionPipeline(unet=unet, image_encoder=encoder, scheduler=scheduler, vae=vae,
                                        feature_extractor=CLIPImageProcessor(crop_size=224, size=224))
    pipe.save_pretrained(folder / "tiny-svd")
    return folder / "tiny-svd"
