"""A metrics log that TensorBoard opens: every epoch's logs as scalars (``tensorboard --logdir DIR``)."""
from __future__ import annotations

from pathlib import Path

from nnlab._validation import InvalidArgument
from nnlab.training.observers import Observer

__all__ = ["TensorBoardLogger"]


class TensorBoardLogger(Observer):
    """Writes ``loss``, ``train_accuracy``, ``test_loss``, ... per epoch through torch's ``SummaryWriter``.

    Needs the ``tensorboard`` package (``pip install tensorboard``); without it, construction raises
    ``InvalidArgument`` saying so.
    """

    def __init__(self, logdir: str | Path):
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise InvalidArgument("The TensorBoard log needs the 'tensorboard' package: pip install tensorboard.",
                                  "tensorboard") from None
        self.logdir = Path(logdir)
        self.writer = SummaryWriter(str(self.logdir))

    def on_epoch_end(self, epoch: int, logs: dict, model) -> None:
        for key, value in logs.items():
            if key != "epoch" and value is not None:
                self.writer.add_scalar(key, value, epoch)

    def on_fit_end(self, history, model) -> None:
        self.writer.flush()
        self.writer.close()
