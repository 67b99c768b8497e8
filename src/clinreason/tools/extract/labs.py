"""Laboratory values: synonyms, the units each is written in, and plausible ranges.

Unit labels follow MedCalc-Bench's entity format. Counts (platelets, white cells) are stored
per µL (label 'µL', as the benchmark does): "150 x 10^9/L" and "150 K/µL" become 150000.
Units the calculators never see in the benchmark (g/L haemoglobin, kPa gases, FiO2 as a
fraction) are converted here and the conversion is written into `Found.note`.
"""

from __future__ import annotations

from clinreason.tools.extract.measure import Quantity, Unit
from clinreason.tools.unit_spellings import SPELLINGS

MG_DL = SPELLINGS["mg/dL"]
UMOL_L = SPELLINGS["umol/L"]
MMOL_L = SPELLINGS["mmol/L"]
MEQ_L = SPELLINGS["mEq/L"]
G_DL = SPELLINGS["g/dL"]
G_L = SPELLINGS["g/L"]
U_L = SPELLINGS["U/L"]
# extractor-only spellings (false matches for the verifier's free-text reading, see
# `unit_spellings`): 'mm-3', 'G/L' (giga per litre, not grams), a bare 'K' (thousands)
PER_UL = SPELLINGS["/uL"] + r"|mm\s*[-−⁻]\s*[3³]"
TEN9_L = SPELLINGS["x10^9/L"] + r"|g\s*/\s*l|giga\s*/\s*l"
TEN3_UL = SPELLINGS["x10^3/uL"] + r"|k(?![a-z])"
MM_HG = SPELLINGS["mmHg"]
KPA = SPELLINGS["kPa"]
PERCENT = SPELLINGS["%"]

_SERUM_EXCLUDE = (
    r"urine|urinary|\bu|csf|cerebrospinal|pleural|peritoneal|ascitic|fluid|stool|dialysate"
)

CREATININE = Quantity(
    "creatinine",
    (
        "creatinine",
        "serum creatinine",
        "creat",
        "Cr",
        "SCr",
        "sCr",
        "Cre",
        "Creat",
        "S. creatinine",
    ),
    (
        Unit(MG_DL, "mg/dL", 0.1, 30, guess=(0.1, 25)),
        Unit(UMOL_L, "µmol/L", 8, 2500, guess=(25, 2500)),
        Unit(MMOL_L, "µmol/L", 8, 2500, factor=1000, guess=(0, 0), written="mmol/L"),
    ),
    exclude_before=_SERUM_EXCLUDE + r"|clearance",
    exclude_after=r"clearance|kinase|phosphokinase|ratio|/\s*(?:bun|urea)|index",
    case_sensitive=("Cr", "SCr", "sCr", "Cre", "Creat"),
)
BUN = Quantity(
    "bun",
    ("blood urea nitrogen", "BUN", "urea nitrogen", "serum urea nitrogen", "SUN"),
    (
        Unit(MG_DL, "mg/dL", 1, 300, guess=(2, 300)),
        Unit(MMOL_L, "mmol/L", 0.3, 110, guess=(0, 0)),
    ),
    exclude_after=r"\s*/\s*(?:creatinine|cr)|to\s+creatinine|ratio",
    case_sensitive=("BUN", "SUN"),
)
UREA = Quantity(
    "urea",
    ("urea", "serum urea", "blood urea", "plasma urea"),
    (
        Unit(MMOL_L, "mmol/L", 0.3, 110, guess=(0.5, 60)),
        # urea (not urea nitrogen) in mg/dL: BUN = urea / 2.14
        Unit(MG_DL, "mg/dL", 1, 300, factor=1 / 2.14, guess=(0, 0), written="urea mg/dL"),
    ),
    exclude_before=_SERUM_EXCLUDE,
    exclude_after=r"nitrogen|breath|cycle|/\s*creatinine|creatinine\s+ratio",
)


def _named(stem: str) -> tuple[str, ...]:
    """Disorder names that introduce a value ("hypercalcemia at 17.9 mg/dL") for an electrolyte
    stem ('natr', 'kal', 'calc'), US and UK spellings."""
    return tuple(f"{p}{stem}{e}mia" for p in ("hyper", "hypo") for e in ("e", "ae"))


SODIUM = Quantity(
    "sodium",
    ("sodium", "serum sodium", "Na", "Na+", "Na⁺", "plasma sodium", *_named("natr")),
    (Unit(MMOL_L, "mmol/L", 90, 200), Unit(MEQ_L, "mEq/L", 90, 200)),
    exclude_before=_SERUM_EXCLUDE + r"|fractional\s+excretion\s+of|excretion|bi|spot",
    exclude_after=r"bicarbonate|chloride\s+(?:injection|solution)|valproate|intake",
    case_sensitive=("Na", "Na+", "Na⁺"),
)
POTASSIUM = Quantity(
    "potassium",
    ("potassium", "serum potassium", "K", "K+", "K⁺", "plasma potassium", *_named("kal")),
    (Unit(MMOL_L, "mmol/L", 1.0, 10), Unit(MEQ_L, "mEq/L", 1.0, 10)),
    exclude_before=_SERUM_EXCLUDE,
    exclude_after=r"chloride|citrate|supplement|replacement|binder",
    case_sensitive=("K", "K+", "K⁺"),
)
CHLORIDE = Quantity(
    "chloride",
    ("chloride", "serum chloride", "Cl", "Cl-", "Cl−", "Cl⁻", "plasma chloride"),
    (Unit(MMOL_L, "mmol/L", 50, 160), Unit(MEQ_L, "mEq/L", 50, 160)),
    exclude_before=_SERUM_EXCLUDE + r"|sodium|potassium|calcium|ammonium|magnesium",
    exclude_after=r"channel|injection|solution",
    case_sensitive=("Cl", "Cl-", "Cl−", "Cl⁻"),
)
BICARBONATE = Quantity(
    "bicarbonate",
    (
        "bicarbonate",
        "serum bicarbonate",
        "bicarb",
        "HCO3",
        "HCO3-",
        "HCO3−",
        "HCO₃",
        "HCO₃⁻",
        "HCO3⁻",
        "total CO2",
        "tCO2",
        "CO2",
        "TCO2",
        "standard bicarbonate",
        "carbon dioxide",
        "serum carbon dioxide",
        "total carbon dioxide",
    ),
    (Unit(MMOL_L, "mmol/L", 1, 60), Unit(MEQ_L, "mEq/L", 1, 60)),
    exclude_before=_SERUM_EXCLUDE + r"|sodium|end[\s-]*tidal|et|p|pa|partial\s+pressure\s+of|"
    r"arterial|tension\s+of",
    exclude_after=r"retention|narcosis|laser|insufflation",
    case_sensitive=("HCO3", "HCO3-", "HCO3−", "HCO₃", "HCO₃⁻", "HCO3⁻", "CO2", "TCO2", "tCO2"),
)
GLUCOSE = Quantity(
    "glucose",
    (
        "glucose",
        "blood glucose",
        "serum glucose",
        "plasma glucose",
        "blood sugar",
        "glucose level",
        "BG",
        "FBG",
        "FPG",
        "RBS",
        "FBS",
        "random blood sugar",
        "fasting blood sugar",
        "fasting glucose",
        "fasting plasma glucose",
        "capillary glucose",
        "glycemia",
        "glycaemia",
    ),
    (
        Unit(MG_DL, "mg/dL", 10, 3000, guess=(40, 3000)),
        Unit(MMOL_L, "mmol/L", 0.5, 170, guess=(0.5, 40)),
    ),
    exclude_before=_SERUM_EXCLUDE,
    exclude_after=r"tolerance|-?6-phosphate|dehydrogenase|infusion|solution|water",
    case_sensitive=("BG", "FBG", "FPG", "RBS", "FBS"),
)
ALBUMIN = Quantity(
    "albumin",
    (
        "albumin",
        "serum albumin",
        "Alb",
        "ALB",
        "plasma albumin",
        "hypoalbuminemia",
        "hypoalbuminaemia",
    ),
    (
        Unit(G_DL, "g/dL", 0.5, 7, guess=(0.5, 7)),
        Unit(G_L, "g/L", 5, 70, guess=(9, 70)),
    ),
    exclude_before=_SERUM_EXCLUDE + r"|micro|pre|macro",
    exclude_after=r"/\s*creatinine|[\s-]*to[\s-]*creatinine|creatinine\s+ratio|infusion|transfusion|"
    r"administration|globulin|\s*\d+\s*%|excretion",
    case_sensitive=("Alb", "ALB"),
)
BILIRUBIN = Quantity(
    "bilirubin",
    (
        "total bilirubin",
        "bilirubin",
        "serum bilirubin",
        "T. bil",
        "T-bil",
        "TBil",
        "T.Bil",
        "Tbil",
        "TB",
        "total serum bilirubin",
        "T bili",
        "Tbili",
        "T. bili",
        "T.bili",
        "bili",
    ),
    (
        Unit(MG_DL, "mg/dL", 0.05, 80, guess=(0.1, 30)),
        Unit(UMOL_L, "µmol/L", 1, 1400, guess=(30, 1400)),
    ),
    exclude_before=_SERUM_EXCLUDE + r"|direct|indirect|conjugated|unconjugated|delta",
    exclude_after=r"\s*\(?(?:direct|conjugated|indirect)",
    case_sensitive=("TB", "TBil", "Tbil"),
)
INR = Quantity(
    "inr",
    ("INR", "international normalized ratio", "international normalised ratio", "PT-INR", "PT/INR"),
    (Unit(r"(?!)", None, 0.5, 20),),
    case_sensitive=("INR", "PT-INR", "PT/INR"),
)
PLATELETS = Quantity(
    "platelets",
    ("platelets", "platelet count", "platelet", "PLT", "Plt", "platelet counts", "thrombocytes"),
    (
        Unit(TEN9_L, "µL", 1000, 2_000_000, factor=1000, written="x10^9/L"),
        Unit(TEN3_UL, "µL", 1000, 2_000_000, factor=1000, written="x10^3/µL"),
        Unit(PER_UL, "µL", 1000, 2_000_000, guess=(5000, 2_000_000)),
        Unit(
            r"lakhs?(?:\s*/\s*(?:[µμu]l|mm3|cumm))?",
            "µL",
            1000,
            2_000_000,
            factor=100_000,
            guess=(0, 0),
            written="lakh/µL",
        ),
    ),
    exclude_after=r"transfusion|aggregation|function|rich|infusion|distribution",
    case_sensitive=("PLT", "Plt"),
)
WBC = Quantity(
    "wbc",
    (
        "white blood cell count",
        "white blood count",
        "white blood cells",
        "white blood cell",
        "white cell count",
        "white cells",
        "WBC",
        "WBCs",
        "WCC",
        "leukocytes",
        "leukocyte count",
        "leucocyte count",
        "leucocytes",
        "total leukocyte count",
        "TLC",
        "white count",
        "leukocytosis",
    ),
    (
        Unit(TEN9_L, "µL", 100, 500_000, factor=1000, written="x10^9/L"),
        Unit(TEN3_UL, "µL", 100, 500_000, factor=1000, written="x10^3/µL"),
        Unit(PER_UL, "µL", 100, 500_000, guess=(500, 500_000)),
    ),
    exclude_before=_SERUM_EXCLUDE + r"|fecal",
    exclude_after=r"casts?|esterase|scan",
    case_sensitive=("WBC", "WBCs", "WCC", "TLC"),
)
HEMOGLOBIN = Quantity(
    "hemoglobin",
    ("hemoglobin", "haemoglobin", "Hb", "Hgb", "HGB", "HB", "hemoglobin level"),
    (
        Unit(G_DL, "g/dL", 1.5, 25, guess=(2, 25)),
        Unit(G_L, "g/dL", 1.5, 25, factor=0.1, guess=(30, 250), written="g/L"),
        Unit(MMOL_L, "g/dL", 1.5, 25, factor=1.611, guess=(0, 0), written="mmol/L"),
    ),
    exclude_before=r"glycated|glycosylated|urine|plasma\s+free|fetal|free",
    exclude_after=r"a1c|\s*a1c|electrophoresis|\s*s\b|\s*f\b|\s*h\b|\s*a2|-?a1",
    case_sensitive=("Hb", "Hgb", "HGB", "HB"),
)
HEMATOCRIT = Quantity(
    "hematocrit",
    ("hematocrit", "haematocrit", "Hct", "HCT", "PCV", "packed cell volume"),
    (
        Unit(PERCENT, "%", 5, 80, guess=(8, 80)),
        Unit(r"l\s*/\s*l", "%", 5, 80, factor=100, written="L/L"),
        Unit(r"(?!)", "%", 5, 80, factor=100, guess=(0.08, 0.8), written="a fraction"),
    ),
    case_sensitive=("Hct", "HCT", "PCV"),
)
CALCIUM = Quantity(
    "calcium",
    (
        "calcium",
        "serum calcium",
        "total calcium",
        "Ca",
        "Ca2+",
        "Ca++",
        "corrected calcium",
        *_named("calc"),
    ),
    (
        Unit(MG_DL, "mg/dL", 3, 25, guess=(4, 25)),
        Unit(MMOL_L, "mmol/L", 0.5, 6, guess=(0.5, 4)),
        Unit(MEQ_L, "mg/dL", 3, 25, factor=2.004, guess=(0, 0), written="mEq/L"),
    ),
    exclude_before=_SERUM_EXCLUDE + r"|ionized|ionised|free",
    exclude_after=r"channel|carbonate|gluconate|chloride|supplement|\s*\(?ionized|score|oxalate|"
    r"pyrophosphate|phosphate|\s*x\s*p|-phosphate|/\s*creatinine|/\s*phosph",
    case_sensitive=("Ca", "Ca2+", "Ca++"),
)
ALT = Quantity(
    "alt",
    ("alanine aminotransferase", "alanine transaminase", "ALT", "SGPT", "GPT", "ALAT"),
    (
        Unit(U_L, "U/L", 1, 30000, guess=(1, 30000)),
        Unit(r"[µμu]kat\s*/\s*l", "U/L", 1, 30000, factor=60, guess=(0, 0), written="µkat/L"),
    ),
    case_sensitive=("ALT", "SGPT", "GPT", "ALAT"),
)
AST = Quantity(
    "ast",
    ("aspartate aminotransferase", "aspartate transaminase", "AST", "SGOT", "GOT", "ASAT"),
    (
        Unit(U_L, "U/L", 1, 30000, guess=(1, 30000)),
        Unit(r"[µμu]kat\s*/\s*l", "U/L", 1, 30000, factor=60, guess=(0, 0), written="µkat/L"),
    ),
    case_sensitive=("AST", "SGOT", "GOT", "ASAT"),
)
_LIPID_UNITS = (
    Unit(MG_DL, "mg/dL", 5, 3000, guess=(20, 3000)),
    Unit(MMOL_L, "mmol/L", 0.1, 80, guess=(0.1, 19.9)),
)
TOTAL_CHOLESTEROL = Quantity(
    "total_cholesterol",
    ("total cholesterol", "cholesterol", "serum cholesterol", "TC", "T-CHO", "T-chol", "TCHOL"),
    _LIPID_UNITS,
    exclude_before=r"hdl|ldl|high[\s-]*density|low[\s-]*density|non[\s-]*hdl|vldl|lipoprotein|"
    r"remnant|pleural|fluid",
    exclude_after=r"\s*(?:/|to)\s*hdl|\s*ratio|ester|crystals|emboli",
    case_sensitive=("TC", "T-CHO", "T-chol", "TCHOL"),
)
HDL = Quantity(
    "hdl",
    (
        "HDL",
        "HDL-C",
        "HDL cholesterol",
        "high-density lipoprotein",
        "high density lipoprotein",
        "high-density lipoprotein cholesterol",
        "high density lipoprotein cholesterol",
        "HDL-cholesterol",
    ),
    _LIPID_UNITS,
    exclude_after=r"\s*ratio",
    case_sensitive=("HDL", "HDL-C", "HDL-cholesterol"),
)
LDL = Quantity(
    "ldl",
    (
        "LDL",
        "LDL-C",
        "LDL cholesterol",
        "low-density lipoprotein",
        "low density lipoprotein",
        "low-density lipoprotein cholesterol",
        "LDL-cholesterol",
    ),
    _LIPID_UNITS,
    exclude_after=r"\s*ratio|\s*apheresis|\s*receptor",
    case_sensitive=("LDL", "LDL-C", "LDL-cholesterol"),
)
TRIGLYCERIDES = Quantity(
    "triglycerides",
    ("triglycerides", "triglyceride", "triglycerides level", "TG", "TGs", "triacylglycerol"),
    (
        Unit(MG_DL, "mg/dL", 10, 20000, guess=(20, 20000)),
        Unit(MMOL_L, "mmol/L", 0.1, 230, guess=(0.1, 19.9)),
    ),
    exclude_before=r"pleural|fluid|ascitic|medium[\s-]*chain",
    case_sensitive=("TG", "TGs"),
)
INSULIN = Quantity(
    "insulin",
    ("insulin", "fasting insulin", "serum insulin", "plasma insulin", "insulin level"),
    (
        Unit(
            r"[µμu]\s*i?u\s*/\s*ml|mi?u\s*/\s*l|micro\s*units?\s*/\s*ml|[µμu]u/ml|"
            r"micro[\s-]?international\s+units?\s*(?:/|per)\s*m(?:l|illilit(?:er|re))|"
            r"mill?i?[\s-]?international\s+units?\s*(?:/|per)\s*l(?:it(?:er|re))?",
            "µIU/mL",
            0.1,
            3000,
        ),
        Unit(r"pmol\s*/\s*l", "µIU/mL", 0.1, 3000, factor=1 / 6.0, written="pmol/L"),
    ),
    unitless=False,
)
URINE_SODIUM = Quantity(
    "urine_sodium",
    ("urine sodium", "urinary sodium", "urine Na", "UNa", "U-Na", "urine Na+", "spot urine sodium"),
    (Unit(MMOL_L, "mmol/L", 1, 400), Unit(MEQ_L, "mEq/L", 1, 400)),
    case_sensitive=("UNa", "U-Na"),
)
URINE_CREATININE = Quantity(
    "urine_creatinine",
    ("urine creatinine", "urinary creatinine", "UCr", "U-Cr", "urine Cr", "spot urine creatinine"),
    (
        Unit(MG_DL, "mg/dL", 1, 1500, guess=(10, 1500)),
        Unit(UMOL_L, "µmol/L", 100, 130000),
        Unit(MMOL_L, "mg/dL", 1, 1500, factor=11.312, guess=(0.5, 9.9), written="mmol/L"),
    ),
    exclude_after=r"clearance|ratio",
    case_sensitive=("UCr", "U-Cr"),
)
PAO2 = Quantity(
    "pao2",
    (
        "PaO2",
        "PaO₂",
        "pO2",
        "PO2",
        "pO₂",
        "partial pressure of oxygen",
        "arterial oxygen tension",
        "partial pressure of arterial oxygen",
        "arterial partial pressure of oxygen",
        "oxygen partial pressure",
        "PaO 2",
    ),
    (
        Unit(MM_HG, "mm Hg", 15, 700, guess=(20, 700)),
        Unit(KPA, "mm Hg", 15, 700, factor=7.50062, guess=(0, 0), written="kPa"),
    ),
    exclude_before=r"venous|v",
    exclude_after=r"\s*/\s*fio|\s*:\s*fio|\s*to\s+fio|\s*/\s*f|\s*ratio",
    case_sensitive=("PaO2", "PaO₂", "pO2", "PO2", "pO₂", "PaO 2"),
)
PACO2 = Quantity(
    "paco2",
    (
        "PaCO2",
        "PaCO₂",
        "pCO2",
        "PCO2",
        "pCO₂",
        "partial pressure of carbon dioxide",
        "arterial carbon dioxide tension",
        "PaCO 2",
    ),
    (
        Unit(MM_HG, "mm Hg", 5, 200, guess=(8, 200)),
        Unit(KPA, "mm Hg", 5, 200, factor=7.50062, guess=(0, 0), written="kPa"),
    ),
    exclude_before=r"venous|v|end[\s-]*tidal",
    case_sensitive=("PaCO2", "PaCO₂", "pCO2", "PCO2", "pCO₂", "PaCO 2"),
)
PH = Quantity(
    "ph",
    ("pH", "arterial pH", "blood pH", "PH"),
    (Unit(r"(?!)", None, 6.5, 8.0),),
    exclude_before=r"urine|urinary|gastric|pleural|fluid|stool|vaginal|esophageal|csf|ascitic|"
    r"impedance",
    exclude_after=r"\s*monitoring|\s*probe|\s*study|\s*metry",
    case_sensitive=("pH", "PH"),
)
FIO2 = Quantity(
    "fio2",
    (
        "FiO2",
        "FIO2",
        "FiO₂",
        "fraction of inspired oxygen",
        "inspired oxygen fraction",
        "fractional inspired oxygen",
        "inspired oxygen concentration",
        "FiO 2",
    ),
    (
        Unit(PERCENT, "%", 21, 100, guess=(21, 100)),
        Unit(r"(?!)", "%", 21, 100, factor=100, guess=(0.21, 1.0), written="a fraction"),
    ),
    case_sensitive=("FiO2", "FIO2", "FiO₂", "FiO 2"),
    suffix_units=(Unit(r"%\s*(?-i:FiO2|FIO2|FiO₂|FiO 2)", "%", 21, 100),),  # "on 40% FiO2"
)
A_A_GRADIENT = Quantity(
    "a_a_gradient",
    (
        "A-a gradient",
        "A–a gradient",
        "A-a O2 gradient",
        "A-a oxygen gradient",
        "alveolar-arterial gradient",
        "alveolar–arterial gradient",
        "alveolar-arterial oxygen gradient",
        "alveolar arterial gradient",
        "AaDO2",
        "A-aDO2",
        "P(A-a)O2",
    ),
    (Unit(MM_HG, "mm Hg", 0, 700, guess=(0, 700)),),
)
URINE_OUTPUT = Quantity(
    "urine_output",
    ("urine output", "urinary output", "UOP", "urine volume", "diuresis", "urine production"),
    (
        Unit(
            r"m[l]\s*(?:/|per|a|in)\s*(?:day|d|24\s*h(?:ours?|rs?)?)|cc\s*(?:/|per)\s*(?:day|24\s*h)",
            "mL/day",
            0,
            15000,
        ),
        Unit(
            r"l\s*(?:/|per|a|in)\s*(?:day|d|24\s*h(?:ours?|rs?)?)",
            "mL/day",
            0,
            15000,
            factor=1000,
            written="L/day",
        ),
        Unit(r"m[l]\s*(?:/|per|an)\s*(?:h|hr|hour)", "mL/day", 0, 15000, factor=24, written="mL/h"),
        Unit(r"m[l]|cc", "mL/day", 0, 15000, guess=(0, 0)),
    ),
    unitless=False,
)

BANDS = Quantity(
    "bands",
    (
        "bands",
        "band forms",
        "band neutrophils",
        "band cells",
        "bandemia",
        "band forms percentage",
        "stab neutrophils",
        "stabs",
        "immature neutrophils",
    ),
    (Unit(PERCENT, "%", 0, 100, guess=(0, 100)),),
)

LABS: tuple[Quantity, ...] = (
    CREATININE,
    BUN,
    UREA,
    SODIUM,
    POTASSIUM,
    CHLORIDE,
    BICARBONATE,
    GLUCOSE,
    ALBUMIN,
    BILIRUBIN,
    INR,
    PLATELETS,
    WBC,
    HEMOGLOBIN,
    HEMATOCRIT,
    CALCIUM,
    ALT,
    AST,
    TOTAL_CHOLESTEROL,
    HDL,
    LDL,
    TRIGLYCERIDES,
    INSULIN,
    URINE_SODIUM,
    URINE_CREATININE,
    PAO2,
    PACO2,
    PH,
    FIO2,
    A_A_GRADIENT,
    URINE_OUTPUT,
    BANDS,
)
"""Every lab quantity, for 'respectively' lists and for tests."""
