"""Who the client is: the socket's peer, or what a trusted reverse proxy says it is.

`X-Forwarded-For` is a header anyone can send. Believed from any peer, it lets one client pose
as many (and dodge every per-address limit) or as another (and get them throttled). It is read
only when the peer is one of `FORWARDED_ALLOW_IPS`, and then from the right: the nearest address
that is not itself a trusted proxy is the client.

Run uvicorn with `--no-proxy-headers`: this middleware does what uvicorn's would, from the
bridge's own settings, and is tested with it.
"""

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """A set of addresses and networks, or everyone (`*`)."""

    def __init__(self, networks: Iterable[Network], *, everyone: bool = False) -> None:
        self._networks = tuple(networks)
        self.everyone = everyone

    def __contains__(self, host: str) -> bool:
        if self.everyone:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self._networks)

    def __bool__(self) -> bool:
        return self.everyone or bool(self._networks)


def trusted_proxies(spec: str) -> TrustedProxies:
    """Parse `FORWARDED_ALLOW_IPS`; raises ValueError naming the entry that is not an address."""
    entries = [entry.strip() for entry in spec.split(",") if entry.strip()]
    if "*" in entries:
        return TrustedProxies((), everyone=True)
    networks: list[Network] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(f"not an IP address or network: {entry!r}") from exc
    return TrustedProxies(networks)


def client_host(peer: str, forwarded_for: str | None, trusted: TrustedProxies) -> str:
    """The client's address: the peer, unless a trusted proxy forwarded the request."""
    if not forwarded_for or peer not in trusted:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return hops[0] if hops else peer


class ClientAddressMiddleware:
    """Rewrites the ASGI scope's `client` to the real client for requests and websockets."""

    def __init__(self, app: ASGIApp, *, trusted: TrustedProxies) -> None:
        self._app = app
        self._trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and self._trusted and client:
            host = client_host(client[0], _header(scope, b"x-forwarded-for"), self._trusted)
            if host != client[0]:
                scope = {**scope, "client": (host, 0)}
                proto = _header(scope, b"x-forwarded-proto")
                if proto in ("http", "https"):
                    secure = proto == "https"
                    if scope["type"] == "websocket":
                        scope["scheme"] = "wss" if secure else "ws"
                    else:
                        scope["scheme"] = proto
        await self._app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    values = [value for key, value in scope.get("headers", []) if key == name]
    if not values:
        return None
    # Several headers of one name are one list, in order (RFC 9110 5.3).
    return ",".join(value.decode("latin-1") for value in values)
