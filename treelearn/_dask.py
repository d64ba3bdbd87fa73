"""Dask input: the histogram builder on a ``dask.distributed`` cluster.

``fit(X, y)`` with a ``dask.array.Array`` or a ``dask.dataframe.DataFrame``
(partitioned by rows; ``y`` a Dask array or series chunked like ``X``) runs
:mod:`treelearn._builder_hist` on the current ``dask.distributed`` client, or on a
``LocalCluster`` it starts for the fit and closes afterwards. Each chunk is encoded,
binned and kept on its worker as a :class:`~treelearn._builder_hist.Chunk` (a
future); each level is one task per worker over the chunks it holds, summing their
histograms as they are counted, then the search sharded over the workers by node
range (each sums its range of the workers' histograms and finds every feature's best
split there); the client receives the per-node class counts and each feature's best
split per node, never rows, and no histogram grows with the chunks per worker. The
fitted estimator is the ordinary in-memory one; ``predict``/``predict_proba`` on Dask
input return Dask arrays (``map_blocks``).

The encoding (categories) is that of the whole data: every chunk contributes the
rows where a category first appears. The bin edges are those of a sample of
``max(max_bins², 10000)`` rows spread over the chunks (all rows when there are no
more), each bin's value range that of all rows: on data no larger than the sample
the tree is, array for array, the in-process ``splitter="hist"`` tree.

Dask is an optional dependency: ``pip install 'treelearn[dask]'``.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from treelearn import _data
from treelearn._binning import apply_bins, fit_bins, merge_ranges, sample_size, value_range
from treelearn._builder_hist import (
    accumulate,
    build_hist_tree,
    check_missing_strategy,
    new_chunk,
    unit_entries,
)
from treelearn._validation import check_y, is_sparse, validate_data

__all__ = ["DaskBackend", "fit", "is_dask_collection", "predict"]

_INSTALL = (
    "Dask input needs dask and distributed, which treelearn does not install by "
    "default: pip install 'treelearn[dask]' (or pip install 'dask[distributed]')."
)


def is_dask_collection(obj: object) -> bool:
    """Whether ``obj`` is a Dask collection (checked without importing Dask)."""
    return type(obj).__module__.split(".")[0] in {"dask", "dask_expr"}


def _require():
    try:
        import dask  # noqa: F401
        import distributed
    except ImportError as exc:
        raise ImportError(_INSTALL) from exc
    return distributed


class DaskBackend:
    """Runs the histogram builder's steps as futures on a ``distributed`` client.

    :meth:`partial_sums` runs one task per worker over the chunks it holds (in chunk
    order, summed as they are counted), so that a worker holds one chunk's result
    beside its running sum however many chunks it has, and one result per worker
    leaves it; :meth:`submit` runs a step on the worker of its ``near`` result."""

    def __init__(self, client: Any, states: list):
        self.client = client
        self.states = states
        self._where: dict[str, str] = {}  # key of a result -> the worker asked to run it

    def map(self, fn: Callable, states: list, *args: Any) -> list:
        return [self.client.submit(fn, s, *args, pure=False) for s in states]

    def _on(self, fn: Callable, args: tuple, worker: str | None) -> Any:
        future = self.client.submit(fn, *args, pure=False,
                                    workers=[worker] if worker else None,
                                    allow_other_workers=True)  # fmt: skip
        if worker:
            self._where[future.key] = worker
        return future

    def partial_sums(self, fn: Callable, states: list, *args: Any) -> list:
        """``fn`` over the chunks, summed on each worker over the chunks it holds:
        one future per worker, in order of their first chunk."""
        from distributed import wait

        wait(states)
        where = self.client.who_has(states)
        by_worker: dict[str, list] = {}
        for state in states:
            holders = sorted(where.get(state.key, ()))
            by_worker.setdefault(holders[0] if holders else "", []).append(state)
        return [
            self._on(accumulate, (fn, args, *group), worker or None)
            for worker, group in by_worker.items()
        ]

    def submit(self, fn: Callable, *args: Any, near: Any = None) -> Any:
        return self._on(fn, args, None if near is None else self._where.get(near.key))

    def gather(self, handle: Any) -> Any:
        return handle.result()

    def gather_all(self, handles: list) -> list:
        return list(self.client.gather(handles))

    def replace_states(self, states: list) -> None:
        self.states = states


#: Seconds ``fit`` waits for a worker when the current client's cluster has none
#: (an adaptive cluster may be starting them) before it refuses clearly.
WORKER_WAIT = 30.0


def _scheduler_of(client: Any) -> str:
    """The address of a client's scheduler, for messages."""
    try:
        address = client.scheduler.address
    except Exception:
        address = None
    return f"the scheduler at {address}" if address else "its scheduler"


def _unreachable(client: Any, lost: bool = False) -> str:
    """Why a client that is not running cannot fit, naming its scheduler (``lost``: it
    lost its scheduler, whatever its status now)."""
    if client.status == "closed" and not lost:
        return (
            f"the current Dask client ({_scheduler_of(client)}) is closed. Start a new "
            "one (distributed.Client(...)), or drop the closed one (no client at all) so "
            "that treelearn starts its own LocalCluster. No tree was fitted."
        )
    return (
        f"the current Dask client lost {_scheduler_of(client)} (client {client.status}): "
        "the cluster is gone or cannot be reached. Start it again and connect a new "
        "distributed.Client, or close this client so that treelearn starts its own "
        "LocalCluster. No tree was fitted."
    )


def _check_workers(client: Any) -> None:
    """Refuse a cluster with no worker (after ``WORKER_WAIT`` seconds for one) instead of
    waiting for ever on tasks that nothing runs."""
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT)
    except Exception as exc:
        if client.status != "running":
            raise RuntimeError(_unreachable(client)) from exc
        raise RuntimeError(
            f"the Dask cluster of the current client ({_scheduler_of(client)}) has no "
            f"worker (waited {WORKER_WAIT:g} s for one): start workers (dask worker "
            "ADDRESS, or cluster.scale(n)) before fitting. No tree was fitted."
        ) from exc


@contextlib.contextmanager
def _client():
    """The current client, or a ``LocalCluster`` started here and closed on exit."""
    distributed = _require()
    try:
        client = distributed.get_client()
    except ValueError:
        client = None
    if client is not None:
        if client.status != "running":
            raise RuntimeError(_unreachable(client))
        _check_workers(client)
        yield client
        return
    with (
        distributed.LocalCluster(processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as own,
    ):
        yield own


# -- the steps on every block (run on the workers) ----------------------------------------
def _frame(block, columns):
    if columns is not None and not isinstance(block, pd.DataFrame):
        return pd.DataFrame(block, columns=columns)
    return block


def _representatives(block, mask: np.ndarray):
    """The rows of a block where a value of a categorical column first appears."""
    rows = {0} if len(block) else set()
    for j in np.flatnonzero(mask).tolist():
        col = block.iloc[:, j] if isinstance(block, pd.DataFrame) else block[:, j]
        values = pd.Series(np.asarray(col, dtype=object))
        # (missing values are no category; pandas' str dtype would keep them as NaN,
        # which np.unique cannot order among strings)
        known = np.flatnonzero(values.notna().to_numpy())
        names = values.iloc[known].astype(str).to_numpy(dtype=object)
        rows.update(known[np.unique(names, return_index=True)[1]].tolist())
    idx = np.array(sorted(rows), dtype=np.intp)
    return block.iloc[idx] if isinstance(block, pd.DataFrame) else block[idx]


def _encode(block, encoding):
    return np.ascontiguousarray(_data.transform(block, encoding))


def _labels(block):
    return np.unique(check_y(block))


def _sample(Xe: np.ndarray, take: int, seed: int) -> np.ndarray:
    if take >= Xe.shape[0]:
        return Xe
    rng = np.random.default_rng(seed)
    return Xe[np.sort(rng.choice(Xe.shape[0], size=take, replace=False))]


def _make_chunk(Xe, y_block, w_block, classes, bins):
    y = check_y(y_block)
    if y.shape[0] != Xe.shape[0]:
        raise ValueError(
            f"a chunk of X has {Xe.shape[0]} rows but the matching chunk of y has "
            f"{y.shape[0]}; y must be chunked like X."
        )
    w = np.ones(y.shape[0]) if w_block is None else np.asarray(w_block, dtype=np.float64)
    if w.shape[0] != y.shape[0]:
        raise ValueError("sample_weight must be chunked like X.")
    if not (np.isfinite(w).all() and (w >= 0).all()):
        raise ValueError("sample_weight must be finite and non-negative.")
    codes = np.searchsorted(classes, y)
    used = w > 0
    every = bool(used.all())  # (then no copy of the encoded block)
    codes_x = apply_bins(Xe if every else Xe[used], bins)
    chunk = new_chunk(codes_x, codes if every else codes[used], w if every else w[used])
    info = (
        float(w[used].sum()),
        float(w[used].min(initial=np.inf)),
        bool(np.isnan(Xe).any()),
        int(used.sum()),
        bool((w[used] == 1).all()),
    )
    return chunk, info


_Y, _W = "__treelearn_y__", "__treelearn_sample_weight__"


def _rows(x_block, y_block, w_block, columns, joined):
    """A chunk's X (a frame when X is a DataFrame), y and weights; ``joined``: ``x_block``
    is X with y (and the weights) as extra columns (see :func:`_blocks`)."""
    if joined:
        y_block = x_block[_Y]
        w_block = x_block[_W] if _W in x_block.columns else None
        x_block = x_block[columns]
    return _frame(x_block, columns), y_block, w_block


def _describe(x_block, y_block, w_block, columns, joined, mask):
    """Pass 1 over a chunk: its representatives, its labels and its rows."""
    x, y, _ = _rows(x_block, y_block, w_block, columns, joined)
    return _representatives(x, mask), _labels(y), len(x)


def _sample_chunk(x_block, y_block, w_block, columns, joined, encoding, take, seed):
    """Pass 2 over a chunk: ``take`` of its encoded rows."""
    Xe = _encode(_rows(x_block, y_block, w_block, columns, joined)[0], encoding)
    return _sample(Xe, take, seed)


def _state_chunk(x_block, y_block, w_block, columns, joined, encoding, classes, bins, ranges):
    """Pass 3 over a chunk: its :class:`~treelearn._builder_hist.Chunk`, what the client
    needs of it, and (``ranges``) the value range of every bin over its rows."""
    x, y, w = _rows(x_block, y_block, w_block, columns, joined)
    Xe = _encode(x, encoding)
    chunk, info = _make_chunk(Xe, y, w, classes, bins)
    return chunk, info, value_range(Xe, bins) if ranges else None


def _item(parts, i):
    return parts[i]


# -- blocks of the input ---------------------------------------------------------------------
def _blocks(X, y, sample_weight):
    """The row blocks of X, y and the weights, checked to match: per chunk a triple of
    delayed blocks (y's and the weights' ``None`` when ``joined``: X's block holds them
    as columns), X's column names (a DataFrame's) and ``joined``.

    The fit reads every block three times (a pass each for the encoding, the bin edges
    and the chunk states) instead of keeping the raw or encoded data on the workers:
    a worker then holds its chunks' bin codes and one block in flight, never its share
    of the data as float64."""
    import dask.array as da
    import dask.dataframe as dd

    columns = None
    if isinstance(X, da.Array):
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D; got a Dask array of shape {X.shape}.")
        if any(np.isnan(c) for c in X.chunks[0]):
            raise ValueError(
                "X has unknown chunk sizes; call X.compute_chunk_sizes() (or pass "
                "lengths=True to to_dask_array) before fit."
            )
        if X.numblocks[1] > 1:
            X = X.rechunk({1: -1})
        x_parts = list(X.to_delayed().ravel())
        row_chunks = X.chunks[0]
    elif isinstance(X, dd.DataFrame):
        columns = list(X.columns)
        if isinstance(y, dd.Series) and (sample_weight is None or
                                         isinstance(sample_weight, dd.Series)):  # fmt: skip
            # one frame, so that y (and the weights) are partitioned as X is: a
            # query may partition the label column alone differently (read_parquet)
            extra = {_Y: y} if sample_weight is None else {_Y: y, _W: sample_weight}
            try:
                both = X.assign(**extra)
            except Exception as exc:
                raise ValueError(
                    "y (and sample_weight) must be Dask series aligned with X's rows; "
                    f"joining them to X failed: {exc}"
                ) from exc
            return [(p, None, None) for p in both.to_delayed()], columns, True
        x_parts = list(X.to_delayed())
        row_chunks = None
    else:
        raise TypeError(
            f"Dask input must be a dask.array.Array or dask.dataframe.DataFrame; got "
            f"{type(X).__name__}."
        )

    def parts_of(v, name):
        if v is None:
            return [None] * len(x_parts)
        if not is_dask_collection(v):
            if row_chunks is None:
                raise ValueError(f"with a Dask DataFrame X, {name} must be a Dask series.")
            v = da.from_array(np.asarray(v), chunks=(row_chunks,))
        if isinstance(v, da.Array):
            if v.ndim != 1:
                raise ValueError(f"{name} must be 1-D; got a Dask array of shape {v.shape}.")
            if any(np.isnan(c) for c in v.chunks[0]):
                raise ValueError(f"{name} has unknown chunk sizes; call compute_chunk_sizes().")
            if row_chunks is not None and tuple(v.chunks[0]) != tuple(row_chunks):
                raise ValueError(
                    f"{name} is chunked differently from X ({v.chunks[0]} rows per chunk "
                    f"against {row_chunks}); rechunk it like X: {name}.rechunk(X.chunks[0])."
                )
            parts = list(v.to_delayed().ravel())
        else:
            parts = list(v.to_delayed())
        if len(parts) != len(x_parts):
            raise ValueError(
                f"{name} has {len(parts)} chunks but X has {len(x_parts)}; they must be "
                "chunked alike."
            )
        return parts

    y_parts = parts_of(y, "y")
    w_parts = parts_of(sample_weight, "sample_weight")
    return list(zip(x_parts, y_parts, w_parts, strict=True)), columns, False


def fit(estimator: Any, X: Any, y: Any, sample_weight: Any) -> Any:
    """``estimator.fit`` on Dask input (see the module docstring)."""
    _require()
    if isinstance(getattr(estimator, "ccp_alpha", 0.0), str):
        raise ValueError("ccp_alpha='cv' refits on folds of the data; not with Dask input.")
    xval = getattr(estimator, "xval", 0)
    if getattr(estimator, "cp", None) is not None and not (isinstance(xval, int) and xval == 0):
        raise ValueError("rpart's cross-validated cptable (xval) is not available with Dask input.")
    if estimator.class_weight is not None:
        raise ValueError("class_weight is not available with Dask input; pass sample_weight.")
    if getattr(estimator, "max_competitors", 0):
        raise ValueError(
            "max_competitors needs the exact search's score tables; not with Dask input "
            "(use max_competitors=0)."
        )
    if not estimator._supports_hist:
        estimator._check_splitter()  # the family's own refusal
        raise ValueError(
            f"{type(estimator).__name__} cannot fit Dask input: Dask input is grown by "
            "splitter='hist', which its J48 fidelity (exact thresholds) rules out."
        )
    criterion = estimator._criterion()
    for name, v in (("X", X), ("y", y), ("sample_weight", sample_weight)):
        _check_futures(v, name)
    meta = getattr(X, "_meta", None)  # a Dask array's chunk type
    if meta is not None and (is_sparse(meta) or type(meta).__module__.startswith("sparse")):
        raise ValueError(
            "Dask input must have dense chunks (numpy or pandas); got sparse chunks "
            f"({type(meta).__name__}). Fit sparse X in memory as a scipy.sparse matrix "
            "(splitter='best' or 'hist'), or densify the chunks (X.map_blocks(lambda b: "
            "b.toarray()))."
        )
    import distributed

    with _client() as client:
        try:
            return _fit(estimator, client, criterion, X, y, sample_weight)
        except BaseException as exc:
            # the failed fit's futures live in its frames: release them, so that
            # nothing stays on the cluster while the caller holds the exception
            traceback.clear_frames(exc.__traceback__)
            err = exc
        try:
            raise err
        except Exception as exc:
            lost = "scheduler-connection-lost" in str(exc)
            if client.status != "running" or lost:
                raise RuntimeError(f"during the fit, {_unreachable(client, lost)}") from exc
            if isinstance(exc, distributed.client.FutureCancelledError):
                raise RuntimeError(
                    f"the Dask fit lost data it needed ({exc}); a worker died or the data "
                    "was held by a closed client. No tree was fitted."
                ) from exc
            raise


def _check_futures(v, name: str) -> None:
    """Refuse a collection persisted on a client that is no longer running."""
    if not is_dask_collection(v):
        return
    from distributed import Future

    for task in dict(v.__dask_graph__()).values():
        if isinstance(task, Future) and task.client.status != "running":
            raise RuntimeError(
                f"{name} holds data persisted on a Dask client that is {task.client.status}; "
                "persist it again on a running client (or pass the unpersisted collection)."
            )


def _fit(estimator, client, criterion, X, y, sample_weight):
    from dask import delayed
    from distributed import wait

    blocks, columns, joined = _blocks(X, y, sample_weight)

    def each(fn, *args, **per_chunk):
        """``fn`` over every chunk's blocks (read again: nothing of the input is kept),
        with ``per_chunk`` arguments taken chunk by chunk: futures, in chunk order."""
        return client.compute([
            delayed(fn, pure=False)(*b, columns, joined, *args,
                                    *(v[i] for v in per_chunk.values()))
            for i, b in enumerate(blocks)
        ])  # fmt: skip

    none = np.zeros(0, dtype=bool)  # no column categorical yet: the first chunk's head
    head = client.compute(delayed(_describe, pure=False)(*blocks[0], columns, joined, none))
    head = _data._as_2d(head.result()[0])
    n_features = head.shape[1]
    mask = _data._categorical_mask(head, estimator.categorical_features, n_features)
    described = client.gather(each(_describe, mask))
    reps = [d[0] for d in described]
    rep = pd.concat(reps) if isinstance(reps[0], pd.DataFrame) else np.concatenate(reps)
    validate_data(estimator, rep, reset=True, skip_check_array=True)
    _, encoding = _data.fit_encoding(rep, estimator.categorical_features)
    classes = np.unique(np.concatenate([d[1] for d in described]))
    estimator.n_classes_ = classes.shape[0]
    lengths = [d[2] for d in described]
    del described, reps, rep
    n = int(sum(lengths))
    if n == 0:
        raise ValueError("X has no rows.")
    rules0 = estimator._growth_rules(np.broadcast_to(np.empty((1, 1)), (n, n_features)),
                                     encoding, float(n))  # fmt: skip
    max_bins = int(estimator.max_bins)
    want = sample_size(max_bins)
    takes = [min(m, int(np.ceil(want * m / n))) for m in lengths]
    seed = 0  # the sample does not depend on random_state: refits bin alike
    sampled = client.gather(
        each(_sample_chunk, encoding, take=takes, seed=[seed + i for i in range(len(blocks))])
    )
    strategy = getattr(estimator, "missing_values", "fractional")
    check_missing_strategy(strategy)
    sample = np.concatenate(sampled)
    del sampled
    bins = fit_bins(sample, encoding.is_categorical, encoding.n_categories, max_bins,
                    rules0.numeric_gap, rules0.place_thresholds)  # fmt: skip
    ranges = sample.shape[0] < n  # edges from the sample, value ranges from every row
    made = each(_state_chunk, encoding, classes, bins, ranges)
    wait(made)
    infos = client.gather(client.map(_item, made, i=1, pure=False))
    if ranges:
        bins.lo, bins.hi = merge_ranges(client.gather(client.map(_item, made, i=2, pure=False)))
    n = int(sum(i[3] for i in infos))  # rows of positive weight
    states = client.map(_item, made, i=0, pure=False)
    del made
    total = float(sum(i[0] for i in infos))
    if not total > 0:
        raise ValueError("sample_weight sums to zero; at least one positive weight is needed.")
    unit = unit_entries(strategy, all(i[4] for i in infos), lambda: any(i[2] for i in infos))
    rules = estimator._growth_rules(np.broadcast_to(np.empty((1, 1)), (n, n_features)),
                                    encoding, total)  # fmt: skip
    unit_weight = float(min(i[1] for i in infos))
    tree = build_hist_tree(
        DaskBackend(client, states), bins, int(classes.shape[0]), encoding.n_categories,
        criterion, rules, total, unit_weight, unit, float(estimator.max_histogram_mb),
        not all(i[4] for i in infos),
    )  # fmt: skip
    del states
    tree, pruned_state = estimator._prune_grown(None, None, None, None, encoding, tree)
    state = {
        "classes_": classes,
        "n_features_in_": n_features,
        "categories_": list(encoding.categories),
        "criterion_": criterion,
        "max_features_": rules.max_features or n_features,
        "tree_": tree,
    }
    if hasattr(estimator, "feature_names_in_"):
        state["feature_names_in_"] = estimator.feature_names_in_
    state.update(pruned_state)
    state["ccp_alpha_"], state["tree_"] = estimator._prune_ccp(None, None, None, None, tree)
    estimator._set_fitted_state(state)
    return estimator


def _predict_block(block, estimator, method, columns):
    return getattr(estimator, method)(_frame(block, columns))


def predict(estimator: Any, X: Any, method: str) -> Any:
    """``predict``/``predict_proba``/... of a fitted estimator on Dask input: a Dask
    array, one block per row chunk of ``X``."""
    _require()
    import dask.array as da
    import dask.dataframe as dd
    from dask import delayed

    proba = method in {"predict_proba", "predict_log_proba"}
    K = int(estimator.n_classes_)
    if isinstance(X, da.Array):
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D; got a Dask array of shape {X.shape}.")
        if X.numblocks[1] > 1:
            X = X.rechunk({1: -1})
        if proba:
            return X.map_blocks(_predict_block, estimator, method, None, dtype=np.float64,
                                chunks=(X.chunks[0], (K,)))  # fmt: skip
        dtype = estimator.classes_.dtype if method == "predict" else np.intp
        return X.map_blocks(_predict_block, estimator, method, None, dtype=dtype, drop_axis=1)
    if isinstance(X, dd.DataFrame):
        dtype = np.float64 if proba else estimator.classes_.dtype
        shape = (np.nan, K) if proba else (np.nan,)
        parts = [
            da.from_delayed(delayed(_predict_block)(p, estimator, method, None), shape, dtype=dtype)
            for p in X.to_delayed()
        ]
        return da.concatenate(parts)
    raise TypeError(f"expected a Dask array or DataFrame, got {type(X).__name__}.")
