"""Expected counts of the demo data: population, hospital stays and acute-bed stays per cell.

A *cell* is month x municipality x sex x age band x diagnosis group. The expected count of hospital stays
in a cell is the population times a rate with multiplicative factors (trend, region, municipality,
season, influenza, COVID-19, LPR3, planted effect); the generator draws Poisson counts from it. The same
arrays give the truth file, so the truth and the data come from one computation.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import constants
from analysis.synthetic import params as P


@dataclass
class Geography:
    """The 98 municipalities in code order, with what the generator needs of them."""

    codes: np.ndarray  # int, sorted
    names: list[str]
    region: np.ndarray  # region code per municipality
    region_index: np.ndarray  # 0..4
    region_codes: np.ndarray  # the 5 region codes, sorted
    population_2019: np.ndarray
    share_65plus: np.ndarray
    treated_region: np.ndarray  # bool: in Region Midtjylland
    lpr3_go_live: np.ndarray  # datetime64[D] per municipality
    beds: np.ndarray  # municipal acute beds (latest year_from in the reference)

    @property
    def n(self) -> int:
        return len(self.codes)


def load_geography() -> Geography:
    """Read municipalities, regions and acute-bed capacity from :mod:`analysis.reference`."""
    from analysis import reference

    mun = reference.municipalities().sort_values("municipality_code").reset_index(drop=True)
    reg = reference.regions().sort_values("region_code").reset_index(drop=True)
    cap = reference.acute_bed_capacity().sort_values(["municipality_code", "year_from"])
    beds = cap.groupby("municipality_code")["beds"].last()
    region_codes = reg["region_code"].to_numpy(dtype=int)
    go_live = dict(zip(reg["region_code"].astype(int), reg["lpr3_go_live"].to_numpy().astype("datetime64[D]")))
    codes = mun["municipality_code"].to_numpy(dtype=int)
    region = mun["region_code"].to_numpy(dtype=int)
    pop65 = mun["population_2019"].to_numpy(float) * mun["share_65plus_2019"].to_numpy(float)
    fallback_beds = np.maximum(1, np.round(pop65 / 1500))  # about 1 bed per 1,500 aged 65+ (assumed)
    return Geography(
        codes=codes,
        names=mun["name"].tolist(),
        region=region,
        region_index=np.searchsorted(region_codes, region),
        region_codes=region_codes,
        population_2019=mun["population_2019"].to_numpy(float),
        share_65plus=mun["share_65plus_2019"].to_numpy(float),
        treated_region=(mun["region_name"] == constants.MIDTJYLLAND).to_numpy(),
        lpr3_go_live=np.array([go_live[r] for r in region], dtype="datetime64[D]"),
        beds=np.array([beds.get(c, fb) for c, fb in zip(codes, fallback_beds)], dtype=float),
    )


def months() -> np.ndarray:
    """The 84 months 2016-01 .. 2022-12 as ``datetime64[M]``."""
    return np.arange(np.datetime64(P.FIRST_MONTH, "M"), np.datetime64(P.LAST_MONTH, "M") + 1)


def month_series(table: dict[str, float], default: float = 1.0) -> np.ndarray:
    """A per-month array from a ``{"YYYY-MM": value}`` table."""
    labels = [str(m) for m in months()]
    return np.array([table.get(m, default) for m in labels], dtype=float)


# --- population -----------------------------------------------------------------------------------------
def age_distribution(share_65plus: np.ndarray) -> np.ndarray:
    """Share of the population per band for each municipality (rows sum to 1).

    The national 2019 structure is scaled so that the 65+ share matches the municipality's, and young
    municipalities (share below the national one) get more 20-29-year-olds (students), e.g. Aarhus.
    """
    nat = P.NATIONAL_AGE_2019 / P.NATIONAL_AGE_2019.sum()
    old = np.arange(P.N_BANDS) >= P.OLD_BAND
    nat_old = nat[old].sum()
    young = np.tile(nat[~old], (len(share_65plus), 1))
    tilt = 1 + P.YOUNG_ADULT_TILT * np.clip(nat_old - share_65plus, 0, None)
    young[:, [4, 5]] *= tilt[:, None]  # bands 20-24 and 25-29 among the under-65s
    young /= young.sum(axis=1, keepdims=True)
    out = np.empty((len(share_65plus), P.N_BANDS))
    out[:, ~old] = young * (1 - share_65plus)[:, None]
    out[:, old] = (nat[old] / nat_old)[None, :] * share_65plus[:, None]
    return out


def population(geo: Geography, *, scale: float) -> np.ndarray:
    """Population per year x municipality x sex (F, M) x band, as the mean of the four quarters.

    Each quarter's count (1 Jan, 1 Apr, 1 Jul, 1 Oct) is a whole number; their mean is what the
    population file holds (multiples of 0.25, hence the decimal comma in the CSV). Scaled by ``scale``
    so that rates stay realistic at every scale.
    """
    dist = age_distribution(geo.share_65plus)  # (M, B)
    years = np.array(P.YEARS, dtype=float)
    quarters = years[:, None] + np.arange(4)[None, :] / 4.0 - 2019.0  # (Y, 4) years from 1 Jan 2019
    growth = (1 + P.BAND_GROWTH)[None, None, :] ** quarters[:, :, None]  # (Y, 4, B)
    base = geo.population_2019[:, None] * dist * scale  # (M, B)
    sex = np.stack([1 - P.MALE_SHARE, P.MALE_SHARE])  # (S, B)
    q = base[None, None, :, None, :] * growth[:, :, None, None, :] * sex[None, None, None, :, :]
    return np.round(q).mean(axis=1)  # (Y, M, S, B)


# --- expected stays -----------------------------------------------------------------------------------------
def group_rates() -> np.ndarray:
    """Base rate per person-year (not per 1,000) per group x sex x band, national 2016 level."""
    G = len(P.GROUPS)
    rate = np.zeros((G, 2, P.N_BANDS))
    old = np.arange(P.N_BANDS) >= P.OLD_BAND
    share = np.where(old[None, :], P.AVOIDABLE_SHARE_OLD[:, None], P.AVOIDABLE_SHARE_YOUNG[:, None])
    rate[:P.N_AVOIDABLE] = (P.AVOIDABLE_RATE[None, :] * share)[:, None, :]
    rate[P.G_OTHER_RESP] = P.OTHER_RESP_RATE
    rate[P.G_INFLUENZA] = P.INFLUENZA_RATE
    rate[P.G_COVID] = P.COVID_RATE
    rate[P.G_PREGNANCY, 0] = P.PREGNANCY_RATE_F
    rate[P.G_OTHER_ACUTE] = P.OTHER_ACUTE_RATE
    rate[P.G_PLANNED] = P.PLANNED_RATE
    sex = np.array([g.sex_factor for g in P.GROUPS])  # (G, 2)
    return rate * sex[:, :, None] / 1000.0


def influenza(month_index: np.ndarray) -> np.ndarray:
    """Influenza-season intensity per month (sum of Gaussian-shaped seasons of different severity)."""
    out = np.zeros(len(month_index))
    for peak, severity in P.FLU_SEASONS:
        out += severity * np.exp(-0.5 * ((month_index - peak) / P.FLU_WIDTH_MONTHS) ** 2)
    return out


def seasonal(ms: np.ndarray) -> np.ndarray:
    """Month x group multiplier: cosine season, influenza, COVID-19 waves and restrictions, planned pattern."""
    t = np.arange(len(ms))
    cal = ms.astype(int) % 12 + 1  # calendar month 1..12
    flu = influenza(t)
    out = np.ones((len(ms), len(P.GROUPS)))
    for g, grp in enumerate(P.GROUPS):
        season = 1 + grp.season_amp * np.cos(2 * np.pi * (cal - grp.season_peak) / 12)
        out[:, g] = season * (1 + grp.flu * flu)
    out[:, P.G_PLANNED] = P.PLANNED_SEASON[cal - 1]
    covid_acute = month_series(P.COVID_ACUTE)
    kinds = np.array([g.kind for g in P.GROUPS])
    out[:, kinds != "planned"] *= covid_acute[:, None]
    out[:, P.G_PLANNED] *= month_series(P.COVID_PLANNED)
    out[:, P.G_COVID] = month_series(P.COVID_WAVES, 0.0)
    return out


def lpr3_weight(geo: Geography, ms: np.ndarray) -> np.ndarray:
    """Month x municipality share of the month on or after the region's LPR3 go-live (0..1)."""
    first = ms.astype("datetime64[D]")
    nxt = (ms + 1).astype("datetime64[D]")
    days = (nxt - first).astype(float)
    after = (nxt[:, None] - np.maximum(first[:, None], geo.lpr3_go_live[None, :])).astype(float)
    return np.clip(after / days[:, None], 0.0, 1.0)


def municipality_effects(geo: Geography, rng: np.random.Generator) -> np.ndarray:
    """Municipality x group multiplier: region level times a seeded log-normal municipality effect."""
    G = len(P.GROUPS)
    out = np.ones((geo.n, G))
    kinds = [g.kind for g in P.GROUPS]
    z = {k: rng.standard_normal(geo.n) for k in ("avoidable", "acute", "planned")}
    for g, kind in enumerate(kinds):
        sd = P.MUNICIPALITY_SD[kind]
        out[:, g] = np.exp(sd * z[kind] - sd * sd / 2)
        if kind == "avoidable":
            out[:, g] *= np.array([P.REGION_FACTOR_AVOIDABLE.get(r, 1.0) for r in geo.region])
        elif kind == "acute":
            out[:, g] *= np.array([P.REGION_FACTOR_ACUTE.get(r, 1.0) for r in geo.region])
    return out


@dataclass
class Expected:
    """Expected stays per cell (T, M, S, B, G) with and without the planted effect, plus what made them."""

    months: np.ndarray
    pop: np.ndarray  # (Y, M, S, B)
    mu_with: np.ndarray  # (T, M, S, B, G)
    mu_without: np.ndarray
    short_prob: np.ndarray  # (T, M, G) probability that a stay is shorter than 12 h
    transfer_prob: np.ndarray  # (T, M, G)
    effect_weight: np.ndarray  # (T,)
    reduction: np.ndarray  # (M,) full-effect reduction per municipality


def expected_stays(geo: Geography, pop: np.ndarray, effect, rng: np.random.Generator) -> Expected:
    """Expected hospital stays per cell, with and without the planted agreement effect."""
    ms = months()
    T = len(ms)
    year = np.arange(T) // 12
    days = ((ms + 1).astype("datetime64[D]") - ms.astype("datetime64[D]")).astype(float)
    kinds = np.array([g.kind for g in P.GROUPS])
    trend = np.stack([(1 + P.TREND_PER_YEAR[k]) ** year for k in kinds], axis=1)  # (T, G)
    season = seasonal(ms)  # (T, G)
    muni = municipality_effects(geo, rng)  # (M, G)
    rates = group_rates()  # (G, S, B)
    w3 = lpr3_weight(geo, ms)  # (T, M)
    acute = kinds != "planned"
    lpr3 = np.where(acute[None, None, :], 1 + P.LPR3_EXTRA_SHORT * w3[:, :, None], 1.0)  # (T, M, G)

    time = trend * season * (days / 365.25)[:, None]  # (T, G)
    mu = (pop[year][:, :, :, :, None]  # (T, M, S, B, 1)
          * np.transpose(rates, (1, 2, 0))[None, None]  # (1, 1, S, B, G)
          * (time[:, None, :] * muni[None, :, :] * lpr3)[:, :, None, None, :])

    # Planted effect: avoidable 65+ reduced by r_m * w(t); other acute 65+ by spillover * r_m * w(t).
    w = effect.weights(ms)
    red = np.array([float(effect.reduction.get(int(c), 0.0)) for c in geo.codes])
    rr = np.ones((T, geo.n, 1, P.N_BANDS, len(P.GROUPS)))
    old = np.arange(P.N_BANDS) >= P.OLD_BAND
    cut = w[:, None] * red[None, :]  # (T, M)
    for g, kind in enumerate(kinds):
        if kind == "avoidable":
            rr[:, :, 0, old, g] = (1 - cut)[:, :, None]
        elif kind == "acute":
            rr[:, :, 0, old, g] = (1 - effect.spillover * cut)[:, :, None]
    mu_with = mu * rr

    short = np.array([g.short_share for g in P.GROUPS])
    extra = (lpr3 - 1.0)  # (T, M, G): the added stays are all short
    short_prob = (short[None, None, :] + extra) / lpr3
    tr = np.array([P.TRANSFER_SHARE["planned" if k == "planned" else "acute"] for k in kinds])  # (G, 2)
    transfer_prob = tr[None, None, :, 0] * (1 - w3[:, :, None]) + tr[None, None, :, 1] * w3[:, :, None]
    return Expected(ms, pop, mu_with, mu, short_prob, transfer_prob, w, red)


# --- acute-bed stays --------------------------------------------------------------------------------------
@dataclass
class ExpectedStays:
    mu_with: np.ndarray  # (T, M, setting 2, referral 5)
    mu_without: np.ndarray
    home_ratio: np.ndarray  # (M,)


def expected_acute_bed_stays(geo: Geography, effect, rng: np.random.Generator, *, scale: float) -> ExpectedStays:
    """Expected municipal acute-function stays per month x municipality x setting x referral source.

    Bed stays follow capacity: beds x days x occupancy / mean stay; home-setting stays are a
    municipality-specific multiple of bed stays. GP referrals rise during the agreement in treated
    municipalities (planted effect).
    """
    ms = months()
    T = len(ms)
    days = ((ms + 1).astype("datetime64[D]") - ms.astype("datetime64[D]")).astype(float)
    build = np.array([P.CAPACITY_BUILDUP[int(str(m)[:4])] for m in ms])
    mean_bed = P.BED_STAY_MEDIAN_DAYS * np.exp(0.6 ** 2 / 2)
    bed = geo.beds[None, :] * (days * build)[:, None] * P.BED_OCCUPANCY / mean_bed * scale  # (T, M)
    med, sd = P.HOME_PER_BED_STAY
    home_ratio = np.clip(med * np.exp(sd * rng.standard_normal(geo.n)), 0.3, 3.0)
    winter = 1 + 0.08 * np.cos(2 * np.pi * (ms.astype(int) % 12) / 12)  # more stays in winter
    total = np.stack([bed, bed * home_ratio[None, :]], axis=2) * winter[:, None, None]  # (T, M, 2)
    mu = total[:, :, :, None] * P.REFERRAL_SHARES[None, None, None, :]
    treated = np.array([int(c) in effect.reduction for c in geo.codes])
    lift = 1 + effect.gp_referral_increase * effect.weights(ms)[:, None] * treated[None, :]  # (T, M)
    mu_with = mu.copy()
    mu_with[:, :, :, 1] *= lift[:, :, None]
    return ExpectedStays(mu_with, mu, home_ratio)


# --- truth --------------------------------------------------------------------------------------------------
def truth_frame(geo: Geography, exp: Expected, stays: ExpectedStays, effect) -> pd.DataFrame:
    """The true expected values per outcome x municipality x month (the content of ``truth.parquet``)."""
    ms = exp.months
    T, M = len(ms), geo.n
    old = np.arange(P.N_BANDS) >= P.OLD_BAND
    kinds = np.array([g.kind for g in P.GROUPS])
    year = np.arange(T) // 12
    pop65 = exp.pop[:, :, :, old].sum(axis=(2, 3))[year]  # (T, M)
    frames = []

    def add(outcome, with_, without, with12=None, without12=None):
        frames.append(pd.DataFrame({
            "outcome": outcome,
            "municipality_code": np.tile(geo.codes, T).astype("int16"),
            "region_code": np.tile(geo.region, T).astype("int16"),
            "month": np.repeat(ms.astype("datetime64[D]"), M),
            "treated": np.tile(np.array([int(c) in effect.reduction for c in geo.codes]), T),
            "planted_reduction": np.tile(exp.reduction, T),
            "effect_weight": np.repeat(exp.effect_weight, M),
            "population_65plus": pop65.ravel(),
            "expected_without": without.ravel(),
            "expected_with": with_.ravel(),
            "rate_ratio": np.divide(with_, without, out=np.ones_like(with_), where=without > 0).ravel(),
            "expected_without_ge12h": np.full(T * M, np.nan) if without12 is None else without12.ravel(),
            "expected_with_ge12h": np.full(T * M, np.nan) if with12 is None else with12.ravel(),
        }))

    keep = 1 - exp.short_prob  # (T, M, G)
    for name, sel in (("avoidable_65plus", kinds == "avoidable"), ("acute_65plus", kinds != "planned")):
        w = exp.mu_with[:, :, :, old][..., sel].sum(axis=(2, 3))  # (T, M, G')
        wo = exp.mu_without[:, :, :, old][..., sel].sum(axis=(2, 3))
        add(name, w.sum(axis=2), wo.sum(axis=2), (w * keep[:, :, sel]).sum(axis=2),
            (wo * keep[:, :, sel]).sum(axis=2))
    add("acute_bed_gp_referred", stays.mu_with[:, :, :, 1].sum(axis=2), stays.mu_without[:, :, :, 1].sum(axis=2))
    add("acute_bed_all", stays.mu_with.sum(axis=(2, 3)), stays.mu_without.sum(axis=(2, 3)))
    return pd.concat(frames, ignore_index=True)
