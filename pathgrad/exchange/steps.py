"""One operator node of an ONNX graph as pathgrad runs it, and the tensors it runs on.

A :class:`Step` is an ONNX node with its attributes decoded into Python values (ints, floats,
lists, strings, tensors as arrays). A tensor, while the graph is built, is a numpy array: of
numbers for what no input or parameter changes (shapes, axes, indices, constants), or of
``dtype=object`` holding one :class:`~pathgrad.value.Value` per entry (a Python float where an
entry is a constant) for everything computed from the model's inputs and parameters. numpy
then does the index work of every operator (broadcasting, reshaping, transposing, slicing,
gathering) on Values as on numbers, and the operators only make the nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..support.errors import PathgradValueError
from ..value import Op, Value


class ModelError(PathgradValueError):
    """A model pathgrad cannot build: an operator it does not know, attributes or shapes it
    cannot use. The message names the node."""


@dataclass
class Step:
    """One node: its operator, its name (for messages), its inputs and outputs by tensor
    name (``""`` for an optional input left out), its decoded attributes and the version of
    the operator set the model uses (some operators changed their inputs across versions)."""

    op_type: str
    name: str
    inputs: list[str]
    outputs: list[str]
    opset: int
    attrs: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.op_type} node {self.name!r}"

    def fail(self, problem: str) -> ModelError:
        """An error about this node, to raise."""
        return ModelError(f"{self}: {problem}")

    def ints(self, key: str, default: Sequence[int] | None = None) -> list[int] | None:
        value = self.attrs.get(key, default)
        return None if value is None else [int(v) for v in value]


#: An operator's implementation: the step and its input tensors (None for a missing optional
#: input); it returns its output tensors.
Build = Callable[[Step, list[Any]], list[np.ndarray]]
#: An operator's size: the step and its input and output shapes; it returns the nodes and
#: edges it makes at most (when its inputs depend on inputs or parameters).
Count = Callable[[Step, list[tuple[int, ...]], list[tuple[int, ...]]], tuple[int, int]]


@dataclass(frozen=True)
class Operator:
    """An operator of the catalogue: how it is built and how its size is counted."""

    build: Build
    count: Count


def is_symbolic(array: np.ndarray) -> bool:
    """Whether a tensor holds graph nodes (dtype object) rather than plain numbers."""
    return bool(array.dtype == object)


def as_objects(array: np.ndarray) -> np.ndarray:
    """A tensor as an object array: numbers become Python floats (constants, no node)."""
    if is_symbolic(array):
        return array
    return np.asarray(array, dtype=np.float64).astype(object)


def filled(entries: Iterable[Any], shape: Sequence[int]) -> np.ndarray:
    """An object array of the given shape from its entries in row-major order."""
    out = np.empty(int(np.prod(shape, dtype=np.int64)), dtype=object)
    out[:] = list(entries)
    return out.reshape(tuple(shape))


def apply(op: Op, operands: Sequence[Any]) -> Any:
    """``op`` on operands that are Values or numbers: a new node, or just the number when
    no operand is a Value (a constant costs no node)."""
    if any(isinstance(x, Value) for x in operands):
        return op(*operands)
    return op.evaluate([float(x) for x in operands])[0]


def elementwise(function: Callable[..., Any], *arrays: np.ndarray) -> np.ndarray:
    """``function`` on the entries of broadcast arrays, as an object array."""
    shaped = np.broadcast_arrays(*(as_objects(a) for a in arrays))
    shape = shaped[0].shape
    return filled(map(function, *(a.ravel() for a in shaped)), shape)


def count_of(shape: Sequence[int]) -> int:
    """The number of entries of a shape (a Python integer: no overflow)."""
    total = 1
    for d in shape:
        total *= int(d)
    return total


def axis_of(axis: int, rank: int, step: Step) -> int:
    """A possibly negative axis as a position in ``0..rank-1``, checked."""
    if not -rank <= axis < max(rank, 1):
        raise step.fail(f"axis {axis} is outside a tensor of rank {rank}")
    return axis % max(rank, 1)


def constant_ints(value: Any) -> list[int]:
    """The integers of a constant input (axes, a shape, slice bounds, indices)."""
    # ONNX's types make these inputs integers, and an integer computed from a Value is
    # refused where it is made (Cast): what arrives here is a plain number.
    return [] if value is None else [int(v) for v in np.asarray(value).ravel()]


def unchanged(step: Step, in_shapes: list[tuple[int, ...]],
              out_shapes: list[tuple[int, ...]]) -> tuple[int, int]:
    """The size of an operator that only moves entries: no node, no edge."""
    return 0, 0


def one_per_entry(edges_per_node: int) -> Count:
    """The size of an operator that makes one node per output entry with so many edges."""

    def count(step: Step, in_shapes: list[tuple[int, ...]],
              out_shapes: list[tuple[int, ...]]) -> tuple[int, int]:
        n = count_of(out_shapes[0])
        return n, n * edges_per_node

    return count
