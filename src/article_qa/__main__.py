"""`python -m article_qa` runs the `article-qa` command."""

import sys

from .cli import main

sys.exit(main())
