"""Index stage: ``Post`` -> the Whoosh index on disk, incrementally -> ``IndexReport``.

``analysis`` and ``schema`` say how posts become Whoosh documents (per-language analysis,
fields, columns); ``store`` keeps generations, the writer lock and the run status on disk;
``build`` runs an indexing pass (``index_archives``); ``whoosh_private`` is the one module
that touches Whoosh's internals.
"""
