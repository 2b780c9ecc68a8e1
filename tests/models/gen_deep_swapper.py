"""Stand-in DeepFaceLive (.dfm) models with the contract of the real
exports FaceFusion's deep_swapper runs: input "in_face:0" [N,S,S,3] (NHWC,
BGR in [0, 1], N symbolic as tf2onnx writes it), optionally "morph_value:0"
[1]; three outputs in this order: "out_face_mask:0" [N,S,S,1] (the target
face's mask), "out_celeb_face:0" [N,S,S,3] (the swapped face, BGR in
[0, 1]) and "out_celeb_face_mask:0" [N,S,S,1] (the source face's mask).

- iperov/elon_musk_224.dfm (S 224, with morph): face = the input, target
  mask = 1, source mask = the morph value: what the swapper pastes through
  is morph/100, which a test can read.
- iperov/jason_statham_320.dfm (S 320, no morph input): face = the input,
  target mask = the input's first (blue) channel, source mask = 1: shows
  the BGR order of the input.
- custom/my_model.dfm (S 256, no morph): face = the input, masks 1; a
  user's own model in the cache's custom/ folder.
- custom/invert_224.dfm (S 224, no morph): face = 1 - the input, masks 1:
  a swap that visibly changes the face, to see where the masks let it in.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _save(model, path):
    model.opset_import[0].version = 13
    model.ir_version = 7
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    onnx.save(model, path)


def dfm(path, size, morph, target_mask_from_blue=False, invert=False):
    face = helper.make_tensor_value_info("in_face:0", TensorProto.FLOAT, ["unk__batch", size, size, 3])
    inputs = [face]
    if morph:
        inputs.append(helper.make_tensor_value_info("morph_value:0", TensorProto.FLOAT, [1]))
    outputs = [helper.make_tensor_value_info("out_face_mask:0", TensorProto.FLOAT, ["unk__batch", size, size, 1]),
               helper.make_tensor_value_info("out_celeb_face:0", TensorProto.FLOAT, ["unk__batch", size, size, 3]),
               helper.make_tensor_value_info("out_celeb_face_mask:0", TensorProto.FLOAT, ["unk__batch", size, size, 1])]
    nodes = [helper.make_node("Slice", ["in_face:0", "starts", "ends", "axes"], ["blue"]),
             helper.make_node("Mul", ["blue", "zero"], ["zeros"]),
             helper.make_node("Add", ["zeros", "one"], ["ones"]),
             helper.make_node("Sub", ["one", "in_face:0"], ["out_celeb_face:0"]) if invert
             else helper.make_node("Identity", ["in_face:0"], ["out_celeb_face:0"])]
    nodes.append(helper.make_node("Identity", ["blue" if target_mask_from_blue else "ones"], ["out_face_mask:0"]))
    if morph:
        nodes.append(helper.make_node("Add", ["zeros", "morph_value:0"], ["out_celeb_face_mask:0"]))
    else:
        nodes.append(helper.make_node("Identity", ["ones"], ["out_celeb_face_mask:0"]))
    inits = [numpy_helper.from_array(np.array([0], np.int64), "starts"),
             numpy_helper.from_array(np.array([1], np.int64), "ends"),
             numpy_helper.from_array(np.array([3], np.int64), "axes"),
             numpy_helper.from_array(np.array(0, np.float32), "zero"),
             numpy_helper.from_array(np.array(1, np.float32), "one")]
    graph = helper.make_graph(nodes, "dfm_standin", inputs, outputs, inits)
    _save(helper.make_model(graph), path)


def generate(out_dir):
    dfm(os.path.join(out_dir, "iperov", "elon_musk_224.dfm"), 224, morph=True)
    dfm(os.path.join(out_dir, "iperov", "jason_statham_320.dfm"), 320, morph=False, target_mask_from_blue=True)
    dfm(os.path.join(out_dir, "custom", "my_model.dfm"), 256, morph=False)
    dfm(os.path.join(out_dir, "custom", "invert_224.dfm"), 224, morph=False, invert=True)


if __name__ == "__main__":
    import sys
    generate(sys.argv[1])
