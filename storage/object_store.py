"""Optional S3-compatible object storage behind the media folder (team mode without a shared filesystem).

Engines, ffmpeg and PIL keep working on local files. With an ObjectStore attached, MediaStore mirrors its folder:
every completed write is uploaded, and a file that is missing locally is downloaded into the media folder (which
then acts as a cache) before its path is handed out. Keys are the media-relative paths under an optional prefix.

boto3 is an optional dependency (requirements-s3.txt), imported only when HFS_S3_BUCKET is set. Credentials come
from the settings (HFS_S3_ACCESS_KEY_ID / AWS_ACCESS_KEY_ID, ...) or, when those are blank, from boto3's own chain
(an IAM role, ~/.aws/credentials). They are never logged: messages of boto3's loggers are redacted, and errors
name only the bucket, the key and the server's error code.

    python -m storage.object_store check         # can this machine read, write and delete in the bucket?
    python -m storage.object_store push          # upload local media the bucket does not have (migration)
    python -m storage.object_store prune-cache --days 14   # drop cached copies the bucket keeps
"""
from __future__ import annotations

import argparse
import logging
import mimetypes
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

BOTO3_PIN = "boto3==1.44.5"
INSTALL_HINT = f"pip install -r requirements-s3.txt (or: pip install {BOTO3_PIN})"
_MISSING_CODES = {"404", "NoSuchKey", "NotFound", "NoSuchObject"}


class ObjectStoreError(RuntimeError):
    """The object store could not be reached or refused a request (never carries a credential)."""


def check_relative(relative: str) -> str:
    """A media-relative key ('frames/x.png'): no leading slash, no '.' or '..' parts, no backslashes."""
    text = str(relative or "")
    parts = text.split("/")
    if not text or text.startswith("/") or "\\" in text or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"{relative!r} is not a media-relative path.")
    return text


class ObjectStore(ABC):
    """Where media files live besides the local folder. Keys are media-relative paths ('frames/x.png')."""

    @abstractmethod
    def put(self, relative: str, local_path: Path) -> None:
        """Upload ``local_path`` as ``relative`` (replacing an object there)."""

    @abstractmethod
    def get(self, relative: str, local_path: Path) -> bool:
        """Download ``relative`` into ``local_path``; False (and nothing written) when there is no such object."""

    @abstractmethod
    def exists(self, relative: str) -> bool:
        """Whether ``relative`` is stored."""

    @abstractmethod
    def delete(self, relative: str) -> None:
        """Remove ``relative``; no error when it is not there."""

    @abstractmethod
    def list(self, prefix: str = "") -> Iterator[str]:
        """Relative paths of the stored objects under ``prefix`` (a folder such as 'frames/'; '' = all)."""

    def describe(self) -> str:
        """Where the objects live, for logs and the settings summary (never a credential)."""
        return type(self).__name__


# --------------------------------------------------------------------------------------------- log redaction
class _RedactSecrets(logging.Filter):
    """Replaces credentials in records of boto3's (and its HTTP stack's) loggers: botocore logs the Authorization
    header, which names the access key id, at DEBUG."""

    PREFIXES = ("botocore", "boto3", "s3transfer", "urllib3")

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()
        self._seen = -1

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            try:
                message = record.getMessage()
            except Exception:  # noqa: BLE001 - a malformed record is logging's problem, not ours
                return True
            if any(s in message for s in self.secrets):
                for secret in self.secrets:
                    message = message.replace(secret, "***")
                record.msg, record.args = message, None
        return True

    def install(self, secrets: Iterable[str] = ()) -> None:
        """Attach to every logger of boto3's stack that exists now (cheap when none was added since last time)."""
        self.secrets.update(s for s in secrets if s)
        loggers = logging.Logger.manager.loggerDict
        if not self.secrets or len(loggers) == self._seen:
            return
        self._seen = len(loggers)
        for name, logger in list(loggers.items()):
            if isinstance(logger, logging.Logger) and name.split(".")[0] in self.PREFIXES \
                    and self not in logger.filters:
                logger.addFilter(self)


_REDACT = _RedactSecrets()


# --------------------------------------------------------------------------------------------- S3
def _boto3() -> tuple[Any, Any, Any]:
    try:
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config
    except ImportError:
        raise ObjectStoreError(f"HFS_S3_BUCKET is set but boto3 is not installed: {INSTALL_HINT}") from None
    return boto3, Config, TransferConfig


class S3ObjectStore(ObjectStore):
    """An S3 bucket (AWS, MinIO, Cloudflare R2, any S3-compatible server) under an optional key prefix."""

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None, region: str | None = None,
                 access_key_id: str | None = None, secret_access_key: str | None = None,
                 session_token: str | None = None, client: Any = None) -> None:
        boto3, Config, TransferConfig = _boto3()
        if bool(access_key_id) != bool(secret_access_key):
            raise ObjectStoreError("Set both the S3 access key id and the secret access key (or neither, to use "
                                   "boto3's credential chain: an IAM role, ~/.aws/credentials).")
        self.bucket = bucket
        self.prefix = str(prefix or "").strip("/")
        self.endpoint_url = endpoint_url or None
        self._secrets = [s for s in (access_key_id, secret_access_key, session_token) if s]
        _REDACT.install(self._secrets)
        if client is None:
            config = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=10, read_timeout=120,
                            # custom endpoints (MinIO, R2, ...) are addressed by path: no per-bucket DNS names
                            s3={"addressing_style": "path" if self.endpoint_url else "auto"})
            client = boto3.session.Session().client(
                "s3", endpoint_url=self.endpoint_url, region_name=region or None,
                aws_access_key_id=access_key_id or None, aws_secret_access_key=secret_access_key or None,
                aws_session_token=session_token or None, config=config)
        self._client = client
        self._transfer = TransferConfig(max_concurrency=4)

    def __repr__(self) -> str:
        return f"S3ObjectStore({self.describe()!r})"

    def describe(self) -> str:
        where = f"s3://{self.bucket}/{self.prefix + '/' if self.prefix else ''}"
        if self.endpoint_url:
            from urllib.parse import urlsplit

            parts = urlsplit(self.endpoint_url)
            where += f" at {parts.hostname}{f':{parts.port}' if parts.port else ''}"
        return where

    def key(self, relative: str) -> str:
        relative = check_relative(relative)
        return f"{self.prefix}/{relative}" if self.prefix else relative

    # ---------------------------------------------------------------- operations
    def put(self, relative: str, local_path: Path) -> None:
        key = self.key(relative)
        content_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        try:
            self._client.upload_file(str(local_path), self.bucket, key, ExtraArgs={"ContentType": content_type},
                                     Config=self._transfer)
        except Exception as exc:  # noqa: BLE001 - boto3 raises several families; all become one clear error
            raise self._error("upload", relative, exc) from None
        finally:
            _REDACT.install()

    def get(self, relative: str, local_path: Path) -> bool:
        key = self.key(relative)
        try:
            self._client.download_file(self.bucket, key, str(local_path), Config=self._transfer)
        except Exception as exc:  # noqa: BLE001
            if _is_missing(exc):
                Path(local_path).unlink(missing_ok=True)
                return False
            raise self._error("download", relative, exc) from None
        finally:
            _REDACT.install()
        return True

    def exists(self, relative: str) -> bool:
        try:
            self._client.head_object(Bucket=self.bucket, Key=self.key(relative))
        except Exception as exc:  # noqa: BLE001
            if _is_missing(exc):
                return False
            raise self._error("lookup", relative, exc) from None
        return True

    def delete(self, relative: str) -> None:
        try:
            self._client.delete_object(Bucket=self.bucket, Key=self.key(relative))
        except Exception as exc:  # noqa: BLE001
            if not _is_missing(exc):
                raise self._error("delete", relative, exc) from None

    def list(self, prefix: str = "") -> Iterator[str]:
        base = f"{self.prefix}/" if self.prefix else ""
        try:
            pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                            Prefix=base + str(prefix or ""))
            for page in pages:
                for item in page.get("Contents", ()):
                    yield item["Key"][len(base):]
        except Exception as exc:  # noqa: BLE001
            raise self._error("listing", prefix or "/", exc) from None

    def check(self) -> str:
        """Write, read back and delete a probe object: what `python -m storage.object_store check` runs."""
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            probe, back = Path(tmp) / "probe.txt", Path(tmp) / "back.txt"
            probe.write_text(f"hero frame studio probe {time.time()}", encoding="utf-8")
            relative = f".probe/{int(time.time() * 1000)}.txt"
            self.put(relative, probe)
            try:
                if not self.get(relative, back) or back.read_bytes() != probe.read_bytes():
                    raise ObjectStoreError(f"{self.describe()}: the probe object did not read back unchanged.")
            finally:
                self.delete(relative)
        return f"{self.describe()}: write, read and delete work."

    def _error(self, action: str, relative: str, exc: Exception) -> ObjectStoreError:
        response = getattr(exc, "response", None)
        if isinstance(response, dict) and response.get("Error"):
            error = response["Error"]
            status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            detail = f"{error.get('Code', 'error')}{f' (HTTP {status})' if status else ''}: {error.get('Message', '')}"
        else:
            detail = f"{type(exc).__name__}: {exc}"
        for secret in self._secrets:
            detail = detail.replace(secret, "***")
        return ObjectStoreError(f"S3 {action} of '{relative}' in {self.describe()} failed: {detail.strip(': ')}")


def _is_missing(exc: Exception) -> bool:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    return str(response.get("Error", {}).get("Code", "")) in _MISSING_CODES  # not NoSuchBucket: that is an error


def from_settings(settings) -> ObjectStore | None:
    """The object store the settings configure (None when HFS_S3_BUCKET is blank: local media folder only)."""
    if not settings.s3_bucket:
        return None

    def secret(value) -> str | None:
        return value.get_secret_value() if value is not None else None

    return S3ObjectStore(settings.s3_bucket, settings.s3_prefix, endpoint_url=settings.s3_endpoint_url,
                         region=settings.s3_region, access_key_id=secret(settings.s3_access_key_id),
                         secret_access_key=secret(settings.s3_secret_access_key),
                         session_token=secret(settings.s3_session_token))


# --------------------------------------------------------------------------------------------- command line
def _local_files(root: Path) -> Iterator[tuple[str, Path]]:
    from storage.media import mirrored

    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not path.name.startswith(".tmp-") and mirrored(relative):
            yield relative, path


def main(argv: list[str] | None = None) -> int:
    from pipeline.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m storage.object_store",
                                     description="The media bucket (HFS_S3_BUCKET) of this studio.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="write, read back and delete a probe object")
    sub.add_parser("push", help="upload local media files the bucket does not have yet (moving to a bucket)")
    prune = sub.add_parser("prune-cache", help="delete local copies the bucket keeps, not used for DAYS days")
    prune.add_argument("--days", type=float, default=14.0)
    prune.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)

    settings = Settings()
    try:
        store = from_settings(settings)
        if store is None:
            parser.error("HFS_S3_BUCKET is not set: the media folder is local only.")
        root = Path(settings.media_dir)
        if args.command == "check":
            print(store.check() if isinstance(store, S3ObjectStore) else store.describe())
        elif args.command == "push":
            stored = set(store.list())
            sent = 0
            for relative, path in _local_files(root):
                if relative not in stored:
                    store.put(relative, path)
                    sent += 1
            print(f"Uploaded {sent} file(s) to {store.describe()}; {len(stored)} were there already.")
        else:
            stored, cutoff, freed, count = set(store.list()), time.time() - args.days * 86400, 0, 0
            for relative, path in _local_files(root):
                info = path.stat()
                if relative in stored and max(info.st_atime, info.st_mtime) < cutoff:
                    count, freed = count + 1, freed + info.st_size
                    if not args.dry_run:
                        path.unlink(missing_ok=True)
            verb = "Would delete" if args.dry_run else "Deleted"
            print(f"{verb} {count} cached file(s), {freed / 1e6:.1f} MB; the bucket keeps them.")
    except ObjectStoreError as exc:
        print(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
