#!/usr/bin/python3
"""Builds the test model cache for facefuse's test suite.

Usage: make_models.py OUT_DIR

1. Links the real small models of ../shared/models under FaceFusion's file
   names (scrfd_2.5g.onnx, yunet_2023_mar.onnx), without .hash files, so the
   registry uses them as "unverified" local files.
2. Runs every tests/models/gen_*.py (each has generate(out_dir)), which
   write small stand-in ONNX models with the exact input/output contracts of
   models too big to ship, whose outputs are known functions of their inputs,
   and broken models (wrong shape, truncated) for the error-path tests.
Stand-ins never pretend to be the real network: each test that uses one
checks the plumbing around it, not face quality.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "models"))


def link(out, src_name, dst_name):
    src = os.path.join(SHARED, src_name)
    dst = os.path.join(out, dst_name)
    if os.path.lexists(dst):
        os.remove(dst)
    os.symlink(src, dst)


def save(model, path):
    model.opset_import[0].version = 13
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def wrong_shape_detector(path):
    """A 'scrfd' whose input is 1x1x64x64 and with one output: fails the contract."""
    x = helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 1, 64, 64])
    y = helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 1, 64, 64])
    node = helper.make_node("Identity", ["input.1"], ["out"])
    save(helper.make_model(helper.make_graph([node], "wrong_shape", [x], [y])), path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    link(out, "scrfd_2.5g_bnkps.onnx", "scrfd_2.5g.onnx")
    link(out, "face_detection_yunet_2023mar.onnx", "yunet_2023_mar.onnx")
    link(out, "mobilefacenet.onnx", "mobilefacenet.onnx")
    bad = os.path.join(out, "broken")
    os.makedirs(bad, exist_ok=True)
    wrong_shape_detector(os.path.join(bad, "wrong_shape.onnx"))
    with open(os.path.join(SHARED, "scrfd_2.5g_bnkps.onnx"), "rb") as f:
        data = f.read()
    with open(os.path.join(bad, "truncated.onnx"), "wb") as f:
        f.write(data[: len(data) // 3])
    # Every tests/models/gen_*.py contributes stand-ins through generate(out).
    sys.path.insert(0, HERE)
    for name in sorted(os.listdir(HERE)):
        if name.startswith("gen_") and name.endswith(".py"):
            module = __import__(name[:-3])
            module.generate(out)
    # The registry's recognizer, for command-line runs: the 512-d stand-in
    # (the real mobilefacenet, tiled x4), which has arcface_w600k_r50's
    # contract (1x3x112x112 -> 1x512).
    recognizer = os.path.join(out, "recognizer512.onnx")
    if os.path.exists(recognizer):
        dst = os.path.join(out, "arcface_w600k_r50.onnx")
        if os.path.lexists(dst):
            os.remove(dst)
        os.symlink(recognizer, dst)
    print("test models in", out)


if __name__ == "__main__":
    main()
