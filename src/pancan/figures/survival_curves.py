"""The one Kaplan-Meier figure of the report: curves with censoring marks, a number-at-risk table, a log-rank p.

Both Kaplan-Meier figures use it: the benchmark's cross-validated risk groups
(`kaplan_meier.py`) and the stratification's subtypes (`stratification_survival.py`), so the
two look alike and are computed alike. The estimates come from scikit-survival
(`kaplan_meier_estimator`), the test from `compare_survival` (the k-group log-rank test,
as `pancan.stratification.subtype_survival.logrank_by_k` uses, so the p printed on a
subtype figure is the one in logrank.tsv). The drawing is ours, not lifelines'
`add_at_risk_counts`: that table labels no time and puts its columns at the axis' ticks
as they were when it was called, so they drift from the ticks the figure ends with.

Layout: the title, then the legend and the log-rank p above the axis (nothing is drawn
over the curves), the curves, and under them the number-at-risk table, whose columns are
at the x ticks and which carries the time labels of its own axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from sksurv.compare import compare_survival
from sksurv.nonparametric import kaplan_meier_estimator
from sksurv.util import Surv

from pancan.figures.style import new_figure

DAYS_PER_YEAR = 365.25
ENDPOINTS = {
    "OS": "overall survival",
    "DSS": "disease-specific survival",
    "PFS": "progression-free survival",
    "DFS": "disease-free survival",
}
MIN_GROUP = 2  # the log-rank test needs at least this many patients per group (as logrank_by_k)


@dataclass(frozen=True)
class SurvivalGroup:
    """One curve: its legend label, colour, and each patient's follow-up time and event (True: died)."""

    label: str
    colour: str
    time: np.ndarray
    event: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "time", np.asarray(self.time, dtype=float))
        object.__setattr__(self, "event", np.asarray(self.event, dtype=bool))
        if self.time.shape != self.event.shape:
            raise ValueError(f"{self.label}: {self.time.shape[0]} times but {self.event.shape[0]} events")


def number_at_risk(times: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Patients still followed (time >= t) at each t: the count a number-at-risk table prints."""
    return (np.asarray(times, dtype=float)[None, :] >= np.asarray(at, dtype=float)[:, None]).sum(axis=1)


def logrank_p(groups: Sequence[SurvivalGroup]) -> float | None:
    """p of the k-group log-rank test (scikit-survival), or None: fewer than two groups, or one under MIN_GROUP."""
    if len(groups) < 2 or min(len(g.time) for g in groups) < MIN_GROUP:
        return None
    y = Surv.from_arrays(np.concatenate([g.event for g in groups]), np.concatenate([g.time for g in groups]))
    labels = np.concatenate([np.full(len(g.time), index) for index, g in enumerate(groups)])
    _chi2, p_value = compare_survival(y, labels)
    return float(p_value)


def step_curve(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Kaplan-Meier step function from time 0 (survival 1): x, y for a `where="post"` step plot."""
    if not len(time):
        return np.array([0.0]), np.array([1.0])
    times, survival = kaplan_meier_estimator(event, time)
    return np.concatenate([[0.0], times]), np.concatenate([[1.0], survival])


def censoring_marks(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the censored patients leave the curve: their times and the curve's value there (one per patient)."""
    x, y = step_curve(time, event)
    censored = np.sort(time[~event])
    return censored, y[np.searchsorted(x, censored, side="right") - 1]


TICK_STEPS = (0.25, 0.5, 1, 2, 4, 5, 10, 20, 25, 50, 100)
MAX_INTERVALS = 7


def time_ticks(max_time: float) -> np.ndarray:
    """Round ticks from 0 to the first one at or after the longest follow-up: the smallest step of TICK_STEPS
    needing at most MAX_INTERVALS intervals (15.1 years: 0, 4, ..., 16; 23.6 years: 0, 4, ..., 24)."""
    max_time = max(float(max_time), TICK_STEPS[0])
    step = next((s for s in TICK_STEPS if np.ceil(max_time / s) <= MAX_INTERVALS), TICK_STEPS[-1])
    return np.arange(int(np.ceil(max_time / step)) + 1) * step


def kaplan_meier_figure(
    groups: Sequence[SurvivalGroup],
    title: str,
    *,
    note: str = "",
    untested: str = "log-rank not tested (a group of fewer than 2 patients)",
    endpoint: str = "OS",
    time_label: str = "years since diagnosis",
    width: float = 3.6,
) -> tuple[Figure, float | None]:
    """Kaplan-Meier curves of `groups` (times in the unit of `time_label`), the number at risk at each x tick, and
    the log-rank p; `note` is printed under the p; the y axis names the `endpoint` (config survival.endpoint).
    Returns (figure, p or None when not tested, see `logrank_p`).

    Empty groups are left out. Every text sits outside the curves' axis: legend and p above it, the table below.
    """
    groups = [g for g in groups if len(g.time)]
    if not groups:
        raise ValueError(f"{title}: no patient to draw")
    p_value = logrank_p(groups)
    ticks = time_ticks(max(float(g.time.max()) for g in groups))
    table_height = 0.22 + 0.15 * len(groups)
    figure = new_figure(width, 3.05 + table_height)
    curves, table = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [2.1, table_height], "hspace": 0.08}
    )
    handles = []
    for group in groups:
        x, y = step_curve(group.time, group.event)
        (line,) = curves.step(
            x, y, where="post", color=group.colour, linewidth=1.2, label=f"{group.label} (n={len(group.time)})"
        )
        handles.append(line)
        marks_x, marks_y = censoring_marks(group.time, group.event)
        curves.plot(
            marks_x, marks_y, linestyle="none", marker="|", markersize=4, markeredgewidth=0.7, color=group.colour
        )
    handles.append(Line2D([], [], linestyle="none", marker="|", markersize=5, color="#555555", label="censored"))
    curves.set_xlim(0, ticks[-1])
    curves.set_xticks(ticks)
    curves.tick_params(axis="x", labelbottom=True)
    curves.set_ylim(0, 1.03)
    curves.set_yticks(np.linspace(0, 1, 5))
    curves.set_ylabel(ENDPOINTS.get(endpoint, endpoint))
    text = untested if p_value is None else f"log-rank p = {p_value:.2g}"
    curves.legend(
        handles=handles,
        title=text + (f"\n{note}" if note else ""),
        title_fontsize=7,
        alignment="left",
        loc="lower left",
        bbox_to_anchor=(0.0, 1.02),
        ncol=3 if len(handles) <= 3 else 2,  # two columns fit the axis' width; more would squeeze it
        frameon=False,
        handlelength=1.5,
        borderaxespad=0.0,
        borderpad=0.0,
    )

    table.set_ylim(len(groups) - 0.5, -0.5)  # first group on top
    for row, group in enumerate(groups):
        for tick, count in zip(ticks, number_at_risk(group.time, ticks)):
            table.text(tick, row, str(count), ha="center", va="center", fontsize=7, color=group.colour)
    table.set_yticks(range(len(groups)), [g.label for g in groups])
    for label, group in zip(table.get_yticklabels(), groups):
        label.set_color(group.colour)
    table.tick_params(axis="y", length=0, pad=12)  # clear of the counts centred on x = 0
    for side in ("left", "top", "right"):
        table.spines[side].set_visible(False)
    table.set_title("number at risk", loc="left", fontsize=7)
    table.set_xlabel(time_label)
    figure.suptitle(title)
    return figure, p_value


def years(days) -> np.ndarray:
    """Days to years (365.25 days each): the time unit of both Kaplan-Meier figures."""
    return np.asarray(days, dtype=float) / DAYS_PER_YEAR
