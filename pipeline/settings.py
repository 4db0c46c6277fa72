"""All configuration of the studio, read from environment variables and `.env` (nothing else reads env vars)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HFS_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      populate_by_name=True)

    data_dir: Path = Field(default=Path("studio-data"), description="Folder for the database, queue and media.")
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("HFS_DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL; default a SQLite file in the data folder.",
    )
    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("HFS_REDIS_URL", "REDIS_URL"),
        description="Use a Redis queue instead of the SQLite queue in the data folder.",
    )
    media_dir: Path | None = Field(
        default=None,
        description="Folder for images and videos (default: media/ in the data folder). In team mode point every "
        "machine (web process and workers) at the same shared filesystem path.",
    )
    s3_bucket: str | None = Field(
        default=None, min_length=3, max_length=63,
        description="Team mode without a shared folder: keep media in this S3-compatible bucket (AWS S3, MinIO, "
        "Cloudflare R2). Writes are uploaded, files missing locally are downloaded into the media folder, which "
        "becomes a cache (docs/S3.md). Needs `pip install -r requirements-s3.txt`. Blank = local folder only.",
    )
    s3_prefix: str = Field(default="", max_length=200,
                           description="Key prefix in the bucket (e.g. studio-a), so one bucket can hold several "
                           "studios.")
    s3_endpoint_url: str | None = Field(
        default=None, description="S3-compatible server URL for MinIO, Cloudflare R2, ... (blank: AWS S3).",
    )
    s3_region: str | None = Field(
        default=None, description="Bucket region (R2: auto; blank: boto3's default).",
    )
    s3_access_key_id: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("HFS_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID", "s3_access_key_id"),
        description="S3 access key id (blank: boto3's credential chain, e.g. an IAM role or ~/.aws/credentials).",
    )
    s3_secret_access_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("HFS_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY",
                                      "s3_secret_access_key"),
        description="S3 secret access key.",
    )
    s3_session_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("HFS_S3_SESSION_TOKEN", "AWS_SESSION_TOKEN", "s3_session_token"),
        description="S3 session token of temporary credentials (usually blank).",
    )
    queue_name: str = Field(default="hero-frame-studio", min_length=1, max_length=100,
                            description="Name of the Huey queue (one Redis can carry several studios).")
    queue_mode: Literal["embedded", "external", "immediate"] = Field(
        default="embedded",
        description="embedded: the app starts its own worker process; external: run `python -m pipeline.worker` "
        "yourself; immediate: run work inline (tests only).",
    )
    worker_name: str | None = Field(
        default=None, max_length=120,
        description="Name of this worker in job lists (worker ids are name:pid; default the hostname). Workers with "
        "a custom name are recovered by heartbeat only, never by a local pid check.",
    )
    worker_threads: int = Field(default=2, ge=1, le=32, description="Jobs a worker process runs at once.")
    worker_poll_max_seconds: float = Field(
        default=0.25, ge=0.05, le=10.0,
        description="Longest wait between an idle worker's looks at the queue. Huey's own default (10 s) let a "
        "click after a quiet minute wait up to 10 s before any work started; a poll is one cheap query.",
    )
    job_stale_seconds: float = Field(default=30.0, gt=0,
                                     description="A running job without a heartbeat this long is recovered.")
    job_max_tries: int = Field(default=3, ge=1, le=10, description="Tries for work that fails transiently.")
    retry_base_delay: float = Field(default=2.0, ge=0, description="First retry delay in seconds; doubles per try.")

    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("HFS_HOST", "GRADIO_SERVER_NAME"),
                      description="Address the studio listens on (Gradio's GRADIO_SERVER_NAME works too; on a "
                      "Hugging Face Space, where SPACE_ID is set, the default is 0.0.0.0).")
    port: int = Field(default=7860, ge=0, le=65535, validation_alias=AliasChoices("HFS_PORT", "GRADIO_SERVER_PORT"),
                      description="Port the studio listens on (0 = any free port; GRADIO_SERVER_PORT works too).")

    auth: Literal["none", "local", "hf"] = Field(
        default="none",
        description="none: single user, no login (laptop default); local: team mode with accounts from "
        "`python -m storage.users`; hf: team mode with Hugging Face OAuth on a Space.",
    )
    hf_oauth_org: str | None = Field(
        default=None, max_length=100,
        description="With auth=hf: only members of this Hugging Face organisation may use the studio.",
    )
    generations_per_hour: int = Field(
        default=10, ge=0, le=100000,
        description="Team mode: generations (frame batches, attempt groups, ads, ...) one user may queue per hour; "
        "0 = no limit. Single-user mode has no limit.",
    )
    user_monthly_cap_usd: float | None = Field(
        default=20.0, ge=0,
        description="Team mode: estimated provider spend one user may queue per calendar month (blank = no cap; "
        "`python -m storage.users set-cap` overrides it per user).",
    )
    team_monthly_cap_usd: float | None = Field(
        default=200.0, ge=0, description="Team mode: estimated provider spend of all users per calendar month.",
    )

    prompt_engine: str = Field(default="local-prompt-rules", description="Prompt enhancer engine.")
    frame_engine: str = Field(default="local-previz", description="Hero-frame engine.")
    photo_engine: str = Field(default="local-photo", description="Photo enhancement engine.")
    video_engine: str = Field(default="local-camera-motion", description="Image-to-video engine.")

    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("HFS_OPENAI_API_KEY", "OPENAI_API_KEY"), description="OpenAI key."
    )
    openai_base_url: str | None = Field(default=None, description="OpenAI-compatible server URL.")
    replicate_api_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("HFS_REPLICATE_API_TOKEN", "REPLICATE_API_TOKEN"),
        description="Replicate token.",
    )
    replicate_base_url: str | None = Field(default=None, description="Replicate API URL (default the public API).")
    replicate_poll_interval: float = Field(default=2.0, gt=0, description="Seconds between prediction polls.")
    replicate_timeout: float = Field(default=1800.0, gt=0, description="Longest wait for one prediction, in seconds; "
                                     "a prediction still running then is cancelled.")
    provider_retries: int = Field(default=3, ge=0, le=10,
                                  description="Retries of a rate-limited or failed create call.")
    provider_retry_delay: float = Field(default=2.0, ge=0, description="First create retry delay; doubles per retry.")
    openai_timeout: float = Field(default=120.0, gt=0, description="Seconds to wait for one OpenAI request.")
    openai_max_retries: int = Field(default=2, ge=0, le=10, description="OpenAI SDK retries (429, 5xx, timeouts).")
    llm_model: str = Field(default="gpt-5-mini", description="Chat model for prompt help (any model your server has).")
    openai_image_model: str = Field(default="gpt-image-1.5", description="Default OpenAI image model.")
    openai_image_quality: Literal["low", "medium", "high"] = Field(default="medium",
                                                                   description="OpenAI image quality.")
    diffusers_image_model: Path | None = Field(default=None,
                                               description="Folder of a diffusers text-to-image pipeline.")
    diffusers_video_model: Path | None = Field(default=None,
                                               description="Folder of a diffusers image-to-video pipeline.")
    models_dir: Path | None = Field(
        default=None, description="Folder of diffusers model folders (each with its model_index.json), read in place: "
        "`python -m pipeline.models list` shows what the studio can run. HFS_DIFFUSERS_IMAGE_MODEL / _VIDEO_MODEL may "
        "then name a folder in it; blank = the first runnable one.")
    diffusers_device: str = Field(default="auto", description="Device for diffusers: auto, cuda, cuda:1 or cpu.")
    diffusers_profiles: dict[str, str] = Field(
        default_factory=dict, description='Memory profile per model folder name ("*" = every model), e.g. '
        '{"Wan2.1-I2V-14B": "fp8_offload"}; blank = chosen from the free VRAM (docs/DEPLOY.md).')
    diffusers_vram_gb: float | None = Field(
        default=None, gt=0, description="Plan as if this much VRAM were free (GiB); blank = measured on the GPU.")
    diffusers_ram_gb: float | None = Field(
        default=None, gt=0, description="Plan as if this much RAM were available (GiB); blank = measured.")
    diffusers_cache_size: int = Field(default=1, ge=1, le=8,
                                      description="Loaded pipelines kept between jobs (least recently used go first).")
    diffusers_steps: int | None = Field(default=None, ge=1, le=200, description="Denoising steps (blank: the model's).")
    diffusers_frame_steps: int | None = Field(default=None, ge=1, le=200,
                                              description="Hero-frame denoising steps (blank: HFS_DIFFUSERS_STEPS).")
    diffusers_video_steps: int | None = Field(default=None, ge=1, le=200,
                                              description="Video denoising steps (blank: HFS_DIFFUSERS_STEPS).")
    diffusers_frame_long_side: int | None = Field(default=None, ge=32, le=4096,
                                                  description="Hero-frame long side (blank: HFS_DIFFUSERS_LONG_SIDE).")
    diffusers_video_long_side: int | None = Field(default=None, ge=32, le=4096,
                                                  description="Video long side (blank: HFS_DIFFUSERS_LONG_SIDE).")
    diffusers_long_side: int | None = Field(default=None, ge=32, le=4096,
                                            description="Long side of local GPU renders (blank: the model's own).")

    music_dir: Path = Field(default=REPO_ROOT / "assets" / "music",
                            description="Folder of music tracks + manifest.json.")
    max_upload_mb: float = Field(default=25.0, gt=0, description="Largest photo upload in MB.")
    max_upload_megapixels: float = Field(default=40.0, gt=0, description="Largest photo upload in megapixels.")
    scoring_enable_pyiqa: bool = Field(default=True, description="Use pyiqa metrics (non-commercial licence).")
    learned_metrics_dir: Path | None = Field(
        default=None,
        description="Folder with weight files of learned quality metrics (MUSIQ-SPAQ, LAION aesthetic, CLIP) for the "
        "pyiqa tier; unset = weight-free metrics only. Files are never downloaded (see docs/SCORING.md).",
    )
    video_min_short_side: int = Field(default=720, ge=144, description="Short side of local engine videos.")
    frame_long_side: int = Field(default=1280, ge=512, description="Long side of local previz frames.")
    export_long_side: int = Field(default=1920, ge=320, description="Long side of exported timelines (1920 = 1080p).")
    export_stall_seconds: float = Field(
        default=120.0, ge=5.0,
        description="An export whose ffmpeg makes no progress for this long is stopped and tried once more.")

    @field_validator("user_monthly_cap_usd", "team_monthly_cap_usd", mode="before")
    @classmethod
    def _blank_is_no_cap(cls, value):
        """HFS_USER_MONTHLY_CAP_USD= (blank) or "none" turns a cap off."""
        if isinstance(value, str) and value.strip().lower() in ("", "none", "off"):
            return None
        return value

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("s3_bucket", "s3_endpoint_url", "s3_region", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("s3_prefix")
    @classmethod
    def _clean_prefix(cls, value: str) -> str:
        value = value.strip().strip("/")
        if value and any(part in ("", ".", "..") for part in value.split("/")):
            raise ValueError("the S3 prefix must be a plain key prefix such as 'studio' or 'team/studio'")
        return value

    @field_validator("s3_endpoint_url")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("the S3 endpoint URL must start with http:// or https://")
        return value

    @model_validator(mode="after")
    def _default_media_dir(self) -> "Settings":
        self.media_dir = (self.media_dir or self.data_dir / "media").expanduser().resolve()
        return self

    @model_validator(mode="after")
    def _space_listens_everywhere(self) -> "Settings":
        # A Space routes traffic to the container from outside: 127.0.0.1 would serve nobody.
        if "host" not in self.model_fields_set and os.environ.get("SPACE_ID"):
            self.host = "0.0.0.0"
        return self

    @property
    def team_mode(self) -> bool:
        """Logins, ownership checks, sharing and limits are on (auth is local or hf)."""
        return self.auth != "none"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'studio.db'}"

    @property
    def queue_path(self) -> Path:
        return self.data_dir / "queue.db"

    def public_summary(self) -> dict[str, str]:
        """What the UI may show about the configuration: never secrets, only whether they are set."""
        return {
            "data folder": str(self.data_dir),
            "media folder": str(self.media_dir),
            "database": self.resolved_database_url.split("@")[-1],  # no user or password
            "queue": "Redis" if self.redis_url else "SQLite (data folder)",
            "logins": {"none": "off (single user)", "local": "studio accounts", "hf": "Hugging Face"}[self.auth],
            "OpenAI key": "set" if self.openai_api_key else "not set",
            "Replicate token": "set" if self.replicate_api_token else "not set",
            "diffusers image model": "set" if self.diffusers_image_model else "not set",
            "diffusers video model": "set" if self.diffusers_video_model else "not set",
            "models folder": "set" if self.models_dir else "not set",
            "media bucket": self._bucket_summary(),
            "S3 access key": "set" if self.s3_access_key_id and self.s3_secret_access_key else "not set",
        }

    def _bucket_summary(self) -> str:
        if not self.s3_bucket:
            return "off (media folder only)"
        from urllib.parse import urlsplit

        where = f"s3://{self.s3_bucket}/{self.s3_prefix + '/' if self.s3_prefix else ''}"
        host = urlsplit(self.s3_endpoint_url).hostname if self.s3_endpoint_url else None
        return where + (f" at {host}" if host else "")

    def secret_values(self) -> list[str]:
        """Every configured secret, for redaction of provider messages (never for display)."""
        return [s.get_secret_value() for s in (self.openai_api_key, self.replicate_api_token, self.s3_access_key_id,
                                               self.s3_secret_access_key, self.s3_session_token)
                if s is not None and s.get_secret_value()]
