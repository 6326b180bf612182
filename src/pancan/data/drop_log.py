"""A record of everything removed while preparing a cohort, and why."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

DROP_COLUMNS = ["stage", "reason", "item", "count"]


@dataclass
class DropLog:
    """Rows of (stage, reason, item, count): item is a patient/sample id, or '*' for an aggregate."""

    rows: list[dict] = field(default_factory=list)

    def items(self, stage: str, table: pd.DataFrame, id_column: str) -> None:
        """Log each row of `table` (with a `reason` column) individually."""
        for item, reason in zip(table[id_column], table["reason"]):
            self.rows.append({"stage": stage, "reason": str(reason), "item": str(item), "count": 1})

    def count(self, stage: str, reason: str, count: int) -> None:
        """Log an aggregate count (for calls, which are too many to list)."""
        if count:
            self.rows.append({"stage": stage, "reason": reason, "item": "*", "count": int(count)})

    def note(self, stage: str, reason: str) -> None:
        """Log something that dropped nothing but should be seen (count 0), e.g. a filter that matched no call."""
        self.rows.append({"stage": stage, "reason": reason, "item": "*", "count": 0})

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=DROP_COLUMNS)

    def totals(self) -> pd.DataFrame:
        """Counts per (stage, reason), for a human-readable log."""
        frame = self.to_frame()
        return frame.groupby(["stage", "reason"], sort=False, as_index=False)["count"].sum()
