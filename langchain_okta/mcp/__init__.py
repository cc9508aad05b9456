"""The toolkit's tools as an MCP server: `langchain-okta-mcp`, or `python -m langchain_okta.mcp`.

The same tools, from the same code: names, argument schemas and descriptions come from the
toolkit's StructuredTools, calls run through them, and credentials come from the same
environment variables with the same admin check. Writes wait for the person's confirmation
through MCP elicitation, showing the live preview; a client that cannot ask gets the write
refused. Needs `langchain-okta[mcp]`.
"""

from langchain_okta.mcp.server import ServerOptions, build_server

__all__ = ["ServerOptions", "build_server"]
