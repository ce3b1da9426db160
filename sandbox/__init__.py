"""A standard-library emulator of the WellApp REST API, for demos and tests.

    with Sandbox() as sandbox:  # serves http://127.0.0.1:<port>/v1
        ...

Run it from a shell with `python -m sandbox --help`.
"""

from sandbox.faults import FAULT_MODES
from sandbox.server import Sandbox
from sandbox.state import SandboxState

__all__ = ["FAULT_MODES", "Sandbox", "SandboxState"]
