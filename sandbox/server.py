"""`Sandbox`: one running WellApp emulator on a loopback port, driven from Python or HTTP."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from sandbox import control
from sandbox.documents import ApiError, included_for, phone_resource
from sandbox.handler import SandboxHTTPServer
from sandbox.state import DEFAULT_TOKEN, SandboxState

__all__ = ["Sandbox", "SandboxState"]

# From this many phones, the updated_at order and workspace index are built in the background
# at start-up (about 3 s for a million phones) instead of on first use.
WARM_UP_FROM = 100_000


class Sandbox:
    """A WellApp API emulator served by a ThreadingHTTPServer in a daemon thread.

    `port=0` picks a free port at `start()`; a stopped sandbox restarts on the same port.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        size: str = "default",
        seed: int = 42,
        people: int | None = None,
        phones: int | None = None,
        companies: int | None = None,
        workspaces: int | None = None,
        log_requests: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.token = token
        self.log_requests = log_requests
        self.state = SandboxState(
            token=token,
            size=size,
            seed=seed,
            people=people,
            phones=phones,
            companies=companies,
            workspaces=workspaces,
        )
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ---------------------------------------------------------------------------
    @property
    def root(self) -> str:
        """Server root, e.g. "http://127.0.0.1:54321"."""
        if self.port == 0:
            raise RuntimeError("the sandbox has no port until start()")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """API base, e.g. "http://127.0.0.1:54321/v1" (no trailing slash)."""
        return f"{self.root}/v1"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        server = SandboxHTTPServer(
            (self.host, self.port), self.state, log_requests=self.log_requests
        )
        self.port = server.server_address[1]
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"wellapp-sandbox-{self.port}",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        if self.state.data.sizes.phones >= WARM_UP_FROM:
            threading.Thread(
                target=self.state.orders.warm_up,
                args=(server.stop_event,),
                name="wellapp-sandbox-warm-up",
                daemon=True,
            ).start()
        return self

    def stop(self) -> None:
        """Stop serving: the port closes, open connections end, sleeping faults abort."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._server = self._thread = None
        server.stop_event.set()
        server.shutdown()
        server.server_close()
        server.close_connections()
        thread.join()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- control -----------------------------------------------------------------------------
    def add_fault(self, mode: str, **params: Any) -> str:
        """Add a fault (see sandbox.faults); returns its id. ValueError if unusable."""
        return self.state.add_fault({"mode": mode, **params}).id

    def remove_fault(self, fault_id: str) -> bool:
        return self.state.remove_fault(fault_id)

    def clear_faults(self) -> None:
        self.state.clear_faults()

    def faults(self) -> list[dict[str, Any]]:
        return self.state.list_faults()

    def set_latency(self, seconds: float) -> str | None:
        """Latency for every request (0 removes it); returns the fault id or None."""
        try:
            return control.set_latency(self.state, seconds)
        except ApiError as error:
            raise ValueError(error.message) from None

    def stats(self) -> dict[str, Any]:
        return self.state.stats()

    def reset(self) -> None:
        self.state.reset()

    def touch_phone(self, phone_id: str, **attributes: Any) -> dict[str, Any]:
        """Change a phone's attributes and bump its updated_at to now; returns the phone
        resource. KeyError if the phone is absent, ValueError if an attribute is invalid."""
        try:
            return control.touch_phone(self.state, phone_id, attributes)
        except ApiError as error:
            if error.status == 404:
                raise KeyError(phone_id) from None
            raise ValueError(error.message) from None

    def delete_phone(self, phone_id: str) -> bool:
        """Remove a phone; False if it was not there."""
        return self.state.delete_phone(phone_id)

    def phone(self, phone_id: str) -> dict[str, Any] | None:
        """The GET /v1/phones/{id} document for a phone, or None."""
        found = self.state.get_phone(phone_id)
        if found is None:
            return None
        return {
            "data": phone_resource(found),
            "included": included_for([found], self.state.directory),
        }
