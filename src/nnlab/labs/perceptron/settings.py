"""What the perceptron lab runs: the seed's program and its Figure 4, the pocket algorithm on noisy data, and the
capacity of a line (every labelling of 3 and 4 points, and Cover's count for random points)."""
from __future__ import annotations

from dataclasses import dataclass

from nnlab._validation import InvalidArgument, check_choice, check_int, check_positive, check_seed

__all__ = ["Settings", "QUICK", "FULL", "POCKET_DATASETS", "MAX_NOISE", "MAX_N"]

# Two-class data sets of nnlab.data the pocket section can take (xor4 repeats its four corners: it is the
# capacity section's; spirals has three classes; the regression sets have no classes).
POCKET_DATASETS = ("seed-linear", "gauss", "moons", "circle", "xor", "spiral", "seed-circle")
MAX_NOISE = 50.0       # percent of labels flipped; at 50 % the labels say nothing about the points
MAX_N = 500            # the exact best line enumerates every pair of training points: n^3 / 2 sign tests


@dataclass(frozen=True)
class Settings:
    seed: int = 0                       # the seed's data (Figure 4), the noisy data, the random point sets
    lr: float = 0.1                     # the seed's learning rate
    max_epochs: int = 1000              # the seed's max_iter: the seed program, Figure 4 and every capacity run
    # -- the pocket algorithm on data no line separates
    dataset: str = "seed-linear"
    noise: float = 10.0                 # percent of labels flipped, train and held-out alike
    n: int = 200                        # training points
    n_test: int = 1000                  # held-out points (labels flipped alike)
    pocket_epochs: int = 1000           # epochs of the plain rule and of the pocket
    # -- Figure 4
    strip: int = 8                      # snapshots in the strip
    gif_frames: int = 200               # at most this many frames in the GIF (every update when fewer)
    # -- capacity
    cover_sizes: tuple[int, ...] = (3, 4, 5, 6)     # random points in general position: every labelling by LP

    def __post_init__(self):
        check_seed("seed", self.seed, "perceptron")
        check_positive("lr", self.lr, "perceptron")
        for name in ("max_epochs", "pocket_epochs", "n_test", "gif_frames"):
            check_int(name, getattr(self, name), "perceptron")
        check_int("strip", self.strip, "perceptron", minimum=2)
        check_choice("dataset", self.dataset, POCKET_DATASETS, "perceptron")
        noise = self.noise
        if (not isinstance(noise, (int, float)) or isinstance(noise, bool) or noise != noise
                or not 0 <= noise <= MAX_NOISE):
            raise InvalidArgument(f"The 'noise' parameter of perceptron must be a percentage of labels flipped in "
                                  f"the range [0, {MAX_NOISE:g}]. Got {noise!r} instead.", "noise", owner="perceptron",
                                  allowed=f"a percentage of labels flipped in the range [0, {MAX_NOISE:g}]",
                                  value=noise)
        if not isinstance(self.n, int) or isinstance(self.n, bool) or not 4 <= self.n <= MAX_N:
            raise InvalidArgument(f"The 'n' parameter of perceptron must be an integer in the range [4, {MAX_N}] "
                                  f"(the exact best line tries every pair of points). Got {self.n!r} instead.", "n",
                                  owner="perceptron", allowed=f"an integer in the range [4, {MAX_N}]", value=self.n)
        for size in self.cover_sizes:
            check_int("cover_sizes", size, "perceptron", minimum=3)
            if size > 10:
                raise InvalidArgument(f"The 'cover_sizes' parameter of perceptron takes sizes up to 10 (2^N "
                                      f"labellings each). Got {size!r}.", "cover_sizes")


FULL = Settings()
QUICK = Settings(pocket_epochs=100, n_test=500, gif_frames=40, cover_sizes=(3, 4, 5))
