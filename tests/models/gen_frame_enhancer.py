"""Stand-ins for FaceFusion's frame enhancers (real_esrgan_*), whose outputs
are exact nearest-neighbour upscalings of their inputs, so a test can tell
whether tiling and stitching put every pixel back where it belongs.

- real_esrgan_x4.onnx: input [1,3,H,W] with symbolic H and W (as the real
  model), output [1,3,4H,4W] = Resize(nearest, floor, asymmetric) ×4.
- real_esrgan_x2.onnx: input fixed at [1,3,256,256] (the model's tile size),
  output [1,3,512,512] = nearest ×2. ONNX Runtime rejects any other input
  shape, so a test passing through it proves every inference got one tile.
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


def _nearest(path, scale, in_dims, out_dims):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, in_dims)
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, out_dims)
    roi = numpy_helper.from_array(np.zeros(0, np.float32), "roi")
    scales = numpy_helper.from_array(np.array([1, 1, scale, scale], np.float32), "scales")
    node = helper.make_node("Resize", ["input", "roi", "scales"], ["output"], mode="nearest",
                            nearest_mode="floor", coordinate_transformation_mode="asymmetric")
    graph = helper.make_graph([node], "nearest_x%d" % scale, [x], [y], [roi, scales])
    _save(helper.make_model(graph), path)


def generate(out_dir):
    _nearest(os.path.join(out_dir, "real_esrgan_x4.onnx"), 4, [1, 3, "height", "width"],
             [1, 3, "out_height", "out_width"])
    _nearest(os.path.join(out_dir, "real_esrgan_x2.onnx"), 2, [1, 3, 256, 256], [1, 3, 512, 512])
