"""Stand-ins for FaceFusion's frame colorizers, with the real files'
contracts (one [1,3,H,W] input with H and W symbolic, so every
--frame-colorizer-size works) and outputs that are known functions of the
input.

- ddcolor.onnx: output [1,2,H,W], the Lab a/b planes: a = 40*(x_R - 0.5)
  (x_R is the grey over 255, so a follows the grey), b = -30.
- deoldify.onnx: output [1,3,H,W], an RGB image in 0..255: the grey (0..255)
  times (1.0, 0.8, 0.55), a sepia.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _save(model, path):
    model.opset_import[0].version = 13
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def ddcolor(path):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, "height", "width"])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 2, "height", "width"])
    nodes = [helper.make_node("Slice", ["input", "s0", "e1", "axis1"], ["red"]),
             helper.make_node("Sub", ["red", "half"], ["centred"]),
             helper.make_node("Mul", ["centred", "forty"], ["a"]),
             helper.make_node("Mul", ["red", "zero"], ["zeros"]),
             helper.make_node("Add", ["zeros", "minus30"], ["b"]),
             helper.make_node("Concat", ["a", "b"], ["output"], axis=1)]
    inits = [numpy_helper.from_array(np.array([0], np.int64), "s0"),
             numpy_helper.from_array(np.array([1], np.int64), "e1"),
             numpy_helper.from_array(np.array([1], np.int64), "axis1"),
             numpy_helper.from_array(np.array(0.5, np.float32), "half"),
             numpy_helper.from_array(np.array(40.0, np.float32), "forty"),
             numpy_helper.from_array(np.array(0.0, np.float32), "zero"),
             numpy_helper.from_array(np.array(-30.0, np.float32), "minus30")]
    _save(helper.make_model(helper.make_graph(nodes, "ddcolor_standin", [x], [y], inits)), path)


def deoldify(path):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, "height", "width"])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, "height", "width"])
    tint = np.array([1.0, 0.8, 0.55], np.float32).reshape(1, 3, 1, 1)
    nodes = [helper.make_node("Mul", ["input", "tint"], ["output"])]
    inits = [numpy_helper.from_array(tint, "tint")]
    _save(helper.make_model(helper.make_graph(nodes, "deoldify_standin", [x], [y], inits)), path)


def generate(out_dir):
    ddcolor(os.path.join(out_dir, "ddcolor.onnx"))
    deoldify(os.path.join(out_dir, "deoldify.onnx"))
