"""Shared machinery: input validation, running estimators, variance and tidy output.

An *estimator* knows how to compute a few named measures per group (``estimate``) and
their linearised variables per row (``influence``). This module turns one or more of them
into the tidy frame every public function returns::

    <group columns> | measure | estimate | se | ci_low | ci_high | n | population
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

import numpy as np
import polars as pl
from scipy import stats

from mekong.measure._design import (
    ALL,
    FPC,
    KEY,
    PSU,
    CompactKey,
    Design,
    W,
    attach,
    compact_key,
    design_table,
    design_table_from_counts,
    design_table_from_psus,
    group_agg,
    group_sum_by,
    linearised_variance,
    over,
    variance_from_psu_totals,
    variance_from_stratum_sums,
)
from mekong.measure._kernel import PsuIndex, fits, psu_index, stratum_sums
from mekong.measure._kernel import domain_totals as kernel_domain_totals
from mekong.measure._sort import (
    CODE,
    apply_order,
    collect_rows,
    group_code,
    grouped_agg,
    row_order,
    sort_within_groups,
    with_keys,
)
from mekong.measure.errors import (
    EmptyGroupError,
    InvalidWeightError,
    MeasureError,
    MissingValueError,
    NegativeWelfareError,
    UndefinedMeasureError,
    UnknownColumnError,
)

__all__ = [
    "OUTPUT_COLUMNS",
    "POP",
    "Aggregation",
    "Check",
    "CiDistribution",
    "Estimator",
    "LinearForm",
    "Prepared",
    "Variance",
    "prepare",
    "psu_influence_totals",
    "run",
]

Variance = Literal["linearisation", "bootstrap"]
CiDistribution = Literal["t", "normal"]
FrameLike = pl.DataFrame | pl.LazyFrame

OUTPUT_COLUMNS = ("measure", "estimate", "se", "ci_low", "ci_high", "n", "population")
N = "_mk_n"
POP = "_mk_pop"
BY_PREFIX = "_mk_by"


@dataclass(frozen=True)
class Check:
    """A row-level validity rule: ``bad`` is true on offending rows."""

    column: str
    bad: pl.Expr
    reason: str
    kind: Literal["welfare", "weight", "other"] = "welfare"


@dataclass(frozen=True)
class Aggregation:
    """An estimate written as plain aggregations, for the one-select whole-sample path.

    ``aggs`` run over the rows (in ascending ``order`` if given: every group's rows must
    then be sorted by that column) and give one row; ``finish`` turns that row into the
    output columns of :meth:`Estimator.estimate`. An estimator offering
    ``aggregation() -> Aggregation`` lets :func:`run` fold it with others into one scan.
    """

    aggs: list[pl.Expr]
    finish: list[pl.Expr]
    order: str | None = None


@dataclass(frozen=True)
class LinearForm:
    """An estimate and linearised variable built from weighted totals, for the fast
    variance path.

    The engine sums :math:`T_k = \\sum_i w_i b_k(i)` for every row value :math:`b_k`
    in ``totals`` per domain and evaluates ``finish`` on those totals (plus ``_mk_n``
    and ``_mk_pop``). The linearised variable of measure :math:`m` must be
    :math:`u_i = \\sum_k c_{mk} b_k(i)` with domain-level coefficients
    :math:`c_{mk}` = ``influence[m][k]`` (expressions on the ``finish`` output); the
    engine then sums :math:`w_i u_i` per (domain, stratum, PSU) straight from the row
    values, without joining estimates or influence columns to the rows.
    ``cumulative`` names row values whose running sums (rows in ascending ``order``
    within every domain) the engine adds as row columns of those names first.
    """

    totals: dict[str, pl.Expr]
    finish: list[pl.Expr]
    influence: dict[str, dict[str, pl.Expr]]
    cumulative: dict[str, pl.Expr] = field(default_factory=dict)
    order: str | None = None


class Estimator(Protocol):
    """What an estimator provides to :func:`run`."""

    @property
    def names(self) -> tuple[str, ...]:
        """Measure names, in output order."""
        ...

    def estimate(self, lf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
        """One row per group: ``keys``, one column per name and, optionally, private
        columns (prefixed ``_mk_`` and unique to the estimator) for ``influence``."""
        ...

    def influence(self, lf: pl.LazyFrame, keys: list[str], est: pl.LazyFrame) -> pl.LazyFrame:
        """One row per sample row: ``keys``, design columns, ``_mk_w`` and one influence
        column per name (:math:`u_i = \\partial\\hat\\theta / \\partial w_i`). ``est``
        holds the output of ``estimate`` (with its private columns) for every group."""
        ...


@dataclass
class Prepared:
    """A validated frame with internal column names, ready for estimators.

    ``by`` are the caller's group columns; in ``lf`` they are ``keys`` (``_mk_by0``, ...,
    or the constant ``_mk_all`` without groups), and :func:`run` names them back.
    """

    lf: pl.LazyFrame
    by: list[str]
    design: Design | None
    keys: list[str] = field(default_factory=list)
    rows: int = 0
    #: After :func:`collapse`: the column holding how many input rows each row stands
    #: for (``None``: one each).
    count: str | None = None

    def row_count(self) -> pl.Expr:
        """The aggregation counting the input rows of a group."""
        return pl.len() if self.count is None else pl.col(self.count).sum()


COUNT = "_mk_count"


def collapse(prep: Prepared, values: dict[str, pl.Expr]) -> Prepared:
    """``prep`` with one row per distinct (group, ``values``): the weights summed, the
    number of input rows in ``COUNT``, the ``values`` as columns of those names.

    For point estimates whose row values depend on the rows only through ``values``
    (the MPI's deprivations): every weighted total is the same sum over fewer rows. Ten
    binary indicators by 50 groups leave at most 51,200 rows of 10 M. Not for standard
    errors, which need each row's stratum and PSU.
    """
    if prep.design is not None:
        raise ValueError("collapse() is for point estimates; the rows carry the design")
    lf = prep.lf.group_by([*prep.keys, *(e.alias(n) for n, e in values.items())]).agg(
        pl.col(W).sum(), pl.len().cast(pl.Int64).alias(COUNT)
    )
    return replace(prep, lf=lf, count=COUNT)


def _as_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def prepare(
    frame: FrameLike,
    *,
    inputs: dict[str, str],
    by: str | Sequence[str] | None,
    weight: str | None,
    size: str | None,
    design: Design | None,
    checks: Sequence[Check] = (),
    float_inputs: bool = True,
) -> Prepared:
    """Select, rename and validate the columns a measure needs.

    Parameters
    ----------
    frame
        The caller's data.
    inputs
        Internal name -> caller's column for every analysis variable.
    by
        Group columns (kept under their own names).
    weight, size
        Weight column and optional household-size multiplier (person-level measures use
        household weight x size). ``design.weight`` is used when ``design`` is given.
    design
        Survey design or ``None`` for point estimates only.
    checks
        Extra row-level rules (on internal names), evaluated in the same pass.
    float_inputs
        Cast inputs to Float64.
    """
    lf = frame.lazy()
    schema = lf.collect_schema()
    available = list(schema.names())
    by_cols = _as_list(by)
    if design is not None:
        if weight is not None and design.weight is not None and weight != design.weight:
            raise MeasureError(
                f"weight={weight!r} conflicts with design.weight={design.weight!r}; "
                "give the weight in one place"
            )
        weight = design.weight or weight
    named: list[str] = [*inputs.values(), *by_cols]
    if weight is not None:
        named.append(weight)
    if size is not None:
        named.append(size)
    if design is not None:
        named.extend(design.strata_columns)
        if design.psu is not None:
            named.append(design.psu)
        if design.fpc is not None:
            named.append(design.fpc)
    for col in named:
        if col not in available:
            raise UnknownColumnError(col, available)
        if col.startswith("_mk_"):
            raise MeasureError(f"column {col!r} uses the reserved prefix '_mk_'; rename it")

    clash = [c for c in by_cols if c in OUTPUT_COLUMNS]
    if clash:
        raise MeasureError(
            f"by column(s) {clash} have the name of an output column "
            f"({', '.join(OUTPUT_COLUMNS)}); rename them before measuring"
        )
    if len(set(by_cols)) != len(by_cols):
        raise MeasureError(f"by lists a column twice: {by_cols}")
    # Group columns travel under internal names, so that a group column called like a
    # measure ("gini", "H", "fgt0") never meets the estimate of that name.
    by_keys = [f"{BY_PREFIX}{i}" for i in range(len(by_cols))]
    exprs: list[pl.Expr] = [pl.col(c).alias(k) for c, k in zip(by_cols, by_keys, strict=True)]
    for internal, col in inputs.items():
        e = pl.col(col)
        exprs.append((e.cast(pl.Float64) if float_inputs else e).alias(internal))
    w = pl.col(weight).cast(pl.Float64) if weight is not None else pl.lit(1.0)
    if size is not None:
        w = w * pl.col(size).cast(pl.Float64)
    exprs.append(w.alias(W))
    if design is not None:
        strata = design.internal_strata()
        if design.strata_columns:
            exprs.extend(
                pl.col(c).alias(s) for c, s in zip(design.strata_columns, strata, strict=True)
            )
        else:
            exprs.append(pl.lit(0, dtype=pl.Int8).alias(strata[0]))
        if design.psu is not None:
            exprs.append(pl.col(design.psu).alias(PSU))
        if design.fpc is not None:
            exprs.append(pl.col(design.fpc).cast(pl.Float64).alias(FPC))
    keys = by_keys or [ALL]
    if not by_cols:
        exprs.append(pl.lit(0, dtype=pl.Int8).alias(ALL))
    out = lf.select(exprs)

    rules: list[tuple[str, pl.Expr, str, str]] = []
    missing_cols = list(dict.fromkeys(named))
    for col in missing_cols:
        e = pl.col(col)
        e_bad = e.is_null() | e.is_nan() if schema[col].is_float() else e.is_null()
        rules.append((col, e_bad, "missing", "missing"))
    for wcol in (weight, size):
        if wcol is not None:
            e = pl.col(wcol).cast(pl.Float64)
            rules.append((wcol, ~(e > 0) | ~e.is_finite(), "weight", "weight"))
    # Extra checks are written on internal names: evaluate them on the renamed frame.
    n_rows_expr = pl.len().alias("_mk_rows")
    raw_counts = lf.select(
        n_rows_expr, *[bad.sum().alias(f"_mk_r{i}") for i, (_, bad, _, _) in enumerate(rules)]
    )
    extra_counts = out.select(
        [c.bad.fill_null(False).sum().alias(f"_mk_c{i}") for i, c in enumerate(checks)]
    )
    counts = pl.concat([raw_counts, extra_counts], how="horizontal").collect()
    if counts["_mk_rows"][0] == 0:
        raise EmptyGroupError("the frame has no rows to measure")
    for i, (col, bad, _, kind) in enumerate(rules):
        cnt = int(counts[f"_mk_r{i}"][0])
        if cnt:
            first = _first_row(lf, bad)
            if kind == "missing":
                raise MissingValueError(col, cnt, first)
            raise InvalidWeightError(col, cnt, first)
    for i, c in enumerate(checks):
        cnt = int(counts[f"_mk_c{i}"][0])
        if cnt:
            first = _first_row(out, c.bad.fill_null(False))
            if c.kind == "weight":
                raise InvalidWeightError(c.column, cnt, first)
            raise NegativeWelfareError(c.column, cnt, first, c.reason)
    return Prepared(lf=out, by=by_cols, design=design, keys=keys, rows=int(counts["_mk_rows"][0]))


def _first_row(lf: pl.LazyFrame, bad: pl.Expr) -> int:
    idx = lf.with_row_index("_mk_idx").filter(bad).select("_mk_idx").head(1).collect()
    return int(idx["_mk_idx"][0]) if idx.height else -1


def _counts(prep: Prepared) -> pl.LazyFrame:
    return group_agg(prep.lf, prep.keys, [prep.row_count().alias(N), pl.col(W).sum().alias(POP)])


def rows_for(est: Estimator, lf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """The rows an estimator works on: its ``prepare_rows`` (e.g. sorted and
    materialised once, shared by estimate and influence) or ``lf`` itself."""
    prep_rows = getattr(est, "prepare_rows", None)
    return lf if prep_rows is None else prep_rows(lf, keys)


def _one_select(prep: Prepared, estimators: Sequence[Estimator]) -> pl.LazyFrame | None:
    """Estimates of every estimator in one aggregation over one (sorted) scan, or
    ``None`` when some estimator cannot be written as an :class:`Aggregation`.

    Separate estimates each read the rows and are joined on the group keys; one scan
    saves the counts' and every estimator's own pass. When an estimator needs an order
    (the Gini), the rows are sorted once by (group, value) with
    :func:`~mekong.measure._sort.sort_within_groups` and every aggregation, plain sums
    included, runs on contiguous group slices. Group columns without a compact integer
    code keep separate branches: hashing 10 M rows with cumulative sums inside the
    groups is 6x slower than on slices and would drag the plain sums with it.
    """
    parts: list[Aggregation] = []
    for est in estimators:
        make = getattr(est, "aggregation", None)
        if make is None:
            return None
        parts.append(make())
    orders = {p.order for p in parts if p.order is not None}
    if len(orders) > 1:
        return None
    aggs = [prep.row_count().alias(N), pl.col(W).sum().alias(POP)]
    aggs += [a for p in parts for a in p.aggs]
    names = [a.meta.output_name() for a in aggs]
    if len(set(names)) != len(names):
        return None
    if not orders:
        out = group_agg(prep.lf, prep.keys, aggs)
    else:
        code = group_code(prep.lf, prep.keys)
        if code is None and prep.keys != [ALL]:
            # Group columns without a compact code: hashing with cumulative sums is
            # slow, separate branches keep the plain sums on the fast path.
            return None
        lf = sort_within_groups(prep.lf, orders.pop(), code)
        out = group_agg(lf, prep.keys, aggs) if code is None else grouped_agg(lf, code, aggs)
    for p in parts:
        out = out.with_columns(p.finish)
    return out


def _wide_estimates(
    prep: Prepared, estimators: Sequence[Estimator], rows: Sequence[pl.LazyFrame] | None = None
) -> pl.LazyFrame:
    keys = prep.keys
    if rows is None:
        one = _one_select(prep, estimators)
        if one is not None:
            return one
    wide = _counts(prep)
    for i, est in enumerate(estimators):
        lf = rows[i] if rows is not None else prep.lf
        wide = wide.join(est.estimate(lf, keys), on=keys, how="left", nulls_equal=True)
    return wide


def run(
    prep: Prepared,
    estimators: Sequence[Estimator],
    *,
    conf_level: float = 0.95,
    variance: Variance = "linearisation",
    ci: CiDistribution = "t",
    reps: int = 200,
    seed: int | None = None,
) -> pl.DataFrame:
    """Compute estimates (and, with a design, standard errors) in tidy form."""
    if not 0 < conf_level < 1:
        raise UndefinedMeasureError(f"conf_level must be in (0, 1), got {conf_level}")
    keys = prep.keys
    names = [n for e in estimators for n in e.names]
    linearise = prep.design is not None and variance == "linearisation"
    if linearise:
        forms = _linear_forms(prep, estimators)
        if forms is not None:
            wide_t, var_t = _totals_path(prep, forms, names)
            return _tidy(wide_t, var_t, keys, prep.by, names, conf_level, ci)
    rows: list[pl.LazyFrame] | None = None
    if linearise:
        # Materialise the rows once (sorted, with cumulative sums, if an estimator needs
        # an order) so that estimates and linearised variables do not redo that work.
        sorter = next((e for e in estimators if hasattr(e, "prepare_rows")), None)
        shared = rows_for(sorter, prep.lf, keys) if sorter else prep.lf.collect().lazy()
        rows = [shared] * len(estimators)
    wide = _wide_estimates(prep, estimators, rows).collect()
    _check_finite(wide, names, prep)

    var: pl.DataFrame | None = None
    if prep.design is not None:
        table = design_table(prep.lf, prep.design)
        if rows is not None:
            var = _linearised(prep, estimators, rows[0], wide, table)
        else:
            var = _bootstrap_variance(prep, estimators, names, table, reps=reps, seed=seed)
    return _tidy(wide, var, keys, prep.by, names, conf_level, ci)


def psu_influence_totals(
    prep: Prepared, estimators: Sequence[Estimator]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Estimates per group and, per (group, stratum, PSU), the totals
    :math:`\\sum_i w_i u_i` of every measure's linearised variable.

    For functions of several samples (e.g. two panel rounds), whose variance needs the
    PSU totals themselves rather than one sample's variance. ``prep`` must have a
    design with PSUs.
    """
    design, keys = prep.design, prep.keys
    assert design is not None
    assert design.psu is not None
    names = [n for e in estimators for n in e.names]
    sorter = next((e for e in estimators if hasattr(e, "prepare_rows")), None)
    shared = rows_for(sorter, prep.lf, keys) if sorter else prep.lf.collect().lazy()
    wide = _wide_estimates(prep, estimators, [shared] * len(estimators)).collect()
    _check_finite(wide, names, prep)
    private = [c for c in wide.columns if c.startswith("_mk_") and c not in keys]
    lf = attach(shared, wide.lazy(), keys, private)
    for e in estimators:
        lf = e.influence(lf, keys, wide.lazy())
    cols = [*keys, *design.internal_strata(), PSU]
    psu = group_sum_by(lf, cols, [(pl.col(W) * pl.col(n)).alias(n) for n in names], None)
    return wide, psu.collect()


def _linear_forms(prep: Prepared, estimators: Sequence[Estimator]) -> list[LinearForm] | None:
    """Every estimator's :class:`LinearForm`, or ``None`` if one has none (or they need
    different row orders)."""
    forms: list[LinearForm] = []
    for est in estimators:
        make = getattr(est, "linear_form", None)
        form = None if make is None else make(prep.keys)
        if form is None:
            return None
        forms.append(form)
    if len({f.order for f in forms if f.order is not None}) > 1:
        return None
    names = [k for f in forms for k in f.totals]
    if len(set(names)) != len(names):
        return None
    return forms


def _psu_key(prep: Prepared) -> CompactKey | None:
    assert prep.design is not None
    if prep.design.psu is None:
        return None
    return compact_key(prep.lf, [*prep.keys, *prep.design.internal_strata(), PSU])


def _totals_path(
    prep: Prepared, forms: list[LinearForm], names: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Estimates from weighted totals and variances from one per-PSU sum.

    The domain totals of every :class:`LinearForm` give the estimates and the
    coefficients of each measure's linearised variable; :math:`w_i u_i` is then a
    combination of the same row values, summed per (domain, stratum, PSU) for every
    measure. No influence column is materialised. With integer design columns and
    domains (or none) the sums run in numpy on contiguous domain slices
    (:mod:`mekong.measure._kernel`); otherwise in one Polars group_by.
    """
    design = prep.design
    assert design is not None
    order = next((f.order for f in forms if f.order is not None), None)
    code = group_code(prep.lf, prep.keys)
    plan = _kernel_key(prep, code, order)
    if plan is not None:
        return _kernel_totals(prep, forms, names, order, code, plan)
    return _polars_totals(prep, forms, names, order, code)


@dataclass
class _Totals:
    """Domain totals of the forms' row values and what turns them into influence."""

    wide: pl.DataFrame
    # Row value of each total, with identical ones (every constant 1) named once.
    basis: dict[str, pl.Expr]
    same_as: dict[str, str]
    # Per measure: (coefficient column, total) pairs; coefficients per domain in coefs.
    terms: dict[str, list[tuple[str, str]]]
    coefs: pl.DataFrame

    def row_name(self, total: str) -> str:
        return self.same_as.get(total, total)


def _distinct_row_values(forms: list[LinearForm]) -> tuple[dict[str, pl.Expr], dict[str, str]]:
    """The forms' row values with identical ones (every estimator's constant 1, whose
    total is POP) named once: the distinct ones and, for the others, the name they go
    by."""
    basis: dict[str, pl.Expr] = {}
    same_as: dict[str, str] = {}
    for f in forms:
        for k, b in f.totals.items():
            same = next((c for c, e in basis.items() if e.meta.eq(b)), None)
            if same is None and b.meta.eq(pl.lit(1.0)):
                same = POP
            if same is None:
                basis[k] = b
            else:
                same_as[k] = same
    return basis, same_as


def _domain_totals(
    prep: Prepared,
    forms: list[LinearForm],
    names: list[str],
    lf: pl.LazyFrame,
    code: CompactKey | None,
) -> _Totals:
    """Sum every form's row values per domain (on ``lf``, sorted when a form needs an
    order), evaluate the estimates and the influence coefficients."""
    keys = prep.keys
    w = pl.col(W)
    basis, same_as = _distinct_row_values(forms)
    sums = [(w * b).sum().alias(k) for k, b in basis.items()]
    sums += [prep.row_count().alias(N), w.sum().alias(POP)]
    totals = group_agg(lf, keys, sums) if code is None else grouped_agg(lf, code, sums)
    wide_lf = totals.with_columns(pl.col(v).alias(k) for k, v in same_as.items())
    for f in forms:
        wide_lf = wide_lf.with_columns(f.finish)
    wide = wide_lf.collect()
    _check_finite(wide, names, prep)

    coef: list[pl.Expr] = []
    terms: dict[str, list[tuple[str, str]]] = {}
    for f in forms:
        for m, parts in f.influence.items():
            terms[m] = []
            for k, c in parts.items():
                alias = f"_mk_c_{len(coef)}"
                coef.append(c.fill_null(0.0).alias(alias))
                terms[m].append((alias, k))
    if POP in same_as.values():
        basis[POP] = pl.lit(1.0)
    coefs = wide.select(*keys, *coef)
    return _Totals(wide, basis, same_as, terms, coefs)


def _cumulative(forms: list[LinearForm]) -> dict[str, pl.Expr]:
    return {name: e for f in forms for name, e in f.cumulative.items()}


def _polars_totals(
    prep: Prepared,
    forms: list[LinearForm],
    names: list[str],
    order: str | None,
    code: CompactKey | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`_totals_path` in Polars: any design and group columns."""
    design, keys = prep.design, prep.keys
    assert design is not None
    strata = design.internal_strata()
    lf = prep.lf
    if order is None:
        code = None
    else:
        # Sorted by (group, value), each group's rows are contiguous: the cumulative
        # sums over() the groups and the domain totals read them slice by slice.
        lf = sort_within_groups(lf, order, code)
        if code is not None:
            lf = with_keys(lf, code)
    cumulative = _cumulative(forms)
    if cumulative:
        lf = lf.with_columns(over(e.cum_sum(), keys).alias(n) for n, e in cumulative.items())
    if order is not None:
        # Materialise the cumulative sums, read twice: fused into the per-PSU group_by
        # they also run about 1.5x slower on 10 M rows.
        lf = lf.collect().lazy()
    t = _domain_totals(prep, forms, names, lf, code)
    w = pl.col(W)
    if keys == [ALL]:
        coefs = t.coefs
        value = {c: pl.lit(coefs[c][0], dtype=pl.Float64) for c in coefs.columns if c != ALL}
    else:
        lf = lf.join(t.coefs.lazy(), on=keys, how="left", nulls_equal=True)
        value = {c: pl.col(c) for c in t.coefs.columns if c not in keys}
    z = [
        (w * pl.sum_horizontal([value[c] * t.basis[t.row_name(k)] for c, k in parts])).alias(m)
        for m, parts in t.terms.items()
    ]
    key = _psu_key(prep)
    if design.psu is not None:
        psu = group_sum_by(lf, [*keys, *strata, PSU], z, key).collect()
    else:
        psu = lf.select(*keys, *strata, *z).collect()
    if keys == [ALL] and design.psu is not None and design.fpc is None:
        # Without groups every PSU of the sample has one row of totals: count those
        # instead of another pass over the rows.
        table = design_table_from_psus(psu, design)
    else:
        table = design_table(prep.lf, design)
    var = variance_from_psu_totals(
        psu.lazy(), keys=keys, values=names, design=design, table=table, key=key
    )
    return t.wide, var


DESIGN_KEY = "_mk_dkey"


def _kernel_key(prep: Prepared, code: CompactKey | None, order: str | None) -> CompactKey | None:
    """The compact (strata, PSU) code for the numpy kernel, or ``None`` when it does not
    apply: no PSUs, group columns without a compact code, non-integer design columns
    or tables too large for the rows, or one domain and no sort. Without a sort to
    hide the PSU numbering behind, one Polars group_by on the (strata, PSU) code is
    faster for a single domain (0.72 against 1.1-1.2 s for FGT0-2 and Watts of 10 M
    rows); by domain the kernel is (1.5 against 2.0-2.15 s)."""
    design = prep.design
    assert design is not None
    if design.psu is None or (code is None and (prep.keys != [ALL] or order is None)):
        return None
    key = compact_key(prep.lf, [*design.internal_strata(), PSU])
    domains = 1 if code is None else code.span
    if key is None or not fits(prep.rows, key, domains):
        return None
    return key


def _kernel_totals(
    prep: Prepared,
    forms: list[LinearForm],
    names: list[str],
    order: str | None,
    code: CompactKey | None,
    design_key: CompactKey,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`_totals_path` with the totals and per-PSU sums in numpy (:mod:`._kernel`).

    The rows carry one code for (strata, PSU) instead of the design columns, and the
    PSUs are numbered in a second thread while this one sorts (numpy releases the GIL
    in both; on two cores that hides most of the numbering). The weighted row values
    are evaluated once and give both the domain totals and the PSU totals of each
    measure's linearised variable.
    """
    design = prep.design
    assert design is not None
    strata = design.internal_strata()
    drop = [*strata, PSU, *([FPC] if design.fpc is not None else [])]
    lf = prep.lf.with_columns(design_key.expr().alias(DESIGN_KEY)).drop(drop)
    rows = collect_rows(lf, code)
    basis, same_as = _distinct_row_values(forms)
    basis.setdefault(POP, pl.lit(1.0))
    with ThreadPoolExecutor(max_workers=1) as pool:
        numbering = pool.submit(psu_index, rows[DESIGN_KEY].to_numpy(), design_key, len(strata))
        perm = row_order(rows, order, code)
        psu_numbers, index = numbering.result()
    # Gathered with the other columns (Polars, in parallel), as 32-bit numbers.
    rows = rows.with_columns(pl.Series(DESIGN_KEY, psu_numbers, dtype=pl.Int32))
    rows = apply_order(rows, perm, code)
    psu = rows[DESIGN_KEY].to_numpy().astype(np.intp)
    rows = rows.drop(DESIGN_KEY)
    n = rows.height
    if code is None:
        bounds = np.array([0, n])
    else:
        # Codes of the sorted codes' type: other needles would convert all 10 M codes.
        codes = rows[CODE].to_numpy()
        starts = np.searchsorted(codes, np.arange(code.span, dtype=codes.dtype))
        bounds = np.append(starts, codes.size)
    lf = rows.lazy()
    cumulative = _cumulative(forms)
    if cumulative and code is None:
        # One domain: Polars' parallel prefix sums, in the query that reads them.
        lf = lf.with_columns(e.cum_sum().alias(name) for name, e in cumulative.items())
    elif cumulative:
        # Per domain slice: Polars' cum_sum().over() hashes the rows (3x slower).
        raw = rows.select(e.alias(n) for n, e in cumulative.items())

        def running(name: str) -> pl.Series:
            row_values = raw[name].to_numpy()
            out = np.empty(n)
            for d in range(bounds.size - 1):
                part = slice(bounds[d], bounds[d + 1])
                np.cumsum(row_values[part], out=out[part])
            return pl.Series(name, out)

        # One thread per cumulative sum: numpy's cumsum runs outside the GIL.
        with ThreadPoolExecutor(max_workers=max(1, pl.thread_pool_size())) as pool:
            lf = rows.with_columns(pool.map(running, cumulative)).lazy()
        del raw
    w = pl.col(W)
    # The in-memory engine leaves one chunk per column: to_numpy() copies nothing. The
    # population's row value is 1: its weighted values are the weights themselves.
    weighted = lf.select(
        (w if b.meta.eq(pl.lit(1.0)) else w * b).alias(k) for k, b in basis.items()
    ).collect(engine="in-memory")
    del rows, lf
    arrays = [weighted[k].to_numpy() for k in basis]
    counts = np.diff(bounds)
    held = np.flatnonzero(counts > 0)
    if code is None:
        domain_cols = pl.DataFrame({ALL: [0]}, schema={ALL: pl.Int8})
    else:
        domain_cols = pl.DataFrame({KEY: held}).select(code.decode())
    wide, coefs, measures = _estimates_and_coefs(
        prep,
        forms,
        names,
        basis,
        same_as,
        kernel_domain_totals(arrays, bounds)[held],
        counts[held],
        domain_cols,
    )
    coef_by_domain = np.zeros((bounds.size - 1, *coefs.shape[1:]))
    coef_by_domain[held] = coefs
    sums = stratum_sums(psu, bounds, arrays, coef_by_domain, index)
    if code is None:
        domains = pl.DataFrame({ALL: np.zeros(sums["domain"].size, dtype=np.int8)})
    else:
        domains = pl.DataFrame({KEY: sums["domain"]}).select(code.decode())
    return wide, _kernel_variance(prep, sums, domains, index, measures)


def _estimates_and_coefs(
    prep: Prepared,
    forms: list[LinearForm],
    names: list[str],
    basis: dict[str, pl.Expr],
    same_as: dict[str, str],
    totals: np.ndarray,
    counts: np.ndarray,
    domains: pl.DataFrame,
) -> tuple[pl.DataFrame, np.ndarray, list[str]]:
    """The estimates of the domains with rows (one row each in ``domains``, with their
    ``counts`` and the ``totals`` of every row value in ``basis``), and the coefficient
    :math:`c_{dmk}` of row value ``k`` in measure ``m``'s linearised variable."""
    wide = domains.with_columns(
        pl.Series(N, counts, dtype=pl.UInt32),
        *[pl.Series(k, totals[:, j]) for j, k in enumerate(basis)],
    ).with_columns(pl.col(v).alias(k) for k, v in same_as.items())
    for f in forms:
        wide = wide.with_columns(f.finish)
    _check_finite(wide, names, prep)
    position = {k: j for j, k in enumerate(basis)}
    measures = [m for f in forms for m in f.influence]
    coef_values = wide.select(
        c.fill_null(0.0).alias(f"_mk_c_{m}_{k}")
        for f in forms
        for m, parts in f.influence.items()
        for k, c in parts.items()
    )
    coefs = np.zeros((domains.height, len(measures), len(basis)))
    for f in forms:
        for m, parts in f.influence.items():
            for k in parts:
                j = position[same_as.get(k, k)]
                coefs[:, measures.index(m), j] += coef_values[f"_mk_c_{m}_{k}"].to_numpy()
    return wide, coefs, measures


def _kernel_variance(
    prep: Prepared,
    sums: dict[str, np.ndarray],
    domains: pl.DataFrame,
    index: PsuIndex,
    measures: list[str],
) -> pl.DataFrame:
    """Variances from :func:`~mekong.measure._kernel.stratum_sums` (``domains``: the
    domain columns of each of its rows)."""
    design = prep.design
    assert design is not None
    parts: dict[str, np.ndarray] = {"_mk_k": sums["k"]}
    for i in range(len(measures)):
        parts[f"_mk_s1_{i}"] = sums[f"s1_{i}"]
        parts[f"_mk_s2_{i}"] = sums[f"s2_{i}"]
    per_stratum = pl.concat(
        [domains, index.strata[sums["stratum"]], pl.DataFrame(parts)], how="horizontal"
    )
    if design.fpc is None:
        table = design_table_from_counts(index.strata, index.per_stratum.tolist(), design)
    else:
        table = design_table(prep.lf, design)
    return variance_from_stratum_sums(
        per_stratum.lazy(), keys=prep.keys, values=measures, design=design, table=table
    )


def _linearised(
    prep: Prepared,
    estimators: Sequence[Estimator],
    shared: pl.LazyFrame,
    wide: pl.DataFrame,
    table: pl.DataFrame,
) -> pl.DataFrame:
    """Variances of all measures in one kernel pass over one frame.

    The group-level values of every estimator are joined to the rows once; each
    estimator then adds its influence columns to the same frame, so row order never
    matters (no order-keeping join, no horizontal concatenation of aligned parts).
    """
    assert prep.design is not None
    design, keys = prep.design, prep.keys
    names = [n for e in estimators for n in e.names]
    private = [c for c in wide.columns if c.startswith("_mk_") and c not in keys]
    est = wide.lazy()
    lf = attach(shared, est, keys, private)
    for e in estimators:
        lf = e.influence(lf, keys, est)
    key = _psu_key(prep)
    return linearised_variance(lf, keys=keys, values=names, design=design, table=table, key=key)


def _check_finite(wide: pl.DataFrame, names: list[str], prep: Prepared) -> None:
    for name in names:
        col = wide[name]
        bad = wide.filter(col.is_not_null() & ~col.is_finite())
        if bad.height:
            group = (
                bad.select(pl.col(k).alias(b) for k, b in zip(prep.keys, prep.by, strict=True)).row(
                    0, named=True
                )
                if prep.by
                else "the whole sample"
            )
            raise UndefinedMeasureError(
                f"measure {name!r} is undefined for group {group} (e.g. zero total welfare "
                "or zero welfare where a logarithm or negative power is needed)"
            )


def _tidy(
    wide: pl.DataFrame,
    var: pl.DataFrame | None,
    keys: list[str],
    by: list[str],
    names: list[str],
    conf_level: float,
    ci: CiDistribution,
) -> pl.DataFrame:
    order = pl.DataFrame({"measure": names, "_mk_order": list(range(len(names)))})
    long = wide.unpivot(
        on=names, index=[*keys, N, POP], variable_name="measure", value_name="estimate"
    )
    if var is not None:
        var_long = var.unpivot(
            on=names, index=[*keys, "_mk_df"], variable_name="measure", value_name="_mk_var"
        )
        long = long.join(var_long, on=[*keys, "measure"], how="left", nulls_equal=True)
        df = long["_mk_df"].to_numpy().astype(float)
        q = _quantile(conf_level, df, ci)
        long = long.with_columns(
            pl.col("_mk_var").clip(lower_bound=0.0).sqrt().alias("se"),
            pl.Series("_mk_q", q, dtype=pl.Float64),
        ).with_columns(
            (pl.col("estimate") - pl.col("_mk_q") * pl.col("se")).alias("ci_low"),
            (pl.col("estimate") + pl.col("_mk_q") * pl.col("se")).alias("ci_high"),
        )
    else:
        long = long.with_columns(
            pl.lit(None, dtype=pl.Float64).alias(c) for c in ("se", "ci_low", "ci_high")
        )
    long = long.join(order, on="measure", how="left").sort([*keys, "_mk_order"])
    return long.select(
        *[pl.col(k).alias(b) for k, b in zip(keys, by, strict=False)],
        "measure",
        pl.col("estimate").cast(pl.Float64),
        "se",
        "ci_low",
        "ci_high",
        pl.col(N).cast(pl.Int64).alias("n"),
        pl.col(POP).alias("population"),
    )


def _quantile(conf_level: float, df: np.ndarray, ci: CiDistribution) -> np.ndarray:
    p = 1 - (1 - conf_level) / 2
    if ci == "normal":
        return np.full(df.shape, float(stats.norm.ppf(p)))
    out = np.full(df.shape, math.nan)
    ok = np.isfinite(df) & (df > 0)
    out[ok] = stats.t.ppf(p, df[ok])
    return out


def _bootstrap_variance(
    prep: Prepared,
    estimators: Sequence[Estimator],
    names: list[str],
    table: pl.DataFrame,
    *,
    reps: int,
    seed: int | None,
) -> pl.DataFrame:
    """Rao-Wu rescaling bootstrap: resample n_h - 1 PSUs per stratum with replacement.

    Replicate weight :math:`w_i^{(b)} = w_i\\, m_{hj}^{(b)}\\, n_h / (n_h - 1)`, where
    :math:`m_{hj}^{(b)}` counts how often PSU :math:`j` was drawn. The variance is the
    sample variance of the replicate estimates (Rao, Wu & Yue 1992).
    """
    assert prep.design is not None
    design = prep.design
    strata = design.internal_strata()
    lf = prep.lf
    if design.psu is None:
        lf = lf.with_row_index(PSU)
    units = lf.select([*strata, PSU]).unique().sort([*strata, PSU]).collect()
    sizes = units.group_by(strata, maintain_order=True).len()
    rng = np.random.default_rng(seed)
    n_h = [int(x) for x in sizes["len"].to_list()]
    starts = [sum(n_h[:i]) for i in range(len(n_h))]
    results = []
    for b in range(reps):
        factor = np.ones(units.height)
        # Units are sorted by stratum, so each stratum's PSUs are one contiguous block.
        for start, nh in zip(starts, n_h, strict=True):
            if nh < 2:
                continue
            draws = rng.integers(0, nh, size=nh - 1)
            m = np.bincount(draws, minlength=nh)
            factor[start : start + nh] = m * nh / (nh - 1)
        rep_units = units.with_columns(pl.Series("_mk_f", factor))
        rep_lf = lf.join(rep_units.lazy(), on=[*strata, PSU], how="left").with_columns(
            (pl.col(W) * pl.col("_mk_f")).alias(W)
        )
        rep_prep = Prepared(lf=rep_lf, by=prep.by, design=design, keys=prep.keys, rows=prep.rows)
        wide = _wide_estimates(rep_prep, estimators).collect()
        results.append(wide.select([*prep.keys, *names]).with_columns(pl.lit(b).alias("_mk_b")))
    reps_frame = pl.concat(results)
    var = reps_frame.group_by(prep.keys).agg(
        [pl.col(n).filter(pl.col(n).is_finite()).var(ddof=1).alias(n) for n in names]
    )
    df = linearised_variance(prep.lf, keys=prep.keys, values=[], design=design, table=table)
    return var.join(df, on=prep.keys, how="left", nulls_equal=True)
