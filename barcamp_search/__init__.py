"""barcamp-search: full-text search over the archives of Python user groups."""

__version__ = "0.1.0"
