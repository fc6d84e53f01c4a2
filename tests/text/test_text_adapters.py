"""Model adapters behind the analyzer interface: an OpenAI-compatible endpoint (against a
real HTTP server on 127.0.0.1) and a local transformers directory."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from sanjeh import text
from sanjeh.errors import BackendUnavailable, ConfigError


class _ChatServer(ThreadingHTTPServer):
    requests: list[dict[str, Any]]
    headers_seen: list[dict[str, str]]
    fail_with: int | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _ChatServer

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, **body})
        self.server.headers_seen.append(dict(self.headers))
        if self.server.fail_with:
            self.send_response(self.server.fail_with)
            self.end_headers()
            return
        prompt = body["messages"][0]["content"]
        message = prompt.rsplit("Message:\n", 1)[1]
        if "عالی" in message:
            answer = {"label": "positive", "score": 0.9, "evidence": "عالی"}
        elif "terrible" in message:
            answer = {"label": "negative", "score": -0.8, "evidence": "terrible"}
        else:
            answer = {"label": "neutral", "score": 0, "evidence": "not in the text"}
        content = "```json\n" + json.dumps(answer, ensure_ascii=False) + "\n```"
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]})
        data = payload.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def chat_server() -> Iterator[_ChatServer]:
    server = _ChatServer(("127.0.0.1", 0), _Handler)
    server.requests, server.headers_seen = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_http_analyzer_against_a_local_server(chat_server: _ChatServer) -> None:
    host, port = chat_server.server_address[:2]
    analyzer = text.HttpAnalyzer(f"http://{host}:{port}/v1", model="tiny", api_key="k-123")
    text.registry.register(analyzer)  # replaces the default "sentiment" for every caller
    messages = ["سرویس عالی بود", "terrible support", "order 42"]
    results = text.analyze(messages, role="customer")
    signals = [r.get("sentiment") for r in results]
    assert [s.label for s in signals if s] == ["positive", "negative", "neutral"]
    assert [s.score for s in signals if s] == [0.9, -0.8, 0.0]
    first = signals[0]
    assert first is not None and [(e.start, e.end, e.text) for e in first.evidence] == [
        (6, 10, "عالی")
    ]
    third = signals[2]
    assert third is not None and third.evidence == ()  # a quote not in the message is dropped
    assert {r["path"] for r in chat_server.requests} == {"/v1/chat/completions"}
    assert all(r["model"] == "tiny" for r in chat_server.requests)
    assert all(h.get("Authorization") == "Bearer k-123" for h in chat_server.headers_seen)
    assert text.sentiment(["عالی"]) == [0.9]


def test_http_errors_are_clear(chat_server: _ChatServer) -> None:
    host, port = chat_server.server_address[:2]
    chat_server.fail_with = 500
    analyzer = text.HttpAnalyzer(f"http://{host}:{port}/v1", model="tiny")
    with pytest.raises(BackendUnavailable, match="HTTP 500"):
        analyzer.analyze(text.prepare(["x"]))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free_port = s.getsockname()[1]
    down = text.HttpAnalyzer(f"http://127.0.0.1:{free_port}/v1", model="tiny", timeout=2)
    with pytest.raises(BackendUnavailable, match="unreachable"):
        down.analyze(text.prepare(["x"]))
    with pytest.raises(ConfigError):
        text.HttpAnalyzer("ftp://example/v1", model="x").analyze(text.prepare(["x"]))


def test_transformers_adapter_is_lazy_and_local(tmp_path: Path) -> None:
    analyzer = text.TransformersAnalyzer(tmp_path / "no-such-model")
    assert analyzer._pipeline is None  # nothing imported or loaded on construction
    assert isinstance(analyzer, text.Analyzer)
    with pytest.raises(ConfigError, match="not a model directory"):
        analyzer.analyze(text.prepare(["x"]))


def test_registry_refuses_non_analyzers_and_unknown_names() -> None:
    with pytest.raises(ConfigError):
        text.registry.register(object())  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        text.registry.get("nope")
    text.registry.unregister("wow")
    assert "wow" not in text.registry.names()
