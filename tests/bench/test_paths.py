"""The paths section of ``pathgrad bench``: every question from the output node, its targets."""

from __future__ import annotations

from pathgrad.bench import paths


def test_questions_are_timed_from_the_output_node_with_the_prebuilt_graph_labelled(capsys):
    targets = paths._many_paths(quick=True) + paths._top_paths(quick=True)
    out = capsys.readouterr().out
    for call in ("pg.forward_grad(C, w)", "pg.count_paths(w, C)", "pg.sample_paths(w, C, n=1000)",
                 "pg.path_stats(w, C)", "C.backward()", "pg.top_paths(w, C, k=10, by='abs')"):
        assert call in out
    assert "pg.path_stats(w, graph), prebuilt graph" in out
    assert "1.600e+05 paths from w^2_11" in out  # 20 wide, 4 hidden: 20^4 paths
    names = [row[0] for row in targets]
    assert names == [
        "forward_grad / C.backward(), 4 × 20 net", "count_paths / C.backward(), 4 × 20 net",
        "sample_paths / C.backward(), 4 × 20 net", "path_stats / C.backward(), 4 × 20 net",
        "top_paths(k=10) / C.backward(), [196, 30, 10]",
    ]
    assert [row[1] for row in targets] == ["<= 1.5x", "<= 1.5x", "<= 2x", "<= 4x", "<= 2x"]


def test_interleaved_rounds_give_one_median_per_call():
    calls = []
    seconds = paths.interleaved({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                                rounds=3)
    assert calls == ["a", "b"] + ["a", "b"] * 3  # a warm-up, then rounds taking turns
    assert set(seconds) == {"a", "b"} and all(t >= 0.0 for t in seconds.values())
