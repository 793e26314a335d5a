"""Synthetic national demo data with a known planted agreement effect (issue 3).

Real extracts never leave the region, so the product ships with demo data that behaves like the real
thing and whose truth is known. :func:`generate` writes the three extracts and the population as files in
the real formats; :func:`run_demo` then loads them through the normal ingest
(:func:`analysis.ingest.load_files`) — there is no back door into the database.

Public API
----------
``generate(out_dir, *, scale=1.0, seed=20190901, effect=None, progress=True) -> DemoFiles``
``run_demo(*, db_path, out_dir, scale=1.0, seed=20190901, progress=True) -> IngestReport``
``PlantedEffect`` (the planted effect, configurable), ``DemoFiles`` (the paths written).

Files written to ``out_dir``
----------------------------
* ``admissions_2016.parquet`` … ``admissions_2022.parquet``: one row per hospital *contact* (a transfer
  leg is a contact), canonical column names (``PRODUCT.md``), by year of admission.
* ``discharges_2016.parquet`` … ``discharges_2022.parquet``: one row per contact, by year of discharge;
  contacts still running at the end of 2022 have none (about 5,000 at scale 1: the patients in hospital
  on 31 December 2022, a realistic cut-off).
* ``akutfunktion_ophold.csv``: municipal acute-function stays as a Danish export: semicolon,
  Windows-1252, CRLF, Danish column names and codes of ``data/mapping/default.toml``
  (``ophold_id;personnoegle;kommunekode;startdato;slutdato;opholdstype;henvist_af;
  antal_lægerådgivninger;udfald;alder;koen``; ``seng/hjemme``, ``sygehus/egen_læge/lægevagt/
  hjemmepleje/andet``, ``hjem/indlagt/død/andet``, ``K/M``), dates ``dd-mm-yyyy HH:MM``; stays still
  running at the data end have empty ``slutdato`` and ``udfald``. Optional ``alder``/``koen`` included.
* ``befolkning.csv``: population ``år;kommunekode;køn;alder;folketal`` by year (2016–2022) x
  municipality x sex (K/M) x 5-year band (``0-4`` … ``90+``), UTF-8, decimal comma: the yearly value is
  the mean of four quarterly counts (DOMAIN: "the mean of the four"), so it has decimals.
* ``truth.parquet`` and ``truth.json``: the planted truth (see below). Not loaded by the ingest.

Ids are prefixed and have 9 digits (``A000123456``, ``P000012345``, ``S000000123``) so that nothing ever
looks like a CPR number (the ingest refuses files with 10-digit ddmmyy-like values). The same person key
``P…`` is used in all extracts.

How the data are made (each behaviour: source or assumption)
------------------------------------------------------------
Everything is computed per *cell* — month (2016-01..2022-12) x municipality (all 98, from
``analysis.reference.municipalities()``) x sex x 19 ESP age bands x 15 diagnosis groups — as an expected
number of hospital *stays*, then drawn as Poisson counts and expanded to rows with ``np.repeat``. No
Python loop runs per row. All numbers live in :mod:`analysis.synthetic.params`, each with its reason.

* **Population** (assumed, shaped on FOLK1A 2019): the reference's approximate 2019 population and 65+
  share per municipality (Samsø ≈ 3,700 and 35 % 65+, Aarhus ≈ 345,000 and 14 %; Midtjylland ≈ 1.32
  million, ≈ 19 % 65+; Denmark ≈ 5.8 million) spread over bands from the national 2019 structure, with
  more 20–29-year-olds in young municipalities; the 70–84 bands grow 3–4.5 % a year (the post-war cohorts),
  so the population ages slowly. Populations are multiplied by ``scale`` so rates stay realistic at
  every scale.
* **Levels and age gradient** (DOMAIN: 50–60 per 1,000 aged 65+, 80+ about 2–3 x 65–79): avoidable acute
  stays 65+ ≈ 52 per 1,000 a year nationally before the LPR3 break and ≈ 56 after it (80+ ≈ 2.6–2.9 x
  65–79), a region factor puts Midtjylland ≈ 7 % below the national level (≈ 47–52 per 1,000; DOMAIN:
  assumed 48–55); log-normal municipality
  effects (sd 0.10 avoidable, 0.06 other acute, 0.05 planned) give municipality-level variation.
* **Groups** (DOMAIN: lower respiratory and UTI the largest): among 65+ lower respiratory 38 %, UTI 17 %,
  fractures 13 %, dehydration 10 %, gastroenteritis 6 %, constipation 6 %, anaemia 5 %, social 3 %,
  pressure ulcer 2 %; codes lie inside the ``dk_preventable_65`` prefixes. Non-preventable acute groups
  (COPD/asthma, influenza, COVID-19, pregnancy and birth ``DO…`` for women 15–44, other acute with cancer
  ``DC…``, cardiovascular, injuries …) and planned admissions (arthroplasty, cancer, hernia, …) give ≈ 5 million
  contacts in 2016–2022 at scale 1 (issue 3).
* **Seasonality** (assumed): winter peaks for respiratory groups (lower respiratory ±20 %) plus influenza
  seasons of different severity (2017/18 severe, 2020/21 almost none, 2021/22 late and mild; influenza
  admissions ``DJ09``–``DJ11`` occur almost only in seasons), summer peak for dehydration (±25 %), winter
  peak for gastroenteritis; fewer planned admissions in July and December.
* **COVID-19** (DOMAIN): acute stays x 0.55 in April 2020 (towards half), recovering over the summer,
  a second dip in winter 2020/21 (x 0.76 in January 2021), and almost no influenza season 2020/21;
  planned activity postponed similarly; COVID-19 admissions (``DU071``/``DB342``) follow the waves.
  Nurses' strike summer 2021: fewer planned admissions.
* **LPR3** (verified go-live dates, ``regions.csv``: Feb 2019 Midtjylland/Hovedstaden/Sjælland, Mar
  2019 Syddanmark/Nordjylland): from go-live, 12 % more acute stays that are all shorter than 12 h
  (short-stay share ≈ 25 % → ≈ 33 %), and the share of stays split into two contacts rises from 6 % to
  14 % (planned 2 % → 5 %). "Admissions ≥ 12 h" are unaffected — the consistent definition removes the
  jump.
* **Transfers and short stays**: a split stay's second contact starts 15 min – 3.5 h after the first
  ends (< 4 h, ``TRANSFER_GAP_HOURS``) at another hospital of the region (synthetic hospital codes
  ``RM01``…). Short stays are 0.5–11.8 h.
* **Length of stay** (assumed): log-normal per group (median 2–8 days, hip fracture 7, pressure ulcer 8),
  falling 2 % a year.
* **Discharge**: destinations by age (80+: 45 % home, 38 % home care, 10 % nursing home …),
  in-hospital death 0.4–5.5 % by age and group; ``acute_bed`` where a municipal acute-bed stay follows.
  færdigbehandlet (``ready_for_discharge_at``) for 20 % (65–79) / 32 % (80+) of stays ≥ 48 h and 70 % of
  those discharged to a nursing home, waiting ≈ 1.6 days (exponential).
* **Persons and readmissions** (DOMAIN: ≈ 15 % for 65+): stays are linked one-to-one inside
  municipality x sex x age band into persons: acute stays ≥ 12 h (not cancer, birth or injury) become
  readmissions 0.5–30 days (mostly early) after an earlier stay ≥ 12 h discharged alive, so that ≈ 15 %
  of 65+ index stays (8 % under 65) are followed by an acute readmission within 30 days; further stays
  link 31–730 days apart (40 % of 65+ stays), giving people with several admissions. Nobody is admitted
  after dying. Ages along a person's stays follow one birthday (kept inside the cell's band).
* **Municipal acute functions** (DOMAIN, ``acute_bed_capacity.csv``): bed stays = beds x days x 80 %
  occupancy / mean stay (median 4.5 days), capacity built up 2016–2022; a bed stay that finds every bed
  of its municipality taken (beds x scale, at least 1) becomes a home stay — a full unit turns the citizen
  away to the acute team — so occupancy never exceeds 100 % (assumed; at scale 1 about 20 % of bed stays
  are turned away: 30 % in units of 2–3 beds, 9 % in units of 9 or more; mean occupancy is 52–77 %); home-setting stays ≈ 1.2 x bed
  stays (municipality-specific); referrals 45 % hospital, 28 % GP, 15 % out-of-hours, 8 % home care,
  4 % other; outcomes 76 % home, 16 % hospital, 4 % death, 4 % other; 80 %+ aged 65+. Hospital-referred
  stays start 0.5–6 h after a discharge (home / home care → ``acute_bed``) of the same person where one
  exists; stays ending in a hospital admission belong to the person of an acute stay starting within 24 h.
  GP advisory contacts (``antal_lægerådgivninger``) appear only in Midtjylland's 19 municipalities
  during the agreement (1 Sep 2019 – 31 Dec 2020), ≈ 9,000 at scale 1 (≈ 2.7 mio. DKK at the assumed
  300 DKK a contact).

Planted agreement effect (:class:`PlantedEffect`, default)
----------------------------------------------------------
In Midtjylland's 19 municipalities, from September 2019 (building up over 3 months) to December 2020,
avoidable acute stays 65+ are reduced by a municipality-specific share between 0 and 20 % (Odder,
Skanderborg and Hedensted none; Ringkøbing-Skjern 20 %; about 9 % pooled); all other acute stays 65+ by a
quarter of that (spill-over); GP-referred acute-bed stays rise 30 %; the effect fades linearly over 6
months after the end (5/6 in January 2021 … 1/6 in May, none from June 2021). ``truth.parquet`` holds,
per outcome (``avoidable_65plus``, ``acute_65plus``, ``acute_bed_gp_referred``, ``acute_bed_all``) x
municipality x month, the expected counts with and without the effect (and for hospital outcomes also
for stays ≥ 12 h), the rate ratio, the effect weight and the 65+ population. ``truth.json`` summarises
the pooled and per-municipality truth for the agreement period, the parameters, the realised volumes and
the dirty rows.

Counts in the truth are *stays* (first contacts of stitched stays, including stays < 12 h): the data
are Poisson draws from ``expected_with``.

Dirty rows (deliberate, about 0.035 % of all rows; each has exactly one problem)
---------------------------------------------------------------------------
Each kind: 0.01 % of the extract's rows, at least 2. Admissions: extra rows with municipality 411
(``unknown_municipality``), age 130 (``age_out_of_range``), diagnosis ``XYZ`` (``invalid_diagnosis``), and
exact repeats of real rows in the same file (``duplicate_row``). Discharges: a discharge before its
admission (``end_before_start``), ready-for-discharge after discharge (``ready_outside_stay``), a discharge
for a non-existent admission id (``discharge_without_admission``). Acute-bed stays: kommunekode 411,
startdato ``31-02-2020 10:00`` (``unparseable_date``), slutdato before startdato (``end_before_start``),
opholdstype ``ukendt`` (``invalid_value``). ``truth.json["quarantine"]`` lists every one (file, id,
reason code) and the counts per file and kind; every other row loads.

Determinism and speed
---------------------
Every random step draws from ``numpy.random.Generator(PCG64)`` streams derived from ``seed``; Parquet is
written with fixed options and no metadata, the CSVs by our own writer: the same seed gives
byte-identical files (tested). Measured on the 2-core development machine while other jobs shared it:
scale 0.1 ≈ 3.5 s, scale 1 ≈ 37 s (≈ 5.15 million contacts, 2.6 GB peak memory); the four
yearly admission and discharge files are written by two threads.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from analysis.synthetic import events, model, output
from analysis.synthetic import params as P
from analysis.synthetic.params import PlantedEffect

__all__ = ["generate", "run_demo", "PlantedEffect", "DemoFiles", "DEFAULT_SEED"]

DEFAULT_SEED = 20190901  # the agreement's first day


@dataclass
class DemoFiles:
    """Paths written by :func:`generate` (data files in the ingest's load order, then the truth)."""

    out_dir: Path
    population: list[Path] = field(default_factory=list)
    admissions: list[Path] = field(default_factory=list)
    discharges: list[Path] = field(default_factory=list)
    acute_bed_stays: list[Path] = field(default_factory=list)
    truth_parquet: Path | None = None
    truth_json: Path | None = None
    seconds: float = 0.0  # wall time of generate()
    step_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def data_files(self) -> list[Path]:
        """The extracts to load (never the truth files)."""
        return [*self.population, *self.admissions, *self.discharges, *self.acute_bed_stays]

    @property
    def all_files(self) -> list[Path]:
        return [*self.data_files, self.truth_parquet, self.truth_json]


def _rng(seed: int, stage: int) -> np.random.Generator:
    """An independent stream per stage, so that changing one stage leaves the others' draws alone."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed), stage])))


def _clean(value):
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _truth_summary(truth: pd.DataFrame, geo: model.Geography, effect: PlantedEffect) -> dict:
    ms = truth["month"].dt.strftime("%Y-%m")
    period = (ms >= effect.start[:7]) & (ms <= effect.end[:7])
    pooled, per_muni = {}, {}
    for outcome, part in truth[period & truth["treated"]].groupby("outcome", sort=True):
        w, wo = float(part["expected_with"].sum()), float(part["expected_without"].sum())
        pooled[outcome] = {"expected_with": w, "expected_without": wo, "rate_ratio": w / wo if wo else 1.0,
                           "difference": w - wo}
    part = truth[period & truth["treated"] & (truth["outcome"] == "avoidable_65plus")]
    names = dict(zip(geo.codes.tolist(), geo.names))
    for code, g in part.groupby("municipality_code", sort=True):
        w, wo = float(g["expected_with"].sum()), float(g["expected_without"].sum())
        per_muni[str(int(code))] = {"name": names[int(code)],
                                    "planted_reduction": float(g["planted_reduction"].iloc[0]),
                                    "expected_with": w, "expected_without": wo, "rate_ratio": w / wo if wo else 1.0}
    fade = truth["effect_weight"].gt(0) & ~period & truth["treated"] & (truth["outcome"] == "avoidable_65plus")
    return {"agreement_period_pooled": pooled, "agreement_period_avoidable_65plus_by_municipality": per_muni,
            "fade_period_avoidable_65plus": {
                "months": sorted(set(ms[fade])),
                "expected_with": float(truth.loc[fade, "expected_with"].sum()),
                "expected_without": float(truth.loc[fade, "expected_without"].sum())}}


def _national_rates(truth: pd.DataFrame) -> dict:
    """Expected avoidable stays 65+ per 1,000 per year, national and Midtjylland, by year."""
    t = truth[truth["outcome"] == "avoidable_65plus"].copy()
    t["year"] = t["month"].dt.year
    out = {}
    for label, part in (("national", t), ("midtjylland", t[t["region_code"] == 1082])):
        g = part.groupby("year").agg(count=("expected_with", "sum"), pop=("population_65plus", "sum"))
        out[label] = {str(y): 1000 * r["count"] / (r["pop"] / 12) for y, r in g.iterrows()}
    return out


def generate(out_dir: Path, *, scale: float = 1.0, seed: int = DEFAULT_SEED, effect: PlantedEffect | None = None,
             progress: bool = True) -> DemoFiles:
    """Write the demo extracts, the population and the truth files to ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        Folder for the files (created if needed; files of an earlier run are overwritten).
    scale : float
        Volume relative to Denmark (1.0 ≈ 5 million hospital contacts 2016–2022); the population is
        scaled too, so rates are the same at every scale. ``0.1`` for quick tests, ``4`` for benchmarks.
    seed : int
        Seed of every random step: the same seed gives byte-identical files.
    effect : PlantedEffect, optional
        The planted agreement effect; the realistic default when omitted, ``PlantedEffect.none()`` for none.
    progress : bool
        Show a progress bar (tqdm) on stderr.

    Returns
    -------
    DemoFiles
        The paths written, data files in load order, plus the truth files.
    """
    if not scale > 0:
        raise ValueError(f"scale must be a positive number, got {scale}.")
    effect = PlantedEffect() if effect is None else effect
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    steps = ["reference", "population", "expected counts", "hospital stays", "acute-bed stays",
             "admissions + discharges", "acute-bed file", "population file", "truth"]
    bar = tqdm(total=len(steps), desc="demo data", unit="step", disable=not progress)

    timings: dict[str, float] = {}
    last = [t0]

    def step(i):
        now = time.perf_counter()
        timings[steps[i]] = round(now - last[0], 3)
        last[0] = now
        bar.set_postfix_str(steps[i])
        bar.update(1)

    geo = model.load_geography()
    step(0)
    pop = model.population(geo, scale=scale)
    step(1)
    exp = model.expected_stays(geo, pop, effect, _rng(seed, 1))
    est = model.expected_acute_bed_stays(geo, effect, _rng(seed, 2), scale=scale)
    step(2)
    hs = events.draw_hospital_stays(geo, exp, _rng(seed, 3))
    step(3)
    st = events.draw_acute_bed_stays(geo, exp, est, hs, effect, _rng(seed, 4), scale=scale)
    step(4)
    dirty = output.Dirty()
    hosp = output.write_hospital_files(out, hs, geo, _rng(seed, 5), dirty)
    step(5)
    beds = output.write_acute_bed_file(out, st, geo, _rng(seed, 6), dirty)
    step(6)
    popf = output.write_population_file(out, pop, geo)
    step(7)

    truth = model.truth_frame(geo, exp, est, effect)
    truth_path = out / "truth.parquet"
    table = pa.Table.from_pandas(truth, preserve_index=False)
    output._write_parquet(table, truth_path)
    files = {**popf["files"], **hosp["files"], **beds["files"]}
    for name in files:
        files[name]["sha256"] = output.sha256(out / name)
    ms = exp.months
    old = hs.band >= P.OLD_BAND
    stats = {**hosp["stats"], **beds["stats"],
             "persons": int(max(hs.person.max(initial=0), st.person.max(initial=0))),  # numbered 1..n
             "readmission_share_65plus": hs.readmission_share_65plus,
             "short_stay_share_acute_2018": float(hs.short[(hs.t // 12 == 2) & (hs.group != P.G_PLANNED)].mean())
             if len(hs.t) else None,
             "short_stay_share_acute_2020": float(hs.short[(hs.t // 12 == 4) & (hs.group != P.G_PLANNED)].mean())
             if len(hs.t) else None,
             "avoidable_stays_65plus": int(((hs.group < P.N_AVOIDABLE) & old).sum()),
             "population_2019": float(pop[3].sum())}
    summary = {
        "generator": "analysis.synthetic", "seed": int(seed), "scale": float(scale),
        "first_month": str(ms[0]), "last_month": str(ms[-1]),
        "data_end": "2022-12-31T23:59", "counts_are": "hospital stays (first contacts of stitched stays, "
        "including stays < 12 h); *_ge12h columns: stays of at least 12 hours",
        "effect": effect.to_dict(),
        "truth": _truth_summary(truth, geo, effect),
        "expected_avoidable_65plus_per_1000": _national_rates(truth),
        "realised": stats,
        "files": files,
        "quarantine": dirty.summary(),
    }
    json_path = out / "truth.json"
    json_path.write_text(json.dumps(_clean(summary), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    step(8)
    bar.close()
    result = DemoFiles(
        out_dir=out,
        population=[out / n for n, f in files.items() if f["kind"] == "population"],
        admissions=[out / n for n, f in files.items() if f["kind"] == "admissions"],
        discharges=[out / n for n, f in files.items() if f["kind"] == "discharges"],
        acute_bed_stays=[out / n for n, f in files.items() if f["kind"] == "acute_bed_stays"],
        truth_parquet=truth_path, truth_json=json_path, seconds=time.perf_counter() - t0, step_seconds=timings)
    return result


def run_demo(*, db_path: Path, out_dir: Path, scale: float = 1.0, seed: int = DEFAULT_SEED, progress: bool = True):
    """Generate the demo files and load them through the normal ingest.

    Returns
    -------
    analysis.ingest.IngestReport
        The ingest's report; the planted dirty rows are its only quarantined rows.
    """
    from analysis.ingest import load_files

    files = generate(Path(out_dir), scale=scale, seed=seed, progress=progress)
    return load_files(files.data_files, db_path=Path(db_path), progress=progress)
