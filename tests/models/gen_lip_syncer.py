"""Stand-in lip syncer and voice extractor models with FaceFusion's
contracts. Each output is a known function of the inputs, so a test can
predict what the processor must paste or reassemble.

Lip syncers (wav2lip: "source" [1,1,80,16] audio feature, "target"
[1,6,96,96] = BGR face with its lower half zeroed, then the whole BGR face;
output [1,3,96,96] BGR in [0, 1]):
- wav2lip_96.onnx, wav2lip_gan_96.onnx: the whole face back (target
  channels 3..5): an identity through the processor's warps.
- lip_wav2lip_probe.onnx: [target channel 3, 0, 0]: channel 3 must be the
  face's blue and output channel 0 is read as blue.
- lip_wav2lip_masked.onnx: target channels 0..2, the face with its lower
  half zeroed.
- lip_wav2lip_audio.onnx: every pixel mean(source) / 8 + 0.5, so the pasted
  level tells the audio feature the model got.
- lip_wav2lip_wrong.onnx: target [1,3,96,96]: fails the contract.
EDTalk (edtalk_256.onnx): inputs declared in the order weight [1], target
[1,3,256,256] RGB in [0, 1], source [1,1,80,16] (FaceFusion binds them by
name); output (1 − weight)·target + weight·(mean(source) / 8 + 0.5).

Voice extractors (MDX-Net: "input" [batch,4,3072,T] → "output", same shape):
- kim_vocal_1.onnx, kim_vocal_2.onnx, uvr_mdxnet.onnx (T = 256): identity.
- voice_gate_t256.onnx, voice_gate_t64.onnx (T = 64: several segments a
  chunk): x³ / (x² + 100), a soft gate that keeps strong bins and shrinks
  weak ones, so a wrong spectrogram scale or framing changes the result.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _save(nodes, inputs, outputs, inits, path):
    graph = helper.make_graph(nodes, "standin", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def _const(name, value):
    return numpy_helper.from_array(np.array(value, np.float32), name)


def _i64(name, values):
    return numpy_helper.from_array(np.array(values, np.int64), name)


def _source():
    return helper.make_tensor_value_info("source", TensorProto.FLOAT, [1, 1, 80, 16])


def _audio_level(nodes, inits):
    """nodes computing "level" = mean(source) / 8 + 0.5, shape [1,1,1,1]."""
    nodes += [helper.make_node("ReduceMean", ["source"], ["audio_mean"], keepdims=1),
              helper.make_node("Mul", ["audio_mean", "eighth"], ["audio_scaled"]),
              helper.make_node("Add", ["audio_scaled", "half"], ["level"])]
    inits += [_const("eighth", 0.125), _const("half", 0.5)]


def _channels(nodes, inits, first, last, name):
    """nodes slicing target channels [first, last) into name."""
    key = "%s_%d_%d" % (name, first, last)
    nodes.append(helper.make_node("Slice", ["target", key + "_s", key + "_e", key + "_a"], [name]))
    inits += [_i64(key + "_s", [first]), _i64(key + "_e", [last]), _i64(key + "_a", [1])]


def _uses_source(nodes, inits, value, out):
    """out = value + 0·mean(source), so the audio input is part of the graph."""
    nodes += [helper.make_node("ReduceMean", ["source"], ["unused_mean"], keepdims=1),
              helper.make_node("Mul", ["unused_mean", "zero"], ["unused_zero"]),
              helper.make_node("Add", [value, "unused_zero"], [out])]
    inits.append(_const("zero", 0.0))


def wav2lip(path, kind, channels=6):
    target = helper.make_tensor_value_info("target", TensorProto.FLOAT, [1, channels, 96, 96])
    output = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 96, 96])
    nodes, inits = [], []
    if kind == "identity" or kind == "wrong":
        _channels(nodes, inits, 3 if kind == "identity" else 0, 6 if kind == "identity" else 3, "face")
        _uses_source(nodes, inits, "face", "output")
    elif kind == "masked":
        _channels(nodes, inits, 0, 3, "face")
        _uses_source(nodes, inits, "face", "output")
    elif kind == "probe":
        _channels(nodes, inits, 3, 4, "blue")
        nodes += [helper.make_node("Mul", ["blue", "zero_p"], ["nothing"]),
                  helper.make_node("Concat", ["blue", "nothing", "nothing"], ["probe"], axis=1)]
        inits.append(_const("zero_p", 0.0))
        _uses_source(nodes, inits, "probe", "output")
    elif kind == "audio":
        _channels(nodes, inits, 3, 6, "face")
        _audio_level(nodes, inits)
        nodes += [helper.make_node("Mul", ["face", "zero_a"], ["blank"]),
                  helper.make_node("Add", ["blank", "level"], ["output"])]
        inits.append(_const("zero_a", 0.0))
    _save(nodes, [_source(), target], [output], inits, path)


def edtalk(path):
    weight = helper.make_tensor_value_info("weight", TensorProto.FLOAT, [1])
    target = helper.make_tensor_value_info("target", TensorProto.FLOAT, [1, 3, 256, 256])
    output = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, 256, 256])
    nodes, inits = [], []
    _audio_level(nodes, inits)
    nodes += [helper.make_node("Sub", ["one", "weight"], ["keep"]),
              helper.make_node("Mul", ["target", "keep"], ["kept"]),
              helper.make_node("Mul", ["level", "weight"], ["added"]),
              helper.make_node("Add", ["kept", "added"], ["output"])]
    inits.append(_const("one", 1.0))
    _save(nodes, [weight, target, _source()], [output], inits, path)


def voice(path, frames, kind):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 4, 3072, frames])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 4, 3072, frames])
    if kind == "identity":
        nodes, inits = [helper.make_node("Identity", ["input"], ["output"])], []
    else:
        nodes = [helper.make_node("Mul", ["input", "input"], ["square"]),
                 helper.make_node("Add", ["square", "floor"], ["denominator"]),
                 helper.make_node("Mul", ["square", "input"], ["cube"]),
                 helper.make_node("Div", ["cube", "denominator"], ["output"])]
        inits = [_const("floor", 100.0)]
    _save(nodes, [x], [y], inits, path)


def generate(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name in ("wav2lip_96.onnx", "wav2lip_gan_96.onnx"):
        wav2lip(os.path.join(out_dir, name), "identity")
    for kind in ("probe", "masked", "audio"):
        wav2lip(os.path.join(out_dir, "lip_wav2lip_%s.onnx" % kind), kind)
    wav2lip(os.path.join(out_dir, "lip_wav2lip_wrong.onnx"), "wrong", channels=3)
    edtalk(os.path.join(out_dir, "edtalk_256.onnx"))
    for name in ("kim_vocal_1.onnx", "kim_vocal_2.onnx", "uvr_mdxnet.onnx"):
        voice(os.path.join(out_dir, name), 256, "identity")
    voice(os.path.join(out_dir, "voice_gate_t256.onnx"), 256, "gate")
    voice(os.path.join(out_dir, "voice_gate_t64.onnx"), 64, "gate")


if __name__ == "__main__":
    import sys
    generate(sys.argv[1])
