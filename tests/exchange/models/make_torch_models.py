"""Make the small PyTorch models that tests/exchange reads, exported to ONNX.

Made with torch 2.13.0 (CPU build) and onnx 1.23.2, in a virtual environment of their own
outside the repository (torch is not a dependency of pathgrad)::

    python3 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 onnx onnxscript
    /tmp/torchvenv/bin/python tests/exchange/models/make_torch_models.py

Each model is tiny (a few hundred parameters), seeded, and exported for one example (batch
size 1) with ``torch.onnx.export`` (its default exporter, ``dynamo=True``, opset 20). Beside
each ``NAME.onnx`` the script writes ``NAME.npz`` with the example input, PyTorch's own
float32 output, every parameter (``param:NAME``) and the gradient of the output's sum with
respect to it (``grad_of_sum:NAME``), so the tests compare pathgrad's graph with PyTorch's
numbers without torch. (The exporter stores a ``Linear`` as ``MatMul`` by the transposed
weight under a new name, ``val_N``: the tests match those by value.)
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from torch import nn

HERE = Path(__file__).parent


class MLP(nn.Module):
    """Two dense layers, tanh then sigmoid: a chain the book names, and a pg.Network."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(4, 5)
        self.out = nn.Linear(5, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.out(torch.tanh(self.hidden(x))))


class CNN(nn.Module):
    """Conv (padded), ReLU, max pool, a dilated conv, average pool, mean, dense, log-softmax."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 2, 3, padding=1)
        self.conv2 = nn.Conv2d(2, 3, 2, stride=1, dilation=2)
        self.pool = nn.AvgPool2d(2, stride=1)
        self.fc = nn.Linear(3, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)   # 1x2x3x3
        h = torch.relu(self.conv2(nn.functional.pad(h, (1, 1, 1, 1))))  # 1x3x3x3
        h = self.pool(h).mean(dim=(2, 3))                            # 1x3
        return torch.log_softmax(self.fc(h), dim=-1)


class Attention(nn.Module):
    """Single-head self-attention over three tokens of width four."""

    def __init__(self, d: int = 4) -> None:
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.d = d

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.q(x), self.k(x), self.v(x)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d)
        return self.o(torch.softmax(scores, dim=-1) @ v)


class Block(nn.Module):
    """A pre-norm transformer block on embedded tokens: embedding, attention, GELU MLP."""

    def __init__(self, vocab: int = 7, d: int = 4) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.norm1 = nn.LayerNorm(d)
        self.attn = Attention(d)
        self.norm2 = nn.LayerNorm(d)
        self.up = nn.Linear(d, 2 * d)
        self.down = nn.Linear(2 * d, d)
        self.head = nn.Linear(d, vocab)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        h = self.embed(tokens)
        h = h + self.attn(self.norm1(h))
        h = h + self.down(nn.functional.gelu(self.up(self.norm2(h))))
        return self.head(h[:, -1, :])


def trained_looking(model: nn.Module) -> nn.Module:
    """Move every parameter off its initial value, as training would: two layer norms that
    start equal (weights 1, biases 0) would otherwise be exported as one shared tensor."""
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return model.eval()


def export(name: str, model: nn.Module, example: torch.Tensor, input_name: str) -> None:
    model = trained_looking(model)
    path = HERE / f"{name}.onnx"
    torch.onnx.export(model, (example,), str(path), input_names=[input_name],
                      output_names=["y"], dynamo=True, external_data=False)
    out = model(example)
    params = dict(model.named_parameters())
    grads = torch.autograd.grad(out.sum(), list(params.values()))
    arrays = {f"input:{input_name}": example.numpy(), "output:y": out.detach().numpy()}
    arrays.update({f"param:{key}": p.detach().numpy() for key, p in params.items()})
    arrays.update({f"grad_of_sum:{key}": g.numpy() for key, g in zip(params, grads)})
    np.savez(HERE / f"{name}.npz", **arrays)
    print(f"wrote {path} ({path.stat().st_size} bytes)")


def main() -> None:
    torch.manual_seed(0)
    export("mlp", MLP(), torch.randn(1, 4), "x")
    export("cnn", CNN(), torch.randn(1, 1, 6, 6), "image")
    export("attention", Attention(), torch.randn(1, 3, 4), "x")
    export("transformer_block", Block(), torch.tensor([[1, 5, 2]]), "tokens")


if __name__ == "__main__":
    main()
