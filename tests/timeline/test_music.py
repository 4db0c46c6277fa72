from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pytest

from pipeline.timeline import MusicLibraryError, TimelineError, find_track, load_manifest, moods, pick_by_mood, probe

from .conftest import read_audio

LICENCE = "CC0 — composed by the Hero Frame Studio project (assets/music/compose.py)"


def test_manifest_loads_and_every_file_is_there(music_dir):
    tracks = load_manifest(music_dir)
    assert len(tracks) >= 8
    assert len({t.id for t in tracks}) == len(tracks)
    for t in tracks:
        assert t.path.is_file()
        assert t.path.stat().st_size < 1_000_000, t.id
        assert t.licence == LICENCE
        assert 30 <= t.length_seconds <= 60
        assert 40 <= t.tempo_bpm <= 200
        assert t.key.split()[-1] in ("major", "minor")


def test_tracks_are_real_aac_of_the_right_length(music_dir):
    for t in load_manifest(music_dir):
        info = probe(t.path)
        assert info.audio_codec == "aac" and not info.has_video
        assert info.audio_sample_rate in (44100, 48000) and info.audio_channels == 2
        assert 30 <= info.duration <= 60, t.id
        assert info.duration == pytest.approx(t.length_seconds, abs=0.1)


def test_tracks_are_clean_and_differ(music_dir):
    tracks = load_manifest(music_dir)
    digests = {hashlib.sha256(t.path.read_bytes()).hexdigest() for t in tracks}
    assert len(digests) == len(tracks)
    assert len({t.mood for t in tracks}) == len(tracks)
    assert len({(t.tempo_bpm, t.key) for t in tracks}) == len(tracks)
    spectra = []
    for t in tracks:
        audio = read_audio(t.path)
        peak = float(np.max(np.abs(audio)))
        rms = float(np.sqrt(np.mean(audio ** 2)))
        assert 20 * np.log10(peak) <= -1.0, f"{t.id} peaks at {20 * np.log10(peak):.2f} dBFS"
        assert -22 < 20 * np.log10(rms) < -12, t.id  # loudness-normalised
        assert np.max(np.abs(audio.mean(axis=1))) < 1e-3, t.id  # no DC offset
        assert np.mean(np.abs(audio) > 0.999) == 0.0  # no clipping
        # a coarse long-term spectrum (32 bands) of the mid channel to compare tracks
        mid = audio.mean(axis=0)[: 44100 * 30]
        power = np.abs(np.fft.rfft(mid)) ** 2
        bands = np.array([b.sum() for b in np.array_split(power[: len(power) // 2], 32)])
        spectra.append(np.log10(bands / bands.sum() + 1e-12))
    for i in range(len(spectra)):
        for j in range(i + 1, len(spectra)):
            assert np.abs(spectra[i] - spectra[j]).mean() > 0.05, (tracks[i].id, tracks[j].id)


def test_find_and_pick(music_dir):
    assert find_track(music_dir, "velvet-hour").mood == "luxury"
    assert pick_by_mood(music_dir, "tech").id == "circuit-bloom"
    assert pick_by_mood(music_dir, "Eco").mood == "calm"  # tags match too, case-insensitively
    assert set(moods(music_dir)) >= {"luxury", "tech", "calm", "energetic", "cinematic", "playful"}
    with pytest.raises(MusicLibraryError, match="no music track 'nope'"):
        find_track(music_dir, "nope")
    with pytest.raises(MusicLibraryError, match="Moods: luxury, tech"):
        pick_by_mood(music_dir, "polka")


def test_missing_and_corrupt_manifest(tmp_path, music_dir):
    with pytest.raises(MusicLibraryError, match="no manifest"):
        load_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(MusicLibraryError, match="not valid JSON"):
        load_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"tracks": [{"id": "x", "title": "X"}]}))
    with pytest.raises(MusicLibraryError, match="lacks: file, mood"):
        load_manifest(tmp_path)
    entry = json.loads((music_dir / "manifest.json").read_text())["tracks"][0]
    (tmp_path / "manifest.json").write_text(json.dumps({"tracks": [entry]}))
    with pytest.raises(MusicLibraryError, match="missing"):
        load_manifest(tmp_path)
    shutil.copy(music_dir / entry["file"], tmp_path / entry["file"])
    assert [t.id for t in load_manifest(tmp_path)] == [entry["id"]]
    assert issubclass(MusicLibraryError, TimelineError)
