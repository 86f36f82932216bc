"""The three recurrent nets on the adding problem: each reads the sequence, a linear head reads its last state.
Trained with Adam on a fresh batch every step; the held-out MSE is measured every ``eval_every`` steps."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from nnlab.labs.sequence.data import adding_problem
from nnlab.labs.sequence.settings import Settings

__all__ = ["SequenceRegressor", "build", "Run", "train_model", "test_set"]

_MODULES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class SequenceRegressor(nn.Module):
    """``kind`` ("rnn", "lstm", "gru") over inputs (B, T, 2), then Linear(hidden, 1) on h_T."""

    def __init__(self, kind: str, hidden: int, nonlinearity: str = "tanh"):
        super().__init__()
        self.kind = kind
        extra = {"nonlinearity": nonlinearity} if kind == "rnn" else {}
        self.rnn = _MODULES[kind](2, hidden, batch_first=True, **extra)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def build(kind: str, hidden: int, seed: int) -> SequenceRegressor:
    """A net with torch's default initialisation, drawn from ``seed``."""
    torch.manual_seed(seed)
    return SequenceRegressor(kind, hidden)


@dataclass
class Run:
    model: str
    length: int
    steps: list[int] = field(default_factory=list)       # steps at which the held-out MSE was measured
    test_mse: list[float] = field(default_factory=list)
    net: SequenceRegressor | None = None

    @property
    def final_mse(self) -> float:
        return self.test_mse[-1] if self.test_mse else math.nan


def test_set(length: int, s: Settings):
    """The held-out sequences of one length (their own generator, the same for every model)."""
    return adding_problem(s.test_size, length, torch.Generator().manual_seed(10_000 + s.seed + length))


def mse(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    net.eval()
    with torch.no_grad():
        value = float(((net(x) - y) ** 2).mean())
    net.train()
    return value


def train_model(kind: str, length: int, s: Settings, progress=lambda message: None) -> Run:
    """Adam with gradient-norm clipping at ``s.clip`` (the same for every model), ``s.steps`` fresh batches."""
    net = build(kind, s.hidden, s.seed)
    opt = torch.optim.Adam(net.parameters(), lr=s.lr)
    batches = torch.Generator().manual_seed(s.seed + 1)
    x_test, y_test = test_set(length, s)
    run = Run(kind, length, [0], [mse(net, x_test, y_test)], net)
    for step in range(1, s.steps + 1):
        x, y = adding_problem(s.batch, length, batches)
        loss = ((net(x) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), s.clip)
        opt.step()
        if step % s.eval_every == 0 or step == s.steps:
            run.steps.append(step)
            run.test_mse.append(mse(net, x_test, y_test))
            progress(f"{kind}, T = {length}: step {step}/{s.steps}, held-out MSE {run.test_mse[-1]:.4f}")
    return run
