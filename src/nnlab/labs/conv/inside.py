"""Inside the CNN: each layer's receptive field (computed, and measured from gradients), the feature maps of every
stage, and how orientation-selective the first layer's filters are, measured with oriented gratings.

Receptive field, computed: a stage with kernel k and stride s turns the previous (field r, jump j) into
(r + (k - 1) j, j s); the input is (1, 1). Measured: the input pixels on which one output unit near the centre
of a stage depends, the union over random inputs of the pixels where its gradient is not zero (max-pooling routes
the gradient through one input per window, so one input alone would show less).

Orientation selectivity: a filter w convolved with a grating cos(2 pi f (x sin t + y cos t) + phase), whose
stripes run at angle t (0 = horizontal, 90 = vertical, the angles of the shapes' bars; image rows grow downwards)
gives a sinusoid of amplitude r(t, f) = sqrt(2) * its standard deviation over the image. The filter's orientation
energy E(t) = sum over the wavelengths (2.5 to 10 pixels) of r(t, f)^2, and its selectivity index is one minus
the circular variance of E: OSI = |sum_t E(t) exp(2 i t)| / sum_t E(t) (orientation repeats every 180 degrees,
hence the doubled angle): 0 for a filter that answers every orientation alike, 1 for one that answers a single
orientation. The lab reports the mean over the first layer's filters.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

WAVELENGTHS = (2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)     # pixels per cycle

__all__ = ["WAVELENGTHS", "receptive_fields", "measured_receptive_fields", "feature_maps", "grating", "tuning",
           "Tuning", "orientation_selectivity"]


def _geometry(module: nn.Module):
    if isinstance(module, nn.Conv2d):
        return module.kernel_size[0], module.stride[0], module.padding[0]
    if isinstance(module, nn.MaxPool2d):
        return tuple(v if isinstance(v, int) else v[0] for v in (module.kernel_size, module.stride, module.padding))
    return None


def receptive_fields(cnn) -> list[dict]:
    """Per stage with a kernel (convs and pools): its name, kernel, stride, receptive field and jump (the input
    pixels between neighbouring units), by the recursion r <- r + (k - 1) j, j <- j s."""
    names = dict(cnn.STAGES)
    r, j = 1, 1
    out = []
    for i, module in enumerate(cnn):
        geo = _geometry(module)
        if geo is None:
            continue
        k, s, _ = geo
        r, j = r + (k - 1) * j, j * s
        out.append({"stage": names[i], "index": i, "kernel": k, "stride": s, "field": r, "jump": j})
    return out


def measured_receptive_fields(cnn, size: int, inputs: int = 32, seed: int = 0) -> dict[str, dict]:
    """{stage: {"field": side of the smallest square holding every pixel the centre unit depends on, "support":
    (size, size) fraction of the random inputs where its gradient there is not zero, "unit": (row, col)}}."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(inputs, 1, size, size, generator=gen, dtype=torch.float32)
    out = {}
    cnn.eval()
    for f in receptive_fields(cnn):
        x_ = x.clone().requires_grad_(True)
        h = x_
        for module in list(cnn)[:f["index"] + 1]:
            h = module(h)
        row, col = (h.shape[-2] - 1) // 2, (h.shape[-1] - 1) // 2
        grad, = torch.autograd.grad(h[:, :, row, col].sum(), x_)
        support = (grad[:, 0] != 0).double().mean(0).numpy()
        rows, cols = np.nonzero(support)
        side = int(max(rows.max() - rows.min(), cols.max() - cols.min()) + 1) if rows.size else 0
        out[f["stage"]] = {"field": side, "support": support, "unit": (row, col),
                           "clipped": bool(rows.size and (rows.min() == 0 or cols.min() == 0 or
                                                          rows.max() == size - 1 or cols.max() == size - 1))}
    return out


def feature_maps(cnn, X: np.ndarray) -> dict[str, np.ndarray]:
    """Every stage's output (N, C, h, w) for the images X (N, 1, H, W)."""
    cnn.eval()
    with torch.no_grad():
        return {k: v.numpy() for k, v in cnn.stages(torch.from_numpy(X)).items()}


def grating(angle_deg: float, wavelength: float, size: int, phase: float = 0.0) -> np.ndarray:
    """A size x size grating of unit amplitude whose stripes run at ``angle_deg`` (0 horizontal, 90 vertical)."""
    t = np.deg2rad(angle_deg)
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    return np.cos(2 * np.pi / wavelength * (x * np.sin(t) + y * np.cos(t)) + phase)


@dataclass
class Tuning:
    angles: np.ndarray          # (A,) degrees in [0, 180)
    wavelengths: np.ndarray     # (F,) pixels per cycle
    response: np.ndarray        # (filters, A, F) amplitude of the filter's output
    energy: np.ndarray          # (filters, A) orientation energy: sum over wavelengths of response^2
    preferred_angle: np.ndarray        # (filters,) degrees in [0, 180): the energy's mean direction
    osi: np.ndarray                    # (filters,) in [0, 1]


def tuning(weight: np.ndarray, angles: int = 16, wavelengths=WAVELENGTHS, size: int = 40) -> Tuning:
    """The responses of filters ``weight`` (filters, 1, k, k) to gratings at ``angles`` orientations and the given
    wavelengths (one input channel, as in the first layer on grey images)."""
    w = torch.as_tensor(np.asarray(weight, dtype=np.float64))
    angle = np.arange(angles) * 180.0 / angles
    wl = np.asarray(wavelengths, dtype=np.float64)
    images = np.stack([grating(a, l, size) for a in angle for l in wl])[:, None]
    with torch.no_grad():
        out = torch.nn.functional.conv2d(torch.from_numpy(images), w)        # (A * F, filters, h, w)
    amp = np.sqrt(2.0) * out.std(dim=(2, 3), unbiased=False).numpy()       # amplitude of each sinusoid
    response = amp.reshape(angles, len(wl), -1).transpose(2, 0, 1)          # (filters, A, F)
    energy = (response ** 2).sum(2)
    z = energy @ np.exp(2j * np.deg2rad(angle))
    total = energy.sum(1)
    osi = np.where(total > 0, np.abs(z) / np.where(total > 0, total, 1.0), 0.0)
    preferred = (np.rad2deg(np.angle(z)) / 2) % 180.0
    return Tuning(angle, wl, response, energy, preferred, osi)


def orientation_selectivity(weight: np.ndarray, **kw) -> float:
    """The mean OSI over the filters ``weight`` (filters, 1, k, k)."""
    return float(tuning(weight, **kw).osi.mean())
