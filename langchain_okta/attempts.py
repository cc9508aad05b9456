"""One attempt's bounds as a whole: how long it may take, and how large its answer may be.

httpx's read timeout bounds each socket read, not the answer: a server that trickles a byte
every half second holds a call as long as it likes, and a gzip bomb or an endless body would be
read into memory whole. The drivers read each answer through `BodyReader`, which decodes it in
bounded steps, stops once the decoded body passes `max_bytes`, and stops once the attempt's
deadline has passed; the async driver also bounds the whole attempt with `asyncio.timeout`.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

from langchain_okta.retries import TransportFailure

# The encodings the drivers ask for, and so the only ones they decode.
ACCEPT_ENCODING = "gzip, deflate"
# Decoding never inflates more than this at once, whatever a compressed chunk holds.
_DECODE_STEP = 64 * 1024


class AttemptCut(Exception):
    """The answer broke one of the attempt's bounds; the request may have reached Okta."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why

    def failure(self, host: str) -> TransportFailure:
        return TransportFailure(
            reason=f"no complete response from {host}: {self.why}",
            may_have_reached_okta=True,
        )


def timed_out(seconds: float) -> AttemptCut:
    return AttemptCut(
        f"the answer did not arrive whole within the attempt timeout of {seconds:g} s "
        "(Timeouts(attempt=...)); the request may have reached Okta"
    )


class BodyReader:
    """Collects one answer's body from raw chunks, decoded, within the attempt's bounds."""

    def __init__(
        self,
        content_encoding: str,
        *,
        max_bytes: int,
        deadline: float,
        attempt_seconds: float,
        clock: Callable[[], float],
    ) -> None:
        self._decoder = _decoder(content_encoding)
        self._max_bytes = max_bytes
        self._deadline = deadline
        self._attempt_seconds = attempt_seconds
        self._clock = clock
        self._parts: list[bytes] = []
        self._size = 0

    def add(self, raw: bytes) -> None:
        """Take the next raw chunk; AttemptCut once a bound is broken."""
        if self._decoder is None:
            self._keep(raw)
        else:
            data = raw
            while data:
                self._keep(_inflate(self._decoder, data))
                data = self._decoder.unconsumed_tail
        if self._clock() > self._deadline:
            raise timed_out(self._attempt_seconds)

    def body(self) -> bytes:
        if self._decoder is not None:
            # Anything a truncated stream still holds; a damaged one shows as unreadable JSON.
            self._keep(_inflate(self._decoder, b""))
        return b"".join(self._parts)

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._max_bytes:
            raise AttemptCut(
                f"the answer was larger than {self._max_bytes:,} bytes (max_response_bytes) "
                "and was not read further"
            )
        if data:
            self._parts.append(data)


def _inflate(decoder: zlib._Decompress, data: bytes) -> bytes:
    """At most one step of `data` decoded (all that is left, given nothing)."""
    try:
        return decoder.decompress(data, _DECODE_STEP) if data else decoder.flush()
    except zlib.error:
        # A body that says gzip or deflate and is not one: no answer, as when httpx decodes,
        # and never a zlib error escaping the client.
        raise AttemptCut(
            "the answer's compressed body could not be decoded (damaged, or not in the "
            "encoding it declared)"
        ) from None


def _decoder(content_encoding: str) -> zlib._Decompress | None:
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise AttemptCut(
        f"the answer came in an encoding this client did not ask for ({encoding or 'none'})"
    )
