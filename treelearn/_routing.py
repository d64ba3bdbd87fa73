"""How cases move down tree arrays: the one missing-value fan-out.

A case whose split value is missing (or whose category has no branch) goes down
every branch of the node, its weight multiplied by the branch's share (C4.5). The
builder, both C4.5 pruners and prediction all send cases down this way, each with
its own shares (the builder's and the pruners' from the known weight that arrives,
prediction's from training); :func:`fan_out` is the one place that repeats cases
over children.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fan_out"]


def fan_out(
    nodes: np.ndarray,
    start: np.ndarray,
    count: np.ndarray,
    share: np.ndarray,
    min_share: float | None,
    children: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Repeat cases over the children of their nodes, with each child's share.

    The children of node ``v`` are ``children[start[v] : start[v] + count[v]]`` (or the
    ids ``start[v] .. start[v] + count[v] - 1`` when ``children`` is ``None``), in slot
    order; ``share[c]`` is child ``c``'s share of a case.

    Parameters
    ----------
    nodes : ndarray of int, shape (m,)
        The node of each case to spread.
    start, count : ndarray of int
        Per node: where its children start, how many it has.
    share : ndarray of float
        Per child id: the fraction of a case's weight it receives.
    min_share : float or None
        Only children whose share is above this receive a copy (``None``: all).
    children : ndarray of int, optional
        Child ids in CSR layout (see above).

    Returns
    -------
    case, child, child_share : ndarray
        One row per copy, ordered by case and then slot: the index of the case in
        ``nodes``, the child it goes to and that child's share.

    Examples
    --------
    >>> fan_out(np.array([0, 0]), np.array([1]), np.array([2]), np.array([1.0, 0.75, 0.25]),
    ...         min_share=0.3)
    (array([0, 1]), array([1, 1]), array([0.75, 0.75]))
    """
    counts = count[nodes]
    ends = np.cumsum(counts)
    idx = np.repeat(start[nodes] - (ends - counts), counts)
    idx += np.arange(idx.size)
    child = idx if children is None else children[idx]
    case = np.repeat(np.arange(nodes.size), counts)
    child_share = share[child]
    if min_share is not None:
        keep = child_share > min_share
        if not keep.all():
            case, child, child_share = case[keep], child[keep], child_share[keep]
    return case, child, child_share
