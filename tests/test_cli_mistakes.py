"""Every mistake on the command line: one line on stderr, exit status 2, and nothing printed or
written before it. Output files go only where asked, never through a planted link."""

from __future__ import annotations

import os
import stat
import tempfile
import time

import pytest

import pathgrad as pg
from pathgrad.cli import main
from tests.capped import run_cli_capped


def files_for_mistakes(folder):
    """A text file posing as a network, a damaged network, a file where a folder should be,
    a folder where a file should be."""
    (folder / "text.npz").write_text("weights: 1 2 3\n")
    good = pg.Network([2, 3, 2], seed=0).save(folder / "good.npz").read_bytes()
    (folder / "damaged.npz").write_bytes(good[: len(good) // 2])
    (folder / "a-file").write_text("x")
    (folder / "folder.svg").mkdir()


MISTAKES = [
    (["demo", "--weight", "nosuch"], "no node named 'nosuch'"),
    (["demo", "--weight", "w^7_11"], "its weights are w^2_11, w^2_12, w^2_21, …, w^3_22, w^3_23"),
    (["demo", "--sizes", "2,3,2", "--network", "good.npz"],
     "argument --network: not allowed with argument --sizes"),
    (["paths", "--network", "good.npz", "--seed", "3"],
     "--seed makes the random weights of a new network (--sizes); the network of --network "
     "has its own: leave out --seed"),
    (["draw", "--x", "1,2,3"], "--x has 3 numbers but the network's input layer has 2 neurons: "
                               "give 2, separated by commas"),
    (["explore", "--y", "1"], "--y has 1 number but the network's output layer has 2 neurons"),
    (["demo", "--x", "a,b"], "argument --x: takes finite numbers separated by commas"),
    (["paths", "--y", "1,inf"], "argument --y: takes finite numbers separated by commas"),
    (["train", "--save", "net.txt"], "argument --save: takes a file name ending in .npz"),
    (["train", "--save", "missing/net.npz"], "the folder missing does not exist"),
    (["draw", "--hide-params", "--show-params"],
     "argument --show-params: not allowed with argument --hide-params"),
    (["demo", "--picture", "missing/demo.svg"], "the folder missing does not exist"),
    (["demo", "--picture", "demo.txt"], "argument --picture: takes a file name ending in .svg"),
    (["paths", "--top", "0"], "argument --top: takes a whole number >= 1, got '0'"),
    (["paths", "--sizes", "2,,3"], "argument --sizes: takes at least two positive whole "
                                   "numbers separated by commas, such as 2,3,2; got '2,,3' "
                                   "(part 2, '', is not)"),
    (["paths", "--seed", "-1"], "argument --seed: takes a whole number >= 0, got '-1'"),
    (["paths", "--by", "best"], "argument --by: invalid choice: 'best'"),
    (["paths", "--samples", "100000000"], "takes a whole number from 2 to 1,000,000"),
    # 5000 inputs + 2 · 5000 · 5001 weights and biases + 10,000 neurons + C
    (["paths", "--sizes", "5000,5000,5000"], "the neuron-level graph of [5000, 5000, 5000] has "
                                             "50,025,001 nodes"),
    (["paths", "--network", "text.npz"], "text.npz: not a pathgrad network file: it is a text"),
    (["paths", "--network", "damaged.npz"], "damaged.npz: not a pathgrad network file: it is a "
                                            "damaged or truncated zip archive"),
    (["paths", "--network", "missing.npz"], "no such file: 'missing.npz'"),
    (["paths", "--network", "folder.svg"], "no such file: 'folder.svg' (it is a folder)"),
    (["paths", "--weight", "w^7_11"], "no node named 'w^7_11'"),
    (["draw", "-o", "missing/paths.svg"], "the folder missing does not exist; create it first"),
    (["draw", "-o", "folder.svg"], "folder.svg is a folder; give a file name inside it"),
    (["draw", "-o", "a-file/paths.svg"], "a-file is a file, not a folder"),
    (["draw", "-o", "paths.txt"], "argument -o/--output: takes a file name ending in .svg"),
    (["draw", "--engine", "nosuch"], "argument --engine: invalid choice: 'nosuch' (choose from "
                                     "'auto', 'dot', 'graphviz-pure')"),
    (["draw", "--sizes", "50,50,50", "--show-params"], "its picture would have 5,251 nodes: more "
                                                       "than --max-nodes 150"),
    (["draw", "--sizes", "50,50,50"], "its picture would have 151 nodes"),
    (["draw", "--digits", "0"], "argument --digits: takes a whole number from 1 to 17"),
    (["draw", "--gallery", "a-file"], "a-file exists and is not a folder"),
    (["explore", "-o", "missing/page.html"], "the folder missing does not exist"),
    (["explore", "--sizes", "2,x"], "takes at least two positive whole numbers"),
    (["explore", "--levels", "neuron,atoms"], "takes levels separated by commas"),
    (["explore", "--select", "w^9_99"], "not the name of a node"),
    (["explore", "--network", "missing.npz"], "missing.npz"),
    (["explore", "-o", "page.svg"], "ending in .html"),
    (["explore", "--sizes", "100,100,10"], "has 11,321 nodes and 22,120 edges (about 4.23 MB): "
                                           "more than --max-nodes 3,000"),
    (["train", "--cost", "cross-entropy", "--activation", "relu"],
     "the cross-entropy cost needs outputs in [0, 1], but the output layer's relu gives "
     "values from 0 to inf"),
    (["train", "--activation", "linear", "--eta", "1000"],
     "training diverged in epoch 1: the weighted input z^2_1 became nan (--eta 1000). The "
     "network is left as it was before epoch 1. Try a smaller learning rate, such as --eta 100"),
    (["train", "--lmbda", "1e6"], "weight decay factor 1 - eta·lmbda/n = -2e+03, not above 0"),
    (["train", "--eta", "0"], "argument --eta: takes a finite number > 0, got '0'"),
    (["train", "--eta", "nan"], "argument --eta: takes a finite number > 0, got 'nan'"),
    (["train", "--epochs", "0"], "argument --epochs: takes a whole number >= 1"),
    (["train", "--sizes", "64,300000000,10"], "would hold 22,500,000,010 weights and biases"),
    (["bench", "nosuch"], "argument sections: invalid choice: 'nosuch'"),
]


@pytest.mark.parametrize(("argv", "message"), MISTAKES, ids=[" ".join(a) for a, _ in MISTAKES])
def test_a_mistake_is_one_line_and_exit_2_before_any_work(tmp_path, monkeypatch, capsys,
                                                          argv, message):
    monkeypatch.chdir(tmp_path)
    files_for_mistakes(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    start = time.perf_counter()
    assert main(argv) == 2
    assert time.perf_counter() - start < 5
    out, err = capsys.readouterr()
    assert out == ""  # nothing printed before the refusal
    assert err.count("\n") == 1 and err.startswith("pathgrad ") and message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # and nothing written


def test_a_refused_size_names_the_option_that_raises_it(capsys):
    assert main(["paths", "--sizes", "1500,1500,2"]) == 2
    err = capsys.readouterr().err
    assert "more than --max-nodes 2,000,000" in err
    assert err.endswith("or raise --max-nodes if you really want it\n")
    assert main(["paths", "--sizes", "30,30,2", "--max-nodes", "100"]) == 2
    assert "has 1,055 nodes" in capsys.readouterr().err  # 30 + 30·31 + 2·31 + 32 + 1
    assert main(["explore", "--sizes", "40,40,2", "--max-nodes", "1000"]) == 2
    assert capsys.readouterr().err.endswith("more than --max-nodes 1,000. Use narrower layers, or "
                                            "raise --max-nodes if you really want it\n")
    assert main(["train", "--sizes", "64,300000000,10"]) == 2  # a limit with no option
    err = capsys.readouterr().err
    assert "more than 1,073,741,824 (1.07 GB)" in err and "max_bytes" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_folder_is_refused_before_any_work(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    assert main(["draw", "-o", str(locked / "x.svg")]) == 2
    assert "no permission to write in the folder" in capsys.readouterr().err


def test_out_of_memory_is_one_line(tmp_path):
    """A graph the user allowed (--max-nodes raised) that the machine cannot hold."""
    done = run_cli_capped("paths", "--sizes", "1500,1500,2", "--max-nodes", "10000000",
                          memory_mb=300, seconds=60)
    assert done.returncode == 2
    assert done.stderr == "pathgrad paths: error: out of memory: use smaller sizes or fewer " \
                          "samples\n"


def test_the_demo_picture_is_a_fresh_private_file_and_a_planted_link_is_left_alone(
    tmp_path, monkeypatch, capsys
):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    (shared / "pathgrad-demo.svg").symlink_to(victim)  # the name the demo once used
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    assert main(["demo"]) == 0 and main(["demo"]) == 0
    written = [line.split(": ", 1)[1] for line in capsys.readouterr().out.splitlines()
               if line.startswith("Picture of these paths: ")]
    assert len(set(written)) == 2  # a new file each time
    for name in written:
        picture = os.stat(name)
        assert os.path.dirname(name) == str(shared) and stat.S_IMODE(picture.st_mode) == 0o600
        assert open(name, encoding="utf-8").read().lstrip().startswith(("<?xml", "<svg"))
    assert victim.read_text() == "precious"


def test_no_command_writes_through_a_link(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for argv, name in ((["draw", "-o", "paths.svg"], "paths.svg"),
                       (["demo", "--picture", "demo.svg"], "demo.svg"),
                       (["explore", "-o", "page.html"], "page.html")):
        (tmp_path / name).symlink_to(victim)
        assert main(argv) == 2
        assert f"{name} is a symbolic link; pathgrad does not write through links" in (
            capsys.readouterr().err)
    with pytest.raises(pg.PathgradError, match="is a symbolic link"):
        pg.draw(pg.Value(1.0) * 2.0).save(tmp_path / "paths.svg")
    assert victim.read_text() == "precious"
