"""Every error a user can cause, as one line that names what they typed: the library's ``InvalidArgument`` and the
command-line parser's own usage errors (an option that does not parse, an unknown command or option).

The parser is click, vendored inside typer since typer 0.2x (``typer._click``), imported from click before that.
"""
from __future__ import annotations

import difflib
import re

from nnlab._validation import InvalidArgument
from nnlab.cli._common import FLAGS

__all__ = ["flag_of", "error_line", "usage_line", "parser_exceptions", "empty_path"]

_TYPE_WORDS = {int: "an integer", float: "a number", bool: "true or false"}


def parser_exceptions():
    """The module holding the parser's exception classes (UsageError, NoSuchOption, ...)."""
    try:
        from typer._click import exceptions
    except ImportError:                                  # typer before it vendored click
        from click import exceptions
    return exceptions


def flag_of(argument: str | None) -> str | None:
    """What the user typed for a library argument: ``batch_size`` -> ``--batch-size``; a flag (``--folds``) or a
    positional argument's name (``NAME``) given as the argument stays as it is."""
    if not argument:
        return None
    if argument.startswith("-") or (argument.isupper() and len(argument) > 1):
        return argument
    return FLAGS.get(argument)


def error_line(err: InvalidArgument) -> str:
    """``--epochs must be an integer >= 1. Got 0 instead.`` for a check that recorded what it allows (never the
    library function that made it); ``--csv: Cannot load ...`` otherwise."""
    flag = flag_of(err.argument)
    if flag is None or str(err).startswith(flag):          # some messages name their flag themselves
        return str(err)
    return err.restated(flag)


def usage_line(err, args: list[str]) -> str:
    """One line for a parser error ``err`` (a click UsageError) raised while parsing ``args``."""
    exc = parser_exceptions()
    ctx = getattr(err, "ctx", None)
    command = ctx.command_path if ctx is not None else "nnlab"
    see = f"see '{command} --help'"
    if isinstance(err, exc.MissingParameter):
        return f"{command} needs {_name(err.param)}; {see}."
    if isinstance(err, exc.BadParameter) and getattr(err, "param", None) is not None:
        name = _name(err.param)
        value = _value(err, name, args)
        allowed = _type_words(err.param)
        got = "" if value is None else f" Got {value!r} instead."
        if allowed:
            return f"{name} must be {allowed}.{got}"
        return f"{name}: {err.message.rstrip('.')}.{got}"
    if isinstance(err, exc.NoSuchOption):
        option = err.option_name
        hint = f" (did you mean {_or(sorted(err.possibilities))}?)" if err.possibilities else ""
        if re.fullmatch(r"-\d[\d.eE+-]*", option):
            hint = " (a value that starts with '-' reads as an option)"
        return f"{command} has no option {option}{hint}; {see}."
    if isinstance(err, exc.BadOptionUsage):
        option = err.option_name
        if "requires an argument" in err.message:
            return f"{option} needs a value; got none."
        if "does not take a value" in err.message:
            given = next((a.split("=", 1)[1] for a in args if a.startswith(option + "=")), None)
            return f"{option} is a switch and takes no value; got {given!r}." if given is not None else \
                f"{option} is a switch and takes no value."
        return f"{option}: {err.message}"
    unknown = re.match(r"No such command '(.*?)'\.", err.message)
    if unknown and ctx is not None:
        commands = [name for name in ctx.command.list_commands(ctx)
                    if not getattr(ctx.command.get_command(ctx, name), "hidden", False)]
        close = difflib.get_close_matches(unknown.group(1), commands, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else f"; the commands are {', '.join(commands)}"
        return f"{command} has no command {unknown.group(1)!r}{hint}; {see}."
    extra = re.fullmatch(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", err.message)
    if extra:
        return f"{command} takes no further arguments; got {extra.group(1)!r}; {see}."
    return f"{err.format_message().rstrip('.')}; {see}."


def _or(words: list[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b or c'."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _type_words(param) -> str | None:
    """'an integer' for an int parameter, 'integers' for a list of them; None for other types."""
    import typing
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if typing.get_origin(annotation) in (list, tuple) and typing.get_args(annotation):
        return {int: "integers", float: "numbers"}.get(typing.get_args(annotation)[0])
    return _TYPE_WORDS.get(annotation)


def _name(param) -> str:
    """A parameter as the user types it: ``--epochs`` for an option, ``RUN_ID`` for an argument."""
    opts = [o for o in (getattr(param, "opts", None) or []) if o.startswith("-")]
    if opts:
        return max(opts, key=len)
    return (getattr(param, "metavar", None) or param.name or "argument").upper()


def _value(err, name: str, args: list[str]):
    """The text the user gave for the parameter: from the parser's own report when it kept it, else the word
    after (or the ``=value`` of) the option's last use in ``args``."""
    cause = err.__cause__
    if cause is not None and hasattr(cause, "errors"):        # typer's pydantic coercion keeps the input
        try:
            return cause.errors()[0]["input"]
        except (LookupError, TypeError):
            pass
    if not name.startswith("-"):
        return None
    value = None
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(name + "="):
            value = arg[len(name) + 1:]
    return value


def empty_path(app, args: list[str]) -> str | None:
    """The error line for a path option given an empty value (``--out ''``, ``--store=``), which the parser would
    take as the current directory; None when there is none."""
    import pathlib
    import typing

    import typer.main
    options: set[str] = set()

    def is_path(param) -> bool:
        annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
        kind = getattr(param, "type", None)                   # typer before its own parameter classes
        return (annotation is pathlib.Path or pathlib.Path in typing.get_args(annotation)
                or type(kind).__name__ == "Path")

    def walk(command):
        for param in getattr(command, "params", ()):
            if is_path(param):
                options.update(o for o in param.opts if o.startswith("--"))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if (arg in options and i + 1 < len(args) and args[i + 1] == "") or (arg.endswith("=") and arg[:-1] in options):
            name = arg.rstrip("=")
            return f"{name} needs a path; got an empty one."
    return None
