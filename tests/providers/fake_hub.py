"""A loopback server standing in for the Hugging Face Hub (HF_ENDPOINT): model info with the file list, and
HEAD/GET of files under /<repo>/resolve/<revision>/<path> with the commit and etag headers huggingface_hub reads."""
from __future__ import annotations

import hashlib
from pathlib import Path

from tests.providers.fakes import Loopback, Seen, reply

COMMIT = "0123456789abcdef0123456789abcdef01234567"


class FakeHub:
    def __init__(self, repos: dict[str, Path], extra: dict[str, bytes] | None = None) -> None:
        """repos: repo id -> a local folder served as that repo; extra: more files (path -> bytes) in every repo."""
        self.files: dict[str, dict[str, bytes]] = {}
        for repo_id, folder in repos.items():
            files = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
            files.update(extra or {})
            self.files[repo_id] = files
        self.server = Loopback(self._route)
        self.url = self.server.url

    def downloads(self) -> list[str]:
        """Paths of the files whose bodies were fetched (GET on resolve/)."""
        return [s.path.split("/resolve/", 1)[1].split("/", 1)[1] for s in self.server.requests("GET", "/resolve/")]

    def _route(self, seen: Seen):
        path = seen.path.split("?")[0]
        if path.startswith("/api/models/"):
            repo_id = "/".join(path[len("/api/models/"):].split("/")[:2])
            if repo_id not in self.files:
                return 404, {"X-Error-Code": "RepoNotFound", "Content-Type": "application/json"}, b'{"error": "no"}'
            return reply(200, {"id": repo_id, "sha": COMMIT,
                               "siblings": [{"rfilename": name} for name in self.files[repo_id]]})
        owner, name, marker, _revision, file_path = (path.lstrip("/").split("/", 4) + [""] * 5)[:5]
        files = self.files.get(f"{owner}/{name}")
        if marker != "resolve" or files is None or file_path not in files:
            return 404, {"X-Error-Code": "EntryNotFound", "Content-Type": "application/json"}, b'{"error": "no"}'
        body = files[file_path]
        headers = {"X-Repo-Commit": COMMIT, "ETag": f'"{hashlib.sha1(body).hexdigest()}"',
                   "Content-Type": "application/octet-stream"}
        return 200, headers, body
