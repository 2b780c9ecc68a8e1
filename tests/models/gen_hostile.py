"""Stand-ins that misbehave on purpose, for the hardening tests (hostile/).

Each keeps the real model's contract, so facefuse loads and runs it, and
returns what a broken or fp16-overflowing network can return:

- nan_swapper_128.onnx (inswapper_128's contract, its emap last): output
  channel 0 NaN, channel 1 +inf, channel 2 -inf.
- nan_enhancer_512.onnx (gfpgan_1.4's contract): output NaN everywhere.
- nan_frame_x4.onnx (real_esrgan_x4's contract): the nearest x4 upscale plus
  NaN, so every tile comes back unusable.
- nan_yoloface.onnx (yolo_face's 1x20x8400): column 0 a score of 0.9 with a
  NaN box, column 1 a NaN score, column 2 an infinite box, column 3 the one
  real face (centre 320,200, 100x140, score 0.9).
- everywhere_yoloface.onnx (yolo_face): all 8400 columns score 0.9 with
  small boxes on a grid that never overlap: a detector firing everywhere.
- bad_reshape.onnx: input [1,3,H,W] reshaped to [7]; any real input fails
  inside ONNX Runtime with a message carrying its source location.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from gen_detectors import constant_model
from gen_swapper import emap_init, io, save


def constant_image_model(path, name, inputs, out_name, value, size, extra_inits=()):
    """output = value (1x3xsize x size) + 0 * mean(first input)."""
    nodes = [helper.make_node("ReduceMean", [inputs[0].name], ["m"], keepdims=1),
             helper.make_node("Mul", ["m", "zero"], ["z"]),
             helper.make_node("Add", ["z", "value"], [out_name])]
    inits = [numpy_helper.from_array(np.zeros((1, 1, 1, 1), np.float32), "zero"),
             numpy_helper.from_array(value.astype(np.float32), "value")] + list(extra_inits)
    y = helper.make_tensor_value_info(out_name, TensorProto.FLOAT, [1, 3, size, size])
    save(helper.make_model(helper.make_graph(nodes, name, inputs, [y], inits)), path)


def nan_swapper(path):
    value = np.zeros((1, 3, 128, 128), np.float32)
    value[0, 0] = np.nan
    value[0, 1] = np.inf
    value[0, 2] = -np.inf
    constant_image_model(path, "nan_swapper", io(128), "output", value, 128, [emap_init()])


def nan_enhancer(path):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 512, 512])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 512, 512])
    nodes = [helper.make_node("Mul", ["input", "nan"], ["output"])]
    inits = [numpy_helper.from_array(np.array(np.nan, np.float32), "nan")]
    save(helper.make_model(helper.make_graph(nodes, "nan_enhancer", [x], [y], inits)), path)


def nan_frame_x4(path):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, "height", "width"])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, "out_height", "out_width"])
    nodes = [helper.make_node("Resize", ["input", "roi", "scales"], ["up"], mode="nearest",
                              nearest_mode="floor", coordinate_transformation_mode="asymmetric"),
             helper.make_node("Add", ["up", "nan"], ["output"])]
    inits = [numpy_helper.from_array(np.zeros(0, np.float32), "roi"),
             numpy_helper.from_array(np.array([1, 1, 4, 4], np.float32), "scales"),
             numpy_helper.from_array(np.array(np.nan, np.float32), "nan")]
    save(helper.make_model(helper.make_graph(nodes, "nan_frame_x4", [x], [y], inits)), path)


def yolo_column(out, i, cx, cy, w, h, score):
    out[0, 0:5, i] = [cx, cy, w, h, score]
    for k in range(5):
        out[0, 5 + 3 * k: 8 + 3 * k, i] = [cx - w / 5 + w / 10 * k, cy - h / 10 + h / 20 * k, 1.0]


def nan_yoloface(path):
    out = np.zeros((1, 20, 8400), np.float32)
    yolo_column(out, 0, np.nan, np.nan, np.nan, np.nan, 0.9)
    yolo_column(out, 1, 100, 100, 50, 50, np.nan)
    yolo_column(out, 2, np.inf, 300, np.inf, 40, 0.9)
    yolo_column(out, 3, 320, 200, 100, 140, 0.9)
    constant_model(path, "images", [("output0", out)])


def everywhere_yoloface(path):
    out = np.zeros((1, 20, 8400), np.float32)
    for i in range(8400):
        row, col = divmod(i, 105)
        yolo_column(out, i, col * 6 + 3, row * 8 + 4, 4, 6, 0.9)
    constant_model(path, "images", [("output0", out)])


def bad_reshape(path):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, "h", "w"])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [7])
    nodes = [helper.make_node("Reshape", ["input", "shape"], ["output"])]
    inits = [numpy_helper.from_array(np.array([7], np.int64), "shape")]
    save(helper.make_model(helper.make_graph(nodes, "bad_reshape", [x], [y], inits)), path)


def generate(out_dir):
    d = os.path.join(out_dir, "hostile")
    os.makedirs(d, exist_ok=True)
    nan_swapper(os.path.join(d, "nan_swapper_128.onnx"))
    nan_enhancer(os.path.join(d, "nan_enhancer_512.onnx"))
    nan_frame_x4(os.path.join(d, "nan_frame_x4.onnx"))
    nan_yoloface(os.path.join(d, "nan_yoloface.onnx"))
    everywhere_yoloface(os.path.join(d, "everywhere_yoloface.onnx"))
    bad_reshape(os.path.join(d, "bad_reshape.onnx"))
