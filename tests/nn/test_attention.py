"""Softmax as one node per probability, and one attention head, against numpy and autograd."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.nn import AttentionHead, MultiHeadAttention, softmax
from pathgrad.nn.attention import linear_op, softmax_op
from tests.reference import head_pattern

SCORES = st.lists(st.floats(-30, 30, allow_nan=False), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(SCORES)
def test_softmax_values_and_rate_factors(scores):
    s = [pg.Value(x, name=f"s{k}") for k, x in enumerate(scores)]
    p = softmax(s, [f"p{j}" for j in range(len(s))])
    e = np.exp(np.array(scores) - max(scores))
    want = e / e.sum()
    assert [node.name for node in p] == [f"p{j}" for j in range(len(s))]
    for j, node in enumerate(p):
        assert node.parents == tuple(s)  # one node per output, an edge from every score
        assert node.data == pytest.approx(want[j], rel=1e-12, abs=1e-300)
        for k, rate in enumerate(node.rates):  # p_j (δ_jk − p_k)
            assert rate == pytest.approx(want[j] * ((j == k) - want[k]), rel=1e-9, abs=1e-15)
    if max(scores) - min(scores) < 5:  # measured, where the slopes are not tiny
        for node in p:
            for k in range(len(s)):
                measured = pg.numeric_grad(node, s[k])
                assert measured == pytest.approx(node.rates[k], rel=1e-6, abs=1e-10)


def test_softmax_refuses_nothing_to_normalise_and_names_nothing_unasked():
    with pytest.raises(ValueError, match="at least one score"):
        softmax([])
    p = softmax([pg.Value(1.0), 2.0])  # numbers are constants: one parent each
    assert [node.name for node in p] == [None, None] and len(p[0].parents) == 1
    assert math.fsum(node.data for node in p) == pytest.approx(1.0, rel=1e-15)
    assert softmax_op(3, 2)(0.0, 0.0, 0.0).data == pytest.approx(1 / 3, rel=1e-15)
    with pytest.raises(pg.PathgradError, match="softmax output"):
        softmax_op(3, 3)  # outputs count 0 to n - 1


def test_linear_op_rates():
    op = linear_op(1, 2, 0.5)
    x, a1, a2, b1, b2 = (pg.Value(v) for v in (1.0, 2.0, 3.0, 5.0, 7.0))
    node = op(x, a1, a2, b1, b2)
    assert node.data == 1.0 + 0.5 * (2 * 5 + 3 * 7)
    assert node.rates == (1.0, 2.5, 3.5, 1.0, 1.5)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 5), st.integers(0, 2**31),
       st.booleans())
def test_a_head_is_the_papers_formula(d_model, d_head, n, seed, frozen):
    head = AttentionHead(d_model, d_head, layer=2, head=1, seed=seed)
    rng = np.random.default_rng(seed + 1)
    X = rng.standard_normal((d_model, n))
    x = [[pg.Value(float(X[d, i])) for d in range(d_model)] for i in range(n)]
    run = head(x, frozen_attention=frozen)
    arrays = {key: value for key, value in head.arrays().items()}
    A = head_pattern(X, arrays)
    assert np.allclose(run.pattern_array(), A, rtol=1e-12, atol=1e-15)
    Z = arrays["V"] @ X @ A.T
    assert np.allclose([[z.data for z in row] for row in run.z], Z.T, rtol=1e-12, atol=1e-14)
    assert run.z[n - 1][d_head - 1].name == f"z[2,1,{n - 1},{d_head - 1}]"
    assert run.pattern[n - 1][0].name == f"A[2,1,{n - 1},0]"
    z = run.z[-1][0]
    if frozen:  # the pattern enters as constants: only the values are parents
        assert set(z.parents) == {run.v[j][0] for j in range(n)}
    else:
        assert set(z.parents) == {*run.pattern[-1], *(run.v[j][0] for j in range(n))}
    for j in range(n):  # the edge from v_j carries the pattern A_ij either way
        assert z.rates[list(z.parents).index(run.v[j][0])] == run.pattern[-1][j].data


def test_multi_head_attention_adds_each_heads_output_to_the_stream():
    rng = np.random.default_rng(3)
    heads = [{key: rng.standard_normal(shape) for key, shape in
              (("Q", (2, 3)), ("K", (2, 3)), ("V", (2, 3)), ("O", (3, 2)))} for _ in range(2)]
    attention = MultiHeadAttention(3, 2, 2, layer=0, heads=heads)
    X = rng.standard_normal((3, 4))
    out, runs = attention([[float(v) for v in column] for column in X.T])
    want = X + sum(h["O"] @ h["V"] @ X @ head_pattern(X, h).T for h in heads)
    assert np.allclose([[v.data for v in row] for row in out], want.T, rtol=1e-12)
    assert [(r.layer, r.head) for r in runs] == [(0, 0), (0, 1)]
    assert out[3][2].name == "x[1,3,2]"
    got = attention.arrays()
    assert all(np.array_equal(got[h][key], heads[h][key]) for h in range(2) for key in "QKVO")
    assert len(attention.parameters()) == 2 * (3 * 6 + 6)


def test_bad_shapes_and_arguments_say_what_is_wrong():
    with pytest.raises(ValueError, match=r"W_Q must have shape 2 × 3"):
        AttentionHead(3, 2, W_Q=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="NaN or an infinity"):
        AttentionHead(1, 1, W_K=[[math.inf]])
    with pytest.raises(ValueError, match="d_head must be a whole number"):
        AttentionHead(3, 0)
    head = AttentionHead(2, 1)
    assert head([[1.0, 2.0]]).z[0][0].name == "z[0,0,0,0]"  # layer 0, head 0 unless told
    with pytest.raises(ValueError, match="position 1 has 3 entries"):
        head([[1.0, 2.0], [1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="at least one position"):
        head([])
    with pytest.raises(TypeError, match="list of 3 dicts"):
        MultiHeadAttention(2, 3, 1, heads=[{}])
    with pytest.raises(ValueError, match="keys among 'Q', 'K', 'V', 'O'"):
        MultiHeadAttention(2, 1, 1, heads=[{"W_Q": 1}])
