"""A drawing: its DOT text, and the files and inline displays made from it."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from ..errors import PathgradValueError
from .engine import DEFAULT_TIMEOUT, RenderError, render


class Picture:
    """A picture of a rate-factor graph.

    ``source`` is the Graphviz DOT text (always available, no program needed); ``save(path)``
    writes ``.svg``, ``.png``, ``.pdf`` or ``.dot``/``.gv`` by the file's extension; in Jupyter
    the picture shows itself as SVG. ``caption`` is the text under the picture (path products
    and their shares of ``∂C/∂w``, or the sweep step).
    """

    def __init__(self, source: str, caption: str = "", engine: str | None = "auto") -> None:
        self.source = source
        self.caption = caption
        self.engine = engine
        self.timeout = DEFAULT_TIMEOUT
        self._svg: str | None = None

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        return f"<pathgrad Picture: {lines} lines of DOT; .save('x.svg') or show it in Jupyter>"

    def __str__(self) -> str:
        return self.source

    def render(self, fmt: str = "svg", engine: str | None = None) -> bytes:
        """The picture as bytes in ``fmt`` (svg, png, pdf), laid out by ``engine``."""
        return render(self.source, fmt, engine or self.engine, self.timeout)

    def svg(self, engine: str | None = None) -> str:
        """The SVG text (cached for the picture's own engine)."""
        if engine is not None and engine != self.engine:
            return self.render("svg", engine).decode("utf-8")
        if self._svg is None:
            self._svg = self.render("svg").decode("utf-8")
        return self._svg

    def save(self, path: str | PathLike, engine: str | None = None) -> Path:
        """Write the picture to ``path``; its extension (svg, png, pdf, dot, gv) is the format."""
        target = Path(path)
        fmt = target.suffix.lower().lstrip(".")
        if fmt in ("dot", "gv"):
            target.write_text(self.source, encoding="utf-8")
            return target
        if fmt not in ("svg", "png", "pdf"):
            raise PathgradValueError(
                f"cannot tell the format of {str(path)!r} from its extension: "
                "use .svg, .png, .pdf, .dot or .gv"
            )
        data = self.svg(engine).encode("utf-8") if fmt == "svg" else self.render(fmt, engine)
        target.write_bytes(data)
        return target

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        try:
            return {"image/svg+xml": self.svg()}
        except RenderError as error:
            return {"text/plain": f"{error}\n\n{self.source}"}

    def _repr_svg_(self) -> str | None:
        try:
            return self.svg()
        except RenderError:
            return None
