"""Stand-in LivePortrait models with FaceFusion's contracts (models-3.0.0,
live_portrait_*.onnx), whose outputs are known functions of their inputs.

- live_portrait_feature_extractor.onnx: "input" [1,3,256,256] -> [1,32,16,64,64]:
  the image itself, rearranged 4x4 space-to-depth into the first 48 of the
  512 (32x16) channels, zeros after; the generator can give it back.
- live_portrait_motion_extractor.onnx: "input" [1,3,256,256] -> pitch, yaw,
  roll (rank 0), scale [1,1], translation [1,3], expression [1,21,3],
  motion_points [1,21,3]. With m = the mean of each channel (R, G, B):
  pitch = 60 (mR - 0.5), yaw = 120 (mG - 0.5), roll = 40 (mB - 0.5),
  scale = 0.5 + mG, translation = 0.1 (m - 0.5),
  expression = EXPRESSION_PATTERN * (mR - mB), motion_points = POINTS_PATTERN
  (expression_pattern() and points_pattern() below; neither is centred, so
  a change of expression or pose moves the keypoints' mean).
- live_portrait_eye_retargeter.onnx: "input" [1,66] -> [1,63]:
  out[0..2] = in[63..65] (left ratio, right ratio, goal), out[j] = 0.5 in[j] after.
- live_portrait_lip_retargeter.onnx: "input" [1,65] -> [1,63]:
  out[0..1] = in[63..64] (lip ratio, goal), out[j] = 0.25 in[j] after.
- live_portrait_stitcher.onnx: inputs declared "target" then "source" (so a
  positional binding would swap them) [1,21,3] -> source + 0.1 (target - source).
- live_portrait_generator.onnx: inputs declared "source", "target",
  "feature_volume" (so a positional binding fails) -> [1,3,512,512]: the
  extractor's image back (depth-to-space, then 2x bilinear, half-pixel),
  plus SHIFT * mean over keypoints of (source - target) per axis x, y, z on
  R, G, B. Equal source and target give the crop back.
- broken/live_portrait_generator_unnamed.onnx: the generator with inputs
  named input_0..2 (FaceFusion binds them by name: must be refused).
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SHIFT = 10.0


def expression_pattern():
    k = np.arange(21).reshape(21, 1)
    a = np.arange(3).reshape(1, 3)
    return (0.01 + 0.03 * (((k * 7 + a * 3) % 11) - 5) / 5.0).reshape(1, 21, 3).astype(np.float32)


def points_pattern():
    k = np.arange(21)
    t = 2 * np.pi * k / 21
    p = np.stack([0.1 + 0.3 * np.cos(t), 0.05 + 0.3 * np.sin(t), 0.02 + 0.05 * ((k % 3) - 1)], axis=1)
    return p.reshape(1, 21, 3).astype(np.float32)


def _save(model, path):
    model.opset_import[0].version = 13
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def _const(name, value, dtype=np.float32):
    return numpy_helper.from_array(np.array(value, dtype), name)


def feature_extractor(path):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 256, 256])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 32, 16, 64, 64])
    nodes = [helper.make_node("SpaceToDepth", ["input"], ["s2d"], blocksize=4),
             helper.make_node("Pad", ["s2d", "pads"], ["padded"]),
             helper.make_node("Reshape", ["padded", "shape"], ["output"])]
    inits = [_const("pads", [0, 0, 0, 0, 0, 512 - 48, 0, 0], np.int64), _const("shape", [1, 32, 16, 64, 64], np.int64)]
    _save(helper.make_model(helper.make_graph(nodes, "lp_feature_standin", [x], [y], inits)), path)


def motion_extractor(path):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 256, 256])
    outs = [helper.make_tensor_value_info("pitch", TensorProto.FLOAT, []),
            helper.make_tensor_value_info("yaw", TensorProto.FLOAT, []),
            helper.make_tensor_value_info("roll", TensorProto.FLOAT, []),
            helper.make_tensor_value_info("scale", TensorProto.FLOAT, [1, 1]),
            helper.make_tensor_value_info("translation", TensorProto.FLOAT, [1, 3]),
            helper.make_tensor_value_info("expression", TensorProto.FLOAT, [1, 21, 3]),
            helper.make_tensor_value_info("motion_points", TensorProto.FLOAT, [1, 21, 3])]
    nodes = [helper.make_node("ReduceMean", ["input"], ["m"], axes=[2, 3], keepdims=0),  # [1,3]
             helper.make_node("Reshape", ["m", "flat"], ["m3"]),
             helper.make_node("Gather", ["m3", "i0"], ["r"]),
             helper.make_node("Gather", ["m3", "i1"], ["g"]),
             helper.make_node("Gather", ["m3", "i2"], ["b"]),
             helper.make_node("Sub", ["r", "half"], ["r_c"]),
             helper.make_node("Sub", ["g", "half"], ["g_c"]),
             helper.make_node("Sub", ["b", "half"], ["b_c"]),
             helper.make_node("Mul", ["r_c", "k_pitch"], ["pitch"]),
             helper.make_node("Mul", ["g_c", "k_yaw"], ["yaw"]),
             helper.make_node("Mul", ["b_c", "k_roll"], ["roll"]),
             helper.make_node("Add", ["g", "half"], ["scale0"]),
             helper.make_node("Reshape", ["scale0", "one_one"], ["scale"]),
             helper.make_node("Sub", ["m", "half"], ["m_c"]),
             helper.make_node("Mul", ["m_c", "tenth"], ["translation"]),
             helper.make_node("Sub", ["r", "b"], ["rb"]),
             helper.make_node("Mul", ["pattern", "rb"], ["expression"]),
             helper.make_node("Mul", ["r", "zero"], ["r0"]),
             helper.make_node("Add", ["points", "r0"], ["motion_points"])]
    inits = [_const("flat", [3], np.int64), _const("i0", 0, np.int64), _const("i1", 1, np.int64),
             _const("i2", 2, np.int64), _const("half", 0.5), _const("k_pitch", 60.0), _const("k_yaw", 120.0),
             _const("k_roll", 40.0), _const("one_one", [1, 1], np.int64), _const("tenth", 0.1), _const("zero", 0.0),
             numpy_helper.from_array(expression_pattern(), "pattern"),
             numpy_helper.from_array(points_pattern(), "points")]
    _save(helper.make_model(helper.make_graph(nodes, "lp_motion_standin", [x], outs, inits)), path)


def retargeter(path, n_in, n_extra, echo):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, n_in])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 63])
    w = np.zeros((n_in, 63), np.float32)
    for i in range(n_extra):
        w[63 + i, i] = 1.0
    for j in range(n_extra, 63):
        w[j, j] = echo
    nodes = [helper.make_node("MatMul", ["input", "w"], ["output"])]
    _save(helper.make_model(helper.make_graph(nodes, "lp_retargeter_standin", [x], [y],
                                              [numpy_helper.from_array(w, "w")])), path)


def stitcher(path):
    t = helper.make_tensor_value_info("target", TensorProto.FLOAT, [1, 21, 3])
    s = helper.make_tensor_value_info("source", TensorProto.FLOAT, [1, 21, 3])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 21, 3])
    nodes = [helper.make_node("Sub", ["target", "source"], ["d"]),
             helper.make_node("Mul", ["d", "tenth"], ["d10"]),
             helper.make_node("Add", ["source", "d10"], ["output"])]
    _save(helper.make_model(helper.make_graph(nodes, "lp_stitcher_standin", [t, s], [y], [_const("tenth", 0.1)])),
          path)


def generator(path, names=("feature_volume", "source", "target")):
    fv, src, tgt = names
    inputs = [helper.make_tensor_value_info(src, TensorProto.FLOAT, [1, 21, 3]),
              helper.make_tensor_value_info(tgt, TensorProto.FLOAT, [1, 21, 3]),
              helper.make_tensor_value_info(fv, TensorProto.FLOAT, [1, 32, 16, 64, 64])]
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 512, 512])
    nodes = [helper.make_node("Reshape", [fv, "planes"], ["fv2"]),
             helper.make_node("Slice", ["fv2", "starts", "ends", "axes"], ["s2d"]),
             helper.make_node("DepthToSpace", ["s2d"], ["image"], blocksize=4, mode="DCR"),
             helper.make_node("Resize", ["image", "", "scales"], ["big"], mode="linear",
                              coordinate_transformation_mode="half_pixel"),
             helper.make_node("Sub", [src, tgt], ["d"]),
             helper.make_node("ReduceMean", ["d"], ["dm"], axes=[1], keepdims=0),  # [1,3]
             helper.make_node("Reshape", ["dm", "rgb"], ["dm4"]),
             helper.make_node("Mul", ["dm4", "k"], ["shift"]),
             helper.make_node("Add", ["big", "shift"], ["output"])]
    inits = [_const("planes", [1, 512, 64, 64], np.int64), _const("starts", [0], np.int64),
             _const("ends", [48], np.int64), _const("axes", [1], np.int64), _const("scales", [1, 1, 2, 2]),
             _const("rgb", [1, 3, 1, 1], np.int64), _const("k", SHIFT)]
    _save(helper.make_model(helper.make_graph(nodes, "lp_generator_standin", inputs, [y], inits)), path)


def generate(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    feature_extractor(os.path.join(out_dir, "live_portrait_feature_extractor.onnx"))
    motion_extractor(os.path.join(out_dir, "live_portrait_motion_extractor.onnx"))
    retargeter(os.path.join(out_dir, "live_portrait_eye_retargeter.onnx"), 66, 3, 0.5)
    retargeter(os.path.join(out_dir, "live_portrait_lip_retargeter.onnx"), 65, 2, 0.25)
    stitcher(os.path.join(out_dir, "live_portrait_stitcher.onnx"))
    generator(os.path.join(out_dir, "live_portrait_generator.onnx"))
    bad = os.path.join(out_dir, "broken")
    os.makedirs(bad, exist_ok=True)
    generator(os.path.join(bad, "live_portrait_generator_unnamed.onnx"), ("input_0", "input_1", "input_2"))


if __name__ == "__main__":
    import sys
    generate(sys.argv[1])
