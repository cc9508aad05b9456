"""`python -m langchain_okta.mcp`: the same as the `langchain-okta-mcp` command."""

import sys

from langchain_okta.mcp.command import main

if __name__ == "__main__":
    sys.exit(main())
