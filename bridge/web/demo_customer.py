"""The demo page's signed-in customer ("Signed in as Anna", `/?signed_in=anna`): what a shop's
page would render for a customer who signed in, with the id signed the way the README tells a
shop's server to. Only outside production, since the page signs for whoever asks."""

from typing import Any, Final

from bridge.services.identity import sign

DEMO_CUSTOMERS: Final[dict[str, dict[str, Any]]] = {
    "anna": {
        "id": "demo-customer-anna",
        "name": "Anna Kovács",
        "email": "anna.kovacs@example.com",
        "attributes": {"order_id": "NW-10452", "order_status": "shipped", "cart_value": 42.5},
    }
}


def signed_in(
    key: str | None, *, secret: str, environment: str, language: str
) -> dict[str, Any] | None:
    """The demo customer `key` with a signature, or None (unknown key, no secret, production)."""
    if key is None or key not in DEMO_CUSTOMERS or not secret or environment == "production":
        return None
    customer = dict(DEMO_CUSTOMERS[key])
    return {**customer, "locale": language, "signature": sign(secret, customer["id"])}
