"""Parameters of the demo-data generator: every number that shapes the synthetic data, with its reason.

"verified" means taken from a public source named in ``/work/shared/DOMAIN.md`` or the shipped reference
data; everything else is an *assumption* chosen so that the demo behaves like the real extracts (levels,
age gradient, seasonality, breaks). Rates are per 1,000 inhabitants per year of the age band, for *stays*
(the first contact of a stitched hospital stay, including stays shorter than 12 hours).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np

from analysis import constants

# --- Calendar -------------------------------------------------------------------------------------------
FIRST_MONTH = "2016-01"  # issue 3: monthly coverage 2016-01 .. 2022-12
LAST_MONTH = "2022-12"
YEARS = tuple(range(2016, 2023))
N_BANDS = len(constants.AGE_BANDS)  # 19 ESP 2013 bands, 0-4 ... 90+
BAND_LABELS = tuple(b[0] for b in constants.AGE_BANDS)
OLD_BAND = 13  # index of band 65-69: bands 13.. are the 65+ of the national indicator
BAND_80 = 16  # index of band 80-84
MAX_GENERATED_AGE = 104  # ages in the 90+ band decline geometrically and stop here (well inside 0-120)

# --- Population (assumed, shaped on Statistics Denmark FOLK1A 2019) --------------------------------------
# Denmark 2019 by ESP band, thousands (about 5.8 million, 19.6 % aged 65+).
NATIONAL_AGE_2019 = np.array([305, 315, 340, 345, 385, 385, 330, 330, 375, 410, 410, 375, 340,
                              330, 320, 220, 140, 80, 45], dtype=float)
# Share of men per band (women outlive men: 28 % men among 90+).
MALE_SHARE = np.array([0.513, 0.513, 0.513, 0.514, 0.512, 0.510, 0.505, 0.503, 0.502, 0.502, 0.502,
                       0.500, 0.496, 0.490, 0.480, 0.462, 0.430, 0.375, 0.285])
# Yearly growth of each band (ageing: the large post-war cohorts move into 70-79 during 2016-2022).
BAND_GROWTH = np.array([0.002] * 13 + [-0.005, 0.030, 0.045, 0.030, 0.010, 0.015])
YOUNG_ADULT_TILT = 4.0  # municipalities younger than the national average get more 20-29-year-olds (students)

# --- Hospital stays: rates per 1,000 per year by band ------------------------------------------------------
# Avoidable (9 preventable groups together). 65+: about 52 per 1,000 nationally with 80+ about 2.9x the
# 65-79 rate (DOMAIN: 50-60 per 1,000; 80+ 2-3x 65-79). Under 65 the same diagnoses occur at low rates.
AVOIDABLE_RATE = np.array([8, 2.5, 1.5, 1.5, 1.6, 1.7, 1.9, 2.2, 2.8, 3.6, 5.0, 7.5, 11,
                           25, 37, 55, 84, 106, 128], dtype=float)
# Other acute (non-preventable, non-respiratory, not pregnancy): sized so that admissions+transfer legs
# total about 5 million contacts over 2016-2022 nationally at scale 1 (issue 3).
OTHER_ACUTE_RATE = np.array([60, 20, 18, 27, 30, 37, 40, 33, 30, 33, 39, 45, 55,
                             67, 84, 107, 140, 174, 200], dtype=float)
OTHER_RESP_RATE = np.array([5, 1.3, 0.9, 0.9, 0.9, 0.9, 1.0, 1.3, 1.8, 2.7, 4.0, 6.3, 9,
                            12.5, 15, 16, 16, 14, 12.5], dtype=float)  # COPD, asthma, upper airways
INFLUENZA_RATE = np.array([0.3, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.07, 0.08, 0.1, 0.12, 0.15, 0.2,
                           0.3, 0.4, 0.5, 0.7, 0.9, 1.0])  # outside seasons; x(1 + 10 x season intensity)
COVID_RATE = np.array([0.5, 0.1, 0.1, 0.3, 0.5, 0.6, 0.7, 0.8, 1, 1.3, 1.7, 2.2, 3,
                       4, 5, 6.5, 8, 9, 9], dtype=float)  # at wave intensity 1
PREGNANCY_RATE_F = np.array([0, 0, 0, 6, 40, 110, 120, 60, 15, 0, 0, 0, 0,
                             0, 0, 0, 0, 0, 0], dtype=float)  # ~61,000 births a year (women only)
PLANNED_RATE = np.array([15, 10, 10, 12, 18, 18, 18, 18, 28, 28, 45, 45, 60,
                         75, 85, 85, 70, 50, 30], dtype=float)


@dataclass(frozen=True)
class Group:
    """A diagnosis group of the generator: its codes, how often, how long, and when."""

    name: str
    kind: str  # 'avoidable' | 'acute' | 'planned'
    codes: tuple[str, ...]
    weights: tuple[float, ...]
    los_median_days: float  # median length of the >= 12 h part, 2016 level
    los_sigma: float  # log-normal spread
    short_share: float  # share of stays < 12 h before LPR3
    season_amp: float = 0.0  # cosine amplitude of the monthly pattern
    season_peak: int = 1  # month of the peak (1-12)
    flu: float = 0.0  # extra multiplier per unit of influenza-season intensity
    sex_factor: tuple[float, float] = (1.0, 1.0)  # (F, M)
    death_factor: float = 1.0  # relative in-hospital mortality
    readmission_ok: bool = True  # may be an acute readmission (cancer, birth and injuries are not)
    old_codes: tuple[str, ...] = ()  # codes used for ages 50+ when different (other acute)
    old_weights: tuple[float, ...] = ()


# Codes are normalised SKS; avoidable codes fall inside the prefixes of the dk_preventable_65 list in
# data/reference/diagnosis_codes.csv, every other code falls outside them.
AVOIDABLE_GROUPS = (
    Group("lower_respiratory", "avoidable",
          ("DJ189", "DJ159", "DJ181", "DJ188", "DJ129", "DJ13", "DJ209", "DJ219", "DJ22"),
          (.42, .08, .05, .04, .03, .01, .12, .05, .20), 4.5, 0.7, 0.12, 0.20, 1, 0.35, (0.9, 1.15), 1.6),
    Group("urinary_tract_infection", "avoidable", ("DN390", "DN300", "DN309"), (.75, .15, .10),
          3.5, 0.7, 0.18, 0.05, 8, 0.0, (1.3, 0.7), 1.0),
    Group("fractures", "avoidable", ("DS720", "DS721", "DS722"), (.55, .30, .15),
          7.0, 0.5, 0.05, 0.08, 1, 0.0, (1.3, 0.7), 1.2, False),
    Group("dehydration", "avoidable", ("DE86",), (1.0,), 3.0, 0.7, 0.22, 0.25, 7, 0.0, (1.05, 0.95), 1.0),
    Group("gastroenteritis", "avoidable", ("DA09", "DA099", "DK529"), (.3, .3, .4),
          2.5, 0.7, 0.30, 0.20, 2, 0.0, (1.0, 1.0), 0.5),
    Group("constipation", "avoidable", ("DK590",), (1.0,), 2.5, 0.7, 0.30, 0.03, 1, 0.0, (1.05, 0.95), 0.3),
    Group("nutritional_anaemia", "avoidable", ("DD509", "DD519", "DD529", "DD539"), (.6, .15, .15, .10),
          3.0, 0.7, 0.25, 0.0, 1, 0.0, (1.1, 0.9), 0.5),
    Group("social_nursing", "avoidable", ("DZ599", "DZ600", "DZ740", "DZ749", "DZ755"), (.3, .1, .3, .2, .1),
          4.0, 0.8, 0.25, 0.05, 12, 0.0, (1.1, 0.9), 0.8),
    Group("pressure_ulcer", "avoidable", ("DL899", "DL891"), (.7, .3), 8.0, 0.7, 0.10, 0.0, 1, 0.0,
          (1.0, 1.0), 1.5),
)
# Shares of the avoidable rate per group: 65+ (lower respiratory and UTI largest, DOMAIN) and under 65.
AVOIDABLE_SHARE_OLD = np.array([.38, .17, .13, .10, .06, .06, .05, .03, .02])
AVOIDABLE_SHARE_YOUNG = np.array([.40, .12, .06, .08, .20, .06, .05, .02, .01])

OTHER_GROUPS = (
    Group("other_respiratory", "acute", ("DJ441", "DJ449", "DJ459", "DJ969", "DJ069"),
          (.45, .15, .15, .08, .17), 3.5, 0.7, 0.20, 0.25, 1, 0.4, (1.0, 1.0), 1.3),
    # influenza admissions exist almost only in influenza seasons (none in 2020/21)
    Group("influenza", "acute", ("DJ111", "DJ101", "DJ09"), (.75, .2, .05), 4.0, 0.7, 0.20, 0.0, 1, 10.0,
          (1.0, 1.0), 1.5),
    Group("covid19", "acute", ("DB342", "DU071"), (.4, .6), 6.0, 0.7, 0.10, 0.0, 1, 0.0, (0.85, 1.15), 2.5),
    Group("pregnancy", "acute", ("DO800", "DO809", "DO829", "DO479", "DO600", "DO200", "DO219", "DO420",
                                 "DO149", "DO990"),
          (.35, .10, .10, .10, .05, .05, .05, .08, .04, .08), 2.0, 0.6, 0.35, 0.04, 8, 0.0, (1.0, 0.0), 0.0,
          False),
    Group("other_acute", "acute",
          ("DR104", "DK359", "DS060", "DS525", "DS934", "DT391", "DF100", "DR509", "DA419", "DG409", "DN109",
           "DK802", "DR074", "DJ069", "DE101", "DZ039", "DL039", "DR559", "DK297"),
          (.10, .06, .06, .05, .03, .03, .04, .07, .01, .04, .03, .04, .06, .05, .02, .12, .04, .04, .03),
          2.5, 0.8, 0.35, 0.05, 1, 0.05, (0.95, 1.05), 1.0, True,
          ("DI214", "DI639", "DI509", "DI489", "DR074", "DR069", "DR104", "DK802", "DA419", "DN179", "DE119",
           "DR559", "DS060", "DS525", "DL039", "DZ039", "DG459", "DK922", "DC349", "DC189", "DC259", "DC509",
           "DC619", "DC800", "DF059", "DN109", "DI269", "DK566"),
          (.06, .07, .07, .06, .06, .04, .05, .03, .05, .03, .02, .04, .03, .02, .04, .08, .03, .03, .03, .02,
           .015, .015, .01, .01, .02, .02, .02, .02)),
)
PLANNED_GROUP = Group(
    "planned", "planned",
    ("DM161", "DM171", "DC509", "DC189", "DC349", "DC619", "DC679", "DZ511", "DK409", "DK802", "DN40",
     "DI251", "DI350", "DD259", "DN811", "DM511", "DG560", "DZ470", "DI839", "DN201", "DJ342", "DS832"),
    (.08, .08, .05, .04, .03, .04, .03, .08, .05, .05, .04, .05, .02, .03, .03, .03, .03, .03, .03, .03,
     .02, .03), 2.5, 0.8, 0.20, 0.0, 1, 0.0, (1.0, 1.0), 0.2)
GROUPS = AVOIDABLE_GROUPS + OTHER_GROUPS + (PLANNED_GROUP,)
GROUP_NAMES = tuple(g.name for g in GROUPS)
N_AVOIDABLE = len(AVOIDABLE_GROUPS)
G_OTHER_RESP, G_INFLUENZA, G_COVID, G_PREGNANCY, G_OTHER_ACUTE, G_PLANNED = range(N_AVOIDABLE, N_AVOIDABLE + 6)
OLD_CODES_FROM_BAND = 10  # other acute: bands 50+ use the older code list (cardiovascular, cancer, ...)

# Planned activity by calendar month (summer holiday, Christmas), mean about 1.
PLANNED_SEASON = np.array([1.05, 1.08, 1.08, 1.0, 1.05, 1.02, 0.62, 0.98, 1.1, 1.1, 1.08, 0.84])

# --- Trends, regions, municipalities ----------------------------------------------------------------------
TREND_PER_YEAR = {"avoidable": -0.010, "acute": 0.0, "planned": 0.010}  # age-specific rates, assumed
LOS_TREND_PER_YEAR = -0.02  # length of stay falls about 2 % a year (assumed, DOMAIN "slowly falling")
# Region level: Midtjylland a little below the national level (DOMAIN: assumed ~48-55 vs ~60).
REGION_FACTOR_AVOIDABLE = {1081: 1.06, 1082: 0.93, 1083: 1.03, 1084: 1.00, 1085: 1.08}
REGION_FACTOR_ACUTE = {1081: 1.03, 1082: 0.96, 1083: 1.02, 1084: 1.00, 1085: 1.04}
MUNICIPALITY_SD = {"avoidable": 0.10, "acute": 0.06, "planned": 0.05}  # log-normal municipality effects

# --- Influenza seasons: (peak as fractional month index from 2016-01 = 0, severity) -------------------
# Assumed from Statens Serum Institut's season reports: 2017/18 severe, 2020/21 almost none (COVID-19
# restrictions), 2021/22 late and mild, 2022/23 early. 2015/16 peaked late February 2016.
FLU_SEASONS = ((1.6, 1.0), (12.2, 1.1), (25.2, 1.6), (37.3, 0.9), (49.2, 0.8), (61.0, 0.03),
               (74.5, 0.35), (83.4, 1.2))
FLU_WIDTH_MONTHS = 0.85

# --- COVID-19 (DOMAIN: lockdown 11 Mar 2020, acute admissions towards half by mid-April, recovery over the
# summer, second dip in winter 2020/21). Multipliers by month for acute and planned stays.
COVID_ACUTE = {"2020-03": 0.82, "2020-04": 0.55, "2020-05": 0.72, "2020-06": 0.86, "2020-07": 0.93,
               "2020-08": 0.96, "2020-09": 0.97, "2020-10": 0.95, "2020-11": 0.91, "2020-12": 0.84,
               "2021-01": 0.76, "2021-02": 0.82, "2021-03": 0.92, "2021-04": 0.95, "2021-05": 0.97,
               "2021-06": 0.99}
COVID_PLANNED = {"2020-03": 0.75, "2020-04": 0.45, "2020-05": 0.65, "2020-06": 0.85, "2020-07": 0.95,
                 "2020-08": 0.98, "2020-12": 0.90, "2021-01": 0.75, "2021-02": 0.85, "2021-03": 0.95,
                 # nurses' strike 19 Jun - 30 Aug 2021 (DOMAIN): postponed planned activity
                 "2021-06": 0.95, "2021-07": 0.85, "2021-08": 0.90}
COVID_WAVES = {"2020-03": 0.6, "2020-04": 0.8, "2020-05": 0.2, "2020-06": 0.05, "2020-07": 0.03,
               "2020-08": 0.1, "2020-09": 0.2, "2020-10": 0.5, "2020-11": 1.0, "2020-12": 2.0,
               "2021-01": 2.2, "2021-02": 0.8, "2021-03": 0.7, "2021-04": 0.7, "2021-05": 0.4,
               "2021-06": 0.1, "2021-07": 0.1, "2021-08": 0.3, "2021-09": 0.4, "2021-10": 0.5,
               "2021-11": 1.0, "2021-12": 1.8, "2022-01": 2.5, "2022-02": 2.5, "2022-03": 1.5,
               "2022-04": 0.6, "2022-05": 0.3, "2022-06": 0.3, "2022-07": 0.6, "2022-08": 0.4,
               "2022-09": 0.3, "2022-10": 0.5, "2022-11": 0.4, "2022-12": 0.5}

# --- LPR3 (verified go-live dates in data/reference/regions.csv) -----------------------------------------
LPR3_EXTRA_SHORT = 0.12  # after go-live, 12 % more acute stays, all shorter than 12 h (contacts, not admissions)
TRANSFER_SHARE = {"acute": (0.06, 0.14), "planned": (0.02, 0.05)}  # stays with a 2nd contact: LPR2, LPR3
TRANSFER_GAP_HOURS = (0.25, 3.5)  # the next contact starts 15 min - 3.5 h after the first ends (< 4 h)

# --- Readmissions and persons -------------------------------------------------------------------------------
READMISSION_TARGET = {"old": 0.15, "young": 0.08}  # share of index admissions followed within 30 days
READMISSION_GAP_MEAN_DAYS = 9.0  # gaps concentrate early (truncated exponential on 0-30 days)
REPEAT_SHARE = {"old": 0.40, "young": 0.20}  # stays linked to an earlier stay of the same person 31-730 d before

# --- Discharge -----------------------------------------------------------------------------------------------
# Destinations of the last contact of a stay by age class (<65, 65-79, 80+): home, home_care,
# nursing_home, other (death drawn separately). acute_bed is set where an acute-bed stay follows.
DESTINATION_SHARES = {0: (0.93, 0.015, 0.002, 0.053), 1: (0.72, 0.19, 0.02, 0.07), 2: (0.45, 0.38, 0.10, 0.07)}
DEATH_RISK = {0: 0.004, 1: 0.025, 2: 0.055}  # in-hospital death per stay, times the group's death_factor
READY_SHARE = {1: 0.20, 2: 0.32}  # færdigbehandlet recorded for stays >= 48 h of 65-79 / 80+ (assumed)
READY_WAIT_MEAN_DAYS = 1.6  # days waiting after ready for discharge (exponential, capped inside the contact)

# --- Municipal acute functions -------------------------------------------------------------------------------
BED_OCCUPANCY = 0.80
BED_STAY_MEDIAN_DAYS, HOME_STAY_MEDIAN_DAYS = 4.5, 3.0  # DOMAIN: a few days to two weeks
HOME_PER_BED_STAY = (1.2, 0.45)  # home-setting stays per bed stay: log-normal median, spread per municipality
CAPACITY_BUILDUP = {2016: 0.85, 2017: 0.92, 2018: 1.0, 2019: 1.03, 2020: 1.06, 2021: 1.09, 2022: 1.12}
REFERRAL_SOURCES = ("hospital", "gp", "out_of_hours", "home_care", "other")  # schema.STAY_REFERRAL_SOURCES order
REFERRAL_SHARES = np.array([0.45, 0.28, 0.15, 0.08, 0.04])  # DOMAIN: 40-50 % hospital, 30 % GP, 10-20 % OOH
STAY_OUTCOMES = ("home", "hospital", "death", "other")
STAY_OUTCOME_SHARES = np.array([0.76, 0.16, 0.04, 0.04])
STAY_AGE_WEIGHT = np.array([0, 0, 0, 0, 0.1, 0.1, 0.1, 0.12, 0.15, 0.2, 0.3, 0.45, 0.7,
                            2.0, 3.5, 6.0, 10.0, 15.0, 20.0])  # relative use per inhabitant by band
# Advisory contacts per stay relative to GP referrals (hospital-referred stays get fewer).
ADVICE_RELATIVE = np.array([0.4, 1.5, 1.0, 1.2, 0.5])

# --- Dirty rows ---------------------------------------------------------------------------------------------
DIRTY_RATE = 1e-4  # each kind of dirty row: 0.01 % of the extract's rows, at least 2 (about 0.04 % in all)


def _default_reductions() -> Mapping[int, float]:
    # Full-effect reduction of avoidable acute stays 65+ per Midtjylland municipality (assumed, for the demo):
    # between none and 20 %, about 9 % pooled; three municipalities have no effect at all.
    return MappingProxyType({
        615: 0.05, 657: 0.18, 661: 0.14, 665: 0.15, 671: 0.08, 706: 0.10, 707: 0.12, 710: 0.06,
        727: 0.00, 730: 0.12, 740: 0.10, 741: 0.10, 746: 0.00, 751: 0.08, 756: 0.04, 760: 0.20,
        766: 0.00, 779: 0.16, 791: 0.15})


@dataclass(frozen=True)
class PlantedEffect:
    """The agreement effect planted in the demo data (the *truth* estimates are checked against).

    Parameters
    ----------
    reduction : mapping of int to float
        Full-effect relative reduction of avoidable acute stays 65+ per treated municipality code
        (0.10 = 10 % fewer). Municipalities not listed are untreated.
    start, end : str
        ISO dates of the agreement (default 2019-09-01 .. 2020-12-31, :mod:`analysis.constants`).
    ramp_in_months : int
        The effect builds up linearly over this many months from the start (1 = full at once).
    fade_months : int
        After the end the effect fades linearly to zero over this many months (0 = stops at once).
    spillover : float
        Share of the municipality's reduction that also applies to all other acute stays 65+.
    gp_referral_increase : float
        Relative increase of acute-bed stays referred by the own GP in treated municipalities.
    advice_contacts : float
        Expected number of GP advisory contacts in the whole agreement period at scale 1 (with the
        assumed fee of 300 DKK a contact in data/reference/interventions.csv this is about 90 % of the
        3 mio. DKK budget).
    """

    reduction: Mapping[int, float] = field(default_factory=_default_reductions)
    start: str = constants.AGREEMENT_START
    end: str = constants.AGREEMENT_END
    ramp_in_months: int = 3
    fade_months: int = 6
    spillover: float = 0.25
    gp_referral_increase: float = 0.30
    advice_contacts: float = 9000.0

    @classmethod
    def none(cls) -> "PlantedEffect":
        """No effect (for placebo checks): the same municipalities, period and advisory contacts, but zero
        reductions, no spill-over and no extra GP referrals."""
        zero = MappingProxyType({code: 0.0 for code in _default_reductions()})
        return cls(reduction=zero, spillover=0.0, gp_referral_increase=0.0)

    def __post_init__(self) -> None:
        for code, value in self.reduction.items():
            if not 0.0 <= float(value) < 1.0:
                raise ValueError(f"Planted reduction for municipality {code} must be in [0, 1), got {value}.")
        if self.ramp_in_months < 1 or self.fade_months < 0:
            raise ValueError("ramp_in_months must be at least 1 and fade_months at least 0.")
        if not 0.0 <= self.spillover <= 1.0:
            raise ValueError(f"spillover must be a share between 0 and 1, got {self.spillover}.")

    def weights(self, months: np.ndarray) -> np.ndarray:
        """Effect weight 0..1 per month (``datetime64[M]`` array): ramp-in, full, linear fade-out."""
        start = np.datetime64(self.start[:7], "M")
        end = np.datetime64(self.end[:7], "M")
        k = (months - start).astype(int)
        after = (months - end).astype(int)  # 1 = first month after the end
        w = np.where((k >= 0) & (after <= 0), np.minimum(1.0, (k + 1) / self.ramp_in_months), 0.0)
        if self.fade_months > 0:
            fade = 1.0 - after / self.fade_months
            w = np.where((after >= 1) & (after < self.fade_months), fade, w)
        return w

    def to_dict(self) -> dict:
        return {"reduction": {str(k): float(v) for k, v in sorted(self.reduction.items())},
                "start": self.start, "end": self.end, "ramp_in_months": self.ramp_in_months,
                "fade_months": self.fade_months, "spillover": self.spillover,
                "gp_referral_increase": self.gp_referral_increase, "advice_contacts": self.advice_contacts}
