"""The web page and the JSON API: app factory, views, i18n, serve (gunicorn).

Templates and static files live in the top-level ``web/`` folder (what a designer edits)
and are linked here (``templates``, ``static``), so the wheel ships them as package data.
"""
