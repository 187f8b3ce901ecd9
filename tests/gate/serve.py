"""Serve the app in its own process for tests that need separate instances (shared rate limits).

Configuration from the environment as in production, plus GATE_* overrides for the test.
Prints the port it listens on, then serves until killed.
"""
import os
import socket
import sys

from werkzeug.serving import make_server

from app import create_app

app = create_app({"RATELIMIT_KEY_PREFIX": os.environ["GATE_LIMIT_PREFIX"], "WTF_CSRF_ENABLED": False,
                  "ARGON2_PROFILE": "CHEAPEST"})
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
server = make_server("127.0.0.1", port, app, threaded=True)
print(port, flush=True)
sys.stdout.close()
server.serve_forever()
