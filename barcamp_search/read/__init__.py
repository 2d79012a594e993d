"""Read stage: archive files -> ``Post`` (see ``barcamp_search.model``).

``extract`` walks an archive (``find_sources``), decodes each file (``decode``), parses it
in a limited worker process (``workers``, ``children``) with the reader of its format
(``formats``), and assembles the post (``assemble``: metadata as Pelican reads it, slugs
and URLs from ``slugs``, speakers from ``people``). ``archive`` says what an archive is
(its folder) and how to read it. Nothing here touches the index.
"""
