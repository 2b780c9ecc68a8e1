#!/usr/bin/python3
"""Reference for test_audio_mel_matches_scipy: FaceFusion 3.8.1's mel front
end (facefusion/audio.py) written out with numpy and scipy, independently of
the C code under test.

Usage: mel_reference.py SIGNAL.f32 OUT_DIR FPS...
SIGNAL.f32 is mono float32 at 16 kHz. Writes into OUT_DIR:
  prepared.f64  the signal after prepare_audio (x / max|x|, lfilter [1, -0.97])
  bank.f64      the 80 x 401 mel filter bank
  spec.f64      the 80 x columns spectrogram of prepared (row-major)
  ends.txt      one line per FPS: fps, then the end column of every frame's
                window, as extract_audio_frames cuts them
"""
import os
import sys

import numpy as np
import scipy.signal


def hz_to_mel(hz):
    return 2595 * np.log10(1 + hz / 700)


def mel_to_hz(mel):
    return 700 * (10 ** (mel / 2595) - 1)


def filter_bank():
    bank = np.zeros((80, 401))
    mels = np.linspace(hz_to_mel(55.0), hz_to_mel(7600.0), 82)
    edges = np.floor((800 + 1) * mel_to_hz(mels) / 16000).astype(np.int16)
    for band in range(80):
        start, end = edges[band], edges[band + 1]
        bank[band, start:end] = scipy.signal.windows.triang(end - start)
    return bank


def prepare(audio):
    audio = audio / np.max(np.abs(audio), axis=0)
    return scipy.signal.lfilter([1.0, -0.97], [1.0], audio)


def spectrogram(audio, bank):
    stft = scipy.signal.stft(audio, nperseg=800, nfft=800, noverlap=600)[2]
    return np.dot(bank, np.abs(stft))


def window_ends(columns, fps):
    # extract_audio_frames, with int64 in place of FaceFusion's int16 (the
    # test audio is far shorter than the 409.6 s where int16 wraps)
    indices = np.arange(0, columns, 80 / fps).astype(np.int64)
    return indices[indices >= 16]


def main():
    signal = np.fromfile(sys.argv[1], dtype=np.float32).astype(np.float64)
    out = sys.argv[2]
    prepared = prepare(signal)
    bank = filter_bank()
    spec = spectrogram(prepared, bank)
    prepared.tofile(os.path.join(out, "prepared.f64"))
    bank.tofile(os.path.join(out, "bank.f64"))
    np.ascontiguousarray(spec).tofile(os.path.join(out, "spec.f64"))
    with open(os.path.join(out, "ends.txt"), "w") as f:
        for fps in sys.argv[3:]:
            ends = window_ends(spec.shape[1], eval(fps, {"__builtins__": {}}))
            f.write(" ".join([fps] + [str(e) for e in ends]) + "\n")


if __name__ == "__main__":
    main()
