"""One cancer type's cohort from its raw files, as rule prepare_cohort makes it (and tests call it).

The type's endpoint is survival.endpoint_by_cancer's entry for it, else survival.endpoint. A type with fewer
events of its endpoint than survival.min_events cannot be benchmarked: when the run names its types, that is an
error here, at the cohort stage (enough_events); with cancer_types [all] or empty, the cohort is built (empty if
no patient has the endpoint) and the cohort summary marks the type as left out.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pancan.data.cohort import Cohort, build_cohort
from pancan.data.cohort_inputs import CohortInputs, cbioportal_inputs, snapshot_inputs
from pancan.data.drop_log import DropLog
from pancan.data.manifest import verify_files
from pancan.data.mutation_calls import NON_SILENT_CLASSES
from pancan.data.survival import DAYS_PER_MONTH
from pancan.errors import InsufficientDataError

DEFAULT_PREFERENCE = ("01", "03", "05", "02", "06", "07")


@dataclass
class CohortSettings:
    """The settings one type's cohort depends on (from the `mutations` and `survival` config sections).

    `min_events` is enforced (an error below it) only for a type the run names; None
    leaves the decision to the cohort summary.
    """

    endpoint: str = "OS"
    days_per_month: float = DAYS_PER_MONTH
    drop_zero_time: bool = False
    classes: Sequence[str] = NON_SILENT_CLASSES
    sample_preference: Sequence[str] = DEFAULT_PREFERENCE
    preference_key: str = "mutations.sample_type_preference"
    exclude_filters: Sequence[str] = ()
    keep_unmutated_patients: bool = False
    min_events: int | None = None

    @classmethod
    def from_config(cls, cancer: str, mutations: Mapping, survival: Mapping, named: bool = True) -> CohortSettings:
        """A type's settings: its endpoint and sample-type preference overrides, min_events if the run names it."""
        by_cancer = mutations["sample_type_preference_by_cancer"]
        return cls(
            endpoint=cancer_endpoint(cancer, survival),
            days_per_month=survival["days_per_month"],
            drop_zero_time=survival["drop_zero_time"],
            classes=mutations["classes"],
            sample_preference=by_cancer.get(cancer, mutations["sample_type_preference"]),
            preference_key=(
                f"mutations.sample_type_preference_by_cancer.{cancer}"
                if cancer in by_cancer
                else "mutations.sample_type_preference"
            ),
            exclude_filters=mutations["exclude_filters"],
            keep_unmutated_patients=mutations["keep_unmutated_patients"],
            min_events=survival["min_events"] if named else None,
        )


def cancer_endpoint(cancer: str, survival: Mapping) -> str:
    """survival.endpoint_by_cancer's entry for the type, else survival.endpoint."""
    return survival.get("endpoint_by_cancer", {}).get(cancer, survival["endpoint"])


def read_inputs(
    cancer: str,
    files: Mapping[str, str | Path],
    settings: CohortSettings,
    *,
    data_source: str = "cbioportal",
    study: str | None = None,
    snapshot_dir: str | Path | None = None,
    log: DropLog | None = None,
) -> CohortInputs:
    """The type's tables: the snapshot's files (checked against its manifest), or a study's (with its case list).

    `files` has mutations, survival, clinical (snapshot) or mutations,
    clinical_patient, clinical_sample and optionally case_list (a study); `study`
    is the study's label (COADREAD when COAD is read out of the combined study).
    """
    if data_source == "snapshot":
        if snapshot_dir is not None:
            verify_files(snapshot_dir, [os.path.relpath(path, snapshot_dir) for path in files.values()])
        return snapshot_inputs(files["mutations"], files["survival"], files["clinical"], settings.endpoint)
    return cbioportal_inputs(
        files["mutations"],
        files["clinical_patient"],
        files["clinical_sample"],
        settings.endpoint,
        settings.days_per_month,
        case_list=files.get("case_list"),
        cancer=cancer,
        study=study or cancer,
        log=log,
    )


def prepare_cohort(
    cancer: str,
    files: Mapping[str, str | Path],
    settings: CohortSettings,
    *,
    data_source: str = "cbioportal",
    study: str | None = None,
    snapshot_dir: str | Path | None = None,
    log: DropLog | None = None,
) -> Cohort:
    """Read the type's files and build its cohort (with the events of every endpoint), filling `log`.

    Raises InputFileError for bad input (naming the file) and, when
    settings.min_events is set, InsufficientDataError for too few events.
    """
    log = log if log is not None else DropLog()
    inputs = read_inputs(
        cancer, files, settings, data_source=data_source, study=study, snapshot_dir=snapshot_dir, log=log
    )
    cohort, _ = build_cohort(
        cancer,
        inputs.calls,
        inputs.survival,
        inputs.clinical,
        classes=settings.classes,
        sample_preference=settings.sample_preference,
        sample_to_patient=inputs.sample_to_patient,
        exclude_filters=settings.exclude_filters,
        keep_unmutated_patients=settings.keep_unmutated_patients,
        drop_zero_time=settings.drop_zero_time,
        survival_path=inputs.survival_path,
        calls_path=files["mutations"],
        preference_key=settings.preference_key,
        log=log,
        sequenced_samples=inputs.case_list,
        case_list_path=inputs.case_list_path or "case_lists/cases_sequenced.txt",
        endpoints=inputs.endpoints,
        allow_empty=True,
    )
    if settings.min_events is not None:
        enough_events(cohort, settings.endpoint, settings.min_events)
    return cohort


def event_shortfall(events: int, endpoint: str, min_events: int) -> str | None:
    """Why a type is not benchmarked ('4 OS events, fewer than survival.min_events 20'), None when it is."""
    if events >= min_events:
        return None
    return f"{events} {endpoint} event{'s' if events != 1 else ''}, fewer than survival.min_events {min_events}"


def enough_events(cohort: Cohort, endpoint: str, min_events: int) -> None:
    """A type the run names must have min_events events of its endpoint: else an error naming what helps."""
    events = int(cohort.patients["event"].sum())
    shortfall = event_shortfall(events, endpoint, min_events)
    if shortfall is None:
        return
    others = ""
    if cohort.endpoints is not None:
        better = cohort.endpoints[(cohort.endpoints["endpoint"] != endpoint) & (cohort.endpoints["events"] > events)]
        if len(better):
            shown = ", ".join(f"{r.endpoint} {r.events} events" for r in better.itertuples())
            others = f", choose an endpoint with more (survival.endpoint_by_cancer: {{{cohort.cancer}: ...}}: {shown})"
    raise InsufficientDataError(
        f"{cohort.cancer}: {shortfall} ({len(cohort.patients)} patients): too few to benchmark or stratify it. "
        f"Lower survival.min_events{others}, or leave {cohort.cancer} out of cancer_types (with cancer_types: [all] "
        "such types are left out, and the cohort summary says why)"
    )


def endpoint_table(cohort: Cohort, endpoint: str) -> pd.DataFrame:
    """The cohort's endpoint counts, or (a cohort saved without them) its own endpoint's."""
    if cohort.endpoints is not None:
        return cohort.endpoints
    return pd.DataFrame(
        [{"endpoint": endpoint, "patients": len(cohort.patients), "events": int(cohort.patients["event"].sum())}]
    )
