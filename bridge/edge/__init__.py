"""What every request passes through before a route: the client's address, size limits and the
security headers of the answer (pure ASGI middleware, so websockets are covered too)."""
