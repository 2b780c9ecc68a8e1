#!/usr/bin/python3
"""FLOP-matched stand-ins for LivePortrait's three heavy models, for
bench_live_portrait --flops (never used by the tests).

Usage: live_portrait_flops.py OUT_DIR

Each file has the real model's contract (names, ranks, shapes) and about the
real network's multiply-accumulates, counted by hand from KwaiVGI's
LivePortrait (src/config/models.yaml and src/modules/*.py):
- feature extractor (F): conv 3->64 @256^2, DownBlock 64->128 @256^2,
  DownBlock 128->256 @128^2, 1x1 256->512 @64^2, 6 ResBlock3d(32) on
  16x64x64 (12 conv3d k3): about 32 GMAC.
- motion extractor (M): ConvNeXtV2-tiny at 256^2: 4.47 GMAC at 224^2 x
  (256/224)^2 = about 5.8 GMAC.
- generator = warping module (W: dense-motion hourglass 95 GMAC, its 7^3
  mask conv 70 GMAC, the 512->256 and 256->256 convs 5 GMAC: about 171) +
  SPADE decoder (G: fc 4.8, six 512-channel SPADE blocks at 64^2 188, up_0
  at 128^2 94, up_1 at 256^2 158: about 446): about 617 GMAC.
The bodies are chains of 3x3 convolutions (weights shared along a chain, so
the files stay small) with instance norm and ReLU, at the resolutions where
the real networks spend their work: 256^2/128^2/64^2 for F, 64^2 for M,
64^2/128^2/256^2 for the generator. 3-D convolutions are replaced by 2-D
ones of the same MAC count (ONNX Runtime's CPU 3-D convolution would need
gigabytes of im2col buffer for the 7^3 kernel). The outputs are not
LivePortrait's: only the cost is.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)


class Graph:
    def __init__(self):
        self.nodes, self.inits, self.n, self.macs = [], [], 0, 0

    def name(self, stem):
        self.n += 1
        return "%s_%d" % (stem, self.n)

    def const(self, value, dtype=np.float32):
        name = self.name("c")
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype), name))
        return name

    def weight(self, cout, cin, k):
        w = rng.standard_normal((cout, cin, k, k)).astype(np.float32) * np.sqrt(2.0 / (cin * k * k))
        return self.const(w)

    def conv(self, x, w, cin, cout, k, hw, stride=1, norm=True):
        """x: [1,cin,H,W] -> [1,cout,H/stride,W/stride]; hw = output side."""
        y = self.name("conv")
        self.nodes.append(helper.make_node("Conv", [x, w], [y], kernel_shape=[k, k], strides=[stride, stride],
                                           pads=[k // 2 if stride == 1 else 0] * 4))
        self.macs += hw * hw * cin * cout * k * k
        if not norm:
            return y
        n = self.name("norm")
        self.nodes.append(helper.make_node("InstanceNormalization", [y, self.const(np.ones(cout)),
                                                                      self.const(np.zeros(cout))], [n]))
        r = self.name("relu")
        self.nodes.append(helper.make_node("Relu", [n], [r]))
        return r

    def chain(self, x, c, hw, count):
        w = self.weight(c, c, 3)
        for _ in range(count):
            x = self.conv(x, w, c, c, 3, hw)
        return x

    def op(self, kind, inputs, **attrs):
        y = self.name(kind.lower())
        self.nodes.append(helper.make_node(kind, inputs, [y], **attrs))
        return y

    def save(self, inputs, outputs, path, label):
        model = helper.make_model(helper.make_graph(self.nodes, label, inputs, outputs, self.inits))
        model.opset_import[0].version = 13
        model.ir_version = 7
        onnx.checker.check_model(model)
        onnx.save(model, path)
        print("%-40s %6.1f GMAC" % (os.path.basename(path), self.macs / 1e9))


def pool(g, x):
    return g.op("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2])


def feature_extractor(path):
    g = Graph()
    x = g.conv("input", g.weight(64, 3, 3), 3, 64, 3, 256)
    x = pool(g, g.conv(x, g.weight(128, 64, 3), 64, 128, 3, 256))
    x = pool(g, g.conv(x, g.weight(256, 128, 3), 128, 256, 3, 128))
    x = g.conv(x, g.weight(512, 256, 1), 256, 512, 1, 64)
    x = g.chain(x, 512, 64, 2)                                  # 19.3 of the 3-D blocks' 21.7 GMAC
    x = g.conv(x, g.weight(128, 512, 3), 512, 128, 3, 64)       # 2.4
    x = g.conv(x, g.weight(512, 128, 1), 128, 512, 1, 64, norm=False)
    g.op("Reshape", [x, g.const([1, 32, 16, 64, 64], np.int64)])
    g.nodes[-1].output[0] = "output"
    g.save([helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 256, 256])],
           [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 32, 16, 64, 64])], path, "lp_f_flops")


def motion_extractor(path):
    g = Graph()
    x = g.conv("input", g.weight(96, 3, 4), 3, 96, 4, 64, stride=4)
    x = g.chain(x, 96, 64, 17)
    x = g.op("GlobalAveragePool", [x])
    x = g.op("Flatten", [x])
    x = g.op("Gemm", [x, g.const(rng.standard_normal((96, 133)).astype(np.float32) * 0.01)])
    names = ["pitch", "yaw", "roll", "scale", "translation", "expression", "motion_points"]
    sizes = [1, 1, 1, 1, 3, 63, 63]
    shapes = [[], [], [], [1, 1], [1, 3], [1, 21, 3], [1, 21, 3]]
    parts = [g.name("part") for _ in names]
    g.nodes.append(helper.make_node("Split", [x, g.const(sizes, np.int64)], parts, axis=1))
    outs = []
    for part, name, shape in zip(parts, names, shapes):
        g.nodes.append(helper.make_node("Reshape", [part, g.const(shape, np.int64)], [name]))
        outs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, shape))
    g.save([helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 256, 256])], outs, path, "lp_m_flops")


def generator(path):
    g = Graph()
    x = g.op("Reshape", ["feature_volume", g.const([1, 512, 64, 64], np.int64)])
    motion = g.op("ReduceMean", [g.op("Sub", ["source", "target"])], keepdims=0)
    x = g.op("Add", [x, g.op("Mul", [motion, g.const(0.0)])])
    x = g.chain(x, 512, 64, 38)                                  # W + fc + G_middle: 367 GMAC
    x = g.conv(x, g.weight(256, 512, 1), 512, 256, 1, 64)
    x = g.op("Resize", [x, "", g.const([1, 1, 2, 2])], mode="nearest")
    x = g.chain(x, 256, 128, 10)                                 # up_0: 97 GMAC
    x = g.conv(x, g.weight(128, 256, 1), 256, 128, 1, 128)
    x = g.op("Resize", [x, "", g.const([1, 1, 2, 2])], mode="nearest")
    x = g.chain(x, 128, 256, 16)                                 # up_1: 155 GMAC
    x = g.conv(x, g.weight(12, 128, 3), 128, 12, 3, 256, norm=False)
    x = g.op("DepthToSpace", [x], blocksize=2, mode="CRD")
    g.op("Sigmoid", [x])
    g.nodes[-1].output[0] = "output"
    g.save([helper.make_tensor_value_info("feature_volume", TensorProto.FLOAT, [1, 32, 16, 64, 64]),
            helper.make_tensor_value_info("source", TensorProto.FLOAT, [1, 21, 3]),
            helper.make_tensor_value_info("target", TensorProto.FLOAT, [1, 21, 3])],
           [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 512, 512])], path, "lp_g_flops")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    feature_extractor(os.path.join(out, "live_portrait_feature_extractor.onnx"))
    motion_extractor(os.path.join(out, "live_portrait_motion_extractor.onnx"))
    generator(os.path.join(out, "live_portrait_generator.onnx"))


if __name__ == "__main__":
    main()
