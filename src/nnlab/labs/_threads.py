"""One thread for a lab: every lab runs torch, BLAS and OpenMP on one thread, so its time does not depend on the
machine's core count or load, and labs run side by side do not fight over cores."""
from __future__ import annotations

import contextlib
import os

__all__ = ["one_thread"]

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def one_thread():
    """Torch, BLAS and OpenMP on one thread inside the block, restored after. A worker process spawned inside
    starts with one BLAS/OpenMP thread (the environment says so) and sets torch's itself."""
    import torch
    from threadpoolctl import threadpool_limits
    threads = torch.get_num_threads()
    saved = {k: os.environ.get(k) for k in _THREAD_VARIABLES}
    os.environ.update({k: "1" for k in _THREAD_VARIABLES})
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        # after threadpoolctl's restore, which resets the OpenMP pool torch uses
        torch.set_num_threads(threads)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
