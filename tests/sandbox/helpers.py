"""Helpers for the sandbox tests: an HTTP client and valid create documents."""

import json
import uuid
from typing import Any

import requests

from sandbox.seed import seed_request
from sandbox.server import Sandbox


class Api:
    """A pooled requests.Session that talks to one sandbox with its bearer token."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {sandbox.token}"

    def get(self, path: str, timeout: float = 10, **params: Any) -> requests.Response:
        return self.session.get(self.sandbox.url + path, params=params, timeout=timeout)

    def post(self, path: str, document: Any = None, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        if document is not None:
            kwargs["data"] = json.dumps(document)
            kwargs.setdefault("headers", {})["Content-Type"] = "application/json"
        return self.session.post(self.sandbox.url + path, **kwargs)

    def control(self, method: str, path: str, document: Any = None) -> requests.Response:
        return requests.request(
            method, f"{self.sandbox.root}/_control{path}", json=document, timeout=10
        )

    def walk(self, path: str, cursor: str | None = None, **params: Any) -> list[dict[str, Any]]:
        """Every page of a cursor-paginated listing, following links.next."""
        pages = []
        while True:
            extra = {"cursor": cursor} if cursor else {}
            response = self.get(path, **params, **extra)
            assert response.status_code == 200, response.text
            pages.append(response.json())
            cursor = pages[-1]["links"]["next"]
            if cursor is None:
                return pages


def phone_document(**attributes: Any) -> dict[str, Any]:
    """A valid create document with a fresh id, linked to the seed's records."""
    document = seed_request()
    document["data"]["id"] = str(uuid.uuid4())
    document["data"]["attributes"].update(attributes)
    return document


def error_of(response: requests.Response) -> tuple[int, str, str | None, str | None]:
    """(status, code, details.path, details.issue) of a WellApp error body."""
    body = response.json()
    return body["status"], body["code"], body["details"]["path"], body["details"]["issue"]


def phones_in(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [phone for page in pages for phone in page["data"]]
