"""Stand-ins for the swappers beyond inswapper/hyperswap, and their CrossFace
embedding converters, with the registry's contracts and outputs that are
known functions of their inputs (the C tests recompute them).

generate(out_dir) writes, under the registry's file names:

- crossface_simswap.onnx, crossface_ghost.onnx, crossface_hififace.onnx:
  input [1,512] -> output [1,512] = input @ C, C[i, j] = ((p i + q j) % 17
  - 8) / d with (p, q, d) = (5, 3, 64), (7, 11, 256), (3, 13, 64) (exact in
  float32).
- simswap_256.onnx (target [1,3,256,256] first, source [1,512] second),
  simswap_unofficial_512.onnx (source first, target [1,3,512,512]),
  ghost_1_256.onnx (source first), hififace_unofficial_256.onnx (target
  first): output [1,3,S,S] = target * A + B + s, with s = source @ W (W of
  gen_swapper.py) per channel. A, B undo the model's input normalisation
  where FaceFusion takes the output as 0..1 as it is (simswap_256: A =
  ImageNet std, B = ImageNet mean; simswap_unofficial_512: 1, 0) and are 1,
  0 where FaceFusion de-normalises the output (ghost, hififace: mean/std
  0.5), so a source s = 0 gives the crop back unchanged through a correct
  pipeline.
- blendswap_256.onnx: target [1,3,256,256] first, source [1,3,112,112]
  second; output = the target, except its top-left 112x112 which is the
  source image.
- uniface_256.onnx: "source" [1,3,256,256] first, "target" second; output
  (normalised space, mean/std 0.5) = the target on the left half (x < 128),
  2 * source - 1 on the right half: through a correct pipeline the crop's
  left half comes back and its right half is the source face crop.
- uniface_target_first_256.onnx: the same with "target" declared first (the
  names, not the order, tell them apart); uniface_unnamed_256.onnx: inputs
  named "a" and "b" (nothing tells them apart: refused).
"""
import os

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from gen_swapper import save, w_matrix

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
CONVERTERS = {"simswap": (5, 3, 64), "ghost": (7, 11, 256), "hififace": (3, 13, 64)}


def converter_matrix(p, q, d):
    i = np.arange(512, dtype=np.int64).reshape(512, 1)
    j = np.arange(512, dtype=np.int64).reshape(1, 512)
    return (((p * i + q * j) % 17 - 8) / float(d)).astype(np.float32)


def arr(name, value, dtype=np.float32):
    return numpy_helper.from_array(np.array(value, dtype=dtype), name)


def converter(path, p, q, d):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 512])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 512])
    node = helper.make_node("MatMul", ["input", "C"], ["output"])
    graph = helper.make_graph([node], "crossface_standin", [x], [y],
                              [numpy_helper.from_array(converter_matrix(p, q, d), "C")])
    save(helper.make_model(graph), path)


def vector_swapper(path, size, source_first, a, b):
    target = helper.make_tensor_value_info("target", TensorProto.FLOAT, [1, 3, size, size])
    source = helper.make_tensor_value_info("source", TensorProto.FLOAT, [1, 512])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, size, size])
    nodes = [
        helper.make_node("Mul", ["target", "A"], ["scaled"]),
        helper.make_node("Add", ["scaled", "B"], ["shifted"]),
        helper.make_node("MatMul", ["source", "W"], ["s3"]),
        helper.make_node("Reshape", ["s3", "s_shape"], ["s4"]),
        helper.make_node("Add", ["shifted", "s4"], ["output"]),
    ]
    inits = [arr("A", np.array(a).reshape(1, 3, 1, 1)), arr("B", np.array(b).reshape(1, 3, 1, 1)),
             numpy_helper.from_array(w_matrix(), "W"), arr("s_shape", [1, 3, 1, 1], np.int64)]
    inputs = [source, target] if source_first else [target, source]
    save(helper.make_model(helper.make_graph(nodes, "vector_swapper_standin", inputs, [y], inits)), path)


def blendswap(path):
    target = helper.make_tensor_value_info("target", TensorProto.FLOAT, [1, 3, 256, 256])
    source = helper.make_tensor_value_info("source", TensorProto.FLOAT, [1, 3, 112, 112])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 256, 256])
    m = np.zeros((1, 1, 256, 256), np.float32)
    m[:, :, :112, :112] = 1
    nodes = [
        helper.make_node("Pad", ["source", "pads"], ["padded"]),
        helper.make_node("Mul", ["padded", "M"], ["from_source"]),
        helper.make_node("Mul", ["target", "keep"], ["from_target"]),
        helper.make_node("Add", ["from_source", "from_target"], ["output"]),
    ]
    inits = [arr("pads", [0, 0, 0, 0, 0, 0, 144, 144], np.int64), arr("M", m), arr("keep", 1 - m)]
    save(helper.make_model(helper.make_graph(nodes, "blendswap_standin", [target, source], [y], inits)), path)


def uniface(path, names=("source", "target"), source_first=True):
    source = helper.make_tensor_value_info(names[0], TensorProto.FLOAT, [1, 3, 256, 256])
    target = helper.make_tensor_value_info(names[1], TensorProto.FLOAT, [1, 3, 256, 256])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 256, 256])
    m = np.zeros((1, 1, 256, 256), np.float32)
    m[:, :, :, 128:] = 1
    nodes = [
        helper.make_node("Mul", [names[0], "two_m"], ["source2"]),
        helper.make_node("Sub", ["source2", "M"], ["from_source"]),
        helper.make_node("Mul", [names[1], "keep"], ["from_target"]),
        helper.make_node("Add", ["from_source", "from_target"], ["output"]),
    ]
    inits = [arr("two_m", 2 * m), arr("M", m), arr("keep", 1 - m)]
    inputs = [source, target] if source_first else [target, source]
    save(helper.make_model(helper.make_graph(nodes, "uniface_standin", inputs, [y], inits)), path)


def generate(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    p = lambda name: os.path.join(out_dir, name)
    for name, (a, b, d) in CONVERTERS.items():
        converter(p("crossface_%s.onnx" % name), a, b, d)
    vector_swapper(p("simswap_256.onnx"), 256, False, IMAGENET_STD, IMAGENET_MEAN)
    vector_swapper(p("simswap_unofficial_512.onnx"), 512, True, [1, 1, 1], [0, 0, 0])
    vector_swapper(p("ghost_1_256.onnx"), 256, True, [1, 1, 1], [0, 0, 0])
    vector_swapper(p("hififace_unofficial_256.onnx"), 256, False, [1, 1, 1], [0, 0, 0])
    blendswap(p("blendswap_256.onnx"))
    uniface(p("uniface_256.onnx"))
    uniface(p("uniface_target_first_256.onnx"), source_first=False)
    uniface(p("uniface_unnamed_256.onnx"), names=("a", "b"))


if __name__ == "__main__":
    import sys
    generate(sys.argv[1])
