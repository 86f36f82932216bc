"""Devices and numeric precisions for the torch engine: where a model trains and in which float format.

- ``device``: ``"cpu"``, ``"cuda"``, or ``"auto"``. ``auto`` leaves small MLPs to the fast CPU engine when it
  serves them (at that size a GPU is slower: per-kernel launch costs dominate), and otherwise picks CUDA when
  present, else the CPU.
- ``precision``: ``"fp32"`` (everything in float32), ``"bf16"`` (autocast: matrix products and most activations in
  bfloat16, weights, optimizer state and losses kept in float32; CPU and CUDA), ``"fp16"`` (autocast to float16
  with a gradient scaler, because float16's 5 exponent bits underflow small gradients; CUDA only).

Mixed precision keeps a float32 master copy of every weight: only the arithmetic of the forward and backward
pass is rounded to 16 bits. bfloat16 has float32's range and 8 bits of mantissa (about 3 significant digits);
float16 has 11 bits of mantissa but a range of about 6e-5 to 65504.
"""
from __future__ import annotations

import contextlib

from nnlab._validation import InvalidArgument
from nnlab.names import DEVICE_NAMES, PRECISION_NAMES, check_registry

__all__ = ["DEVICES", "PRECISIONS", "check_device", "check_precision", "resolve_device", "autocast",
           "GradScaler"]

DEVICES = DEVICE_NAMES
PRECISIONS = {
    "fp32": "float32 everywhere",
    "bf16": "autocast to bfloat16 (CPU and CUDA); float32 weights and optimizer state",
    "fp16": "autocast to float16 with a gradient scaler (CUDA only); float32 weights and optimizer state",
}


def check_device(device: str) -> str:
    if device not in DEVICES:
        raise InvalidArgument(f"The 'device' parameter must be one of {list(DEVICES)}. Got {device!r} instead.",
                              "device")
    return device


def check_precision(precision: str) -> str:
    if precision not in PRECISIONS:
        raise InvalidArgument(f"The 'precision' parameter must be one of {list(PRECISIONS)}. Got {precision!r} "
                              "instead.", "precision")
    return precision


def resolve_device(device: str, precision: str = "fp32") -> str:
    """``"cpu"`` or ``"cuda"`` for a torch-engine run; a clear error where the request cannot be met."""
    import torch
    check_device(device)
    check_precision(precision)
    has_cuda = torch.cuda.is_available()
    if device == "auto":
        device = "cuda" if has_cuda else "cpu"
    if device == "cuda" and not has_cuda:
        raise InvalidArgument("The 'device' parameter is 'cuda', but torch sees no CUDA device here "
                              f"(torch {torch.__version__}). Use 'cpu' or 'auto'.", "device")
    if precision == "fp16" and device != "cuda":
        raise InvalidArgument("The 'precision' parameter 'fp16' needs a CUDA device (float16 autocast with a "
                              "gradient scaler); on the CPU use 'bf16' or 'fp32'.", "precision")
    return device


def autocast(device: str, precision: str):
    """The context the forward pass and loss run in: torch.autocast for bf16/fp16, nothing for fp32."""
    import torch
    if precision == "fp32":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device_type=device, dtype=dtype)


class GradScaler:
    """Loss scaling for fp16: backward on ``loss * scale``, unscale before the step, skip steps with inf/NaN.

    A thin wrapper over ``torch.amp.GradScaler`` that is the identity for fp32 and bf16 (whose range needs no
    scaling), so the training loop has one code path.
    """

    def __init__(self, device: str, precision: str):
        self.enabled = precision == "fp16"
        if self.enabled:
            import torch
            self._scaler = torch.amp.GradScaler(device)

    def backward(self, objective) -> None:
        (self._scaler.scale(objective) if self.enabled else objective).backward()

    def step(self, optimizer) -> None:
        if self.enabled:
            self._scaler.step(optimizer)
            self._scaler.update()
        else:
            optimizer.step()

check_registry("nnlab.training.precision.PRECISIONS", PRECISIONS, PRECISION_NAMES)
