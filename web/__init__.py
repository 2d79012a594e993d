"""Templates and static files of the web page, shipped in the wheel as ``barcamp_search.web``."""
