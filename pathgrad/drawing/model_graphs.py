"""Models drawn through one of their graphs: a transformer, for one logit, at head level.

A :class:`~pathgrad.nn.transformer.Transformer` is not one graph: it makes one per sequence of
tokens, and its story is told per logit. ``pg.draw(model, example=(tokens, position, token))``
and ``pg.explore(model, (tokens, position, token))`` draw the graph of
``logit[position, token]`` with frozen attention: at level ``"head"`` one node per group of heads
(:func:`pathgrad.collapse`, whose path sums are the paper's terms), at level ``"ops"`` every
node. Anything else (the full attention's groups, another source) is drawn by passing the
graph itself: ``pg.draw(model.graph(tokens, i, v, frozen_attention=False))``.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from ..graph import Graph
from ..nn.transformer import LEVELS, Transformer
from ..support.arguments import one_of
from ..support.errors import PathgradValueError

MODEL_LEVELS = LEVELS


def is_model(target: object) -> TypeGuard[Transformer]:
    """Whether ``target`` is a model drawn through its graphs (a transformer)."""
    return isinstance(target, Transformer)


def model_example(example: Any, who: str) -> tuple[Any, int, int]:
    """``(tokens, position, token)`` checked as a tuple of three (the parts are checked by the
    model)."""
    if not isinstance(example, (tuple, list)) or len(example) != 3:
        raise PathgradValueError(
            f"{who} shows a transformer for one logit: {who}(model, (tokens, position, "
            "token)), with tokens a list of token ids and logit[position, token] the output; "
            f"got {example!r:.80}"
        )
    tokens, position, token = example
    return tokens, position, token


def model_graph(model: Transformer, example: Any, level: str | None, who: str) -> Graph:
    """The graph of one logit of ``model`` at ``level`` (``"head"``, the default, or
    ``"ops"``)."""
    level = one_of("head" if level is None else level, "level", MODEL_LEVELS)
    tokens, position, token = model_example(example, who)
    return model.graph(tokens, position, token, level=level)
