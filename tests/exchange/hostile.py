"""Hostile ONNX files, made and opened in a memory-capped child (see tests/capped.py).

:func:`open_all` writes each kind of bad file into a folder, opens each with
``pg.from_onnx`` and records how it ended; :func:`flip_bits` opens copies of a real model
with single bits flipped. Both write their findings to ``outcomes.json`` in the folder,
for the test in the parent to read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import pathgrad as pg

HERE = Path(__file__).parent
MLP = HERE / "models" / "mlp.onnx"
X = {"x": [[0.1, -0.2, 0.3, 0.4]]}


def _model(nodes, inputs, outputs, initializers=(), **kwargs):
    graph = helper.make_graph(nodes, "hostile", inputs, outputs, initializer=list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=10,
                             **kwargs)


def _double(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.DOUBLE, shape)


def _tensor(name: str, dims, raw: bytes = b"") -> TensorProto:
    """A float64 tensor declaring ``dims``, holding ``raw`` (whatever its shape says)."""
    tensor = TensorProto(name=name, data_type=TensorProto.DOUBLE, dims=list(dims))
    tensor.raw_data = raw
    return tensor


def _external(folder: Path, location: str, length: int, offset: int = 0,
              dims=(2, 2)) -> onnx.ModelProto:
    """``y = x @ w`` with ``w`` kept in the external file ``location``."""
    w = _tensor("w", dims)
    w.ClearField("raw_data")
    w.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", str(offset)),
                       ("length", str(length))):
        entry = w.external_data.add()
        entry.key, entry.value = key, value
    return _model([helper.make_node("MatMul", ["x", "w"], ["y"])], [_double("x", [1, dims[0]])],
                  [_double("y", [1, dims[1]])], [w])


def _cases(folder: Path) -> dict[str, tuple[object, dict]]:
    """Each hostile model by name: what from_onnx is given, and the keyword arguments."""
    good = MLP.read_bytes()
    cases: dict[str, tuple[object, dict]] = {}

    (folder / "truncated.onnx").write_bytes(good[: len(good) // 2])
    cases["truncated"] = (folder / "truncated.onnx", {})
    (folder / "text.onnx").write_text("name: not a model\n")
    cases["text"] = (folder / "text.onnx", {})
    (folder / "empty.onnx").write_bytes(b"")
    cases["empty"] = (folder / "empty.onnx", {})
    cases["too large"] = (MLP, {"max_bytes": 1000})

    # A shape that lies about its data: 10^12 numbers declared, 8 bytes given.
    giant = _tensor("w", [10**6, 10**6], b"\0" * 8)
    cases["giant initializer"] = (_model(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], [_double("x", [1, 10**6])],
        [_double("y", [1, 10**6])], [giant]), {})
    small_lie = _tensor("w", [3, 3], b"\0" * 8 * 4)
    cases["lying initializer"] = (_model(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], [_double("x", [1, 3])],
        [_double("y", [1, 3])], [small_lie]), {})
    constant = _tensor("c", [10**5, 10**5], b"\0" * 8)
    cases["giant constant"] = (_model(
        [helper.make_node("Constant", [], ["c"], value=constant),
         helper.make_node("Add", ["x", "c"], ["y"])], [_double("x", [1, 1])],
        [_double("y", [10**5, 10**5])]), {})
    # A declared output shape that disagrees with what the operators compute.
    lying = onnx.load(MLP)
    lying.graph.output[0].type.tensor_type.shape.dim[1].dim_value = 30
    cases["lying output shape"] = (lying, {})
    # A graph too large to build: a 3x3 convolution over a 1500x1500 image.
    kernel = numpy_helper.from_array(np.ones((1, 1, 3, 3)), "k")
    cases["too many nodes"] = (_model(
        [helper.make_node("Conv", ["x", "k"], ["y"], pads=[1, 1, 1, 1])],
        [_double("x", [1, 1, 1500, 1500])], [_double("y", [1, 1, 1500, 1500])], [kernel]),
        {"inputs": {"x": np.zeros((1, 1, 1500, 1500))}})

    # External data: outside the folder, absolute, through a link, lying, too large.
    inside = folder / "model"
    inside.mkdir()
    (folder / "secret.bin").write_bytes(np.arange(4.0).tobytes())
    (inside / "w.bin").write_bytes(np.arange(4.0).tobytes())
    os.symlink(folder / "secret.bin", inside / "link.bin")
    for name, location, length, *offset in (("external ../", "../secret.bin", 32),
                                   ("external absolute", str(folder / "secret.bin"), 32),
                                   ("external link", "link.bin", 32),
                                   ("external lying length", "w.bin", 64),
                                   ("external past the end", "w.bin", 32, 16),
                                   ("external good", "w.bin", 32)):
        path = inside / f"{name.replace(' ', '_').replace('/', '')}.onnx"
        path.write_bytes(_external(folder, location, length, *offset).SerializeToString())
        cases[name] = (path, {"inputs": {"x": [[1.0, 2.0]]}, "cost": "sum"})
    big = inside / "big.onnx"
    big.write_bytes(_external(folder, "huge.bin", 8 * 4096 * 4096,
                              dims=(4096, 4096)).SerializeToString())
    with open(inside / "huge.bin", "wb") as handle:  # sparse: no disk used
        handle.truncate(8 * 4096 * 4096)
    cases["external too large"] = (big, {"inputs": {"x": np.zeros((1, 4096))}, "cost": "sum",
                                         "max_bytes": 2**26})
    cases["external bytes"] = (_external(folder, "w.bin", 32),
                               {"inputs": {"x": [[1.0, 2.0]]}, "cost": "sum"})

    # Operators pathgrad does not run: a foreign domain, a model's own function.
    foreign = _model([helper.make_node("Mystery", ["x"], ["y"], domain="com.example")],
                     [_double("x", [1, 2])], [_double("y", [1, 2])])
    foreign.opset_import.append(helper.make_opsetid("com.example", 1))
    cases["foreign domain"] = (foreign, {"inputs": {"x": [[1.0, 2.0]]}})
    function = helper.make_function("local", "Twice", ["a"], ["b"],
                                    [helper.make_node("Add", ["a", "a"], ["b"])],
                                    [helper.make_opsetid("", 18)])
    with_function = _model([helper.make_node("Twice", ["x"], ["y"], domain="local")],
                           [_double("x", [1, 2])], [_double("y", [1, 2])],
                           functions=[function])
    with_function.opset_import.append(helper.make_opsetid("local", 1))
    cases["local function"] = (with_function, {"inputs": {"x": [[1.0, 2.0]]}})
    return cases


def _open(model: object, kwargs: dict) -> str:
    kwargs = dict(kwargs)
    inputs = kwargs.pop("inputs", X)
    if kwargs.pop("cost", None) == "sum":
        kwargs["cost"] = lambda out: sum(out[1:], out[0])
    else:
        kwargs.setdefault("target", 0)
    try:
        graph = pg.from_onnx(model, inputs, **kwargs)
    except pg.PathgradError as error:
        return f"{type(error).__name__}: {error}"
    except Exception as error:  # what the test must never see
        return f"UNEXPECTED {type(error).__name__}: {error}"
    return f"ok: {graph!r}"


def open_all(folder: str) -> None:
    """Open every hostile case; write {case: outcome} to ``folder/outcomes.json``."""
    outcomes = {name: _open(model, kwargs) for name, (model, kwargs) in
                _cases(Path(folder)).items()}
    (Path(folder) / "outcomes.json").write_text(json.dumps(outcomes))


def flip_bits(folder: str, flips: int, seed: int) -> None:
    """Open ``flips`` copies of the PyTorch MLP, each with one random bit flipped; write the
    count of each outcome (``ok``, or the error's class) to ``folder/outcomes.json``."""
    good = bytearray(MLP.read_bytes())
    rng = np.random.default_rng(seed)
    counts: dict[str, int] = {}
    for bit in rng.choice(8 * len(good), size=flips, replace=False):
        damaged = bytearray(good)
        damaged[bit // 8] ^= 1 << (bit % 8)
        outcome = _open(bytes(damaged), {"target": 0}).split(":")[0]
        counts[outcome] = counts.get(outcome, 0) + 1
    (Path(folder) / "outcomes.json").write_text(json.dumps(counts))
