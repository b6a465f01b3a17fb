"""Hostile model files are refused with a clear error, within bounded memory.

Every file is opened in a child process under a 400 MB memory cap (tests/capped.py): a
reader that trusted a declared shape (10^12 numbers), a huge external file or a graph of
millions of nodes would die there, not answer.
"""

from __future__ import annotations

import json

import pytest

from tests.capped import run_capped


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    ended = run_capped("tests.exchange.hostile:open_all", str(folder), seconds=120)
    assert ended.error is None, ended.message
    assert ended.peak_mb < 300
    return json.loads((folder / "outcomes.json").read_text())


REFUSALS = {
    "truncated": ("DamagedFileError", "not an ONNX model, or a damaged one"),
    "text": ("DamagedFileError", "not an ONNX model"),
    "empty": ("DamagedFileError", "it is empty"),
    "too large": ("TooLargeError", "more than max_bytes=1,000"),
    "giant initializer": ("TooLargeError", "declares 1,000,000,000,000 numbers"),
    "lying initializer": ("DamagedFileError", "declares the shape (3, 3) (9 numbers of double) "
                          "but holds 32 bytes"),
    "giant constant": ("TooLargeError", "declares 10,000,000,000 numbers"),
    "lying output shape": ("DamagedFileError", "differ in dimension 1: (3) vs (30)"),
    "too many nodes": ("TooLargeError", "2,250,000 nodes"),
    "external ../": ("DamagedFileError", "only from files inside the model's own folder"),
    "external absolute": ("DamagedFileError", "only from files inside the model's own folder"),
    "external link": ("DamagedFileError", "leaves the model's folder"),
    "external lying length": ("DamagedFileError", "declares 32 bytes of double but its external "
                              "data is 64 bytes"),
    "external past the end": ("DamagedFileError", "is 32 bytes at offset 16 of a 32-byte file"),
    "external too large": ("TooLargeError", "more than max_bytes=67,108,864"),
    "external bytes": ("DamagedFileError", "open the model from its path"),
    "foreign domain": ("DamagedFileError", "domain 'com.example'"),
    "local function": ("DamagedFileError", "defines its own functions (Twice)"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_hostile_file_is_refused_with_what_is_wrong(outcomes, case):
    kind, words = REFUSALS[case]
    assert outcomes[case].startswith(f"{kind}: "), outcomes[case]
    assert words in outcomes[case], outcomes[case]


def test_external_data_inside_the_folder_is_read(outcomes):
    assert outcomes["external good"].startswith("ok: <ModelGraph")


def test_a_refused_size_names_the_step_and_the_limit(outcomes):
    message = outcomes["too many nodes"]
    assert "the largest step is Conv" in message and "max_nodes=2,000,000" in message


def test_single_bit_flips_end_in_a_graph_or_a_pathgrad_error(tmp_path):
    ended = run_capped("tests.exchange.hostile:flip_bits", str(tmp_path), 150, 7, seconds=120)
    assert ended.error is None, ended.message
    counts = json.loads((tmp_path / "outcomes.json").read_text())
    assert not any(kind.startswith("UNEXPECTED") for kind in counts), counts
    assert sum(counts.values()) == 150
    assert counts.get("ok", 0) > 0 and counts.get("DamagedFileError", 0) > 0, counts
