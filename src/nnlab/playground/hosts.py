"""Who may use a playground server: loopback names (against DNS rebinding), the warning for any other address,
and refusing a request or a socket with its reason."""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["is_loopback", "exposure_warning", "close_reason", "refuse", "LoopbackHostsOnly", "netloc"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address to bind, or a Host header's name) is this machine only: ``localhost``, 127.x.x.x
    or ``::1`` (brackets allowed)."""
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, port: int) -> str | None:
    """The one-line warning ``nnlab playground`` prints when ``host`` is not a loopback address; else None."""
    if is_loopback(host):
        return None
    return (f"Warning: listening on {host}, which is not a loopback address: anyone who can reach this machine on "
            f"port {port} can use the lab and its CPU (there is no login); the default, 127.0.0.1, serves this "
            "machine only.")


def _host_is_loopback(header: str) -> bool:
    """A Host header naming loopback, with or without a port: ``127.0.0.1:8000``, ``localhost``, ``[::1]:8000``."""
    try:
        parts = urlsplit("//" + header)
        parts.port                                  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    if not parts.hostname or parts.username is not None or parts.password is not None or parts.path:
        return False
    return is_loopback(parts.hostname)


def close_reason(text: str) -> str:
    """A WebSocket close reason: at most 123 bytes of UTF-8."""
    data = text.encode("utf-8")
    return text if len(data) <= 123 else data[:120].decode("utf-8", "ignore") + "..."


async def refuse(scope, receive, send, reason: str) -> None:
    """Answer an HTTP request with 403 and ``reason``; refuse a WebSocket handshake the same way (a plain close
    where the server cannot send an HTTP answer to a handshake)."""
    from starlette.responses import PlainTextResponse
    from starlette.websockets import WebSocket
    response = PlainTextResponse(reason + "\n", status_code=403, headers={"X-Content-Type-Options": "nosniff"})
    if scope["type"] == "http":
        await response(scope, receive, send)
        return
    ws = WebSocket(scope, receive, send)
    try:
        if "websocket.http.response" in scope.get("extensions") or {}:
            await ws.send_denial_response(response)
        else:
            await ws.close(code=1008, reason=close_reason(reason))
    except (OSError, RuntimeError):
        pass                                        # the client has gone already


class LoopbackHostsOnly:
    """ASGI middleware: requests whose Host header does not name loopback get 403 with the reason (DNS rebinding)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            host = ""
            for key, value in scope.get("headers", ()):
                if key == b"host":
                    host = value.decode("latin-1")
                    break
            if not _host_is_loopback(host):
                shown = repr(host[:80]) if host else "none"
                reason = (f"Refused: this nnlab playground listens on a loopback address and answers only requests "
                          f"for 127.0.0.1, localhost or [::1]; this one named host {shown}.")
                await refuse(scope, receive, send, reason)
                return
        await self.app(scope, receive, send)


def netloc(origin: str) -> str | None:
    try:
        return urlsplit(origin).netloc
    except ValueError:
        return None


