"""The tensor demos: each idea written once in NumPy and once in PyTorch, described panel by panel (shape,
strides, contiguity, view or copy) and compared between the two libraries."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnlab._validation import check_choice

__all__ = ["Demo", "Panel", "TENSOR_DEMOS", "run_demo", "demo_record"]


@dataclass(frozen=True)
class Panel:
    """One array of a demo as drawn: its label (the code that made it), values and memory layout."""
    label: str
    value: np.ndarray            # the values, as a NumPy array
    shape: tuple[int, ...]
    strides: tuple[int, ...]     # in elements
    byte_strides: tuple[int, ...]
    contiguous: bool
    view_of: str | None          # label of the earlier panel whose memory it shares, None for its own memory


@dataclass(frozen=True)
class Demo:
    """One idea: ``title`` says what is plotted, ``setup`` what is computed (no result: the panels and the
    claims say what came out)."""
    name: str
    title: str
    setup: str
    numpy: Callable[[], list[tuple[str, object]]]
    torch: Callable[[], list[tuple[str, object]]]


# 1) broadcasting ----------------------------------------------------------------------------------------------

def _broadcast_np():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([10, 20, 30], dtype=np.float32)
    col = np.array([[100], [200]], dtype=np.float32)
    return [("a", a), ("b", b), ("np.broadcast_to(b, (2, 3))", np.broadcast_to(b, (2, 3))), ("a + b", a + b),
            ("col", col), ("col + b", col + b)]


def _broadcast_torch():
    import torch
    a = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    b = torch.tensor([10.0, 20.0, 30.0])
    col = torch.tensor([[100.0], [200.0]])
    return [("a", a), ("b", b), ("b.expand(2, 3)", b.expand(2, 3)), ("a + b", a + b), ("col", col),
            ("col + b", col + b)]


# 2) elementwise and matrix products ----------------------------------------------------------------------------

def _products_np():
    a = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)
    b = np.array([[1, 0, -1], [2, 1, 0]], dtype=np.float32)
    w = np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float32)
    return [("a", a), ("b", b), ("a * b", a * b), ("w", w), ("a @ w", a @ w), ("a[0] @ b[1]", a[0] @ b[1])]


def _products_torch():
    import torch
    a = torch.tensor([[1.0, 2, 3], [4, 5, 6]])
    b = torch.tensor([[1.0, 0, -1], [2, 1, 0]])
    w = torch.tensor([[1.0, 0], [0, 1], [1, 1]])
    return [("a", a), ("b", b), ("a * b", a * b), ("w", w), ("a @ w", a @ w),
            ("torch.dot(a[0], b[1])", torch.dot(a[0], b[1]))]


# 3) reshape, view, transpose ------------------------------------------------------------------------------------

def _reshape_np():
    x = np.arange(6, dtype=np.float32)
    m = x.reshape(2, 3)
    return [("x", x), ("x.reshape(2, 3)", m), ("x.reshape(2, 3).T", m.T),
            ("np.ascontiguousarray(m.T)", np.ascontiguousarray(m.T)), ("x.reshape(3, 2)", x.reshape(3, 2))]


def _reshape_torch():
    import torch
    x = torch.arange(6, dtype=torch.float32)
    m = x.view(2, 3)
    return [("x", x), ("x.view(2, 3)", m), ("x.view(2, 3).T", m.T), ("m.T.contiguous()", m.T.contiguous()),
            ("x.view(3, 2)", x.view(3, 2))]


# 4) slicing and indexing ----------------------------------------------------------------------------------------

def _slicing_np():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    return [("x", x), ("x[1:, ::2]", x[1:, ::2]), ("x[:, 1]", x[:, 1]), ("x[[2, 0]]", x[[2, 0]]),
            ("x[x % 3 == 0]", x[x % 3 == 0])]


def _slicing_torch():
    import torch
    x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    return [("x", x), ("x[1:, ::2]", x[1:, ::2]), ("x[:, 1]", x[:, 1]), ("x[[2, 0]]", x[[2, 0]]),
            ("x[x % 3 == 0]", x[x % 3 == 0])]


# 5) reductions -------------------------------------------------------------------------------------------------

def _reduce_np():
    x = np.array([[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8]], dtype=np.float32)
    return [("x", x), ("x.sum(axis=0)", x.sum(axis=0)), ("x.sum(axis=1)", x.sum(axis=1)), ("x.mean()", x.mean()),
            ("x.max(axis=1)", x.max(axis=1)), ("x.argmax(axis=1)", x.argmax(axis=1))]


def _reduce_torch():
    import torch
    x = torch.tensor([[3.0, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8]])
    return [("x", x), ("x.sum(dim=0)", x.sum(dim=0)), ("x.sum(dim=1)", x.sum(dim=1)), ("x.mean()", x.mean()),
            ("x.max(dim=1).values", x.max(dim=1).values), ("x.argmax(dim=1)", x.argmax(dim=1))]


# 6) a Linear layer is x @ W.T + b, then an activation ------------------------------------------------------------

X = [[1, 2, 0], [-1, 0, 2], [0, -2, 1], [2, 1, -1]]   # 4 samples x 3 features
W = [[1, -1, 0.5], [0, 2, -1]]                         # (out, in) = (2, 3), as nn.Linear stores it
BIAS = [0.5, -1]


def _linear_np():
    x, w, b = (np.array(v, dtype=np.float32) for v in (X, W, BIAS))
    z = x @ w.T + b
    return [("x", x), ("W", w), ("b", b), ("W.T", w.T), ("x @ W.T", x @ w.T), ("z = x @ W.T + b", z),
            ("np.maximum(z, 0)", np.maximum(z, 0))]


def _linear_torch():
    import torch
    layer = torch.nn.Linear(3, 2)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(W))
        layer.bias.copy_(torch.tensor(BIAS))
    x = torch.tensor(X, dtype=torch.float32)
    with torch.no_grad():
        z = layer(x)
        return [("x", x), ("layer.weight", layer.weight), ("layer.bias", layer.bias),
                ("layer.weight.T", layer.weight.T), ("x @ layer.weight.T", x @ layer.weight.T),
                ("z = layer(x)", z), ("torch.relu(z)", torch.relu(z))]


TENSOR_DEMOS = {d.name: d for d in (
    Demo("broadcast", "Addition with broadcasting",
         "a (2, 3) + b (3,), and col (2, 1) + b (3,); np.broadcast_to(b, (2, 3)) and b.expand(2, 3) show b as "
         "the addition sees it.",
         _broadcast_np, _broadcast_torch),
    Demo("products", "Elementwise product, matrix product, dot product",
         "a * b multiplies matching elements of a (2, 3) and b (2, 3); a @ w is the matrix product of a (2, 3) "
         "and w (3, 2); the last panel is the dot product of a[0] and b[1].",
         _products_np, _products_torch),
    Demo("reshape", "Reshape, view and transpose: memory and strides",
         "x holds the numbers 0 to 5; it is reshaped (viewed) as (2, 3), that matrix is transposed and the "
         "transpose copied into contiguous memory; x is also reshaped as (3, 2).",
         _reshape_np, _reshape_torch),
    Demo("slicing", "Slicing and indexing",
         "x (3, 4) holds 0 to 11: two basic slices (x[1:, ::2], x[:, 1]), a list of row indices (x[[2, 0]]) "
         "and a boolean mask (x[x % 3 == 0]).",
         _slicing_np, _slicing_torch),
    Demo("reductions", "Reductions along an axis",
         "x (3, 4) summed over axis 0 and over axis 1, its mean, and the max and argmax of each row (axis 1).",
         _reduce_np, _reduce_torch),
    Demo("linear", "A Linear layer against x @ W.T + b, then ReLU",
         "nn.Linear(3, 2) with weight W and bias b set by hand is applied to a batch x (4, 3); NumPy computes "
         "x @ W.T + b from the same numbers; then ReLU.",
         _linear_np, _linear_torch),
)}


def _describe(items: list[tuple[str, object]]) -> list[Panel]:
    """Panels with layout facts; a panel is a view of the first earlier panel whose memory it shares."""
    panels, bases = [], []
    for label, x in items:
        if hasattr(x, "detach"):   # a torch tensor
            x = x.detach()
            value = x.numpy().copy()
            strides = tuple(x.stride())
            byte_strides = tuple(s * x.element_size() for s in strides)
            contiguous = x.is_contiguous()
            start = x.untyped_storage().data_ptr()
            span = (start, start + x.untyped_storage().nbytes())
        else:
            x = np.asarray(x)
            value = x.copy()
            byte_strides = tuple(x.strides)
            strides = tuple(s // x.itemsize for s in x.strides)
            contiguous = bool(x.flags.c_contiguous)
            start = x.__array_interface__["data"][0]
            span = (start, start + max(x.nbytes, 1)) if x.base is None else _np_span(x)
        view_of = next((lbl for lbl, (lo, hi) in bases if span[0] < hi and lo < span[1]), None)
        panels.append(Panel(label, value, tuple(value.shape), strides, byte_strides, contiguous, view_of))
        bases.append((label, span))
    return panels


def _np_span(x: np.ndarray) -> tuple[int, int]:
    """The memory of the array that owns x's data (a view's own extent is harder to state with stride 0)."""
    base = x
    while isinstance(base.base, np.ndarray):
        base = base.base
    start = base.__array_interface__["data"][0]
    return start, start + max(base.nbytes, 1)


def _differences(a: Panel, b: Panel, index_a: dict, index_b: dict) -> list[str]:
    """What differs between a NumPy panel and its PyTorch twin (views compared by the position of their base)."""
    what = []
    if a.shape != b.shape:
        what.append("shape")
    elif not np.array_equal(a.value, b.value):
        what.append("values")
    if a.value.dtype != b.value.dtype:
        what.append("dtype")
    if a.strides != b.strides:
        what.append("strides")
    if a.contiguous != b.contiguous:
        what.append("contiguity")
    if index_a.get(a.view_of) != index_b.get(b.view_of):
        what.append("view or copy")
    return what


def run_demo(name: str) -> dict:
    """Both libraries' panels for demo ``name`` and whether they agree on values, dtype, shape, element strides,
    contiguity and view or copy (``mismatches``: "numpy label vs torch label: what differs")."""
    demo = TENSOR_DEMOS[check_choice("demo", name, TENSOR_DEMOS)]
    np_panels, torch_panels = _describe(demo.numpy()), _describe(demo.torch())
    index_np = {p.label: i for i, p in enumerate(np_panels)}
    index_torch = {p.label: i for i, p in enumerate(torch_panels)}
    mismatches = []
    for a, b in zip(np_panels, torch_panels):
        what = _differences(a, b, index_np, index_torch)
        if what:
            mismatches.append(f"{a.label} vs {b.label}: {', '.join(what)}")
    if len(np_panels) != len(torch_panels):
        mismatches.append(f"{len(np_panels)} NumPy panels vs {len(torch_panels)} PyTorch panels")
    return {"demo": demo, "numpy": np_panels, "torch": torch_panels, "equal": not mismatches,
            "mismatches": mismatches}


def demo_record(result: dict, figure: str | None = None) -> dict:
    """A demo's numbers as JSON (``tensors.json`` and ``summary.json["demos"]``): every panel of both libraries."""
    def panel(p: Panel) -> dict:
        return {"label": p.label, "shape": list(p.shape), "strides": list(p.strides),
                "byte_strides": list(p.byte_strides), "contiguous": p.contiguous, "view_of": p.view_of,
                "dtype": str(p.value.dtype), "values": p.value.tolist()}
    return {"demo": result["demo"].name, "title": result["demo"].title, "setup": result["demo"].setup,
            "figure": figure, "equal": result["equal"], "mismatches": result["mismatches"],
            "panels": [{"numpy": a.label, "torch": b.label, "shape": list(a.shape), "strides": list(a.strides),
                        "numpy_byte_strides": list(a.byte_strides), "contiguous": a.contiguous, "view_of": a.view_of}
                       for a, b in zip(result["numpy"], result["torch"])],
            "numpy_panels": [panel(p) for p in result["numpy"]],
            "torch_panels": [panel(p) for p in result["torch"]]}
