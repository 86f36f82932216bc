"""Exploding gradients: a relu RNN whose recurrent matrix is ``scale`` x identity (scale > 1). A unit that stays
active carries dL/dh_{t-1} = scale x dL/dh_t back, so the gradient grows like scale^(T - t) towards the start of
the sequence, and the states grow like scale^t on the way forward. Plain SGD takes one step of that size and the
next forward pass overflows; clipping the gradient's norm bounds every step. Both runs stop at the first
non-finite value (loss, gradient or weight), which is reported as such."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from nnlab.labs.sequence.data import adding_problem
from nnlab.labs.sequence.gradients import grad_norms
from nnlab.labs.sequence.settings import Settings
from nnlab.labs.sequence.training import SequenceRegressor

__all__ = ["ExplodeRun", "exploding_net", "explode_study"]


@dataclass
class ExplodeRun:
    name: str
    clip: float | None
    loss: list[float] = field(default_factory=list)         # training loss per step, finite ones only
    grad_norm: list[float] = field(default_factory=list)    # gradient norm per step before clipping
    non_finite: dict | None = None                          # {"step", "where"} of the first non-finite value

    def summary(self) -> dict:
        return {"clip": self.clip, "steps_run": len(self.loss) + (self.non_finite is not None),
                "non_finite": self.non_finite, "first_loss": self.loss[0] if self.loss else None,
                "last_loss": self.loss[-1] if self.loss else None,
                "max_grad_norm": max(self.grad_norm) if self.grad_norm else None}


def exploding_net(s: Settings) -> SequenceRegressor:
    """A relu RNN (torch's default draw from the seed), recurrent weights set to ``scale`` x identity."""
    torch.manual_seed(s.seed)
    net = SequenceRegressor("rnn", s.hidden, nonlinearity="relu")
    with torch.no_grad():
        net.rnn.weight_hh_l0.copy_(s.explode_scale * torch.eye(s.hidden))
    return net


def _first_bad(net) -> str | None:
    for name, p in net.named_parameters():
        if p.grad is not None and not torch.isfinite(p.grad).all():
            return f"gradient of {name}"
    return None


def _train(s: Settings, clip: float | None) -> ExplodeRun:
    net = exploding_net(s)
    opt = torch.optim.SGD(net.parameters(), lr=s.explode_lr)
    batches = torch.Generator().manual_seed(s.seed + 2)
    run = ExplodeRun("SGD with clipping" if clip else "plain SGD", clip)
    for step in range(1, s.explode_steps + 1):
        x, y = adding_problem(s.batch, s.explode_length, batches)
        loss = ((net(x) - y) ** 2).mean()
        if not torch.isfinite(loss):
            run.non_finite = {"step": step, "where": "loss (forward pass)", "value": str(loss.item())}
            break
        opt.zero_grad()
        loss.backward()
        bad = _first_bad(net)
        if bad:
            run.non_finite = {"step": step, "where": bad, "value": "inf or nan"}
            break
        norm = float(torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in net.parameters()])))
        if not math.isfinite(norm):
            run.non_finite = {"step": step, "where": "gradient norm", "value": str(norm)}
            break
        if clip:
            nn.utils.clip_grad_norm_(net.parameters(), clip)
        opt.step()
        run.loss.append(loss.item())
        run.grad_norm.append(norm)
        bad_w = next((n for n, p in net.named_parameters() if not torch.isfinite(p).all()), None)
        if bad_w:
            run.non_finite = {"step": step, "where": f"weight {bad_w} after the update", "value": "inf or nan"}
            break
    return run


def explode_study(s: Settings, progress=lambda message: None) -> dict:
    """The gradient through time of the exploding net at initialisation, and SGD on it without and with
    clipping."""
    progress(f"exploding: relu RNN, recurrent weights {s.explode_scale:g} x identity")
    x, y = adding_problem(s.grad_batch, s.explode_length, torch.Generator().manual_seed(20_000 + s.seed))
    norms = grad_norms(exploding_net(s), x, y)
    runs = [_train(s, None), _train(s, s.explode_clip)]
    return {"grad_norms": norms, "runs": runs}
