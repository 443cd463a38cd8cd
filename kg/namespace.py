"""RDF namespaces: `HK` for the hrss-kg ontology terms, `HK_DATA` for instance IRIs.

`HK` is a closed `DefinedNamespace` (`_fail = True`), so a misspelt term raises instead of minting a
new IRI. Every term listed here is declared in ontology/hrss.ttl.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

__all__ = ["HK", "HK_DATA", "HK_THEME", "HK_LEVEL", "HK_BUILD", "HK_REGION", "BASE_IRI", "PREFIXES"]

BASE_IRI = "https://w3id.org/hrss-kg/"


class HK(DefinedNamespace):
    """hrss-kg ontology terms (https://w3id.org/hrss-kg/)."""

    _NS = Namespace(BASE_IRI)
    _fail = True

    # classes
    Project: URIRef  # 项目支出绩效目标表
    BudgetUnit: URIRef  # 预算单位 (an org:Organization)
    Document: URIRef  # any 文号-identified document
    FundingDocument: URIRef  # cited in a project's title, name or purpose (资金文件)
    PolicyDocument: URIRef  # cited in the indicator basis column (政策依据)
    Issuer: URIRef  # an issuing organisation (发文机关)
    Indicator: URIRef  # one row of the three-level indicator table
    IndicatorLevel: URIRef  # a concept of the indicator-level scheme
    PlanEntry: URIRef  # one column of the spending plan (3月底 …)
    Mention: URIRef  # a 文号 as spelt at one place of the source
    NarrativeItem: URIRef  # a paragraph of 总体绩效目标 / 工作保障措施 …
    Theme: URIRef  # a policy theme (skos:Concept of the theme scheme)

    # projects
    year: URIRef
    seq: URIRef
    projectCode: URIRef
    projectName: URIRef
    unit: URIRef
    budgetWan: URIRef
    fiscalWan: URIRef
    otherWan: URIRef
    # the amounts as printed ("1384.00"): stores such as Oxigraph keep decimals by value only
    budgetPrinted: URIRef
    fiscalPrinted: URIRef
    otherPrinted: URIRef
    purpose: URIRef
    goal: URIRef
    yearSource: URIRef
    hasIndicator: URIRef
    planEntry: URIRef
    fundedBy: URIRef
    citesBasis: URIRef
    theme: URIRef

    # units
    unitCode: URIRef
    inRegion: URIRef  # a unit (or project) is in a region (skos:Concept of hk:Regions)
    regionLevel: URIRef  # province | city | county | sub | unknown
    Regions: URIRef  # the region concept scheme (ontology/regions.ttl)

    # documents
    issuerPrefix: URIRef
    docYear: URIRef
    docSeq: URIRef
    adminLevel: URIRef
    rawSpelling: URIRef

    # mentions
    mentions: URIRef
    inProject: URIRef
    field: URIRef

    # indicators
    position: URIRef
    level1: URIRef
    level2: URIRef
    level3: URIRef
    category: URIRef
    description: URIRef
    targetValue: URIRef
    valueOp: URIRef
    valueNumber: URIRef
    valueUnit: URIRef
    basis: URIRef
    repaired: URIRef

    # spending plans
    periodLabel: URIRef
    printedValue: URIRef
    cumulativePercent: URIRef

    # narrative
    section: URIRef
    heading: URIRef
    parentHeading: URIRef
    text: URIRef

    # sources: where a fact stands, as properties of the fact
    sourceFile: URIRef
    firstLine: URIRef
    lastLine: URIRef  # only when the span is longer than one line
    place: URIRef  # page/table/rows, sheet!cells or paragraph in a Word, PDF, Excel or web file

    # fund lineage (kg.lineage)
    Allocation: URIRef  # a document's money for one unit's project (资金分配)
    CrossYearLink: URIRef  # a project continuing its predecessor of the year before
    allocates: URIRef
    toProject: URIRef
    amount: URIRef
    fundLevel: URIRef
    fundSource: URIRef
    fundRule: URIRef
    parentDocument: URIRef
    issuerName: URIRef
    declaredTotal: URIRef
    continues: URIRef
    predecessor: URIRef
    successor: URIRef
    linkScore: URIRef
    linkConfidence: URIRef
    evidence: URIRef  # "kind weight value"

    # funding notices (kg.lineage.notice_triples): the allocation table, header and fund stream
    NoticeAllocation: URIRef  # one row of a notice's allocation table (分配表行)
    AllocationPart: URIRef  # one source column of a row (中央资金, 省级资金 …)
    FundStream: URIRef  # one fund's notices across budget years
    allocationOf: URIRef
    recipientPrinted: URIRef
    toRegion: URIRef
    amountWan: URIRef
    amountPrinted: URIRef
    amountUnit: URIRef
    hasPart: URIRef
    subtotalOf: URIRef
    issuerPrinted: URIRef
    addressee: URIRef
    budgetYear: URIRef
    noticeKind: URIRef
    subjectCode: URIRef
    forwards: URIRef
    basedOn: URIRef
    inStream: URIRef
    streamKey: URIRef

    # audit (kg.audit)
    Finding: URIRef  # one 绩效目标审核 finding
    AuditRule: URIRef  # a review rule (R3.1 …)
    rule: URIRef
    severity: URIRef
    message: URIRef
    aboutProject: URIRef
    aboutIndicator: URIRef
    relatedSource: URIRef  # the other side's source of a reconciliation finding, as a locator

    # schemes
    IndicatorLevels: URIRef
    PolicyThemes: URIRef


HK_DATA = Namespace(BASE_IRI + "id/")
HK_THEME = Namespace(BASE_IRI + "theme/")
HK_LEVEL = Namespace(BASE_IRI + "level/")
HK_BUILD = Namespace(BASE_IRI + "build/")
HK_REGION = Namespace(BASE_IRI + "region/")  # hkr:<GB/T 2260 code> (ingest.regions.REGION_IRI)

# Prefixes bound on every graph and offered to SPARQL queries.
PREFIXES: dict[str, str] = {
    "hk": BASE_IRI,
    "hkd": str(HK_DATA),
    "hkt": str(HK_THEME),
    "hkl": str(HK_LEVEL),
    "hkr": str(HK_REGION),
    "org": "http://www.w3.org/ns/org#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
