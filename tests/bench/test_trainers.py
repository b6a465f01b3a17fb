"""The training section of ``pathgrad bench`` in its quick form."""

from __future__ import annotations

from pathgrad.bench import trainers


def test_bench_section_quick(capsys):
    trainers.run(quick=True)
    out = capsys.readouterr().out
    assert "pathgrad matrix engine" in out and "book's per-example loop" in out
    assert "PyTorch" in out  # a row per thread setting, or the note that it is not installed
    assert "the matrix engine's products alone (its floor)" in out
    assert "engine / its products = " in out
    rows = [line for line in out.splitlines() if line.strip().startswith(("neuron", "z ", "ops"))]
    assert len(rows) == 3
    # the graph's gradient equals the matrix engine on every weight, at every level
    assert all(float(row.split()[-1]) < 1e-12 for row in rows)

