"""Start the chat page: `python app.py [--host H] [--port P]` (127.0.0.1:7860 by default).

A thin launcher over `article_qa.ui`; all options are those of `article-qa serve`.
"""

import sys

from article_qa.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
