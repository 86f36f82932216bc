"""The engines' names and what each is, with no imports: configs check names against it without loading an
engine."""
from __future__ import annotations

from dataclasses import dataclass

from nnlab.names import ENGINE_NAMES, check_registry

__all__ = ["Engine", "ENGINES"]


@dataclass(frozen=True)
class Engine:
    name: str
    description: str

    def __repr__(self) -> str:
        return f"Engine({self.name!r}: {self.description})"


ENGINES: dict[str, Engine] = {e.name: e for e in [
    Engine("auto", "fast where it supports the run, else torch"),
    Engine("torch", "PyTorch eager: any model, any device"),
    Engine("fast", "compiled CPU kernels for small MLPs (numba), one call per epoch"),
]}

check_registry("nnlab.training.engines.ENGINES", ENGINES, ENGINE_NAMES)
