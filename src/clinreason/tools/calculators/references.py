"""The published source of each calculator as an identifier: DOI or PMID.

Every calculator carries its source as a citation (`Calculator.reference`). Where the same paper
is cited with a DOI or PMID by `open-medicine` (PyPI, MIT; the `Evidence.source_doi` of its
calculator modules), the identifier is listed here, together with the open-medicine module it
was taken from, so a test can re-check it against that package. A pairing is listed only when
both cite the same paper (first author, journal, year, volume/pages); where they cite different
papers (e.g. MELD-Na, Wells DVT, the anion gap) or open-medicine has none, the calculator has
no identifier here and its citation text is the reference. No identifier is typed in by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clinreason.tools.calculators.base import Calculator

SOURCE_IDS: dict[str, tuple[str, str]] = {
    # slug: (DOI or "PMID:n", open_medicine.mcp.calculators module citing the same paper)
    "creatinine_clearance_cockcroft_gault": ("10.1159/000180580", "cockcroft_gault"),
    "egfr_ckd_epi_2021": ("10.1056/NEJMoa2102953", "ckd_epi"),
    "calcium_correction": ("10.1136/bmj.4.5893.643", "corrected_calcium"),
    "fib4": ("10.1002/hep.21178", "fib4"),
    "serum_osmolality": ("10.1093/clinchem/21.2.190", "serum_osmolality"),
    "qtc_bazett": ("10.1136/hrt.7.4.353", "corrected_qtc"),
    "qtc_fridericia": ("10.1111/j.0954-6820.1920.tb18266.x", "corrected_qtc"),
    "maintenance_fluids": ("10.1542/peds.19.5.823", "maintenance_iv_fluids"),
    "body_surface_area": ("10.1056/NEJM198710223171717", "bsa_mosteller"),
    "cha2ds2_vasc": ("10.1378/chest.09-1584", "chadsvasc"),
    "wells_pe": ("10.1055/s-0037-1613870", "wells_pe"),
    "revised_cardiac_risk_index": ("10.1161/01.CIR.100.10.1043", "rcri"),
    "heart_score": ("10.1007/BF03086144", "heart_score"),
    "has_bled": ("10.1378/chest.10-0134", "hasbled"),
    "glasgow_blatchford": ("10.1016/S0140-6736(00)02816-6", "glasgow_blatchford"),
    "charlson_comorbidity_index": ("10.1016/0021-9681(87)90171-8", "charlson"),
    "caprini_vte": ("10.1016/j.disamonth.2005.02.002", "caprini"),
    "curb_65": ("10.1136/thorax.58.5.377", "curb65"),
    "child_pugh": ("10.1002/bjs.1800600817", "child_pugh"),
    "centor_mcisaac": ("PMID:9475915", "centor_mcisaac"),
    "glasgow_coma_scale": ("10.1016/s0140-6736(74)91639-0", "gcs"),
    "psi_port": ("10.1056/NEJM199701233360402", "psi_port"),
    "apache_ii": ("10.1097/00003246-198510000-00009", "apache2"),
    "sofa": ("10.1007/BF01709751", "sofa"),
    "perc_rule": ("10.1111/j.1538-7836.2004.00985.x", "perc"),
}


@dataclass(frozen=True)
class Reference:
    """A calculator's published source: the citation, and its DOI or PMID where known."""

    citation: str
    doi: str | None = None
    pmid: str | None = None

    @property
    def url(self) -> str | None:
        """A resolvable link to the source (doi.org or PubMed), when an identifier is known."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return None

    def to_json(self) -> dict[str, str | None]:
        """The reference as a JSON object (citation, doi, pmid, url)."""
        return {"citation": self.citation, "doi": self.doi, "pmid": self.pmid, "url": self.url}


def reference_of(calc: Calculator) -> Reference:
    """The published source of `calc`.

    >>> from clinreason.tools.calculators import by_slug
    >>> reference_of(by_slug("creatinine_clearance_cockcroft_gault")).doi
    '10.1159/000180580'
    >>> reference_of(by_slug("centor_mcisaac")).pmid
    '9475915'
    """
    source = SOURCE_IDS.get(calc.slug)
    if source is None:
        return Reference(calc.reference)
    ident = source[0]
    if ident.startswith("PMID:"):
        return Reference(calc.reference, pmid=ident.removeprefix("PMID:"))
    return Reference(calc.reference, doi=ident)
