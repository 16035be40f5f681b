"""How the provider authenticates when it calls a client: notifications and confirmations.

A client says in the configuration how its endpoint wants to be called (``auth``): not
at all, with a fixed bearer token, with basic authentication, or with an access token
from the client's own token endpoint (OAuth2 client credentials). Tokens are kept per
client until shortly before they expire, so that a busy sender asks for one seldom.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from typing import Any

import httpx


class CallbackAuth:
    def __init__(self) -> None:
        self._tokens: dict[str, tuple[float, str]] = {}

    async def headers(
        self, http: httpx.AsyncClient, client_id: str, auth: Mapping[str, Any]
    ) -> dict[str, str]:
        """The Authorization header for a call to ``client_id`` (none for ``none``)."""
        kind = auth.get("type", "none")
        if kind == "bearer":
            return {"Authorization": f"Bearer {auth['token']}"}
        if kind == "basic":
            pair = f"{auth['username']}:{auth['password']}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        if kind == "client-credentials":
            return {"Authorization": f"Bearer {await self._token(http, client_id, auth)}"}
        return {}

    def forget(self, client_id: str) -> None:
        """Drop a kept token (the endpoint refused it: get a new one next time)."""
        self._tokens.pop(client_id, None)

    async def _token(self, http: httpx.AsyncClient, client_id: str, auth: Mapping[str, Any]) -> str:
        cached = self._tokens.get(client_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        form = {"grant_type": "client_credentials"}
        if auth.get("scope"):
            form["scope"] = auth["scope"]
        response = await http.post(
            auth["tokenUrl"], data=form, auth=(auth["clientId"], auth["secret"])
        )
        response.raise_for_status()
        answer = response.json()
        lifetime = float(answer.get("expires_in", 300))
        self._tokens[client_id] = (time.monotonic() + lifetime * 0.8, answer["access_token"])
        return str(answer["access_token"])
