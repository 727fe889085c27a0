"""Where the suite's build is published: as GitHub's workflow publishes a fork's project site.

The site is built for https://OWNER.github.io/REPO/ (``SITE_URL``, which mkdocs.yml reads), with the
repository named for the notebook's Colab link (``GITHUB_REPOSITORY``), and the browser tests serve
that one build under ``/REPO/`` (``tools.browser.serve(prefix=SITE_PATH)``).
"""

PAGES_REPOSITORY = "gdcore-fork/gd-site"
SITE_PATH = "/gd-site/"
SITE_URL = f"https://gdcore-fork.github.io{SITE_PATH}"
