"""The ``onnx`` package, imported if it is installed: pathgrad works without it.

Reading and writing ONNX files is an optional extra (``pip install 'pathgrad[onnx]'``), so
``import pathgrad`` must not need it. The import is tried once, here, at module import; a
feature that needs the package calls :func:`require_onnx`, which names the extra to install.
"""

from __future__ import annotations

from ..support.errors import PathgradImportError

try:
    import onnx
    from onnx import helper, numpy_helper, shape_inference
except ImportError:  # pragma: no cover - exercised by a test that hides the package
    onnx = None  # type: ignore[assignment]
    helper = numpy_helper = shape_inference = None  # type: ignore[assignment]

__all__ = ["helper", "numpy_helper", "onnx", "require_onnx", "shape_inference"]


def require_onnx(feature: str) -> None:
    """Raise :class:`PathgradImportError` saying how to install ``onnx`` when it is missing."""
    if onnx is None:
        raise PathgradImportError(
            f"{feature} needs the onnx package, which is not installed: "
            "pip install 'pathgrad[onnx]'"
        )
