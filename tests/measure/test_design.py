"""The variance kernel: hand-computed cases, fpc, designs without strata or PSUs."""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.testing import assert_allclose

from mekong.measure import Design, fgt, inequality


def test_simple_random_sample_variance_by_hand() -> None:
    # SRS with replacement, n = 4, y = poor indicator (1, 1, 0, 0): p = 0.5;
    # u_i = (y_i - p)/n, z_i = u_i; V = n/(n-1) sum (z - zbar)^2 = 4/3 * 4 * (0.5/4)^2
    # = 1/12, so se = sqrt(1/12) = s / sqrt(n) with s^2 = 1/3.
    data = pl.DataFrame({"y": [1.0, 1.0, 3.0, 3.0]})
    out = fgt(data, welfare="y", line=2.0, alpha=0, design=Design())
    assert_allclose(out["se"][0], np.sqrt(1 / 12), rtol=1e-12)
    # df = n - 1 = 3 for the t interval.
    assert_allclose(out["ci_high"][0] - 0.5, 3.182446305284263 * np.sqrt(1 / 12), rtol=1e-9)


def test_fpc_as_population_count_and_as_fraction() -> None:
    data = pl.DataFrame({"y": [1.0, 1.0, 3.0, 3.0], "N": [8.0] * 4, "f": [0.5] * 4})
    base = fgt(data, welfare="y", line=2.0, alpha=0, design=Design())["se"][0]
    by_count = fgt(data, welfare="y", line=2.0, alpha=0, design=Design(fpc="N"))["se"][0]
    by_frac = fgt(data, welfare="y", line=2.0, alpha=0, design=Design(fpc="f"))["se"][0]
    assert_allclose(by_count, base * np.sqrt(0.5))
    assert_allclose(by_frac, base * np.sqrt(0.5))


def test_domain_keeps_full_design() -> None:
    # A domain present in only one stratum still uses n_h of the full sample: the SE of
    # a domain estimate equals the SE from zeroing influence outside the domain.
    rng = np.random.default_rng(0)
    n = 200
    data = pl.DataFrame(
        {
            "y": rng.lognormal(0, 1, n),
            "s": rng.integers(0, 4, n),
            "p": rng.integers(0, 5, n),
            "w": rng.uniform(1, 2, n),
            "g": rng.integers(0, 3, n),
        }
    )
    design = Design(weight="w", strata="s", psu="p")
    by_g = inequality(data, welfare="y", design=design, by="g", measures=("mean",))
    # Manual: mean of domain g as ratio sum(w y d)/sum(w d), z_i = w_i d_i (y_i - m)/N_d.
    for g in range(3):
        d = (data["g"] == g).to_numpy()
        w, y = data["w"].to_numpy(), data["y"].to_numpy()
        m = (w * y * d).sum() / (w * d).sum()
        z = w * d * (y - m) / (w * d).sum()
        frame = data.with_columns(pl.Series("z", z))
        totals = frame.group_by("s", "p").agg(pl.col("z").sum())
        var = 0.0
        for _, part in totals.group_by("s"):
            nh = part.height
            zz = part["z"].to_numpy()
            var += nh / (nh - 1) * ((zz - zz.mean()) ** 2).sum()
        row = by_g.filter(pl.col("g") == g)
        assert_allclose(row["estimate"][0], m, rtol=1e-12)
        assert_allclose(row["se"][0], np.sqrt(var), rtol=1e-10)


def test_combined_measures_give_the_same_standard_errors_as_separate_calls(
    wb_sample: pl.DataFrame, wb_design: Design
) -> None:
    # measure() runs one kernel over hstacked linearised variables of several
    # estimators (rows sorted once for the Gini); each SE must equal its own call's.
    from mekong.measure import gini, measure, poverty

    names = ["fgt0", "fgt1", "watts", "gini", "theil_t", "palma", "ge2"]
    kw = {"size": "hhsize", "design": wb_design, "by": "geo1"}
    both = measure(wb_sample, welfare="pc_exp", line=2000.0, measures=names, **kw)
    pov = poverty(wb_sample, welfare="pc_exp", line=2000.0, measures=names[:3], **kw)
    ineq = inequality(wb_sample, welfare="pc_exp", measures=names[4:], **kw)
    gin = gini(wb_sample, welfare="pc_exp", **kw)
    single = pl.concat([pov, gin, ineq]).sort("geo1", "measure")
    both = both.sort("geo1", "measure")
    assert both["measure"].to_list() == single["measure"].to_list()
    assert_allclose(both["estimate"], single["estimate"], rtol=1e-12)
    assert_allclose(both["se"], single["se"], rtol=1e-10)
