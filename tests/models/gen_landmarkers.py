"""Stand-ins for the 68-point landmark models (fan_68_5, 2dfan4), written
into their own model directories so that the shared test cache keeps
analysing with the detector's points only.

landmarkers_high/ and landmarkers_low/ each hold scrfd (a link), fan_68_5
and 2dfan4:
- fan_68_5 copies input point i % 5 to output point i: its 68 points, mapped
  back, must land exactly on the detector's five.
- 2dfan4 outputs constant points on its 64 grid (point i at
  (8 + (i % 12) * 4, 8 + (i // 12) * 8)) and heatmaps whose per-point maximum
  is 0.72 (score 0.8, above the default threshold 0.5) in _high and 0.27
  (score 0.3, below it) in _low.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "models"))


def save(nodes, inputs, outputs, inits, path):
    graph = helper.make_graph(nodes, "standin", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def fan_68_5(path):
    index = np.array([i % 5 for i in range(68)], np.int64)
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 5, 2])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 68, 2])
    save([helper.make_node("Gather", ["input", "index"], ["output"], axis=1)], [x], [y],
         [numpy_helper.from_array(index, "index")], path)


def two_d_fan_4(path, peak):
    points = np.zeros((1, 68, 3), np.float32)
    for i in range(68):
        points[0, i] = [8 + (i % 12) * 4, 8 + (i // 12) * 8, 1.0]
    heat = np.zeros((1, 68, 64, 64), np.float32)
    heat[:, :, 10, 10] = peak
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 256, 256])
    outs = [helper.make_tensor_value_info("landmarks", TensorProto.FLOAT, [1, 68, 3]),
            helper.make_tensor_value_info("heatmaps", TensorProto.FLOAT, [1, 68, 64, 64])]
    nodes = [helper.make_node("ReduceMean", ["input"], ["m"], keepdims=1),
             helper.make_node("Mul", ["m", "zero"], ["z"]),
             helper.make_node("Reshape", ["z", "s3"], ["z3"]),
             helper.make_node("Add", ["points", "z3"], ["landmarks"]),
             helper.make_node("Add", ["heat", "z"], ["heatmaps"])]
    inits = [numpy_helper.from_array(np.zeros((1, 1, 1, 1), np.float32), "zero"),
             numpy_helper.from_array(np.array([1, 1, 1], np.int64), "s3"),
             numpy_helper.from_array(points, "points"),
             numpy_helper.from_array(heat, "heat")]
    save(nodes, [x], outs, inits, path)


def generate(out_dir):
    for name, peak in (("landmarkers_high", 0.72), ("landmarkers_low", 0.27)):
        d = os.path.join(out_dir, name)
        os.makedirs(d, exist_ok=True)
        link = os.path.join(d, "scrfd_2.5g.onnx")
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.join(SHARED, "scrfd_2.5g_bnkps.onnx"), link)
        fan_68_5(os.path.join(d, "fan_68_5.onnx"))
        two_d_fan_4(os.path.join(d, "2dfan4.onnx"), peak)
