"""RDF output: every IRI (`kg.rdf.iri`), N-Triples terms and chunks (`kg.rdf.ntriples`) and the one
writer the graph, the lineage and the audit add their records to (`kg.rdf.writer`)."""

from kg.rdf import iri, ntriples
from kg.rdf.ntriples import graph_from_lines
from kg.rdf.writer import Writer

__all__ = ["iri", "ntriples", "Writer", "graph_from_lines"]
