"""Approvals that bind, for many people: `OktaConnectedToolkit.approval_middleware()`.

Each person's write call is previewed before the pause, re-checked and written with that
person's own pooled credential, and only as the preview showed it. Each test changes the world
between the preview and the write: another person paused at once, another admin's edit, a
credential revoked, a role taken away, a connection missing or refused, the toolkit closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from agent_turns import calls, reviewer_texts
from connected_runs import RunContext, call, in_threads, tool_named
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from okta_people import ACME, GLOBEX, Person

from langchain_okta.connected import OktaConnectedToolkit
from langchain_okta.pool import PoolLimits
from langchain_okta.sandbox import SandboxOrg
from langchain_okta.sandbox.scripted_model import ScriptedChatModel

UPDATE = "okta_update_user"
CREATE = "okta_create_user"


def named(people: list[Person], name: str) -> Person:
    return next(person for person in people if person.name == name)


def someone_in(org: SandboxOrg, people: list[Person]) -> dict[str, Any]:
    """A user of the org who is none of the people."""
    ours = {person.user_id for person in people}
    return next(user for user in org.users if user["id"] not in ours)


class Session:
    """One person's conversation: the model's message pauses, a reviewer decides."""

    def __init__(
        self,
        toolkit: OktaConnectedToolkit,
        message: AIMessage,
        connection: Any,
        *,
        mode: str = "batched",
        saver: InMemorySaver | None = None,
        thread: str = "t",
    ) -> None:
        self.agent = create_agent(
            ScriptedChatModel(script=[message]),
            toolkit.get_tools(),
            middleware=[
                *toolkit.approval_middleware(interrupt_mode=mode),  # type: ignore[arg-type]
                toolkit.middleware(),
            ],
            checkpointer=saver or InMemorySaver(),
            context_schema=RunContext,
        )
        self.config: Any = {"configurable": {"thread_id": thread}}
        self.context = None if connection is None else RunContext(connection)
        self.result: Any = None

    def pause(self) -> list[str]:
        self.result = self.agent.invoke(
            {"messages": [("user", "Please do it.")]},
            self.config,
            context=self.context,
            version="v2",
        )
        return self.descriptions()

    async def apause(self) -> list[str]:
        self.result = await self.agent.ainvoke(
            {"messages": [("user", "Please do it.")]},
            self.config,
            context=self.context,
            version="v2",
        )
        return self.descriptions()

    def descriptions(self) -> list[str]:
        """What the reviewer reads for each paused call, in order (either mode)."""
        return reviewer_texts(self.result.interrupts)

    def _resume(self, decisions: tuple[str, ...]) -> Any:
        pending = self.result.interrupts
        if "action_requests" in pending[0].value:
            return {"decisions": [{"type": d} for d in decisions]}
        # Per call: the first pending call (in call order) is answered; the others pause again.
        first = min(pending, key=lambda p: p.value["tool_call_id"])
        return {first.id: {"type": decisions[0]}}

    def approve(self, *decisions: str, context: Any = "same") -> list[str]:
        resume = self._resume(decisions or ("approve",))
        self.result = self.agent.invoke(
            Command(resume=resume),
            self.config,
            context=self.context if context == "same" else context,
            version="v2",
        )
        return self.descriptions()

    async def aapprove(self, *decisions: str) -> list[str]:
        resume = self._resume(decisions or ("approve",))
        self.result = await self.agent.ainvoke(
            Command(resume=resume), self.config, context=self.context, version="v2"
        )
        return self.descriptions()

    def answers(self) -> dict[str, ToolMessage]:
        return {
            m.tool_call_id: m for m in self.result.value["messages"] if isinstance(m, ToolMessage)
        }


def first_name(org: SandboxOrg, user: dict[str, Any]) -> str:
    """The user's first name in the org now."""
    now = next(u for u in org.users if u["id"] == user["id"])
    return str(now["profile"]["firstName"])


def writes(org: SandboxOrg, start: int = 0) -> list[tuple[str, str, str | None]]:
    return [(r.method, r.path, r.principal) for r in org.requests[start:] if r.method != "GET"]


def rename(user: dict[str, Any], first_name: str) -> AIMessage:
    return calls((UPDATE, {"user_id": user["id"], "first_name": first_name}))


def test_the_middleware_pauses_the_writes_only_and_binds_them(
    toolkit: OktaConnectedToolkit,
) -> None:
    from langchain.agents.middleware import HumanInTheLoopMiddleware

    from langchain_okta.approval_middleware import OktaApprovalBinding

    review, binding = toolkit.approval_middleware(allowed_decisions=["approve", "reject"])

    assert isinstance(review, HumanInTheLoopMiddleware)
    assert isinstance(binding, OktaApprovalBinding)
    paused = {name for name, policy in review.interrupt_on.items() if policy}
    assert paused == {UPDATE, CREATE}
    assert review.interrupt_on[UPDATE]["allowed_decisions"] == ["approve", "reject"]


# -- each person's own credential --------------------------------------------------------------


def test_two_people_on_two_orgs_paused_at_once_each_write_lands_in_their_own_org_as_them(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    alice, bob = named(people, "acme-helper"), named(people, "globex-admin")
    targets = {alice.name: someone_in(alice.org, people), bob.name: someone_in(bob.org, people)}
    sessions = {
        person.name: Session(
            toolkit, rename(targets[person.name], f"By-{person.name}"), person.connection
        )
        for person in (alice, bob)
    }
    previews: dict[str, list[str]] = {}

    def pause(person: Person) -> None:
        previews[person.name] = sessions[person.name].pause()

    def approve(person: Person) -> None:
        assert sessions[person.name].approve() == []

    in_threads([lambda p=p: pause(p) for p in (alice, bob)])  # both paused at once
    in_threads([lambda p=p: approve(p) for p in (alice, bob)])

    for person in (alice, bob):
        target = targets[person.name]
        (preview,) = previews[person.name]
        assert f'"By-{person.name}"' in preview
        assert target["profile"]["login"] in preview  # the user of their own org
        assert first_name(person.org, target) == f"By-{person.name}"
        touched = [r for r in person.org.requests if target["id"] in r.path]
        assert {r.principal for r in touched} == {person.user_id}
        assert writes(person.org) == [("POST", f"/api/v1/users/{target['id']}", person.user_id)]


def test_a_write_is_not_sent_with_another_persons_credential_of_the_same_org(
    toolkit: OktaConnectedToolkit, people: list[Person], acme: SandboxOrg
) -> None:
    helper, admin = named(people, "acme-helper"), named(people, "acme-admin")
    target = someone_in(acme, people)
    call(tool_named(toolkit, "okta_get_user"), admin.connection, user_id="me")  # admin pooled
    session = Session(toolkit, rename(target, "Helped"), helper.connection)

    session.pause()
    session.approve()

    assert writes(acme) == [("POST", f"/api/v1/users/{target['id']}", helper.user_id)]


def test_a_resume_by_another_toolkit_writes_with_the_persons_credential_as_previewed(
    acme: SandboxOrg, globex: SandboxOrg, people: list[Person]
) -> None:
    """As a resume in another process: a new toolkit, its own pool, the same checkpointer."""
    helper = named(people, "acme-helper")
    target = someone_in(acme, people)
    saver, transports = InMemorySaver(), {ACME: acme.transport(), GLOBEX: globex.transport()}
    with OktaConnectedToolkit(transports=transports) as first:
        Session(first, rename(target, "Later"), helper.connection, saver=saver).pause()
    start = len(acme.requests)

    with OktaConnectedToolkit(transports=transports) as second:
        resumed = Session(second, rename(target, "Never asked"), helper.connection, saver=saver)
        resumed.result = resumed.agent.get_state(resumed.config)  # the paused run's interrupts
        resumed.approve()

    assert first_name(acme, target) == "Later"
    assert writes(acme, start) == [("POST", f"/api/v1/users/{target['id']}", helper.user_id)]


# -- the world changes while the person decides -----------------------------------------------


def test_another_admins_edit_while_the_person_decides_writes_nothing_and_says_what_changed(
    toolkit: OktaConnectedToolkit, people: list[Person], acme: SandboxOrg
) -> None:
    helper, admin = named(people, "acme-helper"), named(people, "acme-admin")
    target = someone_in(acme, people)
    before = target["profile"]["lastName"]
    session = Session(toolkit, rename(target, "Helped"), helper.connection)
    session.pause()
    call(tool_named(toolkit, UPDATE), admin.connection, user_id=target["id"], last_name="Edited")
    start = len(acme.requests)

    session.approve()

    answer = session.answers()["call-1"]
    assert answer.status == "error"
    assert f'lastName: "{before}" → "Edited"' in str(answer.content)
    assert writes(acme, start) == []
    assert first_name(acme, target) != "Helped"


def test_a_credential_revoked_while_paused_says_reconnect_writes_nothing_and_leaves_the_pool(
    toolkit: OktaConnectedToolkit, people: list[Person], acme: SandboxOrg
) -> None:
    helper = named(people, "acme-helper")
    target = someone_in(acme, people)
    session = Session(toolkit, rename(target, "Helped"), helper.connection)
    session.pause()
    (entry,) = [e for e in toolkit.pool._entries.values() if e.key == helper.connection.key]
    acme.revoke_api_token(helper.secret)
    start = len(acme.requests)

    session.approve()

    answer = session.answers()["call-1"]
    assert answer.status == "error"
    assert "reconnect Okta" in str(answer.content)
    assert writes(acme, start) == []
    assert entry.retired  # its client left the pool
    assert toolkit.pool._entries.get(helper.connection.key) is not entry


def test_a_person_demoted_to_read_only_while_paused_is_refused_though_approved(
    acme: SandboxOrg, globex: SandboxOrg, people: list[Person]
) -> None:
    helper = named(people, "acme-helper")
    target = someone_in(acme, people)
    with OktaConnectedToolkit(
        transports={ACME: acme.transport(), GLOBEX: globex.transport()},
        pool_limits=PoolLimits(rights_seconds=0.001),  # rights are checked again on resume
    ) as toolkit:
        session = Session(toolkit, rename(target, "Helped"), helper.connection)
        session.pause()
        acme.set_roles(helper.user_id, ["READ_ONLY_ADMIN"])
        start = len(acme.requests)

        session.approve()

    answer = session.answers()["call-1"]
    assert answer.status == "error"
    assert "may only read" in str(answer.content)
    assert writes(acme, start) == []


def test_a_toolkit_closed_while_paused_writes_nothing_and_says_so(
    toolkit: OktaConnectedToolkit, people: list[Person], acme: SandboxOrg
) -> None:
    helper = named(people, "acme-helper")
    target = someone_in(acme, people)
    session = Session(toolkit, rename(target, "Helped"), helper.connection)
    session.pause()
    toolkit.close()
    start = len(acme.requests)

    session.approve()

    answer = session.answers()["call-1"]
    assert answer.status == "error"
    assert "closed" in str(answer.content)
    assert acme.requests[start:] == []


# -- no client for the run when it is previewed -----------------------------------------------


def test_a_read_only_person_is_shown_why_there_is_no_preview_and_approving_writes_nothing(
    toolkit: OktaConnectedToolkit, people: list[Person], globex: SandboxOrg
) -> None:
    reader = named(people, "globex-reader")
    target = someone_in(globex, people)
    session = Session(toolkit, rename(target, "Read"), reader.connection)

    (text,) = session.pause()
    session.approve()

    assert "no preview" in text
    assert "may only read" in text
    assert "If approved, nothing is written" in text
    assert session.answers()["call-1"].status == "error"
    assert "may only read" in str(session.answers()["call-1"].content)
    assert writes(globex) == []


def test_a_run_without_a_connection_is_shown_why_and_approving_writes_nothing(
    toolkit: OktaConnectedToolkit, people: list[Person], acme: SandboxOrg
) -> None:
    target = someone_in(acme, people)
    session = Session(toolkit, rename(target, "Nobody"), None)

    (text,) = session.pause()
    session.approve()

    assert "no preview (no Okta connection for this run" in text
    answer = session.answers()["call-1"]
    assert answer.status == "error"
    assert "connect their Okta account" in str(answer.content)
    assert writes(acme) == []


def test_a_connection_that_appears_after_a_preview_without_one_still_writes_nothing(
    toolkit: OktaConnectedToolkit, people: list[Person], acme: SandboxOrg
) -> None:
    """Approving a call whose reviewer saw no preview never writes it unbound."""
    admin = named(people, "acme-admin")
    target = someone_in(acme, people)
    session = Session(toolkit, rename(target, "Nobody"), None)
    session.pause()

    session.approve(context=RunContext(admin.connection))

    answer = session.answers()["call-1"]
    assert answer.status == "error"
    assert "Call the tool again so they see one" in str(answer.content)
    assert writes(acme) == []
    assert first_name(acme, target) != "Nobody"


def test_a_person_of_an_org_the_app_does_not_allow_is_shown_why_and_nothing_reaches_that_org(
    acme: SandboxOrg, globex: SandboxOrg, people: list[Person]
) -> None:
    outsider = named(people, "globex-admin")
    target = someone_in(globex, people)
    start = len(globex.requests)
    with OktaConnectedToolkit(
        allowed_orgs=[ACME], transports={ACME: acme.transport(), GLOBEX: globex.transport()}
    ) as toolkit:
        session = Session(toolkit, rename(target, "Outside"), outsider.connection)
        (text,) = session.pause()
        session.approve()

    assert f"does not allow the Okta org {GLOBEX}" in text
    assert "work with that Okta org" in str(session.answers()["call-1"].content)
    assert globex.requests[start:] == []


# -- per call, and async -----------------------------------------------------------------------


def test_per_call_a_call_shown_again_is_rechecked_with_the_persons_own_credential(
    toolkit: OktaConnectedToolkit, people: list[Person], globex: SandboxOrg
) -> None:
    helper, admin = named(people, "globex-helper"), named(people, "globex-admin")
    first, second = [u for u in globex.users if u["id"] not in {p.user_id for p in people}][:2]
    message = calls(
        (UPDATE, {"user_id": first["id"], "first_name": "One"}),
        (UPDATE, {"user_id": second["id"], "first_name": "Two"}),
    )
    session = Session(toolkit, message, helper.connection, mode="per_call")
    session.pause()
    call(tool_named(toolkit, UPDATE), admin.connection, user_id=second["id"], last_name="Moved")
    start = len(globex.requests)

    (shown_again,) = session.approve()

    assert 'Since this preview the user changed: lastName: "' in shown_again
    reads = [r for r in globex.requests[start:] if r.path == f"/api/v1/users/{second['id']}"]
    assert reads
    assert {r.principal for r in reads} == {helper.user_id}


def test_async_two_people_on_two_orgs_each_write_lands_in_their_own_org_as_them(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    alice, bob = named(people, "acme-admin"), named(people, "globex-helper")
    targets = {p.name: someone_in(p.org, people) for p in (alice, bob)}
    sessions = [
        Session(toolkit, rename(targets[p.name], f"By-{p.name}"), p.connection)
        for p in (alice, bob)
    ]

    async def both() -> None:
        await asyncio.gather(*(s.apause() for s in sessions))
        await asyncio.gather(*(s.aapprove() for s in sessions))

    asyncio.run(both())

    for person in (alice, bob):
        target = targets[person.name]
        assert first_name(person.org, target) == f"By-{person.name}"
        touched = [r for r in person.org.requests if target["id"] in r.path]
        assert {r.principal for r in touched} == {person.user_id}


def test_async_a_credential_revoked_while_paused_says_reconnect_and_writes_nothing(
    people: list[Person], acme: SandboxOrg, globex: SandboxOrg
) -> None:
    helper = named(people, "acme-helper")
    target = someone_in(acme, people)
    with OktaConnectedToolkit(
        transports={ACME: acme.transport(), GLOBEX: globex.transport()},
        pool_limits=PoolLimits(rights_seconds=0.001),  # the rights check meets the 401 first
    ) as toolkit:
        session = Session(toolkit, rename(target, "Helped"), helper.connection)

        paused: list[Any] = []

        async def run() -> None:
            await session.apause()
            paused.append(toolkit.pool._entries[helper.connection.key])
            acme.revoke_api_token(helper.secret)
            await session.aapprove()

        start = len(acme.requests)
        asyncio.run(run())
        assert paused[0].retired  # its client left the pool

    answer = session.answers()["call-1"]
    assert answer.status == "error"
    assert "reconnect Okta" in str(answer.content)
    assert writes(acme, start) == []
    assert first_name(acme, target) != "Helped"


def test_async_a_person_demoted_while_paused_is_refused_though_approved(
    people: list[Person], acme: SandboxOrg, globex: SandboxOrg
) -> None:
    helper = named(people, "acme-helper")
    target = someone_in(acme, people)
    with OktaConnectedToolkit(
        transports={ACME: acme.transport(), GLOBEX: globex.transport()},
        pool_limits=PoolLimits(rights_seconds=0.001),
    ) as toolkit:
        session = Session(toolkit, rename(target, "Helped"), helper.connection)

        async def run() -> None:
            await session.apause()
            acme.set_roles(helper.user_id, ["READ_ONLY_ADMIN"])
            await session.aapprove()

        asyncio.run(run())

    assert "may only read" in str(session.answers()["call-1"].content)
    assert writes(acme) == []


@pytest.mark.parametrize("mode", ["batched", "per_call"])
def test_a_create_is_looked_up_again_with_the_persons_credential_before_it_is_written(
    toolkit: OktaConnectedToolkit, people: list[Person], globex: SandboxOrg, mode: str
) -> None:
    helper = named(people, "globex-helper")
    grace = {"first_name": "Grace", "last_name": "Hopper", "email": "grace.hopper@example.com"}
    session = Session(toolkit, calls((CREATE, grace)), helper.connection, mode=mode)
    session.pause()
    start = len(globex.requests)

    session.approve()

    created = globex.find_by_login("grace.hopper@example.com")
    assert created is not None
    sent = globex.requests[start:]
    assert [r.method for r in sent if r.path == "/api/v1/users"] == ["GET", "POST"]
    assert {r.principal for r in sent} == {helper.user_id}


def test_every_lease_is_given_back_after_the_previews_and_the_write(
    toolkit: OktaConnectedToolkit, people: list[Person], acme: SandboxOrg
) -> None:
    helper = named(people, "acme-helper")
    session = Session(toolkit, rename(someone_in(acme, people), "Helped"), helper.connection)

    session.pause()
    paused = [entry.leases for entry in toolkit.pool._entries.values()]
    session.approve()

    assert paused == [0]
    assert [entry.leases for entry in toolkit.pool._entries.values()] == [0]
