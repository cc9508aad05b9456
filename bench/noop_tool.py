"""A tool that does nothing, with the same argument schema as okta_get_user.

Invoking it costs what LangChain itself costs per call: input parsing and validation,
callbacks, config and output handling. This module does not use `from __future__ import
annotations` on purpose: LangChain resolves the function's annotations on every call, and
real objects (unlike strings) cost it nothing to resolve.
"""

from typing import Any

from langchain_core.tools import BaseTool, StructuredTool

from langchain_okta.arguments import GetUserArgs

CONTENT = '{"user":{}}'


def _run(**kwargs: Any) -> tuple[str, Any]:
    return CONTENT, None


async def _arun(**kwargs: Any) -> tuple[str, Any]:
    return CONTENT, None


def noop_tool() -> BaseTool:
    """Configured like the Okta tools: same schema, response format and error handling."""
    return StructuredTool.from_function(
        func=_run,
        coroutine=_arun,
        name="noop_get_user",
        description="Does nothing; for measuring LangChain's own per-call cost.",
        args_schema=GetUserArgs,
        response_format="content_and_artifact",
        handle_tool_error=True,
    )
