"""Compatibility name for kg.rdf.ntriples (kg.store still imports it from here)."""

from kg.rdf.ntriples import *  # noqa: F403
from kg.rdf.ntriples import __all__  # noqa: F401
