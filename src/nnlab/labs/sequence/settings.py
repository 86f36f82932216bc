"""What the sequence lab runs: the adding problem at several lengths, three recurrent nets, and an exploding one."""
from __future__ import annotations

from dataclasses import dataclass

from nnlab._validation import InvalidArgument, check_choice, check_int, check_positive, check_seed

__all__ = ["Settings", "QUICK", "FULL", "MODELS", "MIN_LENGTH", "MAX_LENGTH"]

# name -> what the page calls it; each is a torch module (nn.RNN with tanh, nn.LSTM, nn.GRU)
MODELS = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}
MIN_LENGTH = 4          # one marker in each half needs a few steps per half
MAX_LENGTH = 1000       # a step at a time on one CPU thread: longer sequences take minutes per model


@dataclass(frozen=True)
class Settings:
    models: tuple[str, ...] = ("rnn", "lstm", "gru")
    lengths: tuple[int, ...] = (10, 50, 100)         # sequence lengths T of the adding problem
    steps: int = 3000                                 # Adam steps per model and length, a fresh batch each
    hidden: int = 32                                  # hidden units of every net
    batch: int = 64
    lr: float = 1e-2                                  # Adam
    clip: float = 1.0                                 # gradient-norm clipping in the main runs (all models alike)
    eval_every: int = 50                              # steps between evaluations on the held-out set
    test_size: int = 1000                             # held-out sequences per length
    grad_batch: int = 256                             # sequences the dL/dh_t measurement averages over
    seed: int = 0
    # -- exploding: a relu RNN whose recurrent weights are scale x identity, trained by plain SGD
    explode_scale: float = 1.2
    explode_length: int = 50
    explode_steps: int = 200
    explode_lr: float = 0.1
    explode_clip: float = 1.0

    def __post_init__(self):
        if not self.models:
            raise InvalidArgument("The 'models' parameter of sequence must name at least one model. Got none.",
                                  "models")
        for m in self.models:
            check_choice("models", m, MODELS, "sequence")
        if not self.lengths:
            raise InvalidArgument("The 'lengths' parameter of sequence must name at least one length. Got none.",
                                  "lengths")
        for t in (*self.lengths, self.explode_length):
            name = "lengths" if t in self.lengths else "explode_length"
            if not isinstance(t, int) or isinstance(t, bool) or not MIN_LENGTH <= t <= MAX_LENGTH:
                raise InvalidArgument(f"The '{name}' parameter of sequence must be an integer in the range "
                                      f"[{MIN_LENGTH}, {MAX_LENGTH}]. Got {t!r} instead.", name, owner="sequence",
                                      allowed=f"an integer in the range [{MIN_LENGTH}, {MAX_LENGTH}]", value=t)
        for name in ("steps", "hidden", "batch", "eval_every", "test_size", "explode_steps"):
            check_int(name, getattr(self, name), "sequence")
        check_int("grad_batch", self.grad_batch, "sequence", minimum=2)
        check_seed("seed", self.seed, "sequence")
        for name in ("lr", "clip", "explode_lr", "explode_clip"):
            check_positive(name, getattr(self, name), "sequence")
        check_positive("explode_scale", self.explode_scale, "sequence")


FULL = Settings()
QUICK = Settings(lengths=(10, 30), steps=600, eval_every=40, test_size=500, grad_batch=128)
