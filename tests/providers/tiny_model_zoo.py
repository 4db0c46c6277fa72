"""Tiny random copies of every pipeline class the studio runs, saved in the layouts real downloads have.

Sizes follow the get_dummy_components() of diffusers' own fast tests (tests/pipelines/<family>/ in diffusers),
rewritten here; the tokenizers those tests download (hf-internal-testing/...) are replaced by small local ones of
the same class family (a byte-level CLIP/Qwen BPE, a word-level T5). Weights are random and seeded: outputs are
noise, the code paths (loading, argument mapping, denoising, VAE decode) are the real ones.

Each builder takes the models directory and returns the folder it saved; build_zoo() builds them all (a session
fixture caches the result). Real folder names and model_index.json class names:
- Wan 2.1 I2V 14B: WanImageToVideoPipeline with image_encoder + image_processor (CLIP ViT-H in the real one);
- Wan 2.2 I2V A14B: WanImageToVideoPipeline with transformer + transformer_2 and boundary_ratio (0.9 real);
- LTX-Video 0.9.5+ (0.9.7/0.9.8 dev/distilled): LTXConditionPipeline;
- CogVideoX-5B-I2V: CogVideoXImageToVideoPipeline (trained at one size: transformer sample_width × sample_height);
- HunyuanVideo 1.5 I2V: HunyuanVideo15ImageToVideoPipeline (Qwen2.5-VL text model with a chat template, ByT5,
  SigLIP image encoder, a guider component);
- SDXL, SD3/3.5, FLUX.1 dev/schnell (schnell: guidance_embeds false), Qwen-Image, FLUX.2 (Mistral-3 text encoder
  with a Pixtral processor as its tokenizer), Z-Image (Qwen3 text model).
- LTX-2: LTX2ImageToVideoPipeline (Gemma-3 text encoder, connectors, video + audio VAEs, vocoder).
Not built: HunyuanVideo 1.0 I2V (its default prompt template hard-codes the real Llava tokenizer's token
positions); see docs/DEPLOY.md.
"""
from __future__ import annotations

import json
from pathlib import Path

from pipeline.providers.diffusers_run import import_diffusers  # the torchvision shim, before diffusers' models
from tests.providers.tiny_pipelines import byte_alphabet
from tests.providers.tiny_video_models import _word_tokenizer

T5 = {"vocab_size": 32, "d_model": 32, "d_kv": 8, "d_ff": 37, "num_layers": 2, "num_heads": 4,
      "relative_attention_num_buckets": 8, "dropout_rate": 0.0}
CLIP_TEXT = {"hidden_size": 32, "intermediate_size": 37, "layer_norm_eps": 1e-5, "num_attention_heads": 4,
             "num_hidden_layers": 2, "pad_token_id": 1, "hidden_act": "gelu", "projection_dim": 32}


def clip_tokenizer(max_length: int = 16):
    from transformers import CLIPTokenizer

    vocab = byte_alphabet()
    vocab.update({c + "</w>": len(vocab) + i for i, c in enumerate(list(vocab))})
    vocab["<|startoftext|>"], vocab["<|endoftext|>"] = len(vocab), len(vocab) + 1
    return CLIPTokenizer(vocab=vocab, merges=[], model_max_length=max_length), len(vocab)


def _clip_text(with_projection: bool, vocab_size: int, seed: int = 0):
    import torch
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(seed)
    config = CLIPTextConfig(bos_token_id=vocab_size - 2, eos_token_id=vocab_size - 1, vocab_size=vocab_size,
                            **CLIP_TEXT)
    return (CLIPTextModelWithProjection if with_projection else CLIPTextModel)(config).eval()


def _t5(seed: int = 0):
    import torch
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(seed)
    return T5EncoderModel(T5Config(**T5)).eval()


def _save(pipe, folder: Path, name: str) -> Path:
    pipe.save_pretrained(folder / name)
    return folder / name


def _wan_vae():
    from diffusers import AutoencoderKLWan

    return AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                            temperal_downsample=[False, True, True])


def _wan_transformer(**extra):
    import torch
    from diffusers import WanTransformer3DModel

    torch.manual_seed(0)
    return WanTransformer3DModel(patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=36,
                                 out_channels=16, text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2,
                                 cross_attn_norm=True, qk_norm="rms_norm_across_heads", rope_max_seq_len=32, **extra)


def build_wan21_i2v(folder: Path, name: str = "Wan2.1-I2V-14B-480P-tiny") -> Path:
    """The Wan 2.1 I2V layout: one transformer, a CLIP image encoder and its processor."""
    import_diffusers()
    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler, WanImageToVideoPipeline
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(0)
    vae = _wan_vae()
    transformer = _wan_transformer(image_dim=4)
    torch.manual_seed(0)
    encoder = CLIPVisionModelWithProjection(CLIPVisionConfig(
        hidden_size=4, projection_dim=4, num_hidden_layers=2, num_attention_heads=2, image_size=32,
        intermediate_size=16, patch_size=1))
    scheduler = FlowMatchEulerDiscreteScheduler(shift=7.0)
    pipe = WanImageToVideoPipeline(transformer=transformer, vae=vae, scheduler=scheduler,
                                   text_encoder=_t5(), tokenizer=_word_tokenizer(), image_encoder=encoder.eval(),
                                   image_processor=CLIPImageProcessor(crop_size=32, size=32), transformer_2=None)
    return _save(pipe, folder, name)


def build_wan22_a14b(folder: Path, name: str = "Wan2.2-I2V-A14B-tiny") -> Path:
    """The Wan 2.2 A14B layout: a high-noise and a low-noise expert (transformer, transformer_2) switched at
    boundary_ratio, no image encoder."""
    import_diffusers()
    import torch
    from diffusers import UniPCMultistepScheduler, WanImageToVideoPipeline

    torch.manual_seed(0)
    vae = _wan_vae()
    high, low = _wan_transformer(), _wan_transformer()
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)
    pipe = WanImageToVideoPipeline(transformer=high, transformer_2=low, vae=vae, scheduler=scheduler,
                                   text_encoder=_t5(), tokenizer=_word_tokenizer(), image_encoder=None,
                                   image_processor=None, boundary_ratio=0.875)
    return _save(pipe, folder, name)


def build_ltx_condition(folder: Path, name: str = "LTX-Video-0.9.7-dev-tiny") -> Path:
    import_diffusers()
    from diffusers import FlowMatchEulerDiscreteScheduler, LTXConditionPipeline

    from tests.providers.tiny_video_models import ltx_parts

    transformer, vae = ltx_parts()
    pipe = LTXConditionPipeline(transformer=transformer, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(),
                                text_encoder=_t5(), tokenizer=_word_tokenizer())
    return _save(pipe, folder, name)


def build_cogvideox_i2v(folder: Path, name: str = "CogVideoX-5b-I2V-tiny") -> Path:
    """Trained at one size: sample 6 × 4 latents × 8 (the VAE's three downsamples) = 48 × 32 px (real: 720 × 480)."""
    import_diffusers()
    import torch
    from diffusers import (
        AutoencoderKLCogVideoX,
        CogVideoXDDIMScheduler,
        CogVideoXImageToVideoPipeline,
        CogVideoXTransformer3DModel,
    )

    torch.manual_seed(0)
    transformer = CogVideoXTransformer3DModel(
        num_attention_heads=2, attention_head_dim=16, in_channels=8, out_channels=4, time_embed_dim=2,
        text_embed_dim=32, num_layers=1, sample_width=6, sample_height=4, sample_frames=9, patch_size=2,
        temporal_compression_ratio=4, max_text_seq_length=16, use_rotary_positional_embeddings=True,
        use_learned_positional_embeddings=True)
    torch.manual_seed(0)
    vae = AutoencoderKLCogVideoX(
        in_channels=3, out_channels=3, down_block_types=("CogVideoXDownBlock3D",) * 4,
        up_block_types=("CogVideoXUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8), latent_channels=4,
        layers_per_block=1, norm_num_groups=2, temporal_compression_ratio=4)
    pipe = CogVideoXImageToVideoPipeline(transformer=transformer, vae=vae, scheduler=CogVideoXDDIMScheduler(),
                                         text_encoder=_t5(), tokenizer=_word_tokenizer())
    return _save(pipe, folder, name)


def build_sdxl(folder: Path, name: str = "stable-diffusion-xl-base-1.0-tiny") -> Path:
    import_diffusers()
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionXLPipeline, UNet2DConditionModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(2, 4), layers_per_block=2, sample_size=32, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4), use_linear_projection=True, addition_embed_type="text_time",
        addition_time_embed_dim=8, transformer_layers_per_block=(1, 2), projection_class_embeddings_input_dim=80,
        cross_attention_dim=64, norm_num_groups=1)
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, steps_offset=1,
                                       beta_schedule="scaled_linear", timestep_spacing="leading")
    torch.manual_seed(0)
    vae = AutoencoderKL(block_out_channels=[4, 8], in_channels=3, out_channels=3, latent_channels=4,
                        down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
                        norm_num_groups=2)
    tokenizer, vocab = clip_tokenizer()
    pipe = StableDiffusionXLPipeline(unet=unet, scheduler=scheduler, vae=vae, text_encoder=_clip_text(False, vocab),
                                     tokenizer=tokenizer, text_encoder_2=_clip_text(True, vocab, 1),
                                     tokenizer_2=clip_tokenizer()[0], image_encoder=None, feature_extractor=None)
    return _save(pipe, folder, name)


def _flat_vae(latent_channels: int):
    import torch
    from diffusers import AutoencoderKL

    torch.manual_seed(0)
    return AutoencoderKL(sample_size=32, in_channels=3, out_channels=3, block_out_channels=(4,), layers_per_block=1,
                         latent_channels=latent_channels, norm_num_groups=1, use_quant_conv=False,
                         use_post_quant_conv=False, shift_factor=0.0609, scaling_factor=1.5035)


def build_sd3(folder: Path, name: str = "stable-diffusion-3.5-medium-tiny") -> Path:
    import_diffusers()
    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler, SD3Transformer2DModel, StableDiffusion3Pipeline

    torch.manual_seed(0)
    transformer = SD3Transformer2DModel(sample_size=32, patch_size=1, in_channels=4, num_layers=1,
                                        attention_head_dim=8, num_attention_heads=4, caption_projection_dim=32,
                                        joint_attention_dim=32, pooled_projection_dim=64, out_channels=4)
    tokenizer, vocab = clip_tokenizer()
    pipe = StableDiffusion3Pipeline(
        transformer=transformer, scheduler=FlowMatchEulerDiscreteScheduler(), vae=_flat_vae(4),
        text_encoder=_clip_text(True, vocab), tokenizer=tokenizer, text_encoder_2=_clip_text(True, vocab, 1),
        tokenizer_2=clip_tokenizer()[0], text_encoder_3=_t5(), tokenizer_3=_word_tokenizer())
    return _save(pipe, folder, name)


def build_flux(folder: Path, name: str = "FLUX.1-dev-tiny", guidance_embeds: bool = True) -> Path:
    """FLUX.1 dev (guidance-distilled: guidance_embeds) or schnell (timestep-distilled: no guidance input)."""
    import_diffusers()
    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler, FluxPipeline, FluxTransformer2DModel

    torch.manual_seed(0)
    transformer = FluxTransformer2DModel(patch_size=1, in_channels=4, num_layers=1, num_single_layers=1,
                                         attention_head_dim=16, num_attention_heads=2, joint_attention_dim=32,
                                         pooled_projection_dim=32, axes_dims_rope=[4, 4, 8],
                                         guidance_embeds=guidance_embeds)
    tokenizer, vocab = clip_tokenizer(77)
    pipe = FluxPipeline(transformer=transformer, scheduler=FlowMatchEulerDiscreteScheduler(), vae=_flat_vae(1),
                        text_encoder=_clip_text(False, vocab), tokenizer=tokenizer, text_encoder_2=_t5(),
                        tokenizer_2=_word_tokenizer())
    return _save(pipe, folder, name)


def qwen_tokenizer():
    """A Qwen2 byte-level BPE (every byte a token) with the chat tokens Qwen-Image's prompt template uses."""
    from transformers import Qwen2Tokenizer

    vocab = byte_alphabet()
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=[], unk_token=None, eos_token="<|im_end|>",
                               pad_token="<|endoftext|>")
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>", "<|endoftext|>"]})
    return tokenizer


def build_qwen_image(folder: Path, name: str = "Qwen-Image-tiny") -> Path:
    import_diffusers()
    import torch
    from diffusers import (
        AutoencoderKLQwenImage,
        FlowMatchEulerDiscreteScheduler,
        QwenImagePipeline,
        QwenImageTransformer2DModel,
    )
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    torch.manual_seed(0)
    transformer = QwenImageTransformer2DModel(patch_size=2, in_channels=16, out_channels=4, num_layers=2,
                                              attention_head_dim=16, num_attention_heads=3, joint_attention_dim=16,
                                              guidance_embeds=False, axes_dims_rope=(8, 4, 4))
    torch.manual_seed(0)
    vae = AutoencoderKLQwenImage(base_dim=24, z_dim=4, dim_mult=[1, 2, 4], num_res_blocks=1,
                                 temperal_downsample=[False, True], latents_mean=[0.0] * 4, latents_std=[1.0] * 4)
    tokenizer = qwen_tokenizer()
    torch.manual_seed(0)
    rope = {"mrope_section": [1, 1, 2], "rope_type": "default", "type": "default"}
    config = Qwen2_5_VLConfig(
        text_config={"hidden_size": 16, "intermediate_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
                     "num_key_value_heads": 2, "rope_scaling": rope, "rope_theta": 1000000.0,
                     "vocab_size": len(tokenizer)},
        vision_config={"depth": 2, "hidden_size": 16, "intermediate_size": 16, "num_heads": 2, "out_hidden_size": 16},
        hidden_size=16, vocab_size=len(tokenizer))
    pipe = QwenImagePipeline(transformer=transformer, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(),
                             text_encoder=Qwen2_5_VLForConditionalGeneration(config).eval(), tokenizer=tokenizer)
    return _save(pipe, folder, name)


VIDEO_BUILDERS = {"wan21": build_wan21_i2v, "wan22": build_wan22_a14b, "ltx_condition": build_ltx_condition,
                  "cogvideox": build_cogvideox_i2v, "hunyuan15": lambda folder: build_hunyuan15_i2v(folder),
                  "ltx2": lambda folder: build_ltx2(folder)}
FRAME_BUILDERS = {"sdxl": build_sdxl, "sd3": build_sd3, "flux_dev": build_flux,
                  "flux_schnell": lambda folder: build_flux(folder, "FLUX.1-schnell-tiny", guidance_embeds=False),
                  "qwen_image": build_qwen_image, "flux2": lambda folder: build_flux2(folder),
                  "z_image": lambda folder: build_z_image(folder)}


def build_zoo(folder: Path) -> dict[str, Path]:
    """Every tiny model above in `folder`, by key."""
    return {key: build(folder) for key, build in {**VIDEO_BUILDERS, **FRAME_BUILDERS}.items()}


def model_index(path: Path) -> dict:
    return json.loads((path / "model_index.json").read_text(encoding="utf-8"))


QWEN_CHAT_TEMPLATE = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
                      "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def build_hunyuan15_i2v(folder: Path, name: str = "HunyuanVideo-1.5-I2V-tiny") -> Path:
    """HunyuanVideo 1.5 I2V: Qwen2.5-VL text model (chat template), ByT5 for quoted text, SigLIP image encoder,
    a guider component (classifier-free guidance) instead of a guidance_scale argument."""
    import_diffusers()
    import torch
    from diffusers import (
        AutoencoderKLHunyuanVideo15,
        FlowMatchEulerDiscreteScheduler,
        HunyuanVideo15ImageToVideoPipeline,
        HunyuanVideo15Transformer3DModel,
    )
    from diffusers.guiders import ClassifierFreeGuidance
    from transformers import (
        ByT5Tokenizer,
        Qwen2_5_VLTextConfig,
        Qwen2_5_VLTextModel,
        SiglipImageProcessor,
        SiglipVisionConfig,
        SiglipVisionModel,
        T5Config,
        T5EncoderModel,
    )

    torch.manual_seed(0)
    transformer = HunyuanVideo15Transformer3DModel(
        in_channels=9, out_channels=4, num_attention_heads=2, attention_head_dim=8, num_layers=1, num_refiner_layers=1,
        mlp_ratio=2.0, patch_size=1, patch_size_t=1, text_embed_dim=16, text_embed_2_dim=32, image_embed_dim=12,
        rope_axes_dim=(2, 2, 4), target_size=16, task_type="i2v")
    torch.manual_seed(0)
    vae = AutoencoderKLHunyuanVideo15(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(16, 16),
                                      layers_per_block=1, spatial_compression_ratio=4, temporal_compression_ratio=2,
                                      downsample_match_channel=False, upsample_match_channel=False)
    tokenizer = qwen_tokenizer()
    tokenizer.chat_template = QWEN_CHAT_TEMPLATE
    torch.manual_seed(0)
    rope = {"mrope_section": [1, 1, 2], "rope_type": "default", "type": "default"}
    text_encoder = Qwen2_5_VLTextModel(Qwen2_5_VLTextConfig(
        hidden_size=16, intermediate_size=16, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2,
        rope_scaling=rope, rope_theta=1000000.0, vocab_size=len(tokenizer), bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id))
    torch.manual_seed(0)
    byt5 = T5EncoderModel(T5Config(**{**T5, "vocab_size": 384}))
    torch.manual_seed(0)
    encoder = SiglipVisionModel(SiglipVisionConfig(hidden_size=12, intermediate_size=16, num_hidden_layers=1,
                                                   num_attention_heads=2, image_size=8, patch_size=2))
    pipe = HunyuanVideo15ImageToVideoPipeline(
        text_encoder=text_encoder.eval(), tokenizer=tokenizer, transformer=transformer.eval(), vae=vae.eval(),
        scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0), text_encoder_2=byt5.eval(), tokenizer_2=ByT5Tokenizer(),
        guider=ClassifierFreeGuidance(guidance_scale=1.0), image_encoder=encoder.eval(),
        feature_extractor=SiglipImageProcessor(size={"height": 8, "width": 8}))
    return _save(pipe, folder, name)


MISTRAL_CHAT_TEMPLATE = (
    "{% for m in messages %}{% if m['role'] == 'system' %}[SYSTEM_PROMPT]{% else %}[INST]{% endif %}"
    "{% if m['content'] is string %}{{ m['content'] }}{% else %}{% for part in m['content'] %}"
    "{% if part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}{% endif %}"
    "{% if m['role'] == 'system' %}[/SYSTEM_PROMPT]{% else %}[/INST]{% endif %}{% endfor %}")


def pixtral_processor():
    """A Pixtral processor (what FLUX.2 folders name as tokenizer) over a byte-level tokenizer with Mistral's control
    tokens and a small chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PixtralImageProcessor, PixtralProcessor, PreTrainedTokenizerFast

    specials = ["<unk>", "[IMG]", "<s>", "</s>", "<pad>", "[INST]", "[/INST]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]",
                "[IMG_BREAK]", "[IMG_END]"]
    vocab = {token: i for i, token in enumerate(specials)}
    vocab.update({c: len(specials) + i for i, c in enumerate(byte_alphabet())})
    backend = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<s>", eos_token="</s>",
                                        unk_token="<unk>", pad_token="<pad>", extra_special_tokens={})
    tokenizer.add_special_tokens({"additional_special_tokens": specials[5:] + ["[IMG]"]})
    return PixtralProcessor(image_processor=PixtralImageProcessor(), tokenizer=tokenizer, patch_size=6,
                            chat_template=MISTRAL_CHAT_TEMPLATE), len(vocab)


def build_flux2(folder: Path, name: str = "FLUX.2-dev-tiny") -> Path:
    """FLUX.2: a Mistral-3 text encoder (31 tiny layers: the pipeline reads hidden states 10, 20 and 30)."""
    import_diffusers()
    import torch
    from diffusers import AutoencoderKLFlux2, FlowMatchEulerDiscreteScheduler, Flux2Pipeline, Flux2Transformer2DModel
    from transformers import Mistral3Config, Mistral3ForConditionalGeneration

    torch.manual_seed(0)
    transformer = Flux2Transformer2DModel(patch_size=1, in_channels=4, num_layers=1, num_single_layers=1,
                                          attention_head_dim=16, num_attention_heads=2, joint_attention_dim=48,
                                          timestep_guidance_channels=256, axes_dims_rope=[4, 4, 4, 4])
    processor, vocab_size = pixtral_processor()
    config = Mistral3Config(
        text_config={"model_type": "mistral", "vocab_size": vocab_size, "hidden_size": 16, "intermediate_size": 37,
                     "max_position_embeddings": 1024, "num_attention_heads": 4, "num_hidden_layers": 31,
                     "num_key_value_heads": 2, "rms_norm_eps": 1e-05, "rope_theta": 1000000000.0,
                     "sliding_window": None, "bos_token_id": 2, "eos_token_id": 3, "pad_token_id": 4},
        vision_config={"model_type": "pixtral", "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 4,
                       "intermediate_size": 37, "image_size": 30, "patch_size": 6, "num_channels": 3},
        bos_token_id=2, eos_token_id=3, pad_token_id=4, image_seq_length=4, vision_feature_layer=-1,
        image_token_index=1)
    torch.manual_seed(0)
    text_encoder = Mistral3ForConditionalGeneration(config).eval()
    torch.manual_seed(0)
    vae = AutoencoderKLFlux2(sample_size=32, in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",),
                             up_block_types=("UpDecoderBlock2D",), block_out_channels=(4,), layers_per_block=1,
                             latent_channels=1, norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False)
    pipe = Flux2Pipeline(scheduler=FlowMatchEulerDiscreteScheduler(), text_encoder=text_encoder, tokenizer=processor,
                         transformer=transformer, vae=vae)
    return _save(pipe, folder, name)


def build_z_image(folder: Path, name: str = "Z-Image-Turbo-tiny") -> Path:
    """Z-Image: a Qwen3 text model read through a chat template; its pad tokens start as torch.empty, so they are
    set to ones (random memory could hold NaNs)."""
    import_diffusers()
    import torch
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, ZImagePipeline, ZImageTransformer2DModel
    from transformers import Qwen3Config, Qwen3Model

    torch.manual_seed(0)
    transformer = ZImageTransformer2DModel(
        all_patch_size=(2,), all_f_patch_size=(1,), in_channels=16, dim=32, n_layers=2, n_refiner_layers=1, n_heads=2,
        n_kv_heads=2, norm_eps=1e-5, qk_norm=True, cap_feat_dim=16, rope_theta=256.0, t_scale=1000.0,
        axes_dims=[8, 4, 4], axes_lens=[256, 32, 32])
    with torch.no_grad():
        transformer.x_pad_token.copy_(torch.ones_like(transformer.x_pad_token))
        transformer.cap_pad_token.copy_(torch.ones_like(transformer.cap_pad_token))
    torch.manual_seed(0)
    vae = AutoencoderKL(in_channels=3, out_channels=3, down_block_types=["DownEncoderBlock2D"] * 2,
                        up_block_types=["UpDecoderBlock2D"] * 2, block_out_channels=[8, 16], layers_per_block=1,
                        latent_channels=16, norm_num_groups=8, sample_size=32, scaling_factor=0.3611,
                        shift_factor=0.1159)
    tokenizer = qwen_tokenizer()
    tokenizer.chat_template = QWEN_CHAT_TEMPLATE
    torch.manual_seed(0)
    text_encoder = Qwen3Model(Qwen3Config(hidden_size=16, intermediate_size=16, num_hidden_layers=2,
                                          num_attention_heads=2, num_key_value_heads=2, vocab_size=len(tokenizer),
                                          max_position_embeddings=512))
    pipe = ZImagePipeline(transformer=transformer, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(),
                          text_encoder=text_encoder.eval(), tokenizer=tokenizer)
    return _save(pipe, folder, name)


def _gemma3(vocab_size: int):
    import torch
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    torch.manual_seed(0)
    config = Gemma3Config(
        text_config={"hidden_size": 32, "intermediate_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
                     "num_key_value_heads": 1, "head_dim": 8, "vocab_size": vocab_size, "sliding_window": 64,
                     "max_position_embeddings": 1024},
        vision_config={"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
                       "image_size": 28, "patch_size": 14},
        mm_tokens_per_image=4, boi_token_index=5, eoi_token_index=6, image_token_index=1)
    return Gemma3ForConditionalGeneration(config).eval()


def build_ltx2(folder: Path, name: str = "LTX-2-tiny") -> Path:
    """LTX-2 (video with audio): a Gemma-3 text encoder (hidden 32, 2 layers: the connectors read all 3 hidden states),
    text connectors, video and audio VAEs and a vocoder. The studio keeps the video and drops the audio."""
    import_diffusers()
    import torch
    from diffusers import (
        AutoencoderKLLTX2Audio,
        AutoencoderKLLTX2Video,
        FlowMatchEulerDiscreteScheduler,
        LTX2ImageToVideoPipeline,
        LTX2VideoTransformer3DModel,
    )
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder

    processor, vocab_size = pixtral_processor()  # its byte-level tokenizer stands in for Gemma's
    text_encoder = _gemma3(vocab_size)
    torch.manual_seed(0)
    transformer = LTX2VideoTransformer3DModel(
        in_channels=4, out_channels=4, patch_size=1, patch_size_t=1, num_attention_heads=2, attention_head_dim=8,
        cross_attention_dim=16, audio_in_channels=4, audio_out_channels=4, audio_num_attention_heads=2,
        audio_attention_head_dim=4, audio_cross_attention_dim=8, num_layers=2, qk_norm="rms_norm_across_heads",
        caption_channels=32, rope_double_precision=False, rope_type="split")
    connector = {"num_attention_heads": 4, "attention_head_dim": 8, "num_layers": 1, "num_learnable_registers": None}
    connectors = LTX2TextConnectors(
        caption_channels=32, text_proj_in_factor=3, connector_rope_base_seq_len=32, rope_theta=10000.0,
        rope_double_precision=False, causal_temporal_positioning=False, rope_type="split",
        **{f"{kind}_connector_{key}": value for kind in ("video", "audio") for key, value in connector.items()})
    torch.manual_seed(0)
    vae = AutoencoderKLLTX2Video(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8,), decoder_block_out_channels=(8,),
        layers_per_block=(1,), decoder_layers_per_block=(1, 1), spatio_temporal_scaling=(True,),
        decoder_spatio_temporal_scaling=(True,), decoder_inject_noise=(False, False), downsample_type=("spatial",),
        upsample_residual=(False,), upsample_factor=(1,), timestep_conditioning=False, patch_size=1, patch_size_t=1,
        encoder_causal=True, decoder_causal=False)
    torch.manual_seed(0)
    audio_vae = AutoencoderKLLTX2Audio(
        base_channels=4, output_channels=2, ch_mult=(1,), num_res_blocks=1, attn_resolutions=None, in_channels=2,
        resolution=32, latent_channels=2, norm_type="pixel", causality_axis="height", dropout=0.0,
        mid_block_add_attention=False, sample_rate=16000, mel_hop_length=160, is_causal=True, mel_bins=8)
    torch.manual_seed(0)
    vocoder = LTX2Vocoder(in_channels=16, hidden_channels=32, out_channels=2, upsample_kernel_sizes=[4, 4],
                          upsample_factors=[2, 2], resnet_kernel_sizes=[3], resnet_dilations=[[1, 3, 5]],
                          leaky_relu_negative_slope=0.1, output_sampling_rate=16000)
    pipe = LTX2ImageToVideoPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, audio_vae=audio_vae,
                                    text_encoder=text_encoder, tokenizer=processor.tokenizer, connectors=connectors,
                                    transformer=transformer, vocoder=vocoder)
    return _save(pipe, folder, name)
