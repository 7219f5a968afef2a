"""HTTP routes only: each router parses the request, calls the graph or screening layer, shapes the answer."""
