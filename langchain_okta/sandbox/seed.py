"""A realistic org, generated deterministically from a seed.

Besides the admin behind the token, every org holds people with plausible names, departments and
titles, spread over all user statuses (mostly ACTIVE), created over the past years. Two details
are fixed because the demo and notebooks tell a story around them: exactly one person is called
Jane (ACTIVE, with a mobile number to fix), and the first STAGED people work in Sales.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from langchain_okta.sandbox.user_objects import TimestampFormatter, credentials, okta_id

DOMAIN = "example.com"
ADMIN_LOGIN = f"admin@{DOMAIN}"

# "Jane" is left out on purpose: the story needs exactly one. Names of the people in Okta's and
# this project's own examples (Isaac Brock, Grace Hopper) are left out so creating them works.
FIRST_NAMES = (
    "Aaliyah", "Aaron", "Abigail", "Adam", "Adrian", "Aisha", "Alan", "Alejandro", "Alex",
    "Alice", "Amanda", "Amara", "Amir", "Ana", "Andre", "Andrew", "Angela", "Anil", "Anna",
    "Anthony", "Arjun", "Ava", "Beatriz", "Ben", "Bianca", "Brandon", "Brian", "Caleb", "Camila",
    "Carlos", "Carmen", "Catherine", "Chen", "Chloe", "Chris", "Claire", "Daniel", "David",
    "Deepa", "Diana", "Diego", "Dmitri", "Elena", "Eli", "Elif", "Emily", "Emma", "Eric",
    "Ethan", "Fatima", "Felix", "Fiona", "Gabriel", "George", "Hana", "Hannah", "Hassan",
    "Henry", "Hiroshi", "Ian", "Ingrid", "Isabel", "Ivan", "Jack", "James", "Jamal", "Jasmine",
    "Javier", "Jessica", "Ji-woo", "Joao", "John", "Jordan", "Jose", "Julia", "Kai", "Karen",
    "Kenji", "Kevin", "Kofi", "Laura", "Leila", "Liam", "Lina", "Lucas", "Lucia", "Luis",
    "Maria", "Mark", "Marta", "Mateo", "Maya", "Mei", "Michael", "Miguel", "Mohammed", "Naomi",
    "Nathan", "Nia", "Nikhil", "Noah", "Olivia", "Omar", "Oscar", "Patrick", "Paula", "Pedro",
    "Priya", "Rachel", "Rafael", "Rahul", "Rebecca", "Ricardo", "Rosa", "Ryan", "Sakura",
    "Samuel", "Sara", "Sean", "Sofia", "Sophie", "Stefan", "Sunil", "Tariq", "Thomas", "Tomas",
    "Valentina", "Victor", "Wei", "William", "Yara", "Yusuf", "Zara", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Adams", "Afolabi", "Ahmed", "Alvarez", "Andersen", "Bailey", "Baker", "Banerjee", "Becker",
    "Bennett", "Brooks", "Brown", "Campbell", "Carter", "Castillo", "Chang", "Chen", "Clarke",
    "Cohen", "Collins", "Costa", "Cruz", "Dubois", "Edwards", "Evans", "Fernandez", "Fischer",
    "Fisher", "Flores", "Foster", "Garcia", "Gomez", "Gonzalez", "Gray", "Green", "Gupta",
    "Hall", "Hansen", "Harris", "Hayes", "Hernandez", "Hill", "Hoffmann", "Hughes", "Ibrahim",
    "Ito", "Jackson", "Jensen", "Johnson", "Jones", "Kapoor", "Kelly", "Khan", "Kim", "King",
    "Kowalski", "Kumar", "Larsen", "Lee", "Lewis", "Li", "Lopez", "Martin", "Martinez", "Mendes",
    "Meyer", "Miller", "Mitchell", "Moore", "Morales", "Morgan", "Murphy", "Nakamura", "Nguyen",
    "Novak", "Okafor", "Oliveira", "Ortiz", "Owusu", "Park", "Patel", "Perez", "Peterson",
    "Phillips", "Popescu", "Price", "Ramirez", "Reddy", "Reyes", "Richardson", "Rivera",
    "Roberts", "Robinson", "Rodriguez", "Rossi", "Russo", "Sanchez", "Santos", "Sato", "Schmidt",
    "Schneider", "Scott", "Shah", "Silva", "Singh", "Smith", "Sokolov", "Suzuki", "Tanaka",
    "Taylor", "Thomas", "Thompson", "Torres", "Turner", "Walker", "Wang", "Ward", "Watanabe",
    "Weber", "White", "Williams", "Wilson", "Wong", "Wright", "Yamamoto", "Yilmaz", "Young",
    "Zhang", "Zimmermann",
)  # fmt: skip
DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "Engineering": (
        "Software Engineer",
        "Senior Software Engineer",
        "Staff Engineer",
        "Engineering Manager",
        "QA Engineer",
        "Site Reliability Engineer",
    ),
    "Sales": (
        "Account Executive",
        "Sales Development Representative",
        "Sales Manager",
        "Regional Sales Director",
    ),
    "Support": ("Support Engineer", "Customer Support Specialist", "Support Team Lead"),
    "Marketing": (
        "Marketing Manager",
        "Content Strategist",
        "Product Marketing Manager",
        "Marketing Coordinator",
    ),
    "Finance": ("Financial Analyst", "Accountant", "Controller", "Payroll Specialist"),
    "Operations": ("Operations Analyst", "Operations Manager", "Office Manager"),
    "HR": ("HR Generalist", "Recruiter", "People Operations Manager"),
    "IT": ("IT Support Specialist", "Systems Administrator", "IT Manager"),
    "Legal": ("Legal Counsel", "Paralegal"),
}
# Each department as often as its share of the org (per cent).
_DEPARTMENT_DRAW = tuple(
    department
    for department, share in zip(DEPARTMENTS, (28, 20, 12, 10, 8, 8, 6, 5, 3), strict=True)
    for _ in range(share)
)

# Share of each non-ACTIVE status; the rest of the org is ACTIVE.
STATUS_SHARES = {
    "STAGED": 0.08,
    "PROVISIONED": 0.05,
    "SUSPENDED": 0.04,
    "LOCKED_OUT": 0.04,
    "PASSWORD_EXPIRED": 0.04,
    "RECOVERY": 0.03,
    "DEPROVISIONED": 0.05,
}
# From this size on, every status is present at least once.
_ALL_STATUSES_FROM = 16

_DAY = 86_400.0
_YEAR = 365 * _DAY


@dataclass(frozen=True)
class SeededOrg:
    admin: dict[str, Any]
    people: list[dict[str, Any]]
    type_id: str
    schema_id: str


@dataclass
class _Person:
    first: str
    last: str
    department: str
    title: str
    status: str
    created: float
    phone: str | None
    contractor: bool


def seed_org(*, seed: int, users: int, now: float) -> SeededOrg:
    """The admin plus `users` people, all created before `now`, in creation order."""
    if users < 0:
        raise ValueError("users must not be negative")
    rng = random.Random(seed)
    ids = random.Random(f"{seed}/ids")
    type_id, schema_id = okta_id(ids, "oty"), okta_id(ids, "osc")

    people = [_person(rng, status, now) for status in _statuses(rng, users)]
    _cast_story(rng, people)
    people.sort(key=lambda person: person.created)

    admin_person = _Person(
        first=rng.choice(FIRST_NAMES),
        last=rng.choice(LAST_NAMES),
        department="IT",
        title="IT Administrator",
        status="ACTIVE",
        created=now - 6 * _YEAR,
        phone=_phone(rng),
        contractor=False,
    )
    logins = _Logins()
    logins.taken.add(ADMIN_LOGIN)
    stamp = TimestampFormatter()
    admin = _user(rng, ids, stamp, admin_person, ADMIN_LOGIN, 1000, type_id, now)
    return SeededOrg(
        admin=admin,
        people=[
            _user(rng, ids, stamp, person, logins.unique(person), 1001 + index, type_id, now)
            for index, person in enumerate(people)
        ],
        type_id=type_id,
        schema_id=schema_id,
    )


def _statuses(rng: random.Random, count: int) -> list[str]:
    statuses: list[str] = []
    for status, share in STATUS_SHARES.items():
        quota = round(share * count)
        if count >= _ALL_STATUSES_FROM:
            quota = max(quota, 1)
        statuses += [status] * quota
    statuses = statuses[:count]
    statuses += ["ACTIVE"] * (count - len(statuses))
    rng.shuffle(statuses)
    return statuses


def _person(rng: random.Random, status: str, now: float) -> _Person:
    department = rng.choice(_DEPARTMENT_DRAW)
    # People not yet activated were added recently; the rest joined over the past five years.
    recent = status in ("STAGED", "PROVISIONED")
    age = rng.uniform(_DAY, 60 * _DAY) if recent else rng.uniform(30 * _DAY, 5 * _YEAR)
    return _Person(
        first=rng.choice(FIRST_NAMES),
        last=rng.choice(LAST_NAMES),
        department=department,
        title=rng.choice(DEPARTMENTS[department]),
        status=status,
        created=round(now - age, 3),
        phone=_phone(rng) if rng.random() < 0.65 else None,
        contractor=rng.random() < 0.1,
    )


def _cast_story(rng: random.Random, people: list[_Person]) -> None:
    jane = next((person for person in people if person.status == "ACTIVE"), None)
    if jane is not None:
        jane.first = "Jane"
        jane.phone = jane.phone or _phone(rng)
    for person in [person for person in people if person.status == "STAGED"][:2]:
        person.department = "Sales"
        person.title = rng.choice(DEPARTMENTS["Sales"])


def _phone(rng: random.Random) -> str:
    return f"+1-555-{rng.randrange(200, 1000)}-{rng.randrange(10_000):04d}"


class _Logins:
    """first.last@domain, numbered from 2 when the name is taken."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self._next_number: dict[str, int] = {}

    def unique(self, person: _Person) -> str:
        local = f"{person.first}.{person.last}".lower()
        number = self._next_number.get(local, 1)
        login = f"{local}@{DOMAIN}" if number == 1 else f"{local}{number}@{DOMAIN}"
        while login in self.taken:
            number += 1
            login = f"{local}{number}@{DOMAIN}"
        self._next_number[local] = number + 1
        self.taken.add(login)
        return login


def _user(
    rng: random.Random,
    ids: random.Random,
    stamp: TimestampFormatter,
    person: _Person,
    login: str,
    employee_number: int,
    type_id: str,
    now: float,
) -> dict[str, Any]:
    created = person.created
    status = person.status
    activated = status_changed = last_login = password_changed = None
    last_updated = created + rng.uniform(0, min(3 * _DAY, now - created))
    if status == "PROVISIONED":
        activated = status_changed = last_updated
    elif status != "STAGED":
        activated = created + rng.uniform(60, min(7 * _DAY, (now - created) / 2))
        password_changed = activated + rng.uniform(0, (now - activated) * 0.8)
        status_changed = activated
        if status != "ACTIVE":
            status_changed = now - rng.uniform(0, min(90 * _DAY, now - password_changed))
        last_login = status_changed - rng.uniform(0, min(30 * _DAY, status_changed - activated))
        if status == "ACTIVE":
            last_login = now - rng.uniform(0, min(30 * _DAY, now - password_changed))
        last_updated = max(password_changed, status_changed)
    has_password = status not in ("STAGED", "PROVISIONED")
    # Formatted in this order so that equal instants come one after the other (see stamp).
    activated_at = None if activated is None else stamp(activated)
    status_changed_at = None if status_changed is None else stamp(status_changed)
    password_changed_at = None if password_changed is None else stamp(password_changed)
    last_updated_at = stamp(last_updated)
    return {
        "id": okta_id(ids, "00u"),
        "status": status,
        "created": stamp(created),
        "activated": activated_at,
        "statusChanged": status_changed_at,
        "lastLogin": None if last_login is None else stamp(last_login),
        "lastUpdated": last_updated_at,
        "passwordChanged": password_changed_at,
        "type": {"id": type_id},
        "profile": {
            "firstName": person.first,
            "lastName": person.last,
            "displayName": f"{person.first} {person.last}",
            "mobilePhone": person.phone,
            "secondEmail": None,
            "login": login,
            "email": login,
            "title": person.title,
            "department": person.department,
            "employeeNumber": str(employee_number),
            "userType": "Contractor" if person.contractor else "Employee",
        },
        "credentials": credentials(login, verified=has_password, has_password=has_password),
    }
