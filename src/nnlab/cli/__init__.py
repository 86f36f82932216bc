"""The ``nnlab`` command: a thin shell that parses, calls the library and shows the result.

Errors in arguments print one line and exit 2; Ctrl-C exits 130 and keeps what was written.
Heavy modules (torch, matplotlib) are imported inside the commands, so ``nnlab --help`` starts fast.
Each command group lives in its own module and registers itself on ``app`` when imported.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys

from nnlab._validation import InvalidArgument
from nnlab.cli._common import FLAGS, app

# Command modules, in help order; each registers its commands on `app` when imported.
_COMMAND_MODULES = ("seed", "datasets", "runs", "gd", "approx", "usecase", "history", "sweep", "matmul", "explain",
                    "gradflow", "regularize", "study", "precision", "playground")
for _name in _COMMAND_MODULES:
    if importlib.util.find_spec(f"nnlab.cli.{_name}") is not None:
        importlib.import_module(f"nnlab.cli.{_name}")

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point: bad input becomes one line on stderr and exit 2; Ctrl-C exits 130 (typer's own handling)."""
    import shlex
    from nnlab.labpage import invoked_as
    invoked_as("nnlab " + shlex.join(sys.argv[1:] if argv is None else argv))   # the pages name what made them
    try:
        app(args=argv)
    except InvalidArgument as err:
        flag = FLAGS.get(err.argument or "")
        print(f"Error: {flag + ': ' if flag else ''}{err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
