"""Keyword lists (regex fragments, case-insensitive; a "(C)" prefix = case-sensitive) for yes/no
findings, keyed by the MedCalc-Bench entity name they decide.

The lists are general clinical synonyms and abbreviations, not phrases taken from benchmark
notes. Entity names with no list here are pure judgement items (e.g. "Pulmonary Embolism is #1
diagnosis OR equally likely"): the strategy asks the model about them.
"""

from __future__ import annotations

_CHF = (
    r"congestive\s+heart\s+failure",
    r"heart\s+failure",
    r"cardiac\s+failure",
    r"(C)CHF",
    r"(C)HFrEF",
    r"(C)HFpEF",
    r"(C)HFmrEF",
    r"(C)CCF",
    r"(C)ADHF",
    r"left\s+ventricular\s+(?:systolic\s+)?(?:dysfunction|failure)",
    r"(?:reduced|low|depressed|impaired)\s+(?:(?:left\s+ventricular|LV)\s+)?"
    r"(?:ejection\s+fraction|LVEF|EF)",
    r"pulmonary\s+edema",
    r"cardiogenic\s+shock",
    r"(?:dilated|ischemic|congestive)\s+cardiomyopathy",
)
_NOT_SYSTEMIC = (
    r"(?<!pulmonary\s)(?<!pulmonary\sarterial\s)(?<!portal\s)(?<!intracranial\s)(?<!ocular\s)"
)
"""Hypertension of one vascular bed (pulmonary, portal, intracranial, ocular) is not the
systemic hypertension a risk score counts ("arterial hypertension" is)."""
_HTN = (
    _NOT_SYSTEMIC + r"hypertension",
    _NOT_SYSTEMIC + r"hypertensive",
    r"(C)(?<![Pp]ulmonary\s)(?<![Pp]ortal\s)HTN",
    r"high\s+blood\s+pressure",
    r"elevated\s+blood\s+pressure",
)
_DM = (
    r"diabetes(?:\s+mellitus)?",
    r"diabetic",
    r"(C)T[12]DM",
    r"(C)DM(?:[12]|\s*type\s*[12I]+)?",
    r"(C)IDDM",
    r"(C)NIDDM",
    r"(C)DM2",
    r"(C)DM\s?I{1,2}",
    r"type\s+(?:1|2|I|II|one|two)\s+diabetes",
)
_STROKE = (
    r"stroke",
    r"(C)CVA",
    r"cerebrovascular\s+accident",
    r"cerebral\s+infarct(?:ion)?",
    r"brain\s+infarct(?:ion)?",
    r"(?:ischemic|ischaemic|hemorrhagic|haemorrhagic|lacunar|embolic)\s+(?:stroke|infarct(?:ion)?)",
    r"intracerebral\s+h(?:a)?emorrhage",
    r"(?:MCA|ACA|PCA|PICA|cerebellar|thalamic|pontine|watershed)\s+(?:territory\s+)?"
    r"infarct(?:ion|s)?",
)
_TIA = (r"transient\s+ischa?emic\s+attacks?", r"(C)TIAs?")
_CEREBROVASCULAR = (
    _STROKE + _TIA + (r"cerebrovascular\s+disease", r"carotid\s+(?:stenosis|endarterectomy)")
)
_THROMBOEMBOLISM = (
    r"thromboembol(?:ism|ic)",
    r"(?:pulmonary|systemic|arterial)\s+embol(?:ism|us|i)",
    r"(C)PE",
    r"(C)DVT",
    r"deep\s+(?:vein|venous)\s+thrombos[ie]s",
    r"(C)VTE",
)
_MI = (
    r"myocardial\s+infarction",
    r"(C)N?STEMI",
    r"(C)AMI",
    r"(C)MI",
    r"heart\s+attack",
)
_CAD = (
    *_MI,
    r"coronary\s+(?:arter(?:y|ial)|heart)\s+disease",
    r"(C)CAD",
    r"(C)CHD",
    r"(C)IHD",
    r"ischa?emic\s+heart\s+disease",
    r"angina(?:\s+pectoris)?",
    r"(C)CABG",
    r"coronary\s+(?:artery\s+)?bypass",
    r"(C)PCI",
    r"coronary\s+stent(?:ing|s)?",
    r"percutaneous\s+coronary\s+intervention",
)
_PVD = (
    r"peripheral\s+(?:arterial|artery|vascular)\s+disease",
    r"(C)PAD",
    r"(C)PVD",
    r"claudication",
    r"aortic\s+aneurysm",
    r"(C)AAA",
)
_VASCULAR = (
    *_MI,
    *_PVD,
    r"aortic\s+plaque",
    r"atherosclero(?:sis|tic)\s+(?:plaque|disease)",
    # ESC 2020 atrial fibrillation guideline: angiographically significant coronary disease counts
    r"coronary\s+(?:arter(?:y|ial)|heart)\s+disease",
    r"(C)CAD",
)
_DVT = (
    r"deep\s+(?:vein|venous)\s+thrombos[ie]s",
    r"(C)DVTs?",
    r"venous\s+thrombos[ie]s",
    r"(?:femoral|popliteal|iliac)\s+vein\s+thrombos[ie]s",
)
_SWOLLEN_TONSILS = (
    r"(?:(?:markedly|severely|bilaterally)\s+)?(?:enlarged|swollen|hypertrophic|hypertrophied)"
    r"(?:,?\s+(?:and\s+)?\w+)?\s+tonsils",
    r"tonsils\s+(?:are|were)\s+(?:\w+\s+)?(?:enlarged|swollen|hypertrophic)",
)
_PE = (r"pulmonary\s+embol(?:ism|us|i)", r"(C)PE")
_CANCER = (
    r"cancer",
    r"carcinoma",
    r"malignan(?:cy|t)",
    r"metasta(?:sis|ses|tic)",
    r"tumou?r",
    r"neoplasm",
    r"lymphoma",
    r"leuka?emia",
    r"sarcoma",
    r"melanoma",
    r"myeloma",
    r"adenocarcinoma",
    r"chemotherapy",
)
_LIVER = (
    r"cirrho(?:sis|tic)",
    r"hepatitis",
    r"liver\s+(?:disease|failure|fibrosis)",
    r"hepatic\s+(?:disease|failure|fibrosis)",
    r"portal\s+hypertension",
    r"(?:esophageal|oesophageal)\s+varices",
    r"(C)NASH",
    r"(C)NAFLD",
    r"fatty\s+liver",
)
_RENAL = (
    r"chronic\s+kidney\s+disease",
    r"(C)CKD",
    r"(C)ESRD",
    r"(C)ESKD",
    r"end[\s-]stage\s+(?:renal|kidney)\s+disease",
    r"(?:chronic\s+)?renal\s+(?:failure|insufficiency|disease|impairment)",
    r"(?:hemo|haemo|peritoneal\s+)?dialysis",
    r"renal\s+transplant(?:ation)?",
    r"kidney\s+transplant(?:ation)?",
)
_PROCEDURE = (
    r"(?:surgery|surgical\s+(?:repair|resection)|operation|resection|repair|replacement|"
    r"arthroplasty|transplant(?:ation)?|[a-z-]+ectomy|[a-z-]+otomy|[a-z-]+ostomy|[a-z-]+plasty)"
)
_SURGERY_DONE = (
    r"(?:underwent|undergone|recent|s/p|status\s+post|post[\s-]?operative)\s+(?:[\w-]+,?\s+){0,6}?"
    + _PROCEDURE,
    _PROCEDURE + r"\s+(?:was|were|is|are|has\s+been|had\s+been)\s+(?:\w+\s+)?performed",
    _PROCEDURE + r"\s+(?:[\w-]+\s+){0,3}?(?:(?:\d+|a|one|two|three|four|five|six|a\s+few|several)"
    r"\s+days?|(?:[1-4]|a|one|two|three|four)\s+weeks?)\s+(?:ago|earlier|before|prior)",
)
"""A surgical procedure the patient had (recency: remote mentions are discounted by the
caller for time-bound items)."""
_RELATIVE_HAD = (
    r"(?:father|mother|brother|sister|sibling|parent)\s+(?:had|has|with|suffered|"
    r"died\s+(?:of|from|after))\s+(?:an?\s+)?(?:[\w-]+\s+){0,2}?"
)
"""A relative as the subject of a past event ("his father had a myocardial infarction at 52"):
the start of a family-history phrase for the items that are about relatives."""
_COPD = (
    r"chronic\s+obstructive\s+pulmonary\s+disease",
    r"(C)COPD",
    r"emphysema",
    r"chronic\s+bronchitis",
)

TERMS: dict[str, tuple[str, ...]] = {
    # --- cardiovascular history -----------------------------------------------------------
    "Congestive Heart Faliure": _CHF,
    "Congestive Heart Failure": _CHF,
    "Congestive Heart Failure criteria for the Cardiac Risk Index rule": _CHF,
    "Congestive Heart Failure in the last month": _CHF,
    "Cardiac failure present": _CHF,
    "Hypertension history": _HTN,
    "Hypertension": _HTN,
    "Diabetes history": _DM,
    "Stroke": _STROKE,
    "Stroke in the last month": _STROKE,
    "Cerebrovascular Accident": _STROKE + _TIA,
    "Transient Ischemic Attacks History": _TIA,
    "Thromboembolism history": _THROMBOEMBOLISM,
    "Vascular disease history": _VASCULAR,
    "Cerebrovascular disease history": _CEREBROVASCULAR,
    "History of cerebrovascular disease": _CEREBROVASCULAR,
    "History of ischemic heart disease": _CAD,
    "Myocardial infarction": _MI,
    "Acute Myocardial infarction": _MI,
    "Peripheral vascular disease": _PVD,
    "atherosclerotic disease": _CAD + _PVD + _STROKE + _TIA,
    "hypercholesterolemia": (
        r"hypercholesterola?emia",
        r"hyperlipida?emia",
        r"dyslipida?emia",
        r"high\s+cholesterol",
        r"hyperlipoproteina?emia",
        r"(?:on\s+)?statins?",
        r"(?:atorva|rosuva|simva|prava|lova|pitava|fluva)statin",
        r"(C)HLD",
    ),
    "obesity": (r"obes(?:e|ity)", r"morbidly\s+obese"),
    "smoking": (
        r"smok(?:er|es|ed|ing)",
        r"tobacco",
        r"cigarettes?",
        r"pack[\s-]*years?",
    ),
    "Smoker": (r"smok(?:er|es|ing)", r"tobacco\s+use", r"cigarettes?", r"current\s+smoker"),
    "parent or sibling with Cardiovascular disease before age 65": (
        r"family\s+history\s+of\s+(?:premature\s+)?(?:coronary|cardiac|heart|cardiovascular|"
        r"myocardial|ischemic)",
        _RELATIVE_HAD + r"(?:myocardial\s+infarction|(?-i:MI|CAD|CABG)|heart\s+attack|"
        r"coronary\s+(?:artery\s+)?(?:disease|bypass)|stroke|angina)",
    ),
    "Blood pressure being treated with medicines": (
        r"antihypertensives?",
        r"(?:lisinopril|enalapril|ramipril|losartan|valsartan|amlodipine|nifedipine|"
        r"hydrochlorothiazide|chlorthalidone|metoprolol|atenolol|carvedilol|bisoprolol|"
        r"diltiazem|verapamil|clonidine|hydralazine|olmesartan|irbesartan|candesartan|"
        r"telmisartan|labetalol|spironolactone|furosemide|indapamide|perindopril)",
    ),
    # --- venous thromboembolism ---------------------------------------------------------------
    "Previously documented Deep Vein Thrombosis": _DVT,
    "Previously Documented Pulmonary Embolism": _PE,
    "Hemoptysis": (
        r"ha?emoptysis",
        r"cough(?:ing|ed)?\s+(?:up\s+)?blood",
        r"blood[\s-](?:tinged|streaked|stained)\s+sputum",
        r"bloody\s+sputum",
    ),
    "Clinical signs and symptoms of Deep Vein Thrombosis": (
        *_DVT,
        r"(?:leg|calf|lower\s+(?:extremity|limb))\s+(?:swelling|edema|oedema|pain|tenderness)",
        r"swollen\s+(?:(?:left|right)\s+)?(?:leg|calf|lower\s+(?:extremity|limb))",
        r"(?:swelling|edema|oedema)\s+of\s+(?:the|his|her)\s+(?:(?:left|right)\s+)?"
        r"(?:leg|calf|lower\s+(?:extremity|limb))",
        r"(?:leg|calf|lower\s+(?:extremity|limb))\s+(?:is|was)\s+(?:\w+\s+)?swollen",
    ),
    "Unilateral Leg Swelling": (
        r"(?:unilateral|left|right)\s+(?:leg|calf|lower\s+(?:extremity|limb))\s+(?:swelling|edema|oedema)",
        r"swelling\s+of\s+the\s+(?:left|right)\s+(?:leg|calf|lower\s+(?:extremity|limb))",
        r"(?:left|right)\s+(?:leg|calf)\s+(?:was\s+)?swollen",
    ),
    "Current swollen legs": (
        r"(?:leg|legs|calf|calves|lower\s+(?:extremity|extremities|limb|limbs))\s+(?:swelling|edema|oedema)",
        r"swollen\s+(?:leg|legs|calf|calves|lower\s+(?:extremity|extremities|limb|limbs))",
        r"(?:pedal|peripheral|pitting|bilateral)\s+(?:edema|oedema)",
    ),
    "Entire Leg Swollen": (
        r"(?:entire|whole)\s+(?:left\s+|right\s+)?(?:leg|lower\s+(?:limb|extremity))\s+"
        r"(?:was\s+)?swollen",
    ),
    "Pitting edema, confined to symptomatic leg": (r"pitting\s+(?:o)?edema",),
    "Calf swelling >3 centimeters compared to the other leg": (
        r"calf\s+(?:circumference|swelling)",
    ),
    "Collateral (nonvaricose) superficial veins present": (
        r"collateral\s+(?:superficial\s+)?veins?",
    ),
    "Localized tenderness along the deep venous system": (
        r"tender(?:ness)?\s+along\s+the\s+(?:deep\s+)?(?:venous|vein)",
        r"calf\s+tenderness",
    ),
    "Varicose veins": (r"varicose\s+veins?", r"varicosities"),
    "Active cancer": _CANCER,
    "Malignancy with treatment within 6 months or palliative": _CANCER,
    "Present or previous malignancy": _CANCER,
    "Neoplastic disease": _CANCER,
    "Immobilization for at least 3 days": (
        r"immobili[sz](?:ed|ation)",
        r"bed[\s-]?(?:ridden|bound|rest)",
        r"confined\s+to\s+bed",
    ),
    "Bedridden recently >3 days or major surgery within 12 weeks": (
        r"bed[\s-]?(?:ridden|bound|rest)",
        r"confined\s+to\s+bed",
        r"immobili[sz](?:ed|ation)",
    ),
    "Paralysis, paresis, or recent plaster immobilization of the lower extremity": (
        r"paralysis",
        r"paraly[sz]ed",
        r"paresis",
        r"(?:hemi|para|quadri|tetra|mono)pleg(?:ia|ic)",
        r"(?:hemi|para|quadri|tetra|mono)paresis",
        r"plaster\s+cast",
        r"(?:leg|lower\s+(?:extremity|limb))\s+cast",
        r"cast\s+immobili[sz]ation",
    ),
    "Surgery in the previous 4 weeks": (*_SURGERY_DONE, r"postoperative\s+day", r"(C)POD\s*\d+"),
    "Recent surgery or trauma": (
        r"(?:recent|underwent)\s+\w*\s*(?:surgery|operation)",
        r"postoperative",
        r"post[\s-]operative",
        r"(?<!sonography in )trauma",  # not the FAST exam's name
        r"fractur(?:e|es|ed|ing)",
        r"injur(?:y|ies)",
        r"motor\s+vehicle\s+(?:accident|collision)",
    ),
    "Hormone use": (
        r"oral\s+contraceptives?",
        r"(C)OCPs?",
        r"o?estrogens?",
        r"(?:ethinyl\s+)?o?estradiol",
        r"hormone\s+replacement",
        r"(C)HRT",
        r"hormonal\s+(?:therapy|contraception)",
        r"birth\s+control\s+pills?",
    ),
    # --- bleeding / liver / kidney ------------------------------------------------------------
    "Prior major bleeding or predisposition to bleeding": (
        r"(?:major\s+|gastrointestinal\s+|GI\s+|intracranial\s+)?(?:bleeding|ha?emorrhage)",
        r"(C)GI\s+bleed",
        r"(?:upper|lower)\s+GI\s+bleed",
        r"anemia",
        r"anaemia",
        r"thrombocytopenia",
    ),
    "Labile international normalized ratio": (
        r"labile\s+(?:INRs?|international\s+normali[sz]ed\s+ratios?)",
        r"unstable\s+(?:INR|international)",
        r"(?:INR|international\s+normali[sz]ed\s+ratio)\s+"
        r"(?:has\s+been\s+|was\s+)?(?:labile|fluctuating|unstable|erratic)",
    ),
    "Medication usage predisposing to bleeding": (
        r"aspirin",
        r"clopidogrel",
        r"(C)NSAIDs?",
        r"non[\s-]?steroidal\s+anti[\s-]?inflammatory",
        r"ibuprofen",
        r"naproxen",
        r"diclofenac",
        r"ticagrelor",
        r"prasugrel",
        r"antiplatelets?",
    ),
    "Liver disease criteria for the HAS-BLED rule": _LIVER,
    "Hepatic disease history": _LIVER,
    "Renal disease criteria for the HAS-BLED rule": _RENAL,
    "Renal disease": _RENAL,
    "Chronic Renal Failure": _RENAL,
    "Acute renal failure": (r"acute\s+(?:renal|kidney)\s+(?:failure|injury)", r"(C)AKI", r"(C)ARF"),
    "Melena present": (r"mela?ena", r"black\s+(?:tarry\s+)?stools?", r"tarry\s+stools?"),
    "Recent syncope": (
        r"syncop(?:e|al)",
        r"fainted",
        r"fainting",
        r"passed\s+out",
        r"loss\s+of\s+consciousness",
    ),
    "Dialysis at least twice in the past week": (r"(?:hemo|haemo)?dialysis",),
    "Continuous veno-venous hemodialysis for ≥24 hours in the past week": (
        r"(C)CVVHD?F?",
        r"continuous\s+veno[\s-]?venous",
        r"continuous\s+renal\s+replacement",
        r"(C)CRRT",
    ),
    # --- Charlson and other comorbidities -----------------------------------------------------
    "AIDS": (r"(C)AIDS", r"acquired\s+immun(?:e|o)\s*deficiency\s+syndrome"),
    "Chronic Obstructive Pulmonary Disease": _COPD,
    "Connective tissue disease": (
        r"(?:systemic\s+)?lupus(?:\s+erythematosus)?",
        r"(C)SLE",
        r"rheumatoid\s+arthritis",
        r"scleroderma",
        r"systemic\s+sclerosis",
        r"polymyositis",
        r"dermatomyositis",
        r"mixed\s+connective\s+tissue\s+disease",
        r"polymyalgia\s+rheumatica",
        r"connective\s+tissue\s+disease",
        r"sj[oö]gren",
    ),
    "Dementia": (r"dementia", r"alzheimer", r"cognitive\s+(?:impairment|decline)"),
    "Hemiplegia": (
        r"hemipleg(?:ia|ic)",
        r"(?:left|right)[\s-]sided\s+(?:weakness|paralysis)",
        r"parapleg(?:ia|ic)",
        r"hemiparesis",
        r"quadripleg(?:ia|ic)",
    ),
    "Leukemia": (r"leuka?emia", r"(C)CLL", r"(C)AML", r"(C)ALL", r"(C)CML"),
    "Lymphoma": (r"lymphoma", r"hodgkin", r"(C)NHL", r"(C)DLBCL"),
    "Peptic ulcer disease": (r"peptic\s+ulcer", r"(?:gastric|duodenal)\s+ulcer", r"(C)PUD"),
    "Dementia or cognitive impairment": (r"dementia",),
    "History of inflammatory bowel disease": (
        r"inflammatory\s+bowel\s+disease",
        r"(C)IBD",
        r"crohn",
        r"ulcerative\s+colitis",
    ),
    "History of severe organ failure or immunocompromise": (
        r"immunocompromised",
        r"immunosuppress(?:ed|ion|ive|ants?)",
        r"chemotherapy",
        r"transplant",
        r"cirrhosis",
        r"(C)HIV",
        r"(C)AIDS",
        r"dialysis",
        r"leuka?emia",
        r"lymphoma",
        r"(?:NYHA|New\s+York\s+Heart\s+Association)\s+class\s+(?:IV|4)",
        r"home\s+(?:oxygen|O2)",
        r"long[\s-]term\s+oxygen\s+therapy",
        r"(C)LTOT",
    ),
    # --- pneumonia / sepsis / ICU --------------------------------------------------------------
    "Altered mental status": (
        r"altered\s+mental\s+status",
        r"confus(?:ed|ion)",
        r"disorient(?:ed|ation)",
        r"obtunded",
        r"letharg(?:ic|y)",
        r"stupor(?:ous)?",
        r"somnolen(?:t|ce)",
        r"comatose",
        r"altered\s+(?:level\s+of\s+)?consciousness",
        r"delirium",
        r"unresponsive",
        r"(C)AMS",
    ),
    "Confusion": (
        r"confus(?:ed|ion)",
        r"disorient(?:ed|ation)",
        r"altered\s+mental\s+status",
        r"(C)AMS",
        r"delirium",
    ),
    "Nursing home resident": (
        r"nursing\s+(?:home|facility)",
        r"long[\s-]term\s+care\s+facility",
        r"care\s+home",
        r"assisted\s+living",
        r"skilled\s+nursing",
    ),
    "Pleural effusion on x-ray": (r"pleural\s+effusions?",),
    "On mechanical ventilation": (
        r"mechanical(?:ly)?\s+ventilat(?:ion|ed)",
        r"intubated",
        r"intubation",
        r"ventilator",
        r"endotracheal\s+tube",
    ),
    "Continous positive airway pressure": (
        r"(C)C?PAP",
        r"continuous\s+positive\s+airway\s+pressure",
        r"(C)BiPAP",
        r"non[\s-]?invasive\s+(?:positive\s+pressure\s+)?ventilation",
        r"(C)NIV",
    ),
    "Hypotension": (r"hypotensi(?:on|ve)", r"shock"),
    # --- Caprini ---------------------------------------------------------------------------
    "Current central venous access": (
        r"central\s+(?:venous\s+)?(?:line|catheter|access)",
        r"(C)PICC",
        r"(C)CVC",
        r"port[\s-]?a[\s-]?cath",
    ),
    "Elevated anticardiolipin antibody": (
        r"anticardiolipin",
        r"anti[\s-]cardiolipin",
        r"antiphospholipid",
    ),
    "Elevated serum homocysteine": (r"(?:hyper)?homocyste(?:i)?n(?:e|a?emia)",),
    "Family history of thrombosis": (
        r"family\s+history\s+of\s+(?:\w+\s+){0,3}(?:thrombosis|thrombo"
        r"embolism|DVT|VTE|clots?)",
        _RELATIVE_HAD + r"(?:thrombosis|thromboembolism|(?-i:DVT|VTE|PE)|deep\s+vein\s+thrombosis|"
        r"pulmonary\s+embol(?:ism|us)|blood\s+clots?)",
    ),
    "Heparin-induced thrombocytopenia": (r"heparin[\s-]induced\s+thrombocytopenia", r"(C)HIT"),
    "Hip, pelvis, or leg fracture in the last month": (
        r"(?:hip|pelvi[cs]|femoral|femur|tibial?|fibular?|leg|ankle|acetabular)\s+fracture",
        r"(?:femoral|femur)\s+(?:neck|shaft)\s+fracture",
        r"fracture[sd]?\s+(?:of\s+)?(?:the\s+|his\s+|her\s+)?(?:left\s+|right\s+)?"
        r"(?:hip|pelvis|femur|tibia|fibula|leg)",
    ),
    "Multiple trauma in the last month": (
        r"multiple\s+trauma",
        r"polytrauma",
        r"multiple\s+injuries",
    ),
    "Acute spinal cord injury causing paralysis in the last month": (r"spinal\s+cord\s+injury",),
    "Immobilizing plaster cast in the last month": (r"plaster\s+cast", r"\bcast\b", r"splint"),
    "Major Surgery in the last month": _SURGERY_DONE,
    "Other congenital or acquired thrombophilia": (
        r"thrombophilia",
        r"protein\s+[cs]\s+deficiency",
        r"antithrombin\s+(?:III\s+)?deficiency",
        r"hypercoagulab(?:le|ility)",
    ),
    "Pneumonia in the last month": (r"pneumonia",),
    "Positive Factor V Leiden": (r"factor\s+V\s+leiden",),
    "Positive lupus anticoagulant": (r"lupus\s+anticoagulant",),
    "Positive prothrombin 20210A": (
        r"prothrombin\s+(?:gene\s+)?(?:G)?20210A?",
        r"prothrombin\s+gene\s+mutation",
    ),
    "Sepsis in the last month": (r"(?:uro)?sepsis", r"septic", r"septica?emia"),
    "Previously documented DVT": _DVT,
    # --- pharyngitis / pediatric -----------------------------------------------------------------
    "Exudate or swelling on tonsils": (
        r"tonsil(?:lar)?\s+(?:exudates?|swelling|enlargement|hypertrophy)",
        r"exudat(?:es?|ive)",
        *_SWOLLEN_TONSILS,
    ),
    "Tender/swollen anterior cervical lymph nodes": (
        r"(?:tender|swollen|enlarged)(?:,?\s+[\w-]+){0,3}?\s+(?:anterior\s+)?"
        r"(?:cervical|submandibular|jugulodigastric|neck)\s+(?:lymph\s+nodes?|nodes?|(?:lymph)?adenopathy)",
        r"(?:cervical|submandibular|jugulodigastric)\s+(?:lymph)?adenopathy",
        r"(?:anterior\s+)?cervical\s+(?:lymph\s+)?nodes?\s+(?:were\s+)?(?:tender|swollen|enlarged)",
        r"lymphadenopathy",
    ),
    "Purulent tonsils": (
        r"purulen(?:t|ce)",
        r"pus\s+on\s+the\s+tonsils",
        r"tonsil(?:lar)?\s+exudates?",
        r"exudative\s+tonsil\w*",
        r"tonsils?\s+(?:[\w,]+\s+){0,4}?with\s+(?:\w+\s+)?exudates?",
        r"exudates?\s+(?:on|over|covering)\s+(?:the\s+|both\s+)?tonsils?",
    ),
    "Severe tonsil inflammation": (
        r"severe(?:ly)?\s+(?:inflamed\s+)?tonsil",
        r"tonsil(?:lar)?\s+(?:hypertrophy|enlargement)",
        *_SWOLLEN_TONSILS,
    ),
    "Fever in past 24 hours": (r"fevers?", r"febrile", r"pyrexi(?:a|al)"),
    "Pre-operative treatment with insulin": (
        r"insulin",
        r"insulin[\s-](?:dependent|requiring|treated)",
        r"(C)IDDM",
    ),
    "Major surgery within 12 weeks": (*_SURGERY_DONE, r"postoperative\s+day"),
    "Elevated-risk surgery": (
        r"intraperitoneal",
        r"intrathoracic",
        r"suprainguinal\s+vascular",
        r"(?:laparotomy|thoracotomy|esophagectomy|gastrectomy|colectomy|hepatectomy|"
        r"pancreat(?:ectomy|icoduodenectomy)|whipple|lobectomy|pneumonectomy|nephrectomy|"
        r"(?:aortic\s+(?:aneurysm\s+)?|(?-i:AAA)\s+)repair|cystectomy|hemicolectomy|bowel\s+resection|"
        r"aortobifemoral|abdominal\s+aortic)",
        r"(?:lung|pulmonary|esophageal|oesophageal|gastric|colonic|colorectal|rectal|liver|"
        r"hepatic|pancreatic|bowel|small\s+bowel)\s+(?:cancer\s+|tumou?r\s+)?resection",
    ),
}

CHOICE_TERMS: dict[str, tuple[str, ...]] = {
    "Ascites": (r"ascit(?:es|ic)",),
    "Encephalopathy": (
        r"encephalopath(?:y|ic)",
        r"asterixis",
        r"confus(?:ed|ion)",
        r"disorient\w*",
        r"somnolen\w*",
        r"stupor\w*",
        r"coma(?:tose)?",
    ),
    "Electrocardiogram Test": (
        r"(C)ECG",
        r"(C)EKG",
        r"electrocardiogra(?:m|phy)",
        r"(C)ST",
        r"T[\s-]wave",
        r"(C)LBBB",
        r"(C)LVH",
        r"repolari[sz]ation",
    ),
    "Initial troponin": (
        r"troponins?",
        r"(C)Tn[IT]",
        r"(C)hs-?Tn[IT]?",
        r"cardiac\s+(?:enzymes|markers|biomarkers)",
    ),
    "Mobility": (
        r"bed[\s-]?(?:ridden|bound|rest)",
        r"confined\s+to\s+(?:the\s+)?bed",
        r"ambulat\w*",
        r"immobil\w*",
        r"mobility",
        r"mobile",
        r"walk(?:s|ing|ed)?",
        r"wheelchair",
    ),
    "Diabetes mellitus criteria for CCI rule": _DM,
    "Solid tumor": (
        r"cancer",
        r"carcinoma",
        r"sarcoma",
        r"melanoma",
        r"tumou?r",
        r"neoplasm",
        r"malignan(?:cy|t)",
        r"metasta\w*",
        r"\w+oma",
    ),
    "Liver disease severity": _LIVER,
    "Moderate to severe Chronic Kidney Disease": _RENAL,
    "Surgery Type": (
        r"surgery",
        r"surgical",
        r"operation",
        r"operative",
        r"\w+ectomy",
        r"\w+otomy",
        r"\w+plasty",
        r"arthroscop\w*",
        r"laparoscop\w*",
        r"resection",
        r"repair",
        r"procedure",
    ),
    "Suspicion History": (
        r"chest\s+pain",
        r"angina\w*",
        r"chest\s+(?:discomfort|pressure|tightness)",
        r"dyspn(?:o)?ea",
        r"palpitation\w*",
        r"epigastric",
    ),
}
"""Categorical items: when none of these words occur, the item is not mentioned (default)."""

INVERSE_TERMS: dict[str, tuple[str, ...]] = {
    "Cough Absent": (r"cough(?:ing|s)?",),
    "Absence of cough or coryza": (
        r"cough(?:ing|s)?",
        r"coryza",
        r"rhinorrh(?:o)?ea",
        r"runny\s+nose",
        r"nasal\s+(?:congestion|discharge)",
    ),
    # Wells DVT: a note that raises DVT (its name or its signs) makes no other diagnosis more
    # likely; one that never raises it is about something else (the calculator's default: yes)
    "Alternative diagnosis to Deep Vein Thrombosis as likely or more likely": TERMS[
        "Clinical signs and symptoms of Deep Vein Thrombosis"
    ],
}
"""Findings stated as an absence: True when the listed terms are negated; when they are not
mentioned at all, the calculator's default applies."""

_NEVER_SMOKED = (
    r"non-?smok(?:er|ing)",
    r"never[\s-]smoker",
    r"never\s+(?:having\s+)?smoked",
)
_NOT_CURRENT_SMOKER = (
    *_NEVER_SMOKED,
    r"(?:former|ex-?|previous|past|prior)[\s-]smoker",
    r"(?:quit|stopped|gave\s+up)\s+smoking",
)
ABSENCE_TERMS: dict[str, tuple[str, ...]] = {
    "Diabetes history": (r"non-?diabetic",),
    "smoking": _NEVER_SMOKED,  # HEART counts a smoker who quit within 3 months
    "Smoker": _NOT_CURRENT_SMOKER,  # Framingham: current smoking only
}
"""Single phrases that state the finding absent ("nonsmoker", "non-diabetic", "quit smoking"). A
finding term inside such a phrase is not a mention of the finding."""

RECENT_KEYS = frozenset(
    {
        "Surgery in the previous 4 weeks",
        "Major Surgery in the last month",
        "Major surgery within 12 weeks",
        "Bedridden recently >3 days or major surgery within 12 weeks",
        "Recent surgery or trauma",
        "Recent syncope",
        "Congestive Heart Failure in the last month",
        "Hip, pelvis, or leg fracture in the last month",
        "Immobilizing plaster cast in the last month",
        "Multiple trauma in the last month",
        "Acute spinal cord injury causing paralysis in the last month",
        "Pneumonia in the last month",
        "Sepsis in the last month",
        "Stroke in the last month",
    }
)
"""Events bound to a recent period: a mention dated a year or more ago does not count. (Lasting
states such as paralysis are not here: paraplegia since 1987 is still paraplegia.)"""
