"""Build-time machinery of the site: the MkDocs hooks and what they delegate to, one module per job.

Nothing here is part of the ``gdcore`` package; it runs only while MkDocs builds the site
(``sitegen/hooks.py`` lists the modules and their jobs).  Test and measurement code (the headless
browser, screenshots, Lighthouse) lives in ``tools/``.
"""
