"""Dask input: the histogram builder on a real 2-worker LocalCluster (processes).

The tree fitted on Dask must be, array for array, the in-process ``splitter="hist"``
tree on the same data (which tests/test_hist.py pins to the exact splitter), for
every chunking. With missing values the fractional weights of C4.5's routing are
summed per chunk, and each shard of a level's nodes is searched with its own
class-count prefix sum (``_split_hist.search_cells``: one running sum over the
searched rows, whose rounding depends on the rows before), so the structure is
identical and the weights and scores agree to 1e-12 (1e-11 on fully grown trees);
under "learned" (the default estimator's) no weight is split: bit for bit.
"""

from __future__ import annotations

import gc
import time

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

from user_criteria import Tsallis  # noqa: E402

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier  # noqa: E402
from treelearn._tree import Tree  # noqa: E402

ARRAYS = [*Tree.NODE_ARRAYS, "value", "category_ptr", "category_branch"]
STRUCTURE = ["feature", "threshold", "split_kind", "first_child", "n_children", "parent",
             "n_node_samples", "category_ptr", "category_branch"]  # fmt: skip


def assert_same_tree(a: Tree, b: Tree, rtol: float = 0.0) -> None:
    assert a.node_count == b.node_count
    for name in ARRAYS:
        if rtol and name not in STRUCTURE:
            np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol, err_msg=name)
        else:
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def numeric_data(n=200, seed=0, missing=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).round(1)
    if missing:
        X[rng.random(X.shape) < 0.08] = np.nan
    score = np.nan_to_num(X[:, 0]) - np.nan_to_num(X[:, 1]) ** 2 + rng.normal(0, 0.5, n)
    return X, np.digitize(score, [-1.0, 0.3])


def chunked(X, y, k):
    rows = int(np.ceil(X.shape[0] / k))
    Xd = da.from_array(X, chunks=(rows, X.shape[1]))
    return Xd, da.from_array(y, chunks=(Xd.chunks[0],))


def scheduler_tasks(client, wait: float = 10.0) -> int:
    """Tasks the scheduler still holds once released futures have reached it."""
    deadline = time.monotonic() + wait
    while True:
        gc.collect()
        n = client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))
        if n == 0 or time.monotonic() > deadline:
            return n
        time.sleep(0.1)


# -- without a client: treelearn's own LocalCluster; a closed client ---------------------
def test_own_local_cluster_is_started_and_closed():
    X, y = numeric_data(n=120)
    with pytest.raises(ValueError):
        distributed.get_client()  # no client around
    est = DecisionTreeClassifier(missing_values="fractional", splitter="hist", max_depth=3).fit(
        *chunked(X, y, 2)
    )
    ref = DecisionTreeClassifier(missing_values="fractional", splitter="hist", max_depth=3).fit(
        X, y
    )
    assert_same_tree(ref.tree_, est.tree_)
    with pytest.raises(ValueError):
        distributed.get_client()  # closed again


def test_data_of_a_closed_client_is_refused():
    with distributed.Client(processes=False, dashboard_address=None, n_workers=1) as client:
        X = da.ones((20, 2), chunks=(10, 2)).persist()
        y = (da.arange(20, chunks=10) % 2).persist()
    assert client.status == "closed"
    with pytest.raises(RuntimeError, match="closed"):
        DecisionTreeClassifier(splitter="hist").fit(X, y)


def _fit_within(seconds: float, *args) -> BaseException | None:
    """``DecisionTreeClassifier(splitter="hist").fit(*args)`` in a thread: what it
    raised (``None``: it returned); the test fails if it is still running after
    ``seconds`` (a hang)."""
    import threading

    outcome: list = []

    def run():
        try:
            DecisionTreeClassifier(splitter="hist", max_depth=3).fit(*args)
            outcome.append(None)
        except BaseException as exc:  # handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"fit still running after {seconds} s"
    return outcome[0]


def test_a_cluster_without_workers_is_refused(monkeypatch):
    from treelearn import _dask

    monkeypatch.setattr(_dask, "WORKER_WAIT", 1.0)
    X, y = numeric_data(n=40)
    with (
        distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster),
    ):
        err = _fit_within(30, *chunked(X, y, 2))
    assert isinstance(err, RuntimeError), err
    assert "no worker" in str(err) and "waited 1 s" in str(err)


def test_a_client_whose_scheduler_is_gone(tmp_path):
    """The scheduler process ends under a connected client: fit names the lost
    scheduler at once (the client has noticed) or within the client's reconnection
    timeout (it has not yet), never hangs, and leaves no cluster of its own."""
    import subprocess
    import sys

    file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
         "--port", "0", "--no-dashboard", "--scheduler-file", str(file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        with distributed.Client(scheduler_file=str(file), timeout="5s") as client:
            address = client.scheduler.address
            scheduler.kill()
            scheduler.wait()
            X, y = numeric_data(n=40)
            err = _fit_within(60, *chunked(X, y, 2))  # the client may not have noticed
            assert isinstance(err, RuntimeError), err
            assert f"lost the scheduler at {address}" in str(err)
            deadline = time.monotonic() + 30
            while client.status == "running" and time.monotonic() < deadline:
                time.sleep(0.1)
            err = _fit_within(10, *chunked(X, y, 2))  # it has
            assert isinstance(err, RuntimeError) and "lost the scheduler" in str(err), err
    finally:
        scheduler.kill()
        scheduler.wait()
    with pytest.raises(ValueError):
        distributed.get_client()  # no client left behind


# -- on a module-wide 2-worker cluster ------------------------------------------------------
@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.mark.parametrize("k", [1, 3, 8])
@pytest.mark.parametrize("criterion", ["gini", "entropy", Tsallis(q=3)])
def test_same_tree_as_in_process_hist(client, k, criterion):
    X, y = numeric_data()
    ref = DecisionTreeClassifier(
        missing_values="fractional", criterion=criterion, splitter="hist", min_samples_leaf=3
    )
    ref.fit(X, y)
    est = DecisionTreeClassifier(
        missing_values="fractional", criterion=criterion, splitter="hist", min_samples_leaf=3
    )
    est.fit(*chunked(X, y, k))
    assert_same_tree(ref.tree_, est.tree_)
    assert scheduler_tasks(client) == 0  # nothing left on the cluster


@pytest.mark.parametrize("k", [1, 3, 8])
def test_categoricals_from_a_dask_dataframe(client, k):
    rng = np.random.default_rng(1)
    n = 200
    df = pd.DataFrame({
        "colour": pd.Categorical(rng.choice(["red", "green", "blue", "grey"], n)),
        "size": rng.choice(["S", "M", "L"], n).astype(object),
        "x": rng.normal(size=n).round(1),
    })  # fmt: skip
    y = pd.Series(np.where((df.colour == "red") | (df.x > 0.5), "yes", "no"))
    y[rng.random(n) < 0.1] = "no"
    hist = {"missing_values": "fractional", "splitter": "hist", "max_depth": 5}
    for est in (DecisionTreeClassifier(**hist), CARTClassifier(**hist)):
        ref = est.__class__(**est.get_params()).fit(df, y)
        est.fit(dd.from_pandas(df, npartitions=k), dd.from_pandas(y, npartitions=k))
        assert_same_tree(ref.tree_, est.tree_)
        assert list(est.feature_names_in_) == ["colour", "size", "x"]
        np.testing.assert_array_equal(est.classes_, ref.classes_)


@pytest.mark.parametrize("k", [1, 3, 8])
def test_missing_values(client, k):
    X, y = numeric_data(seed=2, missing=True)
    ref = DecisionTreeClassifier(missing_values="fractional", splitter="hist", max_depth=6).fit(
        X, y
    )
    est = DecisionTreeClassifier(missing_values="fractional", splitter="hist", max_depth=6).fit(
        *chunked(X, y, k)
    )
    assert_same_tree(ref.tree_, est.tree_, rtol=0.0 if k == 1 else 1e-12)


@pytest.mark.parametrize("k", [1, 3, 8])
def test_learned_missing_values_with_the_default_estimator(client, k):
    """The default DecisionTreeClassifier (missing_values="learned") on Dask input
    with NaN: every chunk's histograms carry the missing code and the workers send
    missing cases whole to the chosen side, so the tree is the in-process hist tree
    bit for bit (and, at 200 rows, the exact learned tree)."""
    X, y = numeric_data(seed=2, missing=True)
    ref = DecisionTreeClassifier(splitter="hist").fit(X, y)
    Xd, yd = chunked(X, y, k)
    est = DecisionTreeClassifier().fit(Xd, yd)
    assert_same_tree(ref.tree_, est.tree_)
    exact = DecisionTreeClassifier().fit(X, y)
    assert_same_tree(exact.tree_, est.tree_)
    assert np.isin(est.tree_.missing_fraction, [0.0, 1.0]).all()  # one side, whole
    np.testing.assert_array_equal(est.predict_proba(Xd).compute(), exact.predict_proba(X))
    if k == 3:  # node groups of a pass each: no histogram kept for subtraction
        tight = DecisionTreeClassifier(max_histogram_mb=0.005).fit(Xd, yd)
        assert_same_tree(ref.tree_, tight.tree_)
    assert scheduler_tasks(client) == 0


def test_learned_categoricals_weights_and_missing_values_from_a_dataframe(client):
    rng = np.random.default_rng(6)
    n = 300
    df = pd.DataFrame({
        "colour": pd.Categorical(rng.choice(["red", "green", "blue", "grey"], n)),
        "x": rng.normal(size=n).round(1),
        "z": rng.integers(0, 9, n).astype(float),
    })  # fmt: skip
    y = pd.Series(np.where((df.colour == "red") | (df.x > 0.5), 1, 0))
    df.loc[rng.random(n) < 0.15, "colour"] = np.nan
    df.loc[rng.random(n) < 0.15, "x"] = np.nan
    w = pd.Series(rng.integers(1, 4, n).astype(float))
    for split in ("binary", "multiway"):
        kw = {"categorical_split": split, "min_samples_leaf": 2}
        ref = DecisionTreeClassifier(splitter="hist", **kw).fit(df, y, sample_weight=w)
        est = DecisionTreeClassifier(**kw).fit(
            dd.from_pandas(df, npartitions=3), dd.from_pandas(y, npartitions=3),
            sample_weight=dd.from_pandas(w, npartitions=3),
        )  # fmt: skip
        assert_same_tree(ref.tree_, est.tree_)
        exact = DecisionTreeClassifier(**kw).fit(df, y, sample_weight=w)
        assert_same_tree(exact.tree_, est.tree_)


def test_weights_and_cart_cp(client):
    X, y = numeric_data(seed=3)
    w = np.random.default_rng(3).integers(0, 3, size=y.size).astype(float)
    Xd, yd = chunked(X, y, 3)
    wd = da.from_array(w, chunks=(Xd.chunks[0],))
    ref = CARTClassifier(missing_values="fractional", splitter="hist", cp=0.01).fit(
        X, y, sample_weight=w
    )
    est = CARTClassifier(missing_values="fractional", splitter="hist", cp=0.01).fit(
        Xd, yd, sample_weight=wd
    )
    assert_same_tree(ref.tree_, est.tree_)
    np.testing.assert_array_equal(ref.cptable_, est.cptable_)


def test_predict_returns_dask_arrays(client):
    X, y = numeric_data(seed=4)
    Xd, yd = chunked(X, y, 3)
    est = DecisionTreeClassifier(missing_values="fractional", splitter="hist", max_depth=4).fit(
        Xd, yd
    )
    pred, proba = est.predict(Xd), est.predict_proba(Xd)
    assert isinstance(pred, da.Array) and isinstance(proba, da.Array)
    assert proba.chunks[0] == Xd.chunks[0]
    np.testing.assert_array_equal(pred.compute(), est.predict(X))
    np.testing.assert_array_equal(proba.compute(), est.predict_proba(X))
    frame = dd.from_pandas(pd.DataFrame(X), npartitions=2)
    np.testing.assert_array_equal(est.predict(frame).compute(), est.predict(X))


def test_bad_input_is_refused_clearly(client):
    X, y = numeric_data(n=60)
    Xd, yd = chunked(X, y, 3)
    unknown = Xd[Xd[:, 0] > -10]  # boolean indexing: unknown chunk sizes
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        DecisionTreeClassifier(missing_values="fractional", splitter="hist").fit(unknown, yd)
    with pytest.raises(ValueError, match="chunked differently"):
        DecisionTreeClassifier(missing_values="fractional", splitter="hist").fit(Xd, yd.rechunk(25))
    with pytest.raises(ValueError, match="J48 fidelity"):
        C45Classifier().fit(Xd, yd)
    with pytest.raises(ValueError, match="max_competitors"):
        DecisionTreeClassifier(missing_values="fractional", max_competitors=2).fit(Xd, yd)
    with pytest.raises(ValueError, match=r"NaN|missing"):
        DecisionTreeClassifier(missing_values="fractional").fit(
            Xd, da.from_array(np.where(y > 0, y, np.nan), chunks=20)
        )
    assert scheduler_tasks(client) == 0
    assert len(client.scheduler_info()["workers"]) == 2


def test_parquet_columns_partitioned_alike(client, tmp_path):
    """read_parquet may partition a lone label column unlike the features; fit joins
    them into one frame, so that they stay aligned."""
    X, y = numeric_data(seed=5)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])]).assign(y=y)
    dd.from_pandas(frame, npartitions=4).to_parquet(tmp_path / "data")
    data = dd.read_parquet(tmp_path / "data")
    est = DecisionTreeClassifier(missing_values="fractional", splitter="hist", max_depth=5)
    est.fit(data.drop(columns="y"), data["y"])
    ref = DecisionTreeClassifier(missing_values="fractional", splitter="hist", max_depth=5).fit(
        frame.drop(columns="y"), y
    )
    assert_same_tree(ref.tree_, est.tree_)


class _KillsItsWorker(Tsallis):
    """Gini (Tsallis q=2) that ends its worker process the first time it runs on a
    worker while ``flag`` exists: a worker dying in the middle of a fit."""

    def __init__(self, flag: str = ""):
        super().__init__(q=2.0)
        self.flag = flag

    def impurity(self, counts):
        import os

        if self.flag and os.path.exists(self.flag):
            try:
                distributed.get_worker()
            except ValueError:  # in the client: keep going
                pass
            else:
                os.remove(self.flag)
                os._exit(1)
        return super().impurity(counts)


def test_a_worker_dying_mid_fit_never_returns_a_half_tree(tmp_path):
    """A worker process ends while the split search of a level runs on it. The fit
    either recovers (the scheduler recomputes the lost chunk states from their
    lineage) and returns the whole tree, or fails with a clear error; nothing stays
    on the cluster either way."""
    X, y = numeric_data(n=400, seed=7)
    flag = tmp_path / "kill-once"
    flag.touch()
    ref = DecisionTreeClassifier(
        missing_values="fractional", splitter="hist", criterion=_KillsItsWorker()
    ).fit(X, y)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        est = DecisionTreeClassifier(
            missing_values="fractional", splitter="hist", criterion=_KillsItsWorker(str(flag))
        )
        try:
            est.fit(*chunked(X, y, 4))
        except RuntimeError as exc:  # the clear error of a lost worker
            assert "worker" in str(exc) or "lost" in str(exc)
            assert not hasattr(est, "tree_")
        else:
            assert_same_tree(ref.tree_, est.tree_)  # the whole tree, not a part of it
        assert not flag.exists()  # a worker did die
        assert scheduler_tasks(c) == 0


class _InputPeak(distributed.WorkerPlugin):
    """The most bytes of row data (arrays, frames, series of 1000 rows or more: the
    input's blocks and their encodings, not the chunks' bin codes) a worker holds."""

    name = "treelearn-input-peak"

    def setup(self, worker):
        self.worker, self.peak = worker, 0

    def transition(self, key, start, finish, **kwargs):
        rows = (np.ndarray, pd.DataFrame, pd.Series)
        held = sum(
            v.nbytes if isinstance(v, np.ndarray) else int(v.memory_usage(index=False).sum())
            for v in self.worker.data.values()
            if isinstance(v, rows) and len(v) >= 1000
        )
        self.peak = max(self.peak, held)


def _block_of(i, rows, seed):
    """Rows ``i * rows ..`` of ``numeric_data``, made where the block is needed (a
    from_array graph would hold the whole array on a worker)."""
    X, y = numeric_data(n=16 * rows, seed=seed)
    return X[i * rows : (i + 1) * rows], y[i * rows : (i + 1) * rows]


def test_workers_never_hold_their_share_of_the_input(client):
    """The fit reads each block again for each pass (encoding, bin edges, chunk
    states) instead of keeping the raw or encoded blocks: a worker's row data stays
    within a few blocks, not its share of the data (8 of the 16 blocks; the
    previous code, which held every encoded block, reached 16-20 blocks)."""
    from dask import delayed

    X, y = numeric_data(n=16 * 4000, seed=8)
    parts = [delayed(_block_of)(i, 4000, 8) for i in range(16)]
    Xd = da.concatenate([da.from_delayed(p[0], (4000, 4), X.dtype) for p in parts])
    yd = da.concatenate([da.from_delayed(p[1], (4000,), y.dtype) for p in parts])
    block = X.nbytes / 16
    client.register_plugin(_InputPeak())
    # max_bins=63: the bin-edge sample is max(63², 10000) = 10000 of the 64000 rows (at
    # the default 255 it would be max(255², 10000) > 64000: every row, which a worker
    # holds until the client gathers it; that bound is the sample's, not the data's)
    hist = dict(missing_values="fractional", splitter="hist", max_depth=4, max_bins=63)
    est = DecisionTreeClassifier(**hist)
    est.fit(Xd, yd)
    peaks = client.run(lambda dask_worker: dask_worker.plugins[_InputPeak.name].peak)
    assert max(peaks.values()) <= 6 * block, (peaks, block)
    # the same tree as the same blocks held in memory (the same sample, so the same edges)
    ref = DecisionTreeClassifier(**hist).fit(
        da.from_array(X, chunks=(4000, 4)), da.from_array(y, chunks=4000)
    )
    assert_same_tree(ref.tree_, est.tree_)


class _HistogramPeak(distributed.WorkerPlugin):
    """The most bytes of histograms (arrays of 3 dimensions or more, each buffer counted
    once however many views of it are held) among a worker's results."""

    name = "treelearn-histogram-peak"

    def setup(self, worker):
        self.worker, self.peak = worker, 0

    def transition(self, key, start, finish, **kwargs):
        held: dict[int, int] = {}

        def walk(v, depth=0):
            if isinstance(v, np.ndarray) and v.ndim >= 3:
                base = v if v.base is None else v.base
                held[id(base)] = base.nbytes
            elif isinstance(v, tuple | list) and depth < 3:
                for item in v:
                    walk(item, depth + 1)

        for v in list(self.worker.data.values()):
            walk(v)
        self.peak = max(self.peak, sum(held.values()))


def _histogram_bytes_moved(dask_worker) -> int:
    """Bytes of histograms a worker received from the others (its transfer log)."""
    from dask.utils import funcname

    from treelearn._builder_hist import rows_of, take_rows

    names = {funcname(rows_of), funcname(take_rows)}
    return sum(
        n
        for entry in dask_worker.transfer_incoming_log
        for key, n in entry["keys"].items()
        if str(key[0] if isinstance(key, tuple) else key).rsplit("-", 5)[0] in names
    )


def test_level_histograms_are_summed_on_each_worker(client):
    """A worker sums its chunks' histograms as it counts them, and the sum over workers
    is sharded by node range: the histograms a worker holds and those that travel
    between workers are the same for 2 and for 8 chunks per worker (the previous code,
    which held every chunk's histogram until the worker's sum, held 3-4x more at 8
    chunks per worker than at 2 -- 15 levels' worth --, and summed all of a level on
    one worker)."""
    rng = np.random.default_rng(9)
    X = rng.normal(size=(16000, 8)).round(2)
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int)
    ref = DecisionTreeClassifier(criterion="gini", splitter="hist", max_depth=6).fit(X, y)
    peak, moved = {}, {}
    for k in (4, 16):  # 2 and 8 chunks per worker
        client.register_plugin(_HistogramPeak())
        client.run(lambda dask_worker: dask_worker.transfer_incoming_log.clear())
        est = DecisionTreeClassifier(criterion="gini", splitter="hist", max_depth=6)
        est.fit(*chunked(X, y, k))
        assert_same_tree(ref.tree_, est.tree_)
        peaks = client.run(lambda dask_worker: dask_worker.plugins[_HistogramPeak.name].peak)
        peak[k] = max(peaks.values())
        moved[k] = sorted(client.run(_histogram_bytes_moved).values())
    # a level's histograms, at depth 5: 32 nodes x 8 features x 256 codes x 2 classes;
    # a worker holds its sum, a shard received and its sum, the kept shard of the
    # level above and the parents' rows it needs: about 2.5 levels
    level = 32 * 8 * 256 * 2 * 8
    assert peak[16] <= 1.15 * peak[4], peak
    assert peak[16] <= 3 * level, (peak, level)
    assert moved[16] == moved[4], moved  # the same shards travel, whatever the chunks
    assert all(m > 0 for m in moved[4]), moved  # both workers search a shard


@pytest.mark.parametrize("k", [3, 8])
def test_memory_budget_passes_and_shards(client, k):
    """A level counted in several passes (a tiny ``max_histogram_mb``: no histogram is
    kept for subtraction) and in one (kept as shards on the workers) grow the
    in-process tree (fully grown, fractional weights: scores to 1e-11, see the module
    docstring)."""
    X, y = numeric_data(n=600, seed=10, missing=True)
    for mb in (0.01, 256.0):
        hist = {"missing_values": "fractional", "splitter": "hist", "max_histogram_mb": mb}
        ref = DecisionTreeClassifier(**hist).fit(X, y)
        est = DecisionTreeClassifier(**hist).fit(*chunked(X, y, k))
        assert_same_tree(ref.tree_, est.tree_, rtol=1e-11)
