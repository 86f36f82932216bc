"""What the attention lab trains: the tasks, the sequence lengths, the encoder and its training budget."""
from __future__ import annotations

from dataclasses import dataclass

from nnlab._validation import InvalidArgument, check_choice, check_int, check_positive, check_seed

__all__ = ["Settings", "QUICK", "FULL", "MIN_LENGTH", "MAX_LENGTH"]

MIN_LENGTH, MAX_LENGTH = 2, 32      # the sequence lengths the lab accepts (the tasks: 8 to 10 digits)
OWNER = "attention"


@dataclass(frozen=True)
class Settings:
    tasks: tuple[str, ...] = ("reverse", "sort", "histogram")
    min_length: int = 8               # digits per sequence: drawn uniformly from [min_length, max_length]
    max_length: int = 10
    width: int = 64                   # model width (embedding, attention, residual stream); the MLP is 4 x width
    layers: int = 2                   # encoder blocks
    heads: int = 4                    # attention heads per block (width / heads per head)
    steps: int = 1200                 # Adam steps per model, each on a fresh batch of generated sequences
    batch_size: int = 64
    lr: float = 3e-3                  # Adam's learning rate, decayed to 0 by a cosine over the steps
    test_size: int = 5000             # held-out sequences scored (none of them is ever trained on)
    shown: int = 3                    # test sequences whose attention maps are drawn
    seed: int = 0
    learned: float = 0.9              # token accuracy that counts as learned
    far: float = 0.3                  # "far below": at least this much token accuracy under histogram's

    def __post_init__(self):
        from nnlab.labs.attention.tasks import TASKS
        if not self.tasks:
            raise InvalidArgument("The 'tasks' parameter of attention must name at least one task. Got none.",
                                  "tasks")
        for task in self.tasks:
            check_choice("tasks", task, TASKS, OWNER)
        if len(set(self.tasks)) != len(self.tasks):
            raise InvalidArgument(f"The 'tasks' parameter of attention names a task twice. Got {self.tasks!r}.",
                                  "tasks")
        for name in ("min_length", "max_length"):
            value = getattr(self, name)
            check_int(name, value, OWNER)
            if not MIN_LENGTH <= value <= MAX_LENGTH:
                raise InvalidArgument(
                    f"The '{name}' parameter of attention must be an integer in the range [{MIN_LENGTH}, "
                    f"{MAX_LENGTH}]. Got {value!r} instead.", name, owner=OWNER,
                    allowed=f"an integer in the range [{MIN_LENGTH}, {MAX_LENGTH}]", value=value)
        if self.min_length > self.max_length:
            raise InvalidArgument(
                f"The 'min_length' parameter of attention must be at most max_length ({self.max_length}). Got "
                f"{self.min_length!r} instead.", "min_length", owner=OWNER,
                allowed=f"an integer <= max_length ({self.max_length})", value=self.min_length)
        for name in ("width", "layers", "heads", "steps", "batch_size", "test_size", "shown"):
            check_int(name, getattr(self, name), OWNER)
        if self.width % self.heads or self.width % 2:
            raise InvalidArgument(
                f"The 'width' parameter of attention must be an even multiple of heads ({self.heads}). Got "
                f"{self.width!r} instead.", "width", owner=OWNER,
                allowed=f"an even multiple of heads ({self.heads})", value=self.width)
        check_positive("lr", self.lr, OWNER)
        check_seed("seed", self.seed, OWNER)
        if self.shown > self.test_size:
            raise InvalidArgument(f"The 'shown' parameter of attention must be at most test_size "
                                  f"({self.test_size}). Got {self.shown!r} instead.", "shown")


FULL = Settings()
QUICK = Settings(width=32, heads=4, steps=300, lr=5e-3, test_size=1000)
