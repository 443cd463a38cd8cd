"""Source documents → plain typed records. Pure: no graph, no I/O beyond reading."""

from ingest.docnumber import DocNumber, DocQuery, find_doc_numbers
from ingest.errors import DocNumberError, HrssError, SourceError
from ingest.parser import parse_file, parse_text
from ingest.readers import SUPPORTED_SUFFIXES
from ingest.records import (
    Diagnostic,
    DocRef,
    Indicator,
    IndicatorValue,
    NarrativeItem,
    ParseResult,
    Project,
    SourceSpan,
    SpendingPlan,
)

__all__ = [
    "Diagnostic",
    "DocNumber",
    "DocNumberError",
    "DocQuery",
    "DocRef",
    "HrssError",
    "Indicator",
    "IndicatorValue",
    "NarrativeItem",
    "ParseResult",
    "Project",
    "SUPPORTED_SUFFIXES",
    "SourceError",
    "SourceSpan",
    "SpendingPlan",
    "find_doc_numbers",
    "parse_file",
    "parse_text",
]
