"""datatrove's inference servers with the request path hardened: timeouts, retries, and counted failures.

datatrove 0.10.1 posts to a local server through a bare socket with no timeout (a stopped server hangs the
task), turns a dropped connection into an HTTP 500 that aborts the task, and retries connection errors at
5, 10, … 160 s. Here one request is an httpx call with a per-request timeout, retried by tenacity: timeouts,
connection errors and 5xx back off exponentially, 429 waits what `Retry-After` says. What still fails
becomes an `InferenceError` whose message starts with the reason, which the rollout records on the row;
an HTTP 400 is an `InferenceError` carrying datatrove's "BadRequestError" marker, a counted skip.
The API key is read from the environment variable named in `RequestPolicy` at request time, so it is never
part of a pickled pipeline, a log or the executor's JSON.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from datatrove.pipeline.inference.servers import EndpointServer, InferenceServer, SGLangServer, VLLMServer
from datatrove.pipeline.inference.types import InferenceError

BAD_REQUEST_MARKER = "BadRequestError"  # datatrove's own test for a request the server refuses as such


@dataclass(frozen=True)
class RequestPolicy:
    """How one request is sent: its timeout, how often and how long to retry, and where the key lives."""

    timeout_s: float = 120.0
    max_attempts: int = 4
    backoff_s: float = 1.0  # first wait; doubled per attempt (tenacity's exponential wait)
    max_backoff_s: float = 60.0
    api_key_env: str | None = None  # name of the environment variable holding the key, never the key


class RetryableError(Exception):
    """A failure worth another try: timeout, connection error, 5xx, 429 (with the server's `Retry-After`)."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def retry_after_seconds(value: str | None) -> float | None:
    """`Retry-After` as seconds: a number, or an HTTP date (RFC 9110)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    import datetime

    return max(0.0, (moment - datetime.datetime.now(moment.tzinfo)).total_seconds())


def api_key(policy: RequestPolicy) -> str | None:
    return os.environ.get(policy.api_key_env) if policy.api_key_env else None


def redact(text: str, policy: RequestPolicy) -> str:
    """A server's message with the key taken out (some echo part of a wrong key back)."""
    key = api_key(policy)
    return text.replace(key, "<redacted>") if key else text


def root_url(endpoint: str) -> str:
    """The server's root: OpenAI-style endpoints are given as `…/v1`, datatrove appends `/v1/...` itself."""
    url = endpoint.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


class RetryingRequests:
    """Mixin for a datatrove `InferenceServer`: `_make_request` through httpx + tenacity (see module doc)."""

    policy: RequestPolicy
    config: object
    _http: object | None = None
    count: Callable[[str], None] = staticmethod(lambda label: None)  # the runner's stat_update

    def _client(self):
        import httpx

        if self._http is None:
            limits = httpx.Limits(max_connections=self.config.max_concurrent_generations)
            self._http = httpx.AsyncClient(timeout=httpx.Timeout(self.policy.timeout_s), limits=limits)
        return self._http

    def _headers(self) -> dict[str, str]:
        key = api_key(self.policy)
        return {"Authorization": f"Bearer {key}"} if key else {}

    async def is_ready(self) -> bool:
        import httpx

        try:
            response = await self._client().get(f"{self.get_base_url()}/v1/models", headers=self._headers())
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def _post_once(self, payload: dict) -> dict:
        import httpx

        path = "/v1/chat/completions" if self.config.use_chat else "/v1/completions"
        try:
            response = await asyncio.wait_for(
                self._client().post(f"{self.get_base_url()}{path}", json=payload, headers=self._headers()),
                timeout=self.policy.timeout_s,  # httpx's timeout is per read; this bounds the whole request
            )
        except (asyncio.TimeoutError, httpx.TimeoutException) as error:
            raise RetryableError(f"timeout after {self.policy.timeout_s:g} s") from error
        except httpx.TransportError as error:
            raise RetryableError(f"connection error: {type(error).__name__}") from error
        status = response.status_code
        if status == 200:
            return response.json()
        body = redact(response.text[:300], self.policy)
        if status == 400:
            raise InferenceError(None, f"{BAD_REQUEST_MARKER}: HTTP 400: {body}", payload=None)
        if status == 429:
            after = retry_after_seconds(response.headers.get("retry-after"))
            raise RetryableError("rate limited (HTTP 429)", retry_after=after)
        if status >= 500:
            raise RetryableError(f"server error (HTTP {status})")
        raise InferenceError(None, f"HTTP {status}: {body}", payload=None)  # 401, 404, …: retrying won't help

    def _before_retry(self, state) -> None:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RetryableError):
            self.count(f"label_retries/{error.reason.split('(')[0].split(' after')[0].strip()}")

    def _wait(self, state) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RetryableError) and error.retry_after is not None:
            return error.retry_after
        return min(self.policy.max_backoff_s, self.policy.backoff_s * 2 ** (state.attempt_number - 1))

    async def _make_request(self, payload: dict) -> dict:
        from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(RetryableError),
            before_sleep=self._before_retry,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._post_once(payload)
        except RetryableError as error:
            raise InferenceError(
                None, f"{error.reason} ({self.policy.max_attempts} attempts)", payload=None
            ) from None
        raise AssertionError("tenacity ended without a result or an error")  # pragma: no cover

    async def __aexit__(self, exc_type, exc_val, exc_tb):
        await super().__aexit__(exc_type, exc_val, exc_tb)
        if self._http is not None:
            await self._http.aclose()
            self._http = None


class LabelEndpoint(RetryingRequests, EndpointServer):
    """Any OpenAI-compatible URL (vLLM, SGLang, TGI, llama.cpp, Ollama, OpenAI), localhost or not."""

    def __init__(self, config, rank: int, policy: RequestPolicy):
        InferenceServer.__init__(self, config, rank)  # EndpointServer's own __init__ builds an OpenAI client
        self.endpoint_url = config.endpoint_url
        self.client = None
        self.policy = policy

    def get_base_url(self) -> str:
        return root_url(self.endpoint_url)


class LabelVLLM(RetryingRequests, VLLMServer):
    """vLLM spawned per task by datatrove (GPU nodes), with the same request path."""

    def __init__(self, config, rank: int, policy: RequestPolicy):
        super().__init__(config, rank)
        self.policy = policy


class LabelSGLang(RetryingRequests, SGLangServer):
    """SGLang spawned per task by datatrove (GPU nodes), with the same request path."""

    def __init__(self, config, rank: int, policy: RequestPolicy):
        super().__init__(config, rank)
        self.policy = policy


SERVERS = {"endpoint": LabelEndpoint, "vllm": LabelVLLM, "sglang": LabelSGLang}
