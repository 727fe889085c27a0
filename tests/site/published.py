"""Where the suite's build is published: as GitHub's workflow publishes a fork's project site.

The site is built for https://OWNER.github.io/REPO/ (``SITE_URL``, which mkdocs.yml reads), with the
repository and commit named for the notebooks' install cell and Colab links (``GITHUB_REPOSITORY``,
``GITHUB_SHA``: a commit no clone has, so a test can tell it from the clone's ``HEAD``), and the
browser tests serve that one build under ``/REPO/`` (``tools.browser.serve(prefix=SITE_PATH)``).
"""

PAGES_REPOSITORY = "gdcore-fork/gd-site"
SITE_PATH = "/gd-site/"
SITE_URL = f"https://gdcore-fork.github.io{SITE_PATH}"
PAGES_COMMIT = "0123456789abcdef0123456789abcdef01234567"
