"""What the batched K-models engine (``nnlab.sweeps.batched.fit_batched``) can train: its row of the capability
table, registered in ``nnlab.training.engines.capabilities.CAPABILITIES`` when this module is imported (the
sweeps import it). Importing this module does not import torch.

It trains every TrainConfig field and ModelConfig setting as ``fit`` does on the torch engine (schedules, early
stopping, augmentation, dropout, residual connections, penalties, mini-batches), except batch norm (its batch
statistics and running averages are not batched) and anything but float32 on the CPU.
"""
from __future__ import annotations

from nnlab.training.engines.capabilities import CAPABILITIES

__all__ = ["batched_supports"]


def batched_supports(config, *, driver: str = "fit", model=None, model_config=None, observers=(),
                     data=()) -> str | None:
    """None when the batched engine can train TrainConfig ``config`` on an MLP of ModelConfig ``model_config``,
    else a short phrase naming what it cannot."""
    if model_config is not None and model_config.batch_norm:
        return "batch norm"
    if config.precision != "fp32" or config.device == "cuda":
        return f"{config.device} {config.precision}"
    return None


CAPABILITIES["batched"] = batched_supports      # its row of the one table: supports("batched", ...)
