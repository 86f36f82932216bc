"""What the convolution lab runs: the image sets, the two networks' training, the shifts and the gratings."""
from __future__ import annotations

from dataclasses import dataclass

from nnlab._validation import InvalidArgument, check_choice, check_fraction, check_int, check_positive, check_seed

__all__ = ["Settings", "QUICK", "FULL", "check_max_shift"]


def check_max_shift(max_shift, sizes: dict[str, int], owner: str = "conv") -> int:
    """A shift from 0 up to one pixel less than the smallest image's side (a larger one moves every image out)."""
    check_int("max_shift", max_shift, owner, minimum=0)
    name, side = min(sizes.items(), key=lambda kv: kv[1])
    if max_shift >= side:
        raise InvalidArgument(f"The 'max_shift' parameter of {owner} must be smaller than the {side} x {side} "
                              f"{name} images. Got {max_shift!r} instead.", "max_shift", owner=owner,
                              allowed=f"an integer in the range [0, {side - 1}] (the {name} images are {side} x "
                                      f"{side})", value=max_shift)
    return max_shift


@dataclass(frozen=True)
class Settings:
    datasets: tuple[str, ...] = ("shapes", "digits")   # the first one fills summary.json's top-level numbers
    shapes_n: int = 4000                                # generated shapes images (train + test)
    test_fraction: float = 0.25
    channels: tuple[int, int] = (8, 16)                 # the CNN's two conv layers
    epochs: int = 15                                    # shapes; both networks
    digits_epochs: int = 40                             # digits; both networks
    lr: float = 3e-3                                    # Adam
    batch_size: int = 64
    max_shift: int = 3                                  # test images moved 0..max_shift pixels
    angles: int = 16                                    # grating orientations in [0, 180)
    random_inits: int = 50                              # fresh default initialisations for the OSI's spread
    seed: int = 0

    def __post_init__(self):
        from nnlab.data.images import IMAGE_SETS
        if not self.datasets:
            raise InvalidArgument("The 'dataset' parameter of conv must name at least one image set. Got none.",
                                  "dataset", owner="conv")
        for name in self.datasets:
            check_choice("dataset", name, IMAGE_SETS, "conv")
        if len(set(self.datasets)) != len(self.datasets):
            raise InvalidArgument(f"The 'dataset' parameter of conv names a set twice: {','.join(self.datasets)}.",
                                  "dataset", owner="conv")
        check_int("shapes_n", self.shapes_n, "conv", minimum=80)
        check_fraction("test_fraction", self.test_fraction, "conv", low=0.05, high=0.95)
        for c in self.channels:
            check_int("channels", c, "conv")
        if len(self.channels) != 2:
            raise InvalidArgument(f"The 'channels' parameter of conv must be two integers. Got {self.channels!r}.",
                                  "channels", owner="conv")
        for name in ("epochs", "digits_epochs", "batch_size", "random_inits"):
            check_int(name, getattr(self, name), "conv")
        check_int("angles", self.angles, "conv", minimum=4)
        check_positive("lr", self.lr, "conv")
        check_seed("seed", self.seed, "conv")
        check_max_shift(self.max_shift, {n: IMAGE_SETS[n].size for n in self.datasets})


FULL = Settings()
QUICK = Settings(shapes_n=1600, epochs=8, digits_epochs=20, random_inits=20)
