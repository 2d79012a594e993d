"""One reader per source format: ``text + source path -> posts.Document``.

A reader parses; it does not normalise metadata (``extract`` does) and never
touches the file system or the network.
"""
