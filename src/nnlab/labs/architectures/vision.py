"""Image models as they were published: the perceptron, LeNet-5, AlexNet (two variants) and ResNets.

Every class is a plain ``nn.Module`` whose layers match the paper (or torchvision, where stated), so that
parameter and multiply-add counts come from the modules themselves. Build them under
``torch.device("meta")`` to count without allocating.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["Perceptron", "LeNet5", "Subsampling", "PartialConv2d", "RBFOutput", "ScaledTanh", "AlexNet",
           "AlexNet2012", "ResNet", "resnet18", "resnet50", "LENET_C3_TABLE"]


class Perceptron(nn.Module):
    """Rosenblatt's unit on the seed's 2-D data: y = sign(w . x + b); 3 parameters."""

    def __init__(self, inputs: int = 2):
        super().__init__()
        self.linear = nn.Linear(inputs, 1)

    def forward(self, x):                     # (B, inputs) -> (B, 1)
        return torch.sign(self.linear(x))


# ---- LeNet-5 (LeCun, Bottou, Bengio & Haffner 1998, Section II.B) ----------------------------------------

# Table I of the paper: which S2 maps (rows 0..5) feed each C3 map (0..15); 60 connections in all.
LENET_C3_TABLE = ((0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1),
                  (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 0), (4, 5, 0, 1), (5, 0, 1, 2),
                  (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5), (0, 1, 2, 3, 4, 5))


class ScaledTanh(nn.Module):
    """LeNet's squashing function f(a) = A tanh(S a) with A = 1.7159, S = 2/3 (Appendix A)."""

    def forward(self, x):
        return 1.7159 * torch.tanh(x * (2.0 / 3.0))


class Subsampling(nn.Module):
    """S2/S4: the four inputs of each 2 x 2 block are added, multiplied by a trainable coefficient and a
    trainable bias is added (2 parameters per map): y = w_c * sum(x_block) + b_c."""

    def __init__(self, channels: int):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x):                     # (B, C, H, W) -> (B, C, H/2, W/2)
        summed = 4.0 * F.avg_pool2d(x, 2)
        return summed * self.weight[:, None, None] + self.bias[:, None, None]


class PartialConv2d(nn.Module):
    """C3: 16 maps of 5 x 5 convolutions, each over the subset of S2 maps that Table I gives it.

    Parameters: sum over maps of (|subset| * 25 + 1) = 60 * 25 + 16 = 1,516.
    """

    def __init__(self, table=LENET_C3_TABLE, kernel: int = 5):
        super().__init__()
        self.table = [list(rows) for rows in table]
        self.convs = nn.ModuleList(nn.Conv2d(len(rows), 1, kernel) for rows in self.table)

    def forward(self, x):                     # (B, 6, 14, 14) -> (B, 16, 10, 10)
        return torch.cat([conv(x[:, rows]) for conv, rows in zip(self.convs, self.table)], dim=1)


class RBFOutput(nn.Module):
    """The output layer: one Euclidean radial basis unit per class, y_i = sum_j (x_j - w_ij)^2.

    The paper sets the 84-dimensional centres by hand to stylised 7 x 12 bitmaps of the characters (+1/-1)
    and keeps them fixed, so they are a buffer here, not parameters; we use a fixed arithmetic +1/-1 pattern
    instead of the bitmaps (the counts do not depend on it).
    """

    def __init__(self, inputs: int = 84, classes: int = 10):
        super().__init__()
        i, j = torch.arange(classes)[:, None], torch.arange(inputs)[None, :]
        pattern = torch.where((i * 37 + j * j * 11) % 7 < 3, 1.0, -1.0)       # (classes, inputs), +1/-1
        self.register_buffer("centres", pattern)

    def forward(self, x):                     # (B, 84) -> (B, 10), smaller is better
        return ((x[:, None, :] - self.centres[None]) ** 2).sum(-1)


class LeNet5(nn.Module):
    """INPUT 32x32 -> C1 6@28x28 -> S2 6@14x14 -> C3 16@10x10 -> S4 16@5x5 -> C5 120 -> F6 84 -> RBF 10.

    60,000 trainable parameters: 156 + 12 + 1,516 + 32 + 48,120 + 10,164 (the paper's counts, layer by layer).
    """

    def __init__(self):
        super().__init__()
        self.c1, self.s2 = nn.Conv2d(1, 6, 5), Subsampling(6)
        self.c3, self.s4 = PartialConv2d(), Subsampling(16)
        self.c5, self.f6 = nn.Conv2d(16, 120, 5), nn.Linear(120, 84)
        self.output = RBFOutput(84, 10)
        self.squash = nn.ModuleList(ScaledTanh() for _ in range(6))

    def forward(self, x):                     # (B, 1, 32, 32) -> (B, 10)
        x = self.squash[0](self.c1(x))
        x = self.squash[1](self.s2(x))
        x = self.squash[2](self.c3(x))
        x = self.squash[3](self.s4(x))
        x = self.squash[4](self.c5(x)).flatten(1)
        return self.output(self.squash[5](self.f6(x)))


# ---- AlexNet ----------------------------------------------------------------------------------------------

class AlexNet(nn.Module):
    """torchvision's AlexNet (the one-GPU widths 64-192-384-256-256 of Krizhevsky 2014, "One weird trick");
    61,100,840 parameters, input 3 x 224 x 224."""

    def __init__(self, classes: int = 1000, dropout: float = 0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(),
            nn.Dropout(dropout), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, classes))

    def forward(self, x):                     # (B, 3, 224, 224) -> (B, 1000)
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


class AlexNet2012(nn.Module):
    """The network of Krizhevsky, Sutskever & Hinton (2012), Section 3 and Figure 2: 96-256-384-384-256
    kernels, conv2/4/5 split in two groups (the two GPUs), local response normalisation after conv1 and conv2.

    The paper says 224 x 224 inputs, but its 55 x 55 first-layer maps need 227 x 227 (no padding), as the
    authors' own code used; we take 227.
    """

    def __init__(self, classes: int = 1000, dropout: float = 0.5):
        super().__init__()
        lrn = lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
            nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
            nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(), nn.MaxPool2d(3, 2))
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(),
            nn.Dropout(dropout), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, classes))

    def forward(self, x):                     # (B, 3, 227, 227) -> (B, 1000)
        return self.classifier(self.features(x).flatten(1))


# ---- ResNet (He et al. 2015), laid out as torchvision's (stride on the 3x3 convolution, "v1.5") ------------

class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False), nn.BatchNorm2d(planes)
        self.conv2, self.bn2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False), nn.BatchNorm2d(planes)
        self.relu1, self.relu2 = nn.ReLU(), nn.ReLU()
        self.downsample = _shortcut(inplanes, planes, stride)

    def forward(self, x):
        out = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        return self.relu2(out + (self.downsample(x) if self.downsample is not None else x))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1):
        super().__init__()
        width, outplanes = planes, planes * 4
        self.conv1, self.bn1 = nn.Conv2d(inplanes, width, 1, bias=False), nn.BatchNorm2d(width)
        self.conv2, self.bn2 = nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width)
        self.conv3, self.bn3 = nn.Conv2d(width, outplanes, 1, bias=False), nn.BatchNorm2d(outplanes)
        self.relu1, self.relu2, self.relu3 = nn.ReLU(), nn.ReLU(), nn.ReLU()
        self.downsample = _shortcut(inplanes, outplanes, stride)

    def forward(self, x):
        out = self.relu1(self.bn1(self.conv1(x)))
        out = self.relu2(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu3(out + (self.downsample(x) if self.downsample is not None else x))


def _shortcut(inplanes: int, outplanes: int, stride: int):
    """A 1x1 projection (with batch norm) where the shape changes, else the identity (None)."""
    if stride == 1 and inplanes == outplanes:
        return None
    return nn.Sequential(nn.Conv2d(inplanes, outplanes, 1, stride, bias=False), nn.BatchNorm2d(outplanes))


class ResNet(nn.Module):
    """conv 7x7/2 -> max pool -> four stages of residual blocks (64, 128, 256, 512 planes) -> average -> fc."""

    def __init__(self, block, layers: tuple[int, int, int, int], classes: int = 1000):
        super().__init__()
        self.conv1, self.bn1, self.relu = nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        stages, inplanes = [], 64
        for i, (planes, blocks) in enumerate(zip((64, 128, 256, 512), layers)):
            stride = 1 if i == 0 else 2
            stage = [block(inplanes, planes, stride)]
            inplanes = planes * block.expansion
            stage += [block(inplanes, planes) for _ in range(blocks - 1)]
            stages.append(nn.Sequential(*stage))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512 * block.expansion, classes)

    def forward(self, x):                     # (B, 3, 224, 224) -> (B, 1000)
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


def resnet18() -> ResNet:
    """11,689,512 parameters (torchvision)."""
    return ResNet(BasicBlock, (2, 2, 2, 2))


def resnet50() -> ResNet:
    """25,557,032 parameters (torchvision)."""
    return ResNet(Bottleneck, (3, 4, 6, 3))
