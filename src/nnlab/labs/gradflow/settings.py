"""What the gradient-flow lab runs: the nets measured at initialisation and the nets it trains."""
from __future__ import annotations

from dataclasses import dataclass

from nnlab._validation import check_choice, check_fraction, check_int, check_positive

__all__ = ["Settings", "QUICK", "FULL"]


@dataclass(frozen=True)
class Settings:
    # -- at initialisation: Gaussian inputs through width -> width layers, many seeds
    width: int = 256                                  # hidden width of the nets measured at initialisation
    depth: int = 20                                   # hidden layers, measured and trained
    seeds: int = 24                                   # initialisations averaged per curve
    batch: int = 128                                  # N(0, 1) input vectors per initialisation
    activations: tuple[str, ...] = ("sigmoid", "tanh", "relu")
    inits: tuple[str, ...] = ("pytorch", "xavier", "he", "lecun", "normal", "orthogonal")
    init_std: float = 0.01                            # std of init "normal"
    spread_widths: tuple[int, ...] = (32, 512)        # widths of the per-seed spread figure (relu, he and lecun)
    # -- training: the seed's circle data, plain SGD, every run through nnlab.fit
    train_width: int = 64
    epochs: int = 100
    lr: float = 0.05                                  # SGD learning rate, the same for every net
    batch_size: int = 32
    test_fraction: float = 0.25
    learned_accuracy: float = 0.9                     # test accuracy that counts as learned (chance: 0.5)
    adam_lr: float = 3e-3
    adam_depth: int = 6                               # a depth where SGD stalls on the sigmoid net and Adam does not
    # -- exploding: full-batch SGD on relu nets until the first non-finite value
    explode_init_std: float = 0.5                     # "normal" init std: too large for width train_width
    explode_lr: float = 1.5                           # too large for relu + he
    explode_epochs: int = 20

    def __post_init__(self):
        from nnlab.nn.activations import ACTIVATIONS
        from nnlab.nn.init import INITS
        for name in ("width", "depth", "train_width", "epochs", "batch_size", "adam_depth", "explode_epochs"):
            check_int(name, getattr(self, name), "gradflow")
        for w in self.spread_widths:
            check_int("width", w, "gradflow")
        check_int("seeds", self.seeds, "gradflow", minimum=2)      # a mean and a spread over initialisations
        check_int("batch", self.batch, "gradflow", minimum=2)      # a variance over the batch
        for a in self.activations:
            check_choice("activations", a, ACTIVATIONS, "gradflow")
        for i in self.inits:
            check_choice("inits", i, INITS, "gradflow")
        for name in ("init_std", "lr", "adam_lr", "explode_init_std", "explode_lr"):
            check_positive(name, getattr(self, name), "gradflow")
        check_fraction("test_fraction", self.test_fraction, "gradflow")
        check_fraction("learned_accuracy", self.learned_accuracy, "gradflow", closed_high=True)


FULL = Settings()
QUICK = Settings(depth=10, seeds=10, batch=64, spread_widths=(32, 256), train_width=32, epochs=30,
                 adam_depth=5, explode_epochs=10)
