"""Stand-in face enhancer models with FaceFusion's contracts (input "input"
[1,3,S,S] in [-1, 1], output [1,3,S,S] clipped to [-1, 1] by the caller).

- gfpgan_1.4.onnx: output = input (the crop comes back unchanged: shows the
  normalisation round trip).
- enhancer_ramp_512.onnx: output R = 2x/511 - 1, G = 2y/511 - 1, B = -1
  whatever the input (input * 0 is added so it is used): the pasted frame
  then shows, at each pixel, which crop pixel landed there, so a test can
  recover the alignment the processor used.
- codeformer.onnx: inputs "input" [1,3,512,512] float and "weight" [1]
  float64 (as FaceFusion's export); output = input * 0 + (2 weight - 1):
  every pixel becomes weight * 255.
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


def _io(size):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, size, size])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, size, size])
    return x, y


def identity(path, size=512):
    x, y = _io(size)
    graph = helper.make_graph([helper.make_node("Identity", ["input"], ["output"])], "enhancer_identity", [x], [y])
    _save(helper.make_model(graph), path)


def ramp(path, size=512):
    x, y = _io(size)
    r = np.arange(size, dtype=np.float32) * 2 / (size - 1) - 1
    pattern = np.stack([np.tile(r, (size, 1)), np.tile(r.reshape(size, 1), (1, size)),
                        -np.ones((size, size), np.float32)]).reshape(1, 3, size, size).astype(np.float32)
    nodes = [helper.make_node("Mul", ["input", "zero"], ["zeros"]),
             helper.make_node("Add", ["zeros", "pattern"], ["output"])]
    inits = [numpy_helper.from_array(np.array(0, np.float32), "zero"), numpy_helper.from_array(pattern, "pattern")]
    _save(helper.make_model(helper.make_graph(nodes, "enhancer_ramp", [x], [y], inits)), path)


def codeformer(path):
    x, y = _io(512)
    w = helper.make_tensor_value_info("weight", TensorProto.DOUBLE, [1])
    nodes = [helper.make_node("Cast", ["weight"], ["w32"], to=TensorProto.FLOAT),
             helper.make_node("Mul", ["w32", "two"], ["w2"]),
             helper.make_node("Sub", ["w2", "one"], ["level"]),
             helper.make_node("Mul", ["input", "zero"], ["zeros"]),
             helper.make_node("Add", ["zeros", "level"], ["output"])]
    inits = [numpy_helper.from_array(np.array(v, np.float32), n) for n, v in (("two", 2), ("one", 1), ("zero", 0))]
    _save(helper.make_model(helper.make_graph(nodes, "codeformer_standin", [x, w], [y], inits)), path)


def generate(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    identity(os.path.join(out_dir, "gfpgan_1.4.onnx"))
    ramp(os.path.join(out_dir, "enhancer_ramp_512.onnx"))
    codeformer(os.path.join(out_dir, "codeformer.onnx"))


if __name__ == "__main__":
    import sys
    generate(sys.argv[1])
