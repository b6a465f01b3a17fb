"""A drawing: a ``graphviz.Digraph``, and the files and inline displays made from it."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import graphviz

from ..support.errors import PathgradValueError
from ..support.writing import check_output, write_file
from .engine import DEFAULT_TIMEOUT, RenderError, find_engine, render

SVG, PNG = "image/svg+xml", "image/png"


class Picture:
    """A picture of a rate-factor graph.

    ``digraph`` is the ``graphviz.Digraph`` and ``source`` its DOT text (always available, no
    program needed); ``save(path)`` writes ``.svg``, ``.png``, ``.pdf`` or ``.dot``/``.gv`` by
    the file's extension; in Jupyter the picture shows itself as SVG, with a PNG beside it for
    viewers that drop SVG. ``caption`` is the text under the picture (path products and their
    shares of ``∂C/∂w``, or the sweep step).

    Equations 51-53 drawn: :func:`draw` and the sweep pictures return one.

    >>> import pathgrad as pg
    >>> a, b = pg.Value(2.0, name="a"), pg.Value(1.0, name="b")
    >>> e = (a + b) * (b + 1)
    >>> picture = pg.draw(e)
    >>> picture.source.startswith("digraph pathgrad {"), picture.svg().count("<svg")
    (True, 1)
    """

    def __init__(
        self, digraph: graphviz.Digraph, caption: str = "", engine: str | None = "auto"
    ) -> None:
        self.digraph = digraph
        self.caption = caption
        self.engine = engine
        self.timeout = DEFAULT_TIMEOUT
        self._rendered: dict[tuple[str, str | None], bytes] = {}

    @property
    def source(self) -> str:
        """The DOT text, as written and quoted by the ``graphviz`` package."""
        return self.digraph.source

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        return f"<pathgrad Picture: {lines} lines of DOT; .save('x.svg') or show it in Jupyter>"

    def __str__(self) -> str:
        return self.source

    def render(self, fmt: str = "svg", engine: str | None = None) -> bytes:
        """The picture as bytes in ``fmt`` (svg, png, pdf), laid out by ``engine``."""
        key = (fmt, engine or self.engine)
        if key not in self._rendered:
            self._rendered[key] = render(self.digraph, fmt, key[1], self.timeout)
        return self._rendered[key]

    def svg(self, engine: str | None = None) -> str:
        """The SVG text."""
        return self.render("svg", engine).decode("utf-8")

    def save(self, path: str | PathLike, engine: str | None = None) -> Path:
        """Write the picture to ``path``; its extension (svg, png, pdf, dot, gv) is the format."""
        target = Path(path)
        fmt = target.suffix.lower().lstrip(".")
        if fmt in ("dot", "gv"):
            return write_file(target, self.source.encode("utf-8"))
        if fmt not in ("svg", "png", "pdf"):
            raise PathgradValueError(
                f"cannot tell the format of {str(path)!r} from its extension: "
                "use .svg, .png, .pdf, .dot or .gv"
            )
        check_output(target)  # before the layout, which may take a while
        return write_file(target, self.render(fmt, engine))

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict:
        try:
            name, _ = find_engine(self.engine)
            if name == "dot":  # graphviz's own Jupyter display
                return self.digraph._repr_mimebundle_(include=[SVG, PNG])
            return {SVG: self.svg(), PNG: self.render("png")}
        except RenderError as error:
            return {"text/plain": f"{error}\n\n{self.source}"}

    def _repr_svg_(self) -> str | None:
        try:
            return self.svg()
        except RenderError:
            return None
