"""The HTTP layer: a keep-alive HTTP/1.1 server whose handler applies faults and routes."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import sys
import threading
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox import api, control
from sandbox.documents import ApiError, Reply, new_trace_id
from sandbox.faults import Fault, replacement_reply
from sandbox.state import SandboxState


class SandboxHTTPServer(ThreadingHTTPServer):
    """One thread per connection; `stop()` also ends idle keep-alive connections."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], state: SandboxState, *, log_requests: bool = False
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.state = state
        self.log_requests = log_requests
        self.stop_event = threading.Event()
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._connections_lock = threading.Lock()
        super().__init__(address, SandboxHandler)

    def server_bind(self) -> None:
        TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections[connection] = threading.current_thread()

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.pop(connection, None)

    def close_connections(self, timeout: float = 2.0) -> None:
        """Wake every handler (sleeping faults, idle keep-alive reads) and wait for it."""
        self.stop_event.set()
        with self._connections_lock:
            connections = list(self._connections.items())
        for connection, _ in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for _, thread in connections:
            if thread is not threading.current_thread():
                thread.join(timeout)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "WellAppSandbox/1.0"
    sys_version = ""
    timeout = 300
    disable_nagle_algorithm = True
    server: SandboxHTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log_requests:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    # ---- request ---------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self) -> None:
        state = self.server.state
        trace_id = new_trace_id()
        method = self.command
        split = urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send(self._answer(trace_id, _bad_framing), trace_id)
            return
        if path == "/_control" or path.startswith("/_control/"):
            reply = self._answer(trace_id, lambda: control.handle(state, method, path, body))
            self._send(reply, trace_id)
            return
        if path != "/v1" and not path.startswith("/v1/"):
            self._send(self._answer(trace_id, lambda: _no_route(path)), trace_id)
            return
        query = parse_qs(split.query, keep_blank_values=True)
        headers = {"Authorization": self.headers.get("Authorization") or ""}

        def answer() -> Reply:
            return api.handle(state, method, path, query, headers, body)

        with state.answering():
            fault = state.take_fault(method, path)
            faulted = self._faulted(fault, path, answer, trace_id) if fault else None
            reply = faulted if faulted is not None else self._answer(trace_id, answer)
            sent = reply.action == "send"
            state.record(
                {
                    "method": method,
                    "path": path,
                    "query": split.query,
                    "status": reply.status if sent else None,
                    "fault": fault.mode if fault else None,
                    "trace_id": trace_id if sent else None,
                    "request_id": self.headers.get("X-Request-ID"),
                },
                api.route_key(method, path),
            )
        self._send(reply, trace_id)

    def _faulted(
        self, fault: Fault, path: str, answer: Callable[[], Reply], trace_id: str
    ) -> Reply | None:
        """The reply a fault imposes, or None to answer normally (after any delay)."""
        if fault.mode in ("drop", "reset"):
            return Reply(action=fault.mode)
        if fault.mode in ("latency", "slow"):
            stopping = self.server.stop_event.wait(fault.params["seconds"])
            return Reply(action="drop") if stopping else None
        if fault.mode == "create_then_drop":
            self._answer(trace_id, answer)
            return Reply(action="drop")
        return self._answer(trace_id, lambda: replacement_reply(fault, self.command, path))

    @staticmethod
    def _answer(trace_id: str, produce: Callable[[], Reply]) -> Reply:
        try:
            return produce()
        except ApiError as error:
            return Reply(error.status, error.body(trace_id), headers=error.headers)
        except Exception:
            traceback.print_exc()
            internal = ApiError(500, "INTERNAL_ERROR", "Unexpected sandbox error", issue="internal")
            return Reply(500, internal.body(trace_id))

    # ---- response --------------------------------------------------------------------------
    def _send(self, reply: Reply, trace_id: str) -> None:
        if reply.action == "drop":
            self.close_connection = True
            return
        if reply.action == "reset":
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        body = reply.raw if reply.raw is not None else json.dumps(reply.payload).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Trace-Id", trace_id)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        # One write: head and body together.
        self._headers_buffer.extend((b"\r\n", body))  # type: ignore[attr-defined]
        self.flush_headers()


def _no_route(path: str) -> Reply:
    raise ApiError(404, "NOT_FOUND", f"No route for {path}", issue="not_found")


def _bad_framing() -> Reply:
    raise ApiError(400, "BAD_REQUEST", "Malformed request framing", issue="invalid_framing")
