"""The four agent tools. Thin: validate arguments, call the client, render, explain errors."""

# No `from __future__ import annotations` here: LangChain reads the tool functions' type
# hints on every call, and string annotations would be evaluated again each time.

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, ValidationError

from langchain_okta.arguments import (
    CreateUserArgs,
    GetUserArgs,
    ListUsersArgs,
    UpdateUserArgs,
    validation_causes,
)
from langchain_okta.bindings import CreateBinding, UpdateBinding
from langchain_okta.client import OktaClient
from langchain_okta.client_sources import CallClient
from langchain_okta.connections import OktaClientClosedError
from langchain_okta.descriptions import reviewer_text
from langchain_okta.errors import InvalidUserIdError, OktaError
from langchain_okta.events import async_progress_events, progress_events
from langchain_okta.models import OktaUser, UserPage
from langchain_okta.search_syntax import search_string
from langchain_okta.summaries import SummaryLimits, UserSummary
from langchain_okta.tool_names import CREATE_USER, GET_USER, LIST_USERS, UPDATE_USER
from langchain_okta.views import summary_content, user_content, users_content

Output = tuple[str, Any]

logger = logging.getLogger(__name__)


_DESCRIPTIONS = {
    LIST_USERS: (
        "List or find Okta users: to look up a user's id, or to find the users who match a "
        "name, department, title, status... Narrow with query (start of a name or "
        "email), search (an Okta expression) and status. With query or search, deactivated "
        "(DEPROVISIONED) users are included; without, they are left out. Returns JSON "
        "{columns: [id, status, login, email, firstName, lastName, mobilePhone, created, "
        "lastLogin], users: [one row of values per user, in column order], next_cursor}; "
        "next_cursor null means this was the last page, otherwise call again with the same "
        "arguments and that cursor for more. For how many / count / breakdown questions pass "
        "summary=true: it counts all matches itself and returns {matched, complete, reason, "
        "not_counted, by_status, columns, sample: a few rows}; rows come from the plain "
        "listing. complete false: matched and by_status are lower bounds (say 'at least'), "
        "reason says why; a narrower query, search or status finishes sooner."
    ),
    GET_USER: (
        "Get one Okta user by id (00u..., from okta_list_users) or by login. Use it to check a "
        "user's current details and status before acting. Returns JSON {user: {...}}."
    ),
    CREATE_USER: (
        "Create an Okta user account from first name, last name and email (login defaults to "
        "the email). activate=true (default) makes Okta email the user an activation link; "
        "activate=false creates a STAGED user and emails nothing. Check with okta_list_users "
        "first that the person has no account. Returns JSON {user: {...}}."
    ),
    UPDATE_USER: (
        "Change an existing Okta user's first name, last name, email, login or mobile phone; "
        "nothing else is touched. user_id comes from okta_list_users or okta_get_user. Pass "
        'only the fields to change; mobile_phone="" removes the number. Returns JSON '
        "{user: {...}, changed: [attribute names]}."
    ),
}

USER_STATUS_FILTER = 'status eq "{status}"'


def build_tools(
    client: OktaClient, *, read_only: bool = False, summary_limits: SummaryLimits | None = None
) -> list[BaseTool]:
    """The toolkit's tools, all sharing `client`."""
    tools = [_list_users_tool(client, summary_limits or SummaryLimits()), _get_user_tool(client)]
    if not read_only:
        tools += [_create_user_tool(client), _update_user_tool(client)]
    return tools


def _list_users_tool(client: OktaClient, summary_limits: SummaryLimits) -> BaseTool:
    def run(**kwargs: Any) -> Output:
        args = ListUsersArgs.model_validate(kwargs)
        params = _list_params(args)
        with _errors_for_agent():
            if args.summary:
                summary = client.summarize_users(
                    **_summary_params(params), limits=summary_limits, progress=progress_events()
                )
                return _summary_output(summary)
            return _page_output(client.list_users(**params))

    async def arun(**kwargs: Any) -> Output:
        args = ListUsersArgs.model_validate(kwargs)
        params = _list_params(args)
        with _errors_for_agent():
            if args.summary:
                async with async_progress_events() as progress:
                    summary = await client.asummarize_users(
                        **_summary_params(params), limits=summary_limits, progress=progress
                    )
                return _summary_output(summary)
            return _page_output(await client.alist_users(**params))

    return _tool(LIST_USERS, ListUsersArgs, run, arun)


def _get_user_tool(client: OktaClient) -> BaseTool:
    def run(**kwargs: Any) -> Output:
        args = GetUserArgs.model_validate(kwargs)
        with _errors_for_agent():
            return _user_output(client.get_user(args.user_id))

    async def arun(**kwargs: Any) -> Output:
        args = GetUserArgs.model_validate(kwargs)
        with _errors_for_agent():
            return _user_output(await client.aget_user(args.user_id))

    return _tool(GET_USER, GetUserArgs, run, arun)


def _create_user_tool(client: OktaClient) -> BaseTool:
    def run(**kwargs: Any) -> Output:
        args = CreateUserArgs.model_validate(kwargs)
        with _errors_for_agent():
            return _user_output(client.create_user(args.new_profile(), activate=args.activate))

    async def arun(**kwargs: Any) -> Output:
        args = CreateUserArgs.model_validate(kwargs)
        with _errors_for_agent():
            user = await client.acreate_user(args.new_profile(), activate=args.activate)
            return _user_output(user)

    return _tool(CREATE_USER, CreateUserArgs, run, arun)


def _update_user_tool(client: OktaClient) -> BaseTool:
    def run(**kwargs: Any) -> Output:
        args = UpdateUserArgs.model_validate(kwargs)
        with _errors_for_agent():
            return _update_output(*client.update_user(args.user_id, args.profile_changes()))

    async def arun(**kwargs: Any) -> Output:
        args = UpdateUserArgs.model_validate(kwargs)
        with _errors_for_agent():
            result = await client.aupdate_user(args.user_id, args.profile_changes())
            return _update_output(*result)

    return _tool(UPDATE_USER, UpdateUserArgs, run, arun)


def approved_update_tool(client: OktaClient | CallClient, binding: UpdateBinding) -> BaseTool:
    """`okta_update_user` for one approved call: it writes only as `binding` allows, with
    `client` (or the client its call borrows, only while it writes)."""
    lender = CallClient.of(client)

    def run(**kwargs: Any) -> Output:
        args = UpdateUserArgs.model_validate(kwargs)
        with _errors_for_agent(), lender.client() as okta:
            return _update_output(*okta.update_approved(binding, args.profile_changes()))

    async def arun(**kwargs: Any) -> Output:
        args = UpdateUserArgs.model_validate(kwargs)
        with _errors_for_agent():
            async with lender.aclient() as okta:
                result = await okta.aupdate_approved(binding, args.profile_changes())
            return _update_output(*result)

    return _tool(UPDATE_USER, UpdateUserArgs, run, arun)


def approved_create_tool(client: OktaClient | CallClient, binding: CreateBinding) -> BaseTool:
    """`okta_create_user` for one approved call: it creates only as `binding` allows."""
    lender = CallClient.of(client)

    def run(**kwargs: Any) -> Output:
        args = CreateUserArgs.model_validate(kwargs)
        with _errors_for_agent(), lender.client() as okta:
            user = okta.create_approved(binding, args.new_profile(), activate=args.activate)
        return _user_output(user)

    async def arun(**kwargs: Any) -> Output:
        args = CreateUserArgs.model_validate(kwargs)
        with _errors_for_agent():
            async with lender.aclient() as okta:
                user = await okta.acreate_approved(
                    binding, args.new_profile(), activate=args.activate
                )
        return _user_output(user)

    return _tool(CREATE_USER, CreateUserArgs, run, arun)


def unpreviewed_write_tool(client: CallClient, name: str, why: str) -> BaseTool:
    """`name` for an approved call that no preview was made for, since no client could be
    had for its run (`why`): it writes nothing, and tells the model what stands in the way
    now, or, when nothing does any more, to propose the call again for a preview."""
    schema = UpdateUserArgs if name == UPDATE_USER else CreateUserArgs

    def refusal() -> ToolException:
        return ToolException(
            reviewer_text(
                "Nothing was written: no preview of this call could be shown to the person "
                f"who approves writes ({why}). Call the tool again so they see one."
            )
        )

    def run(**kwargs: Any) -> Output:
        schema.model_validate(kwargs)
        with _errors_for_agent(), client.client():
            pass
        raise refusal()

    async def arun(**kwargs: Any) -> Output:
        schema.model_validate(kwargs)
        with _errors_for_agent():
            async with client.aclient():
                pass
        raise refusal()

    return _tool(name, schema, run, arun)


class OktaTool(StructuredTool):
    """A toolkit tool; its repr is its name rather than its schema, description and code."""

    def __repr__(self) -> str:
        return f"OktaTool(name={self.name!r})"

    __str__ = __repr__

    def _parse_input(
        self, tool_input: str | dict[str, Any], tool_call_id: str | None
    ) -> str | dict[str, Any]:
        # Some models send all the arguments as one JSON string; taken as the first field,
        # it would become, say, a name search that finds nobody and looks complete.
        return super()._parse_input(_unpacked(tool_input, self.args), tool_call_id)


def _tool(name: str, schema: type[BaseModel], run: Any, arun: Any) -> BaseTool:
    # LangChain passes a plain-string input (`tool.invoke("jane@example.com")`) as one
    # positional argument, meant for the schema's first field.
    first = next(iter(schema.model_fields))

    def run_text_or_fields(*text: str, **kwargs: Any) -> Output:
        return run(**_fields(first, text, kwargs))  # type: ignore[no-any-return]

    async def arun_text_or_fields(*text: str, **kwargs: Any) -> Output:
        return await arun(**_fields(first, text, kwargs))  # type: ignore[no-any-return]

    return OktaTool.from_function(
        func=run_text_or_fields,
        coroutine=arun_text_or_fields,
        name=name,
        description=_DESCRIPTIONS[name],
        args_schema=schema,
        response_format="content_and_artifact",
        handle_tool_error=True,
        handle_validation_error=_explain_invalid_arguments(schema),
    )


def _unpacked(tool_input: str | dict[str, Any], fields: dict[str, Any]) -> str | dict[str, Any]:
    """The arguments, when they came as one JSON object string (alone, or as the only
    argument's value); anything else as it came. Such a string that is no JSON object is
    refused, with what to send instead."""
    first = next(iter(fields))
    text = tool_input if isinstance(tool_input, str) else None
    if isinstance(tool_input, dict) and list(tool_input) == [first]:
        text = tool_input[first] if isinstance(tool_input[first], str) else None
    if text is None or not text.lstrip().startswith("{"):
        return tool_input
    try:
        arguments = json.loads(text)
    except ValueError:
        arguments = None
    if not isinstance(arguments, dict):
        raise ToolException(
            "Invalid arguments: they came as one string that starts like a JSON object but is "
            f"not one. Pass each argument as a field of its own (this tool accepts: "
            f"{', '.join(fields)}) and call it again."
        )
    return arguments


def _fields(first: str, text: tuple[str, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    return {first: text[0], **kwargs} if text else kwargs


def _list_params(args: ListUsersArgs) -> dict[str, Any]:
    """Map the tool's arguments onto Okta's list parameters.

    `query` becomes a starts-with match in `search`, never Okta's `q`: `q` returns one page
    and no cursor, so a listing through it would look complete when it is not. Unlike `q`,
    `search` also finds DEPROVISIONED users, which the description tells the model.
    """
    status = USER_STATUS_FILTER.format(status=args.status) if args.status else None
    params: dict[str, Any] = {"limit": args.limit, "cursor": args.cursor}
    if args.search or args.query:
        clauses = [f"({args.search})" if args.search else None, status]
        if args.query:
            value = search_string(args.query)
            clauses.insert(
                0,
                f"(profile.firstName sw {value} or profile.lastName sw {value} "
                f"or profile.email sw {value})",
            )
        params["search"] = " and ".join(clause for clause in clauses if clause)
    elif status:
        params["filter"] = status
    return params


def _summary_params(params: dict[str, Any]) -> dict[str, Any]:
    """The listing's search or filter; a summary pages with its own limit, from the start."""
    return {name: params[name] for name in ("search", "filter") if name in params}


def _page_output(page: UserPage) -> Output:
    artifact = {"users": [user.raw() for user in page.users], "next_cursor": page.next_cursor}
    return users_content(page.users, page.next_cursor), artifact


def _summary_output(summary: UserSummary) -> Output:
    return summary_content(summary), summary.model_dump(mode="json", exclude_unset=True)


def _user_output(user: OktaUser) -> Output:
    return user_content(user), user.raw()


def _update_output(user: OktaUser, changed: list[str]) -> Output:
    return user_content(user, changed=changed), {"user": user.raw(), "changed": changed}


CLOSED_MESSAGE = (
    "The connection to Okta was closed: the application closed this toolkit, so no Okta tool "
    "can send requests any more and nothing was sent. Tell the user; do not retry."
)


@contextmanager
def _errors_for_agent() -> Iterator[None]:
    """Okta errors become tool messages that tell the model what to do next."""
    try:
        yield
    except OktaError as exc:
        # Okta's messages echo values (a 404 names the id or login asked for): escaped, like
        # every text a reviewer reads, so none can forge or reorder a line of the answer.
        raise ToolException(reviewer_text(exc.for_agent())) from exc
    except InvalidUserIdError as exc:
        raise ToolException(f"{exc}. Pass the user's id (00u...) or login.") from exc
    except OktaClientClosedError as exc:
        # The application closed the toolkit on purpose: not a fault, so nothing is logged.
        raise ToolException(CLOSED_MESSAGE) from exc
    except Exception as exc:
        # The agent run must go on whatever happens here; the log keeps the traceback.
        logger.exception("okta tool failed unexpectedly")
        raise ToolException(
            f"The Okta tool failed unexpectedly ({type(exc).__name__}). Tell the user; do not "
            "retry the same call."
        ) from exc


def _explain_invalid_arguments(schema: type[BaseModel]) -> Any:
    allowed = ", ".join(schema.model_fields)

    def explain(error: ValidationError | Exception) -> str:
        causes = validation_causes(error) if isinstance(error, ValidationError) else []
        detail = "; ".join(causes) or str(error)
        return (
            f"Invalid arguments: {detail}. This tool accepts only: {allowed}. "
            "Fix the arguments and call it again."
        )

    return explain
