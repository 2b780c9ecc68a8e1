#!/usr/bin/python3
"""Reference for test_voice_extractor_chunks: FaceFusion 3.8.1's
batch_extract_voice (facefusion/voice_extractor.py) written out with numpy and
scipy's stft/istft, with the stand-in model's function in place of ONNX
Runtime, independently of the C code under test.

Usage: voice_reference.py AUDIO.f32 FRAMES_T MODEL OUT.f64 [FRAMES_T MODEL OUT.f64]...
AUDIO.f32 is interleaved stereo float32 at 48 kHz (already in [-1, 1]: the
int16 / 32767 step is left out on both sides). FRAMES_T is the model's time
frames T; MODEL is "identity" or "gate" (x^3 / (x^2 + 100), elementwise).
Writes the voice as interleaved stereo float64, once per (T, MODEL, OUT).
"""
import sys

import numpy as np
import scipy.signal

N_FFT, HOP, TRIM, BINS = 7680, 1024, 3840, 3072
CHUNK, STEP = 240 * 1024, 180 * 1024


def model(x, kind):
    return x if kind == "identity" else x ** 3 / (x ** 2 + 100.0)


def stft_tensor(segments, frames):
    window = scipy.signal.windows.hann(N_FFT)
    spec = scipy.signal.stft(segments, nperseg=N_FFT, noverlap=N_FFT - HOP, window=window)[2]
    spec = np.stack((spec.real, spec.imag), axis=-1).transpose((0, 3, 1, 2))  # (2k, 2, bins, T)
    spec = spec.reshape(-1, 2, 2, TRIM + 1, frames).reshape(-1, 4, TRIM + 1, frames)[:, :, :BINS]
    return spec * window.sum()


def istft_tensor(tensor, frames):
    window = scipy.signal.windows.hann(N_FFT)
    tensor = np.pad(tensor, ((0, 0), (0, 0), (0, TRIM + 1 - BINS), (0, 0)))
    tensor = tensor.reshape(-1, 2, TRIM + 1, frames).transpose((0, 2, 3, 1))
    spec = tensor[..., 0] + 1j * tensor[..., 1]
    signal = scipy.signal.istft(spec, nperseg=N_FFT, noverlap=N_FFT - HOP, window=window)[1]
    return signal / window.sum()


def extract(chunk, frames, kind):
    """extract_voice: chunk is (n, 2)."""
    segment = (frames - 1) * HOP
    step = segment - 2 * TRIM
    x = chunk.T
    pad = step - x.shape[1] % step
    padded = np.pad(x, ((0, 0), (TRIM, TRIM + pad)))
    pieces = [padded[:, i:i + segment] for i in range(0, x.shape[1] + pad, step)]
    segments = np.concatenate(pieces, axis=0)  # (2k, segment): L, R of each
    y = istft_tensor(model(stft_tensor(segments, frames), kind), frames)
    y = y.reshape(-1, 2, segment)[:, :, TRIM:-TRIM].transpose(1, 0, 2).reshape(2, -1)[:, :-pad]
    return y.T


def batch_extract(audio, frames, kind):
    voice = np.zeros_like(audio)
    count = np.zeros_like(audio)
    for start in range(0, audio.shape[0], STEP):
        end = min(start + CHUNK, audio.shape[0])
        voice[start:end] += extract(audio[start:end], frames, kind)
        count[start:end] += 1
    return voice / count


def main():
    audio = np.fromfile(sys.argv[1], dtype=np.float32).astype(np.float64).reshape(-1, 2)
    jobs = sys.argv[2:]
    for i in range(0, len(jobs) - 2, 3):
        batch_extract(audio, int(jobs[i]), jobs[i + 1]).tofile(jobs[i + 2])


if __name__ == "__main__":
    main()
