"""ONNX model files read as data, and checked before anything is built from them.

An ONNX model is a protocol-buffer message: a graph of operator nodes, the tensors of its
parameters (*initializers*) and, for a large model, *external data*: the parameters' bytes in
other files named by the model. Everything a file says is checked against what it is before
it is trusted, as for every file pathgrad reads (:mod:`pathgrad.book.files`):

* the file's size against ``max_bytes`` before it is parsed;
* a message that does not parse, or that ONNX's own checker rejects, is a
  :class:`~pathgrad.book.files.DamagedFileError` that says so;
* every tensor's declared shape against the bytes that hold it (a shape that lies about its
  data is refused), and the total size of the parameters, as float64, against ``max_bytes``;
* external data only from files inside the model's own folder (never ``../`` or an absolute
  path elsewhere, never through a symbolic link that leaves it), and only the bytes the
  tensor declares;
* operators from domains other than the standard ones (``ai.onnx`` and ``ai.onnx.ml``) and
  model-local functions are refused: pathgrad runs only the operators it knows.

Nothing is executed and nothing is unpickled: an ONNX file is data.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..book.files import DamagedFileError
from ..support.errors import PathgradFileNotFoundError, PathgradTypeError
from ..support.limits import DEFAULT_MAX_BYTES, check_limit, size_text
from .optional_onnx import numpy_helper, onnx, require_onnx

#: The operator domains pathgrad reads ("" is ai.onnx's own name).
KNOWN_DOMAINS = ("", "ai.onnx", "ai.onnx.ml")


@dataclass(frozen=True)
class DataType:
    """An ONNX tensor element type: its numpy type as stored, and the protobuf field that
    holds its numbers when they are not raw bytes."""

    name: str
    stored: str
    field: str

    @property
    def is_float(self) -> bool:
        return self.stored.startswith("<f")

    @property
    def itemsize(self) -> int:
        return np.dtype(self.stored).itemsize


#: The element types pathgrad reads, by ONNX's number (TensorProto.DataType).
DATA_TYPES: dict[int, DataType] = {
    1: DataType("float", "<f4", "float_data"),
    2: DataType("uint8", "<u1", "int32_data"),
    3: DataType("int8", "<i1", "int32_data"),
    4: DataType("uint16", "<u2", "int32_data"),
    5: DataType("int16", "<i2", "int32_data"),
    6: DataType("int32", "<i4", "int32_data"),
    7: DataType("int64", "<i8", "int64_data"),
    9: DataType("bool", "|b1", "int32_data"),
    10: DataType("float16", "<f2", "int32_data"),
    11: DataType("double", "<f8", "double_data"),
    12: DataType("uint32", "<u4", "uint64_data"),
    13: DataType("uint64", "<u8", "uint64_data"),
}


def data_type(number: int, what: str) -> DataType:
    """The :class:`DataType` of ONNX's element type ``number``, or a clear refusal."""
    try:
        return DATA_TYPES[number]
    except KeyError:
        known = ", ".join(t.name for t in DATA_TYPES.values())
        raise DamagedFileError(
            f"{what} has ONNX element type {number}, which pathgrad does not read "
            f"(it reads {known})"
        ) from None


@dataclass
class ModelFile:
    """A parsed, checked model: the message, where it came from (for messages) and the
    folder its external data may come from (None for bytes or a ModelProto)."""

    proto: Any
    where: str
    folder: Path | None
    max_bytes: int | None

    @property
    def opset(self) -> int:
        """The version of the standard operator set the model uses."""
        return next(
            (o.version for o in self.proto.opset_import if o.domain in ("", "ai.onnx")), 1
        )

    def array(self, tensor: Any) -> np.ndarray:
        """A tensor's numbers (float64 for every floating type), read after its checks."""
        kind = DATA_TYPES[tensor.data_type]
        if _is_external(tensor):
            raw = self._external_bytes(tensor, kind)
            values = np.frombuffer(raw, dtype=kind.stored).reshape(tuple(tensor.dims))
        else:
            values = numpy_helper.to_array(tensor)
        return values.astype(np.float64) if kind.is_float else values.astype(kind.stored[1:])

    def _external_bytes(self, tensor: Any, kind: DataType) -> bytes:
        path, offset, length = external_location(tensor, self.folder, self.where, kind)
        with open(path, "rb") as handle:
            handle.seek(offset)
            raw = handle.read(length)
        if len(raw) != length:
            raise DamagedFileError(
                f"{self.where}: the external data of tensor {tensor.name!r} in {path.name} "
                f"ends after {len(raw)} of its {length} bytes (the file changed?)"
            )
        return raw


def read_model(model: Any, max_bytes: int | None = DEFAULT_MAX_BYTES) -> ModelFile:
    """``model`` (a path, the bytes of a file, or an ``onnx.ModelProto``) parsed and checked.

    A file or bytes larger than ``max_bytes`` are refused before they are parsed; see the
    module docstring for what else is checked.
    """
    require_onnx("reading an ONNX model")
    if isinstance(model, onnx.ModelProto):
        checked = ModelFile(model, "the ModelProto", None, max_bytes)
    elif isinstance(model, (bytes, bytearray, memoryview)):
        data = bytes(model)
        _check_file_size(len(data), max_bytes, "the model's bytes")
        checked = ModelFile(_parse(data, "the model's bytes"), "the model's bytes", None,
                            max_bytes)
    elif isinstance(model, (str, os.PathLike)):
        path = Path(os.fspath(model))
        if not path.is_file():
            folder = " (it is a folder)" if path.is_dir() else ""
            raise PathgradFileNotFoundError(f"no such file: {str(path)!r}{folder}")
        _check_file_size(path.stat().st_size, max_bytes, str(path))
        checked = ModelFile(_parse(path.read_bytes(), str(path)), str(path),
                            path.resolve().parent, max_bytes)
    else:
        raise PathgradTypeError(
            "an ONNX model is a file path, the bytes of a file or an onnx.ModelProto; "
            f"got {type(model).__name__}"
        )
    check_model(checked)
    return checked


def _check_file_size(n_bytes: int, max_bytes: int | None, what: str) -> None:
    check_limit(n_bytes, max_bytes, "max_bytes", f"{what}: {size_text(n_bytes)} of model",
                "Use a smaller model")


def _parse(data: bytes, where: str) -> Any:
    if not data:
        raise DamagedFileError(f"{where}: not an ONNX model: it is empty")
    proto = onnx.ModelProto()
    try:
        proto.ParseFromString(data)
    except Exception as error:  # protobuf's DecodeError, whatever module defines it
        raise DamagedFileError(
            f"{where}: not an ONNX model, or a damaged one: the protocol buffer does not "
            f"parse ({type(error).__name__}: {str(error)[:120]})"
        ) from None
    if not proto.HasField("graph") or proto.ir_version <= 0:
        raise DamagedFileError(
            f"{where}: not an ONNX model (it has no graph or no IR version): a damaged file, "
            "or another kind of file"
        )
    return proto


def check_model(model: ModelFile) -> None:
    """Refuse what pathgrad will not read: foreign operator domains, model-local functions,
    tensors whose declared shapes disagree with their data, external data outside the
    model's folder, parameters past ``max_bytes``; then ONNX's own checker."""
    proto, where = model.proto, model.where
    if len(proto.functions):
        names = ", ".join(f.name for f in proto.functions)
        raise DamagedFileError(
            f"{where}: the model defines its own functions ({names}); pathgrad runs only the "
            "standard operators it knows, never code or functions a model brings"
        )
    for opset in proto.opset_import:
        if opset.domain not in KNOWN_DOMAINS:
            raise DamagedFileError(
                f"{where}: the model uses operators of the domain {opset.domain!r}; pathgrad "
                f"knows only the standard ones ({', '.join(repr(d) for d in KNOWN_DOMAINS)})"
            )
    graph = proto.graph
    if len(graph.sparse_initializer):
        raise DamagedFileError(f"{where}: sparse initializers are not supported")
    total = sum(check_tensor(model, tensor) for tensor in model_tensors(graph))
    check_limit(
        total, model.max_bytes, "max_bytes",
        f"{where}: its parameters and constants take {size_text(total)} as float64",
        "Use a smaller model",
    )
    try:
        onnx.checker.check_model(_without_external_data(proto))
    except Exception as error:  # onnx.checker.ValidationError, or a C++ error for a bad file
        first = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
        raise DamagedFileError(
            f"{where}: not a valid ONNX model ({type(error).__name__}: {first})"
        ) from None


def model_tensors(graph: Any) -> list[Any]:
    """The initializers and the tensors of Constant nodes: every tensor of the top graph."""
    tensors = list(graph.initializer)
    for node in graph.node:
        tensors.extend(a.t for a in node.attribute if a.type == onnx.AttributeProto.TENSOR)
        for a in node.attribute:
            if a.type == onnx.AttributeProto.TENSORS:
                tensors.extend(a.tensors)
    return tensors


def _without_external_data(proto: Any) -> Any:
    """The model as the checker should see it: external tensors were checked here already,
    and the checker would look for their files relative to the working folder."""
    if not any(_is_external(t) for t in proto.graph.initializer):
        return proto
    copy = onnx.ModelProto()
    copy.CopyFrom(proto)
    for tensor in copy.graph.initializer:
        if _is_external(tensor):
            tensor.data_location = onnx.TensorProto.DEFAULT
            del tensor.external_data[:]
            tensor.raw_data = bytes(declared_count(tensor) * DATA_TYPES[tensor.data_type].itemsize)
    return copy


def _is_external(tensor: Any) -> bool:
    return bool(tensor.data_location == onnx.TensorProto.EXTERNAL)


def declared_count(tensor: Any) -> int:
    """The number of entries a tensor's shape declares (Python integers: no overflow)."""
    return math.prod(int(d) for d in tensor.dims)


def check_tensor(model: ModelFile, tensor: Any) -> int:
    """Check that a tensor's data holds exactly what its shape declares; return its size in
    bytes as pathgrad will hold it (float64 for floating types)."""
    what = f"{model.where}: tensor {tensor.name!r}"
    kind = data_type(tensor.data_type, what)
    if any(d < 0 for d in tensor.dims):
        raise DamagedFileError(f"{what} declares a negative dimension {list(tensor.dims)}")
    count = declared_count(tensor)
    held = count * (8 if kind.is_float else kind.itemsize)
    check_limit(held, model.max_bytes, "max_bytes",
                f"{what} declares {count:,} numbers ({size_text(held)})", "Use a smaller model")
    if _is_external(tensor):
        external_location(tensor, model.folder, model.where, kind)
        return held
    if tensor.HasField("raw_data") or not any(
        len(getattr(tensor, field)) for field in ("float_data", "double_data", "int32_data",
                                                  "int64_data", "uint64_data")
    ):
        stored, unit = len(tensor.raw_data), f" bytes, {kind.itemsize} per number"
        expected = count * kind.itemsize
    else:
        stored, unit, expected = len(getattr(tensor, kind.field)), " numbers", count
    if stored != expected:
        raise DamagedFileError(
            f"{what} declares the shape {tuple(tensor.dims)} ({count:,} numbers of "
            f"{kind.name}) but holds {stored:,}{unit}: the shape lies, or the file is damaged"
        )
    return held


def external_location(tensor: Any, folder: Path | None, where: str,
                      kind: DataType) -> tuple[Path, int, int]:
    """Where a tensor's external data is: a file inside ``folder``, an offset and a length,
    each checked against the file and against what the tensor declares."""
    what = f"{where}: tensor {tensor.name!r}"
    if folder is None:
        raise DamagedFileError(
            f"{what} keeps its data in another file; open the model from its path (not its "
            "bytes or a ModelProto) so that file can be found beside it"
        )
    entries = {entry.key: entry.value for entry in tensor.external_data}
    location = entries.get("location", "")
    relative = Path(location)
    if not location or relative.is_absolute() or ".." in relative.parts:
        raise DamagedFileError(
            f"{what} points at external data {location!r}; pathgrad reads external data only "
            f"from files inside the model's own folder ({folder}), named relative to it"
        )
    path = (folder / relative).resolve()
    if folder not in path.parents or not path.is_file():
        problem = "is not a file" if folder in path.parents else "leaves the model's folder"
        raise DamagedFileError(f"{what}: its external data {location!r} {problem} ({folder})")
    try:
        offset = int(entries.get("offset", "0"))
        size = path.stat().st_size
        length = int(entries["length"]) if "length" in entries else size - offset
    except ValueError:
        raise DamagedFileError(f"{what}: its external data's offset or length is not a "
                               "number") from None
    expected = declared_count(tensor) * kind.itemsize
    if offset < 0 or length != expected or offset + length > size:
        raise DamagedFileError(
            f"{what} declares {expected:,} bytes of {kind.name} but its external data is "
            f"{length:,} bytes at offset {offset:,} of a {size:,}-byte file: the shape or the "
            "file lies"
        )
    return path, offset, length
