"""Bridge services: the logic behind the thin routes."""
