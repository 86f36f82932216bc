"""The ``nnlab`` command: a thin shell that parses, calls the library and shows the result.

Errors in arguments print one line and exit 2; Ctrl-C exits 130 and keeps what was written.
Heavy modules (torch, matplotlib) are imported inside the commands, so ``nnlab --help`` starts fast.
Each command group lives in its own module and registers itself on ``app`` when imported.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys

import typer

from nnlab._validation import InvalidArgument
from nnlab.cli._common import app

# Command modules, in help order; each registers its commands on `app` when imported.
# Each module is named after the command it holds (runs and datasets hold their subcommands).
_COMMAND_MODULES = ("perceptron", "train", "tour", "datasets", "runs", "gd", "approx", "usecase", "history", "costs",
                    "sweep", "tensors", "matmul", "explain", "gradflow", "regularize", "study", "precision", "conv",
                    "sequence", "attention", "generative", "playground")
for _name in _COMMAND_MODULES:
    if importlib.util.find_spec(f"nnlab.cli.{_name}") is not None:
        importlib.import_module(f"nnlab.cli.{_name}")

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code. Bad input - a value the library refuses, or one the parser cannot read
    (``--epochs abc``, an unknown command or option) - is one line on stderr naming what was typed, and exit 2;
    Ctrl-C exits 130; ``--help`` and a finished command exit 0."""
    import shlex

    from nnlab.cli._errors import empty_path, error_line, parser_exceptions, usage_line
    from nnlab.labpage import invoked_as
    args = sys.argv[1:] if argv is None else list(argv)
    invoked_as("nnlab " + shlex.join(args))   # the pages name what made them
    exc = parser_exceptions()
    empty = empty_path(app, args)
    if empty:
        print(f"Error: {empty}", file=sys.stderr)
        return 2
    try:
        code = app(args=args, prog_name="nnlab", standalone_mode=False)
    except InvalidArgument as err:
        print(f"Error: {error_line(err)}", file=sys.stderr)
        return 2
    except exc.UsageError as err:
        if type(err).__name__ == "NoArgsIsHelpError":        # a bare group: its help was shown
            if err.format_message():
                print(err.format_message())
            return 2
        print(f"Error: {usage_line(err, args)}", file=sys.stderr)
        return 2
    except exc.ClickException as err:
        print(f"Error: {err.format_message()}", file=sys.stderr)
        return err.exit_code
    except (typer.Abort, getattr(exc, "Abort", typer.Abort)):
        print("Aborted.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:       # before the parser took over (it turns a later Ctrl-C into exit code 130)
        code = 130
    except (MemoryError, RuntimeError, ValueError) as err:
        if not _too_big(err):
            raise
        first = str(err).strip().splitlines()[0].rstrip(".") if str(err).strip() else type(err).__name__
        print(f"Error: out of memory ({first}). Ask for less: fewer points, smaller layers or batches.",
              file=sys.stderr)
        return 2
    # without standalone mode the parser returns Exit's code (130 after Ctrl-C, 0 after --help) or the command's
    # own return value (None)
    code = code if isinstance(code, int) and not isinstance(code, bool) else 0
    if code == 130:
        print("Interrupted (Ctrl-C).", file=sys.stderr)
    return code


# What NumPy and torch say when asked for an array larger than memory, or than any array can be.
_TOO_BIG = ("can't allocate memory", "array is too big", "Maximum allowed dimension exceeded",
            "Storage size calculation overflowed")


def _too_big(err: BaseException) -> bool:
    """An allocation that failed: NumPy's MemoryError, CUDA out of memory, or one of the messages in _TOO_BIG."""
    return isinstance(err, MemoryError) or type(err).__name__ == "OutOfMemoryError" or \
        any(text in str(err) for text in _TOO_BIG)


if __name__ == "__main__":
    sys.exit(main())
