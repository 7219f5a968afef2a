"""The HTTP API and the investigator's web page (create_app in api/app.py)."""
