"""Gradient descent with momentum for nets of Values.

After ``loss.backward()`` every parameter ``p`` holds ``p.grad = ∂C/∂p``. Plain gradient
descent moves it by ``-η ∂C/∂p``. With momentum (Nielsen's chapter 3) each parameter keeps a
velocity ``v`` that the gradient accelerates and the friction ``μ`` slows:

    ``v ← μ v - η ∂C/∂p``,    ``p ← p + v``.

``μ = 0`` is plain gradient descent; ``μ`` near 1 lets steps in a consistent direction build
up. (PyTorch writes the same rule as ``v ← μ v + ∂C/∂p``, ``p ← p - η v``: with a fixed ``η``
the two give the same steps.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..support.arguments import real_number
from ..support.errors import PathgradTypeError, PathgradValueError
from ..value import Value


class SGD:
    """Stochastic gradient descent with momentum over ``params`` (each Value once).

    ``lr`` (η) may be changed between steps, for a schedule. ``velocities[i]`` is the ``v``
    of ``params[i]``; all start at 0.

    Equation: the book's update ``w → w - η ∂C/∂w`` (with momentum ``v → μv - η ∂C/∂w``,
    ``w → w + v``), after BP1-BP4 have filled in ``∂C/∂w``.

    >>> import pathgrad as pg
    >>> w = pg.Value(1.0, name="w")
    >>> optimiser = pg.SGD([w], lr=0.1)
    >>> (w - 3.0).__pow__(2).backward()       # ∂C/∂w = 2(w - 3) = -4
    >>> optimiser.step()
    >>> round(w.data, 12)                     # 1 - 0.1 · (-4)
    1.4
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        unique: dict[int, Value] = {}
        for p in params:
            if not isinstance(p, Value):
                raise PathgradTypeError(
                    f"SGD takes the parameters as Values (model.parameters()), got "
                    f"{type(p).__name__}"
                )
            unique.setdefault(id(p), p)
        self.params = list(unique.values())
        self.lr = real_number(lr, "the learning rate lr", above=0.0)
        self.momentum = real_number(momentum, "momentum", least=0.0)
        if self.momentum >= 1.0:
            raise PathgradValueError(f"momentum must be below 1 (it is a friction), got "
                                     f"{momentum!r}")
        self.velocities = [0.0] * len(self.params)

    def step(self) -> None:
        """Move every parameter one step, ``v ← μv - η grad``, ``p ← p + v``.

        Nothing moves if some new value would not be finite: an error names the parameter.
        """
        mu, lr = self.momentum, real_number(self.lr, "the learning rate lr", above=0.0)
        velocities = [mu * v - lr * p.grad for p, v in zip(self.params, self.velocities)]
        moved = [p.data + v for p, v in zip(self.params, velocities)]
        for p, new in zip(self.params, moved):
            if not math.isfinite(new):
                raise PathgradValueError(
                    f"the step would set {p.label} to {new!r} (its gradient is {p.grad!r}): "
                    "lower the learning rate"
                )
        for p, new in zip(self.params, moved):
            p.data = new
        self.velocities = velocities

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0

    def __repr__(self) -> str:
        return f"SGD({len(self.params)} parameters, lr={self.lr:g}, momentum={self.momentum:g})"
