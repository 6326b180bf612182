"""Logging for rule scripts: everything, including the final error and its traceback, goes to the rule's log file."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Interrupted(BaseException):
    """The job was told to stop (Snakemake or the scheduler sent SIGTERM/SIGINT)."""


def _interrupt(signum: int, _frame) -> None:
    raise Interrupted(f"stopped by signal {signal.Signals(signum).name}")


@contextlib.contextmanager
def rule_logging(log_path: str | Path | None) -> Iterator[logging.Logger]:
    """Send INFO+ to the rule log and stderr; log an uncaught error with its traceback before re-raising it.

    SIGTERM and SIGINT become an exception while the block runs, so that context
    managers still remove their temporary files when a job is killed.
    """
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", handlers=handlers, force=True
    )
    logger = logging.getLogger("pancan")
    main = threading.current_thread() is threading.main_thread()
    previous = {number: signal.signal(number, _interrupt) for number in STOP_SIGNALS} if main else {}
    try:
        yield logger
    except Interrupted as exc:
        logger.error("%s; temporary files removed", exc)
        raise
    except Exception as exc:
        logger.exception("%s: %s", type(exc).__name__, exc)
        raise
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for handler in handlers:
            handler.flush()
