"""A stand-in FairFace classifier, in the test model cache (for processors
that need each face's age: age_modifier's fran) and in its own model
directory (classifier/, with scrfd linked beside it): the real contract (1x3x224x224 in; race,
gender and age ids out, int64, in that order) with constant ids, race 4
(East Asian, merged to "asian"), gender 1 (female) and age bucket 4 (30-39),
so tests can follow the ids through facefuse's categories and filters.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "models"))


def fairface(path):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 224, 224])
    names = ("race_id", "gender_id", "age_id")
    values = (4, 1, 4)
    nodes = [helper.make_node("ReduceMean", ["input"], ["m"], keepdims=0),
             helper.make_node("Mul", ["m", "zero"], ["z"]),
             helper.make_node("Cast", ["z"], ["zi"], to=TensorProto.INT64),
             helper.make_node("Reshape", ["zi", "one"], ["z1"])]
    inits = [numpy_helper.from_array(np.zeros((), np.float32), "zero"),
             numpy_helper.from_array(np.array([1], np.int64), "one")]
    outs = []
    for name, value in zip(names, values):
        inits.append(numpy_helper.from_array(np.array([value], np.int64), name + "_c"))
        nodes.append(helper.make_node("Add", [name + "_c", "z1"], [name]))
        outs.append(helper.make_tensor_value_info(name, TensorProto.INT64, [1]))
    graph = helper.make_graph(nodes, "fairface_standin", [x], outs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def generate(out_dir):
    d = os.path.join(out_dir, "classifier")
    os.makedirs(d, exist_ok=True)
    link = os.path.join(d, "scrfd_2.5g.onnx")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(os.path.join(SHARED, "scrfd_2.5g_bnkps.onnx"), link)
    fairface(os.path.join(d, "fairface.onnx"))
    fairface(os.path.join(out_dir, "fairface.onnx"))
