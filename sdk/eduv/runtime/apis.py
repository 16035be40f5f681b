"""The bases of the generated per-API-version classes: one typed method per operation.

Each generated method gathers its parameters and calls ``self._call`` (or ``_call_raw``
for ``with_raw_response``), which hands the call to the client it was made from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from eduv.runtime.options import RawResponse, RequestOptions

if TYPE_CHECKING:  # pragma: no cover
    from eduv.runtime.clients import BaseAsyncClient, BaseClient


class SyncApi:
    """Base of the generated per-API-version classes of the sync client."""

    api_id: ClassVar[str]
    version: ClassVar[str]

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    def _call(
        self,
        operation_id: str,
        params: Mapping[str, Any],
        body: Any = None,
        options: RequestOptions | None = None,
    ) -> Any:
        return self._client.call(self.api_id, self.version, operation_id, params, body, options)

    def _call_raw(
        self,
        operation_id: str,
        params: Mapping[str, Any],
        body: Any = None,
        options: RequestOptions | None = None,
    ) -> RawResponse[Any]:
        return self._client.call_raw(self.api_id, self.version, operation_id, params, body, options)


class AsyncApi:
    """Base of the generated per-API-version classes of the async client."""

    api_id: ClassVar[str]
    version: ClassVar[str]

    def __init__(self, client: BaseAsyncClient) -> None:
        self._client = client

    async def _call(
        self,
        operation_id: str,
        params: Mapping[str, Any],
        body: Any = None,
        options: RequestOptions | None = None,
    ) -> Any:
        return await self._client.call(
            self.api_id, self.version, operation_id, params, body, options
        )

    async def _call_raw(
        self,
        operation_id: str,
        params: Mapping[str, Any],
        body: Any = None,
        options: RequestOptions | None = None,
    ) -> RawResponse[Any]:
        return await self._client.call_raw(
            self.api_id, self.version, operation_id, params, body, options
        )
