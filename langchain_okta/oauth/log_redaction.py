"""Keep DPoP nonces out of httpcore's DEBUG log.

httpcore logs every response's headers at DEBUG, and Okta's responses carry a `DPoP-Nonce`.
The filter rewrites only that header's value, only on httpcore's own loggers, and is added
once however many clients are made (logging configuration is process-wide by nature).
Request headers (the token, the proofs) are not in httpcore's log: it logs requests by method.
"""

from __future__ import annotations

import logging
import re

_LOGGERS = ("httpcore.http11", "httpcore.http2")
_NONCE_HEADER = re.compile(r"(\(b'dpop-nonce', b')[^']*(')", re.IGNORECASE)


class DPoPNonceRedaction(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "dpop-nonce" in record.msg.lower():
            record.msg = _NONCE_HEADER.sub(r"\1[redacted]\2", record.msg)
        return True


def install() -> None:
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, DPoPNonceRedaction) for existing in logger.filters):
            logger.addFilter(DPoPNonceRedaction())
