"""How many threads the numbers are computed on: torch's for a block (``torch_threads``), and one thread for
everything in a lab (``one_thread``: torch, BLAS and OpenMP), each restored after the block."""
from __future__ import annotations

import contextlib
import os

__all__ = ["torch_threads", "one_thread"]

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def torch_threads(n: int | None):
    """Torch on ``n`` threads inside the block (None: as it is), its previous count restored after. Yields the
    count in force."""
    import torch
    previous = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield torch.get_num_threads()
    finally:
        torch.set_num_threads(previous)


@contextlib.contextmanager
def one_thread():
    """Torch, BLAS and OpenMP on one thread inside the block, restored after: every lab runs so, so its time does
    not depend on the machine's core count or load, and labs run side by side do not fight over cores. A worker
    process spawned inside starts with one BLAS/OpenMP thread (the environment says so) and sets torch's itself."""
    from threadpoolctl import threadpool_limits
    saved = {k: os.environ.get(k) for k in _THREAD_VARIABLES}
    os.environ.update({k: "1" for k in _THREAD_VARIABLES})
    try:
        # torch's count is restored after threadpoolctl's restore, which resets the OpenMP pool torch uses
        with torch_threads(1), threadpool_limits(limits=1):
            yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
