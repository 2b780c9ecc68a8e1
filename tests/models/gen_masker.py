"""Stand-in face masker models (XSeg occluders, a BiSeNet parser) with
FaceFusion's contracts and known, input-independent outputs, and a face
swapper stand-in that shifts colours, for the mask and blend tests.

- xseg_1.onnx: input [1,256,256,3] (NHWC), output [1,256,256,1]: 0 in the
  square rows and columns [96, 160), 1 elsewhere.
- xseg_2.onnx: 0 in rows [32, 80) x columns [176, 224), 1 elsewhere.
- xseg_3.onnx: 1 everywhere. ("many" = the minimum of the three.)
- bisenet_resnet_34.onnx: input [1,3,512,512], output [1,19,512,512] of
  one-hot logits (5 for the class, 0 else): class 1 (skin) where x < 256,
  class 10 (nose) where x >= 256 and y < 256, class 0 (background) in the
  bottom-right quarter.
- swap_tint_128.onnx: the inswapper contract (target [1,3,128,128], source
  [1,512]); output = clip(target * (0.8, 1.0, 1.2) + (0.1, -0.05, 0), 0, 1)
  per channel: a colour-shifted copy of the crop. Its last initializer is the
  test emap, as every inswapper stand-in.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import gen_swapper


def _save(model, path):
    model.opset_import[0].version = 13
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def _const_model(path, name, in_dims, pattern):
    """output = pattern + 0 * mean(input)."""
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, in_dims)
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, list(pattern.shape))
    nodes = [helper.make_node("ReduceMean", ["input"], ["m"], keepdims=1),
             helper.make_node("Mul", ["m", "zero"], ["z"]),
             helper.make_node("Add", ["pattern", "z"], ["output"])]
    inits = [numpy_helper.from_array(np.array(0, np.float32), "zero"),
             numpy_helper.from_array(pattern.astype(np.float32), "pattern")]
    _save(helper.make_model(helper.make_graph(nodes, name, [x], [y], inits)), path)


def xseg(path, hole):
    m = np.ones((1, 256, 256, 1), np.float32)
    if hole:
        y0, y1, x0, x1 = hole
        m[0, y0:y1, x0:x1, 0] = 0
    _const_model(path, "xseg_standin", [1, 256, 256, 3], m)


def bisenet(path):
    classes = np.zeros((512, 512), np.int64)
    classes[:, :256] = 1
    classes[:256, 256:] = 10
    logits = np.zeros((1, 19, 512, 512), np.float32)
    for c in (0, 1, 10):
        logits[0, c][classes == c] = 5.0
    # 20 MB as a constant: built from a 64x64 map by nearest Resize instead.
    small = logits[:, :, ::8, ::8].copy()
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 512, 512])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 19, 512, 512])
    nodes = [helper.make_node("Resize", ["small", "roi", "scales"], ["big"], mode="nearest"),
             helper.make_node("ReduceMean", ["input"], ["m"], keepdims=1),
             helper.make_node("Mul", ["m", "zero"], ["z"]),
             helper.make_node("Add", ["big", "z"], ["output"])]
    inits = [numpy_helper.from_array(small, "small"), numpy_helper.from_array(np.zeros(0, np.float32), "roi"),
             numpy_helper.from_array(np.array([1, 1, 8, 8], np.float32), "scales"),
             numpy_helper.from_array(np.array(0, np.float32), "zero")]
    _save(helper.make_model(helper.make_graph(nodes, "bisenet_standin", [x], [y], inits)), path)


def swap_tint(path):
    target = helper.make_tensor_value_info("target", TensorProto.FLOAT, [1, 3, 128, 128])
    source = helper.make_tensor_value_info("source", TensorProto.FLOAT, [1, 512])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 128, 128])
    nodes = [helper.make_node("Mul", ["target", "gain"], ["g"]),
             helper.make_node("Add", ["g", "bias"], ["b"]),
             helper.make_node("ReduceMean", ["source"], ["s"], keepdims=0),
             helper.make_node("Mul", ["s", "zero"], ["sz"]),
             helper.make_node("Add", ["b", "sz"], ["sum"]),
             helper.make_node("Clip", ["sum", "zero", "one"], ["output"])]
    inits = [numpy_helper.from_array(np.array([0.8, 1.0, 1.2], np.float32).reshape(1, 3, 1, 1), "gain"),
             numpy_helper.from_array(np.array([0.1, -0.05, 0], np.float32).reshape(1, 3, 1, 1), "bias"),
             numpy_helper.from_array(np.array(0, np.float32), "zero"),
             numpy_helper.from_array(np.array(1, np.float32), "one"), gen_swapper.emap_init()]
    graph = helper.make_graph(nodes, "swap_tint", [target, source], [y], inits)
    _save(helper.make_model(graph), path)


def generate(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    p = lambda name: os.path.join(out_dir, name)
    xseg(p("xseg_1.onnx"), (96, 160, 96, 160))
    xseg(p("xseg_2.onnx"), (32, 80, 176, 224))
    xseg(p("xseg_3.onnx"), None)
    bisenet(p("bisenet_resnet_34.onnx"))
    swap_tint(p("swap_tint_128.onnx"))


if __name__ == "__main__":
    import sys
    generate(sys.argv[1])
