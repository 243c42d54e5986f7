"""The text-message gateway the citizen message tests send through (`gateway`)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from demands.citizen_messages import _sender_class


class Gateway(BaseHTTPRequestHandler):
    """A real HTTP gateway on a local port: it keeps what it was sent, and answers with the
    status the test gives it."""

    received: list[dict] = []
    answer = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append({"auth": self.headers.get("Authorization"), **json.loads(body)})
        self.send_response(Gateway.answer)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway(settings):
    Gateway.received, Gateway.answer = [], 200
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CITIZEN_MESSAGE_SENDER = "demands.citizen_messages.WebhookSender"
    settings.CITIZEN_MESSAGE_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.CITIZEN_MESSAGE_WEBHOOK_TOKEN = "secret-token"
    _sender_class.cache_clear()
    yield Gateway
    server.shutdown()
    _sender_class.cache_clear()
