"""The catalogue: every ONNX operator pathgrad builds, by name, with how it is counted.

One table drives the importer (:mod:`.importer` builds each node with ``build``), the size
count done before anything is built (:mod:`.shape_count` adds up ``count``) and the tests,
which run every entry on random shapes and attributes against ONNX's reference evaluator.
An operator outside the table is refused by name, with the node and the list.
"""

from __future__ import annotations

from . import contractions, elementwise, reductions, reshaping
from .contractions import MATMUL_ADD
from .steps import ModelError, Operator, Step

OPERATORS: dict[str, Operator] = {
    **elementwise.OPERATORS,
    **reshaping.OPERATORS,
    **contractions.OPERATORS,
    **reductions.OPERATORS,
}

#: The ONNX operators a model may use (the internal MatMul+Add step is not one).
SUPPORTED: tuple[str, ...] = tuple(sorted(name for name in OPERATORS if name != MATMUL_ADD))


class UnsupportedOperatorError(ModelError):
    """A model uses an operator outside pathgrad's catalogue (:data:`SUPPORTED`)."""


def unsupported(step: Step, domain: str) -> UnsupportedOperatorError:
    """The error for a node whose operator pathgrad does not build."""
    where = f" of the domain {domain!r}" if domain not in ("", "ai.onnx") else ""
    return UnsupportedOperatorError(
        f"{step}{where}: pathgrad does not build the operator {step.op_type!r}. It builds "
        f"{', '.join(SUPPORTED)}. If the node is on a branch you do not need (a label "
        "computed by ArgMax, say), choose the output you want with output=..."
    )
