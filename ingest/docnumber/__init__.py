"""文号 (document numbers): parse any printed form, canonicalise to GB/T 9704, match user queries.

    >>> DocNumber.parse("冀财社[2021]176").canonical
    '冀财社〔2021〕176号'
    >>> DocQuery.parse("176号").matches(DocNumber("冀财社", 2021, 176))
    True
    >>> [(m.doc.canonical, m.raw) for m in find_doc_numbers("根据粵財社2021305號")]
    [('粤财社〔2021〕305号', '粵財社2021305號')]

`folding` (invisible characters, compatibility ideographs, width, traditional characters) keeps a map back
to raw offsets; `issuers` knows ontology/issuers.csv and the regions' short names.
"""

from ingest.docnumber.folding import FoldedText, fold, fold_text
from ingest.docnumber.issuers import IssuerInfo, issuer_info, known_issuers
from ingest.docnumber.numbers import DocMatch, DocNumber, DocQuery, find_doc_numbers, find_doc_query

__all__ = [
    "DocNumber",
    "DocQuery",
    "DocMatch",
    "FoldedText",
    "IssuerInfo",
    "find_doc_numbers",
    "find_doc_query",
    "fold",
    "fold_text",
    "issuer_info",
    "known_issuers",
]
