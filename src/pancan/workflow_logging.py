"""Logging for rule scripts: everything, including the final error, goes to the rule's log file."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def rule_logging(log_path: str | Path | None) -> Iterator[logging.Logger]:
    """Send INFO+ to the rule log and stderr; log an uncaught error before re-raising it."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", handlers=handlers, force=True)
    logger = logging.getLogger("pancan")
    try:
        yield logger
    except Exception as exc:
        logger.error("%s: %s", type(exc).__name__, exc)
        raise
    finally:
        for handler in handlers:
            handler.flush()
