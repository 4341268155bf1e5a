"""Recognise who a national recommendation is addressed to."""

from __future__ import annotations

import re

SUBJECT = "subject"
ALL_FORCES = "all-forces"

_BODIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        ALL_FORCES,
        re.compile(
            r"\b(?:police\s+)?forces\b|\bchief\s+constables?\b|\bconstabularies\b"
            r"|\bpolice\s+authorit(?:y|ies)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "acpo",
        re.compile(
            r"\bACPO\b|\bNPCC\b|\bAssociation\s+of\s+Chief\s+Police\s+Officers\b"
            r"|\bNational\s+Police\s+Chiefs['’]?\s+Council\b"
        ),
    ),
    (
        "hmic",
        re.compile(r"\bHMICF?R?S?\b|\bHer\s+Majesty['’]s\s+Inspectorate\s+of\s+Constabulary\b"),
    ),
    ("home-office", re.compile(r"\bHome\s+(?:Office|Secretary)\b")),
    (
        "college-of-policing",
        re.compile(
            r"\bCollege\s+of\s+Policing\b|\btraining\s+(?:courses?|providers?)\b"
            r"|\bStrategic\s+Command\s+Course\b",
            re.IGNORECASE,
        ),
    ),
)

# A body named only as helper or audience is not asked to act.
_SUPPORTING_ROLE_RE = re.compile(
    r"(?:\b(?:encouraged|supported|assisted|advised|funded|informed|endorsed)\s+by"
    r"|\bin\s+partnership\s+with|\bwith\s+the\s+support\s+of|\bin\s+consultation\s+with"
    r"|\bto\s+inform(?:\s+incoming)?|\bon\s+behalf\s+of)\s+(?:the\s+)?(?:other\s+)?$",
    re.IGNORECASE,
)


def national_addressees(text: str) -> tuple[str, ...]:
    """Return the bodies a national recommendation asks to act, in order of mention.

    Rules: "forces", "forces and authorities", "police authorities" and
    "chief constables" mean all forces; ACPO/NPCC, HMIC, the Home Office and
    the College of Policing (including "training courses", "training
    providers" and the Strategic Command Course) are recognised by name. A
    body mentioned only in a supporting role ("encouraged by the Home
    Office", "in partnership with", "to inform ...") is not an addressee,
    because it is not asked to do anything. Returns () when no body is named.
    """
    mentions: list[tuple[int, str]] = []
    for code, regex in _BODIES:
        for match in regex.finditer(text):
            before = text[max(0, match.start() - 60) : match.start()]
            if _SUPPORTING_ROLE_RE.search(before):
                continue
            mentions.append((match.start(), code))
            break
    return tuple(code for _, code in sorted(mentions))
