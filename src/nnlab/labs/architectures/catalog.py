"""The architectures of exercise 1.2 as a registry: how to build each model and a typical input of batch size one
(``ARCHITECTURES``, ``build``, ``example_inputs``)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Architecture", "ARCHITECTURES", "build", "example_inputs"]


@dataclass(frozen=True)
class Architecture:
    """A registry entry: what to build, what one example is, and where it sits in history."""
    name: str
    title: str
    year: int
    family: str                          # "perceptron", "mlp", "cnn" or "transformer"
    make: Callable                       # () -> nn.Module
    inputs: Callable                     # (batch, device) -> tuple of tensors
    input_desc: str
    timeline_id: str                     # the row of timeline.csv it belongs to
    timeable: bool                       # small enough to time on a CPU forward pass
    note: str = ""


def _seed_mlp():
    from nnlab.config import ModelConfig
    from nnlab.nn import build_mlp
    return build_mlp(ModelConfig())


def _vision(name):
    def make():
        from nnlab.labs.architectures import vision
        return getattr(vision, name)()
    return make


def _seq(name):
    def make():
        from nnlab.labs.architectures import transformer
        return getattr(transformer, name)()
    return make


def _images(channels, size):
    def inputs(batch, device):
        import torch
        return (torch.randn(batch, channels, size, size, device=device),)
    return inputs


def _vectors(width):
    def inputs(batch, device):
        import torch
        return (torch.randn(batch, width, device=device),)
    return inputs


def _tokens(vocab, *lengths):
    def inputs(batch, device):
        import torch
        return tuple(torch.randint(0, vocab, (batch, n), device="cpu").to(device) for n in lengths)
    return inputs


ARCHITECTURES: dict[str, Architecture] = {a.name: a for a in [
    Architecture("perceptron", "Perceptron", 1958, "perceptron", _vision("Perceptron"), _vectors(2),
                 "2 features", "perceptron", True, "the seed's perceptron: 2 inputs, one threshold unit"),
    Architecture("seed-mlp", "MLP (seed)", 1986, "mlp", _seed_mlp, _vectors(2), "2 features", "backprop",
                 True, "the seed's 2-8-8-8-8-8-2 ReLU MLP, placed at 1986 (backpropagation)"),
    Architecture("lenet5", "LeNet-5", 1998, "cnn", _vision("LeNet5"), _images(1, 32), "1 x 32 x 32 image",
                 "lenet5", True),
    Architecture("alexnet", "AlexNet (torchvision)", 2012, "cnn", _vision("AlexNet"), _images(3, 224),
                 "3 x 224 x 224 image", "alexnet", True, "torchvision's one-GPU widths (64-192-384-256-256)"),
    Architecture("alexnet-2012", "AlexNet (2012 paper)", 2012, "cnn", _vision("AlexNet2012"), _images(3, 227),
                 "3 x 227 x 227 image", "alexnet", True, "two-GPU grouped convolutions, 96-256-384-384-256"),
    Architecture("resnet18", "ResNet-18", 2015, "cnn", _vision("resnet18"), _images(3, 224),
                 "3 x 224 x 224 image", "resnet", True),
    Architecture("resnet50", "ResNet-50", 2015, "cnn", _vision("resnet50"), _images(3, 224),
                 "3 x 224 x 224 image", "resnet", True),
    Architecture("transformer-base", "Transformer base", 2017, "transformer", _seq("Transformer"),
                 _tokens(37000, 128, 128), "128 source + 128 target tokens", "transformer", True),
    Architecture("bert-base", "BERT-base", 2018, "transformer", _seq("Bert"), _tokens(30522, 128),
                 "128 tokens", "bert", True),
    Architecture("gpt3", "GPT-3 175B", 2020, "transformer", _seq("GPT"), _tokens(50257, 2048),
                 "2,048 tokens (full context)", "gpt3", False, "built on the meta device only: 700 GB in fp32"),
]}


def build(name: str, device: str = "meta"):
    """The model ``name`` built on ``device`` (``meta``: shapes only, no memory), in eval mode."""
    import torch

    from nnlab._validation import check_choice
    arch = ARCHITECTURES[check_choice("architecture", name, ARCHITECTURES)]
    with torch.device(device):
        model = arch.make()
    return model.eval()


def example_inputs(name: str, batch: int = 1, device: str = "meta") -> tuple:
    """A batch of ``batch`` typical inputs for ``name`` on ``device``."""
    return ARCHITECTURES[name].inputs(batch, device)
