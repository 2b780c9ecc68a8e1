"""Stand-ins for FaceFusion's background removers, with the real files'
contracts and outputs that are known functions of their inputs.

- u2netp.onnx: input [1,3,320,320]; outputs d0 [1,1,320,320] = PATTERN (input
  ignored), then a decoy d1 [1,1,320,320] = 0.5, as u2net files carry side
  outputs after the fused mask. PATTERN: rows < 160 a horizontal ramp from
  -0.2 to 1.2 (so clipping shows), rows >= 160 a 40-px checkerboard of 0/1.
- modnet.onnx: input [1,3,512,512] normalised with mean = std = 0.5, so the
  input is 2*R/255 - 1; output [1,1,512,512] = (input[R] + 1) / 2 = R/255:
  the mask is the frame's red channel, which proves size, normalisation and
  channel order.
- u2net_cloth.onnx: input [1,3,768,768]; output [1,4,768,768] of one-hot
  logits (5 for the class, 0 else): class 0 where x < 384, class 2 where
  x >= 384 and y < 384, class 3 in the bottom-right quarter.
- corridor_key_1024.onnx: input [1,4,1024,1024] (RGB normalised with
  ImageNet mean/std, then the coarse matte); outputs the mask
  [1,1,1024,1024] = the coarse matte channel, and the foreground
  [1,3,1024,1024] = the RGB channels de-normalised (x*std + mean), i.e. the
  scaled frame / 255.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)


def _save(model, path):
    model.opset_import[0].version = 13
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def pattern_320():
    p = np.zeros((320, 320), np.float32)
    p[:160, :] = np.linspace(-0.2, 1.2, 320, dtype=np.float32)[None, :]
    yy, xx = np.mgrid[160:320, 0:320]
    p[160:, :] = ((xx // 40 + yy // 40) % 2).astype(np.float32)
    return p


def u2netp(path):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 320, 320])
    d0 = helper.make_tensor_value_info("d0", TensorProto.FLOAT, [1, 1, 320, 320])
    d1 = helper.make_tensor_value_info("d1", TensorProto.FLOAT, [1, 1, 320, 320])
    nodes = [helper.make_node("ReduceMean", ["input"], ["m"], keepdims=1),
             helper.make_node("Mul", ["m", "zero"], ["z"]),
             helper.make_node("Add", ["pattern", "z"], ["d0"]),
             helper.make_node("Mul", ["pattern", "zero"], ["zeros"]),
             helper.make_node("Add", ["zeros", "half"], ["d1"])]
    inits = [numpy_helper.from_array(np.array(0, np.float32), "zero"),
             numpy_helper.from_array(pattern_320()[None, None], "pattern"),
             numpy_helper.from_array(np.array(0.5, np.float32), "half")]
    _save(helper.make_model(helper.make_graph(nodes, "u2netp_standin", [x], [d0, d1], inits)), path)


def modnet(path):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 512, 512])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, 512, 512])
    nodes = [helper.make_node("Slice", ["input", "starts", "ends", "axes"], ["red"]),
             helper.make_node("Add", ["red", "one"], ["shifted"]),
             helper.make_node("Mul", ["shifted", "half"], ["output"])]
    inits = [numpy_helper.from_array(np.array([0], np.int64), "starts"),
             numpy_helper.from_array(np.array([1], np.int64), "ends"),
             numpy_helper.from_array(np.array([1], np.int64), "axes"),
             numpy_helper.from_array(np.array(1, np.float32), "one"),
             numpy_helper.from_array(np.array(0.5, np.float32), "half")]
    _save(helper.make_model(helper.make_graph(nodes, "modnet_standin", [x], [y], inits)), path)


def u2net_cloth(path):
    classes = np.zeros((768, 768), np.int64)
    classes[:384, 384:] = 2
    classes[384:, 384:] = 3
    logits = np.zeros((1, 4, 768, 768), np.float32)
    for c in range(4):
        logits[0, c][classes == c] = 5.0
    small = logits[:, :, ::16, ::16].copy()  # 48x48, nearest-upsampled in the graph
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 768, 768])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 4, 768, 768])
    nodes = [helper.make_node("Resize", ["small", "roi", "scales"], ["big"], mode="nearest"),
             helper.make_node("ReduceMean", ["input"], ["m"], keepdims=1),
             helper.make_node("Mul", ["m", "zero"], ["z"]),
             helper.make_node("Add", ["big", "z"], ["output"])]
    inits = [numpy_helper.from_array(small, "small"), numpy_helper.from_array(np.zeros(0, np.float32), "roi"),
             numpy_helper.from_array(np.array([1, 1, 16, 16], np.float32), "scales"),
             numpy_helper.from_array(np.array(0, np.float32), "zero")]
    _save(helper.make_model(helper.make_graph(nodes, "u2net_cloth_standin", [x], [y], inits)), path)


def corridor_key(path, size):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 4, size, size])
    mask = helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 1, size, size])
    fg = helper.make_tensor_value_info("foreground", TensorProto.FLOAT, [1, 3, size, size])
    nodes = [helper.make_node("Slice", ["input", "s3", "e4", "axis1"], ["mask"]),
             helper.make_node("Slice", ["input", "s0", "e3", "axis1"], ["rgb"]),
             helper.make_node("Mul", ["rgb", "std"], ["scaled"]),
             helper.make_node("Add", ["scaled", "mean"], ["foreground"])]
    inits = [numpy_helper.from_array(np.array([3], np.int64), "s3"),
             numpy_helper.from_array(np.array([4], np.int64), "e4"),
             numpy_helper.from_array(np.array([0], np.int64), "s0"),
             numpy_helper.from_array(np.array([3], np.int64), "e3"),
             numpy_helper.from_array(np.array([1], np.int64), "axis1"),
             numpy_helper.from_array(IMAGENET_STD.reshape(1, 3, 1, 1), "std"),
             numpy_helper.from_array(IMAGENET_MEAN.reshape(1, 3, 1, 1), "mean")]
    _save(helper.make_model(helper.make_graph(nodes, "corridor_key_standin", [x], [mask, fg], inits)), path)


def generate(out_dir):
    u2netp(os.path.join(out_dir, "u2netp.onnx"))
    modnet(os.path.join(out_dir, "modnet.onnx"))
    u2net_cloth(os.path.join(out_dir, "u2net_cloth.onnx"))
    corridor_key(os.path.join(out_dir, "corridor_key_1024.onnx"), 1024)
