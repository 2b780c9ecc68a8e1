"""Stand-in age modifier models with FaceFusion 3.8.1's contracts; inputs
are bound by name, so the stand-ins list them in an order a by-position
binding would get wrong.

- fran.onnx: inputs "direction" [2] and "target" [1,3,1024,1024] (RGB/255);
  output [1,3,1024,1024] = target + (direction[1] - direction[0]): the crop
  comes back unchanged at direction 0 and brighter by (new age - age)/100
  otherwise, so a test reads the direction pair off the pasted face.
- styleganex_age.onnx: inputs "direction" (a scalar, as FaceFusion feeds a
  0-d array), "target" [1,3,256,256] and "target_with_background"
  [1,3,384,384] ((x/255 - 0.5)/0.5); output [1,3,1536,1536] (the real
  model's 4x of the background crop) = the background crop enlarged 4x
  (bilinear) + direction + 0 * mean(target).
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


def fran(path):
    d = helper.make_tensor_value_info("direction", TensorProto.FLOAT, [2])
    x = helper.make_tensor_value_info("target", TensorProto.FLOAT, [1, 3, 1024, 1024])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 1024, 1024])
    nodes = [helper.make_node("Gather", ["direction", "i0"], ["d0"], axis=0),
             helper.make_node("Gather", ["direction", "i1"], ["d1"], axis=0),
             helper.make_node("Sub", ["d1", "d0"], ["delta"]),
             helper.make_node("Add", ["target", "delta"], ["output"])]
    inits = [numpy_helper.from_array(np.array(0, np.int64), "i0"), numpy_helper.from_array(np.array(1, np.int64), "i1")]
    _save(helper.make_model(helper.make_graph(nodes, "fran_standin", [d, x], [y], inits)), path)


def styleganex_age(path):
    d = helper.make_tensor_value_info("direction", TensorProto.FLOAT, [])
    x = helper.make_tensor_value_info("target", TensorProto.FLOAT, [1, 3, 256, 256])
    b = helper.make_tensor_value_info("target_with_background", TensorProto.FLOAT, [1, 3, 384, 384])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 1536, 1536])
    nodes = [helper.make_node("Resize", ["target_with_background", "", "scales"], ["big"], mode="linear",
                              coordinate_transformation_mode="half_pixel"),
             helper.make_node("ReduceMean", ["target"], ["mean"], axes=[1, 2, 3], keepdims=1),
             helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
             helper.make_node("Add", ["big", "direction"], ["shifted"]),
             helper.make_node("Add", ["shifted", "nothing"], ["output"])]
    inits = [numpy_helper.from_array(np.array([1, 1, 4, 4], np.float32), "scales"),
             numpy_helper.from_array(np.array(0, np.float32), "zero")]
    _save(helper.make_model(helper.make_graph(nodes, "styleganex_age_standin", [d, x, b], [y], inits)), path)


def generate(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    fran(os.path.join(out_dir, "fran.onnx"))
    styleganex_age(os.path.join(out_dir, "styleganex_age.onnx"))


if __name__ == "__main__":
    import sys
    generate(sys.argv[1])
