"""One reader per source format: ``text + source path -> model.Document``.

A reader parses; it does not normalise metadata (``assemble`` does) and never
touches the file system or the network.
"""
