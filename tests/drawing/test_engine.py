"""Rendering with each engine (Graphviz's dot and the pip-only graphviz-pure), and without any."""

from __future__ import annotations

import os
import re
import stat
import sys

import graphviz
import pytest

import pathgrad as pg
from pathgrad.cli import main
from pathgrad.drawing import EngineNotFoundError, RenderError, draw, engine, find_engine
from pathgrad.drawing.gallery import demo_network, sigmoid_neuron
from pathgrad.names import fmt


def _available(name: str) -> bool:
    try:
        find_engine(name)
    except EngineNotFoundError:
        return False
    return True


ENGINES = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(
            not _available(name) and not os.environ.get("CI"), reason=f"{name} not installed"
        ),
    )
    for name in ("dot", "graphviz-pure")
]


@pytest.fixture
def picture():
    graph = demo_network((2, 3, 2))
    best = max(pg.paths(graph["w^2_12"], graph), key=lambda p: abs(p.product))
    return graph, draw(graph, highlight=best, show_grad=True, hide_params=False)


@pytest.mark.parametrize("name", ENGINES)
def test_svg_renders_and_carries_the_labels(name, picture, monkeypatch, tmp_path):
    graph, pic = picture
    monkeypatch.setenv(engine.ENV_VAR, name)  # how CI forces each engine in turn
    svg = pic.svg().replace("&#45;", "-")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert ("graphviz-pure" in svg) == (name == "graphviz-pure")
    for text in ("w²₁₂", "a³₁", "∂C/∂a²₁", "legend"):
        assert text in svg
    for edge in graph.edges:
        assert f"> {fmt(edge.rate, 3)} <" in svg or f">{fmt(edge.rate, 3)}<" in svg
    png = pic.save(tmp_path / "p.png").read_bytes()
    assert png.startswith(b"\x89PNG")


def test_pdf_and_dot_files(picture, tmp_path):
    _, pic = picture
    assert pic.save(tmp_path / "p.dot").read_text(encoding="utf-8") == pic.source
    if _available("dot"):
        assert pic.save(tmp_path / "p.pdf", engine="dot").read_bytes().startswith(b"%PDF")
    if _available("graphviz-pure"):
        with pytest.raises(RenderError, match="cannot write PDF"):
            pic.save(tmp_path / "p.pdf", engine="graphviz-pure")
    with pytest.raises(ValueError, match="extension"):
        pic.save(tmp_path / "p.jpg")


def test_missing_engine_is_a_clear_error_and_source_still_works(monkeypatch, tmp_path):
    monkeypatch.setattr(engine, "_search_path", lambda: str(tmp_path))
    monkeypatch.delenv(engine.ENV_VAR, raising=False)
    pic = draw(sigmoid_neuron())
    with pytest.raises(EngineNotFoundError, match="pip install graphviz-pure") as error:
        pic.save(tmp_path / "x.svg")
    assert "apt install graphviz" in str(error.value) and "save the picture as .dot" in str(
        error.value)
    assert "digraph" in pic.source
    assert pic.save(tmp_path / "x.dot").exists()
    bundle = pic._repr_mimebundle_()
    assert "image/svg+xml" not in bundle and "graphviz-pure" in bundle["text/plain"]
    assert pic._repr_svg_() is None


@pytest.mark.skipif(sys.platform == "win32", reason="uses a shell script as a fake engine")
def test_a_graphviz_pure_layout_that_hangs_is_stopped(tmp_path, monkeypatch):
    slow = tmp_path / "graphviz-pure"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(slow.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(engine, "_search_path", lambda: str(tmp_path))
    pic = draw(sigmoid_neuron(), engine="graphviz-pure")
    pic.timeout = 0.5
    with pytest.raises(RenderError, match="did not finish the layout within 0.5 s"):
        pic.svg()


@pytest.mark.parametrize("name", ENGINES)
def test_jupyter_display_is_svg_with_a_png_beside_it(name, picture, monkeypatch):
    _, pic = picture
    monkeypatch.setenv(engine.ENV_VAR, name)
    bundle = pic._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]
    assert bundle["image/png"].startswith(b"\x89PNG")


def test_pictures_are_built_with_the_graphviz_package(picture):
    _, pic = picture
    assert isinstance(pic.digraph, graphviz.Digraph)
    assert pic.source == pic.digraph.source
    quoted = draw(pg.Value(1.0, name='say "hi"') * 2.0).source
    assert 'say \\"hi\\"' in quoted or "say &quot;hi&quot;" in quoted


def test_an_unknown_engine_name_is_refused_as_such(picture):
    _, pic = picture
    refused = "unknown Graphviz engine 'neato'.*auto, dot or graphviz-pure"
    with pytest.raises(ValueError, match=refused):
        pic.svg(engine="neato")


@pytest.mark.parametrize("level", ["neuron", "z", "ops"])
def test_real_network_graphs_at_every_level(level):
    net = pg.Network([2, 3, 2], seed=1)
    graph = net.graph([[0.5], [0.9]], [[1.0], [0.0]], level=level)
    w = graph.w(2, 1, 2)
    top = sorted(pg.paths(w, graph), key=lambda p: -abs(p.product))[:3]
    source = draw(graph, highlight=top, hide_params=False).source
    edge_lines = [line for line in source.splitlines() if " -> " in line and "invis" not in line]
    assert len(edge_lines) == graph.edge_count
    marked = [line for line in edge_lines if re.search(r' color="(#1f5fae|#c2372b)"', line)]
    assert len(marked) == sum(len(p.rates) for p in top) - _shared_edges(top)
    for name in ("w²₁₂", "a³₁", "C"):
        assert f"<b>{name}</b>" in source
    if level != "neuron":
        assert "<b>z²₁</b>" in source


def _shared_edges(paths) -> int:
    seen, shared = set(), 0
    for path in paths:
        for edge in zip(path.nodes, path.nodes[1:], strict=False):
            shared += edge in seen
            seen.add(edge)
    return shared


def test_cli_draw_and_demo_write_their_pictures(tmp_path, capsys):
    out = tmp_path / "paths.dot"
    assert main(["draw", "--weight", "w^2_12", "--top", "3", "-o", str(out)]) == 0
    source = out.read_text(encoding="utf-8")
    assert "<b>w²₁₂</b>" in source and "legend" in source
    assert f"wrote {out}" in capsys.readouterr().out
    picture = tmp_path / "demo.dot"
    assert main(["demo", "--picture", str(picture)]) == 0
    assert f"Picture of these paths: {picture}" in capsys.readouterr().out
    assert "a²₁" in picture.read_text(encoding="utf-8")


def test_demo_survives_a_missing_engine(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(engine, "_search_path", lambda: str(tmp_path))
    monkeypatch.delenv(engine.ENV_VAR, raising=False)
    assert main(["demo", "--picture", str(tmp_path / "demo.svg")]) == 0
    assert "No picture written (No Graphviz program found" in capsys.readouterr().out


def test_an_engine_asked_for_by_name_and_missing_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(engine, "_search_path", lambda: str(tmp_path))  # neither installed
    with pytest.raises(EngineNotFoundError) as error:
        find_engine("dot")
    assert str(error.value).startswith("'dot' was not found to render the picture. Install one")
    assert "pip install graphviz-pure" in str(error.value)
    pure = tmp_path / "graphviz-pure"  # only graphviz-pure: named as the way out, not installed
    pure.write_text("#!/bin/sh\n")
    pure.chmod(0o755)
    with pytest.raises(EngineNotFoundError) as error:
        find_engine("dot")
    assert "or use graphviz-pure, which is installed (engine='graphviz-pure')" in str(error.value)
    assert "pip install graphviz-pure" not in str(error.value)
