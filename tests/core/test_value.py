"""Hand-derived cases, operations and bad input for Value."""

from __future__ import annotations

import copy
import gc
import math

import pytest

import pathgrad as pg
from pathgrad.support.errors import NotFiniteError, PathgradValueError


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_single_sigmoid_neuron_with_quadratic_cost_by_hand():
    w, x, b = pg.Value(0.5, name="w"), pg.Value(1.5, name="x"), pg.Value(-0.2, name="b")
    C = 0.5 * ((w * x + b).sigmoid() - 1.0) ** 2
    z = 0.5 * 1.5 - 0.2
    a = sigmoid(z)
    delta = (a - 1.0) * a * (1.0 - a)  # BP1 for one neuron: (a - y) σ'(z)
    C.backward()
    assert C.data == pytest.approx(0.5 * (a - 1.0) ** 2, rel=1e-15)
    assert w.grad == pytest.approx(delta * 1.5, rel=1e-14)  # BP4: a_in δ
    assert x.grad == pytest.approx(delta * 0.5, rel=1e-14)
    assert b.grad == pytest.approx(delta, rel=1e-14)  # BP3
    assert pg.grad(C, [w])[0] == w.grad
    assert pg.forward_grad(C, w) == pytest.approx(w.grad, rel=1e-15)
    assert pg.path_sum(w, C) == pytest.approx(w.grad, rel=1e-15)
    assert pg.count_paths(w, C) == 1


def test_x_times_x_keeps_two_parallel_edges():
    x = pg.Value(3.0)
    y = x * x
    assert y.parents == (x, x)
    assert y.rates == (3.0, 3.0)
    assert pg.count_paths(x, y) == 2
    assert [p.product for p in pg.paths(x, y)] == [3.0, 3.0]
    assert pg.grad(y, [x]) == [6.0]
    assert pg.forward_grad(y, x) == 6.0


def test_the_two_paths_of_a_plus_b_times_b_plus_one():
    a, b = pg.Value(2.0, name="a"), pg.Value(1.0, name="b")
    e = (a + b) * (b + 1)
    products = sorted(p.product for p in pg.paths(b, e))
    assert products == [2.0, 3.0]
    assert pg.path_sum(b, e) == 5.0
    assert pg.grad(e, [a, b]) == [2.0, 5.0]


def test_python_numbers_are_constants_not_nodes():
    x = pg.Value(2.0)
    y = 3 * x + 1
    graph = pg.Graph(y)
    assert len(graph) == 3  # x, 3*x, 3*x + 1
    assert graph.leaves == [x]
    assert pg.grad(y, [x]) == [3.0]


@pytest.mark.parametrize(
    ("make", "value", "slope"),
    [
        (lambda x: x + 2, 3.5, 1.0),
        (lambda x: 2 + x, 3.5, 1.0),
        (lambda x: x - 2, -0.5, 1.0),
        (lambda x: 2 - x, 0.5, -1.0),
        (lambda x: x * 4, 6.0, 4.0),
        (lambda x: 4 * x, 6.0, 4.0),
        (lambda x: x / 4, 0.375, 0.25),
        (lambda x: 3 / x, 2.0, -3 / 1.5**2),
        (lambda x: -x, -1.5, -1.0),
        (lambda x: x**3, 3.375, 3 * 1.5**2),
        (lambda x: 2**x, 2**1.5, 2**1.5 * math.log(2)),
        (lambda x: x**x, 1.5**1.5, 1.5**1.5 * (math.log(1.5) + 1)),
        (lambda x: x.exp(), math.exp(1.5), math.exp(1.5)),
        (lambda x: x.log(), math.log(1.5), 1 / 1.5),
        (lambda x: x.sigmoid(), sigmoid(1.5), sigmoid(1.5) * (1 - sigmoid(1.5))),
        (lambda x: x.tanh(), math.tanh(1.5), 1 - math.tanh(1.5) ** 2),
        (lambda x: x.relu(), 1.5, 1.0),
        (lambda x: (-x).relu(), 0.0, 0.0),
        # relu'(0) = 0, as in the matrix engine's (z > 0) and the arithmetic fast path
        (lambda x: (x - 1.5).relu(), 0.0, 0.0),
        (lambda x: x**0, 1.0, 0.0),
        (lambda x: x**2.0, 2.25, 3.0),
        # float constants take Value's arithmetic fast paths, int ones the general Op path
        (lambda x: x + 2.0, 3.5, 1.0),
        (lambda x: 2.0 + x, 3.5, 1.0),
        (lambda x: x - 2.0, -0.5, 1.0),
        (lambda x: 2.0 - x, 0.5, -1.0),
        (lambda x: x * 4.0, 6.0, 4.0),
        (lambda x: 4.0 * x, 6.0, 4.0),
        (lambda x: x / 4.0, 0.375, 0.25),
        (lambda x: 3.0 / x, 2.0, -3 / 1.5**2),
    ],
)
def test_each_operation_value_and_rate(make, value, slope):
    x = pg.Value(1.5)
    y = make(x)
    assert y.data == pytest.approx(value, rel=1e-15)
    assert pg.grad(y, [x])[0] == pytest.approx(slope, rel=1e-14)
    # Re-evaluation recomputes every rate through the operation itself: the same slope.
    graph = pg.Graph(y)
    again = graph.evaluate({x: 1.5})
    assert again.C.data == pytest.approx(value, rel=1e-15)
    assert pg.grad(again, [again.nodes[graph.index[x]]])[0] == pytest.approx(slope, rel=1e-14)


def test_sigmoid_is_stable_for_large_negative_input():
    z = pg.Value(-800.0)
    a = z.sigmoid()
    assert a.data == 0.0
    assert a.rates == (0.0,)


def test_backward_gives_fresh_gradients_on_every_call():
    x = pg.Value(2.0)
    y = x * x + x
    y.backward()
    y.backward()
    assert x.grad == 5.0
    z = x * 10
    z.backward()
    assert x.grad == 10.0


def test_node_not_reaching_the_output_has_gradient_zero_no_paths_and_a_warning():
    x, unrelated = pg.Value(1.0), pg.Value(2.0, name="u")
    y = x.exp()
    for who, call, answer in [
        ("grad", lambda: pg.grad(y, [unrelated]), [0.0]),
        ("forward_grad", lambda: pg.forward_grad(y, unrelated), 0.0),
        ("count_paths", lambda: pg.count_paths(unrelated, y), 0),
        ("paths", lambda: list(pg.paths(unrelated, y)), []),
        ("path_sum", lambda: pg.path_sum(unrelated, y), 0.0),
    ]:
        with pytest.warns(pg.PathgradWarning, match=f"^{who}: u does not reach exp ") as caught:
            assert call() == answer
        assert len(caught) == 1 and caught[0].filename == __file__  # points at this line


def test_user_defined_operation_is_made_like_the_builtins():
    softplus = pg.Op(
        "softplus",
        lambda z: math.log1p(math.exp(z)),
        lambda z: 1.0 / (1.0 + math.exp(-z)),
    )
    z = pg.Value(0.3)
    a = softplus(z * 2, name="a")
    assert a.name == "a"
    assert a.op is softplus
    assert a.data == pytest.approx(math.log1p(math.exp(0.6)))
    assert pg.grad(a, [z])[0] == pytest.approx(2 * sigmoid(0.6), rel=1e-15)
    # Re-evaluation goes through the user's operation too.
    assert pg.Graph(a).value_at({z: 1.0}) == pytest.approx(math.log1p(math.exp(2.0)))
    assert pg.numeric_grad(a, z) == pytest.approx(2 * sigmoid(0.6), rel=1e-8)


def test_two_operand_user_operation_with_a_constant():
    hypot = pg.Op(
        "hypot",
        math.hypot,
        lambda x, y: (x / math.hypot(x, y), y / math.hypot(x, y)),
    )
    x = pg.Value(3.0)
    h = hypot(x, 4.0)
    assert h.data == 5.0
    assert h.parents == (x,)
    assert h.rates == (0.6,)
    assert pg.Graph(h).value_at({x: 0.0}) == 4.0


def test_user_operation_with_wrong_number_of_partials_is_refused():
    bad = pg.Op("bad", lambda x, y: x + y, lambda x, y: (1.0,))
    with pytest.raises(ValueError, match="1 partial derivatives for 2 operands"):
        bad(pg.Value(1.0), pg.Value(2.0))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: pg.Value(-1.0).log(), r"log\(leaf=-1\): log needs a positive operand"),
        (lambda: pg.Value(0.0).log(), "log needs a positive operand"),
        (lambda: pg.Value(1.0) / 0, "division by zero"),
        (lambda: 1 / pg.Value(0.0), "division by zero"),
        (lambda: pg.Value(1.0) / pg.Value(0.0), "division by zero"),
        (lambda: pg.Value(800.0).exp(), r"exp\(leaf=800\) failed: the result overflows"),
        (lambda: pg.Value(10.0) ** 400.0, r"pow\(leaf=10, 400.0\) failed: the result over"),
        (lambda: pg.Value(2.0) ** pg.Value(2000.0), r"pow\(.*\) failed: the result overflows"),
        (lambda: pg.Value(10**400), r"^Value: the number 10000000\.\.\.0000 \(401 digits\) is too"),
        (lambda: pg.Value(1.0) * 10**400, "^operand of mul: the number .* too large for a float"),
        (lambda: pg.Value(1.0) ** -(10**400), "^operand of pow: the number .* too large"),
        (lambda: (lambda x: pg.Graph(x * 2.0).value_at({x: 10**400}))(pg.Value(1.0, name="x")),
         "^new value for x: the number .* too large for a float"),
        (lambda: pg.Value(1e200) * pg.Value(1e200), "not a finite real number"),
        (lambda: pg.Value(1e300) * 1e300, "not a finite real number"),
        (lambda: pg.Value(1e308) + pg.Value(1e308), "not a finite real number"),
        (lambda: pg.Value(-2.0) ** 0.5, "negative base to a non-integer power"),
        (lambda: pg.Value(-2.0) ** pg.Value(2.0), "needs a positive base"),
        (lambda: (-2) ** pg.Value(2.0), "needs a positive base"),
        (lambda: pg.Value(0.0) ** -1, "zero to a power below 1"),
        (lambda: pg.Value(0.0) ** 0.5, "zero to a power below 1"),
        (lambda: pg.Value(float("nan")), "non-finite number nan"),
        (lambda: pg.Value(float("inf")), "non-finite number inf"),
        (lambda: pg.Value(1.0) + float("nan"), "non-finite number nan"),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_operation(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: pg.Value("3"),
        lambda: pg.Value(None),
        lambda: pg.Value(True),
        lambda: pg.Value(1.0) + "2",
        lambda: pg.Value(1.0) * [2],
        lambda: pg.Value(1.0) ** "x",
        lambda: pg.Value(2j),
    ],
)
def test_non_number_operands_raise_a_type_error(make):
    with pytest.raises(TypeError, match="expected a real number or a Value"):
        make()


def test_integer_power_of_a_negative_base_is_fine():
    x = pg.Value(-2.0)
    y = x**3
    assert y.data == -8.0
    assert pg.grad(y, [x]) == [12.0]


def test_labels_and_repr():
    x = pg.Value(1.0, name="w^2_12")
    y = x * 2
    assert x.label == "w^2_12"
    assert y.label == "mul" and pg.Value(3.0).label == "leaf"
    assert repr(x) == "Value(1, name='w^2_12')"
    assert y.operands == (x, 2)


def test_backward_from_an_inner_node_writes_its_ancestors_and_nothing_else():
    """The rule of the README: b.backward() sets ∂b/∂node on b and what b is computed from;
    C, and what only C depends on, keep the earlier sweep's ∂C/∂node."""
    a, c = pg.Value(2.0, name="a"), pg.Value(5.0, name="c")
    b = a * 3.0
    d = c * c
    C = b * b + d
    C.backward()
    assert (a.grad, b.grad, c.grad, d.grad, C.grad) == (36.0, 12.0, 10.0, 1.0, 1.0)
    b.backward()
    assert (a.grad, b.grad) == (3.0, 1.0)  # ∂b/∂a, ∂b/∂b
    assert (c.grad, d.grad, C.grad) == (10.0, 1.0, 1.0)  # untouched: ∂C/∂node from before
    b.backward()
    assert (a.grad, b.grad) == (3.0, 1.0)  # recomputed, not accumulated
    assert pg.grad(C, [a, c]) == [36.0, 10.0] and a.grad == 3.0  # grad writes nothing


def test_backward_is_not_fooled_by_any_grad_left_on_a_node():
    """The walk marks nodes in ``grad``: whatever an earlier call, micrograd's zero_grad (an
    int 0) or a user left there, every ancestor is walked once and gets its true gradient."""
    x = pg.Value(0.5, name="x")
    h = x.tanh() * x
    C = (h * h + h).exp() * 2.0
    want = pg.grad(C, [x, h])
    for leftover in (0, 0.0, -0.0, float("nan"), None, object(), "grad"):
        for node in pg.topological_order(C):
            node.grad = leftover
        C.backward()
        assert [x.grad, h.grad, C.grad] == [*want, 1.0]
    # A sweep stopped half way (its marks left behind) does not confuse the next one.
    h.grad = object()
    C.backward()
    assert [x.grad, h.grad] == want


def test_a_node_of_one_or_two_parents_holds_its_edges_without_a_tuple():
    """The garbage collector tracks one object per such node, not three (node, parents, rates)."""
    a, b = pg.Value(2.0), pg.Value(3.0)
    for node in (a * 0.25, 0.25 * a, a + b, a * b, a + 1.0, a - b, a - 1.0, a.relu(), a.exp()):
        held = gc.get_referents(node)
        assert not any(isinstance(x, tuple) for x in held if x is not node.args), node.op
        assert sum(isinstance(x, pg.Value) for x in held) == len(node.parents) > 0
    minus, plus = (a * -0.0).rates[0], (a * 0.0).rates[0]
    assert math.copysign(1.0, minus) == -1.0 and math.copysign(1.0, plus) == 1.0
    assert (a * 0.25).args == (a, 0.25) and (0.25 * a).args == (0.25, a)
    assert (a * b).rates == (3.0, 2.0) and (a - b).rates == (1.0, -1.0)
    three = pg.OPS["add"](a, b, name="s") + pg.Value(1.0)
    many = pg.Op("sum3", lambda x, y, z: x + y + z, lambda x, y, z: (1.0, 2.0, 3.0))(a, b, a)
    assert many.parents == (a, b, a) and many.rates == (1.0, 2.0, 3.0)
    assert three.parents[0].name == "s" and len(three.parents) == 2


def test_a_node_of_constants_alone_is_swept_as_a_node_with_no_parents():
    k = pg.OPS["add"](1.0, 2.0)  # an operation node with no Value operand
    x = pg.Value(4.0)
    C = x * k + k * x
    C.backward()
    assert (x.grad, k.grad, C.grad) == (6.0, 8.0, 1.0)
    assert k.op is pg.OPS["add"] and k.parents == ()


def test_a_copy_is_a_node_of_its_own():
    """``C = y + copy.copy(y)`` once gave x.grad = 3 where pg.grad said 6: the copy shared the
    original's bookkeeping. Now a copy is a new node with the same parents and rates."""
    x = pg.Value(2.0, name="x")
    y = x * 3.0
    twin = copy.copy(y)
    assert twin is not y and twin.parents == y.parents and twin.rates == y.rates
    assert (twin.data, twin.op, twin.operands) == (y.data, y.op, y.operands)
    c = y + twin
    c.backward()
    assert x.grad == 6.0 == pg.grad(c, [x])[0] == pg.forward_grad(c, x)
    assert pg.count_paths(x, c) == 2 and len(pg.Graph(c)) == 4
    y.grad = 5.0
    assert copy.copy(y).grad == 5.0


def test_a_deep_copy_copies_the_graph_below_once_each_and_without_recursion():
    x = pg.Value(1.5, name="x")
    shared = x * x
    top = shared.exp() + 2.0 / shared
    clone = copy.deepcopy(top)
    graph, copied = pg.Graph(top), pg.Graph(clone)
    assert len(copied) == len(graph)
    assert not set(map(id, copied.nodes)) & set(map(id, graph.nodes))  # nothing shared
    assert [n.data for n in copied] == [n.data for n in graph]
    assert [n.rates for n in copied] == [n.rates for n in graph]
    assert [n.name for n in copied] == [n.name for n in graph]
    x_copy = copied.find("x")
    assert pg.grad(clone, [x_copy]) == pg.grad(top, [x])
    divide = next(n for n in copied if n.op is not None and n.op.name == "div")
    assert divide.operands[0] == 2.0 and divide.operands[1] in copied  # constants kept
    chain = x
    for _ in range(100_000):
        chain = chain * 1.0
    long = copy.deepcopy(chain)
    assert len(pg.Graph(long)) == 100_001 and long.data == 1.5
    model = pg.nn.MLP(2, [3, 1])
    twin = copy.deepcopy(model)
    assert [p.data for p in twin.parameters()] == [p.data for p in model.parameters()]
    assert not set(map(id, twin.parameters())) & set(map(id, model.parameters()))


def test_every_node_maker_checks_what_it_makes():
    x = pg.Value(1.0, name="x")
    with pytest.raises(pg.PathgradError, match="the mul node z would hold the value inf"):
        pg.Value._make(math.inf, (x,), (1.0,), pg.value.MUL, None, "z")
    with pytest.raises(pg.PathgradError, match="the rate factor of its edge from x is nan"):
        pg.Value._make(1.0, (x,), (math.nan,), pg.value.MUL, None, "z")
    big = pg.Value._make(1.0, (x, x), (1e308, 1e308), pg.value.ADD)  # only their sum overflows
    assert big.rates == (1e308, 1e308)


def test_an_operation_that_overflows_is_refused_by_name_also_when_a_graph_is_re_run():
    """The operation's own check names the call (``mul(1e+300, 1e+300) gave inf``), and it is
    the only check a re-run graph has: Graph.evaluate makes its nodes from checked results."""
    with pytest.raises(PathgradValueError, match=r"mul\(.*\) gave inf, not a finite real"):
        pg.Value(1e300) * 1e300
    x = pg.Value(1.0, name="x")
    graph = pg.Graph(x * 1e300)
    with pytest.raises(PathgradValueError, match=r"gave inf, not a finite real number"):
        graph.evaluate({x: 1e300})


def test_a_huge_integer_is_shown_whole_up_to_twenty_characters_then_cut():
    whole, cut = 10**400 // 10**381, 10**400  # 20 digits; 401 digits
    assert len(repr(whole)) == 20
    assert pg.value._short(whole) == repr(whole)
    assert pg.value._short(10**20) == "10000000...0000 (21 digits)"
    with pytest.raises(PathgradValueError, match=r"10000000\.\.\.0000 \(401 digits\)"):
        pg.Value(1.0) * cut


def test_a_leaf_is_a_leaf_and_an_operation_node_is_not():
    x = pg.Value(2.0)
    assert x.is_leaf is True and (x * 3).is_leaf is False


def test_a_rate_factor_that_overflows_is_refused_by_name_also_when_a_graph_is_re_run():
    """log at a subnormal number: a finite value, and the rate 1/x past the float range."""
    with pytest.raises(PathgradValueError, match=r"log\(.*\) has the partial derivative inf"):
        pg.Value(1e-320).log()
    x = pg.Value(1.0, name="x")
    graph = pg.Graph(x.log())
    with pytest.raises(PathgradValueError, match=r"has the partial derivative inf, not a finite"):
        graph.evaluate({x: 1e-320})


def test_a_gradient_that_overflows_only_where_a_leafs_paths_meet_names_the_leaf():
    """``C = x·1e308 + x·1e308`` at x = 1e-300: every value and every operation node's gradient
    is finite, and x's two paths add up to inf at x itself; backward names x and leaves every
    gradient at 0."""
    x = pg.Value(1e-300, name="x")
    C = x * 1e308 + x * 1e308
    with pytest.raises(NotFiniteError, match=r"∂add/∂x is inf"):
        C.backward()
    assert x.grad == 0.0 and C.grad == 0.0


@pytest.mark.parametrize("arity", [1, 2, 3])
def test_a_gradient_that_overflows_at_a_leaf_is_refused_whatever_the_arity_of_its_child(arity):
    """The leaf's one path multiplies 1e200 by 1e200: every node's gradient but the leaf's is
    finite, whether the node above it keeps one, two or several edges (each kind of node stores
    its edges its own way)."""
    x = pg.Value(2.0, name="x")
    others = [pg.Value(1.0) for _ in range(arity - 1)]
    steep = pg.Op("steep", lambda *v: sum(v), lambda *v: (1e200,) + (1.0,) * (len(v) - 1))
    C = steep(x, *others) * 1e200
    with pytest.raises(NotFiniteError, match=r"∂mul/∂x is inf"):
        C.backward()
    assert x.grad == 0.0


def test_a_gradient_that_overflows_at_an_operation_on_constants_only_is_refused():
    """An operation applied to numbers alone is a node with no parents: its paths end there,
    as at a leaf, so its gradient is checked like a leaf's."""
    steep = pg.Op("steep", lambda z: z * 1e-300, lambda z: 1e300)
    k = steep(2.0)
    k.name = "k"
    C = steep(steep(k)) + pg.Value(1.0, name="x")
    with pytest.raises(NotFiniteError, match=r"∂add/∂k is inf"):
        C.backward()
    assert k.grad == 0.0
