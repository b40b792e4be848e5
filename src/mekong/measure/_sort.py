"""Rows in ascending order of one float column within every group, fast.

The Gini needs each group's rows sorted by welfare. Polars sorts a float column with a
comparator (NaN-aware) and sorts several columns through row encoding; on 10 M rows an
``arg_sort`` of an unsigned 64-bit integer takes about half the time of the float one
and a sort by (group, welfare) about a tenth. So the order is computed on an integer
*sort key* that ranks rows exactly as (group, value) does:

* The IEEE-754 bits of a float, with the sign bit set for non-negative values and all
  bits inverted for negative ones, are an unsigned integer in the order of the values
  (:math:`-0` and :math:`+0` get adjacent codes; they are equal, and every measure
  sorted here is invariant to the order of ties).
* Subtracting the smallest code keeps that order and leaves the high bits free when
  the values span a limited range (lognormal welfare spans about :math:`2^{56}` codes);
  a compact group code then goes into those bits, and one ``arg_sort`` orders by
  (group, value).
* Otherwise the rows are sorted by the value and then partitioned by group with a
  stable counting sort (numpy's radix sort for 16-bit codes), which keeps each group
  in ascending order.

The group code column (``_mk_code``) of the result is flagged sorted, so a
``group_by`` on it works on contiguous slices (about 6x faster than hashing 10 M rows
for cumulative sums).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from mekong.measure._design import ALL, KEY, CompactKey, compact_key

__all__ = ["CODE", "group_code", "grouped_agg", "sort_within_groups", "with_keys"]

CODE = "_mk_code"
# Group codes beyond 16 bits would leave numpy's stable sort without its radix path.
_MAX_GROUPS = 2**16
_SIGN = np.uint64(1 << 63)


def _value_code(values: np.ndarray) -> np.ndarray:
    """Unsigned integers in the order of the float ``values`` (no NaN)."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    negative = (bits & _SIGN) != 0
    return np.where(negative, ~bits, bits | _SIGN)


def group_code(lf: pl.LazyFrame, keys: list[str]) -> CompactKey | None:
    """A compact integer code of at most 2**16 values for the group columns, or
    ``None`` (no groups, non-integer columns or too many combinations)."""
    if keys == [ALL]:
        return None
    key = compact_key(lf, keys)
    return key if key is not None and key.span <= _MAX_GROUPS else None


def sort_within_groups(lf: pl.LazyFrame, order: str, code: CompactKey | None) -> pl.LazyFrame:
    """``lf`` with its rows in ascending ``order`` within every group.

    With ``code`` (from :func:`group_code`) the rows are materialised sorted by
    (group, ``order``); the group columns are replaced by the group code ``_mk_code``,
    flagged sorted: aggregate them with :func:`grouped_agg`. Without a code, a plain
    sort by ``order`` (left to Polars, which fuses it with the aggregation that
    follows), which ``group_by`` and ``over`` also keep within groups.
    """
    if code is None:
        return lf.sort(order)
    rows = lf.with_columns(code.expr().cast(pl.UInt16).alias(CODE)).collect()
    value = _value_code(rows[order].to_numpy())
    value -= value.min()
    value_bits = int(value.max()).bit_length()
    group_bits = max(1, (code.span - 1).bit_length())
    groups = rows[CODE].to_numpy()
    if value_bits + group_bits <= 64:
        packed = (groups.astype(np.uint64) << np.uint64(64 - group_bits)) | value
        perm = pl.Series(packed).arg_sort()
    else:
        by_value = pl.Series(value).arg_sort().to_numpy()
        stable = np.argsort(groups[by_value], kind="stable")
        perm = pl.Series(by_value[stable])
    # The sorted codes are the codes repeated by their counts: no need to gather them
    # (nor the group columns, which grouped_agg decodes from the code).
    counts = np.bincount(groups, minlength=code.span)
    sorted_codes = np.repeat(np.arange(code.span, dtype=np.uint16), counts)
    values = [c for c in rows.columns if c not in (CODE, *code.columns)]
    out = rows.lazy().select(pl.col(values).gather(perm)).collect()
    return out.with_columns(pl.Series(CODE, sorted_codes).set_sorted()).lazy()


def grouped_agg(lf: pl.LazyFrame, code: CompactKey, aggs: list[pl.Expr]) -> pl.LazyFrame:
    """``group_by(keys).agg(aggs)`` on rows from :func:`sort_within_groups`: grouped by
    the sorted code (contiguous slices), the group columns decoded from it."""
    return lf.group_by(CODE).agg(aggs).rename({CODE: KEY}).with_columns(code.decode()).drop(KEY)


def with_keys(lf: pl.LazyFrame, code: CompactKey) -> pl.LazyFrame:
    """Rows from :func:`sort_within_groups` with their group columns decoded again."""
    return lf.with_columns(pl.col(CODE).alias(KEY)).with_columns(code.decode()).drop(KEY)
