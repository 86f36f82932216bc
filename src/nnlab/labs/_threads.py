"""One thread for a lab (``nnlab.threads.one_thread``), under the name the labs import."""
from nnlab.threads import one_thread

__all__ = ["one_thread"]
