"""From expected counts to rows: hospital contacts, discharges, persons and municipal acute-bed stays.

Everything is vectorised over rows (numpy); the only Python loops run over diagnosis groups, linking
rounds or other small sets. Times are whole minutes since 2016-01-01 00:00 (int64).
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from analysis.synthetic import params as P
from analysis.synthetic.model import Expected, ExpectedStays, Geography

EPOCH = np.datetime64("2016-01-01T00:00", "m")
DATA_END = int((np.datetime64("2023-01-01T00:00", "m") - EPOCH).astype(np.int64))  # first minute after the data
MIN_PER_DAY = 1440
TIME_BITS = 23  # 2**23 minutes ~ 16 years: room for the sort key (stratum << 23) + time
# Hour of day of acute arrivals (assumed: low at night, peak late morning to evening).
ACUTE_HOURS = np.array([2, 1.6, 1.3, 1.1, 1, 1, 1.3, 2, 3.2, 4.5, 5.2, 5.4, 5.3, 5.2, 5.1, 5, 5, 4.8,
                        4.5, 4, 3.6, 3.2, 2.8, 2.4])
PLANNED_HOURS = np.array([0] * 7 + [6, 8, 6, 4, 3, 2, 1.5, 1] + [0] * 9, dtype=float)
STAY_HOURS = np.array([0.5] * 7 + [1, 2, 3, 4, 4, 4, 4, 4, 3.5, 3, 2.5, 2, 1.5, 1, 1, 0.5, 0.5])
# Hospitals per region (synthetic codes, not real SKS hospital codes): region code -> count.
HOSPITALS = {1081: ("RN", 4), 1082: ("RM", 5), 1083: ("RS", 5), 1084: ("RH", 6), 1085: ("RZ", 4)}
DESTINATIONS = ("home", "home_care", "acute_bed", "nursing_home", "other_hospital", "death", "other")
D_HOME, D_HOME_CARE, D_ACUTE_BED, D_NURSING, D_OTHER_HOSPITAL, D_DEATH, D_OTHER = range(7)


def _month_start(ms: np.ndarray) -> np.ndarray:
    return (ms.astype("datetime64[m]") - EPOCH).astype(np.int64)


def _days_in_month(ms: np.ndarray) -> np.ndarray:
    return ((ms + 1).astype("datetime64[D]") - ms.astype("datetime64[D]")).astype(np.int64)


def _choice(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right").clip(0, len(p) - 1)


def expand_cells(shape: tuple[int, ...], counts: np.ndarray) -> list[np.ndarray]:
    """Per row, the index along each axis of its cell: ``counts`` rows for each cell (C order)."""
    out = []
    for axis, size in enumerate(shape):
        idx = np.arange(size, dtype=np.int32).reshape([-1 if a == axis else 1 for a in range(len(shape))])
        out.append(np.repeat(np.broadcast_to(idx, shape).ravel(), counts))
    return out


def choice_per_row(rng: np.random.Generator, table: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Draw a column index per row from ``table[row]`` (rows of non-negative weights), vectorised."""
    cdf = np.cumsum(table, axis=1) / np.maximum(table.sum(axis=1, keepdims=True), 1e-300)
    cdf[:, -1] = 1.0 + 1e-9
    width = table.shape[1]
    flat = (np.arange(len(table))[:, None] + cdf * (1 - 1e-9)).ravel()
    pos = np.searchsorted(flat, row + rng.random(len(row)) * (1 - 1e-9), side="right") - row.astype(np.int64) * width
    return np.clip(pos, 0, width - 1)


def ages_in_band(band: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whole-year ages uniform within 5-year bands; 90+ declines geometrically up to MAX_GENERATED_AGE."""
    age = band.astype(np.int64) * 5 + rng.integers(0, 5, len(band))
    top = band == P.N_BANDS - 1
    extra = rng.geometric(0.22, int(top.sum())) - 1
    age[top] = np.minimum(90 + extra, P.MAX_GENERATED_AGE)
    return age


def times_in_month(t: np.ndarray, ms: np.ndarray, hours: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random minute in month ``t`` with the hour of day drawn from ``hours`` weights."""
    start = _month_start(ms)[t]
    day = (rng.random(len(t)) * _days_in_month(ms)[t]).astype(np.int64)
    hour = _choice(rng, hours, len(t))
    return start + day * MIN_PER_DAY + hour * 60 + rng.integers(0, 60, len(t))


def link(cand_key, cand_time, q_key, target, lo, hi, rng, *, rounds: int = 3, prefer_after: bool = False):
    """Match queries one-to-one to candidates of the same key with ``lo <= time <= hi``.

    Each query looks for the candidate whose time is closest below ``target`` (or, with
    ``prefer_after``, closest at or above it), falling back to the neighbour on the other side. A
    candidate wanted by several queries goes to one of them; the others retry in the next round (with a
    jittered target) among the remaining candidates. Returns, per query, the candidate index or -1.
    Queries are sorted before the binary search (searching a large array with unsorted queries is
    ten times slower).
    """
    n_q = len(q_key)
    chosen = np.full(n_q, -1, dtype=np.int64)
    free = np.ones(len(cand_key), dtype=bool)
    owner = np.full(len(cand_key), -1, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    ck = (cand_key.astype(np.int64) << TIME_BITS) + cand_time
    order = np.argsort(ck)  # sorted once; later rounds only drop the taken candidates
    ck, cidx = ck[order], order
    for _ in range(rounds):
        open_q = np.flatnonzero(chosen < 0)
        keep = free[cidx]
        ck, cidx = ck[keep], cidx[keep]
        if len(open_q) == 0 or len(cidx) == 0:
            break
        qk = q_key[open_q].astype(np.int64) << TIME_BITS
        tq = qk + np.clip(target[open_q], 0, (1 << TIME_BITS) - 1)
        qorder = np.argsort(tq)
        below = np.empty(len(tq), dtype=np.int64)
        below[qorder] = np.searchsorted(ck, tq[qorder], side="right") - 1
        above = below + 1
        first, second = (above, below) if prefer_after else (below, above)
        pick = np.full(len(open_q), -1, dtype=np.int64)
        q_lo, q_hi = lo[open_q], hi[open_q]
        for pos in (first, second):
            ok = (pick < 0) & (pos >= 0) & (pos < len(ck))
            p = np.where(ok, pos, 0)
            ok &= (ck[p] >> TIME_BITS) == (qk >> TIME_BITS)
            tm = ck[p] & ((1 << TIME_BITS) - 1)
            ok &= (tm >= q_lo) & (tm <= q_hi)
            pick[ok] = cidx[p[ok]]
        has = np.flatnonzero(pick >= 0)
        has = has[rng.permutation(len(has))]
        owner[pick[has]] = has  # several queries for one candidate: the last written wins
        win = has[owner[pick[has]] == has]
        chosen[open_q[win]] = pick[win]
        free[pick[win]] = False
        target = target + rng.integers(-2 * MIN_PER_DAY, 2 * MIN_PER_DAY, len(target))
    return chosen


@dataclass
class HospitalStays:
    """One row per stitched stay (its first contact), with the second contact described by ``transfer``."""

    t: np.ndarray
    m: np.ndarray
    sex: np.ndarray
    band: np.ndarray
    group: np.ndarray
    age: np.ndarray
    start: np.ndarray
    end: np.ndarray
    short: np.ndarray
    transfer: np.ndarray
    split: np.ndarray  # end of the first contact (== end when no transfer)
    gap: np.ndarray  # minutes between the contacts
    code: np.ndarray  # index into codes
    dest: np.ndarray
    ready: np.ndarray  # minutes, -1 when none
    pred: np.ndarray  # previous stay of the same person, -1 when none
    person: np.ndarray  # person number
    hospital: np.ndarray  # hospital index of the first contact
    hospital2: np.ndarray  # hospital index of the second contact
    referral: np.ndarray  # admission referral source index
    secondary: np.ndarray  # index into secondary-diagnosis combinations (0 = none)
    codes: list[str]
    hospital_codes: list[str]
    readmission_share_65plus: float


def code_table() -> tuple[list[str], list[np.ndarray], list[np.ndarray]]:
    """All codes of all groups, and per group the code indices and weights (young, old lists)."""
    codes: list[str] = []
    young, old = [], []

    def idx(cs):
        out = []
        for c in cs:
            if c not in codes:
                codes.append(c)
            out.append(codes.index(c))
        return np.array(out)

    for g in P.GROUPS:
        young.append((idx(g.codes), np.array(g.weights, float)))
        old.append((idx(g.old_codes), np.array(g.old_weights, float)) if g.old_codes else young[-1])
    return codes, young, old


def hospital_table(geo: Geography, rng: np.random.Generator) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Synthetic hospital codes, each municipality's home hospital and its region's hospital range."""
    codes: list[str] = []
    first = {}
    for r in geo.region_codes:
        prefix, k = HOSPITALS.get(int(r), (f"R{r}", 3))
        first[int(r)] = (len(codes), k)
        codes += [f"{prefix}{i:02d}" for i in range(1, k + 1)]
    lo = np.array([first[int(r)][0] for r in geo.region])
    cnt = np.array([first[int(r)][1] for r in geo.region])
    home = lo + rng.integers(0, cnt)  # each municipality's local hospital
    return codes, home, lo, cnt


SECONDARY_CODES = ("DI109", "DE119", "DJ449", "DI509", "DN189", "DF039", "DI489")


def secondary_combinations() -> list[str | None]:
    out: list[str | None] = [None] + list(SECONDARY_CODES)
    out += [f"{a};{b}" for a in SECONDARY_CODES for b in SECONDARY_CODES if a != b]
    return out


def draw_hospital_stays(geo: Geography, exp: Expected, rng: np.random.Generator) -> HospitalStays:
    """Poisson counts per cell expanded to stays, with times, lengths, codes, outcomes and persons."""
    shape = exp.mu_with.shape
    counts = rng.poisson(exp.mu_with.ravel())
    t, m, sex, band, group = expand_cells(shape, counts)
    n = len(t)
    ms = exp.months
    kinds = np.array([g.kind for g in P.GROUPS])
    planned = kinds[group] == "planned"
    age = ages_in_band(band, rng)

    # admission time: acute any hour, planned on weekday mornings
    start = times_in_month(t, ms, ACUTE_HOURS, rng)
    ps = np.flatnonzero(planned)
    start[ps] = _month_start(ms)[t[ps]] + (rng.random(len(ps)) * _days_in_month(ms)[t[ps]]).astype(np.int64) \
        * MIN_PER_DAY + _choice(rng, PLANNED_HOURS, len(ps)) * 60 + rng.integers(0, 60, len(ps))
    weekday = (start // MIN_PER_DAY + 4) % 7  # 2016-01-01 was a Friday (Monday = 0)
    shift = np.where(weekday == 5, -1, np.where(weekday == 6, 1, 0)) * planned
    start += shift * MIN_PER_DAY

    # length of stay: short (< 12 h) with the LPR3-dependent probability, else log-normal by group
    short = rng.random(n) < exp.short_prob[t, m, group]
    year = t // 12
    med = np.array([g.los_median_days for g in P.GROUPS])[group] * (1 + P.LOS_TREND_PER_YEAR) ** year
    sig = np.array([g.los_sigma for g in P.GROUPS])[group]
    los_h = np.exp(np.log(med * 24) + sig * rng.standard_normal(n))
    los_h = np.where(los_h < 12, 12 + 12 * rng.random(n), los_h)
    los_h = np.where(short, 0.5 + 11.3 * rng.random(n) ** 1.3, los_h)
    los = np.maximum(np.round(los_h * 60).astype(np.int64), 20)

    transfer = (rng.random(n) < exp.transfer_prob[t, m, group]) & (los >= 6 * 60)
    gap = np.where(transfer, np.round(60 * rng.uniform(*P.TRANSFER_GAP_HOURS, n)).astype(np.int64), 0)
    frac = rng.uniform(0.2, 0.7, n)
    split = np.where(transfer, start + np.round(frac * (los - gap)).astype(np.int64), start + los)
    end = start + los

    # diagnosis codes per group (young and 50+ lists for other acute): one weight row per group x list
    codes, young, oldl = code_table()
    G = len(P.GROUPS)
    width = max(len(tb[0]) for tb in young + oldl)
    weights = np.zeros((2 * G, width))
    code_of = np.zeros((2 * G, width), dtype=np.int64)
    for g in range(G):
        for j, tb in enumerate((young[g], oldl[g])):
            weights[2 * g + j, :len(tb[0])] = tb[1]
            code_of[2 * g + j, :len(tb[0])] = tb[0]
    row = 2 * group + (band >= P.OLD_CODES_FROM_BAND)
    code = code_of[row, choice_per_row(rng, weights, row)]
    code_arr = np.array(codes)
    no_readmit = np.array([c.startswith(("DC", "DO", "DS", "DT")) for c in codes])  # cancer, birth, injury

    # discharge destination of the stay (death drawn first; acute_bed set later where a stay follows)
    age_class = np.where(band >= P.BAND_80, 2, np.where(band >= P.OLD_BAND, 1, 0))
    death_p = np.array([P.DEATH_RISK[k] for k in (0, 1, 2)])[age_class] * \
        np.array([g.death_factor for g in P.GROUPS])[group]
    dest = np.full(n, D_HOME, dtype=np.int64)
    for k in (0, 1, 2):
        sel = np.flatnonzero(age_class == k)
        pick = _choice(rng, P.DESTINATION_SHARES[k], len(sel))
        dest[sel] = np.array([D_HOME, D_HOME_CARE, D_NURSING, D_OTHER])[pick]
    dest[rng.random(n) < death_p] = D_DEATH

    # persons: 30-day readmissions and longer repeat stays link stays one-to-one inside
    # municipality x sex x band; a stay has at most one predecessor and one successor
    stratum = (m * 2 + sex) * P.N_BANDS + band
    pred = np.full(n, -1, dtype=np.int64)
    old = band >= P.OLD_BAND
    cand = np.flatnonzero(~short & (dest != D_DEATH) & (end < DATA_END))
    qual = np.flatnonzero(~planned & ~short & ~no_readmit[code])
    in_window = (end[cand] < DATA_END - 30 * MIN_PER_DAY)
    share = np.empty(len(qual))
    for is_old, key in ((True, "old"), (False, "young")):
        n_idx = np.sum(in_window & (old[cand] == is_old))
        n_q = max(1, np.sum(old[qual] == is_old))
        share[old[qual] == is_old] = min(0.9, P.READMISSION_TARGET[key] * n_idx / n_q)
    # designate readmissions, link them, and top up where sparse strata left index stays unmatched
    # (matters at small scales): two rounds aiming at the target share per age class
    n_idx = {True: int(np.sum(in_window & old[cand])), False: int(np.sum(in_window & ~old[cand]))}
    open_q = np.ones(len(qual), dtype=bool)
    for _ in range(2):
        q = qual[open_q & (rng.random(len(qual)) < share)]
        gap_days = -P.READMISSION_GAP_MEAN_DAYS * np.log(
            1 - rng.random(len(q)) * (1 - np.exp(-29.5 / P.READMISSION_GAP_MEAN_DAYS))) + 0.5
        tgt = start[q] - np.round(gap_days * MIN_PER_DAY).astype(np.int64)
        used = np.zeros(n, dtype=bool)
        used[pred[pred >= 0]] = True
        c_ok = cand[~used[cand]]
        got = link(stratum[c_ok], end[c_ok], stratum[q], tgt, start[q] - 30 * MIN_PER_DAY,
                   start[q] - 12 * 60, rng)
        ok = got >= 0
        pred[q[ok]] = c_ok[got[ok]]
        open_q = pred[qual] < 0
        success = max(ok.mean() if len(ok) else 1.0, 0.2)
        for is_old, key in ((True, "old"), (False, "young")):
            done = int(np.sum((pred[qual] >= 0) & (old[qual] == is_old)))
            missing = P.READMISSION_TARGET[key] * n_idx[is_old] - done
            rest = max(1, int(np.sum(open_q & (old[qual] == is_old))))
            share[old[qual] == is_old] = min(0.9, max(0.0, missing / rest / success))

    has_succ = np.zeros(n, dtype=bool)
    has_succ[pred[pred >= 0]] = True
    cand2 = np.flatnonzero((dest != D_DEATH) & ~has_succ & (end < DATA_END))
    rep = np.where(old, P.REPEAT_SHARE["old"], P.REPEAT_SHARE["young"])
    q2 = np.flatnonzero((pred < 0) & (rng.random(n) < rep))
    tgt2 = start[q2] - rng.integers(31 * MIN_PER_DAY, 730 * MIN_PER_DAY, len(q2))
    got2 = link(stratum[cand2], end[cand2], stratum[q2], tgt2, start[q2] - 730 * MIN_PER_DAY,
                start[q2] - 31 * MIN_PER_DAY, rng)
    ok2 = got2 >= 0
    pred[q2[ok2]] = cand2[got2[ok2]]

    root = np.where(pred >= 0, pred, np.arange(n))
    while True:
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    # ages along a person's stays: from the first stay's age and a random birthday, kept inside the band
    birth = start[root] - (age[root] * 365.25 + rng.random(n)[root] * 365) * MIN_PER_DAY
    lo_age = band * 5
    hi_age = np.where(band == P.N_BANDS - 1, P.MAX_GENERATED_AGE, band * 5 + 4)
    linked = root != np.arange(n)
    age = np.where(linked, np.clip(((start - birth) / (365.25 * MIN_PER_DAY)).astype(np.int64), lo_age, hi_age),
                   age)
    roots = np.flatnonzero(~linked)
    person_of_root = np.empty(n, dtype=np.int64)
    person_of_root[roots] = rng.permutation(len(roots)) + 1
    person = person_of_root[root]

    # realised readmission share among 65+ index stays (>= 12 h, alive, not in the last 30 days)
    idx65 = cand[old[cand] & in_window]
    succ = np.full(n, -1, dtype=np.int64)
    succ[pred[pred >= 0]] = np.flatnonzero(pred >= 0)
    s = succ[idx65]
    readm = (s >= 0) & ~planned[np.maximum(s, 0)] & ~short[np.maximum(s, 0)] & \
        (start[np.maximum(s, 0)] - end[idx65] <= 30 * MIN_PER_DAY)
    readmission_share = float(readm.mean()) if len(idx65) else float("nan")

    # færdigbehandlet: a share of older patients' stays >= 48 h wait some days after being ready
    ready = np.full(n, -1, dtype=np.int64)
    long_old = (age_class >= 1) & (los >= 48 * 60) & (dest != D_DEATH)
    p_ready = np.where(age_class == 2, P.READY_SHARE[2], P.READY_SHARE[1])
    p_ready = np.where(dest == D_NURSING, 0.7, p_ready)
    rsel = np.flatnonzero(long_old & (rng.random(n) < p_ready))
    last_start = np.where(transfer, split + gap, start)
    wait = np.round(rng.exponential(P.READY_WAIT_MEAN_DAYS, len(rsel)) * MIN_PER_DAY).astype(np.int64)
    wait = np.minimum(wait, (0.8 * (end[rsel] - last_start[rsel])).astype(np.int64))
    ready[rsel] = end[rsel] - np.maximum(wait, 60)
    ready[rsel] = np.maximum(ready[rsel], last_start[rsel])

    # hospitals: mostly the local one; a transfer goes to another hospital of the region
    hosp_codes, home, lo_h, cnt_h = hospital_table(geo, rng)
    hospital = np.where(rng.random(n) < 0.85, home[m], lo_h[m] + rng.integers(0, 1 << 30, n) % cnt_h[m])
    hospital2 = lo_h[m] + (hospital - lo_h[m] + 1 + rng.integers(0, 1 << 30, n) % (cnt_h[m] - 1)) % cnt_h[m]

    referral = np.where(planned, _choice(rng, [0.5, 0, 0, 0.45, 0.05], n), _choice(rng, [0.35, 0.25, 0.30, 0, 0.10], n))
    n_sec = np.where(old, _choice(rng, [0.4, 0.35, 0.25], n), _choice(rng, [0.85, 0.12, 0.03], n))
    k = len(SECONDARY_CODES)
    a = rng.integers(0, k, n)
    b = (a + 1 + rng.integers(0, k - 1, n)) % k
    secondary = np.where(n_sec == 0, 0, np.where(n_sec == 1, 1 + a, 1 + k + a * (k - 1) + np.where(b > a, b - 1, b)))

    return HospitalStays(t, m, sex, band, group, age, start, end, short, transfer, split, gap, code, dest,
                         ready, pred, person, hospital, hospital2, referral, secondary, list(code_arr),
                         hosp_codes, readmission_share)


ADMISSION_REFERRALS = ("gp", "out_of_hours", "emergency", "hospital", "other")


@dataclass
class AcuteBedStays:
    t: np.ndarray
    m: np.ndarray
    setting: np.ndarray  # 0 bed, 1 home
    referral: np.ndarray  # index into P.REFERRAL_SOURCES
    sex: np.ndarray
    age: np.ndarray
    start: np.ndarray
    end: np.ndarray  # -1 while ongoing
    outcome: np.ndarray  # index into P.STAY_OUTCOMES, -1 while ongoing
    person: np.ndarray
    advice: np.ndarray
    linked_admission: np.ndarray  # hospital stay before (hospital-referred) or after (outcome hospital), -1


def turn_away_when_full(setting: np.ndarray, m: np.ndarray, start: np.ndarray, end: np.ndarray,
                        beds: np.ndarray) -> np.ndarray:
    """``setting`` with every bed stay (0) that finds all ``beds[m]`` beds of its municipality taken made a
    home stay (1): a full unit turns the citizen away and the acute team treats at home instead, so no more
    citizens lie in the beds than there are beds (the expected counts aim at 80 % occupancy on average, but
    arrivals are random and a 2-bed unit would otherwise often hold 3 or 4). A bed is free from ``end`` on."""
    out = setting.copy()
    bed = np.flatnonzero(setting == 0)
    occupied: dict[int, list[int]] = {}
    for i in bed[np.lexsort((start[bed], m[bed]))].tolist():  # by municipality, then start
        ends = occupied.setdefault(int(m[i]), [])
        while ends and ends[0] <= start[i]:
            heapq.heappop(ends)
        if len(ends) < beds[m[i]]:
            heapq.heappush(ends, int(end[i]))
        else:
            out[i] = 1
    return out


def draw_acute_bed_stays(geo: Geography, exp: Expected, est: ExpectedStays, hs: HospitalStays, effect,
                         rng: np.random.Generator, *, scale: float) -> AcuteBedStays:
    """Municipal acute-function stays, linked to the hospital stays of the same persons where they meet."""
    shape = est.mu_with.shape
    counts = rng.poisson(est.mu_with.ravel())
    t, m, setting, referral = expand_cells(shape, counts)
    n = len(t)
    ms = exp.months
    year = t // 12

    # sex and band from the municipality's population that year, weighted by use per inhabitant
    w = exp.pop * P.STAY_AGE_WEIGHT[None, None, None, :]  # (Y, M, S, B)
    Y, M = w.shape[:2]
    w = w.reshape(Y * M, -1)
    cdf = np.cumsum(w, axis=1) / np.maximum(w.sum(axis=1, keepdims=True), 1e-12)
    cdf[:, -1] = 1.0
    row = year * M + m
    flat = (np.arange(Y * M)[:, None] + cdf).ravel()
    pos = np.searchsorted(flat, row + rng.random(n) * (1 - 1e-12), side="right") - row * cdf.shape[1]
    pos = np.clip(pos, 0, cdf.shape[1] - 1)
    sex, band = pos // P.N_BANDS, pos % P.N_BANDS
    age = ages_in_band(band, rng)

    start = times_in_month(t, ms, STAY_HOURS, rng)
    med = np.where(setting == 0, P.BED_STAY_MEDIAN_DAYS, P.HOME_STAY_MEDIAN_DAYS)
    los = np.clip(np.exp(np.log(med * MIN_PER_DAY) + 0.6 * rng.standard_normal(n)), 4 * 60, 30 * MIN_PER_DAY)
    los = np.round(los).astype(np.int64)
    outcome = _choice(rng, P.STAY_OUTCOME_SHARES, n)
    person = np.full(n, -1, dtype=np.int64)
    linked = np.full(n, -1, dtype=np.int64)
    # link inside municipality x age class (<65, 65-79, 80+); a linked stay takes the person's sex and age
    stratum = m * 3 + (band >= P.OLD_BAND) + (band >= P.BAND_80)
    h_stratum = hs.m * 3 + (hs.band >= P.OLD_BAND) + (hs.band >= P.BAND_80)
    succ = np.full(len(hs.t), -1, dtype=np.int64)
    succ[hs.pred[hs.pred >= 0]] = np.flatnonzero(hs.pred >= 0)

    # hospital-referred stays start 0.5-6 h after a hospital discharge (home / home care) of the stratum
    q = np.flatnonzero(referral == 0)
    cand = np.flatnonzero(np.isin(hs.dest, (D_HOME, D_HOME_CARE)) & (hs.end < DATA_END) & (hs.band >= 4))
    got = link(h_stratum[cand], hs.end[cand], stratum[q], start[q], start[q] - 10 * MIN_PER_DAY, start[q], rng)
    ok = got >= 0
    qi, ci = q[ok], cand[got[ok]]
    new_start = hs.end[ci] + rng.integers(30, 360, len(ci))
    nxt = succ[ci]
    clash = (nxt >= 0) & (hs.start[np.maximum(nxt, 0)] <= new_start + los[qi])
    qi, ci, new_start = qi[~clash], ci[~clash], new_start[~clash]
    start[qi] = new_start
    person[qi] = hs.person[ci]
    age[qi], sex[qi] = hs.age[ci], hs.sex[ci]
    linked[qi] = ci
    hs.dest[ci] = D_ACUTE_BED
    # a person with a later hospital stay cannot die in this acute-bed stay
    later = succ[ci] >= 0
    outcome[qi[later & (outcome[qi] == 2)]] = 0
    end = start + los
    setting = turn_away_when_full(setting, m, start, end, np.maximum(1, np.ceil(geo.beds * scale)))

    # stays ending in a hospital admission: the person of an acute stay starting within 24 h after the end
    q2 = np.flatnonzero((referral != 0) & (outcome == 1) & (end < DATA_END))
    acute = np.array([g.kind != "planned" for g in P.GROUPS])[hs.group]
    pred_end = np.where(hs.pred >= 0, hs.end[np.maximum(hs.pred, 0)], -1)
    cand2 = np.flatnonzero(acute)
    got2 = link(h_stratum[cand2], hs.start[cand2], stratum[q2], end[q2], end[q2], end[q2] + MIN_PER_DAY, rng,
                prefer_after=True)
    ok2 = got2 >= 0
    qi2, ci2 = q2[ok2], cand2[got2[ok2]]
    fine = pred_end[ci2] < start[qi2]
    qi2, ci2 = qi2[fine], ci2[fine]
    person[qi2] = hs.person[ci2]
    age[qi2], sex[qi2] = hs.age[ci2], hs.sex[ci2]
    linked[qi2] = ci2

    # everyone else is a person without a hospital stay in the data
    fresh = np.flatnonzero(person < 0)
    person[fresh] = int(hs.person.max(initial=0)) + 1 + rng.permutation(len(fresh))

    ongoing = end >= DATA_END
    end = np.where(ongoing, -1, end)
    outcome = np.where(ongoing, -1, outcome)

    # GP advisory contacts: only in the agreement's municipalities and period
    a_start = int((np.datetime64(effect.start, "m") - EPOCH).astype(np.int64))
    a_end = int((np.datetime64(effect.end, "D") + 1 - np.datetime64("2016-01-01", "D")).astype(np.int64)) * MIN_PER_DAY
    treated = np.isin(geo.codes[m], np.array(sorted(effect.reduction), dtype=np.int64))
    during = treated & (start >= a_start) & (start < a_end)
    rel = P.ADVICE_RELATIVE[referral]
    total_rel = est.mu_with[:, :, :, :][:, np.isin(geo.codes, list(effect.reduction))]
    # expected relative weight in the period: sum over months in the period of mu x relative weight
    in_period = (ms >= np.datetime64(effect.start[:7], "M")) & (ms <= np.datetime64(effect.end[:7], "M"))
    expected_rel = float((total_rel[in_period] * P.ADVICE_RELATIVE[None, None, None, :]).sum())
    lam = effect.advice_contacts * scale / expected_rel if expected_rel > 0 else 0.0
    advice = np.where(during, rng.poisson(lam * rel), 0)
    return AcuteBedStays(t, m, setting, referral, sex, age, start, end, outcome, person, advice, linked)
