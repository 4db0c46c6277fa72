"""Compose the Hero Frame Studio music library from scratch (numpy synthesis, no samples, no downloads).

    python assets/music/compose.py            # regenerate every track + manifest.json
    python assets/music/compose.py tech calm  # only these track ids (the manifest keeps the others)

Every track is a real little arrangement: synthesised drums (kick, snare, hats, claps, ...), a bass line, chords
following a progression (pads, e-piano, guitar, piano, ...), a melody built from motifs over the chords, and a
mood-specific production (swing, sidechain pumping, reverb size, filters). Each track has its own seeded random
generator, so a rerun rebuilds the same music. The files are AAC in .m4a (44.1 kHz stereo, 128 kbps),
30-60 s long, loudness-normalised (same RMS), peaks at or below -1 dBFS after decoding, a short fade-in
and a fade-out.

Licence of the output: CC0 (public domain dedication) -- composed by the Hero Frame Studio project.
"""
from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from scipy import signal
from scipy.ndimage import maximum_filter1d, uniform_filter1d

SR = 44100
HERE = Path(__file__).resolve().parent
LICENCE = "CC0 — composed by the Hero Frame Studio project (assets/music/compose.py)"
TARGET_RMS_DB = -17.0
PEAK_DB = -1.5  # before encoding; leaves room for AAC overshoot so the decoded file stays under -1 dBFS
BITRATE = 128_000


# ============================================================================ pitch and harmony
NOTE_PC = {"C": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "F": 5, "F#": 6, "Gb": 6, "G": 7,
           "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11}
QUALITIES: dict[str, tuple[int, ...]] = {
    "": (0, 4, 7), "m": (0, 3, 7), "5": (0, 7, 12), "sus2": (0, 2, 7), "sus4": (0, 5, 7),
    "6": (0, 4, 7, 9), "m6": (0, 3, 7, 9), "add9": (0, 4, 7, 14), "madd9": (0, 3, 7, 14),
    "maj7": (0, 4, 7, 11), "m7": (0, 3, 7, 10), "7": (0, 4, 7, 10), "7sus4": (0, 5, 7, 10),
    "maj9": (0, 4, 7, 11, 14), "m9": (0, 3, 7, 10, 14), "9": (0, 4, 7, 10, 14), "13": (0, 4, 10, 14, 21),
    "m7b5": (0, 3, 6, 10),
}
SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10), "dorian": (0, 2, 3, 5, 7, 9, 10)}


def midi(name: str) -> int:
    """'A4' -> 69, 'Eb2' -> 39."""
    letter, octave = name[:-1], int(name[-1])
    return 12 * (octave + 1) + NOTE_PC[letter]


def hz(m: float) -> float:
    return 440.0 * 2.0 ** ((m - 69.0) / 12.0)


@dataclass(frozen=True)
class Chord:
    symbol: str
    root: int  # pitch class
    intervals: tuple[int, ...]

    @property
    def pcs(self) -> set[int]:
        return {(self.root + i) % 12 for i in self.intervals}

    def bass(self, lo: int = 36) -> int:
        """Root in [lo, lo + 12)."""
        return lo + (self.root - lo) % 12

    def voicing(self, center: int = 60, rootless: bool = False) -> list[int]:
        """Close voicing around ``center`` (each chord tone in [center - 6, center + 6))."""
        tones = self.intervals[1:] if rootless and len(self.intervals) > 3 else self.intervals
        out = sorted({center - 6 + ((self.root + i) - (center - 6)) % 12 for i in tones})
        return out

    def tones_in(self, lo: int, hi: int) -> list[int]:
        return [m for m in range(lo, hi + 1) if m % 12 in self.pcs]


def chord(symbol: str) -> Chord:
    root = symbol[:2] if len(symbol) > 1 and symbol[1] in "b#" else symbol[:1]
    return Chord(symbol, NOTE_PC[root], QUALITIES[symbol[len(root):]])


def progression(text: str) -> list[Chord]:
    return [chord(s) for s in text.split()]


def scale_notes(key_root: int, mode: str, lo: int, hi: int) -> list[int]:
    pcs = {(key_root + i) % 12 for i in SCALES[mode]}
    return [m for m in range(lo, hi + 1) if m % 12 in pcs]


class Grid:
    """Beat -> seconds, with optional 8th or 16th swing (0 = straight, 1 = full triplet swing)."""

    def __init__(self, bpm: float, swing8: float = 0.0, swing16: float = 0.0, beats_per_bar: int = 4):
        self.bpm, self.swing8, self.swing16, self.bpb = bpm, swing8, swing16, beats_per_bar
        self.beat = 60.0 / bpm

    def t(self, bar: float, beat: float = 0.0) -> float:
        b = bar * self.bpb + beat
        whole = math.floor(b + 1e-9)
        frac = b - whole
        if self.swing8 and abs(frac - 0.5) < 1e-6:
            frac += self.swing8 / 6.0
        if self.swing16 and (abs(frac - 0.25) < 1e-6 or abs(frac - 0.75) < 1e-6):
            frac += self.swing16 / 12.0
        return (whole + frac) * self.beat

    def bars_to_s(self, bars: float) -> float:
        return bars * self.bpb * self.beat


# ============================================================================ DSP helpers
def secs(seconds: float) -> int:
    return max(0, round(seconds * SR))


def tt(n: int) -> np.ndarray:
    return np.arange(n) / SR


@cache
def _sos(kind: str, fc: float | tuple[float, float], order: int) -> np.ndarray:
    return signal.butter(order, fc, btype=kind, fs=SR, output="sos")


def lp(x: np.ndarray, fc: float, order: int = 2) -> np.ndarray:
    return signal.sosfilt(_sos("lowpass", float(min(fc, SR * 0.45)), order), x, axis=0)


def hp(x: np.ndarray, fc: float, order: int = 2) -> np.ndarray:
    return signal.sosfilt(_sos("highpass", float(fc), order), x, axis=0)


def bp(x: np.ndarray, lo: float, hi: float, order: int = 2) -> np.ndarray:
    return signal.sosfilt(_sos("bandpass", (float(lo), float(min(hi, SR * 0.45))), order), x, axis=0)


def mixin(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a + b, padding the shorter with silence."""
    if len(a) < len(b):
        a, b = b, a
    out = a.copy()
    out[: len(b)] += b
    return out


def adsr(dur: float, a: float = 0.01, d: float = 0.1, s: float = 0.7, r: float = 0.2) -> np.ndarray:
    """Envelope for a note held ``dur`` seconds then released over ``r`` seconds."""
    n_gate, n = secs(dur), secs(dur) + secs(r)
    t = tt(n)
    e = np.where(t < a, t / max(a, 1e-4), s + (1.0 - s) * np.exp(-(t - a) / max(d, 1e-4)))
    if n > n_gate:
        g = e[n_gate - 1] if n_gate > 0 else 0.0
        x = (t[n_gate:] - dur) / max(r, 1e-4)
        e[n_gate:] = g * np.clip(1.0 - x, 0.0, 1.0) ** 2
    return e


def saw(freq: float | np.ndarray, n: int, phase0: float = 0.0) -> np.ndarray:
    """Band-limited (PolyBLEP) sawtooth; ``freq`` may be a per-sample array (vibrato, glides)."""
    dt = np.broadcast_to(np.asarray(freq, dtype=np.float64) / SR, (n,))
    phase = (phase0 + np.cumsum(dt)) % 1.0
    y = 2.0 * phase - 1.0
    m = phase < dt
    x = phase[m] / dt[m]
    y[m] -= x + x - x * x - 1.0
    m = phase > 1.0 - dt
    x = (phase[m] - 1.0) / dt[m]
    y[m] -= x * x + x + x + 1.0
    return y


def square(freq: float | np.ndarray, n: int, phase0: float = 0.0) -> np.ndarray:
    return 0.5 * (saw(freq, n, phase0) - saw(freq, n, phase0 + 0.5))


def sine(freq: float | np.ndarray, n: int, phase0: float = 0.0) -> np.ndarray:
    f = np.broadcast_to(np.asarray(freq, dtype=np.float64), (n,))
    return np.sin(2 * np.pi * (phase0 + np.cumsum(f) / SR))


def vibrato(freq: float, n: int, rate: float = 5.0, depth: float = 0.004, delay: float = 0.25) -> np.ndarray:
    t = tt(n)
    ramp = np.clip((t - delay) / 0.3, 0.0, 1.0)
    return freq * (1.0 + depth * ramp * np.sin(2 * np.pi * rate * t))


def karplus(freq: float, dur: float, rng: np.random.Generator, t60: float = 1.5, bright: float = 0.5,
            release: float = 0.08) -> np.ndarray:
    """Plucked string (Karplus-Strong), run 4x oversampled so high notes stay in tune."""
    os_ = 4
    fs = SR * os_
    period = fs / freq - 0.5  # the two-point average adds half a sample of delay
    p = max(2, round(period))
    n = secs(dur + release) * os_
    excite = rng.uniform(-1.0, 1.0, p)
    k = max(1, round((1.0 - bright) * 12))
    excite = np.convolve(excite, np.ones(k) / k, mode="same")
    excite -= excite.mean()
    half = 0.5 * 10.0 ** (-3.0 / (t60 * freq))  # per-period loss gives the wanted T60
    off = p + 1
    buf = np.zeros(n + off)  # buf[j + off] is y[j]; the first ``off`` entries are silent history
    buf[off:off + p] = excite
    # y[j] = x[j] + half * (y[j - p] + y[j - p - 1]); a block of p samples depends only on earlier blocks
    for start in range(p, n, p):
        end = min(start + p, n)
        buf[start + off:end + off] = half * (buf[start + off - p:end + off - p]
                                             + buf[start + off - p - 1:end + off - p - 1])
    y = signal.resample_poly(buf[off:], 1, os_)
    gate = secs(dur)
    if len(y) > gate:
        y[gate:] *= np.linspace(1.0, 0.0, len(y) - gate) ** 2
    return y / (np.max(np.abs(y)) + 1e-9)


def fm_epiano(freq: float, dur: float, vel: float = 0.7, wow: float = 0.0, phase: float = 0.0) -> np.ndarray:
    """Rhodes-like electric piano: 1:1 FM with a decaying index plus a short metallic tine."""
    env = adsr(dur, a=0.003, d=1.0, s=1.0, r=0.6)
    n = len(env)
    t = tt(n)
    f = freq * (1.0 + wow * np.sin(2 * np.pi * 0.55 * t + phase)) if wow else freq
    index = (0.6 + 1.6 * vel) * np.exp(-t / 0.4) + 0.15
    mod = sine(f, n)
    ph = 2 * np.pi * np.cumsum(np.broadcast_to(f, (n,))) / SR
    y = np.sin(ph + index * mod)
    y += 0.18 * vel * np.sin(7.0 * ph) * np.exp(-t / 0.035)
    decay = np.exp(-t / (2.2 * (220.0 / freq) ** 0.35))
    return y * decay * env


def mallet(freq: float, dur: float, kind: str = "marimba") -> np.ndarray:
    """Marimba / vibraphone / glockenspiel / bell from a few decaying partials."""
    if kind == "marimba":
        parts = [(1.0, 1.0, 0.5), (3.93, 0.35, 0.09), (9.9, 0.08, 0.02)]
        tail = 0.6
    elif kind == "vibes":
        parts = [(1.0, 1.0, 2.0), (4.0, 0.25, 0.6), (10.0, 0.05, 0.08)]
        tail = 1.5
    elif kind == "glock":
        parts = [(1.0, 1.0, 1.2), (2.76, 0.45, 0.5), (5.4, 0.2, 0.2), (8.9, 0.1, 0.08)]
        tail = 1.2
    else:  # bell
        parts = [(1.0, 1.0, 2.5), (2.0, 0.5, 1.6), (3.5, 0.35, 0.7), (5.1, 0.2, 0.4)]
        tail = 2.0
    n = secs(max(dur, 0.05) + tail)
    t = tt(n)
    y = np.zeros(n)
    for ratio, amp, decay in parts:
        if freq * ratio < SR * 0.45:
            y += amp * np.sin(2 * np.pi * freq * ratio * t) * np.exp(-t / decay)
    if kind == "vibes":
        y *= 1.0 - 0.25 * (1 - np.cos(2 * np.pi * 5.2 * t)) / 2
    y *= np.minimum(1.0, t / 0.002)
    return y


def piano(freq: float, dur: float, vel: float, rng: np.random.Generator) -> np.ndarray:
    """Additive piano: slightly inharmonic partials, two detuned strings, hammer thump, damper release."""
    n = secs(dur + 0.35)
    t = tt(n)
    y = np.zeros(n)
    b = 0.00035
    bright = 0.6 + 0.6 * vel
    for k in range(1, 11):
        fk = k * freq * math.sqrt(1 + b * k * k)
        if fk > SR * 0.45:
            break
        amp = (1.0 / k ** (2.2 - bright)) * (1.0 if k % 7 else 0.3)
        decay = (3.0 * (262.0 / freq) ** 0.5) / (1 + 0.35 * k)
        for detune in (-0.0007, 0.0007):
            y += 0.5 * amp * np.sin(2 * np.pi * fk * (1 + detune) * t + rng.uniform(0, 6.28)) * np.exp(-t / decay)
    thump = lp(rng.standard_normal(n), 1200) * np.exp(-t / 0.012) * 0.3
    y = (y + thump) * np.minimum(1.0, t / 0.002)
    gate = secs(dur)
    if n > gate:
        y[gate:] *= np.exp(-(t[gate:] - dur) / 0.08)
    return y * vel


def flute(freq: float, dur: float, rng: np.random.Generator, prev: float | None = None,
          glide: float = 0.0) -> np.ndarray:
    """Breathy flute / whistle: sine with vibrato (and an optional slide from the previous note)."""
    env = adsr(dur, a=0.06, d=0.2, s=0.85, r=0.15)
    n = len(env)
    f = vibrato(freq, n, rate=5.2, depth=0.005, delay=0.18)
    if prev and glide > 0:
        m = min(n, secs(glide))
        f[:m] *= np.linspace(prev / freq, 1.0, m)
    y = sine(f, n) + 0.12 * sine(2 * f, n) + 0.04 * sine(3 * f, n)
    breath = bp(rng.standard_normal(n), freq * 1.5, min(freq * 5, 12000)) * 0.08
    return (y + breath) * env


def supersaw(freqs: list[float], dur: float, rng: np.random.Generator, *, voices: int = 3,
             detune_cents: float = 9.0, cutoff: float = 1800.0, a: float = 0.5, r: float = 1.0,
             s: float = 0.9, d: float = 0.5) -> np.ndarray:
    """Stereo pad / string section: detuned band-limited saws per note, low-passed, slow envelope."""
    env = adsr(dur, a=a, d=d, s=s, r=r)
    n = len(env)
    out = np.zeros((n, 2))
    for f in freqs:
        for ch in range(2):
            for v in range(voices):
                c = detune_cents * ((v - (voices - 1) / 2) / max((voices - 1) / 2, 1)) + rng.uniform(-2, 2)
                out[:, ch] += saw(f * 2 ** (c / 1200.0), n, rng.random())
    out = lp(out, cutoff, 2) / (voices * max(len(freqs), 1) ** 0.6)
    return out * env[:, None]


def brass(freq: float, dur: float, vel: float = 0.8) -> np.ndarray:
    """Horn-like: a saw whose brightness swells with the attack (cross-fade of a dark and a bright filter)."""
    env = adsr(dur, a=0.18, d=0.4, s=0.85, r=0.35)
    n = len(env)
    raw = saw(vibrato(freq, n, rate=4.5, depth=0.003, delay=0.4), n) + 0.5 * saw(freq * 1.003, n, 0.3)
    dark, bright = lp(raw, 350 + freq), lp(raw, 900 + 3 * freq * vel)
    open_ = np.clip(tt(n) / 0.35, 0, 1) * vel
    return (dark * (1 - open_) + bright * open_) * env


def lead_synth(freq: float, dur: float, cutoff: float = 2600.0, shape: str = "square") -> np.ndarray:
    env = adsr(dur, a=0.005, d=0.18, s=0.65, r=0.12)
    n = len(env)
    f = vibrato(freq, n, rate=5.5, depth=0.004, delay=0.2)
    raw = square(f, n) if shape == "square" else 0.6 * saw(f, n) + 0.6 * saw(f * 1.006, n, 0.5)
    return lp(raw, cutoff) * env


def sub_bass(freq: float, dur: float, drive: float = 1.5, r: float = 0.06) -> np.ndarray:
    env = adsr(dur, a=0.005, d=0.3, s=0.8, r=r)
    y = sine(freq, len(env))
    return np.tanh(drive * y) / math.tanh(drive) * env


def saw_bass(freq: float, dur: float, cutoff: float = 700.0, drive: float = 1.0) -> np.ndarray:
    env = adsr(dur, a=0.003, d=0.15, s=0.7, r=0.05)
    n = len(env)
    y = lp(saw(freq, n) + 0.7 * sine(freq, n), cutoff)
    if drive > 1:
        y = np.tanh(drive * y) / math.tanh(drive)
    return y * env


# ---------------------------------------------------------------- drums
def kick(rng: np.random.Generator, f0: float = 150.0, f1: float = 45.0, decay: float = 0.32,
         click: float = 0.25, punch: float = 0.035, drive: float = 1.6) -> np.ndarray:
    n = secs(decay * 2.5)
    t = tt(n)
    f = f1 + (f0 - f1) * np.exp(-t / punch)
    y = np.sin(2 * np.pi * np.cumsum(f) / SR) * np.exp(-t / decay)
    y += click * lp(rng.standard_normal(n), 5000) * np.exp(-t / 0.004)
    return np.tanh(drive * y) / math.tanh(drive)


def snare(rng: np.random.Generator, tone: float = 185.0, decay: float = 0.16, noise: float = 0.9,
          bright: float = 8000.0) -> np.ndarray:
    n = secs(decay * 3)
    t = tt(n)
    body = (np.sin(2 * np.pi * tone * t) + 0.5 * np.sin(2 * np.pi * tone * 1.7 * t)) * np.exp(-t / 0.05)
    rattle = bp(rng.standard_normal(n), 1200, bright) * np.exp(-t / decay) * noise * 2.0
    return 0.6 * body + rattle


def brush(rng: np.random.Generator) -> np.ndarray:
    n = secs(0.3)
    t = tt(n)
    env = (1 - np.exp(-t / 0.02)) * np.exp(-t / 0.09)
    return bp(rng.standard_normal(n), 2000, 9000) * env * 1.5


def hat(rng: np.random.Generator, decay: float = 0.045) -> np.ndarray:
    n = secs(decay * 5)
    t = tt(n)
    return hp(rng.standard_normal(n), 7000, 2) * np.exp(-t / decay)


def ride(rng: np.random.Generator) -> np.ndarray:
    n = secs(1.2)
    t = tt(n)
    metal = sum(square(f, n, rng.random()) for f in (340, 523, 617, 845, 1120, 1470))
    y = hp(metal + 1.5 * rng.standard_normal(n), 5000) * np.exp(-t / 0.35)
    y += 0.2 * np.sin(2 * np.pi * 3250 * t) * np.exp(-t / 0.6)
    return y * 0.5


def shaker(rng: np.random.Generator, decay: float = 0.05) -> np.ndarray:
    n = secs(decay * 4)
    t = tt(n)
    return bp(rng.standard_normal(n), 4000, 12000) * (1 - np.exp(-t / 0.008)) * np.exp(-t / decay)


def clap(rng: np.random.Generator) -> np.ndarray:
    n = secs(0.4)
    t = tt(n)
    env = np.zeros(n)
    for start in (0.0, 0.011, 0.022):
        env += np.where(t >= start, np.exp(-(t - start) / 0.006), 0.0)
    env += 0.8 * np.where(t >= 0.03, np.exp(-(t - 0.03) / 0.11), 0.0)
    return bp(rng.standard_normal(n), 900, 3200) * env


def snap(rng: np.random.Generator) -> np.ndarray:
    n = secs(0.12)
    t = tt(n)
    return bp(rng.standard_normal(n), 1800, 6000) * np.exp(-t / 0.012) * 1.5


def rim(rng: np.random.Generator) -> np.ndarray:
    n = secs(0.15)
    t = tt(n)
    return (bp(rng.standard_normal(n), 1500, 5000) * np.exp(-t / 0.01)
            + 0.6 * np.sin(2 * np.pi * 1700 * t) * np.exp(-t / 0.018))


def crash(rng: np.random.Generator, decay: float = 1.3) -> np.ndarray:
    n = secs(decay * 3)
    t = tt(n)
    return hp(rng.standard_normal(n), 3500) * np.exp(-t / decay) * (1 - np.exp(-t / 0.003)) * 0.6


def timpani(freq: float, rng: np.random.Generator, decay: float = 1.5) -> np.ndarray:
    n = secs(decay * 3)
    t = tt(n)
    f = freq * (1 + 0.03 * np.exp(-t / 0.08))
    y = np.zeros(n)
    for ratio, amp in ((1.0, 1.0), (1.5, 0.5), (1.98, 0.35), (2.44, 0.2)):
        y += amp * np.sin(2 * np.pi * np.cumsum(f * ratio) / SR) * np.exp(-t * ratio / decay)
    y += 0.6 * lp(rng.standard_normal(n), 900) * np.exp(-t / 0.025)
    return np.tanh(1.3 * y)


def boom(rng: np.random.Generator) -> np.ndarray:
    n = secs(4.0)
    t = tt(n)
    f = 28 + 60 * np.exp(-t / 0.25)
    y = np.sin(2 * np.pi * np.cumsum(f) / SR) * np.exp(-t / 1.2)
    y += 0.5 * lp(rng.standard_normal(n), 200) * np.exp(-t / 1.5)
    return np.tanh(1.5 * y)


def chirp_bird(rng: np.random.Generator) -> np.ndarray:
    """A short bird call: a few quick upward sine sweeps."""
    parts = []
    base = rng.uniform(2400, 3600)
    for _ in range(int(rng.integers(2, 5))):
        n = secs(rng.uniform(0.04, 0.08))
        t = tt(n)
        f = base * (1 + 0.35 * t / t[-1])
        parts.append(np.sin(2 * np.pi * np.cumsum(f) / SR) * np.sin(np.pi * t / t[-1]) ** 2)
        parts.append(np.zeros(secs(rng.uniform(0.03, 0.07))))
    return np.concatenate(parts)


# ============================================================================ mixing
class Mix:
    """Stereo buses; ``add`` places a (mono or stereo) sound at a time with gain and equal-power pan."""

    def __init__(self, seconds: float, rng: np.random.Generator):
        self.n = secs(seconds)
        self.rng = rng
        self.buses: dict[str, np.ndarray] = {}

    def bus(self, name: str) -> np.ndarray:
        if name not in self.buses:
            self.buses[name] = np.zeros((self.n, 2), dtype=np.float32)
        return self.buses[name]

    def add(self, bus: str, sound: np.ndarray, t: float, gain: float = 1.0, pan: float = 0.0,
            humanize: float = 0.0) -> None:
        if humanize:
            t += self.rng.normal(0.0, humanize)
            gain *= 1.0 + self.rng.normal(0.0, 0.08)
        start = secs(max(0.0, t))
        if start >= self.n:
            return
        sound = sound[: self.n - start]
        buf = self.bus(bus)
        if sound.ndim == 1:
            angle = (pan + 1.0) * math.pi / 4.0
            buf[start:start + len(sound), 0] += (gain * math.sqrt(2) * math.cos(angle) * sound).astype(np.float32)
            buf[start:start + len(sound), 1] += (gain * math.sqrt(2) * math.sin(angle) * sound).astype(np.float32)
        else:
            buf[start:start + len(sound)] += (gain * sound).astype(np.float32)

    def duck(self, bus: str, grid: Grid, depth: float = 0.6, release: float = 0.16,
             bars: tuple[int, int] | None = None) -> None:
        """Sidechain-style pumping: dip the bus on every beat (where a four-on-the-floor kick hits)."""
        t = tt(self.n)
        since = t % grid.beat
        g = 1.0 - depth * np.exp(-since / release) * np.minimum(1.0, since / 0.004 + 0.3)
        if bars is not None:
            lo, hi = grid.bars_to_s(bars[0]), grid.bars_to_s(bars[1])
            g = np.where((t >= lo) & (t < hi), g, 1.0)
        self.bus(bus)[:] *= g[:, None].astype(np.float32)

    def delay(self, bus: str, seconds: float, feedback: float = 0.35, taps: int = 4, mix: float = 0.3,
              pingpong: bool = True) -> None:
        buf = self.bus(bus)
        dry = buf.copy()
        d = secs(seconds)
        for k in range(1, taps + 1):
            shift = d * k
            if shift >= self.n:
                break
            amp = mix * feedback ** (k - 1)
            src = dry[: self.n - shift]
            if pingpong and k % 2:
                buf[shift:, 0] += amp * src[:, 1]
                buf[shift:, 1] += amp * src[:, 0]
            else:
                buf[shift:] += amp * src

    def render(self, sends: dict[str, float], rt60: float = 2.0, predelay: float = 0.02,
               damp: float = 5000.0) -> np.ndarray:
        dry = np.zeros((self.n, 2))
        wet_in = np.zeros((self.n, 2))
        for name, buf in self.buses.items():
            dry += buf
            if sends.get(name):
                wet_in += sends[name] * buf
        if wet_in.any():
            ir = reverb_ir(rt60, self.rng, predelay, damp)
            wet = np.stack([signal.oaconvolve(wet_in[:, c], ir[:, c])[: self.n] for c in range(2)], axis=1)
            dry += wet
        return dry


def reverb_ir(rt60: float, rng: np.random.Generator, predelay: float = 0.02, damp: float = 5000.0) -> np.ndarray:
    """Stereo impulse response: decorrelated noise with an exponential decay that gets darker with time."""
    n = secs(rt60 * 1.1)
    t = tt(n)
    env = 10.0 ** (-3.0 * t / rt60)
    noise = rng.standard_normal((n, 2))
    dark = lp(noise, damp * 0.25)
    mixw = np.clip(t / rt60, 0, 1)[:, None]
    ir = (noise * (1 - mixw) + dark * 2.0 * mixw) * env[:, None]
    ir = lp(ir, damp)
    ir[: secs(predelay)] = 0.0
    ir /= np.sqrt(np.sum(ir ** 2, axis=0, keepdims=True)) + 1e-12
    return ir * 0.9


def master(x: np.ndarray, fade_out: float = 3.0, fade_in: float = 0.01) -> np.ndarray:
    """High-pass (no DC, no sub rumble), RMS normalisation, a transparent peak limiter, fades."""
    x = hp(x, 28.0, 2)
    x -= x.mean(axis=0, keepdims=True)
    rms = float(np.sqrt(np.mean(x ** 2)))
    x *= 10 ** (TARGET_RMS_DB / 20) / max(rms, 1e-9)
    thr = 10 ** (PEAK_DB / 20)
    w = secs(0.004)
    env = maximum_filter1d(np.max(np.abs(x), axis=1), size=2 * w + 1)
    gain = np.minimum(1.0, thr / np.maximum(env, 1e-9))
    gain = uniform_filter1d(gain, size=w)
    x *= gain[:, None]
    n = len(x)
    fo, fi = secs(fade_out), secs(fade_in)
    x[n - fo:] *= (0.5 + 0.5 * np.cos(np.linspace(0, np.pi, fo)))[:, None]
    x[:fi] *= np.linspace(0, 1, fi)[:, None]
    peak = float(np.max(np.abs(x)))
    if peak > thr:
        x *= thr / peak
    return x


# ============================================================================ melody
Note = tuple[float, float, int, float]  # (start beat in song, length in beats, midi, velocity)


def melody(rng: np.random.Generator, chords: list[Chord], scale: list[int], rhythms: list[list[tuple[float, float]]],
           start_bar: int, start_pitch: int, end_on_root: bool = True) -> list[Note]:
    """One phrase, a bar per chord: chord tones on strong beats, stepwise motion between, a resolution at
    the end. ``rhythms`` holds one (beat, length) list per bar."""
    notes: list[Note] = []
    pitch = start_pitch
    lo, hi = scale[0], scale[-1]
    center = (lo + hi) / 2
    for b, (ch, rhythm) in enumerate(zip(chords, rhythms)):
        for j, (beat, length) in enumerate(rhythm):
            strong = abs(beat - round(beat)) < 1e-6 and round(beat) % 2 == 0
            last = end_on_root and b == len(chords) - 1 and j == len(rhythm) - 1
            if strong or j == 0 or last:
                cands = [m for m in ch.tones_in(lo, hi) if abs(m - pitch) <= 7] or ch.tones_in(lo, hi)
                if last:
                    cands = [m for m in cands if m % 12 in ((ch.root), (ch.root + ch.intervals[1]) % 12)] or cands
                w = np.array([math.exp(-abs(m - pitch) / 2.5) * (0.4 if m == pitch else 1.0)
                              * math.exp(-abs(m - center) / 12) for m in cands])
                pitch = int(rng.choice(cands, p=w / w.sum()))
            else:
                i = int(np.searchsorted(scale, pitch))
                i = min(i, len(scale) - 1)
                step = int(rng.choice([-2, -1, -1, 0, 1, 1, 2], p=[0.08, 0.3, 0.0, 0.1, 0.3, 0.0, 0.22]
                                      if pitch < center else [0.22, 0.3, 0.0, 0.1, 0.3, 0.0, 0.08]))
                pitch = scale[min(max(i + step, 0), len(scale) - 1)]
            vel = 0.85 if strong else 0.7
            notes.append(((start_bar + b) * 4 + beat, length, pitch, vel + rng.uniform(-0.05, 0.05)))
    return notes


def vary(rng: np.random.Generator, phrase: list[Note], bar_shift: int, chords_from: int, chords: list[Chord],
         keep: float = 0.75) -> list[Note]:
    """Repeat a phrase later (``bar_shift`` bars on), keeping most notes and re-harmonising the rest."""
    out: list[Note] = []
    for beat, length, pitch, vel in phrase:
        new_beat = beat + bar_shift * 4
        ch = chords[int(new_beat // 4) - chords_from]
        if pitch % 12 not in ch.pcs and rng.random() > keep:
            pitch = min(ch.tones_in(pitch - 4, pitch + 4) or [pitch], key=lambda m: abs(m - pitch))
        out.append((new_beat, length, pitch, vel))
    return out


def rhythm_bars(rng: np.random.Generator, bank: list[list[tuple[float, float]]], bars: int,
                final: list[tuple[float, float]] | None = None) -> list[list[tuple[float, float]]]:
    out = [bank[int(rng.integers(len(bank)))] for _ in range(bars)]
    if final is not None:
        out[-1] = final
    return out


# ============================================================================ the tracks
@dataclass(frozen=True)
class TrackSpec:
    id: str
    title: str
    mood: str
    tags: tuple[str, ...]
    tempo_bpm: int
    key: str
    seed: int
    build: Callable[[TrackSpec, np.random.Generator], np.ndarray]
    description: str


def velvet_hour(spec: TrackSpec, rng: np.random.Generator) -> np.ndarray:
    """Luxury: slow swung jazz -- Rhodes comping on 9th/13th chords, walking upright bass, brushes and ride,
    a sparse vibraphone melody."""
    g = Grid(spec.tempo_bpm, swing8=0.9)
    A = progression("Dbmaj9 Bbm9 Ebm9 Ab13")
    B = progression("Gbmaj9 F7 Bbm9 Eb9")
    C = progression("Ebm9 Ab13 Dbmaj9 Dbmaj9")
    chords = A + A + B + C
    bars = len(chords)
    mix = Mix(g.bars_to_s(bars) + 3.0, rng)
    scale = scale_notes(NOTE_PC["Db"], "major", midi("Ab4"), midi("Db6"))
    # Rhodes comping (rootless voicings)
    comp_bank = [[(0, 2.5), (2.5, 1.5)], [(0, 1.5), (1.5, 2.5)], [(0, 3.5)], [(0.5, 1.0), (2.0, 2.0)],
                 [(0, 1.0), (1.5, 1.0), (3.5, 0.5)]]
    for bar, ch in enumerate(chords):
        pattern = [(0, 4.0)] if bar == bars - 1 else comp_bank[int(rng.integers(len(comp_bank)))]
        for beat, length in pattern:
            for k, m in enumerate(ch.voicing(62, rootless=True)):
                mix.add("keys", fm_epiano(hz(m), length * g.beat * 0.95, 0.45 + 0.1 * rng.random()),
                        g.t(bar, beat) + 0.008 * k, gain=0.22, pan=-0.25 + 0.15 * k, humanize=0.004)
    # walking bass (upright: plucked string + a little sine body)
    for bar, ch in enumerate(chords):
        nxt = chords[(bar + 1) % bars]
        root = ch.bass(midi("Ab1"))
        fifth = root + 7 if root + 7 <= midi("F3") else root - 5
        third = root + ch.intervals[1]
        target = nxt.bass(midi("Ab1"))
        approach = target + (1 if rng.random() < 0.5 else -1)
        line = [root, third, fifth, approach] if bar < bars - 1 else [root]
        for beat, m in enumerate(line):
            length = g.beat * (0.9 if bar < bars - 1 else 3.5)
            body = karplus(hz(m), length, rng, t60=1.2, bright=0.25)
            body = mixin(body, 0.5 * sub_bass(hz(m), length, drive=1.0))
            mix.add("bass", lp(body, 1400), g.t(bar, beat), gain=0.55, humanize=0.006)
    # brushes and ride
    k, br, rd = kick(rng, f0=110, f1=50, decay=0.25, click=0.05), brush(rng), ride(rng)
    for bar in range(bars - 1):
        for beat in (0, 1, 1.5, 2, 3, 3.5):
            mix.add("drums", rd, g.t(bar, beat), gain=0.10 if beat % 1 else 0.14, pan=0.45, humanize=0.004)
        if bar >= 2:
            for beat in (0, 2):
                mix.add("drums", k, g.t(bar, beat), gain=0.35, humanize=0.004)
            for beat in (1, 3):
                mix.add("drums", br, g.t(bar, beat), gain=0.22, pan=-0.2, humanize=0.005)
    mix.add("drums", rd, g.t(bars - 1, 0), gain=0.15, pan=0.45)
    # vibraphone melody: A second time, B and C
    bank = [[(0, 1.5), (1.5, 0.5), (2, 2)], [(0.5, 0.5), (1, 1), (2.5, 1.5)], [(0, 3)],
            [(1, 0.5), (1.5, 0.5), (2, 1), (3, 1)], [(0, 1), (1, 1), (2, 0.5), (2.5, 1.5)]]
    phrase = melody(rng, A, scale, rhythm_bars(rng, bank, 4, final=[(0, 1.5), (1.5, 2.5)]), 4, midi("F5"))
    phrase += melody(rng, B, scale, rhythm_bars(rng, bank, 4), 8, phrase[-1][2], end_on_root=False)
    phrase += vary(rng, phrase[:len(phrase) // 2], 8, 12, C)
    phrase += [((bars - 1) * 4, 4.0, midi("F5"), 0.7)]
    for beat, length, m, vel in phrase:
        if beat >= (bars - 1) * 4 and length < 4:
            continue
        mix.add("lead", mallet(hz(m), length * g.beat, "vibes"), g.t(0, beat), gain=0.24 * vel, pan=0.2)
    x = mix.render({"keys": 0.25, "lead": 0.4, "drums": 0.12, "bass": 0.05}, rt60=2.2, damp=4500)
    return master(x, fade_out=3.0)


def circuit_bloom(spec: TrackSpec, rng: np.random.Generator) -> np.ndarray:
    """Tech: four-on-the-floor electronic -- 16th-note saw arpeggio with ping-pong delay, pumping pad and
    off-beat bass, claps, a square lead in the second half."""
    g = Grid(spec.tempo_bpm)
    loop = progression("Amadd9 Fmaj7 Cadd9 G6")
    chords = loop * 5
    bars = len(chords)  # 20: 2 intro, 8 groove, 8 lead, 2 outro
    mix = Mix(g.bars_to_s(bars) + 2.5, rng)
    k, cl, ch_, oh = kick(rng, decay=0.28), clap(rng), hat(rng, 0.03), hat(rng, 0.16)
    for bar in range(bars):
        groove = 2 <= bar < bars - 2
        for beat in range(4):
            if groove or bar == bars - 2:
                mix.add("drums", k, g.t(bar, beat), gain=0.9)
            if groove and beat in (1, 3):
                mix.add("drums", cl, g.t(bar, beat), gain=0.35, pan=0.05)
            if bar >= 10 and bar < bars - 2:
                mix.add("drums", oh, g.t(bar, beat + 0.5), gain=0.16, pan=0.3)
        for s in range(16):
            accent = 1.0 if s % 4 == 2 else 0.55
            mix.add("drums", ch_, g.t(bar, s / 4), gain=0.12 * accent, pan=-0.3, humanize=0.002)
    for bar, ch in enumerate(chords):
        tones = ch.voicing(64)
        tones = tones + [m + 12 for m in tones]
        order = list(range(len(tones))) + list(range(len(tones) - 2, 0, -1))
        cutoff = 900 + 2600 * min(1.0, bar / 12)
        for s in range(16):
            m = tones[order[s % len(order)]]
            env = adsr(0.09, a=0.002, d=0.09, s=0.0, r=0.05)
            y = lp(saw(hz(m), len(env)) + 0.5 * square(hz(m) * 0.5, len(env)), cutoff) * env
            mix.add("arp", y, g.t(bar, s / 4), gain=0.16 if s % 4 == 0 else 0.12, pan=0.15 * math.sin(s))
        mix.add("pad", supersaw([hz(m) for m in ch.voicing(60)], g.bars_to_s(1), rng, cutoff=1600, a=0.2, r=0.6),
                g.t(bar), gain=0.28 if 2 <= bar < bars - 2 else 0.18)
        if 2 <= bar < bars - 2:
            root = ch.bass(midi("E1"))
            for beat in range(4):
                mix.add("bass", saw_bass(hz(root), g.beat * 0.42, cutoff=600), g.t(bar, beat + 0.5), gain=0.55)
    mix.delay("arp", g.beat * 0.75, feedback=0.45, taps=4, mix=0.35)
    mix.duck("pad", g, depth=0.7)
    mix.duck("bass", g, depth=0.5)
    mix.duck("arp", g, depth=0.3, bars=(2, bars - 2))
    scale = scale_notes(NOTE_PC["A"], "minor", midi("A4"), midi("E6"))
    bank = [[(0, 0.75), (0.75, 0.75), (1.5, 1.0), (3, 1)], [(0, 0.5), (0.5, 0.5), (1, 0.5), (1.5, 1.5), (3.5, 0.5)],
            [(0, 1.5), (1.5, 0.5), (2, 0.5), (2.5, 1.5)], [(0.5, 0.5), (1, 1), (2, 0.75), (2.75, 1.25)]]
    phrase = melody(rng, loop, scale, rhythm_bars(rng, bank, 4), 10, midi("E5"), end_on_root=False)
    tail = melody(rng, loop, scale, rhythm_bars(rng, bank, 4, final=[(0, 2), (2, 2)]), 14, phrase[-1][2])
    for beat, length, m, vel in phrase + tail:
        mix.add("lead", lead_synth(hz(m), length * g.beat * 0.9, cutoff=2400), g.t(0, beat), gain=0.2 * vel)
    mix.delay("lead", g.beat * 0.75, feedback=0.35, taps=3, mix=0.25)
    x = mix.render({"arp": 0.18, "pad": 0.2, "lead": 0.25, "drums": 0.05}, rt60=1.6)
    return master(x, fade_out=2.5)


def morning_canopy(spec: TrackSpec, rng: np.random.Generator) -> np.ndarray:
    """Calm / eco: fingerpicked acoustic guitar (plucked strings), soft pads, shaker, a breathy flute melody
    and the odd bird."""
    g = Grid(spec.tempo_bpm, swing8=0.15)
    A = progression("G D Em C")
    B = progression("Am7 C G Dsus4")
    chords = A + A + B + A
    bars = len(chords)
    mix = Mix(g.bars_to_s(bars) + 3.5, rng)
    for bar, ch in enumerate(chords):
        low = ch.bass(midi("E2"))
        upper = ch.tones_in(midi("G3"), midi("E5"))[:4]
        while len(upper) < 4:
            upper.append(upper[-1] + 12)
        pick = [low, upper[1], upper[2], upper[3], low + 7 if (low + 7) % 12 in ch.pcs else low + 12,
                upper[2], upper[1], upper[3]]
        if bar == bars - 1:
            pick = [low, upper[1], upper[2], upper[3]]
        for i, m in enumerate(pick):
            length = g.beat * (2.0 if i % 4 == 0 else 1.2)
            y = karplus(hz(m), length, rng, t60=1.8 if m < 55 else 1.2, bright=0.55)
            mix.add("guitar", y, g.t(bar, i * 0.5), gain=0.3 if i in (0, 4) else 0.22,
                    pan=-0.25 + 0.06 * (m - 55) / 3, humanize=0.006)
        mix.add("pad", supersaw([hz(m) for m in ch.voicing(62)], g.bars_to_s(1), rng, voices=2, detune_cents=6,
                                cutoff=900, a=1.0, r=1.6), g.t(bar), gain=0.16)
        if 4 <= bar < bars - 1:
            sh = shaker(rng)
            for e in range(8):
                mix.add("perc", sh, g.t(bar, e / 2), gain=0.09 if e % 2 else 0.06, pan=0.35, humanize=0.004)
        if 8 <= bar < bars - 1:
            kk = kick(rng, f0=90, f1=50, decay=0.2, click=0.0, drive=1.0)
            for beat in (0, 2.5):
                mix.add("perc", kk, g.t(bar, beat), gain=0.32)
            mix.add("perc", rim(rng), g.t(bar, 3), gain=0.07, pan=-0.2)
    scale = scale_notes(NOTE_PC["G"], "major", midi("D5"), midi("D6"))
    bank = [[(0, 1.5), (1.5, 0.5), (2, 2)], [(0, 3), (3, 1)], [(0.5, 1), (1.5, 0.5), (2, 2)], [(0, 2), (2, 1), (3, 1)]]
    ph1 = melody(rng, A, scale, rhythm_bars(rng, bank, 4, final=[(0, 4)]), 4, midi("B5"))
    ph2 = melody(rng, B, scale, rhythm_bars(rng, bank, 4), 8, ph1[-1][2], end_on_root=False)
    ph3 = vary(rng, ph1, 8, 12, A)
    prev = None
    for beat, length, m, vel in ph1 + ph2 + ph3:
        mix.add("lead", flute(hz(m), length * g.beat * 0.95, rng, prev, glide=0.04), g.t(0, beat),
                gain=0.1 * vel, pan=0.15)
        prev = hz(m)
    for _ in range(7):
        mix.add("birds", chirp_bird(rng), rng.uniform(1.0, g.bars_to_s(bars) - 2), gain=0.025,
                pan=rng.uniform(-0.8, 0.8))
    x = mix.render({"guitar": 0.22, "pad": 0.35, "lead": 0.4, "perc": 0.1, "birds": 0.6}, rt60=2.8, damp=4000)
    return master(x, fade_out=3.0)


def full_throttle(spec: TrackSpec, rng: np.random.Generator) -> np.ndarray:
    """Energetic: fast driving rock-electronic -- distorted power-chord 8ths, pumping 8th-note bass, big kick
    and snare, crashes, fills and a screaming saw lead."""
    g = Grid(spec.tempo_bpm)
    A = progression("E5 C5 G5 D5")
    B = progression("A5 C5 E5 B5")
    harm_A = progression("Em C G D")
    harm_B = progression("Am C Em B")
    # 24 bars: 2 intro, 8 A, 8 B (lead), 4 A (lead), 2 ending on E
    chords = A[:2] + A + A + B + B + A + [A[0], A[0]]
    bars = len(chords)
    mix = Mix(g.bars_to_s(bars) + 2.5, rng)
    k, sn, hh, cr = kick(rng, decay=0.22, click=0.4), snare(rng, decay=0.14), hat(rng, 0.035), crash(rng)
    for bar in range(bars):
        final = bar == bars - 1
        if bar in (2, 10, 18) or final:
            mix.add("drums", cr, g.t(bar), gain=0.4, pan=0.3)
        if final:
            mix.add("drums", k, g.t(bar), gain=1.0)
            mix.add("drums", sn, g.t(bar), gain=0.5)
            continue
        fill = bar in (9, 17, bars - 2)
        for beat in range(4):
            mix.add("drums", k, g.t(bar, beat), gain=0.8)
            if beat in (1, 3) and bar >= 2 and not (fill and beat == 3):
                mix.add("drums", sn, g.t(bar, beat), gain=0.6)
        mix.add("drums", k, g.t(bar, 3.5), gain=0.7)
        for e in range(8):
            mix.add("drums", hh, g.t(bar, e / 2), gain=0.16 if e % 2 else 0.1, pan=-0.35, humanize=0.002)
        if fill:
            for s in range(4):
                mix.add("drums", sn, g.t(bar, 3 + s / 4), gain=0.3 + 0.12 * s)
        if bar < 2:  # intro build: 16th snare roll swelling
            for s in range(16):
                mix.add("drums", sn, g.t(bar, s / 4), gain=0.05 + 0.2 * (bar * 16 + s) / 32)
    for bar, ch in enumerate(chords):
        root = ch.bass(midi("E2"))
        final = bar == bars - 1
        for e in range(1 if final else 8):
            length = g.beat * (3.5 if final else 0.42)
            env = adsr(length, a=0.002, d=0.12, s=0.5, r=0.05)
            for side, det in ((-0.8, 0.998), (0.8, 1.002)):
                raw = sum(saw(hz(m) * det, len(env), rng.random()) for m in (root, root + 7, root + 12))
                y = lp(np.tanh(3.5 * raw) * env, 2800)
                mix.add("gtr", y, g.t(bar, e / 2), gain=0.15 * (1.0 if e % 2 == 0 else 0.8), pan=side)
            bass_m = ch.bass(midi("E1")) if rng.random() > 0.1 or final else ch.bass(midi("E1")) + 12
            mix.add("bass", saw_bass(hz(bass_m), g.beat * (3.5 if final else 0.45), cutoff=900, drive=2.0),
                    g.t(bar, e / 2), gain=0.42)
    mix.duck("bass", g, depth=0.35, release=0.12)
    scale = scale_notes(NOTE_PC["E"], "minor", midi("E4"), midi("E6"))
    bank = [[(0, 0.5), (0.5, 0.5), (1, 1), (2, 0.5), (2.5, 1.5)], [(0, 1.5), (1.5, 1.5), (3, 1)],
            [(0, 0.5), (0.5, 0.5), (1, 0.5), (1.5, 0.5), (2, 2)], [(0, 2), (2, 0.5), (2.5, 0.5), (3, 1)]]
    p1 = melody(rng, harm_B, scale, rhythm_bars(rng, bank, 4), 10, midi("B4"), end_on_root=False)
    p2 = vary(rng, p1, 4, 14, harm_B)
    p3 = melody(rng, harm_A, scale, rhythm_bars(rng, bank, 4, final=[(0, 4)]), 18, p2[-1][2])
    for beat, length, m, vel in p1 + p2 + p3:
        mix.add("lead", lead_synth(hz(m), length * g.beat * 0.9, cutoff=3500, shape="saw"), g.t(0, beat),
                gain=0.3 * vel, pan=0.1)
    x = mix.render({"gtr": 0.08, "lead": 0.22, "drums": 0.08}, rt60=1.2)
    return master(x, fade_out=2.0)


def horizon_rise(spec: TrackSpec, rng: np.random.Generator) -> np.ndarray:
    """Cinematic: low drone, swelling strings, timpani, a horn theme, a riser and a final hit."""
    g = Grid(spec.tempo_bpm)
    chords = progression("Dm Bb F C  Dm Bb Gm A  Dm Bb F C  A Dm")
    bars = len(chords)  # 14; the last bar is the final hit
    mix = Mix(g.bars_to_s(bars - 1) + 6.0, rng)
    total = g.bars_to_s(bars - 1)
    # drone on D (fades in) until the final hit
    n = secs(total)
    drone = 0.6 * sine(hz(midi("D1")), n) + 0.3 * lp(saw(hz(midi("D2")), n), 300)
    drone *= np.minimum(1.0, tt(n) / 4.0)[:]
    mix.add("low", drone, 0.0, gain=0.3)
    for bar, ch in enumerate(chords[:-1]):
        swell = adsr(g.bars_to_s(1), a=g.bars_to_s(0.8), d=0.5, s=1.0, r=1.2)
        voices = [hz(m) for m in ch.voicing(57)]
        if bar >= 8:
            voices += [hz(m) for m in ch.voicing(69)]
        strings = supersaw(voices, g.bars_to_s(1), rng, voices=4, detune_cents=10,
                           cutoff=1300 + 150 * bar, a=g.bars_to_s(0.6), r=1.2)
        mix.add("strings", strings * swell[: len(strings), None] ** 0.5, g.t(bar), gain=0.5 + 0.03 * bar)
        if bar >= 4:  # spiccato ostinato
            root = ch.bass(midi("D3"))
            pattern = [root, root, root + 7, root, root + 12, root, root + 7,
                       root + 3 if "m" in ch.symbol else root + 4]
            for e, m in enumerate(pattern):
                env = adsr(g.beat * 0.3, a=0.005, d=0.1, s=0.3, r=0.08)
                y = lp(saw(hz(m), len(env)) + saw(hz(m) * 1.004, len(env), 0.4), 1800) * env
                mix.add("ost", y, g.t(bar, e / 2), gain=0.09 + 0.01 * (bar - 4), pan=-0.3 if e % 2 else 0.3)
        tim = timpani(hz(ch.bass(midi("G1"))), rng)
        beats = [0] if bar < 4 else [0, 2] if bar < 8 else [0, 1.5, 2, 3]
        if bar == bars - 2:
            beats = [i / 4 for i in range(16)]
        for beat in beats:
            cresc = (0.25 + 0.6 * beat / 4) if bar == bars - 2 else 0.6
            mix.add("perc", tim, g.t(bar, beat), gain=cresc)
    # horn theme: a 4-bar statement (bars 4-7), an answer an octave-doubled (bars 8-12)
    statement = [(0, 2, "D4"), (2, 1, "E4"), (3, 1, "F4"), (4, 3, "F4"), (7, 1, "D4"), (8, 2, "D4"),
                 (10, 2, "G4"), (12, 4, "E4")]
    answer = [(0, 2, "A4"), (2, 1, "G4"), (3, 1, "F4"), (4, 3, "F4"), (7, 1, "D4"), (8, 2, "C5"), (10, 2, "A4"),
              (12, 4, "G4"), (16, 4, "A4")]
    for start, theme, gain, double in ((4, statement, 0.22, False), (8, answer, 0.26, True)):
        for beat, length, name in theme:
            m = midi(name) - 12
            mix.add("horn", brass(hz(m), length * g.beat * 0.95), g.t(start, beat), gain=gain, pan=-0.15)
            if double:
                mix.add("horn", brass(hz(m + 12), length * g.beat * 0.95), g.t(start, beat), gain=gain * 0.6,
                        pan=0.2)
    # braams at the top of the big section and a riser into the final hit
    for at in (g.t(8), g.t(bars - 1)):
        env = adsr(2.0, a=0.02, d=1.0, s=0.6, r=1.2)
        raw = sum(saw(hz(m), len(env), rng.random()) for m in (midi("D1"), midi("D2"), midi("A2"), midi("D3")))
        mix.add("low", lp(np.tanh(2.5 * raw), 700) * env, at, gain=0.25)
    rn = secs(g.bars_to_s(1))
    riser = rng.standard_normal(rn)
    ramp = np.linspace(0, 1, rn)
    riser = lp(riser, 800) * (1 - ramp) + hp(riser, 2500) * ramp
    mix.add("fx", riser * ramp ** 2, g.t(bars - 2), gain=0.22)
    mix.add("perc", boom(rng), g.t(bars - 1), gain=0.8)
    mix.add("perc", crash(rng, 2.2), g.t(bars - 1), gain=0.4)
    final = supersaw([hz(m) for m in chord("Dm").voicing(57) + chord("Dm").voicing(69)], 2.0, rng, voices=4,
                     cutoff=2600, a=0.02, r=3.0)
    mix.add("strings", final, g.t(bars - 1), gain=0.7)
    x = mix.render({"strings": 0.35, "horn": 0.35, "ost": 0.2, "perc": 0.25, "low": 0.1, "fx": 0.3}, rt60=3.5,
                   damp=3500)
    return master(x, fade_out=3.5)


def paper_kites(spec: TrackSpec, rng: np.random.Generator) -> np.ndarray:
    """Playful: bouncy marimba, pizzicato bass, snaps and claps, a sliding whistle melody, glockenspiel
    sparkles."""
    g = Grid(spec.tempo_bpm, swing8=0.35)
    A = progression("C Am F G7")
    B = progression("F G Em Am")
    C = progression("Dm7 G7 C C")
    chords = A[:2] + A + A + B + C  # 18 bars
    bars = len(chords)
    mix = Mix(g.bars_to_s(bars) + 2.5, rng)
    bounce = [(0, 0), (0.5, 2), (1.5, 1), (2, 2), (2.5, 3), (3.5, 1)]
    for bar, ch in enumerate(chords):
        tones = ch.voicing(67)
        tones = [tones[0] - 12] + tones + [tones[0] + 12]
        pattern = bounce if bar < bars - 1 else [(0, 0), (0.5, 2), (1, 4)]
        for beat, idx in pattern:
            m = tones[min(idx, len(tones) - 1)]
            mix.add("marimba", mallet(hz(m), 0.2, "marimba"), g.t(bar, beat), gain=0.22, pan=-0.2 + 0.05 * idx,
                    humanize=0.003)
        root = ch.bass(midi("E2"))
        line = [(0, root), (1.5, root + 7 if (root + 7) % 12 in ch.pcs else root + 12), (2, root), (3, root + 12)]
        if bar == bars - 1:
            line = [(0, root)]
        for beat, m in line:
            mix.add("bass", karplus(hz(m), g.beat * 0.35, rng, t60=0.5, bright=0.3), g.t(bar, beat), gain=0.5)
        if bar >= 2 and bar < bars - 1:
            for beat in (0, 2):
                mix.add("drums", kick(rng, f0=130, f1=55, decay=0.18, click=0.1), g.t(bar, beat), gain=0.5)
            for beat in (1, 3):
                mix.add("drums", clap(rng), g.t(bar, beat), gain=0.22, pan=0.1)
                mix.add("drums", snap(rng), g.t(bar, beat), gain=0.2, pan=-0.4)
            for e in range(8):
                mix.add("drums", shaker(rng, 0.04), g.t(bar, e / 2), gain=0.05 if e % 2 == 0 else 0.08, pan=0.4)
        if bar in (2, 10, 14):
            for i, m in enumerate(sorted(ch.voicing(84))):
                mix.add("glock", mallet(hz(m), 0.3, "glock"), g.t(bar, i * 0.25), gain=0.09, pan=0.5)
    scale = scale_notes(NOTE_PC["C"], "major", midi("E5"), midi("G6"))
    bank = [[(0, 0.5), (0.5, 0.5), (1, 1), (2.5, 0.5), (3, 1)], [(0, 1.5), (1.5, 0.5), (2, 0.5), (2.5, 1.5)],
            [(0.5, 0.5), (1, 0.5), (1.5, 0.5), (2, 2)], [(0, 1), (1, 0.5), (1.5, 0.5), (2, 1), (3, 0.5), (3.5, 0.5)]]
    p1 = melody(rng, A, scale, rhythm_bars(rng, bank, 4), 2, midi("G5"), end_on_root=False)
    p2 = vary(rng, p1, 4, 6, A)
    p3 = melody(rng, B, scale, rhythm_bars(rng, bank, 4), 10, p2[-1][2], end_on_root=False)
    p4 = melody(rng, C, scale, rhythm_bars(rng, bank, 3, final=[(0, 2), (2, 2)]) + [[(0, 1)]], 14, p3[-1][2])
    prev = None
    for beat, length, m, vel in p1 + p2 + p3 + p4:
        mix.add("lead", flute(hz(m), length * g.beat * 0.8, rng, prev, glide=0.06), g.t(0, beat),
                gain=0.2 * vel, pan=0.1)
        prev = hz(m)
    x = mix.render({"marimba": 0.15, "lead": 0.25, "glock": 0.4, "drums": 0.08}, rt60=1.4)
    return master(x, fade_out=2.0)


def bright_launch(spec: TrackSpec, rng: np.random.Generator) -> np.ndarray:
    """Upbeat / corporate: pulsing piano 8ths, claps and kick, warm bass, string pad, a glockenspiel hook."""
    g = Grid(spec.tempo_bpm)
    A = progression("F C Dm Bb")
    B = progression("Bb C Am Dm")
    end = progression("Bb C F")
    chords = A[:2] + A + A + B + A + end  # 21 bars
    bars = len(chords)
    mix = Mix(g.bars_to_s(bars) + 2.5, rng)
    for bar, ch in enumerate(chords):
        final = bar == bars - 1
        rh = ch.voicing(67)
        for e in range(1 if final else 8):
            vel = 0.55 if e % 2 == 0 else 0.4
            for m in rh:
                mix.add("piano", piano(hz(m), g.beat * (3.5 if final else 0.45), vel, rng), g.t(bar, e / 2),
                        gain=0.16, pan=0.15, humanize=0.003)
        for beat in ((0,) if final else (0, 2)):
            m = ch.bass(midi("F2"))
            mix.add("piano", piano(hz(m), g.beat * (3.5 if final else 1.8), 0.6, rng), g.t(bar, beat), gain=0.2,
                    pan=-0.15)
        if bar >= 2:
            mix.add("bass", sub_bass(hz(ch.bass(midi("E1"))), g.beat * (3.5 if final else 1.9), drive=2.0),
                    g.t(bar), gain=0.4)
            if not final:
                mix.add("bass", sub_bass(hz(ch.bass(midi("E1"))), g.beat * 1.4, drive=2.0), g.t(bar, 2.5), gain=0.35)
            mix.add("pad", supersaw([hz(m) for m in ch.voicing(60)], g.bars_to_s(1), rng, cutoff=1400, a=0.4, r=1.0),
                    g.t(bar), gain=0.14)
        if 2 <= bar < bars - 1:
            for beat in (0, 1.5, 2):
                mix.add("drums", kick(rng, decay=0.25), g.t(bar, beat), gain=0.6)
            for beat in (1, 3):
                mix.add("drums", clap(rng), g.t(bar, beat), gain=0.3)
            for e in range(8):
                mix.add("drums", hat(rng, 0.04), g.t(bar, e / 2), gain=0.08 if e % 2 == 0 else 0.12, pan=-0.3)
        if bar in (2, 10, 14):
            mix.add("drums", crash(rng), g.t(bar), gain=0.25, pan=0.3)
    scale = scale_notes(NOTE_PC["F"], "major", midi("C5"), midi("F6"))
    bank = [[(0, 1), (1, 0.5), (1.5, 1.5), (3, 1)], [(0, 0.5), (0.5, 0.5), (1, 0.5), (1.5, 2.5)],
            [(0, 1.5), (1.5, 1.5), (3, 0.5), (3.5, 0.5)]]
    hook = melody(rng, A, scale, rhythm_bars(rng, bank, 4), 6, midi("A5"), end_on_root=False)
    notes = hook + melody(rng, B, scale, rhythm_bars(rng, bank, 4), 10, hook[-1][2], end_on_root=False)
    notes += vary(rng, hook, 8, 14, A)
    for beat, length, m, vel in notes:
        mix.add("glock", mallet(hz(m), length * g.beat, "glock"), g.t(0, beat), gain=0.13 * vel, pan=-0.1)
    x = mix.render({"piano": 0.18, "pad": 0.3, "glock": 0.3, "drums": 0.06}, rt60=1.8)
    return master(x, fade_out=2.5)


def slow_pour(spec: TrackSpec, rng: np.random.Generator) -> np.ndarray:
    """Chill / lo-fi: wobbly Rhodes 9ths, dusty swung boom-bap drums, sub bass, a soft lead and vinyl crackle."""
    g = Grid(spec.tempo_bpm, swing16=0.6, swing8=0.0)
    A = progression("Ebmaj9 Cm9 Fm9 Bb7sus4")
    B = progression("Abmaj9 G7 Cm9 Bb9")
    chords = A + A + B + A
    bars = len(chords)
    mix = Mix(g.bars_to_s(bars) + 3.0, rng)
    for bar, ch in enumerate(chords):
        final = bar == bars - 1
        pattern = [(0, 4)] if final else [(0, 2.5), (2.75, 1.25)] if bar % 2 else [(0, 1.75), (1.75, 2.25)]
        for beat, length in pattern:
            for k, m in enumerate(ch.voicing(63, rootless=True)):
                mix.add("keys", fm_epiano(hz(m), length * g.beat * 0.95, 0.4, wow=0.0035, phase=bar),
                        g.t(bar, beat) + 0.012 * k, gain=0.2, pan=-0.2 + 0.12 * k, humanize=0.005)
        root = ch.bass(midi("E1"))
        line = [(0, root, 1.5), (1.75, root, 0.5), (2.5, root + 7 if (root + 7) % 12 in ch.pcs else root, 1.2)]
        for beat, m, length in ([(0, root, 3.5)] if final else line):
            mix.add("bass", sub_bass(hz(m), length * g.beat, drive=1.8, r=0.1), g.t(bar, beat), gain=0.5)
        if not final:
            for beat in (0, 1.75, 2.5):
                mix.add("drums", kick(rng, f0=120, f1=48, decay=0.3, click=0.1), g.t(bar, beat), gain=0.7,
                        humanize=0.004)
            for beat in (1, 3):
                mix.add("drums", snare(rng, tone=170, decay=0.22, bright=6000), g.t(bar, beat), gain=0.4,
                        humanize=0.006)
            for s in range(8):
                mix.add("drums", hat(rng, 0.03), g.t(bar, s / 2), gain=0.07 + 0.05 * rng.random(), pan=0.3,
                        humanize=0.004)
    scale = scale_notes(NOTE_PC["Eb"], "major", midi("Bb4"), midi("Eb6"))
    bank = [[(0.5, 1), (1.5, 0.5), (2, 2)], [(0, 3), (3.5, 0.5)], [(1, 0.5), (1.5, 0.5), (2, 1.5)], [(0, 4)]]
    p1 = melody(rng, A, scale, rhythm_bars(rng, bank, 4), 4, midi("G5"))
    p2 = melody(rng, B, scale, rhythm_bars(rng, bank, 4), 8, p1[-1][2], end_on_root=False)
    p3 = vary(rng, p1, 8, 12, A)
    for beat, length, m, vel in p1 + p2 + p3:
        env = adsr(length * g.beat * 0.9, a=0.03, d=0.3, s=0.7, r=0.25)
        y = lp(sine(vibrato(hz(m), len(env), 4.5, 0.004), len(env)) + 0.25 * square(hz(m), len(env)), 1800) * env
        mix.add("lead", y, g.t(0, beat), gain=0.2 * vel, pan=0.15)
    # vinyl: quiet hiss plus sparse crackle
    n = mix.n
    crackle = np.zeros(n)
    pops = rng.integers(0, n, size=int(n / SR * 6))
    crackle[pops] = rng.uniform(-1, 1, len(pops))
    crackle = bp(crackle, 1000, 7000) * 0.6 + lp(rng.standard_normal(n), 3000) * 0.004
    mix.add("vinyl", crackle, 0.0, gain=0.25)
    for name in ("drums", "keys"):
        mix.buses[name][:] = lp(mix.buses[name], 5500).astype(np.float32)
    x = mix.render({"keys": 0.2, "lead": 0.3, "drums": 0.08}, rt60=1.6, damp=3500)
    return master(x, fade_out=3.0)


TRACKS: list[TrackSpec] = [
    TrackSpec("velvet-hour", "Velvet Hour", "luxury", ("elegant", "jazz", "premium", "fashion", "night"), 76,
              "Db major", 101, velvet_hour, "Slow swung jazz: Rhodes 9ths, walking bass, brushes, vibraphone."),
    TrackSpec("circuit-bloom", "Circuit Bloom", "tech", ("electronic", "modern", "gadget", "innovation"), 122,
              "A minor", 202, circuit_bloom, "Four-on-the-floor electronic with a 16th arpeggio and pumping pad."),
    TrackSpec("morning-canopy", "Morning Canopy", "calm", ("eco", "nature", "acoustic", "wellness", "organic"), 88,
              "G major", 303, morning_canopy, "Fingerpicked guitar, soft pads, flute and birdsong."),
    TrackSpec("full-throttle", "Full Throttle", "energetic", ("sport", "action", "fast", "rock", "driving"), 150,
              "E minor", 404, full_throttle, "Driving power chords, 8th-note bass, big drums, saw lead."),
    TrackSpec("horizon-rise", "Horizon Rise", "cinematic", ("epic", "dramatic", "trailer", "reveal"), 70,
              "D minor", 505, horizon_rise, "Drone, string swells, timpani, horn theme, riser and final hit."),
    TrackSpec("paper-kites", "Paper Kites", "playful", ("fun", "kids", "quirky", "bouncy"), 116,
              "C major", 606, paper_kites, "Bouncy marimba, pizzicato bass, snaps, whistle melody."),
    TrackSpec("bright-launch", "Bright Launch", "upbeat", ("corporate", "positive", "bright", "optimistic"), 104,
              "F major", 707, bright_launch, "Pulsing piano, claps, warm bass and a glockenspiel hook."),
    TrackSpec("slow-pour", "Slow Pour", "chill", ("lofi", "relaxed", "cafe", "cozy"), 80,
              "Eb major", 808, slow_pour, "Lo-fi: wobbly Rhodes, dusty swung drums, sub bass, vinyl crackle."),
]


# ============================================================================ output
def encode_m4a(x: np.ndarray, path: Path, title: str) -> None:
    """AAC-LC in an .m4a (MP4 audio) container, 44.1 kHz stereo, 128 kbps, via PyAV."""
    import av

    tmp = path.with_name(path.name + ".part")
    data = np.ascontiguousarray(x.T.astype(np.float32))
    frame_size = 1024
    pad = (-data.shape[1]) % frame_size
    if pad:
        data = np.concatenate([data, np.zeros((2, pad), np.float32)], axis=1)
    with av.open(str(tmp), "w", format="ipod") as container:
        container.metadata["title"] = title
        container.metadata["comment"] = LICENCE
        stream = container.add_stream("aac", rate=SR, layout="stereo")
        stream.bit_rate = BITRATE
        for start in range(0, data.shape[1], frame_size):
            frame = av.AudioFrame.from_ndarray(data[:, start:start + frame_size], format="fltp", layout="stereo")
            frame.sample_rate = SR
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    tmp.replace(path)


def decoded_peak_db(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        peak = max(float(np.max(np.abs(f.to_ndarray()))) for f in container.decode(audio=0))
    return 20 * math.log10(peak + 1e-12)


def encode_checked(x: np.ndarray, path: Path, title: str, ceiling_db: float = -1.0) -> float:
    """Encode, decode, and if AAC's overshoot pushed the decoded peak above ``ceiling_db``, turn the track
    down by the excess (plus a margin) and encode again. Returns the decoded peak in dBFS."""
    for _ in range(4):
        encode_m4a(x, path, title)
        peak = decoded_peak_db(path)
        if peak <= ceiling_db:
            return peak
        x = x * 10 ** ((ceiling_db - 0.2 - peak) / 20)
    raise RuntimeError(f"{path.name}: could not bring the decoded peak under {ceiling_db} dBFS")


def build(spec: TrackSpec) -> tuple[np.ndarray, dict]:
    rng = np.random.default_rng(spec.seed)
    x = spec.build(spec, rng)
    entry = {
        "id": spec.id,
        "title": spec.title,
        "file": f"{spec.id}.m4a",
        "mood": spec.mood,
        "tags": list(spec.tags),
        "tempo_bpm": spec.tempo_bpm,
        "key": spec.key,
        "length_seconds": round(len(x) / SR, 2),
        "description": spec.description,
        "licence": LICENCE,
    }
    return x, entry


def main(argv: list[str]) -> int:
    wanted = set(argv)
    known = {t.id for t in TRACKS} | {t.mood for t in TRACKS}
    unknown = wanted - known
    if unknown:
        print(f"Unknown track id or mood: {', '.join(sorted(unknown))}. Known: {', '.join(sorted(known))}")
        return 2
    manifest_path = HERE / "manifest.json"
    old: dict[str, dict] = {}
    if wanted and manifest_path.is_file():
        old = {t["id"]: t for t in json.loads(manifest_path.read_text())["tracks"]}
    entries = []
    for spec in TRACKS:
        if wanted and spec.id not in wanted and spec.mood not in wanted and spec.id in old:
            entries.append(old[spec.id])
            continue
        x, entry = build(spec)
        peak = encode_checked(x, HERE / entry["file"], spec.title)
        rms = 20 * math.log10(float(np.sqrt(np.mean(x ** 2))) + 1e-12)
        size = (HERE / entry["file"]).stat().st_size
        print(f"{spec.id:15s} {spec.mood:10s} {entry['length_seconds']:6.2f} s  decoded peak {peak:6.2f} dBFS  "
              f"rms {rms:6.2f} dBFS  {size / 1024:6.0f} KiB")
        entries.append(entry)
    manifest = {"schema_version": 1, "licence": LICENCE, "tracks": entries}
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
