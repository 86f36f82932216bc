"""``nnlab playground``: the browser lab, served locally."""
from __future__ import annotations

from typing import Annotated

import typer

from nnlab._validation import InvalidArgument
from nnlab.cli._common import app, console


@app.command()
def playground(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to bind; the default serves this machine only.")] = "127.0.0.1",
    open_browser: Annotated[bool, typer.Option("--open", help="Open the page in the default browser.")] = False,
):
    """A TensorFlow-Playground-style lab in the browser, trained by nnlab on this machine (Ctrl-C stops it)."""
    if not 0 < port < 65536:
        raise InvalidArgument(f"The 'port' parameter must be an integer in the range [1, 65535]. Got {port} instead.",
                              "port")
    import socket
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError as err:
        raise InvalidArgument(f"Cannot listen on {host}:{port}: {err.strerror or err}.", "port") from None
    from nnlab.playground.server import serve
    con = console()
    serve(host=host, port=port, open_browser=open_browser,
          on_ready=lambda url: con.print(f"nnlab playground at {url}  (Ctrl-C stops it)"))
