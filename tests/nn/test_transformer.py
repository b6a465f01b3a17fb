"""Transformers of Values against the paper's formulas in numpy and against HIPS autograd.

* with frozen attention, every group of paths (the direct path, each head, each virtual head)
  equals its matrix formula from Elhage et al. (2021), written in tests/reference.py, and the
  groups add up to the logit;
* with full attention, every group (through queries and keys too) equals the derivative along
  that one route, by autograd, and the groups through the scores add up to the full minus the
  frozen derivative;
* every parameter's gradient equals autograd's and, for a sample, a central difference;
* the graph has exactly the nodes ``graph_size`` counts; sizes stay under 10^5 nodes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from autograd import grad as autograd_grad
from hypothesis import given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.nn import Embedding, MLPBlock
from pathgrad.nn.transformer import group_name, head_name
from tests.reference import (
    frozen_term,
    one_hots,
    parameter_gradients,
    reference_run,
    route_derivative,
)
from tests.strategies import transformers


def scale_of(values) -> float:
    return max([1.0, *map(abs, values)])


@settings(max_examples=40, deadline=None)
@given(transformers(), st.sampled_from(["all", "tokens", "positions"]))
def test_frozen_groups_are_the_papers_terms_and_add_up_to_the_logit(case, source):
    model, tokens, i, v = case
    arrays = model.arrays()
    tok, pos = one_hots(tokens, model.n_vocab, model.n_ctx)
    logits, patterns, _ = reference_run(arrays, tok, pos)
    terms = model.path_terms(tokens, i, v, source=source)
    scale = scale_of(terms.values())
    heads = [(l, h) for l in range(model.n_layers) for h in range(model.n_heads)]  # noqa: E741
    sequences = [()] + [(a,) for a in heads] + [
        (a, b) for a in heads for b in heads if a[0] < b[0]]
    if model.n_layers <= 2:
        assert set(terms) <= set(sequences)
    for key, value in terms.items():
        want = frozen_term(arrays, tokens, patterns, key, i, v, source)
        assert abs(value - want) <= 1e-12 * scale, (key, value, want)
    if source == "all":
        assert abs(math.fsum(terms.values()) - logits[i, v]) <= 1e-12 * scale
        assert abs(logits[i, v] - model.logits(tokens)[i][v].data) <= 1e-12 * scale


@settings(max_examples=40, deadline=None)
@given(transformers())
def test_every_group_through_the_scores_is_its_route_derivative(case):
    model, tokens, i, v = case
    arrays = model.arrays()
    full = model.path_terms(tokens, i, v, frozen_attention=False)
    frozen = model.path_terms(tokens, i, v, frozen_attention=True)
    scale = scale_of(full.values())
    for key, value in full.items():
        want = route_derivative(arrays, tokens, key, i, v)
        assert abs(value - want) <= 1e-10 * scale, (group_name(key), value, want)
        if all(len(label) == 2 for label in key):  # no Q or K: the frozen graph has it alike
            assert abs(value - frozen[key]) <= 1e-12 * scale
    assert set(frozen) <= set(full)
    # full minus frozen = the paths through the scores, by autograd on the one-hot inputs
    tok, pos = one_hots(tokens, model.n_vocab, model.n_ctx)
    _, patterns, _ = reference_run(arrays, tok, pos)

    def through_inputs(frozen_patterns):
        def logit(inputs):
            return reference_run(arrays, inputs[0], inputs[1], frozen_patterns)[0][i, v]
        g_tok, g_pos = autograd_grad(logit)([tok, pos])
        return float(np.sum(g_tok * tok) + np.sum(g_pos * pos))  # along the active inputs

    difference = through_inputs(None) - through_inputs(patterns)
    scores = [value for key, value in full.items() if any(len(label) == 3 for label in key)]
    assert abs(math.fsum(scores) - difference) <= 1e-10 * scale


@settings(max_examples=30, deadline=None)
@given(transformers())
def test_every_parameter_gradient_is_autograds(case):
    check_parameter_gradients(*case)


@settings(max_examples=15, deadline=None)
@given(transformers(max_layers=2, mlp=True))
def test_every_parameter_gradient_is_autograds_with_mlps(case):
    check_parameter_gradients(*case)


def check_parameter_gradients(model, tokens, i, v):
    rng = np.random.default_rng(len(tokens) + i)
    weights = rng.standard_normal((len(tokens), model.n_vocab))
    logits = model.logits(tokens)
    loss = pg.Op("Σ c·logit", lambda *xs: float(np.dot(weights.ravel(), xs)),
                 lambda *xs: tuple(weights.ravel()))(*(x for row in logits for x in row))
    grads = pg.grad(loss, model.parameters())
    want = parameter_gradients(model.arrays(), tokens, weights)
    flat = [want["W_E"].ravel(), want["W_pos"].ravel()]
    for l, layer in enumerate(want["heads"]):  # noqa: E741
        for head in layer:
            flat += [head[key].ravel() for key in "QKVO"]
        if model.d_mlp:
            flat += [want["mlps"][l][key].ravel() for key in ("W_in", "b_in", "W_out", "b_out")]
    flat.append(want["W_U"].ravel())
    expected = np.concatenate(flat)
    scale = max(1.0, float(np.max(np.abs(expected))))
    assert np.max(np.abs(np.array(grads) - expected)) <= 1e-11 * scale
    graph = pg.Graph(loss)
    for k in rng.choice(len(grads), size=min(4, len(grads)), replace=False):
        measured = pg.numeric_grad(graph, model.parameters()[k])
        assert measured == pytest.approx(grads[k], rel=1e-5, abs=1e-7 * scale)


def test_a_zero_layer_model_is_the_bigram_table():
    model = pg.AttentionOnlyTransformer(5, 3, 1, 1, 0, 4, seed=2)
    arrays = model.arrays()
    run = model.run([4, 1, 2])
    logit = run.logit(2, 3)
    token = run.token_inputs[2][2]
    stats = pg.path_stats(token, logit)
    assert stats.count == 3  # one path through each of the d_model entries of the stream
    assert stats.gradient == pytest.approx((arrays["W_U"] @ arrays["W_E"])[3, 2], rel=1e-13)
    assert model.path_terms([4, 1, 2], 2, 3, source="tokens") == {
        (): pytest.approx((arrays["W_U"] @ arrays["W_E"])[3, 2], rel=1e-13)}
    assert logit.data == pytest.approx(
        (arrays["W_U"] @ (arrays["W_E"][:, 2] + arrays["W_pos"][:, 2]))[3], rel=1e-13)


@settings(max_examples=10, deadline=None)
@given(transformers(mlp=True))
def test_graph_size_counts_every_node_a_run_makes(case):
    model, tokens, _, _ = case
    run = model.run(tokens)
    outputs = [x for row in run.logits for x in row]
    everything = pg.Op("all", lambda *xs: 0.0, lambda *xs: (0.0,) * len(xs))(*outputs)
    assert len(pg.Graph(everything)) - 1 == model.graph_size(len(tokens))


def test_the_largest_model_the_tests_use_stays_under_10_to_the_5_nodes():
    model = pg.AttentionOnlyTransformer(4, 3, 3, 2, 2, 4)
    assert model.graph_size(4) < 10**5
    with pytest.raises(pg.PathgradError, match="max_nodes=100"):
        model.run([0, 1, 2, 3], max_nodes=100)
    with pytest.raises(pg.PathgradError, match="parameters: more than max_nodes"):
        pg.AttentionOnlyTransformer(50_000, 768, 12, 64, 12, 1024)
    with pytest.raises(pg.PathgradError, match="2,001,000 parameters: more than max_nodes=2,000,"):
        pg.AttentionOnlyTransformer(1000, 1000, 1, 1, 0, 1)  # refused before any is made


def test_labels_names_and_pieces():
    model = pg.Transformer(3, 2, 2, 1, 2, 3, d_mlp=2, seed=1)
    run = model.run([0, 2])
    head = run.heads[(1, 0)]
    assert run.labels[head.v[0][0]] == (1, 0)
    assert run.labels[head.q[1][0]] == (1, 0, "Q")
    assert run.labels[head.k[0][0]] == (1, 0, "K")
    assert run.labels[model.attention[1].W_O[0][1][0]] == (1, 0)
    assert run.labels[run.mlps[1][0][0][0]] == (1, "mlp")
    assert head.z[1][0] not in run.labels and run.resid[2][0][0] not in run.labels
    assert [head_name(x) for x in ((0, 1), (1, 0, "K"), (2, "mlp"), "other", "mlp")] == [
        "L0H1", "L1H0.K", "L2MLP", "other", "mlp"]
    assert repr(model.embed) == "Embedding(n_vocab=3, d_model=2, n_ctx=3)"
    assert repr(model.mlps[1]) == "MLPBlock(layer 1, d_model=2, d_mlp=2, relu)"
    assert repr(model.attention[1]) == "MultiHeadAttention(layer 1, 2 heads of 1, d_model=2)"
    assert group_name(()) == "direct" and group_name(((0, 1), (1, 0, "Q"))) == "L0H1 → L1H0.Q"
    assert [s.name for s in run.sources()] == ["tok[0,0]", "tok[1,2]", "pos[0,0]", "pos[1,1]"]
    assert run.sources("positions") == run.sources()[2:]
    assert run.logits[1][2].name == "logit[1,2]" and run.resid[2][1][0].name == "x[2,1,0]"
    copy = pg.Transformer.from_arrays(**model.arrays())
    assert [p.data for p in copy.parameters()] == [p.data for p in model.parameters()]
    assert [p.name for p in copy.parameters()] == [p.name for p in model.parameters()]
    assert repr(copy) == repr(model) == ("Transformer(n_vocab=3, d_model=2, n_heads=2, "
                                         "d_head=1, n_layers=2, n_ctx=3, d_mlp=2)")


def test_composition_scores_follow_transformerlens_definitions():
    """TransformerLens keeps rows as vectors: its ``W_Q`` is our ``W_Q.T`` and so on, its OV is
    ``W_V W_O``, its QK is ``W_Q W_K^T``, and a score is ``‖left @ right‖ / (‖left‖ ‖right‖)``
    with ``left = OV`` of the earlier head and ``right = QK``, ``QK^T`` or ``OV``."""
    model = pg.AttentionOnlyTransformer(3, 4, 2, 2, 3, 3, seed=5)
    heads = model.arrays()["heads"]
    tl = [[{key: head[key].T for key in "QKVO"} for head in layer] for layer in heads]
    for mode in ("Q", "K", "V"):
        scores = model.composition_scores(mode)
        for l1 in range(3):
            for h1 in range(2):
                for l2 in range(3):
                    for h2 in range(2):
                        left = tl[l1][h1]["V"] @ tl[l1][h1]["O"]
                        qk = tl[l2][h2]["Q"] @ tl[l2][h2]["K"].T
                        right = {"Q": qk, "K": qk.T, "V": tl[l2][h2]["V"] @ tl[l2][h2]["O"]}[mode]
                        want = np.linalg.norm(left @ right) / (
                            np.linalg.norm(left) * np.linalg.norm(right)) if l2 > l1 else 0.0
                        assert scores[l1, h1, l2, h2] == pytest.approx(want, rel=1e-12)
    assert not np.allclose(model.composition_scores("Q"), model.composition_scores("K"))


def test_graphs_for_pictures():
    model = pg.AttentionOnlyTransformer(3, 2, 2, 1, 2, 3, seed=4)
    coarse = model.graph([0, 1, 2], 2, 1)
    assert coarse.root.name == "embed" and coarse.output.name == "logit[2,1]"
    assert coarse.output.data == pytest.approx(model.logits([0, 1, 2])[2][1].data, rel=1e-12)
    assert {n.name for n in coarse.nodes} >= {"L0H0", "L1H1", "L0H1 → L1H0"}
    fine = model.graph([0, 1, 2], 2, 1, level="ops")
    assert fine.output.name == "logit[2,1]" and len(fine) > len(coarse)
    tokens_only = model.graph([0, 1, 2], 2, 1, source="tokens")
    assert tokens_only.root.name == "token embed"


def test_bad_input_says_what_is_wrong():
    model = pg.AttentionOnlyTransformer(3, 2, 1, 1, 1, 3, seed=0)
    for tokens, message in (([], "1 to n_ctx = 3 tokens"), ([0, 1, 2, 0], "1 to n_ctx"),
                            ([0, 3], r"tokens\[1\] is 3"), ([0, 1.0], r"tokens\[1\] is 1.0"),
                            ("ab", "list of token ids"), ([True], r"tokens\[0\] is True")):
        with pytest.raises(pg.PathgradError, match=message):
            model.logits(tokens)
    with pytest.raises(pg.PathgradError, match="position must be"):
        model.path_terms([0, 1], 2, 0)
    with pytest.raises(pg.PathgradError, match="token must be"):
        model.path_terms([0, 1], 1, 3)
    with pytest.raises(pg.PathgradError, match="source must be one of"):
        model.path_terms([0, 1], 1, 0, source="heads")
    with pytest.raises(pg.PathgradError, match="level must be one of"):
        model.graph([0], 0, 0, level="neuron")
    with pytest.raises(pg.PathgradError, match="mode must be one of"):
        model.composition_scores("O")
    with pytest.raises(pg.PathgradError, match="W_U must have shape 3 × 2"):
        pg.AttentionOnlyTransformer.from_arrays(**{**model.arrays(), "W_U": np.zeros((2, 3))})
    with pytest.raises(TypeError, match="heads is a list"):
        pg.AttentionOnlyTransformer.from_arrays(**{**model.arrays(), "heads": {"Q": 1}})
    with pytest.raises(pg.PathgradError, match="has no MLPs"):
        pg.AttentionOnlyTransformer.from_arrays(
            **model.arrays(), mlps=[{"W_in": np.zeros((1, 2))}])
    with pytest.raises(pg.PathgradError, match="d_mlp"):
        pg.Transformer(3, 2, 1, 1, 1, 3, d_mlp=0)
    with pytest.raises(pg.PathgradError, match="weights is a dict"):
        pg.Transformer(3, 2, 1, 1, 1, 3, weights={"W_X": 1})
    with pytest.raises(pg.PathgradError, match="one entry per layer"):
        pg.Transformer(3, 2, 1, 1, 2, 3, weights={"heads": [[{}]]})
    with pytest.raises(pg.PathgradError, match="keys among W_in"):
        pg.Transformer(3, 2, 1, 1, 1, 3, d_mlp=2, weights={"mlps": [{"W_up": 1}]})
    with pytest.raises(pg.PathgradError, match="W_in must have shape 2 × 2"):
        MLPBlock(2, 2, W_in=np.zeros(3))
    with pytest.raises(pg.PathgradError, match="has no MLPs"):
        pg.Transformer(3, 2, 1, 1, 1, 3, weights={"mlps": [{}]})
    assert Embedding(3, 2, 3)([0, 2])[0][1][2].data == 1.0
