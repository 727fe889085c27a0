"""Build-time machinery of the site: KaTeX rendering, figures, video placeholders (MkDocs hooks).

Nothing here is part of the ``gdcore`` package; it runs only while MkDocs builds the site.
"""
