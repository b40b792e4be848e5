"""Rows in ascending order of one float column within every group, fast.

The Gini needs each group's rows sorted by welfare. Polars sorts a float column with a
comparator and several columns through row encoding, and an ``arg_sort`` (keys and
row numbers) costs several times a plain sort of one unsigned 64-bit column. So the
order comes from sorting *one* ``uint64`` per row that packs, from the high bits down:

* the compact group code (if any);
* the value's *order code*: the IEEE-754 bits of a float, with the sign bit set for
  non-negative values and all bits inverted for negative ones, are an unsigned integer
  in the order of the values (:math:`-0` and :math:`+0` get adjacent codes; they are
  equal, and every measure sorted here is invariant to the order of ties). The smallest
  code is subtracted, and only as many leading bits are kept as leave room for
* the row number, which the sorted keys hand back as the permutation.

Two rows whose kept leading bits agree but whose values differ (a few hundred of 10 M
lognormal values) end up in row-number order; such runs of equal prefixes are found
from the sorted keys and re-sorted by the full code, so the order is exact. Runs of
equal values, the usual case with rounded data, are already in order and left alone.

The group code column (``_mk_code``) of the result is flagged sorted, so a
``group_by`` on it works on contiguous slices (about 6x faster than hashing 10 M rows
for cumulative sums).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl

from mekong.measure._design import ALL, KEY, CompactKey, compact_key

__all__ = [
    "CODE",
    "apply_order",
    "collect_rows",
    "group_code",
    "grouped_agg",
    "order_within_groups",
    "row_order",
    "sort_within_groups",
    "with_keys",
]

CODE = "_mk_code"
# Compact group codes are stored as UInt16.
_MAX_GROUPS = 2**16
_SIGN = np.uint64(1 << 63)


def _order_code(values: np.ndarray) -> tuple[np.ndarray, np.uint64, np.uint64]:
    """Unsigned integers in the order of the float ``values`` (no NaN), with their
    smallest and largest value.

    Non-negative values (the usual case: welfare, gaps) are their own bits, a view with
    no copy."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    top = bits.max()
    if top < _SIGN:
        # No sign bit set (no negative value, no -0): the bits are already in order.
        return bits, bits.min(), top
    negative = (bits & _SIGN) != 0
    code: np.ndarray = np.where(negative, ~bits, bits | _SIGN)
    return code, code.min(), code.max()


def group_code(lf: pl.LazyFrame, keys: list[str]) -> CompactKey | None:
    """A compact integer code of at most 2**16 values for the group columns, or
    ``None`` (no groups, columns neither integer nor text, or too many combinations).

    Text columns are coded by their sorted distinct values: one hash of the column
    buys the sorted-slice paths, which on 10 M rows and 50 groups take about half the
    time of hashing the text in every aggregation."""
    if keys == [ALL]:
        return None
    key = compact_key(lf, keys, max_categories=_MAX_GROUPS)
    return key if key is not None and key.span <= _MAX_GROUPS else None


def _index_type(n: int) -> type[np.unsignedinteger]:
    """The row-number type Polars gathers by (32 bits unless built for more rows)."""
    return np.uint32 if n <= 2**32 else np.uint64


def order_within_groups(values: np.ndarray, groups: np.ndarray | None, span: int = 1) -> np.ndarray:
    """Row numbers putting ``values`` in ascending order within ascending ``groups``
    (codes in ``[0, span)``; ``None``: one group), as the index type Polars gathers by."""
    n = values.size
    index_type = _index_type(n)
    if not n:
        return np.empty(0, dtype=index_type)
    code, low, top = _order_code(values)
    group_bits = (span - 1).bit_length() if groups is not None else 0
    index_bits = max(1, (n - 1).bit_length())
    # At least 16 value bits stay (Polars frames hold at most 2**32 rows, group codes
    # take at most 16 bits); fewer would only leave longer tied runs to re-sort.
    keep = 64 - group_bits - index_bits
    shift = max(0, int(top - low).bit_length() - keep)
    parts = _sorted(_packed(code, low, shift, index_bits, groups, group_bits))
    perm, ties = _unpacked(parts, index_bits, index_type, find_ties=shift > 0)
    if ties.size:
        _resort_runs(perm, code, ties)
    return perm


# Rows per step of the loops below: their temporary arrays stay in the CPU cache. Fresh
# arrays of 10 M rows cost page faults and memory traffic; the steps took half the time.
_CHUNK = 1 << 16


def _packed(
    code: np.ndarray,
    low: np.uint64,
    shift: int,
    index_bits: int,
    groups: np.ndarray | None,
    group_bits: int,
) -> np.ndarray:
    """The sort keys: group code, the leading bits of ``code - low``, row number."""
    n = code.size
    key = np.empty(n, dtype=np.uint64)
    tmp = np.empty(min(n, _CHUNK), dtype=np.uint64)
    rows = np.arange(tmp.size, dtype=np.uint64)
    value_shift, row_shift = np.uint64(shift), np.uint64(index_bits)
    group_shift = np.uint64(64 - group_bits)
    for start in range(0, n, _CHUNK):
        end = min(n, start + _CHUNK)
        out, part = key[start:end], tmp[: end - start]
        np.subtract(code[start:end], low, out=out)
        out >>= value_shift
        out <<= row_shift
        np.add(rows[: end - start], np.uint64(start), out=part)
        out |= part
        if groups is not None:
            np.left_shift(groups[start:end], group_shift, out=part, dtype=np.uint64)
            out |= part
    return key


def _unpacked(
    parts: list[np.ndarray],
    index_bits: int,
    index_type: type[np.unsignedinteger],
    *,
    find_ties: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The row numbers of the sorted keys (``parts`` one after the other) and, with
    ``find_ties``, the positions ``i`` whose key shares group and kept value bits with
    the next one."""
    n = sum(part.size for part in parts)
    perm = np.empty(n, dtype=index_type)
    mask, row_shift = np.uint64((1 << index_bits) - 1), np.uint64(index_bits)
    prefix = np.empty(min(n, _CHUNK) + 1, dtype=np.uint64)
    same = np.empty(prefix.size - 1, dtype=bool)
    ties: list[np.ndarray] = []
    offset = 0
    for i, key in enumerate(parts):
        size = key.size
        for start in range(0, size, _CHUNK):
            end = min(size, start + _CHUNK)
            out = perm[offset + start : offset + end]
            np.bitwise_and(key[start:end], mask, out=out, casting="unsafe")
            if find_ties:
                # One key past the chunk, so that a tie across its end is found too.
                stop = min(size, end + 1)
                head = prefix[: stop - start]
                np.right_shift(key[start:stop], row_shift, out=head)
                tied = np.equal(head[1:], head[:-1], out=same[: stop - start - 1])
                if tied.any():
                    ties.append(np.flatnonzero(tied) + offset + start)
        offset += size
        later = next((p for p in parts[i + 1 :] if p.size), None)
        if find_ties and size and later is not None and (key[-1] ^ later[0]) >> row_shift == 0:
            ties.append(np.array([offset - 1]))
    found = np.concatenate(ties) if ties else np.empty(0, dtype=np.intp)
    return perm, found


# Below this many keys one thread sorts them; above, two halves are sorted at once.
_PARALLEL = 1 << 18


def _sorted(key: np.ndarray) -> list[np.ndarray]:
    """``key`` (uint64) in ascending order, read-only, as consecutive parts.

    Polars' sort of one unsigned column, not numpy's: on 10 M keys numpy took 0.12-0.16 s
    on the Intel machines of earlier benchmarks but 0.64-0.79 s on an AMD EPYC with AVX-512,
    where Polars took 0.15-0.21 s (benchmarks/README.md, session 6). Polars' sort makes
    little use of a second thread (0.149 s against 0.165 s on one), so large keys are
    split at their sampled median and the two halves sorted in two threads at once
    (0.098 s with the split, session 7)."""
    column = pl.Series(values=key, dtype=pl.UInt64)
    if key.size < _PARALLEL or pl.thread_pool_size() < 2:
        return [column.sort().to_numpy()]
    sample = key[:: max(1, key.size // 4096)]
    pivot = np.partition(sample, sample.size // 2)[sample.size // 2]
    below = pl.Series(values=key < pivot)
    halves = [column.filter(below), column.filter(~below)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lambda half: half.sort(multithreaded=False), halves))
    return [half.to_numpy() for half in done]


def _resort_runs(perm: np.ndarray, code: np.ndarray, ties: np.ndarray) -> None:
    """Sort, in place, each run of ``perm`` whose neighbours tie on the packed prefix
    (positions ``i`` with ``i, i + 1`` tied), by the full value ``code``."""
    # Consecutive tie positions p, p+1, ..., p+k-1 make one run of rows p .. p+k.
    breaks = np.flatnonzero(np.diff(ties) != 1) + 1
    starts = ties[np.concatenate([[0], breaks])]
    ends = ties[np.concatenate([breaks - 1, [ties.size - 1]])] + 2
    lengths = ends - starts
    run = np.repeat(np.arange(starts.size), lengths)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    members = np.arange(run.size) + offsets
    rows = perm[members]
    values = code[rows]
    descending = np.flatnonzero((values[1:] < values[:-1]) & (run[1:] == run[:-1]))
    if not descending.size:
        return  # every run holds equal values (or is already in order)
    bad = np.zeros(starts.size, dtype=bool)
    bad[run[descending]] = True
    pick = bad[run]
    rows, values, run = rows[pick], values[pick], run[pick]
    order = np.lexsort((values, run))
    perm[members[pick]] = rows[order]


def sort_within_groups(
    lf: pl.LazyFrame, order: str | None, code: CompactKey | None
) -> pl.LazyFrame:
    """``lf`` with its rows in ascending ``order`` within every group, materialised.

    With ``code`` (from :func:`group_code`) the rows are sorted by (group, ``order``),
    or by group alone when ``order`` is ``None``; the group columns are replaced by the
    group code ``_mk_code``, flagged sorted: aggregate them with :func:`grouped_agg`.
    Without a code, the rows are sorted by ``order`` alone, which ``group_by`` and
    ``over`` keep within groups.
    """
    rows = collect_rows(lf, code)
    return apply_order(rows, row_order(rows, order, code), code).lazy()


def collect_rows(lf: pl.LazyFrame, code: CompactKey | None) -> pl.DataFrame:
    """The rows of ``lf``, with the group code ``_mk_code`` when ``code`` is given, one
    chunk per column (the in-memory engine; the streaming one leaves 100 chunks on
    10 M rows, from which gathering takes over twice as long)."""
    if code is not None:
        lf = lf.with_columns(code.expr().cast(pl.UInt16).alias(CODE))
    return lf.collect(engine="in-memory")


def row_order(rows: pl.DataFrame, order: str | None, code: CompactKey | None) -> np.ndarray | None:
    """The permutation :func:`sort_within_groups` applies (``None``: keep the rows)."""
    if code is None:
        return None if order is None else order_within_groups(rows[order].to_numpy(), None)
    groups = rows[CODE].to_numpy()
    if order is None:
        # numpy's stable sort of 16-bit codes is a radix sort.
        return np.argsort(groups, kind="stable").astype(_index_type(groups.size))
    return order_within_groups(rows[order].to_numpy(), groups, code.span)


def apply_order(
    rows: pl.DataFrame, perm: np.ndarray | None, code: CompactKey | None
) -> pl.DataFrame:
    """``rows`` (from :func:`collect_rows`) gathered by ``perm`` (from :func:`row_order`)."""
    if perm is None:
        return rows
    if code is None:
        return rows.select(pl.all().gather(pl.Series(perm)))
    # The sorted codes are the codes repeated by their counts: no need to gather them
    # (nor the group columns, which grouped_agg decodes from the code).
    counts = np.bincount(rows[CODE].to_numpy(), minlength=code.span)
    sorted_codes = np.repeat(np.arange(code.span, dtype=np.uint16), counts)
    values = [c for c in rows.columns if c not in (CODE, *code.columns)]
    out = rows.select(pl.col(values).gather(pl.Series(perm)))
    return out.with_columns(pl.Series(CODE, sorted_codes).set_sorted())


def grouped_agg(lf: pl.LazyFrame, code: CompactKey, aggs: list[pl.Expr]) -> pl.LazyFrame:
    """``group_by(keys).agg(aggs)`` on rows from :func:`sort_within_groups`: grouped by
    the sorted code (contiguous slices), the group columns decoded from it."""
    return lf.group_by(CODE).agg(aggs).rename({CODE: KEY}).with_columns(code.decode()).drop(KEY)


def with_keys(lf: pl.LazyFrame, code: CompactKey) -> pl.LazyFrame:
    """Rows from :func:`sort_within_groups` with their group columns decoded again."""
    return lf.with_columns(pl.col(CODE).alias(KEY)).with_columns(code.decode()).drop(KEY)
