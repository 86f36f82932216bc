"""What one training run leaves: its per-epoch metrics and how it ended (``History``), whichever engine ran it."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["History"]


@dataclass
class History:
    """Per-epoch metrics of one ``fit`` and how it ended.

    ``loss`` is the mean training loss over the epoch's batches, computed on the forward pass that preceded
    each step (the number the seed prints). ``train_accuracy`` likewise counts the predictions of those forward
    passes. ``test_*`` are evaluated in eval mode after each epoch, when test data is given. ``final`` holds loss
    and accuracy of the finished model in eval mode. The L1/L2 penalty is not part of ``loss``.
    ``engine`` is the engine that ran ("torch" or "fast"); ``wall_time_s`` counts training only: the fast
    engine's kernel compile (or disk-cache load) time is ``compile_time_s``, and ``kernels`` says which it was
    ("compiled", "cached", or "ready" when an earlier fit in the process had loaded them).
    With early stopping, ``best_epoch`` is the epoch (1-based) whose weights the model holds after ``fit``.
    ``device`` and ``precision`` say where and in which float format the run trained.
    """
    loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    epochs_run: int = 0
    stopped_early: bool = False
    interrupted: bool = False
    diverged: bool = False
    wall_time_s: float = 0.0
    final: dict = field(default_factory=dict)
    engine: str = "torch"
    compile_time_s: float = 0.0
    kernels: str = ""
    best_epoch: int | None = None
    device: str = "cpu"
    precision: str = "fp32"

    def to_dict(self) -> dict:
        return asdict(self)
