"""The playground's web server: the static page and one WebSocket per browser tab.

Each tab gets a Session. While playing, the server trains in chunks of about 5 ms (whole epochs) and, between
chunks, sends a frame once the page has drawn the previous one (its "ready") and 1/30 s has passed, so training
never waits for drawing and frames never pile up. Every message is validated (``protocol.py``); a bad one (binary,
not JSON, not an object, not a known message) gets ``{"type": "error"}`` back and the tab carries on. A tab's
session is dropped when its socket closes; a client that goes away mid-message leaves nothing in the log.

A room on one machine: the compiled kernels release Python's lock, so tabs train in parallel on a pool of one
thread per core, at a lower scheduling priority than the threads that draw frames and answer messages (a setting
change is shown at once even when every core trains). Each tab's session has a lock: training, frames, exports
and changes take turns, whole epochs at a time. A tab that is not drawing does not train: a page that reports
itself hidden (Page Visibility) pauses at once, and one that has not acknowledged a frame for ``IDLE_PAUSE_S``
seconds pauses until it does. A client that answers no ping for ``PING_INTERVAL_S + PING_TIMEOUT_S`` seconds, or
does not take a message within ``SEND_TIMEOUT_S``, is dropped and its seat freed.

At most ``max_sessions`` tabs (``nnlab playground --max-tabs``): one more is told why and closed with that reason.
Bound to a loopback address, the server answers only requests whose ``Host`` names loopback (``127.0.0.1``,
``localhost``, ``[::1]``, any port), as Jupyter does, so a web page cannot reach it by DNS rebinding; a socket is
also refused when its ``Origin`` is not the page's own.
"""

import asyncio
from pathlib import Path

from nnlab._validation import InvalidArgument
from nnlab.playground.hosts import LoopbackHostsOnly, exposure_warning, is_loopback, netloc, refuse
from nnlab.playground.protocol import LIMITS, ProtocolError, Settings, parse_message
from nnlab.playground.tab import IDLE_PAUSE_S, SEND_TIMEOUT_S, Gone, Tab

__all__ = ["create_app", "serve", "is_loopback", "exposure_warning", "IDLE_PAUSE_S", "PING_INTERVAL_S",
           "PING_TIMEOUT_S", "SEND_TIMEOUT_S"]

STATIC = Path(__file__).parent / "static"
PING_INTERVAL_S = 2.0            # the server pings every client this often ...
PING_TIMEOUT_S = 3.0             # ... and drops one that has not answered within this


def create_app(max_sessions: int = LIMITS["sessions"], loopback_only: bool = True):
    """The FastAPI app: ``/`` serves the page, ``/static`` its modules, ``/ws`` one socket per tab.

    ``max_sessions`` tabs at most. ``loopback_only``: answer only requests whose Host header names loopback (for a
    server bound to a loopback address; ``serve`` decides)."""
    from fastapi import FastAPI, WebSocket
    from fastapi.responses import FileResponse
    from fastapi.staticfiles import StaticFiles

    from nnlab.playground.session import Session

    if isinstance(max_sessions, bool) or not isinstance(max_sessions, int) or max_sessions < 1:
        raise InvalidArgument(f"The 'max_sessions' parameter must be an integer of at least 1. Got {max_sessions!r} "
                              "instead.", "max_sessions")
    limits = {**LIMITS, "sessions": max_sessions}
    app = FastAPI(title="nnlab playground", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sessions = 0
    app.state.max_sessions = max_sessions
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if loopback_only:
        app.add_middleware(LoopbackHostsOnly)

    @app.get("/")
    def index():
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    @app.websocket("/ws")
    async def socket(ws: WebSocket):
        # Only the page this server served may connect: another site open in the same browser may not.
        origin, host = ws.headers.get("origin"), ws.headers.get("host")
        if origin and netloc(origin) != host:
            await refuse(ws.scope, ws.receive, ws.send,
                          f"Refused: a page from {origin[:80]!r} may not use this playground (only its own page, "
                          f"http://{host}/, may).")
            return
        try:
            await ws.accept()
        except Exception:                       # the client went away during the handshake
            return
        tab = Tab(ws, limits)
        if app.state.sessions >= max_sessions:
            reason = (f"The server already has {max_sessions} open tab{'s' if max_sessions > 1 else ''}, its limit "
                      "(nnlab playground --max-tabs); close one and reload this page.")
            try:
                await tab.send({"type": "error", "message": reason})
            except Gone:
                return
            await tab.close(1013, reason)     # 1013: try again later
            return
        app.state.sessions += 1
        try:
            tab.session = await asyncio.to_thread(Session, Settings())
            await tab.send({"type": "hello", "limits": limits})
            while True:
                event = await ws.receive()
                if event["type"] == "websocket.disconnect":
                    break
                text = event.get("text")
                if text is None:
                    await tab.send({"type": "error", "message": "bad message: a binary frame; send each message as "
                                    'a JSON text frame, such as {"type": "play"}'})
                    continue
                try:
                    await tab.handle(parse_message(text))
                except Gone:
                    raise
                except (ProtocolError, InvalidArgument) as err:
                    await tab.send({"type": "error", "message": str(err)})
                except Exception as err:      # a bug must not take the tab down: report it and carry on
                    await tab.send({"type": "error", "message": f"internal error: {type(err).__name__}: {err}"})
        except Gone:
            pass
        finally:
            await tab.halt()
            tab.session = None                  # the model and data go with it
            app.state.sessions -= 1

    return app


def serve(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False, on_ready=None,
          max_tabs: int = LIMITS["sessions"]) -> None:
    """Run the server until Ctrl-C. ``on_ready(url)`` is called once it listens. At most ``max_tabs`` tabs; bound to
    a loopback address, only requests for a loopback host are answered."""
    import uvicorn
    app = create_app(max_sessions=max_tabs, loopback_only=is_loopback(host))
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", ws_max_size=LIMITS["message_bytes"],
                            ws_ping_interval=PING_INTERVAL_S, ws_ping_timeout=PING_TIMEOUT_S)
    server = uvicorn.Server(config)

    async def announce():
        while not server.started:
            await asyncio.sleep(0.05)
        if on_ready:
            on_ready(url)
        if open_browser:
            import webbrowser
            webbrowser.open(url)

    async def main():
        await asyncio.gather(server.serve(), announce())

    asyncio.run(main())
