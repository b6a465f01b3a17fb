"""Scalar nodes whose edges remember their rate factors.

A :class:`Value` is one node of a computational graph. When an operation makes a new node
from its operands it stores, for each operand, an edge back to it together with the edge's
*rate factor*: the local partial derivative of the new node with respect to that operand,
evaluated at the operands' current values. For ``c = a * b`` the two edges carry ``b`` and
``a``; for ``a = sigmoid(z)`` the one edge carries ``sigma'(z)``.

That is all the calculus there is. Everything else in pathgrad (the reverse sweep that is
backpropagation, the forward sweep, the sum over paths of equations 47-53) only multiplies
and adds these stored numbers.

Design points, each against a known weakness of small autograd engines:

* Parallel edges are kept: ``x * x`` has two edges from ``x``, each with rate ``x``, so the
  two paths add up to ``2x``.
* Python numbers are constants: ``2 * x`` stores the ``2`` inside the node, not as a node.
* Every node keeps its :class:`Op` and operands, so a graph can be re-evaluated at other leaf
  values (finite differences, equation 46, are built on that).
* No closures and no reference cycles: a node refers only to its parents, so the garbage
  collector never has a cycle to chase, and it has one object per node to look at: the one
  or two edges of almost every node are slots of the node itself, not tuples of their own.
* ``backward()`` visits the graph in an order found without recursion and recomputes every
  gradient from zero on each call.
* Bad input (``log(-1)``, ``1/0``, an overflow, a string operand) raises a ``ValueError`` or
  ``TypeError`` that names the operation and its operands, never a silent NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from numbers import Real
from operator import attrgetter
from typing import Any, Union

from .slopes import sigmoid, sigmoid_prime, tanh_prime
from .support.errors import NotFiniteError, PathgradTypeError, PathgradValueError

Number = int | float
Operand = Union["Value", int, float]

_isfinite = math.isfinite
_new = object.__new__
_grad_of = attrgetter("grad")


def _describe(x: object) -> str:
    if isinstance(x, Value):
        return f"{x.label}={x.data:.6g}"
    return repr(x)


def _as_float(x: object, where: str) -> float:
    if type(x) is float and _isfinite(x):
        return x  # the common case, without the slower check against the abstract Real
    if isinstance(x, bool) or not isinstance(x, Real):
        raise PathgradTypeError(
            f"{where}: expected a real number or a Value, got {type(x).__name__} {x!r}; "
            "convert it with float(...) or wrap it in pathgrad.Value(...)"
        )
    try:
        value = float(x)
    except OverflowError:
        raise PathgradValueError(
            f"{where}: the number {_short(x)} is too large for a float (the largest is "
            "about 1.8e308); scale it down"
        ) from None
    if not _isfinite(value):
        raise PathgradValueError(
            f"{where}: got the non-finite number {value!r}; use a finite value"
        )
    return value


def _short(x: object) -> str:
    text = repr(x)
    return text if len(text) <= 20 else f"{text[:8]}...{text[-4:]} ({len(text)} digits)"


def _arithmetic_problem(error: ArithmeticError | ValueError) -> str:
    """What Python's arithmetic error means, in words (its own text is often an errno pair)."""
    if isinstance(error, OverflowError):
        return "the result overflows: it is larger than the largest float (about 1.8e308)"
    if isinstance(error, ZeroDivisionError):
        return "division by zero"
    if str(error) == "math domain error":
        return "an operand is outside the function's domain"
    return str(error)


class Op:
    """An operation: a value function and the partial derivatives of that function.

    ``fn(*xs)`` gives the result from the operand values; ``partials(*xs)`` gives one partial
    derivative per operand, the rate factors of the new node's edges. A user-defined
    operation is made exactly like the built-in ones (softplus, below). ``partials`` may
    return a bare number for a one-operand operation.

    Equations 51-53: ``partials`` are the rate factors of the new node's edges, the local
    derivatives a path multiplies along the way.

    >>> import math
    >>> import pathgrad as pg
    >>> softplus = pg.Op("softplus", lambda z: math.log1p(math.exp(z)),
    ...                  lambda z: 1.0 / (1.0 + math.exp(-z)))
    >>> a = softplus(pg.Value(0.0, name="z"))
    >>> round(a.data, 6), a.rates        # log 2, and one edge of rate σ(0)
    (0.693147, (0.5,))
    """

    __slots__ = ("name", "fn", "partials", "check")

    def __init__(
        self,
        name: str,
        fn: Callable[..., float],
        partials: Callable[..., Sequence[float] | float],
        check: Callable[..., str | None] | None = None,
    ) -> None:
        self.name = name
        self.fn = fn
        self.partials = partials
        self.check = check

    def __repr__(self) -> str:
        return f"Op({self.name!r})"

    def __call__(self, *operands: Operand, name: str | None = None) -> Value:
        """Apply the operation to Values and/or Python numbers and return the new node."""
        values = [_operand_value(x, self.name) for x in operands]
        data, rates = self.evaluate(values, operands)  # checked finite there
        edges = [i for i, x in enumerate(operands) if isinstance(x, Value)]
        if len(edges) == len(operands):
            return Value._made_finite(data, operands, rates, self, None, name)
        parents = tuple(operands[i] for i in edges)
        return Value._made_finite(data, parents, tuple(rates[i] for i in edges), self, operands,
                                  name)

    def evaluate(self, values: Sequence[float], operands: Sequence[object] = ()) -> tuple:
        """The result and the rate factors at the given operand values, checked for NaN/inf."""
        shown = operands or values
        if self.check is not None:
            problem = self.check(*values)
            if problem:
                raise PathgradValueError(f"{self._call_text(shown)}: {problem}")
        try:
            data = self.fn(*values)
            rates = self.partials(*values)
        except (ArithmeticError, ValueError) as error:
            raise PathgradValueError(
                f"{self._call_text(shown)} failed: {_arithmetic_problem(error)}"
            ) from None
        if isinstance(rates, (int, float)):
            rates = (rates,)
        if len(rates) != len(values):
            raise PathgradValueError(
                f"operation {self.name!r} gave {len(rates)} partial derivatives for "
                f"{len(values)} operands; return one per operand"
            )
        if not isinstance(data, (int, float)) or not _isfinite(data):
            raise PathgradValueError(
                f"{self._call_text(shown)} gave {data!r}, not a finite real number; "
                "pathgrad refuses to carry NaN or infinity through a graph"
            )
        for rate in rates:
            if not isinstance(rate, (int, float)) or not _isfinite(rate):
                raise PathgradValueError(
                    f"{self._call_text(shown)} has the partial derivative {rate!r}, not a finite "
                    "real number: the rate factor of an edge must be finite"
                )
        return float(data), tuple(map(float, rates))

    def _call_text(self, operands: Sequence[object]) -> str:
        return f"{self.name}({', '.join(_describe(x) for x in operands)})"


def _operand_value(x: object, op_name: str) -> float:
    if isinstance(x, Value):
        return x.data
    return _as_float(x, f"operand of {op_name}")


def _sigmoid_partials(z: float) -> tuple[float]:
    return (sigmoid_prime(z),)


def _tanh_partials(z: float) -> tuple[float]:
    return (tanh_prime(z),)


def _power(x: float, n: float) -> float:
    result = x**n
    if isinstance(result, complex):
        raise PathgradValueError("a negative base to a non-integer power is not a real number")
    return result


def _power_partials(x: float, n: float) -> tuple[float, float]:
    dx = n * _power(x, n - 1) if n != 0 else 0.0
    dn = _power(x, n) * math.log(x) if x > 0 else 0.0
    return dx, dn


def _check_power(x: float, n: float) -> str | None:
    if x < 0 and n != int(n):
        return "a negative base to a non-integer power is not a real number"
    if x == 0 and n < 1 and n != 0:
        return "zero to a power below 1 has no finite value or derivative"
    return None


def _check_power_with_value_exponent(x: float, n: float) -> str | None:
    if x <= 0:
        return (
            "a Value exponent needs a positive base (d(x**y)/dy = x**y * log x); "
            "use a number exponent for a non-positive base"
        )
    return None


def _check_divide(x: float, y: float) -> str | None:
    return "division by zero" if y == 0 else None


def _check_log(x: float) -> str | None:
    return None if x > 0 else "log needs a positive operand"


ADD = Op("add", lambda x, y: x + y, lambda x, y: (1.0, 1.0))
MUL = Op("mul", lambda x, y: x * y, lambda x, y: (y, x))
SUB = Op("sub", lambda x, y: x - y, lambda x, y: (1.0, -1.0))
DIV = Op("div", lambda x, y: x / y, lambda x, y: (1.0 / y, -x / (y * y)), _check_divide)
NEG = Op("neg", lambda x: -x, lambda x: (-1.0,))
POW = Op("pow", _power, _power_partials, _check_power)
POW_VALUE_EXPONENT = Op("pow", _power, _power_partials, _check_power_with_value_exponent)
EXP = Op("exp", math.exp, lambda x: (math.exp(x),))
LOG = Op("log", math.log, lambda x: (1.0 / x,), _check_log)
SIGMOID = Op("sigmoid", sigmoid, _sigmoid_partials)
TANH = Op("tanh", math.tanh, _tanh_partials)
RELU = Op("relu", lambda x: x if x > 0 else 0.0, lambda x: (1.0 if x > 0 else 0.0,))


#: The marker in ``_parent2`` of a node with more than two parents (see :class:`Value`).
SEVERAL = object()


def _node(
    data: float, parents: tuple, rates: tuple, op: Op | None, args: object, name: str | None = None
) -> Value:
    """A new node built directly, without checks (``Value._make``, the arithmetic fast paths)."""
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    node.op = op
    node._args = args
    node.name = name
    _set_edges(node, parents, rates)
    return node


def _set_edges(node: Value, parents: tuple, rates: tuple) -> None:
    """Store ``parents`` and their ``rates`` in ``node``'s four edge slots (see :class:`Value`)."""
    count = len(parents)
    if count == 1:
        node._parent1, node._rate1, node._parent2 = parents[0], rates[0], None
    elif count == 2:
        node._parent1, node._parent2 = parents
        node._rate1, node._rate2 = rates
    elif count:
        node._parent1, node._rate1, node._parent2 = parents, rates, SEVERAL
    else:
        node._parent1 = node._parent2 = None


OPS: dict[str, Op] = {
    op.name: op for op in (ADD, MUL, SUB, DIV, NEG, POW, EXP, LOG, SIGMOID, TANH, RELU)
}


class Value:
    """One scalar node: its value, its parents and the rate factor of the edge to each.

    ``parents[i]`` is the tail of the i-th edge into this node and ``rates[i]`` its rate
    factor, ``∂self/∂parents[i]``. The same parent may appear twice (``x * x``). ``grad`` is
    ``∂C/∂self`` after ``C.backward()``.

    Equations 51-53: each edge into the node keeps its rate factor ``∂self/∂parent``, the
    factor a path through that edge multiplies in.

    >>> import pathgrad as pg
    >>> x = pg.Value(3.0, name="x")
    >>> y = x * x + 2 * x       # x * x keeps two edges from x: two paths, and one more via 2x
    >>> y.data
    15.0
    >>> y.backward()            # the reverse sweep: x.grad = ∂y/∂x = 2x + 2
    >>> x.grad
    8.0
    """

    # Almost every node has one or two parents (a sum, a product, an activation), so the
    # edges sit in the node itself, with no tuple to allocate, for the garbage collector to
    # track, and to free:
    #
    #     no parent     _parent1 is None
    #     one parent    _parent1, _rate1                    _parent2 is None
    #     two parents   _parent1, _rate1, _parent2, _rate2
    #     more          _parent1, _rate1 hold the tuples    _parent2 is SEVERAL
    #
    # ``parents`` and ``rates`` give them as tuples; the sweeps read the slots directly.
    # ``_args`` is None when every operand is a parent, the tuple of operands when some are
    # constants, or, for the common ``node op constant`` (``w * 0.5``, ``z + 1.0``), just the
    # constant. ``args`` and ``operands`` always give the full tuple.
    __slots__ = ("data", "grad", "op", "name", "_args",
                 "_parent1", "_rate1", "_parent2", "_rate2")
    data: float
    grad: float
    op: Op | None
    name: str | None
    _args: object
    # The edge slots hold different types by row of the table above (Any, for the checker).
    _parent1: Any  # a Value, a tuple of Values, or None
    _rate1: Any  # a float or a tuple of floats; not set when there is no parent
    _parent2: Any  # a Value, SEVERAL, or None
    _rate2: float  # set only when there are two parents

    def __init__(self, data: Number, name: str | None = None) -> None:
        self.data = _as_float(data, "Value")
        self.grad = 0.0
        self.op: Op | None = None
        self.name = name
        self._args = None
        self._parent1 = self._parent2 = None

    @classmethod
    def _make(
        cls, data: float, parents: tuple, rates: tuple, op: Op | None,
        args: object = None, name: str | None = None,
    ) -> Value:
        """A node from its parts, its value and rate factors checked finite: the internal
        constructor (:meth:`_made_finite` for parts the caller has proven finite)."""
        if not (_isfinite(data) and _isfinite(sum(rates))):
            _not_finite_parts(data, parents, rates, op, name)
        return _node(data, parents, rates, op, args, name)

    @classmethod
    def _made_finite(
        cls, data: float, parents: tuple, rates: tuple, op: Op | None,
        args: object = None, name: str | None = None,
    ) -> Value:
        """A node from parts its maker has proven finite (one check of the arrays they came
        from, the values of other nodes as rates, an operation's checked result), so not
        looked at again: the networks and modules make their nodes so."""
        return _node(data, parents, rates, op, args, name)

    @property
    def parents(self) -> tuple[Value, ...]:
        """The tails of the edges into this node, in operand order (a parent may repeat)."""
        first, second = self._parent1, self._parent2
        if second is None:
            return () if first is None else (first,)
        if second is SEVERAL:
            return first
        return (first, second)

    @property
    def rates(self) -> tuple[float, ...]:
        """The rate factor of each edge into this node, ``∂self/∂parents[i]``."""
        second = self._parent2
        if second is None:
            return () if self._parent1 is None else (self._rate1,)
        if second is SEVERAL:
            return self._rate1
        return (self._rate1, self._rate2)

    @property
    def args(self) -> tuple | None:
        """The operands when some of them are constant numbers, else None."""
        args = self._args
        if args is None or isinstance(args, tuple):
            return args
        return (self._parent1, args)

    @args.setter
    def args(self, operands: tuple | None) -> None:
        self._args = operands

    @property
    def operands(self) -> tuple:
        """The operands the node's operation was applied to: Values and constant numbers."""
        args = self.args
        return self.parents if args is None else args

    @property
    def is_leaf(self) -> bool:
        return self.op is None

    @property
    def label(self) -> str:
        """The node's name; for an unnamed node its operation's name, or ``leaf``."""
        if self.name is not None:
            return self.name
        return self.op.name if self.op is not None else "leaf"

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name is not None else ""
        return f"Value({self.data:.6g}{name})"

    # Identity is the node itself: a copy is a node of its own, never a second handle on this
    # one that some bookkeeping could confuse with it.
    def __copy__(self) -> Value:
        """A new node with this one's value, gradient, parents, rate factors, operation and
        name: ``C = y + copy.copy(y)`` has an edge from each of the two nodes, each with its
        own paths back to ``y``'s parents, so ``∂C/∂x`` counts both."""
        node = _node(self.data, self.parents, self.rates, self.op, self._args, self.name)
        node.grad = self.grad
        return node

    def __deepcopy__(self, memo: dict) -> Value:
        """A copy of this node and of every node it is computed from, wired as the originals
        (a graph of its own), each copied once, without recursion: a chain of a million nodes
        copies as well as a short one."""
        stack = [self]
        while stack:
            node = stack[-1]
            if id(node) in memo:
                stack.pop()
                continue
            waiting = [parent for parent in node.parents if id(parent) not in memo]
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            args = node._args
            if isinstance(args, tuple):
                args = tuple(memo[id(a)] if isinstance(a, Value) else a for a in args)
            copy = _node(node.data, tuple(memo[id(p)] for p in node.parents), node.rates,
                         node.op, args, node.name)
            copy.grad = node.grad
            memo[id(node)] = copy
        return memo[id(self)]

    # Arithmetic. The operations that make most of every graph build their node right here
    # instead of going through Op.__call__, and write its slots in place rather than call a
    # constructor, with a bare number in ``_args`` for a constant right operand. Anything
    # unusual (an int or other non-float constant, a non-finite result) takes the general
    # path, which gives the same node or the error that names the operation.
    def __add__(self, other: Operand) -> Value:
        if type(other) is Value:
            data = self.data + other.data
            if _isfinite(data):
                node = _new(Value)
                node.data = data
                node.grad = 0.0
                node.op = ADD
                node.name = node._args = None
                node._parent1 = self
                node._rate1 = 1.0
                node._parent2 = other
                node._rate2 = 1.0
                return node
        elif type(other) is float:
            data = self.data + other
            if _isfinite(data):
                node = _new(Value)
                node.data = data
                node.grad = 0.0
                node.op = ADD
                node.name = None
                node._args = other
                node._parent1 = self
                node._rate1 = 1.0
                node._parent2 = None
                return node
        return ADD(self, other)

    def __radd__(self, other: Number) -> Value:
        if type(other) is float:
            data = other + self.data
            if _isfinite(data):
                return _node(data, (self,), (1.0,), ADD, (other, self))
        return ADD(other, self)

    def __mul__(self, other: Operand) -> Value:
        if type(other) is float:
            data = self.data * other
            if _isfinite(data):
                node = _new(Value)
                node.data = data
                node.grad = 0.0
                node.op = MUL
                node.name = None
                node._args = other
                node._parent1 = self
                node._rate1 = other
                node._parent2 = None
                return node
        elif type(other) is Value:
            data = self.data * other.data
            if _isfinite(data):
                node = _new(Value)
                node.data = data
                node.grad = 0.0
                node.op = MUL
                node.name = node._args = None
                node._parent1 = self
                node._rate1 = other.data
                node._parent2 = other
                node._rate2 = self.data
                return node
        return MUL(self, other)

    def __rmul__(self, other: Number) -> Value:
        if type(other) is float:
            data = other * self.data
            if _isfinite(data):
                return _node(data, (self,), (other,), MUL, (other, self))
        return MUL(other, self)

    def __sub__(self, other: Operand) -> Value:
        if type(other) is Value:
            data = self.data - other.data
            if _isfinite(data):
                return _node(data, (self, other), (1.0, -1.0), SUB, None)
        elif type(other) is float:
            data = self.data - other
            if _isfinite(data):
                return _node(data, (self,), (1.0,), SUB, other)
        return SUB(self, other)

    def __rsub__(self, other: Number) -> Value:
        return SUB(other, self)

    def __truediv__(self, other: Operand) -> Value:
        return DIV(self, other)

    def __rtruediv__(self, other: Number) -> Value:
        return DIV(other, self)

    def __neg__(self) -> Value:
        return NEG(self)

    def __pow__(self, exponent: Operand) -> Value:
        if isinstance(exponent, Value):
            return POW_VALUE_EXPONENT(self, exponent)
        return POW(self, exponent)

    def __rpow__(self, base: Number) -> Value:
        return POW_VALUE_EXPONENT(base, self)

    def exp(self) -> Value:
        return EXP(self)

    def log(self) -> Value:
        return LOG(self)

    def sigmoid(self) -> Value:
        return SIGMOID(self)

    def tanh(self) -> Value:
        return TANH(self)

    def relu(self) -> Value:
        node = _new(Value)
        if self.data > 0:
            node.data = self.data
            node._rate1 = 1.0
        else:
            node.data = 0.0
            node._rate1 = 0.0
        node.grad = 0.0
        node.op = RELU
        node.name = node._args = None
        node._parent1 = self
        node._parent2 = None
        return node

    def backward(self) -> None:
        """Reverse sweep from this node (backpropagation): ``node.grad = ∂self/∂node``.

        The rule, exactly: a call sets ``grad`` on ``self`` (to 1) and on every node ``self``
        is computed from (each node with a path to ``self``), recomputed from zero, so calling
        twice gives the same numbers: nothing accumulates across calls, unlike micrograd's or
        PyTorch's ``backward``. It writes no other node: a node ``self`` does not depend on
        keeps whatever ``grad`` an earlier sweep left there. After ``C.backward()`` and then
        ``b.backward()`` from an inner node ``b``, the nodes ``b`` is computed from hold
        ``∂b/∂node``, while ``C`` and the other nodes that only ``C`` depends on still hold
        ``∂C/∂node`` from the first sweep. :func:`pathgrad.grad` gives derivatives without
        writing any ``grad``.
        """
        # The reverse sweep of pathgrad.sweeps (sweep_backward over SUM_PRODUCT, its
        # specification; the tests compare the two) written out by hand: graphs built in a
        # training loop are swept once each, so there is no Graph to build first.
        # An iterative post-order walk (no recursion) lists the nodes with parents, each after
        # all of its parents: a topological order, read backwards below, the very order of
        # pathgrad.topological_order. Only nodes with parents pass anything back, so only
        # they are listed; the other nodes (leaves, and operations on constants only) are
        # where paths end: they are just zeroed, and gathered for the final check. The walk
        # keeps its marks in ``grad``, which it is about to overwrite anyway: ``entered``
        # while a node's parents are being walked, then ``zero``, a float 0.0 made for this
        # call alone, once it is listed (the value its gradient starts from). Both objects are
        # new, so no node holds either before the walk marks it, whatever an earlier call
        # left behind.
        if self._parent1 is None:
            self.grad = 1.0
            return
        entered, zero, several = object(), float("0"), SEVERAL
        listed: list[Value] = []
        ends: list[Value] = []  # every node where paths end (some more than once)
        stack = [self]
        pop, push, append, end = stack.pop, stack.append, listed.append, ends.append
        while stack:
            node = pop()
            mark = node.grad
            if mark is entered:  # its parents are all listed: list it
                node.grad = zero
                append(node)
                continue
            if mark is zero:  # pushed again by another child, and listed or ended since
                continue
            first, second = node._parent1, node._parent2
            if second is None:  # one parent, the most common case, or none
                if first is None:  # an operation on constants only: paths end here
                    node.grad = zero
                    end(node)
                    continue
                if first.op is None:
                    first.grad = 0.0
                    end(first)
                elif first.grad is not zero:
                    node.grad = entered  # type: ignore[assignment]  # a mark, for the walk only
                    push(node)
                    push(first)
                    continue
                node.grad = zero
                append(node)
                continue
            node.grad = entered  # type: ignore[assignment]
            push(node)
            # Last to first, so that the first parent is walked, and listed, first.
            if second is several:
                for parent in reversed(first):
                    if parent.op is None:
                        parent.grad = 0.0
                        end(parent)
                    elif parent.grad is not zero:
                        push(parent)
            else:  # two parents, written out: no loop
                if second.op is None:
                    second.grad = 0.0
                    end(second)
                elif second.grad is not zero:
                    push(second)
                if first.op is None:
                    first.grad = 0.0
                    end(first)
                elif first.grad is not zero:
                    push(first)
            if stack[-1] is node:  # no parent left to walk
                pop()
                node.grad = zero
                append(node)
        self.grad = 1.0
        for node in reversed(listed):
            adjoint = node.grad
            if adjoint != 0.0:
                second = node._parent2
                if second is None:
                    node._parent1.grad += adjoint * node._rate1
                elif second is several:
                    for parent, rate in zip(node._parent1, node._rate1):
                        parent.grad += adjoint * rate
                else:
                    node._parent1.grad += adjoint * node._rate1
                    second.grad += adjoint * node._rate2
        # Every number the sweep made is checked by one C-level sum over the nodes where
        # paths end: an infinity or NaN anywhere flows down every path to one of them (times
        # a rate, plus other terms: inf, -inf or NaN again), so a finite sum means finite
        # gradients everywhere. Each number is looked at only when the sum is not finite.
        if not _isfinite(sum(map(_grad_of, ends))):
            _not_finite_backward(self, listed, ends)


def _not_finite_backward(output: Value, listed: list[Value], ends: list[Value]) -> None:
    """Raise :class:`NotFiniteError` for the first gradient ``output.backward()`` made that is
    not finite (in the sweep's order: the operation nodes from the output back, then the
    nodes where paths end), after setting every gradient of the graph back to 0."""
    culprit = next((node for node in reversed(listed) if not _isfinite(node.grad)), None)
    if culprit is None:
        culprit = next((node for node in ends if not _isfinite(node.grad)), None)
    if culprit is None:
        return  # only the check's own sum overflowed: every gradient is finite
    value = culprit.grad
    for node in (*listed, *ends):
        node.grad = 0.0
    raise NotFiniteError(
        f"{output.label}.backward(): ∂{output.label}/∂{culprit.label} is {value!r}: the products "
        "of the rate factors along some paths between them overflow the float range (every "
        "rate is finite, but a path multiplies them), or two such sums of opposite signs meet. "
        "Scale down the values these rates are made of. The graph's gradients are set back "
        "to 0",
        f"∂{output.label}/∂{culprit.label} became {value!r}",
    )


def _not_finite_parts(data: float, parents: tuple, rates: tuple, op: Op | None,
                      name: str | None) -> None:
    """Raise :class:`NotFiniteError` for the part of a node about to be made that is not a
    finite number: its value, or the rate factor of one of its edges (nothing, when only the
    check's own sum of the rates overflowed)."""
    made = f"the {op.name if op is not None else 'leaf'} node {name or ''}".rstrip()
    if not _isfinite(data):
        raise NotFiniteError(
            f"{made} would hold the value {data!r}, not a finite number; pathgrad refuses to "
            "carry NaN or infinity through a graph: scale the numbers it is made of down",
            f"{made} became {data!r}",
        )
    for parent, rate in zip(parents, rates):
        if not _isfinite(rate):
            raise NotFiniteError(
                f"{made}: the rate factor of its edge from {parent.label} is {rate!r}, not a "
                "finite number: the rate factor of an edge must be finite",
                f"a rate factor of {made} became {rate!r}",
            )
