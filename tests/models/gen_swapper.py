"""Stand-in face swapper models (and a 512-d recognizer) for the swapper tests.

generate(out_dir) writes, under the registry's file names where a test loads
them by model name, and under their own names where a test links them into a
private model directory as "inswapper_128.onnx":

- inswapper_128.onnx: inputs target [1,3,128,128], source [1,512]; output
  clip(target * 0.5 + s, 0, 1) with s = source @ W broadcast per channel
  (W: 512x3, W[i, c] = ((31 i + 17 c) % 13 - 6) / 256). Its LAST graph
  initializer is the 512x512 "emap", EMAP[i, j] = ((7919 i + 104729 j) %
  1000 - 500) / 4096: pseudo-random but a formula a C test can recompute
  exactly (every value is exact in float32 and float16). Stored as raw_data.
- inswapper_128_fp16.onnx: the same with float16 inputs/output (Cast nodes)
  and a float16 emap stored in int32_data (ONNX's other float16 encoding).
- hyperswap_1a_256.onnx: FaceFusion's hyperswap order, source [1,512] first,
  target [1,3,256,256] second; outputs target * 0.5 + s (normalised space)
  and a [1,1,256,256] mask.
- swap_identity_128.onnx: output = target (the crop comes back unchanged).
- swap_flip_128.onnx: output = target mirrored left-right (position-dependent,
  shows which pixels each pixel-boost sub-image holds).
- swap_const_128.onnx: output = 1 (white): frame' = frame + (255 - frame) m,
  so a test can read the pasted mask m back from the image.
- swap_latent_128.onnx: output = 0.5 + 0.5 * source tiled over the crop, so
  the first 512 values of channel 0 give back the latent the model was fed.
  (The four above carry the same emap as their last initializer.)
- initializer_float_data.onnx: a graph whose last initializer [2,3] is
  stored in float_data (the reader's third encoding).
- recognizer512.onnx: ../shared mobilefacenet (a real 128-d recognizer)
  followed by Tile x4: a 512-d embedding with the same cosine similarities,
  which the inswapper contract (source [1,512]) needs.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "models"))


def emap_matrix():
    i = np.arange(512, dtype=np.int64).reshape(512, 1)
    j = np.arange(512, dtype=np.int64).reshape(1, 512)
    return (((7919 * i + 104729 * j) % 1000 - 500) / 4096.0).astype(np.float32)


def w_matrix():
    i = np.arange(512, dtype=np.int64).reshape(512, 1)
    c = np.arange(3, dtype=np.int64).reshape(1, 3)
    return (((31 * i + 17 * c) % 13 - 6) / 256.0).astype(np.float32)


def save(model, path, opset=13):
    model.opset_import[0].version = opset
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def const(name, value, dtype=np.float32):
    return numpy_helper.from_array(np.array(value, dtype=dtype), name)


def emap_init(fp16=False):
    m = emap_matrix()
    if not fp16:
        return numpy_helper.from_array(m, "emap")
    t = TensorProto()
    t.name = "emap"
    t.data_type = TensorProto.FLOAT16
    t.dims.extend([512, 512])
    t.int32_data.extend(m.astype(np.float16).view(np.uint16).flatten().tolist())
    return t


def io(size, source_first=False, elem=TensorProto.FLOAT):
    target = helper.make_tensor_value_info("target", elem, [1, 3, size, size])
    source = helper.make_tensor_value_info("source", elem, [1, 512])
    return [source, target] if source_first else [target, source]


def swap_nodes(target, source, out, clip=True):
    """out = [clip](target * 0.5 + reshape(source @ W))."""
    nodes = [
        helper.make_node("Mul", [target, "half"], ["halved"]),
        helper.make_node("MatMul", [source, "W"], ["s3"]),
        helper.make_node("Reshape", ["s3", "s_shape"], ["s4"]),
    ]
    if clip:
        nodes += [helper.make_node("Add", ["halved", "s4"], ["sum"]),
                  helper.make_node("Clip", ["sum", "zero", "one"], [out])]
    else:
        nodes += [helper.make_node("Add", ["halved", "s4"], [out])]
    inits = [numpy_helper.from_array(w_matrix(), "W"), const("s_shape", [1, 3, 1, 1], np.int64),
             const("half", 0.5), const("zero", 0.0), const("one", 1.0)]
    return nodes, inits


def inswapper(path):
    nodes, inits = swap_nodes("target", "source", "output")
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 128, 128])
    graph = helper.make_graph(nodes, "inswapper_standin", io(128), [y], inits + [emap_init()])
    save(helper.make_model(graph), path)


def inswapper_fp16(path):
    nodes, inits = swap_nodes("target32", "source32", "output32")
    nodes = [helper.make_node("Cast", ["target"], ["target32"], to=TensorProto.FLOAT),
             helper.make_node("Cast", ["source"], ["source32"], to=TensorProto.FLOAT)] + nodes + \
            [helper.make_node("Cast", ["output32"], ["output"], to=TensorProto.FLOAT16)]
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT16, [1, 3, 128, 128])
    graph = helper.make_graph(nodes, "inswapper_fp16_standin", io(128, elem=TensorProto.FLOAT16), [y],
                              inits + [emap_init(fp16=True)])
    save(helper.make_model(graph), path)


def hyperswap(path):
    nodes, inits = swap_nodes("target", "source", "output", clip=False)
    nodes.append(helper.make_node("ReduceMean", ["target"], ["mask"], axes=[1], keepdims=1))
    outs = [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 256, 256]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 1, 256, 256])]
    graph = helper.make_graph(nodes, "hyperswap_standin", io(256, source_first=True), outs, inits)
    save(helper.make_model(graph), path)


def probe(path, kind):
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 128, 128])
    inits = []
    if kind == "identity":
        nodes = [helper.make_node("Identity", ["target"], ["output"])]
    elif kind == "flip":
        nodes = [helper.make_node("Slice", ["target", "starts", "ends", "axes", "steps"], ["output"])]
        inits = [const("starts", [-1], np.int64), const("ends", [-(2 ** 63)], np.int64),
                 const("axes", [3], np.int64), const("steps", [-1], np.int64)]
    elif kind == "const":
        nodes = [helper.make_node("Mul", ["target", "zero"], ["zeros"]),
                 helper.make_node("Add", ["zeros", "one"], ["output"])]
        inits = [const("zero", 0.0), const("one", 1.0)]
    else:  # latent
        nodes = [helper.make_node("Tile", ["source", "reps"], ["tiled"]),
                 helper.make_node("Reshape", ["tiled", "shape"], ["shaped"]),
                 helper.make_node("Mul", ["shaped", "half"], ["scaled"]),
                 helper.make_node("Add", ["scaled", "half"], ["output"])]
        inits = [const("reps", [1, 96], np.int64), const("shape", [1, 3, 128, 128], np.int64),
                 const("half", 0.5)]
    graph = helper.make_graph(nodes, "swap_probe_" + kind, io(128), [y], inits + [emap_init()])
    save(helper.make_model(graph), path)


def float_data_initializer(path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])
    node = helper.make_node("Identity", ["x"], ["y"])
    vals = helper.make_tensor("last", TensorProto.FLOAT, [2, 3], [1.5, -2.0, 0.25, 3.0, 4.5, -0.125])
    graph = helper.make_graph([node], "float_data", [x], [y], [const("first", [7.0]), vals])
    save(helper.make_model(graph), path)


def recognizer512(path):
    m = onnx.load(os.path.join(SHARED, "mobilefacenet.onnx"))
    g = m.graph
    old = g.output[0].name
    g.node.append(helper.make_node("Tile", [old, "tile_reps"], ["embedding512"]))
    g.initializer.append(const("tile_reps", [1, 4], np.int64))
    del g.output[:]
    g.output.append(helper.make_tensor_value_info("embedding512", TensorProto.FLOAT, [1, 512]))
    onnx.checker.check_model(m)
    onnx.save(m, path)


def generate(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    p = lambda name: os.path.join(out_dir, name)
    inswapper(p("inswapper_128.onnx"))
    inswapper_fp16(p("inswapper_128_fp16.onnx"))
    hyperswap(p("hyperswap_1a_256.onnx"))
    for kind in ("identity", "flip", "const", "latent"):
        probe(p("swap_%s_128.onnx" % kind), kind)
    float_data_initializer(p("initializer_float_data.onnx"))
    recognizer512(p("recognizer512.onnx"))


if __name__ == "__main__":
    import sys
    generate(sys.argv[1])
