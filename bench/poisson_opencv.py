#!/usr/bin/python3
"""Times OpenCV's seamlessClone (NORMAL_CLONE) on the region bench_poisson_blend
uses, and prints it beside facefuse's figure.

Usage: /usr/bin/python3 bench/poisson_opencv.py BUILD_DIR/bench/bench_poisson_blend [runs]
Needs Debian's python3-opencv. Not part of the test suite.

The C bench writes its inputs (1024x768 frame, a disc of radius 250 in the
512x512 region at (256, 128)) with --dump; OpenCV then clones the same
512x512 patch, with the same mask, into the same place.
"""
import statistics
import subprocess
import sys
import tempfile
import time

import cv2
import numpy as np

X0, Y0, R = 256, 128, 512


def main():
    bench = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 21
    cv2.setNumThreads(2)
    with tempfile.TemporaryDirectory() as tmp:
        ours = subprocess.run([bench, str(runs), "--dump", tmp], check=True, capture_output=True, text=True).stdout
        dst = cv2.imread(tmp + "/dst.ppm")
        src = cv2.imread(tmp + "/src.ppm")
        mask = cv2.imread(tmp + "/mask.pgm", cv2.IMREAD_GRAYSCALE)
        fused = cv2.imread(tmp + "/facefuse.ppm")
    patch = src[Y0:Y0 + R, X0:X0 + R].copy()
    patch_mask = mask[Y0:Y0 + R, X0:X0 + R].copy()
    center = (X0 + R // 2, Y0 + R // 2)
    times = []
    out = None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = cv2.seamlessClone(patch, dst, patch_mask, center, cv2.NORMAL_CLONE)
        times.append((time.perf_counter() - t0) * 1e3)
    inside = mask > 127
    diff = np.abs(out.astype(np.int32) - fused.astype(np.int32))
    print(ours.strip())
    print("opencv %s seamlessClone %dx%d region: median %.2f ms (min %.2f) over %d runs, %d threads"
          % (cv2.__version__, R, R, statistics.median(times), min(times), runs, cv2.getNumThreads()))
    print("facefuse vs opencv inside the mask: mean |diff| %.2f, 99th percentile %.0f grey levels"
          % (diff[inside].mean(), np.percentile(diff[inside], 99)))


if __name__ == "__main__":
    main()
