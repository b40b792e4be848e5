"""Design-based standard errors of the poverty-change decompositions.

Expected numbers come from outside the library's variance code: numerical derivatives of
the decompositions' point estimates with respect to each PSU's weights, pushed through
the textbook stratified with-replacement variance written out below in numpy; the FGT
estimator's own standard errors; and a Rao-Wu bootstrap of the point estimates.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose

from mekong.measure import (
    Design,
    DesignError,
    InvalidWeightError,
    MeasureError,
    NegativeWelfareError,
    UnknownColumnError,
    datt_ravallion,
    fgt,
    growth_incidence,
    huppi_ravallion,
    shorrocks_shapley,
)

LINE = 150.0
DESIGN = Design(weight="w", strata="h", psu="p")
Decomposition = Callable[..., pl.DataFrame]


def synthetic_round(
    seed: int, *, shift: float = 0.0, strata: int = 2, psus: int = 3, rows: int = 5
) -> pl.DataFrame:
    """Households in ``strata`` x ``psus`` PSUs; log-normal welfare around the line."""
    rng = np.random.default_rng(seed)
    n = strata * psus * rows
    return pl.DataFrame(
        {
            "h": np.repeat(np.arange(strata), psus * rows),
            "p": np.tile(np.repeat(np.arange(psus), rows), strata),
            "y": rng.lognormal(5.0 + shift, 0.6, n),
            "w": rng.uniform(1.0, 3.0, n),
            "s": rng.integers(0, 3, n),
        }
    )


def stratified_variance(z: dict[tuple[Any, ...], np.ndarray]) -> np.ndarray:
    """Textbook with-replacement variance: sum_h n_h/(n_h-1) sum_j (z_hj - zbar_h)^2.

    ``z`` maps (stratum tag..., psu) to the PSU totals of every measure.
    """
    by_stratum: dict[tuple[Any, ...], list[np.ndarray]] = {}
    for key, value in z.items():
        by_stratum.setdefault(key[:-1], []).append(value)
    var = np.zeros_like(next(iter(z.values())))
    for totals in by_stratum.values():
        arr = np.array(totals)
        nh = len(arr)
        var = var + nh / (nh - 1) * ((arr - arr.mean(axis=0)) ** 2).sum(axis=0)
    return var


def _perturb(frame: pl.DataFrame, h: int, p: int, eps: float) -> pl.DataFrame:
    hit = (pl.col("h") == h) & (pl.col("p") == p)
    return frame.with_columns(pl.when(hit).then(pl.col("w") * (1 + eps)).otherwise("w"))


def psu_derivatives(
    before: pl.DataFrame,
    after: pl.DataFrame,
    statistic: Callable[[pl.DataFrame, pl.DataFrame], np.ndarray],
    samples: str,
    eps: float = 1e-6,
) -> dict[tuple[Any, ...], np.ndarray]:
    """z_hj = d statistic / d eps with PSU (h, j)'s weights scaled by (1 + eps), i.e.
    sum_{i in (h, j)} w_i d statistic / d w_i (central differences). Panel: the PSU's
    weights move in both rounds at once; independent: each round's PSUs separately."""
    psus = before.select("h", "p").unique().sort("h", "p").rows()
    z: dict[tuple[Any, ...], np.ndarray] = {}
    for h, p in psus:
        if samples == "panel":
            moves = {
                (h, p): lambda e, h=h, p=p: (_perturb(before, h, p, e), _perturb(after, h, p, e))
            }
        else:
            moves = {
                ("before", h, p): lambda e, h=h, p=p: (_perturb(before, h, p, e), after),
                ("after", h, p): lambda e, h=h, p=p: (before, _perturb(after, h, p, e)),
            }
        for key, move in moves.items():
            z[key] = (statistic(*move(eps)) - statistic(*move(-eps))) / (2 * eps)
    return z


SMOOTH_CASES: list[tuple[Decomposition, dict[str, Any]]] = [
    (datt_ravallion, {"measures": ["fgt1", "fgt2", "watts"]}),
    (datt_ravallion, {"measures": ["fgt1.5", "watts"], "reference": "after"}),
    (shorrocks_shapley, {"measures": ["fgt1", "fgt2", "watts"]}),
    (huppi_ravallion, {"sector": "s", "measure": "fgt0"}),
    (huppi_ravallion, {"sector": "s", "measure": "fgt2"}),
]


@pytest.mark.parametrize("samples", ["independent", "panel"])
@pytest.mark.parametrize(("decompose", "kw"), SMOOTH_CASES)
def test_se_equals_variance_of_numerical_psu_derivatives(
    decompose: Decomposition, kw: dict[str, Any], samples: str
) -> None:
    # Expected: the stratified variance of z_hj, the numerical derivatives of the point
    # estimates (no design given) with respect to each PSU's weights.
    before, after = synthetic_round(1), synthetic_round(2, shift=0.15)

    def point(b: pl.DataFrame, a: pl.DataFrame) -> np.ndarray:
        return decompose(b, a, welfare="y", line=LINE, weight="w", **kw)["estimate"].to_numpy()

    expected = np.sqrt(stratified_variance(psu_derivatives(before, after, point, samples)))
    out = decompose(
        before,
        after,
        welfare="y",
        line=LINE,
        design_before=DESIGN,
        design_after=DESIGN,
        samples=samples,
        **kw,
    )
    assert_allclose(out["se"].to_numpy(), expected, rtol=1e-6)
    assert_allclose(out["estimate"].to_numpy(), point(before, after), rtol=1e-12)


def _silverman_density(y: np.ndarray, w: np.ndarray, at: float) -> float:
    """Weighted Gaussian kernel density, h = 0.9 min(sd, IQR/1.34) n^(-1/5), quartiles
    as the smallest y whose cumulative weight reaches 25 % and 75 %."""
    order = np.argsort(y)
    ys, ws = y[order], w[order]
    cw = np.cumsum(ws)
    mu = np.average(ys, weights=ws)
    sd = math.sqrt(np.average((ys - mu) ** 2, weights=ws))
    q1, q3 = ys[np.argmax(cw >= 0.25 * cw[-1])], ys[np.argmax(cw >= 0.75 * cw[-1])]
    h = 0.9 * min(sd, (q3 - q1) / 1.34) * len(y) ** -0.2
    return float(
        np.sum(ws * np.exp(-0.5 * ((at - ys) / h) ** 2)) / (cw[-1] * h * math.sqrt(2 * math.pi))
    )


@pytest.mark.parametrize("samples", ["independent", "panel"])
def test_headcount_growth_se_adds_the_density_term(samples: str) -> None:
    # The empirical headcount is a step function of the rescaling s = mu_b / mu_a, so a
    # numerical derivative sees only its ratio part. Expected z_hj: that numerical
    # derivative plus P0'(s) ds/d eps, with P0'(s) = -(z/s^2) f(z/s) from an independent
    # numpy kernel density and ds/d eps by numerical differentiation of the means.
    before, after = synthetic_round(3), synthetic_round(4, shift=0.15)

    def point(b: pl.DataFrame, a: pl.DataFrame) -> np.ndarray:
        out = datt_ravallion(b, a, welfare="y", line=LINE, weight="w", measures=["fgt0"])
        return out["estimate"].to_numpy()

    def mean(f: pl.DataFrame) -> float:
        return float(np.average(f["y"].to_numpy(), weights=f["w"].to_numpy()))

    def scales(b: pl.DataFrame, a: pl.DataFrame) -> np.ndarray:
        return np.array([mean(a) / mean(b), mean(b) / mean(a)])

    z_ratio = psu_derivatives(before, after, point, samples)
    z_scale = psu_derivatives(before, after, scales, samples)
    s = scales(before, after)
    slope = [
        -(LINE / s[t] ** 2) * _silverman_density(f["y"].to_numpy(), f["w"].to_numpy(), LINE / s[t])
        for t, f in enumerate((before, after))
    ]
    z = {}
    for key, zr in z_ratio.items():
        d10, d01 = slope[0] * z_scale[key][0], slope[1] * z_scale[key][1]
        # change, growth = c10 - c00, redistribution = c01 - c00, residual = the rest.
        z[key] = zr + np.array([0.0, d10, d01, -d10 - d01])
    expected = np.sqrt(stratified_variance(z))
    out = datt_ravallion(
        before,
        after,
        welfare="y",
        line=LINE,
        measures=["fgt0"],
        design_before=DESIGN,
        design_after=DESIGN,
        samples=samples,
    )
    assert_allclose(out["se"].to_numpy(), expected, rtol=1e-6)


def _se(frame: pl.DataFrame, measure: str) -> float:
    return float(frame.filter(pl.col("measure") == measure)["se"][0])


def test_change_se_for_independent_samples_adds_the_fgt_variances() -> None:
    # Expected: sqrt(se_0^2 + se_1^2) with each se from fgt() on its own round.
    before = synthetic_round(5, strata=3, psus=4)
    after = synthetic_round(6, shift=0.1, strata=2, psus=5)
    se0 = fgt(before, welfare="y", line=LINE, design=DESIGN)
    se1 = fgt(after, welfare="y", line=LINE, design=DESIGN)
    dr = datt_ravallion(
        before, after, welfare="y", line=LINE, design_before=DESIGN, design_after=DESIGN
    )
    ss = shorrocks_shapley(
        before, after, welfare="y", line=LINE, design_before=DESIGN, design_after=DESIGN
    )
    for m in ("fgt0", "fgt1", "fgt2"):
        expected = math.hypot(_se(se0, m), _se(se1, m))
        assert_allclose(_se(dr, f"{m}_change"), expected, rtol=1e-10)
        assert_allclose(_se(ss, f"{m}_change"), expected, rtol=1e-10)
    hr = huppi_ravallion(
        before,
        after,
        welfare="y",
        line=LINE,
        sector="s",
        measure="fgt1",
        design_before=DESIGN,
        design_after=DESIGN,
    )
    assert_allclose(
        _se(hr, "fgt1_change"), math.hypot(_se(se0, "fgt1"), _se(se1, "fgt1")), rtol=1e-10
    )


def test_change_se_for_a_panel_counts_the_covariance() -> None:
    # Expected: the FGT linearised variable u_i = (g_i^a I_i - P_t)/N_t of each round
    # (fgt's docstring), PSU totals of w u added across rounds (after minus before) and
    # the textbook stratified variance. Each round alone reproduces fgt()'s SE.
    rng = np.random.default_rng(7)
    before = synthetic_round(7, psus=4)
    # The same households a round later: welfare strongly correlated with before.
    after = before.with_columns(
        pl.col("y") * np.exp(rng.normal(0.1, 0.15, before.height)),
        pl.col("w") * rng.uniform(0.9, 1.1, before.height),
    )
    out = datt_ravallion(
        before,
        after,
        welfare="y",
        line=LINE,
        design_before=DESIGN,
        design_after=DESIGN,
        samples="panel",
    )
    independent = datt_ravallion(
        before, after, welfare="y", line=LINE, design_before=DESIGN, design_after=DESIGN
    )
    for alpha in (0, 1, 2):
        z: dict[tuple[Any, ...], np.ndarray] = {}
        single = []
        for sign, f in ((-1.0, before), (1.0, after)):
            y, w = f["y"].to_numpy(), f["w"].to_numpy()
            value = np.where(y < LINE, ((LINE - y) / LINE) ** alpha, 0.0)
            p = np.average(value, weights=w)
            wu = w * (value - p) / w.sum()
            zt = {}
            for key in set(zip(f["h"].to_list(), f["p"].to_list(), strict=True)):
                mask = (f["h"].to_numpy() == key[0]) & (f["p"].to_numpy() == key[1])
                zt[key] = np.array([wu[mask].sum()])
                z[key] = z.get(key, np.zeros(1)) + sign * zt[key]
            single.append(float(np.sqrt(stratified_variance(zt))[0]))
        se_ref = fgt(before, welfare="y", line=LINE, alpha=alpha, design=DESIGN)
        assert_allclose(single[0], se_ref["se"][0], rtol=1e-10)  # the reference is fgt's own
        expected = float(np.sqrt(stratified_variance(z))[0])
        assert_allclose(_se(out, f"fgt{alpha}_change"), expected, rtol=1e-10)
        # Positive covariance: the panel's change is measured more precisely.
        assert _se(out, f"fgt{alpha}_change") < 0.8 * _se(independent, f"fgt{alpha}_change")


def test_identical_panel_rounds_have_zero_change_se() -> None:
    # Same rows twice: every part of the change is 0 with linearised variable 0.
    data = synthetic_round(8)
    out = shorrocks_shapley(
        data,
        data,
        welfare="y",
        line=LINE,
        design_before=DESIGN,
        design_after=DESIGN,
        samples="panel",
    )
    assert_allclose(out["estimate"].to_numpy(), 0.0, atol=1e-12)
    assert_allclose(out["se"].to_numpy(), 0.0, atol=1e-12)


def test_parts_se_are_consistent_with_the_total() -> None:
    # The parts' linearised variables sum to the change's, so the covariance identity
    # V(change) = V(G) + V(R) + 2 C(G, R) holds; check it through V(G + R) = V(change)
    # for Shapley by rebuilding G + R's SE from the residual-free Datt-Ravallion rows.
    before, after = synthetic_round(9), synthetic_round(10, shift=0.2)
    kw = {"welfare": "y", "line": LINE, "design_before": DESIGN, "design_after": DESIGN}
    dr = datt_ravallion(before, after, **kw)
    for m in ("fgt0", "fgt1", "fgt2"):
        parts = dr.filter(
            pl.col("measure").is_in([f"{m}_{p}" for p in ("growth", "redistribution", "residual")])
        )
        assert_allclose(
            parts["estimate"].sum(),
            dr.filter(pl.col("measure") == f"{m}_change")["estimate"][0],
            atol=1e-12,
        )
    hr = huppi_ravallion(before, after, sector="s", measure="fgt1", **kw)
    per_sector = hr.filter(pl.col("s").is_not_null())
    totals = hr.filter(pl.col("s").is_null())
    for effect in ("intra_sectoral", "population_shift", "interaction"):
        name = f"fgt1_{effect}"
        assert_allclose(
            per_sector.filter(pl.col("measure") == name)["estimate"].sum(),
            totals.filter(pl.col("measure") == name)["estimate"][0],
            atol=1e-12,
        )
    assert hr["se"].is_not_null().all()
    assert (hr["ci_low"] < hr["estimate"]).all()
    assert (hr["estimate"] < hr["ci_high"]).all()


def _rao_wu_factors(frame: pl.DataFrame, rng: np.random.Generator) -> dict[tuple[int, int], float]:
    """Per-PSU factors m_hj n_h/(n_h - 1), n_h - 1 PSUs drawn with replacement."""
    out = {}
    # Strata in a fixed order: group_by's order varies from run to run, and with it which
    # draws of the seeded generator each stratum gets.
    for h, group in frame.sort("h").group_by("h", maintain_order=True):
        psus = sorted(group["p"].unique().to_list())
        nh = len(psus)
        counts = np.bincount(rng.integers(0, nh, nh - 1), minlength=nh)
        for p, m in zip(psus, counts, strict=True):
            out[(int(h[0]), p)] = m * nh / (nh - 1)
    return out


def _reweight(frame: pl.DataFrame, factors: dict[tuple[int, int], float]) -> pl.DataFrame:
    f = pl.DataFrame(
        {"h": [k[0] for k in factors], "p": [k[1] for k in factors], "_f": list(factors.values())},
        schema={"h": frame.schema["h"], "p": frame.schema["p"], "_f": pl.Float64},
    )
    # Undrawn PSUs (factor 0) are dropped: the library refuses zero weights, and a row of
    # weight 0 adds nothing to any total.
    return (
        frame.join(f.filter(pl.col("_f") > 0), on=["h", "p"])
        .with_columns(pl.col("w") * pl.col("_f"))
        .drop("_f")
    )


@pytest.mark.slow
@pytest.mark.parametrize("samples", ["independent", "panel"])
def test_linearised_se_agrees_with_a_bootstrap(samples: str) -> None:
    # Expected: standard deviation of 400 Rao-Wu bootstrap replicates of the point
    # estimates (PSUs redrawn per stratum; a panel's PSUs redrawn once for both rounds),
    # seed 11; within 10 % (Monte Carlo error of the bootstrap SD ~ 1/sqrt(800) = 3.5 %).
    rng = np.random.default_rng(11)
    before = synthetic_round(12, strata=6, psus=12, rows=25)
    if samples == "panel":
        after = before.with_columns(pl.col("y") * np.exp(rng.normal(0.1, 0.3, before.height)))
    else:
        after = synthetic_round(13, shift=0.15, strata=6, psus=12, rows=25)
    kw: dict[str, Any] = {"welfare": "y", "line": LINE, "measures": ["fgt0", "fgt1", "fgt2"]}
    out = shorrocks_shapley(
        before, after, design_before=DESIGN, design_after=DESIGN, samples=samples, **kw
    )
    replicates = []
    for _ in range(400):
        fb = _rao_wu_factors(before, rng)
        fa = fb if samples == "panel" else _rao_wu_factors(after, rng)
        rep = shorrocks_shapley(_reweight(before, fb), _reweight(after, fa), weight="w", **kw)
        replicates.append(rep["estimate"].to_numpy())
    boot = np.array(replicates).std(axis=0, ddof=1)
    assert_allclose(out["se"].to_numpy(), boot, rtol=0.10)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"design_before": DESIGN}, MeasureError, "both design_before and design_after"),
        ({"samples": "panel"}, MeasureError, "panel' needs design_before"),
        (
            {"samples": "pooled", "design_before": DESIGN, "design_after": DESIGN},
            MeasureError,
            "samples must be",
        ),
        (
            {
                "samples": "panel",
                "design_before": Design(weight="w"),
                "design_after": Design(weight="w"),
            },
            DesignError,
            "psu column",
        ),
        (
            {
                "samples": "panel",
                "design_before": DESIGN,
                "design_after": Design(weight="w", psu="p"),
            },
            DesignError,
            "same number of strata",
        ),
        ({"measures": ["sen"]}, MeasureError, "cannot be decomposed"),
        ({"weight": "nope"}, UnknownColumnError, "nope"),
        (
            {"conf_level": 1.5, "design_before": DESIGN, "design_after": DESIGN},
            MeasureError,
            "conf_level",
        ),
    ],
)
def test_bad_arguments_are_refused(
    kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    before, after = synthetic_round(14), synthetic_round(15)
    with pytest.raises(error, match=match):
        datt_ravallion(before, after, welfare="y", line=LINE, **kwargs)


def test_bad_rows_are_refused() -> None:
    before, after = synthetic_round(16), synthetic_round(17)
    negative = after.with_columns(pl.when(pl.col("p") == 1).then(-1.0).otherwise("y").alias("y"))
    with pytest.raises(NegativeWelfareError, match="'y'"):
        shorrocks_shapley(
            before, negative, welfare="y", line=LINE, design_before=DESIGN, design_after=DESIGN
        )
    zero_weight = before.with_columns(pl.lit(0.0).alias("w"))
    with pytest.raises(InvalidWeightError, match="'w'"):
        huppi_ravallion(
            zero_weight,
            after,
            welfare="y",
            line=LINE,
            sector="s",
            design_before=DESIGN,
            design_after=DESIGN,
        )
    lonely = before.filter((pl.col("h") == 1) & (pl.col("p") == 0)).vstack(
        before.filter(pl.col("h") == 0)
    )
    with pytest.raises(DesignError, match="single PSU"):
        datt_ravallion(
            lonely, after, welfare="y", line=LINE, design_before=DESIGN, design_after=DESIGN
        )
    text_psu = after.with_columns(pl.col("p").cast(pl.String))
    with pytest.raises(DesignError, match="different types"):
        datt_ravallion(
            before,
            text_psu,
            welfare="y",
            line=LINE,
            design_before=DESIGN,
            design_after=DESIGN,
            samples="panel",
        )
    with pytest.raises(MeasureError, match="mean welfare must be > 0"):
        datt_ravallion(before, after.with_columns(pl.lit(0.0).alias("y")), welfare="y", line=LINE)


GIC_POINTS = (0.25, 0.5, 0.75)


def _quantile_by_rule(y: np.ndarray, w: np.ndarray, p: float) -> float:
    """The smallest y whose cumulative weight reaches p of the total."""
    order = np.argsort(y)
    cw = np.cumsum(w[order])
    return float(y[order][np.argmax(cw >= p * cw[-1])])


@pytest.mark.parametrize("samples", ["independent", "panel"])
def test_growth_incidence_se_from_psu_derivatives_and_kernel_density(samples: str) -> None:
    # Expected z_hj of g(p) = q1/q0 - 1 by the chain rule on the quantile's estimating
    # equation sum_i w_i (I(y_i <= q) - p) = 0 (as convey's svyiqalpha):
    # dq_t = -dS_t / (N_t f_t(q_t)), dS_t the numerical derivative of that sum at the
    # (fixed) quantile with respect to PSU (h, j)'s weights and f_t an independent numpy
    # kernel density; the mean's growth is smooth and differentiated as a whole.
    before = synthetic_round(21, psus=4, rows=8)
    noise = np.random.default_rng(22).normal(0.0, 0.3, before.height)
    after = before.with_columns(pl.col("y") * 1.1 * np.exp(noise))
    yw = [(f["y"].to_numpy(), f["w"].to_numpy()) for f in (before, after)]
    q = [[_quantile_by_rule(y, w, p) for p in GIC_POINTS] for y, w in yw]

    def sums_and_mean_growth(b: pl.DataFrame, a: pl.DataFrame) -> np.ndarray:
        out = []
        for t, f in enumerate((b, a)):
            y, w = f["y"].to_numpy(), f["w"].to_numpy()
            out += [(w * ((y <= qq) - p)).sum() for qq, p in zip(q[t], GIC_POINTS, strict=True)]
        gm = np.average(a["y"].to_numpy(), weights=a["w"].to_numpy()) / np.average(
            b["y"].to_numpy(), weights=b["w"].to_numpy()
        )
        return np.array([*out, gm])

    dens = [[_silverman_density(y, w, qq) for qq in q[t]] for t, (y, w) in enumerate(yw)]
    k = len(GIC_POINTS)
    z = {}
    for key, d in psu_derivatives(before, after, sums_and_mean_growth, samples).items():
        dq0 = -d[:k] / (yw[0][1].sum() * np.array(dens[0]))
        dq1 = -d[k : 2 * k] / (yw[1][1].sum() * np.array(dens[1]))
        q0, q1 = np.array(q[0]), np.array(q[1])
        z[key] = np.array([*(dq1 / q0 - q1 * dq0 / q0**2), d[-1]])
    expected = np.sqrt(stratified_variance(z))
    out = growth_incidence(
        before,
        after,
        welfare="y",
        points=GIC_POINTS,
        design_before=DESIGN,
        design_after=DESIGN,
        samples=samples,
    )
    assert out["measure"].to_list() == ["gic_0.25", "gic_0.5", "gic_0.75", "gic_mean"]
    assert_allclose(out["estimate"].to_numpy()[:k], np.array(q[1]) / np.array(q[0]) - 1)
    assert_allclose(out["se"].to_numpy(), expected, rtol=1e-6)


def test_growth_incidence_panel_counts_the_covariance_of_the_rounds() -> None:
    # The same households a round later: growth of 10 % for everyone leaves every
    # g(p) at 0.1 whatever the weights, so a panel's SEs vanish; independent samples of
    # the same distributions would not see that. With household noise they shrink.
    before = synthetic_round(23, psus=4, rows=8)
    kw: dict[str, Any] = {
        "welfare": "y",
        "points": GIC_POINTS,
        "design_before": DESIGN,
        "design_after": DESIGN,
    }
    uniform = before.with_columns(pl.col("y") * 1.1)
    panel = growth_incidence(before, uniform, samples="panel", **kw)
    independent = growth_incidence(before, uniform, samples="independent", **kw)
    assert_allclose(panel["estimate"].to_numpy(), 0.1, rtol=1e-12)
    assert panel["se"].max() < 1e-9
    assert independent["se"].min() > 1e-3
    noise = np.random.default_rng(24).normal(0.0, 0.05, before.height)
    noisy = uniform.with_columns(pl.col("y") * np.exp(noise))
    panel = growth_incidence(before, noisy, samples="panel", **kw)
    independent = growth_incidence(before, noisy, samples="independent", **kw)
    assert (panel["se"] < 0.5 * independent["se"]).all()


def test_growth_incidence_panel_by_groups_and_errors() -> None:
    before = synthetic_round(25, psus=4, rows=8)
    after = before.with_columns(pl.col("y") * 1.2)
    out = growth_incidence(
        before,
        after,
        welfare="y",
        points=(0.5,),
        by="s",
        design_before=DESIGN,
        design_after=DESIGN,
        samples="panel",
    )
    assert out.columns[:2] == ["s", "measure"]
    assert out.height == 2 * before["s"].n_unique()
    assert_allclose(out["estimate"].to_numpy(), 0.2, rtol=1e-12)
    with pytest.raises(MeasureError, match="needs design_before and design_after"):
        growth_incidence(before, after, welfare="y", samples="panel")
    with pytest.raises(DesignError, match="psu"):
        growth_incidence(
            before,
            after,
            welfare="y",
            design_before=Design(weight="w", strata="h"),
            design_after=Design(weight="w", strata="h"),
            samples="panel",
        )
    with pytest.raises(MeasureError, match="samples"):
        growth_incidence(before, after, welfare="y", samples="both")  # type: ignore[arg-type]
