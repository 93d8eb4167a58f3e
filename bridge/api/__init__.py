"""HTTP and websocket routes: thin, one module per resource."""
