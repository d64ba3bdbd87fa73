"""The catalogue of the bundled data sets: what each file is, where it comes from, its shape.

Facts only (checked against the files by ``tests/test_datasets.py``); the loaders
of :mod:`treelearn.datasets._loaders` are built from this table.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

__all__ = ["ALIASES", "DATASETS", "DatasetInfo", "dataset_info", "list_datasets"]

WEKA = "Distributed with Weka 3.6 (Debian package ``weka``, /usr/share/doc/weka/examples/)"


@dataclass(frozen=True)
class DatasetInfo:
    """Facts about one bundled file (checked against the file by the test suite)."""

    name: str
    filename: str
    title: str
    source: str
    n_rows: int
    n_features: int
    n_nominal: int  # nominal features; the others are numeric
    target: str  # the class attribute (always the last attribute)
    n_classes: int  # declared class values
    rows_with_missing: int  # rows with at least one missing feature value
    notes: str = ""

    def summary(self) -> str:
        n_numeric = self.n_features - self.n_nominal
        if self.n_nominal == self.n_features:
            kinds = "all nominal"
        elif self.n_nominal == 0:
            kinds = "all numeric"
        else:
            kinds = f"{self.n_nominal} nominal, {n_numeric} numeric"
        missing = (
            f"{self.rows_with_missing} rows have at least one missing value ('?')"
            if self.rows_with_missing
            else "none"
        )
        return (
            f"Rows: {self.n_rows}. Features: {self.n_features} ({kinds}). "
            f"Class: {self.target!r}, {self.n_classes} declared values. "
            f"Missing values: {missing}."
        )

    def descr(self) -> str:
        parts = [
            f"{self.title}\n{'=' * len(self.title)}",
            f"File: {self.filename} (bundled name {self.name!r}).",
            self.summary(),
            f"Source: {self.source}",
            f"{WEKA}; the classic public UCI / Weka example files.",
        ]
        if self.notes:
            parts.append(f"Notes: {self.notes}")
        return "\n\n".join(textwrap.fill(p) if "\n" not in p else p for p in parts) + "\n"


DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in [
        DatasetInfo(
            name="play_tennis",
            filename="weather.nominal.arff",
            title="Weather (play tennis), nominal",
            source=(
                "J. R. Quinlan, 'Induction of decision trees', Machine Learning 1:81-106 "
                "(1986), Table 1: the play-tennis example ID3 is taught with."
            ),
            n_rows=14,
            n_features=4,
            n_nominal=4,
            target="play",
            n_classes=2,
            rows_with_missing=0,
        ),
        DatasetInfo(
            name="weather_numeric",
            filename="weather.numeric.arff",
            title="Weather (play tennis), numeric",
            source=(
                "Quinlan's play-tennis example with numeric temperature and humidity, as in "
                "Witten & Frank, 'Data Mining' (the Weka book), and Quinlan's C4.5 book."
            ),
            n_rows=14,
            n_features=4,
            n_nominal=2,
            target="play",
            n_classes=2,
            rows_with_missing=0,
        ),
        DatasetInfo(
            name="contact_lenses",
            filename="contact-lenses.arff",
            title="Contact lenses",
            source=(
                "J. Cendrowska, 'PRISM: an algorithm for inducing modular rules', Int. J. Man-"
                "Machine Studies 27:349-370 (1987); UCI Machine Learning Repository (Lenses)."
            ),
            n_rows=24,
            n_features=4,
            n_nominal=4,
            target="contact-lenses",
            n_classes=3,
            rows_with_missing=0,
            notes=("Complete: every combination of the attribute values occurs once."),
        ),
        DatasetInfo(
            name="labor",
            filename="labor.arff",
            title="Labor negotiations",
            source=(
                "Final settlements in labour negotiations in Canadian industry, 1987-88 "
                "(Collective Bargaining Review, Labour Canada; donor Stan Matwin); UCI Machine "
                "Learning Repository (Labor Relations)."
            ),
            n_rows=57,
            n_features=16,
            n_nominal=8,
            target="class",
            n_classes=2,
            rows_with_missing=56,
            notes=(
                "The file's own header says 'Missing Attribute Values: None', but 326 of the "
                "912 feature values are '?' and only one row is complete."
            ),
        ),
        DatasetInfo(
            name="iris",
            filename="iris.arff",
            title="Iris",
            source=(
                "R. A. Fisher, 'The use of multiple measurements in taxonomic problems', Annals"
                " of Eugenics 7:179-188 (1936); UCI Machine Learning Repository (Iris)."
            ),
            n_rows=150,
            n_features=4,
            n_nominal=0,
            target="class",
            n_classes=3,
            rows_with_missing=0,
        ),
        DatasetInfo(
            name="glass",
            filename="glass.arff",
            title="Glass identification",
            source=(
                "B. German, Home Office Forensic Science Service (donor Vina Spiehler, 1987); "
                "UCI Machine Learning Repository (Glass Identification)."
            ),
            n_rows=214,
            n_features=9,
            n_nominal=0,
            target="Type",
            n_classes=7,
            rows_with_missing=0,
            notes=(
                "Seven classes are declared but 'vehic wind non-float' never occurs, so the "
                "data has six classes."
            ),
        ),
        DatasetInfo(
            name="breast_cancer",
            filename="breast-cancer.arff",
            title="Breast cancer (Ljubljana)",
            source=(
                "University Medical Centre, Institute of Oncology, Ljubljana (M. Zwitter and M."
                " Soklic; donors Ming Tan and Jeff Schlimmer, 1988); UCI Machine Learning "
                "Repository (Breast Cancer)."
            ),
            n_rows=286,
            n_features=9,
            n_nominal=9,
            target="Class",
            n_classes=2,
            rows_with_missing=9,
            notes=(
                "Nominal values are intervals such as '30-39' declared in their natural order; "
                "some declared values never occur."
            ),
        ),
        DatasetInfo(
            name="ionosphere",
            filename="ionosphere.arff",
            title="Ionosphere",
            source=(
                "Johns Hopkins University Applied Physics Laboratory, Space Physics Group (V. "
                "Sigillito, 1989); UCI Machine Learning Repository (Ionosphere)."
            ),
            n_rows=351,
            n_features=34,
            n_nominal=0,
            target="class",
            n_classes=2,
            rows_with_missing=0,
        ),
        DatasetInfo(
            name="vote",
            filename="vote.arff",
            title="Congressional voting records (1984)",
            source=(
                "Congressional Quarterly Almanac, 98th Congress, 2nd session 1984 (donor Jeff "
                "Schlimmer, 1987); UCI Machine Learning Repository (Congressional Voting "
                "Records)."
            ),
            n_rows=435,
            n_features=16,
            n_nominal=16,
            target="Class",
            n_classes=2,
            rows_with_missing=203,
            notes="'?' means the representative neither voted yea nor nay.",
        ),
        DatasetInfo(
            name="soybean",
            filename="soybean.arff",
            title="Soybean (large)",
            source=(
                "R. S. Michalski and R. L. Chilausky (1980), soybean disease diagnosis (donors "
                "Ming Tan and Jeff Schlimmer, 1988); UCI Machine Learning Repository (Soybean, "
                "Large): training and test files combined."
            ),
            n_rows=683,
            n_features=35,
            n_nominal=35,
            target="class",
            n_classes=19,
            rows_with_missing=121,
            notes=(
                "Some value lists have spaces after the commas (Weka accepts them; "
                "scipy.io.arff does not read this file)."
            ),
        ),
        DatasetInfo(
            name="diabetes",
            filename="diabetes.arff",
            title="Pima Indians diabetes",
            source=(
                "National Institute of Diabetes and Digestive and Kidney Diseases (donor "
                "Vincent Sigillito, 1990); Smith et al. (1988); UCI Machine Learning Repository"
                " (Pima Indians Diabetes)."
            ),
            n_rows=768,
            n_features=8,
            n_nominal=0,
            target="class",
            n_classes=2,
            rows_with_missing=0,
            notes=(
                "No value is '?', but zeros stand for unknown values in plas (5), pres (35), "
                "skin (227), insu (374) and mass (11)."
            ),
        ),
        DatasetInfo(
            name="credit_g",
            filename="credit-g.arff",
            title="German credit",
            source=(
                "Prof. Hans Hofmann, Universitaet Hamburg; Statlog project; UCI Machine "
                "Learning Repository (Statlog German Credit Data)."
            ),
            n_rows=1000,
            n_features=20,
            n_nominal=13,
            target="class",
            n_classes=2,
            rows_with_missing=0,
        ),
        DatasetInfo(
            name="segment",
            filename="segment-challenge.arff",
            title="Image segmentation (challenge subset)",
            source=(
                "Vision Group, University of Massachusetts (Carla Brodley, 1990); UCI Machine "
                "Learning Repository (Image Segmentation). Weka's 1500-row subset of the "
                "combined training and test data."
            ),
            n_rows=1500,
            n_features=19,
            n_nominal=0,
            target="class",
            n_classes=7,
            rows_with_missing=0,
        ),
    ]
}
ALIASES = {"weather_nominal": "play_tennis", "segment_challenge": "segment"}


def list_datasets() -> list[str]:
    """Return the names of the bundled data sets.

    Returns
    -------
    list of str
        The names accepted by :func:`~treelearn.datasets.load_dataset` (and the loader
        names without ``load_``).

    Examples
    --------
    >>> from treelearn.datasets import list_datasets
    >>> list_datasets()[:3]
    ['play_tennis', 'weather_numeric', 'contact_lenses']
    >>> len(list_datasets())
    13
    """
    return list(DATASETS)


def dataset_info(name: str) -> DatasetInfo:
    """The catalogue facts of a bundled data set, without reading its file.

    Parameters
    ----------
    name : str
        A bundled name (see :func:`list_datasets`) or its file name (``credit-g``,
        ``weather.nominal``, ...).

    Returns
    -------
    DatasetInfo
        ``name``, ``filename``, ``title``, ``source``, ``n_rows``, ``n_features``,
        ``n_nominal``, ``target``, ``n_classes`` (declared class values) and
        ``rows_with_missing``, checked against the files by the test suite.

    Raises
    ------
    ValueError
        For a name that is not bundled (the message lists the bundled names).

    Examples
    --------
    >>> from treelearn.datasets import dataset_info
    >>> info = dataset_info("credit-g")
    >>> info.name, info.n_rows, info.n_features, info.n_classes
    ('credit_g', 1000, 20, 2)
    """
    key = bundled_key(name)
    if key is None:
        raise ValueError(
            f"unknown data set {name!r}; bundled data sets: {', '.join(list_datasets())}"
        )
    return DATASETS[key]


def bundled_key(text: str) -> str | None:
    """The bundled name ``text`` stands for (a name, alias or file stem), else None."""
    key = text.strip().lower().replace("-", "_").replace(".", "_")
    key = ALIASES.get(key, key)
    return key if key in DATASETS else None
