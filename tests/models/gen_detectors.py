"""Stand-ins for the detectors that cannot ship (yolo_face, retinaface).

Each has the real model's input and output contract and outputs a constant
set of raw detections (the input only enters multiplied by zero), so a test
can check facefuse's decoding, letterbox mapping and NMS against numbers
worked out by hand.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def constant_model(path, input_name, outputs):
    """outputs: list of (name, numpy array). out_i = const_i + 0 * mean(input)."""
    x = helper.make_tensor_value_info(input_name, TensorProto.FLOAT, [1, 3, 640, 640])
    nodes = [helper.make_node("ReduceMean", [input_name], ["m"], keepdims=1),
             helper.make_node("Mul", ["m", "zero"], ["z"])]
    inits = [numpy_helper.from_array(np.zeros((1, 1, 1, 1), np.float32), "zero")]
    outs = []
    for name, arr in outputs:
        arr = arr.astype(np.float32)
        inits.append(numpy_helper.from_array(arr, name + "_c"))
        shape_name = name + "_z"
        # reshape z to the output's rank so broadcasting keeps the shape
        inits.append(numpy_helper.from_array(np.array([1] * arr.ndim, np.int64), name + "_s"))
        nodes.append(helper.make_node("Reshape", ["z", name + "_s"], [shape_name]))
        nodes.append(helper.make_node("Add", [name + "_c", shape_name], [name]))
        outs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(arr.shape)))
    graph = helper.make_graph(nodes, "constant_detector", [x], outs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def yolo_face(path):
    """1x20x8400: [cx, cy, w, h, score, 5 x (x, y, visibility)] per column."""
    out = np.zeros((1, 20, 8400), np.float32)
    def put(i, cx, cy, w, h, score):
        out[0, 0:5, i] = [cx, cy, w, h, score]
        for k in range(5):
            out[0, 5 + 3 * k: 8 + 3 * k, i] = [cx - 20 + 10 * k, cy - 10 + 5 * k, 1.0]
    put(1234, 320, 200, 100, 140, 0.9)   # the face
    put(2000, 322, 203, 98, 138, 0.8)    # the same face, weaker: removed by NMS
    put(3000, 100, 100, 50, 50, 0.3)     # below the score threshold
    constant_model(path, "images", [("output0", out)])


def retinaface(path):
    """SCRFD-style outputs for strides 8/16/32 (2 anchors a cell at 640)."""
    outputs = []
    counts = [(640 // s) ** 2 * 2 for s in (8, 16, 32)]
    scores = [np.zeros((n, 1), np.float32) for n in counts]
    boxes = [np.zeros((n, 4), np.float32) for n in counts]
    kps = [np.zeros((n, 10), np.float32) for n in counts]
    # stride 16, cell row 10 col 20, first anchor: centre (320, 160)
    i = (10 * 40 + 20) * 2
    scores[1][i, 0] = 0.95
    boxes[1][i] = [5, 6, 7, 8]
    kps[1][i] = [-2, -1, 2, -1, 0, 1, -1, 3, 1, 3]
    for name, group in (("score", scores), ("bbox", boxes), ("kps", kps)):
        for s, arr in zip((8, 16, 32), group):
            outputs.append(("%s_%d" % (name, s), arr))
    constant_model(path, "input", outputs)


def generate(out_dir):
    yolo_face(os.path.join(out_dir, "yoloface_8n.onnx"))
    retinaface(os.path.join(out_dir, "retinaface_10g.onnx"))
