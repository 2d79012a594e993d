"""The interface catalogs (``<code>/LC_MESSAGES/messages.po``) and their sync script."""
