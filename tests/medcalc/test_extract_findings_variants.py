"""Yes/no findings and categorical items on hand-written case-report sentences.

Each case names a MedCalc-Bench entity, a short synthetic sentence, the value the rules must give
(True / False / a choice label, or None: "not mentioned", for which the strategy records the
calculator's default as an assumption) and words the evidence span must contain. Phrasings vary
on purpose: synonyms and abbreviations, negated lists, relatives, possibilities, remote events.

None of these sentences comes from a dataset; they imitate the style of published case reports.
"""

from __future__ import annotations

from typing import Any

import pytest

from clinreason.backends.fake import FakeBackend
from clinreason.strategies.base import run
from clinreason.strategies.calculator import CalculatorStrategy
from clinreason.tools.extract import extract_entity
from clinreason.trace import Case, Extraction


def _xfail(reason: str, *values: Any) -> Any:
    return pytest.param(*values, marks=pytest.mark.xfail(strict=True, reason=reason))


_CHF = "Congestive Heart Faliure"
_HTN = "Hypertension history"
_DM = "Diabetes history"
_TE = "Thromboembolism history"
_VASC = "Vascular disease history"
_TIA = "Transient Ischemic Attacks History"
_IHD = "History of ischemic heart disease"
_CVD = "Cerebrovascular disease history"
_CHOL = "hypercholesterolemia"
_PE = "Previously Documented Pulmonary Embolism"
_DVT = "Previously documented Deep Vein Thrombosis"
_CANCER = "Malignancy with treatment within 6 months or palliative"
_SURG4 = "Surgery in the previous 4 weeks"
_PARALYSIS = "Paralysis, paresis, or recent plaster immobilization of the lower extremity"
_BLEED = "Prior major bleeding or predisposition to bleeding"
_BLEED_MEDS = "Medication usage predisposing to bleeding"
_IMMUNO = "History of severe organ failure or immunocompromise"
_NODES = "Tender/swollen anterior cervical lymph nodes"
_EXUDATE = "Exudate or swelling on tonsils"
_FAM_CVD = "parent or sibling with Cardiovascular disease before age 65"
_ALT_DVT = "Alternative diagnosis to Deep Vein Thrombosis as likely or more likely"

FINDINGS = [
    # -- heart failure ---------------------------------------------------------------------------
    (_CHF, "Past history is notable for HFrEF with an ejection fraction of 30%.", True, "HFrEF"),
    (_CHF, "She carries a diagnosis of CHF and takes furosemide.", True, "CHF"),
    (_CHF, "Known congestive cardiac failure, NYHA class III.", True, "cardiac failure"),
    (_CHF, "Echocardiography revealed a reduced ejection fraction of 25%.", True, "ejection"),
    (_CHF, "Transthoracic echo: severely reduced LV ejection fraction.", True, "ejection fraction"),
    (_CHF, "Echo showed a depressed LVEF of 20%.", True, "LVEF"),
    (_CHF, "He was treated for HFpEF last year.", True, "HFpEF"),
    (_CHF, "Chest X-ray showed pulmonary edema.", True, "pulmonary edema"),
    (_CHF, "There is no history of heart failure.", False, "heart failure"),
    (_CHF, "Echocardiogram showed a normal ejection fraction of 60%.", None, None),
    ("Cardiac failure present", "She has ischemic cardiomyopathy.", True, "cardiomyopathy"),
    (
        "Congestive Heart Failure criteria for the Cardiac Risk Index rule",
        "Decompensated heart failure two weeks ago required admission.",
        True,
        "heart failure",
    ),
    # -- hypertension ----------------------------------------------------------------------------
    (_HTN, "PMH: HTN, HLD, GERD.", True, "HTN"),
    (_HTN, "Long-standing essential hypertension on amlodipine.", True, "hypertension"),
    (_HTN, "She was hypertensive for 15 years.", True, "hypertensive"),
    (_HTN, "He reports a history of high blood pressure.", True, "high blood pressure"),
    (_HTN, "No history of diabetes or hypertension.", False, "hypertension"),
    (_HTN, "He denies hypertension, diabetes, and hyperlipidemia.", False, "hypertension"),
    (_HTN, "Past history negative for asthma, diabetes, and hypertension.", False, "hypertension"),
    (_HTN, "Her mother and brother have hypertension.", None, None),
    (_HTN, "Right heart catheterization confirmed pulmonary hypertension.", None, None),
    (_HTN, "Cirrhosis complicated by portal hypertension and varices.", None, None),
    (_HTN, "A diagnosis of idiopathic intracranial hypertension was made.", None, None),
    (_HTN, "She has pulmonary arterial hypertension on sildenafil.", None, None),
    (_HTN, "He has arterial hypertension treated with ramipril.", True, "hypertension"),
    (_HTN, "Blood pressure 152/94 mmHg on arrival.", None, None),
    # -- diabetes --------------------------------------------------------------------------------
    (_DM, "Comorbidities: DM2, obesity.", True, "DM2"),
    (_DM, "A 58-year-old man with T2DM presented with cough.", True, "T2DM"),
    (_DM, "She has type 2 diabetes mellitus on metformin.", True, "diabetes"),
    (_DM, "He has insulin-dependent diabetes since age 12.", True, "diabetes"),
    (_DM, "Known IDDM with poor control.", True, "IDDM"),
    (_DM, "Medical history includes NIDDM.", True, "NIDDM"),
    (_DM, "History of DMII, on glipizide.", True, "DMII"),
    (_DM, "He is diabetic and on insulin.", True, "diabetic"),
    (_DM, "No history of diabetes or hypertension.", False, "diabetes"),
    (_DM, "She denies diabetes mellitus.", False, "diabetes"),
    (_DM, "Her father had type 2 diabetes.", None, None),
    (_DM, "She was told she has prediabetes.", None, None),
    (_DM, "A non-diabetic woman of 40.", False, "non-diabetic"),
    (_DM, "Fasting glucose 98 mg/dL.", None, None),
    # -- stroke / TIA / cerebrovascular ------------------------------------------------------------
    ("Stroke", "He had a prior CVA with residual aphasia.", True, "CVA"),
    ("Stroke", "History of ischaemic stroke in 2015.", True, "stroke"),
    ("Stroke", "MRI showed an old left MCA territory infarct.", True, "infarct"),
    ("Stroke", "She suffered a cerebrovascular accident last year.", True, "cerebrovascular"),
    ("Stroke", "His mother had a stroke at 70.", None, None),
    ("Stroke", "CT head was obtained to rule out stroke.", None, None),
    ("Stroke", "No previous stroke or TIA.", False, "stroke"),
    ("Stroke", "She had a TIA two months ago.", None, None),
    (_TIA, "She had a TIA two months ago.", True, "TIA"),
    (_TIA, "He has had two TIAs this year.", True, "TIAs"),
    (_TIA, "Transient ischemic attack in 2019 without sequelae.", True, "ischemic attack"),
    (_TIA, "No previous stroke or TIA.", False, "TIA"),
    ("Cerebrovascular Accident", "Prior TIA, on clopidogrel.", True, "TIA"),
    (_CVD, "Status post left carotid endarterectomy.", True, "carotid endarterectomy"),
    (_CVD, "History of lacunar infarction.", True, "infarction"),
    ("History of cerebrovascular disease", "She denies any prior stroke.", False, "stroke"),
    ("Stroke in the last month", "Acute ischemic stroke one week ago.", True, "stroke"),
    ("Stroke in the last month", "He had a stroke five years ago.", None, None),
    # -- thromboembolism ---------------------------------------------------------------------------
    (_TE, "History of DVT in 2018 treated with rivaroxaban.", True, "DVT"),
    (_TE, "Prior PE on apixaban.", True, "PE"),
    (_TE, "She had a systemic embolism to the left leg.", True, "embolism"),
    (_TE, "No prior VTE.", False, "VTE"),
    (_TE, "Venous thromboembolism runs in her family: mother and sister.", True, "thromboembol"),
    # -- vascular / ischemic heart disease ---------------------------------------------------------
    (_VASC, "He had an old MI in 2005.", True, "MI"),
    (_VASC, "Prior NSTEMI treated medically.", True, "NSTEMI"),
    (_VASC, "Peripheral arterial disease with claudication.", True, "arterial disease"),
    (_VASC, "Known PAD, status post femoral-popliteal bypass.", True, "PAD"),
    (_VASC, "CT showed extensive aortic plaque.", True, "aortic plaque"),
    (_VASC, "No history of myocardial infarction.", False, "myocardial infarction"),
    ("Myocardial infarction", "Remote inferior MI, no stents.", True, "MI"),
    ("Myocardial infarction", "His father died of a heart attack at 50.", None, None),
    (_IHD, "Status post CABG in 2012.", True, "CABG"),
    (_IHD, "Coronary artery disease with stents placed in 2019.", True, "coronary artery"),
    (_IHD, "Stable angina on nitrates.", True, "angina"),
    (_IHD, "Three-vessel CAD on coronary angiography.", True, "CAD"),
    (_IHD, "Prior PCI to the LAD.", True, "PCI"),
    (_IHD, "Denies chest pain or angina.", False, "angina"),
    ("atherosclerotic disease", "Prior PCI with a drug-eluting stent.", True, "PCI"),
    ("Peripheral vascular disease", "Intermittent claudication of both calves.", True, "claud"),
    ("Peripheral vascular disease", "Known infrarenal AAA of 4.5 cm.", True, "AAA"),
    # -- HEART risk factors ------------------------------------------------------------------------
    (_CHOL, "PMH: HTN, HLD, GERD.", True, "HLD"),
    (_CHOL, "Dyslipidemia treated with diet.", True, "Dyslipidemia"),
    (_CHOL, "He takes atorvastatin 40 mg nightly.", True, "atorvastatin"),
    (_CHOL, "She is on a statin.", True, "statin"),
    (_CHOL, "Denies high cholesterol.", False, "cholesterol"),
    ("obesity", "She is morbidly obese.", True, "obese"),
    ("obesity", "Class II obesity.", True, "obesity"),
    ("obesity", "A thin, well-appearing man.", None, None),
    ("smoking", "He smokes a pack per day.", True, "smokes"),
    ("smoking", "A 40 pack-year smoking history.", True, "pack-year"),
    ("smoking", "He has never smoked.", False, "smoked"),
    ("smoking", "Denies tobacco, alcohol, or illicit drug use.", False, "tobacco"),
    (_FAM_CVD, "Family history of premature coronary artery disease.", True, "family history"),
    (_FAM_CVD, "His father had a myocardial infarction at age 52.", True, "father"),
    (_FAM_CVD, "His brother had a heart attack at 45.", True, "heart attack"),
    # -- Framingham ------------------------------------------------------------------------------
    ("Smoker", "Current smoker, 10 cigarettes a day.", True, "smoker"),
    ("Smoker", "She denies smoking.", False, "smoking"),
    ("Smoker", "He is a lifelong nonsmoker.", False, "nonsmoker"),
    ("Smoker", "He quit smoking 20 years ago.", False, "quit smoking"),
    ("Smoker", "Ex-smoker.", False, "Ex-smoker"),
    ("Smoker", "His father was a former smoker.", None, None),
    ("smoking", "He quit smoking 2 months ago.", True, "smoking"),  # HEART: quit <= 3 months
    ("smoking", "She has never smoked.", False, "never smoked"),
    (
        "Blood pressure being treated with medicines",
        "He takes amlodipine 5 mg daily.",
        True,
        "amlodipine",
    ),
    ("Blood pressure being treated with medicines", "On lisinopril.", True, "lisinopril"),
    (
        "Blood pressure being treated with medicines",
        "She is on antihypertensive therapy.",
        True,
        "antihypertensive",
    ),
    # -- Wells PE / PERC ---------------------------------------------------------------------------
    ("Hemoptysis", "Two days of coughing up blood.", True, "coughing up blood"),
    ("Hemoptysis", "She noted blood-streaked sputum.", True, "sputum"),
    ("Hemoptysis", "Haemoptysis for a week.", True, "Haemoptysis"),
    ("Hemoptysis", "Denies hemoptysis.", False, "hemoptysis"),
    ("Hemoptysis", "No fever, chills, hemoptysis, or weight loss.", False, "hemoptysis"),
    (_PE, "Prior PE in 2016, off anticoagulation.", True, "PE"),
    (_PE, "History of pulmonary emboli.", True, "pulmonary emboli"),
    (_PE, "CT angiography was performed to rule out PE.", None, None),
    (_PE, "CT pulmonary angiography was negative for pulmonary embolism.", False, "embolism"),
    (_PE, "Pulmonary embolism was ruled out.", False, "Pulmonary embolism"),
    (_DVT, "Right femoral DVT three years ago.", True, "DVT"),
    (_DVT, "History of deep venous thrombosis.", True, "venous thrombosis"),
    (_DVT, "Doppler ultrasound showed no deep vein thrombosis.", False, "thrombosis"),
    (_CANCER, "Metastatic adenocarcinoma of the lung on palliative care.", True, "metasta"),
    (_CANCER, "Currently on chemotherapy for breast cancer.", True, "chemotherapy"),
    (_CANCER, "No history of malignancy.", False, "malignancy"),
    (_CANCER, "Her sister had ovarian cancer.", None, None),
    ("Immobilization for at least 3 days", "Bedridden for 5 days with back pain.", True, "Bed"),
    (
        "Immobilization for at least 3 days",
        "He has been bedbound since a fall.",
        True,
        "bedbound",
    ),
    (_SURG4, "Recent hip replacement 2 weeks ago.", True, "hip replacement"),
    (_SURG4, "She underwent laparoscopic cholecystectomy 10 days ago.", True, "cholecystectomy"),
    (_SURG4, "Postoperative day 3 after total knee arthroplasty.", True, "Postoperative day"),
    (_SURG4, "He had knee surgery 3 weeks ago.", True, "surgery"),
    (_SURG4, "Appendectomy as a child.", None, None),
    (_SURG4, "No recent surgery or travel.", False, "surgery"),
    (
        "Clinical signs and symptoms of Deep Vein Thrombosis",
        "The left calf was swollen and tender.",
        True,
        "calf",
    ),
    ("Unilateral Leg Swelling", "Swelling of the right calf for 3 days.", True, "right calf"),
    ("Unilateral Leg Swelling", "Left leg edema since the flight.", True, "Left leg edema"),
    ("Unilateral Leg Swelling", "Right lower extremity swelling.", True, "lower extremity"),
    ("Unilateral Leg Swelling", "No leg swelling.", None, None),
    ("Recent surgery or trauma", "He fractured his wrist last week.", True, "fractured"),
    ("Recent surgery or trauma", "Motor vehicle collision 5 days ago.", True, "collision"),
    ("Recent surgery or trauma", "Denies recent trauma or surgery.", False, "trauma"),
    ("Hormone use", "She takes oral contraceptive pills.", True, "oral contraceptive"),
    ("Hormone use", "On OCPs for 2 years.", True, "OCPs"),
    ("Hormone use", "She uses estradiol patches for menopause.", True, "estradiol"),
    ("Hormone use", "Postmenopausal hormone replacement therapy.", True, "hormone replacement"),
    ("Hormone use", "She is not on hormone therapy or contraception.", None, None),
    # -- Wells DVT -------------------------------------------------------------------------------
    ("Active cancer", "Receiving chemotherapy for pancreatic adenocarcinoma.", True, "chemo"),
    ("Active cancer", "Multiple myeloma diagnosed last month.", True, "myeloma"),
    (_PARALYSIS, "Paraplegic since a spinal cord injury.", True, "Paraplegic"),
    (_PARALYSIS, "Right leg in a plaster cast after an ankle fracture.", True, "plaster cast"),
    (_PARALYSIS, "Residual left hemiparesis.", True, "hemiparesis"),
    (
        "Pitting edema, confined to symptomatic leg",
        "2+ pitting edema of the left leg.",
        True,
        "pit",
    ),
    ("Entire Leg Swollen", "The entire left leg was swollen.", True, "entire left leg"),
    (
        "Calf swelling >3 centimeters compared to the other leg",
        "Left calf circumference was 4 cm greater than the right.",
        True,
        "calf circumference",
    ),
    ("Varicose veins", "Bilateral varicosities.", True, "varicosities"),
    (
        "Bedridden recently >3 days or major surgery within 12 weeks",
        "Bedridden for a week after a fall.",
        True,
        "Bedridden",
    ),
    ("Major surgery within 12 weeks", "Status post appendectomy 10 years ago.", None, None),
    (_ALT_DVT, "Doppler ultrasound excluded deep vein thrombosis.", True, "thrombosis"),
    (_ALT_DVT, "A swollen left calf since yesterday.", False, "calf"),
    # -- RCRI --------------------------------------------------------------------------------------
    (
        "Pre-operative treatment with insulin",
        "On insulin glargine 20 units nightly.",
        True,
        "insulin",
    ),
    ("Pre-operative treatment with insulin", "Insulin-dependent diabetes.", True, "Insulin"),
    ("Pre-operative treatment with insulin", "Diabetes controlled on metformin.", None, None),
    ("Elevated-risk surgery", "Scheduled for open AAA repair.", True, "repair"),
    ("Elevated-risk surgery", "Planned right hemicolectomy for cancer.", True, "hemicolectomy"),
    ("Elevated-risk surgery", "Planned elective laparotomy.", True, "laparotomy"),
    ("Elevated-risk surgery", "Planned lobectomy for a lung nodule.", True, "lobectomy"),
    ("Elevated-risk surgery", "Scheduled for a total knee arthroplasty.", None, None),
    # -- Centor / FeverPAIN --------------------------------------------------------------------
    (_EXUDATE, "Exudative pharyngitis with fever.", True, "Exudative"),
    (_EXUDATE, "Tonsillar exudates bilaterally.", True, "exudates"),
    (_EXUDATE, "Tonsils were enlarged without exudate.", True, "enlarged"),
    (_EXUDATE, "The pharynx was erythematous without exudate.", False, "exudate"),
    (_EXUDATE, "Swollen tonsils.", True, "Swollen tonsils"),
    (_NODES, "Tender anterior cervical lymphadenopathy.", True, "lymphadenopathy"),
    (_NODES, "Tender cervical adenopathy on the left.", True, "adenopathy"),
    (_NODES, "No cervical lymphadenopathy.", False, "lymphadenopathy"),
    ("Cough Absent", "She denies cough.", True, "cough"),
    ("Cough Absent", "Non-productive cough for 3 days.", False, "cough"),
    ("Cough Absent", "No cough or rhinorrhea.", True, "cough"),
    ("Cough Absent", "Sore throat and fever for 2 days.", None, None),
    ("Absence of cough or coryza", "No cough, runny nose or congestion.", True, "cough"),
    ("Absence of cough or coryza", "Rhinorrhea and sneezing for 2 days.", False, "Rhinorrhea"),
    ("Purulent tonsils", "Pus on the tonsils.", True, "Pus on the tonsils"),
    ("Purulent tonsils", "Exudates covering both tonsils.", True, "Exudates"),
    ("Severe tonsil inflammation", "Markedly enlarged tonsils.", True, "tonsils"),
    ("Fever in past 24 hours", "Febrile to 39.1 °C overnight.", True, "Febrile"),
    ("Fever in past 24 hours", "He has been afebrile.", None, None),
    ("Fever in past 24 hours", "Denies fever or chills.", False, "fever"),
    # -- HAS-BLED ------------------------------------------------------------------------------
    ("Renal disease criteria for the HAS-BLED rule", "ESRD on hemodialysis.", True, "ESRD"),
    ("Renal disease criteria for the HAS-BLED rule", "She had a renal transplant.", True, "renal"),
    ("Renal disease criteria for the HAS-BLED rule", "CKD stage 4.", True, "CKD"),
    ("Liver disease criteria for the HAS-BLED rule", "Alcoholic cirrhosis.", True, "cirrhosis"),
    ("Liver disease criteria for the HAS-BLED rule", "Chronic hepatitis B.", True, "hepatitis"),
    (_BLEED, "Prior GI bleed in 2019.", True, "GI bleed"),
    (_BLEED, "History of intracranial hemorrhage.", True, "hemorrhage"),
    (_BLEED, "No prior bleeding episodes.", False, "bleeding"),
    (_BLEED_MEDS, "Takes aspirin 81 mg daily.", True, "aspirin"),
    (_BLEED_MEDS, "Frequent NSAID use for back pain.", True, "NSAID"),
    (_BLEED_MEDS, "On warfarin for atrial fibrillation.", None, None),
    ("Labile international normalized ratio", "Labile INRs on warfarin.", True, "Labile INR"),
    ("Labile international normalized ratio", "INR has been labile.", True, "labile"),
    ("Labile international normalized ratio", "On warfarin for atrial fibrillation.", None, None),
    # -- Glasgow-Blatchford --------------------------------------------------------------------
    ("Melena present", "Two episodes of melena.", True, "melena"),
    ("Melena present", "He reported black, tarry stools.", True, "tarry stools"),
    ("Melena present", "Passing black stools since yesterday.", True, "black stools"),
    ("Melena present", "Denies melena or hematochezia.", False, "melena"),
    ("Recent syncope", "A syncopal episode at home.", True, "syncopal"),
    ("Recent syncope", "He passed out while standing.", True, "passed out"),
    ("Recent syncope", "No syncope.", False, "syncope"),
    ("Hepatic disease history", "Alcoholic liver disease.", True, "liver disease"),
    ("Hepatic disease history", "Known NASH cirrhosis.", True, "NASH"),
    # -- APACHE II / SOFA / MELD -------------------------------------------------------------------
    ("Acute renal failure", "Creatinine rose to 3.1 mg/dL consistent with AKI.", True, "AKI"),
    ("Acute renal failure", "Acute kidney injury on day 2.", True, "Acute kidney injury"),
    ("Chronic Renal Failure", "Chronic kidney disease stage 3b.", True, "kidney disease"),
    (_IMMUNO, "HIV with a CD4 count of 90.", True, "HIV"),
    (_IMMUNO, "On immunosuppressants after a liver transplant.", True, "immunosuppress"),
    (_IMMUNO, "Severe COPD on home oxygen.", True, "home oxygen"),
    (_IMMUNO, "Cirrhosis with prior variceal bleeding.", True, "Cirrhosis"),
    ("On mechanical ventilation", "He was intubated and mechanically ventilated.", True, "intub"),
    ("Continous positive airway pressure", "Placed on BiPAP overnight.", True, "BiPAP"),
    ("Continous positive airway pressure", "Uses CPAP for sleep apnea.", True, "CPAP"),
    ("Hypotension", "Septic shock requiring norepinephrine.", True, "shock"),
    ("Hypotension", "He was hypotensive on arrival.", True, "hypotensive"),
    (
        "Dialysis at least twice in the past week",
        "Receives hemodialysis three times weekly.",
        True,
        "hemodialysis",
    ),
    (
        "Continuous veno-venous hemodialysis for ≥24 hours in the past week",
        "Started on CVVHDF for 48 hours.",
        True,
        "CVVHDF",
    ),
    # -- PSI / CURB-65 ---------------------------------------------------------------------------
    ("Nursing home resident", "Resides in a skilled nursing facility.", True, "skilled nursing"),
    ("Nursing home resident", "Lives at home with his wife.", None, None),
    ("Neoplastic disease", "Metastatic adenocarcinoma of the colon.", True, "Metastatic"),
    ("Renal disease", "CKD stage 4 with creatinine 3.2.", True, "CKD"),
    ("Altered mental status", "He was confused and disoriented.", True, "confused"),
    ("Altered mental status", "Brought in for AMS.", True, "AMS"),
    ("Altered mental status", "She was somnolent but arousable.", True, "somnolent"),
    ("Altered mental status", "Alert and oriented times three.", None, None),
    (
        "Pleural effusion on x-ray",
        "A small left pleural effusion on chest X-ray.",
        True,
        "effusion",
    ),
    ("Pleural effusion on x-ray", "No pleural effusion or pneumothorax.", False, "effusion"),
    ("Confusion", "New-onset confusion since morning.", True, "confusion"),
    ("Confusion", "Disoriented to time and place.", True, "Disoriented"),
    ("Confusion", "Brought in for AMS.", True, "AMS"),
    ("Confusion", "He is alert and oriented without confusion.", False, "confusion"),
    # -- Charlson ------------------------------------------------------------------------------
    ("Dementia", "Alzheimer's disease, lives with daughter.", True, "Alzheimer"),
    ("Dementia", "Vascular dementia.", True, "dementia"),
    ("Chronic Obstructive Pulmonary Disease", "COPD on home oxygen.", True, "COPD"),
    ("Chronic Obstructive Pulmonary Disease", "Centrilobular emphysema on CT.", True, "emphysema"),
    ("Connective tissue disease", "Rheumatoid arthritis on methotrexate.", True, "arthritis"),
    ("Connective tissue disease", "SLE with lupus nephritis.", True, "SLE"),
    ("Peptic ulcer disease", "Duodenal ulcer in 2010.", True, "ulcer"),
    ("Peptic ulcer disease", "Known PUD.", True, "PUD"),
    ("Hemiplegia", "Right hemiplegia after a stroke.", True, "hemiplegia"),
    ("Hemiplegia", "Residual left hemiparesis.", True, "hemiparesis"),
    ("Leukemia", "CLL under observation.", True, "CLL"),
    ("Leukemia", "Chronic lymphocytic leukemia.", True, "leukemia"),
    ("Lymphoma", "Non-Hodgkin lymphoma in remission.", True, "lymphoma"),
    ("Lymphoma", "DLBCL treated with R-CHOP.", True, "DLBCL"),
    ("AIDS", "HIV/AIDS on antiretroviral therapy.", True, "AIDS"),
    ("AIDS", "HIV on antiretroviral therapy, CD4 count 650.", None, None),
    # -- Caprini -------------------------------------------------------------------------------
    ("Major Surgery in the last month", "Underwent right hemicolectomy 2 weeks ago.", True, "hemi"),
    ("Sepsis in the last month", "Admitted for urosepsis 10 days ago.", True, "urosepsis"),
    ("Pneumonia in the last month", "Treated for pneumonia 2 weeks ago.", True, "pneumonia"),
    ("Hip, pelvis, or leg fracture in the last month", "Left hip fracture.", True, "hip fracture"),
    (
        "Hip, pelvis, or leg fracture in the last month",
        "A displaced femoral neck fracture after a fall.",
        True,
        "femoral neck fracture",
    ),
    (
        "Hip, pelvis, or leg fracture in the last month",
        "He fractured his left femur in a fall.",
        True,
        "femur",
    ),
    ("Immobilizing plaster cast in the last month", "Left leg in a cast.", True, "cast"),
    ("Multiple trauma in the last month", "Admitted with polytrauma.", True, "polytrauma"),
    (
        "Acute spinal cord injury causing paralysis in the last month",
        "Acute spinal cord injury at C5.",
        True,
        "spinal cord injury",
    ),
    ("Current swollen legs", "Bilateral lower extremity edema.", True, "edema"),
    ("Current swollen legs", "2+ pitting edema to the knees.", True, "pitting edema"),
    ("Current central venous access", "A right internal jugular central line.", True, "line"),
    ("Current central venous access", "A PICC line was placed.", True, "PICC"),
    ("Family history of thrombosis", "Family history of DVT in her mother.", True, "DVT"),
    (
        "Family history of thrombosis",
        "Her mother had a pulmonary embolism at 50.",
        True,
        "embolism",
    ),
    ("Positive Factor V Leiden", "Heterozygous for factor V Leiden.", True, "factor V Leiden"),
    ("Positive prothrombin 20210A", "Prothrombin G20210A mutation.", True, "20210"),
    ("Elevated serum homocysteine", "Hyperhomocysteinemia.", True, "homocysteinemia"),
    ("Positive lupus anticoagulant", "Positive lupus anticoagulant.", True, "lupus anticoag"),
    ("Elevated anticardiolipin antibody", "Anticardiolipin antibodies elevated.", True, "cardio"),
    ("Heparin-induced thrombocytopenia", "History of HIT.", True, "HIT"),
    ("Other congenital or acquired thrombophilia", "Protein C deficiency.", True, "Protein C"),
    ("History of inflammatory bowel disease", "Crohn's disease on infliximab.", True, "Crohn"),
    ("History of inflammatory bowel disease", "Ulcerative colitis.", True, "colitis"),
    ("Acute Myocardial infarction", "Admitted with an acute STEMI.", True, "STEMI"),
    ("Present or previous malignancy", "Breast cancer treated in 2010.", True, "cancer"),
    ("Varicose veins", "Varicose veins of both legs.", True, "Varicose veins"),
]


@pytest.mark.parametrize(("key", "note", "expected", "evidence"), FINDINGS)
def test_finding_variants(key: str, note: str, expected: Any, evidence: str | None) -> None:
    found = extract_entity(key, note)
    value = found.value if found is not None else None
    assert value is expected
    if found is not None:
        assert found.span.text == note[found.span.start : found.span.end]
        assert evidence is not None and evidence.lower() in found.span.text.lower()


CHOICES = [
    # -- Child-Pugh ------------------------------------------------------------------------------
    ("Ascites", "The abdomen was soft without ascites.", "Absent", "ascites"),
    ("Ascites", "No ascites on ultrasound.", "Absent", "ascites"),
    ("Ascites", "Mild ascites on ultrasound.", "Slight", "Mild ascites"),
    ("Ascites", "Tense ascites requiring paracentesis.", "Moderate", "Tense ascites"),
    (
        "Ascites",
        "Large-volume ascites was drained.",
        "Moderate",
        "ascites",
    ),
    ("Ascites", "CT showed ascites.", None, None),
    ("Encephalopathy", "Grade 2 hepatic encephalopathy.", "Grade 1-2", "encephalopathy"),
    ("Encephalopathy", "Encephalopathy, grade III.", "Grade 3-4", "grade III"),
    ("Encephalopathy", "No asterixis or encephalopathy.", "No Encephalopathy", "encephalopathy"),
    (
        "Encephalopathy",
        "He was not encephalopathic.",
        "No Encephalopathy",
        "encephalopathic",
    ),
    ("Encephalopathy", "He was in hepatic coma.", "Grade 3-4", "hepatic coma"),
    # -- HEART ---------------------------------------------------------------------------------
    (
        "Electrocardiogram Test",
        "ECG showed 2 mm ST depression in V4-V6.",
        "Significant ST deviation",
        "ST depression",
    ),
    (
        "Electrocardiogram Test",
        "EKG with T-wave inversions in the lateral leads.",
        "Non-specific repolarization disturbance",
        "T-wave inversions",
    ),
    ("Electrocardiogram Test", "The ECG was normal.", "Normal", "ECG was normal"),
    (
        "Initial troponin",
        "Initial troponin was negative.",
        "less than or equal to normal limit",
        "troponin",
    ),
    (
        "Initial troponin",
        "Troponin was mildly elevated.",
        "between the normal limit or up to three times the normal limit",
        "mildly elevated",
    ),
    # -- Charlson ------------------------------------------------------------------------------
    (
        "Diabetes mellitus criteria for CCI rule",
        "T2DM on metformin.",
        "Uncomplicated",
        "T2DM",
    ),
    (
        "Diabetes mellitus criteria for CCI rule",
        "Type 2 diabetes with diabetic retinopathy.",
        "End-organ damage",
        "diabetic retinopathy",
    ),
    (
        "Diabetes mellitus criteria for CCI rule",
        "Diet-controlled type 2 diabetes.",
        "None or diet-controlled",
        "Diet-controlled",
    ),
    (
        "Diabetes mellitus criteria for CCI rule",
        "Type 2 diabetes complicated by nephropathy.",
        "End-organ damage",
        "nephropathy",
    ),
    ("Diabetes mellitus criteria for CCI rule", "No diabetes.", "None or diet-controlled", "diab"),
    ("Solid tumor", "Metastatic adenocarcinoma of the lung.", "Metastatic", "adenocarcinoma"),
    ("Solid tumor", "Breast cancer with bone metastases.", "Metastatic", "cancer"),
    ("Solid tumor", "Localized prostate cancer treated with surgery.", "Localized", "cancer"),
    ("Solid tumor", "Diffuse large B-cell lymphoma.", None, None),
    (
        "Solid tumor",
        "Colon cancer resected in 2015, no metastases.",
        "Localized",
        "cancer",
    ),
    ("Liver disease severity", "Cirrhosis with esophageal varices.", "Moderate to Severe", "var"),
    ("Liver disease severity", "Chronic hepatitis C without cirrhosis.", "Mild", "hepatitis"),
    ("Liver disease severity", "Portal hypertension on imaging.", "Moderate to Severe", "portal"),
    ("Moderate to severe Chronic Kidney Disease", "CKD stage 4.", "Moderate", "CKD"),
    ("Moderate to severe Chronic Kidney Disease", "ESRD on hemodialysis.", "Severe", "ESRD"),
    ("Moderate to severe Chronic Kidney Disease", "CKD stage 5.", "Severe", "CKD stage 5"),
    ("Moderate to severe Chronic Kidney Disease", "Normal renal function.", None, None),
    # -- Caprini -------------------------------------------------------------------------------
    ("Mobility", "Bedridden for a week.", "Confined to bed >72 hours", "Bedridden"),
    ("Mobility", "She has been on bed rest.", "On bed rest", "bed rest"),
    ("Mobility", "Ambulating independently.", "Normal", "Ambulating independently"),
]


@pytest.mark.parametrize(("key", "note", "expected", "evidence"), CHOICES)
def test_choice_variants(key: str, note: str, expected: Any, evidence: str | None) -> None:
    found = extract_entity(key, note)
    value = found.value if found is not None else None
    assert value == expected
    if found is not None:
        assert found.span.text == note[found.span.start : found.span.end]
        assert evidence is not None and evidence.lower() in found.span.text.lower()


@pytest.mark.parametrize(
    ("note", "total"),
    [
        ("GCS 8 (E2V2M4) on arrival.", 8),
        ("GCS of 11 on arrival.", 11),
        ("Glasgow coma scale E2V3M5 at the scene.", 10),
        ("Glasgow Coma Scale of 14.", 14),
        ("On arrival his GCS was 7.", 7),
        ("GCS was E3 V4 M6.", 13),
        ("GCS E4V5M6 on arrival.", 15),
    ],
)
def test_gcs_variants(note: str, total: int) -> None:
    found = extract_entity("Glasgow Coma Score", note)
    assert found is not None and found.value == total
    assert found.span.text == note[found.span.start : found.span.end]


# -- the default when nothing is said: an explicit assumption, not a silent value -------------


def _ext(trace) -> dict[str, Extraction]:
    return {s.name: s for s in trace.steps_of(Extraction)}


@pytest.mark.parametrize(
    ("question", "note", "keys"),
    [
        (
            "What is the patient's CHA2DS2-VASc score?",
            "A 50-year-old man presented with palpitations; ECG showed atrial fibrillation.",
            [_CHF, _HTN, "Stroke", _TIA, _TE, _VASC, _DM],
        ),
        (
            "What is the patient's HAS-BLED score?",
            "A 50-year-old woman with atrial fibrillation on warfarin.",
            [_BLEED, _BLEED_MEDS, "Labile international normalized ratio", "Stroke"],
        ),
        (
            "What is the patient's Centor score?",
            "A 30-year-old man with a sore throat; temperature 38.5 °C.",
            [_EXUDATE, _NODES],
        ),
    ],
)
async def test_not_mentioned_is_an_explicit_assumption(
    question: str, note: str, keys: list[str]
) -> None:
    trace = await run(
        CalculatorStrategy(use_llm=False),
        Case(id="c", question=question, context=note),
        FakeBackend([]),
    )
    ext = _ext(trace)
    for key in keys:
        step = ext[key]
        assert (step.value, step.method, step.span) == (False, "assumed", None), key
        assert step.note == "not mentioned -> absent", key


async def test_a_negated_mention_is_a_rule_value_not_an_assumption() -> None:
    note = "A 70-year-old woman with atrial fibrillation. No history of diabetes or hypertension."
    trace = await run(
        CalculatorStrategy(use_llm=False),
        Case(id="c", question="What is the patient's CHA2DS2-VASc score?", context=note),
        FakeBackend([]),
    )
    ext = _ext(trace)
    for key in (_DM, _HTN):
        assert (ext[key].value, ext[key].method) == (False, "rule")
        assert note[ext[key].span.start : ext[key].span.end] == ext[key].span.text
    assert ext["Stroke"].method == "assumed"
