"""``pathgrad paths | draw | explore --onnx model.onnx --input x.npy``."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import pathgrad as pg
from pathgrad.cli import main

MODELS = Path(__file__).parent / "models"


@pytest.fixture
def inputs(tmp_path):
    np.save(tmp_path / "x.npy", np.array([[0.1, -0.2, 0.3, 0.4]], dtype=np.float32))
    np.save(tmp_path / "image.npy", np.load(MODELS / "cnn.npz")["input:image"])
    return tmp_path


def test_paths_of_a_weight_of_a_pytorch_mlp(inputs, capsys):
    assert main(["paths", "--onnx", str(MODELS / "mlp.onnx"), "--input",
                 str(inputs / "x.npy"), "--weight", "w^2_12", "--index", "2"]) == 0
    out = capsys.readouterr().out
    graph = pg.from_onnx(MODELS / "mlp.onnx", np.load(inputs / "x.npy"),
                         cost=lambda out: out[2])
    assert out.startswith(f"{MODELS / 'mlp.onnx'}, the graph of a^3_3 for the given input: "
                          f"{len(graph)} nodes")
    printed = float(re.search(r"Σ products \(53\)\s+(\S+)", out)[1])
    assert printed == pytest.approx(pg.grad(graph, [graph.w(2, 1, 2)])[0], rel=1e-9)


def test_the_default_output_number_is_the_largest(inputs, capsys):
    assert main(["paths", "--onnx", str(MODELS / "cnn.onnx"), "--input",
                 f"image={inputs / 'image.npy'}", "--weight", "fc.bias[1]", "--top", "1"]) == 0
    out = capsys.readouterr().out
    scores = pg.from_onnx(MODELS / "cnn.onnx", np.load(inputs / "image.npy"),
                          cost=lambda out: out[0]).outputs["y"]
    best = max(range(3), key=lambda j: scores[j].data)
    assert f"the graph of y[0,{best}]" in out
    assert "paths                    1\n" in out  # one path from a bias to its own score


def test_draw_and_explore_an_onnx_model(inputs, tmp_path, capsys):
    picture = tmp_path / "mlp.svg"
    assert main(["draw", "--onnx", str(MODELS / "mlp.onnx"), "--input", str(inputs / "x.npy"),
                 "--weight", "b^2_3", "-o", str(picture), "--top", "1"]) == 0
    assert "b²₃" in picture.read_text() and "a³" in picture.read_text()
    page = tmp_path / "cnn.html"
    assert main(["explore", "--onnx", str(MODELS / "cnn.onnx"), "--input",
                 str(inputs / "image.npy"), "--select", "fc.bias[0]", "-o", str(page)]) == 0
    text = page.read_text()
    assert "fc.bias[0]" in text and "conv1.weight[1,0,2,2]" in text
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "words"), [
    (["--input", "x.txt"], "argument --input: takes a numpy file (.npy)"),
    ([], "needs the inputs x for this output; missing: x"),
    (["--input", "{tmp}/bad.npy"], "not a numpy array file (.npy) of numbers"),
    (["--input", "{tmp}/wide.npy"], "input 'x' has shape (1, 5); the model takes (1, 4)"),
    (["--input", "{tmp}/x.npy", "--index", "3"], "--index 3: the output has 3 numbers, 0 to 2"),
    (["--input", "{tmp}/x.npy", "--tensor", "nowhere"], "output='nowhere' is not a tensor"),
    (["--input", "{tmp}/x.npy", "--max-nodes", "10"], "raise --max-nodes"),
])
def test_mistakes_are_one_line_and_exit_2(inputs, capsys, argv, words):
    (inputs / "bad.npy").write_text("not numpy")
    np.save(inputs / "wide.npy", np.zeros((1, 5)))
    argv = [a.replace("{tmp}", str(inputs)) for a in argv]
    assert main(["paths", "--onnx", str(MODELS / "mlp.onnx"), *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert words in captured.err


@pytest.mark.parametrize(("argv", "words"), [
    (["paths", "--onnx", "{model}", "--input", "{tmp}/x.npy", "--seed", "3"],
     "--seed belongs to a network of pathgrad's"),
    (["draw", "--onnx", "{model}", "--input", "{tmp}/x.npy", "--x", "1,2", "--y", "0"],
     "--x, --y belong to a network of pathgrad's"),
    (["explore", "--onnx", "{model}", "--input", "{tmp}/x.npy", "--levels", "z"],
     "--levels picks the levels of a network's graph"),
    (["paths", "--sizes", "2,3,2", "--input", "{tmp}/x.npy"], "--input goes with --onnx FILE"),
    (["draw", "--tensor", "y", "--index", "0"], "--tensor, --index go with --onnx FILE"),
    (["explore", "--onnx", "{model}", "--sizes", "2,3,2"], "not allowed with argument"),
])
def test_options_that_would_be_ignored_are_refused(inputs, capsys, argv, words):
    argv = [a.replace("{tmp}", str(inputs)).replace("{model}", str(MODELS / "mlp.onnx"))
            for a in argv]
    if argv[0] != "paths":  # a file that must not be written
        argv += ["-o", str(inputs / ("never.html" if argv[0] == "explore" else "never.svg"))]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert words in captured.err
    assert not list(inputs.glob("never.*"))
