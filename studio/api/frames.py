"""Hero frames: prompt enhancement, candidates, uploaded product photos, favourites and the pick."""
from __future__ import annotations

from gradio.data_classes import FileData

from pipeline.services.views import FrameView, ProjectView
from studio.api.endpoint import Resource, endpoint


class FramesApi(Resource):
    @endpoint
    def enhance_prompt(self, prompt: str, aspect_ratio: str = "16:9") -> dict:
        """Cinematographer prompt enhancement: {original, enhanced, additions: [{category, text}], engine}."""
        return self.s.hero_frames.enhance_prompt(prompt, aspect_ratio)

    @endpoint(blank=("aspect_ratio", "seed", "enhanced_prompt", "engine"))
    def generate_hero_frames(self, project_id: int, prompt: str, count: int = 4, aspect_ratio: str = "",
                             seed: int = -1, enhanced_prompt: str = "", engine: str = "",
                             negative_prompt: str = "") -> dict:
        """Queue 4–8 candidate frames. seed -1 = random; engine "" = the configured default (see /engines);
        negative_prompt goes to models that take one (/engines says which). Returns {job_id, seeds}; poll /job."""
        return self.s.hero_frames.generate(project_id, prompt, count, aspect_ratio, seed, enhanced_prompt,
                                           engine=engine, negative_prompt=negative_prompt)

    @endpoint
    def hero_frames(self, project_id: int) -> tuple[list[FrameView], list[FileData]]:
        """The project's hero frames (newest first) and their images, in the same order."""
        frames = self.s.hero_frames.list(project_id)
        return frames, self.files(*[f.image for f in frames])

    @endpoint
    def upload_hero_frame(self, project_id: int, image: FileData,
                          enhance: bool = False) -> tuple[FrameView, list[FileData]]:
        """Upload a JPEG/PNG/WebP product photo (≤ 25 MB, ≤ 40 MP); optionally enhance it (a new linked frame)."""
        frame = self.s.hero_frames.upload(project_id, self.upload_path(image), enhance=enhance)
        return frame, self.files(frame.image)

    @endpoint(blank=("crop_to",))
    def enhance_photo(self, frame_id: int, crop_to: str = "") -> tuple[FrameView, list[FileData]]:
        """Classical photo enhancement of a frame, saved as a new frame linked to it."""
        frame = self.s.hero_frames.enhance_photo(frame_id, crop_to=crop_to)
        return frame, self.files(frame.image)

    @endpoint
    def hero_frame_fit(self, frame_id: int, mode: str = "crop") -> FrameView:
        """How attempts bring this frame to the project's aspect ratio when its shape differs: "crop" (around the
        subject) or "extend" (the whole photo on a soft backdrop)."""
        return self.s.hero_frames.set_fit_mode(frame_id, mode)

    @endpoint
    def favourite_hero_frame(self, frame_id: int, favourite: bool = True) -> FrameView:
        """Mark or unmark a frame as favourite."""
        return self.s.hero_frames.set_favourite(frame_id, favourite)

    @endpoint
    def select_hero_frame(self, project_id: int, frame_id: int) -> ProjectView:
        """Make a frame the project's hero for image-to-video."""
        return self.s.projects.select_hero_frame(project_id, frame_id)
