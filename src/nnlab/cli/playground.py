"""``nnlab playground``: the browser lab, served locally."""
from __future__ import annotations

import sys
from typing import Annotated

import typer

from nnlab._validation import InvalidArgument
from nnlab.cli._common import app, console

MAX_TABS = 8        # nnlab.playground.protocol.LIMITS["sessions"], without importing pydantic for --help


@app.command()
def playground(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to bind; the default serves this machine only (another address "
                                           "lets anyone who can reach it use the lab).")] = "127.0.0.1",
    open_browser: Annotated[bool, typer.Option("--open", help="Open the page in the default browser.")] = False,
    max_tabs: Annotated[int, typer.Option("--max-tabs", help="Browser tabs served at once; one more is told the "
                                                             "server is full.")] = MAX_TABS,
):
    """A TensorFlow-Playground-style lab in the browser, trained by nnlab on this machine (Ctrl-C stops it)."""
    if not 0 < port < 65536:
        raise InvalidArgument(f"The 'port' parameter must be an integer in the range [1, 65535]. Got {port} instead.",
                              "port")
    if max_tabs < 1:
        raise InvalidArgument(f"--max-tabs must be at least 1. Got {max_tabs} instead.", None)
    import socket
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError as err:
        raise InvalidArgument(f"Cannot listen on {host}:{port}: {err.strerror or err}.", "port") from None
    from nnlab.playground import server
    warning = server.exposure_warning(host, port)
    if warning:
        print(warning, file=sys.stderr)
    con = console()
    server.serve(host=host, port=port, open_browser=open_browser, max_tabs=max_tabs,
                 on_ready=lambda url: con.print(f"nnlab playground at {url}  (Ctrl-C stops it)", markup=False))
