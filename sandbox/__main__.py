"""`python -m sandbox`: serve the WellApp API emulator until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any

from sandbox.data import SIZES
from sandbox.faults import FAULT_MODES
from sandbox.server import Sandbox
from sandbox.state import DEFAULT_TOKEN


def _value(text: str) -> Any:
    """A fault parameter from the command line: JSON when it parses (3, 0.5, null, true)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_fault(text: str) -> dict[str, Any]:
    """ "status:status=503,count=2,method=POST" -> {"mode": "status", "status": 503, ...}."""
    mode, _, rest = text.partition(":")
    spec: dict[str, Any] = {"mode": mode.strip()}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        name, sep, value = item.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"fault parameter {item!r} is not name=value")
        spec[name.strip()] = _value(value.strip())
    return spec


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox", description="Serve a WellApp REST API emulator."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--size", choices=sorted(SIZES), default="default")
    parser.add_argument("--seed", type=int, default=42)
    for name in ("people", "phones", "companies", "workspaces"):
        parser.add_argument(f"--{name}", type=int, metavar="N", help=f"override the {name} count")
    parser.add_argument("--latency", type=float, metavar="SECONDS", help="delay every /v1 request")
    parser.add_argument(
        "--fault",
        action="append",
        type=parse_fault,
        default=[],
        metavar="MODE[:k=v,...]",
        help=f"add a fault at start-up (repeatable); modes: {', '.join(FAULT_MODES)}",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    return parser


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sandbox = Sandbox(
        host=args.host,
        port=args.port,
        token=args.token,
        size=args.size,
        seed=args.seed,
        people=args.people,
        phones=args.phones,
        companies=args.companies,
        workspaces=args.workspaces,
        log_requests=not args.quiet,
    )
    try:
        if args.latency:
            sandbox.set_latency(args.latency)
        for spec in args.fault:
            sandbox.state.add_fault(spec)
    except ValueError as error:
        print(f"sandbox: {error}", file=sys.stderr)
        return 2
    try:
        sandbox.start()
    except OSError as error:
        print(f"sandbox: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    print(f"WellApp sandbox listening on {sandbox.url} (token: {sandbox.token})", flush=True)
    # Stop on Ctrl-C / SIGINT even when started in the background (where SIGINT is ignored).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
