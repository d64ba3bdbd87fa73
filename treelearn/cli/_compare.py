"""``treelearn compare``: cross-validated comparison of criteria, as a table."""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from typing import Any

import pandas as pd

from treelearn.cli._data import criteria_from, preset_label, resolve_data
from treelearn.cli._errors import EXIT_FAILED, CommandError, one_line
from treelearn.cli._tables import emit
from treelearn.compare import (
    compare_criteria,
    critical_difference_groups,
    friedman_test,
    imbalanced_suite,
    mean_ranks,
    nemenyi_test,
    plot_comparison,
    primary_metric,
)

__all__ = ["comparison_table", "run"]

_PERCENT_METRICS = frozenset({"accuracy", "balanced_accuracy"})


def _cell(by: pd.DataFrame, criterion: str, metric: str, scale: float) -> str:
    mean = by.at[criterion, f"{metric}_mean"] * scale
    std = by.at[criterion, f"{metric}_std"] * scale
    if math.isnan(mean):
        return "failed"
    marks = {"better": " +", "worse": " -"}
    mark = marks.get(by.at[criterion, "significance"], "  ") if metric else "  "
    digits = 1 if scale == 100.0 else 3
    return f"{mean:.{digits}f} ± {std:.{digits}f}{mark}"


def comparison_table(result: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The wide human-readable form of a comparison and its footnotes: per data set the
    primary score of every criterion (with its significance mark), the other scores,
    the mean tree size and the mean fit time."""
    metrics = list(result.attrs.get("metrics") or [primary_metric(result)])
    metric = primary_metric(result)
    others = [m for m in metrics if m != metric]
    criteria = list(dict.fromkeys(result["criterion"]))
    rows = []
    for dataset, group in result.groupby("dataset", sort=False):
        row: dict[str, Any] = {"dataset": dataset, "rows": int(group["n_samples"].iloc[0])}
        by = group.set_index("criterion")
        for name in (metric, *others):
            scale = 100.0 if name in _PERCENT_METRICS else 1.0
            for criterion in criteria:
                column = criterion if name == metric else f"{name} {criterion}"
                if criterion not in by.index:
                    row[column] = ""
                    continue
                mark_metric = metric if name == metric else ""
                row[column] = _cell(by, criterion, mark_metric or name, scale)
                if name != metric:  # significance is tested on the primary score only
                    row[column] = row[column].rstrip("+- ")
        for criterion in criteria:
            size = by.at[criterion, "tree_size"] if criterion in by.index else math.nan
            row[f"size {criterion}"] = size
        for criterion in criteria:
            seconds = by.at[criterion, "fit_time"] if criterion in by.index else math.nan
            row[f"fit s {criterion}"] = "" if math.isnan(seconds) else f"{seconds:.3f}"
        rows.append(row)
    table = pd.DataFrame(rows)
    for criterion in criteria:  # whole nodes; <NA> where a criterion failed
        column = f"size {criterion}"
        table[column] = table[column].round().astype("Int64")
    n_folds = int(result["n_folds"].iloc[0])
    baseline = result.attrs.get("baseline", criteria[0])
    alpha = result.attrs.get("alpha", 0.05)
    unit = " %" if metric in _PERCENT_METRICS else ""
    ranks = mean_ranks(result)
    notes = [
        f"{metric}{unit}: mean ± std over {n_folds} stratified folds (the same folds for "
        "every criterion); size: mean node count of the fold trees; fit s: mean seconds "
        "per fit.",
        f"+/-: significantly better/worse than {baseline} in {metric} (corrected resampled "
        f"t-test, p < {alpha:g}).",
        "mean rank: " + ", ".join(f"{c} {r:.2f}" for c, r in ranks.items()),
        *_many_dataset_notes(result, alpha),
    ]
    return table, notes


def _many_dataset_notes(result: pd.DataFrame, alpha: float) -> list[str]:
    """Demšar's tests over the data sets: Friedman (Iman–Davenport) and Nemenyi."""
    n_sets, n_criteria = result["dataset"].nunique(), result["criterion"].nunique()
    if n_sets < 2 or n_criteria < 2:
        return []
    try:
        friedman = friedman_test(result, alpha=alpha).set_index("test")
        nemenyi = nemenyi_test(result, alpha=alpha)
    except ValueError as error:  # e.g. a criterion failed on every fold of a data set
        return [f"Friedman/Nemenyi: not computed ({one_line(error)})"]
    f = friedman.loc["iman_davenport_f"]
    chi2 = friedman.loc["friedman_chi2"]
    verdict = "the criteria differ" if f["significant"] else "no significant difference"
    cd = float(nemenyi["critical_difference"].iloc[0])
    groups = critical_difference_groups(mean_ranks(result), cd)
    pairs = nemenyi[nemenyi["significant"]]
    named = zip(pairs["criterion_a"], pairs["criterion_b"], strict=True)
    differ = ", ".join(f"{a} vs {b}" for a, b in named)
    return [
        f"Friedman over {n_sets} data sets: chi2 = {chi2['statistic']:.3f} "
        f"(p = {chi2['p_value']:.3g}), Iman-Davenport F({f['df1']:g}, {f['df2']:g}) = "
        f"{f['statistic']:.3f} (p = {f['p_value']:.3g}): {verdict} at alpha = {alpha:g}.",
        f"Nemenyi: critical difference {cd:.3f} in mean rank; "
        + (f"significantly different: {differ}; " if differ else "no pair differs; ")
        + "groups not told apart: "
        + "; ".join("{" + ", ".join(g) + "}" for g in groups)
        + ".",
    ]


def _scoring(values: list[str] | None) -> list[str]:
    if not values:
        return ["accuracy"]
    names = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not names:
        raise CommandError("--scoring names no scorer")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise CommandError(f"--scoring names {', '.join(repeated)} twice")
    return names


def _failures(caught: list[warnings.WarningMessage]) -> tuple[list[str], list[str]]:
    """``(failed fits, other warnings)`` as one-line messages."""
    from sklearn.exceptions import FitFailedWarning

    failed, other = [], []
    for warning in caught:
        if issubclass(warning.category, FitFailedWarning):
            failed.append(one_line(warning.message))
        elif issubclass(warning.category, RuntimeWarning | UserWarning):
            other.append(one_line(warning.message))
    return failed, other


def run(args: argparse.Namespace) -> int:
    """Run ``compare``."""
    criteria = criteria_from(args.criteria)
    scoring = _scoring(args.scoring)
    baseline = None if args.baseline is None else preset_label(args.baseline)
    if args.imbalanced and not args.datasets:
        datasets: dict[str, Any] = {}
    else:  # a bad name or file: exit 2 before any fit
        datasets = {d.name: (d.X, d.y) for d in resolve_data(args.datasets, args)}
    if args.imbalanced:
        datasets.update(imbalanced_suite())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = compare_criteria(
            datasets,
            criteria,
            cv=args.cv,
            n_repeats=args.repeats,
            scoring=scoring if len(scoring) > 1 else scoring[0],
            random_state=args.seed,
            n_jobs=args.jobs,
            baseline=baseline,
            alpha=args.alpha,
            progress=not args.quiet,
            missing_values=args.missing,
        )
    failed, other = _failures(caught)
    for message in other:
        print(f"treelearn: warning: {message}", file=sys.stderr)
    if failed and not args.keep_going:
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        raise CommandError(f"{failed[0]}{more}; --keep-going reports the table anyway")
    if args.format in ("csv", "json"):
        sys.stdout.write(emit(result, args.format))
    else:
        table, notes = comparison_table(result)
        sys.stdout.write(emit(table, args.format, notes=notes))
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        kind = args.plot_kind or ("cd" if args.imbalanced else "scores")
        fig = plot_comparison(result, kind="cd") if kind == "cd" else plot_comparison(result)
        fig.savefig(args.plot, dpi=args.dpi)
        plt.close(fig)
        print(f"treelearn: wrote {args.plot}", file=sys.stderr)
    for message in failed:
        print(f"treelearn: failed: {message}", file=sys.stderr)
    return EXIT_FAILED if failed else 0
