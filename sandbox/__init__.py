"""A standard-library emulator of the WellApp REST API, for demos and tests.

    from sandbox.server import Sandbox

    with Sandbox() as sandbox:  # serves http://127.0.0.1:<port>/v1
        ...

Run it from a shell with `python -m sandbox --help`.
"""
