"""Derived tables: episodes, readmissions, acute-bed links and the monthly cubes the pages read.

``rebuild_derived(con, code_lists=..., data_end=...)`` (re)creates every table below inside the caller's
read-write connection and transaction (``CREATE OR REPLACE TABLE``), from the canonical tables of
``analysis.schema`` (``admissions``, ``discharges``, ``acute_bed_stays``, ``population``). It is run after
every load. Everything is set-based DuckDB SQL (window functions, hash/ASOF joins, group-bys); values
travel as ``$name`` parameters, never pasted into SQL. Times are naive local timestamps as loaded.

Tables
------
``code_lists``
    The diagnosis code lists used, as given (``list, group, prefix, label_da, label_en, source,
    verified, version``); ``prefix`` is upper-cased with dots and spaces removed (SKS form, ``DJ18``).
``age_bands``
    ``age_band, age_from, age_to, band_order, age_group``: the ESP 2013 5-year bands of
    ``constants.AGE_BANDS`` (``'0-4'`` ... ``'85-89'``, ``'90+'`` = 90-120) and the coarse group
    (``'0-64'``, ``'65-79'``, ``'80+'``) each lies in. Pages sort bands on ``band_order``.
``diagnosis_groups``
    One row per distinct ``admissions.primary_diagnosis``: ``diagnosis``, ``preventable_group``
    (``dk_preventable_65``), ``copd_addon_group`` (``dk_preventable_65_copd``), ``oecd_group``
    (``oecd_pqi``), ``acsc_group`` (``acsc_purdy2009``), ``chronic_group`` (``chronic_copd`` and
    ``chronic_diabetes2`` together), ``readmission_excluded`` (in ``readmission_exclusion``).
    Matching rule: the longest prefix of the list that the code starts with wins (ties: the
    alphabetically first group), so a code has at most one group per list. No age/acute condition here.
``episodes``
    One row per stay (LPR3-consistent admission episode). A person's contacts (``admissions`` left
    join ``discharges``), ordered by ``admitted_at, admission_id``, belong to the running episode when
    the contact starts at most ``TRANSFER_GAP_HOURS`` (4 h; exactly 4 h joins) after the latest
    discharge so far of that episode, or overlaps it; otherwise a new episode starts. A contact with no
    discharge yet is ongoing: it reaches to the end of data, so every later contact of the person
    joins its episode.

    ``episode_id`` the first contact's ``admission_id``; ``person_id``; ``municipality_code``,
    ``sex``, ``age``, ``admitted_at``, ``is_acute`` (``admission_type = 'acute'``) and
    ``primary_diagnosis``: of the first contact (earliest ``admitted_at``, then ``admission_id``);
    ``discharged_at``: latest discharge, NULL if any contact is ongoing; ``n_contacts``;
    ``los_hours`` (double; NULL while ongoing) and ``los_days`` = ``los_hours / 24``;
    ``is_admission``: ``los_hours >= MIN_ADMISSION_HOURS`` (12 h; exactly 12 h counts), ongoing
    episodes count as admissions; ``ready_for_discharge_at``, ``discharge_destination``: of the last
    contact (the one discharged last, an ongoing one counting as last; ties: the later admitted);
    ``faerdig_days`` (færdigbehandlingsdage, days waiting after being ready for discharge): days
    from ``ready_for_discharge_at`` to ``discharged_at``, at least 0, 0 when either is missing
    (so 0 while ongoing); ``died``: ``discharge_destination = 'death'``; ``month``: first day of the
    month of ``admitted_at`` (DATE); ``year``; ``age_band``; ``avoidable_group``: the
    ``dk_preventable_65`` group when ``is_acute`` and ``age >= AVOIDABLE_MIN_AGE`` (65), else NULL —
    acute *stays* as the national indicator counts them, short stays included (filter on
    ``is_admission`` for "admissions >= 12 h only"); ``copd_addon_group``: the
    ``dk_preventable_65_copd`` group (optional COPD addition to the respiratory group) under the same
    acute 65+ condition; ``code_list_version``: the version(s) of ``dk_preventable_65`` used
    (';'-joined when several); ``oecd_group``, ``acsc_group``, ``chronic_group``: the groups of those
    lists by primary diagnosis only (no age/acute condition: the pages apply each indicator's own
    population); ``readmission_excluded``: primary diagnosis in ``readmission_exclusion`` (cancer,
    hospice, childbirth, injuries ...).

    Readmission columns (``READMISSION_WINDOW_DAYS`` = 30):
    ``is_readmission_index``: ``is_admission``, discharged (``discharged_at`` not NULL), alive
    (not ``died``) and not ``readmission_excluded``; ``readmission_censored``: an index discharged
    later than ``data_end - 30 days`` (its 30-day window is not fully observed; false for non-index
    episodes); ``readmitted_30d``: for uncensored indexes, whether a later episode of the same person
    that is acute, an admission and not excluded starts 0-30 days after the index discharge (exactly
    30 x 24 h counts); NULL for non-index and censored episodes; ``days_to_readmission``: days from
    the index discharge to that readmission, when ``readmitted_30d``; ``is_readmission``: this episode
    is acute, an admission, not excluded and starts within 30 days of the discharge of an earlier
    index episode of the person (regardless of censoring). An episode can be both index and
    readmission.
``acute_bed_stay_links``
    One row per municipal acute-function stay: ``stay_id, municipality_code, started_at, ended_at,
    month`` (of ``started_at``), ``setting, referral_source, outcome, gp_advice_contacts, age,
    age_band`` (NULL when age is unknown), ``sex``, ``stay_days`` (NULL while ongoing),
    ``days_to_acute_episode`` (days from ``ended_at`` to the first acute episode of the person starting
    at or after ``ended_at``), ``admitted_within_7d`` / ``admitted_within_30d`` (such an episode
    starts 0-7 resp. 0-30 days after ``ended_at``, exact end points count; NULL for ongoing stays).
    Any acute episode counts (short stays too), as in the ``episodes`` table.

Monthly cubes (pages read these, never person-level rows). Each is stored sorted by municipality and
month, so a query for a few municipalities reads only their row groups (DuckDB's min/max zone maps). At national scale (about 5 M contacts,
98 municipalities, 7 years) month x municipality x sex x age band alone has about 0.3 M occupied cells,
so each cube carries only the keys its pages need; the measures are additive, so any filter is a
``sum`` over the cube.

``agg_episodes_month``
    Keys ``month, year, municipality_code, sex, age_band, is_acute, is_admission, avoidable_group,
    copd_addon_group``; measures ``episodes`` (count), ``bed_days`` (sum ``los_days``),
    ``los_hours_sum``, ``los_known`` (episodes with a known LOS), ``faerdig_days`` (sum), ``deaths``,
    ``readmission_index`` (uncensored indexes), ``readmitted`` (of those, readmitted within 30 days),
    ``readmissions`` (episodes that are readmissions). Readmission measures sit in the index
    episode's admission month; ``readmissions`` in the readmission's own month.
``agg_diagnosis_lists_month``
    The comparison lists, for acute episodes with a group in at least one of them: keys ``month, year,
    municipality_code, sex, age_band, is_admission, oecd_group, acsc_group, chronic_group``; measures
    ``episodes, bed_days, los_known, readmission_index, readmitted``.
``agg_discharge_month``
    How people are discharged: keys ``month, year, municipality_code, age_group`` (coarse:
    ``AGE_GROUPS_COARSE`` = 0-64, 65-79, 80+), ``is_acute, is_admission, discharge_destination``
    (NULL = ongoing); measures ``episodes, bed_days, los_known, faerdig_days, faerdig_episodes``
    (episodes with ``faerdig_days > 0``), ``deaths``.
``agg_los_hist_month``
    Keys ``month, municipality_code, age_group`` (coarse), ``is_acute, avoidable_group,
    copd_addon_group, los_day`` (``floor(los_days)``, capped at ``LOS_HIST_CAP_DAYS`` = 60 meaning
    60+); measure ``episodes``. Only ``is_admission`` episodes with a known LOS. Median and
    percentiles for any filter come from the cumulative counts.
``agg_acute_bed_month``
    Keys ``month, municipality_code, setting, referral_source, outcome, sex, age_band``; measures
    ``stays``, ``stay_days`` (sum, finished stays), ``gp_advice_contacts`` (sum),
    ``admitted_within_7d``, ``admitted_within_30d`` (counts), ``ongoing`` (count).
``agg_acute_bed_occupancy_month``
    ``month, municipality_code, setting, bed_days, stays``: days occupied within each calendar month
    (each stay's time is split at month boundaries: exact overlap of ``[started_at, ended_at)`` with
    the month, in days; ongoing stays count up to ``data_end``), and the number of stays present.
``agg_population_year``
    ``year, municipality_code, sex, age_band, population``: ``population`` summed into the ESP bands.
    Single years and 5-year bands (and 90-120) fall into the band that contains them; a source band
    that straddles two ESP bands gets ``age_band`` NULL (kept, never dropped).
``agg_events_per_person_year``
    How often the same person is counted, for the interval of a directly standardised rate when events
    are not independent (people admitted more than once): keys ``year, municipality_code, sex,
    age_band, measure, grp, events_per_person``; measure ``people`` (persons with exactly that many
    events in the calendar year, within the stratum). ``measure`` is ``acute`` (acute stays, the
    ``acute_per_1000`` indicator) or a definition id (``dk_preventable_65``, ``oecd_pqi``,
    ``acsc_purdy2009``: acute stays in one of its groups); ``grp`` is the diagnosis group, NULL for all
    groups of the definition together (a person's stays in different groups add up there). A person who
    changes age band or municipality within a year is counted in each stratum separately.
``data_quality``
    Checks on the open stays (no discharge), for the Data page: ``check_id, n``. ``open_stays``: stays
    without a discharge (still admitted at the data end, or a discharge that is missing);
    ``open_stays_suspect``: of those, stays that began more than ``OPEN_STAY_SUSPECT_DAYS`` (90) days
    before the data end — rare in somatic acute care, so probably a missing discharge;
    ``contacts_merged_into_suspect``: later contacts of the same person merged into those stays (an open
    stay reaches to the data end, so it swallows them and the admissions are undercounted);
    ``admissions_discharge_quarantined``: admissions without a discharge whose discharge row is in the
    quarantine (the likely cause: correct those rows and load the file again).
``derived_meta``
    One row per derived table: ``table_name, n_rows, built_at, data_end, code_list_version``.

``data_end`` defaults to ``max(admissions.admitted_at)``; without admissions, to the latest time in
``acute_bed_stays``.
"""
from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from analysis import constants

__all__ = [
    "AGE_GROUPS_COARSE",
    "CODE_LIST_COLUMNS",
    "DERIVED_TABLES",
    "LOS_HIST_CAP_DAYS",
    "DerivedTablesError",
    "rebuild_derived",
]

CODE_LIST_COLUMNS = ("list", "group", "prefix", "label_da", "label_en", "source", "verified", "version")
LOS_HIST_CAP_DAYS = 60  # LOS histogram bins 0..59 days and "60+": beyond two months percentiles hardly move
# Coarse age groups for the cubes that cannot afford 19 bands x sex at national scale (discharge, LOS):
# under 65 / the indicator's "younger old" / 80+ (where rates are 2-3 times those of 65-79). Each
# boundary is an ESP band start, so every band lies in exactly one group.
AGE_GROUPS_COARSE = (("0-64", 0, 64), ("65-79", 65, 79), ("80+", 80, constants.MAX_AGE))

# Code-list ids (the `list` column of the reference data) and the episode column each one fills.
LIST_PREVENTABLE = "dk_preventable_65"
LIST_COPD_ADDON = "dk_preventable_65_copd"
LIST_READMISSION_EXCLUSION = "readmission_exclusion"
LIST_CHRONIC = ("chronic_copd", "chronic_diabetes2")
LIST_OECD = "oecd_pqi"
LIST_ACSC = "acsc_purdy2009"
ADMISSION_ACUTE = "acute"  # canonical admission_type of an acute contact (schema.ADMISSIONS)
DESTINATION_DEATH = "death"  # canonical discharge_destination for a death (schema.DISCHARGE_DESTINATIONS)

DERIVED_TABLES = (
    "code_lists",
    "age_bands",
    "diagnosis_groups",
    "episodes",
    "acute_bed_stay_links",
    "agg_episodes_month",
    "agg_diagnosis_lists_month",
    "agg_discharge_month",
    "agg_los_hist_month",
    "agg_acute_bed_month",
    "agg_acute_bed_occupancy_month",
    "agg_population_year",
    "agg_events_per_person_year",
    "data_quality",
    "derived_meta",
)


class DerivedTablesError(ValueError):
    """The derived tables cannot be built from what was given; the message says what to fix."""


# --- SQL --------------------------------------------------------------------------------------------
# Every value is a $parameter; the only identifiers are the fixed table names above.

_SQL_CODE_LISTS = """
CREATE OR REPLACE TABLE code_lists AS
SELECT
    CAST("list" AS VARCHAR)                                                    AS "list",
    CAST("group" AS VARCHAR)                                                   AS "group",
    upper(replace(replace(trim(CAST(prefix AS VARCHAR)), '.', ''), ' ', ''))   AS prefix,
    CAST(label_da AS VARCHAR)                                                  AS label_da,
    CAST(label_en AS VARCHAR)                                                  AS label_en,
    CAST(source AS VARCHAR)                                                    AS source,
    CASE
        WHEN lower(trim(CAST(verified AS VARCHAR))) IN ('true', 't', '1', 'yes', 'y', 'ja', 'j') THEN true
        WHEN lower(trim(CAST(verified AS VARCHAR))) IN ('false', 'f', '0', 'no', 'n', 'nej', '') THEN false
    END                                                                        AS verified,
    CAST(version AS VARCHAR)                                                   AS version
FROM _derived_code_lists_input
WHERE prefix IS NOT NULL AND trim(CAST(prefix AS VARCHAR)) <> ''
"""

_SQL_AGE_BANDS = """
CREATE OR REPLACE TABLE age_bands AS
SELECT CAST(age_band AS VARCHAR) AS age_band, CAST(age_from AS SMALLINT) AS age_from,
       CAST(age_to AS SMALLINT) AS age_to, CAST(band_order AS SMALLINT) AS band_order,
       CAST(age_group AS VARCHAR) AS age_group
FROM _derived_age_bands_input
ORDER BY band_order
"""

# single-year lookup, so that person-level rows get their band through an equi-join
_SQL_AGE_LOOKUP = """
CREATE OR REPLACE TEMP TABLE _derived_age_lookup AS
SELECT CAST(r.range AS SMALLINT) AS age, b.age_band
FROM range(CAST($min_age AS BIGINT), CAST($max_age AS BIGINT) + 1) r
JOIN age_bands b ON r.range BETWEEN b.age_from AND b.age_to
"""

_SQL_DIAGNOSIS_GROUPS = """
CREATE OR REPLACE TABLE diagnosis_groups AS
WITH dx AS (
    SELECT DISTINCT primary_diagnosis AS diagnosis FROM admissions
),
cl AS (
    SELECT "group", prefix,
        CASE
            WHEN "list" = $l_prev THEN 1
            WHEN "list" = $l_copd THEN 2
            WHEN "list" = $l_oecd THEN 3
            WHEN "list" = $l_acsc THEN 4
            WHEN list_contains($l_chronic, "list") THEN 5
            WHEN "list" = $l_excl THEN 6
        END AS slot
    FROM code_lists
),
matched AS (
    SELECT dx.diagnosis, cl.slot, cl."group",
        row_number() OVER (
            PARTITION BY dx.diagnosis, cl.slot ORDER BY length(cl.prefix) DESC, cl."group", cl.prefix
        ) AS rank_in_list
    FROM dx JOIN cl ON starts_with(dx.diagnosis, cl.prefix)
    WHERE cl.slot IS NOT NULL
)
SELECT
    dx.diagnosis,
    max(m."group") FILTER (WHERE m.slot = 1) AS preventable_group,
    max(m."group") FILTER (WHERE m.slot = 2) AS copd_addon_group,
    max(m."group") FILTER (WHERE m.slot = 3) AS oecd_group,
    max(m."group") FILTER (WHERE m.slot = 4) AS acsc_group,
    max(m."group") FILTER (WHERE m.slot = 5) AS chronic_group,
    coalesce(bool_or(m.slot = 6), false)      AS readmission_excluded
FROM dx LEFT JOIN matched m ON m.diagnosis = dx.diagnosis AND m.rank_in_list = 1
GROUP BY dx.diagnosis
"""

# Step 1: contacts with the episode boundaries (gaps and islands), one window pass over the person.
_SQL_CONTACTS = """
CREATE OR REPLACE TEMP TABLE _derived_contacts AS
WITH c AS (
    SELECT
        a.admission_id, a.person_id, a.municipality_code, a.sex, a.age, a.admitted_at,
        a.admission_type = $acute AS is_acute, a.primary_diagnosis,
        d.discharged_at, d.ready_for_discharge_at, d.discharge_destination,
        coalesce(d.discharged_at, CAST('infinity' AS TIMESTAMP)) AS end_key
    FROM admissions a LEFT JOIN discharges d ON d.admission_id = a.admission_id
),
w AS (
    SELECT *,
        max(end_key) OVER (person_order ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end,
        max(end_key) OVER (person_order ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run_end,
        lead(admitted_at) OVER person_order AS next_admitted_at,
        row_number() OVER person_order AS contact_rank
    FROM c
    WINDOW person_order AS (PARTITION BY person_id ORDER BY admitted_at, admission_id)
)
SELECT * EXCLUDE (prev_end, run_end, next_admitted_at),
    (prev_end IS NULL OR admitted_at > prev_end + $gap) AS is_start,
    (next_admitted_at IS NULL OR next_admitted_at > run_end + $gap) AS is_end
FROM w
"""

# Step 2: one row per episode. Single-contact episodes (most) come straight from their contact; the
# contacts of multi-contact episodes are numbered within the person and aggregated.
_SQL_EPISODE_BASE = """
CREATE OR REPLACE TEMP TABLE _derived_episode_base AS
WITH multi AS (
    SELECT *,
        sum(CAST(is_start AS INTEGER)) OVER (
            PARTITION BY person_id ORDER BY contact_rank ROWS UNBOUNDED PRECEDING
        ) AS episode_seq
    FROM _derived_contacts
    WHERE NOT (is_start AND is_end)
),
g AS (
    SELECT
        arg_min(struct_pack(admission_id, municipality_code, sex, age, is_acute, primary_diagnosis),
                contact_rank) AS f,
        arg_max_null(struct_pack(ready_for_discharge_at, discharge_destination),
                     struct_pack(end_key, contact_rank)) AS l,
        person_id,
        min(admitted_at) AS admitted_at,
        CASE WHEN bool_or(discharged_at IS NULL) THEN NULL ELSE max(discharged_at) END AS discharged_at,
        count(*) AS n_contacts
    FROM multi
    GROUP BY person_id, episode_seq
)
SELECT admission_id AS episode_id, person_id, municipality_code, sex, age, admitted_at, discharged_at,
       is_acute, primary_diagnosis, CAST(1 AS BIGINT) AS n_contacts, ready_for_discharge_at,
       discharge_destination
FROM _derived_contacts
WHERE is_start AND is_end
UNION ALL
SELECT f.admission_id, person_id, f.municipality_code, f.sex, f.age, admitted_at, discharged_at,
       f.is_acute, f.primary_diagnosis, n_contacts, l.ready_for_discharge_at, l.discharge_destination
FROM g
"""

# Step 3: episode measures and groups, then the readmission windows over the person's episodes.
_SQL_EPISODES = """
CREATE OR REPLACE TABLE episodes AS
WITH e AS (
    SELECT
        b.*,
        (epoch_us(b.discharged_at) - epoch_us(b.admitted_at)) / 3600e6 AS los_hours,
        (epoch_us(b.discharged_at) - epoch_us(b.admitted_at)) / 86400e6 AS los_days,
        (b.discharged_at IS NULL OR b.discharged_at - b.admitted_at >= $min_admission) AS is_admission,
        coalesce(greatest(
            (epoch_us(b.discharged_at) - epoch_us(b.ready_for_discharge_at)) / 86400e6, 0.0
        ), 0.0) AS faerdig_days,
        coalesce(b.discharge_destination = $death, false) AS died,
        CAST(date_trunc('month', b.admitted_at) AS DATE) AS month,
        CAST(year(b.admitted_at) AS SMALLINT) AS year,
        al.age_band,
        CASE WHEN b.is_acute AND b.age >= $avoidable_min_age THEN dg.preventable_group END AS avoidable_group,
        CASE WHEN b.is_acute AND b.age >= $avoidable_min_age THEN dg.copd_addon_group END AS copd_addon_group,
        CAST($code_list_version AS VARCHAR) AS code_list_version,
        dg.oecd_group,
        dg.acsc_group,
        dg.chronic_group,
        coalesce(dg.readmission_excluded, false) AS readmission_excluded
    FROM _derived_episode_base b
    LEFT JOIN diagnosis_groups dg ON dg.diagnosis = b.primary_diagnosis
    LEFT JOIN _derived_age_lookup al ON al.age = b.age
),
r AS (
    SELECT *,
        (is_admission AND discharged_at IS NOT NULL AND NOT died AND NOT readmission_excluded)
            AS is_readmission_index,
        (is_acute AND is_admission AND NOT readmission_excluded) AS is_readmission_candidate
    FROM e
),
w AS (
    SELECT *,
        min(CASE WHEN is_readmission_candidate THEN admitted_at END) OVER (
            person_order ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING
        ) AS next_candidate_at,
        max(CASE WHEN is_readmission_index THEN discharged_at END) OVER (
            person_order ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS prev_index_discharged_at
    FROM r
    WINDOW person_order AS (PARTITION BY person_id ORDER BY admitted_at, episode_id)
),
x AS (
    SELECT *,
        coalesce(is_readmission_index AND discharged_at > CAST($data_end AS TIMESTAMP) - $window, false)
            AS censored_,
        coalesce(next_candidate_at >= discharged_at AND next_candidate_at <= discharged_at + $window, false)
            AS within_window_
    FROM w
)
SELECT
    episode_id, person_id, municipality_code, sex, age, age_band, admitted_at, discharged_at,
    month, year, is_acute, primary_diagnosis, n_contacts, los_hours, los_days, is_admission,
    ready_for_discharge_at, faerdig_days, discharge_destination, died,
    avoidable_group, copd_addon_group, code_list_version, oecd_group, acsc_group, chronic_group,
    readmission_excluded,
    is_readmission_index,
    censored_ AS readmission_censored,
    CASE WHEN is_readmission_index AND NOT censored_ THEN within_window_ END AS readmitted_30d,
    CASE WHEN is_readmission_index AND NOT censored_ AND within_window_
         THEN (epoch_us(next_candidate_at) - epoch_us(discharged_at)) / 86400e6 END AS days_to_readmission,
    coalesce(is_readmission_candidate AND admitted_at >= prev_index_discharged_at
             AND admitted_at <= prev_index_discharged_at + $window, false) AS is_readmission
FROM x
"""

_SQL_ACUTE_BED_LINKS = """
CREATE OR REPLACE TABLE acute_bed_stay_links AS
WITH acute_episodes AS (
    SELECT person_id, admitted_at FROM episodes WHERE is_acute
),
nxt AS (
    SELECT s.stay_id, e.admitted_at AS next_acute_at
    FROM acute_bed_stays s
    ASOF LEFT JOIN acute_episodes e ON e.person_id = s.person_id AND e.admitted_at >= s.ended_at
)
SELECT
    s.stay_id, s.municipality_code, s.started_at, s.ended_at,
    CAST(date_trunc('month', s.started_at) AS DATE) AS month,
    s.setting, s.referral_source, s.outcome, s.gp_advice_contacts,
    s.age, al.age_band, s.sex,
    (epoch_us(s.ended_at) - epoch_us(s.started_at)) / 86400e6 AS stay_days,
    (epoch_us(n.next_acute_at) - epoch_us(s.ended_at)) / 86400e6 AS days_to_acute_episode,
    CASE WHEN s.ended_at IS NOT NULL THEN coalesce(n.next_acute_at <= s.ended_at + $link_short, false) END
        AS admitted_within_7d,
    CASE WHEN s.ended_at IS NOT NULL THEN coalesce(n.next_acute_at <= s.ended_at + $link_long, false) END
        AS admitted_within_30d
FROM acute_bed_stays s
LEFT JOIN nxt n ON n.stay_id = s.stay_id
LEFT JOIN _derived_age_lookup al ON al.age = s.age
"""

_SQL_AGG_EPISODES = """
CREATE OR REPLACE TABLE agg_episodes_month AS
SELECT
    month, year, municipality_code, sex, age_band, is_acute, is_admission,
    avoidable_group, copd_addon_group,
    count(*) AS episodes,
    coalesce(sum(los_days), 0.0) AS bed_days,
    coalesce(sum(los_hours), 0.0) AS los_hours_sum,
    count(los_hours) AS los_known,
    sum(faerdig_days) AS faerdig_days,
    count(*) FILTER (WHERE died) AS deaths,
    count(*) FILTER (WHERE is_readmission_index AND NOT readmission_censored) AS readmission_index,
    count(*) FILTER (WHERE readmitted_30d) AS readmitted,
    count(*) FILTER (WHERE is_readmission) AS readmissions
FROM episodes
GROUP BY ALL
ORDER BY municipality_code, month
"""

_SQL_AGG_DIAGNOSIS_LISTS = """
CREATE OR REPLACE TABLE agg_diagnosis_lists_month AS
SELECT
    month, year, municipality_code, sex, age_band, is_admission, oecd_group, acsc_group, chronic_group,
    count(*) AS episodes,
    coalesce(sum(los_days), 0.0) AS bed_days,
    count(los_days) AS los_known,
    count(*) FILTER (WHERE is_readmission_index AND NOT readmission_censored) AS readmission_index,
    count(*) FILTER (WHERE readmitted_30d) AS readmitted
FROM episodes
WHERE is_acute AND (oecd_group IS NOT NULL OR acsc_group IS NOT NULL OR chronic_group IS NOT NULL)
GROUP BY ALL
ORDER BY municipality_code, month
"""

_SQL_AGG_DISCHARGE = """
CREATE OR REPLACE TABLE agg_discharge_month AS
SELECT
    e.month, e.year, e.municipality_code, b.age_group, e.is_acute, e.is_admission, e.discharge_destination,
    count(*) AS episodes,
    coalesce(sum(e.los_days), 0.0) AS bed_days,
    count(e.los_days) AS los_known,
    sum(e.faerdig_days) AS faerdig_days,
    count(*) FILTER (WHERE e.faerdig_days > 0) AS faerdig_episodes,
    count(*) FILTER (WHERE e.died) AS deaths
FROM episodes e
LEFT JOIN age_bands b ON b.age_band = e.age_band
GROUP BY ALL
ORDER BY municipality_code, month
"""

_SQL_AGG_LOS_HIST = """
CREATE OR REPLACE TABLE agg_los_hist_month AS
SELECT
    e.month, e.municipality_code, b.age_group, e.is_acute, e.avoidable_group, e.copd_addon_group,
    CAST(least(floor(e.los_days), $los_cap) AS SMALLINT) AS los_day,
    count(*) AS episodes
FROM episodes e
LEFT JOIN age_bands b ON b.age_band = e.age_band
WHERE e.is_admission AND e.los_days IS NOT NULL
GROUP BY ALL
ORDER BY municipality_code, month
"""

_SQL_AGG_ACUTE_BED = """
CREATE OR REPLACE TABLE agg_acute_bed_month AS
SELECT
    month, municipality_code, setting, referral_source, outcome, sex, age_band,
    count(*) AS stays,
    coalesce(sum(stay_days), 0.0) AS stay_days,
    coalesce(sum(gp_advice_contacts), 0) AS gp_advice_contacts,
    count(*) FILTER (WHERE admitted_within_7d) AS admitted_within_7d,
    count(*) FILTER (WHERE admitted_within_30d) AS admitted_within_30d,
    count(*) FILTER (WHERE ended_at IS NULL) AS ongoing
FROM acute_bed_stay_links
GROUP BY ALL
ORDER BY municipality_code, month
"""

_SQL_AGG_OCCUPANCY = """
CREATE OR REPLACE TABLE agg_acute_bed_occupancy_month AS
WITH s AS (
    SELECT municipality_code, setting, started_at,
        coalesce(ended_at, CAST($data_end AS TIMESTAMP)) AS end_at
    FROM acute_bed_stays
),
m AS (
    SELECT s.*,
        unnest(generate_series(date_trunc('month', started_at), date_trunc('month', end_at),
                               INTERVAL 1 MONTH)) AS month_start
    FROM s
    WHERE end_at > started_at
)
SELECT
    CAST(month_start AS DATE) AS month, municipality_code, setting,
    sum(epoch_us(least(end_at, month_start + INTERVAL 1 MONTH))
        - epoch_us(greatest(started_at, month_start))) / 86400e6 AS bed_days,
    count(*) AS stays
FROM m
GROUP BY ALL
ORDER BY ALL
"""

_SQL_AGG_POPULATION = """
CREATE OR REPLACE TABLE agg_population_year AS
SELECT p.year, p.municipality_code, p.sex, b.age_band, sum(p.population) AS population
FROM population p
LEFT JOIN age_bands b ON p.age_from >= b.age_from AND p.age_to <= b.age_to
GROUP BY ALL
ORDER BY ALL
"""

_SQL_DATA_QUALITY = """
CREATE OR REPLACE TABLE data_quality AS
WITH open_stays AS (
    SELECT admitted_at < CAST($data_end AS TIMESTAMP) - $suspect AS suspect, n_contacts
    FROM episodes WHERE discharged_at IS NULL
),
quarantined AS (  -- discharge rows in the quarantine whose admission was loaded but has no discharge
    SELECT DISTINCT q.record_id FROM quarantine q JOIN deliveries d USING (delivery_id)
    WHERE d.kind = 'discharges' AND q.record_id IS NOT NULL
      AND EXISTS (SELECT 1 FROM admissions a WHERE a.admission_id = q.record_id)
      AND NOT EXISTS (SELECT 1 FROM discharges x WHERE x.admission_id = q.record_id)
)
SELECT check_id, CAST(n AS BIGINT) AS n FROM (VALUES
    ('open_stays', (SELECT count(*) FROM open_stays)),
    ('open_stays_suspect', (SELECT count(*) FROM open_stays WHERE suspect)),
    ('contacts_merged_into_suspect', (SELECT coalesce(sum(n_contacts - 1), 0) FROM open_stays WHERE suspect)),
    ('admissions_discharge_quarantined', (SELECT count(*) FROM quarantined))
) AS t(check_id, n)
"""

_SQL_AGG_EVENTS_PER_PERSON = """
CREATE OR REPLACE TABLE agg_events_per_person_year AS
WITH ev AS MATERIALIZED (
    SELECT year, municipality_code, sex, age_band, person_id, 'acute' AS measure, CAST(NULL AS VARCHAR) AS grp
    FROM episodes WHERE is_acute
    UNION ALL
    SELECT year, municipality_code, sex, age_band, person_id, $l_prev, avoidable_group
    FROM episodes WHERE is_acute AND avoidable_group IS NOT NULL
    UNION ALL
    SELECT year, municipality_code, sex, age_band, person_id, $l_oecd, oecd_group
    FROM episodes WHERE is_acute AND oecd_group IS NOT NULL
    UNION ALL
    SELECT year, municipality_code, sex, age_band, person_id, $l_acsc, acsc_group
    FROM episodes WHERE is_acute AND acsc_group IS NOT NULL
),
per_person AS (
    SELECT year, municipality_code, sex, age_band, measure, grp, count(*) AS k
    FROM ev WHERE grp IS NOT NULL
    GROUP BY year, municipality_code, sex, age_band, measure, grp, person_id
    UNION ALL
    SELECT year, municipality_code, sex, age_band, measure, CAST(NULL AS VARCHAR) AS grp, count(*) AS k
    FROM ev
    GROUP BY year, municipality_code, sex, age_band, measure, person_id
)
SELECT year, municipality_code, sex, age_band, measure, grp, CAST(k AS INTEGER) AS events_per_person,
       count(*) AS people
FROM per_person
GROUP BY ALL
ORDER BY measure, municipality_code, year
"""

_SQL_DATA_END = """
SELECT coalesce(
    (SELECT max(admitted_at) FROM admissions),
    (SELECT max(greatest(started_at, coalesce(ended_at, started_at))) FROM acute_bed_stays)
)
"""

_SQL_CODE_LIST_VERSION = """
SELECT array_to_string(list_sort(list(DISTINCT version)), ';')
FROM code_lists WHERE "list" = $l_prev AND version IS NOT NULL
"""


def _as_timestamp(value: datetime | date | None) -> datetime | None:
    """A naive datetime for DuckDB's TIMESTAMP: a date means its midnight; aware times are refused."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        raise DerivedTablesError(
            "data_end must be a naive (local) date-time like the loaded data; drop its time zone."
        )
    return value


def _check_code_lists(code_lists: pd.DataFrame) -> None:
    if not isinstance(code_lists, pd.DataFrame):
        raise DerivedTablesError(
            "code_lists must be a pandas DataFrame with columns " + ", ".join(CODE_LIST_COLUMNS) + "."
        )
    missing = [c for c in CODE_LIST_COLUMNS if c not in code_lists.columns]
    if missing:
        raise DerivedTablesError(
            "The diagnosis code lists lack the column(s) " + ", ".join(missing)
            + "; expected " + ", ".join(CODE_LIST_COLUMNS) + "."
        )


def rebuild_derived(
    con: duckdb.DuckDBPyConnection,
    *,
    code_lists: pd.DataFrame,
    data_end: datetime | None = None,
) -> dict[str, int]:
    """(Re)create all derived tables from the canonical tables, inside the caller's transaction.

    Parameters
    ----------
    con
        A read-write DuckDB connection holding the canonical tables of ``analysis.schema.DDL``. The
        caller owns the transaction; every table is written with ``CREATE OR REPLACE TABLE``.
    code_lists
        Diagnosis code lists with columns ``list, group, prefix, label_da, label_en, source,
        verified, version`` (prefix in SKS form such as ``DJ18``); stored as table ``code_lists``.
    data_end
        End of the observed data (naive date-time). Index admissions discharged later than
        ``data_end - 30 days`` are censored for readmission; ongoing acute-bed stays count up to it.
        Defaults to ``max(admitted_at)`` over ``admissions``.

    Returns
    -------
    dict[str, int]
        Row count per derived table (see the module docstring for each table and column).

    Raises
    ------
    DerivedTablesError
        When ``code_lists`` lacks a required column or ``data_end`` carries a time zone.
    """
    _check_code_lists(code_lists)
    data_end_ts = _as_timestamp(data_end)
    # Row order of the derived tables carries no meaning; not preserving it lets DuckDB write in
    # parallel. The caller's setting is restored afterwards.
    preserve = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    restore = "SET preserve_insertion_order = " + ("true" if preserve else "false")  # fixed allow-list
    con.execute("SET preserve_insertion_order = false")
    try:
        counts = _rebuild(con, code_lists=code_lists, data_end_ts=data_end_ts)
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # never mask the original error (e.g. an aborted transaction)
            con.execute(restore)
        raise
    con.execute(restore)
    return counts


def _rebuild(
    con: duckdb.DuckDBPyConnection, *, code_lists: pd.DataFrame, data_end_ts: datetime | None
) -> dict[str, int]:
    """The body of :func:`rebuild_derived`, statement by statement (see the module docstring)."""
    cl_input = code_lists.loc[:, list(CODE_LIST_COLUMNS)].astype(object)
    bands_input = pd.DataFrame(
        [
            (label, lo, hi, i, next((g for g, g_lo, g_hi in AGE_GROUPS_COARSE if g_lo <= lo <= hi <= g_hi), None))
            for i, (label, lo, hi) in enumerate(constants.AGE_BANDS)
        ],
        columns=["age_band", "age_from", "age_to", "band_order", "age_group"],
    )
    con.register("_derived_code_lists_input", cl_input)
    con.register("_derived_age_bands_input", bands_input)
    try:
        con.execute(_SQL_CODE_LISTS)
        con.execute(_SQL_AGE_BANDS)
    finally:
        con.unregister("_derived_code_lists_input")
        con.unregister("_derived_age_bands_input")

    if data_end_ts is None:
        data_end_ts = con.execute(_SQL_DATA_END).fetchall()[0][0]
    version = con.execute(_SQL_CODE_LIST_VERSION, {"l_prev": LIST_PREVENTABLE}).fetchall()[0][0]

    window = timedelta(days=constants.READMISSION_WINDOW_DAYS)
    link_short, link_long = (timedelta(days=d) for d in constants.ACUTE_BED_LINK_DAYS)

    con.execute(_SQL_AGE_LOOKUP, {"min_age": constants.MIN_AGE, "max_age": constants.MAX_AGE})
    con.execute(
        _SQL_DIAGNOSIS_GROUPS,
        {
            "l_prev": LIST_PREVENTABLE,
            "l_copd": LIST_COPD_ADDON,
            "l_oecd": LIST_OECD,
            "l_acsc": LIST_ACSC,
            "l_chronic": list(LIST_CHRONIC),
            "l_excl": LIST_READMISSION_EXCLUSION,
        },
    )
    con.execute(_SQL_CONTACTS, {"gap": timedelta(hours=constants.TRANSFER_GAP_HOURS), "acute": ADMISSION_ACUTE})
    con.execute(_SQL_EPISODE_BASE)
    con.execute("DROP TABLE IF EXISTS _derived_contacts")
    con.execute(
        _SQL_EPISODES,
        {
            "min_admission": timedelta(hours=constants.MIN_ADMISSION_HOURS),
            "avoidable_min_age": constants.AVOIDABLE_MIN_AGE,
            "death": DESTINATION_DEATH,
            "code_list_version": version,
            "data_end": data_end_ts,
            "window": window,
        },
    )
    con.execute("DROP TABLE IF EXISTS _derived_episode_base")
    con.execute(_SQL_ACUTE_BED_LINKS, {"link_short": link_short, "link_long": link_long})
    con.execute("DROP TABLE IF EXISTS _derived_age_lookup")
    con.execute(_SQL_AGG_EPISODES)
    con.execute(_SQL_AGG_DIAGNOSIS_LISTS)
    con.execute(_SQL_AGG_DISCHARGE)
    con.execute(_SQL_AGG_LOS_HIST, {"los_cap": LOS_HIST_CAP_DAYS})
    con.execute(_SQL_AGG_ACUTE_BED)
    con.execute(_SQL_AGG_OCCUPANCY, {"data_end": data_end_ts})
    con.execute(_SQL_AGG_POPULATION)
    con.execute(_SQL_AGG_EVENTS_PER_PERSON, {"l_prev": LIST_PREVENTABLE, "l_oecd": LIST_OECD, "l_acsc": LIST_ACSC})
    con.execute(_SQL_DATA_QUALITY, {"data_end": data_end_ts,
                                    "suspect": timedelta(days=constants.OPEN_STAY_SUSPECT_DAYS)})

    counts: dict[str, int] = {}
    for table in DERIVED_TABLES[:-1]:  # fixed allow-list of our own table names
        counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    counts["derived_meta"] = len(counts) + 1
    meta = pd.DataFrame({"table_name": list(counts), "n_rows": list(counts.values())})
    con.register("_derived_meta_input", meta)
    try:
        con.execute(
            """
            CREATE OR REPLACE TABLE derived_meta AS
            SELECT CAST(table_name AS VARCHAR) AS table_name, CAST(n_rows AS BIGINT) AS n_rows,
                   CAST($built_at AS TIMESTAMP) AS built_at, CAST($data_end AS TIMESTAMP) AS data_end,
                   CAST($version AS VARCHAR) AS code_list_version
            FROM _derived_meta_input
            """,
            {"built_at": datetime.now().replace(microsecond=0), "data_end": data_end_ts, "version": version},
        )
    finally:
        con.unregister("_derived_meta_input")
    return counts
