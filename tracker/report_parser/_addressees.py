"""Recognise who a national recommendation is addressed to."""

from __future__ import annotations

import re

SUBJECT = "subject"
ALL_FORCES = "all-forces"
ALL_PCCS = "all-pccs"

_BODIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        ALL_FORCES,
        re.compile(
            r"\b(?:police\s+)?forces\b|\b(?:each|every)\s+(?:police\s+)?force\b|\bchief\s+constables\b"
            r"|\bconstabularies\b|\bpolice\s+authorit(?:y|ies)\b",
            re.IGNORECASE,
        ),
    ),
    # "The force should …" in a report that names no force on its cover: the force given at import.
    (SUBJECT, re.compile(r"\bthe\s+(?:force|constabulary|chief\s+constable)\b(?!s)", re.IGNORECASE)),
    (
        ALL_PCCS,
        re.compile(
            r"\bpolice(?:,\s*fire)?\s+and\s+crime\s+commissioners\b|\bPCCs\b"
            r"|\b(?:each|every|all)\s+(?:police\s+and\s+crime\s+commissioner|PCC)s?\b",
            re.IGNORECASE,
        ),
    ),
    ("acpo", re.compile(r"\bACPO\b|\bAssociation\s+of\s+Chief\s+Police\s+Officers\b")),
    ("npcc", re.compile(r"\bNPCC\b|\bNational\s+Police\s+Chiefs['’]?\s+Council\b")),
    (
        "hmic",
        re.compile(
            r"\bHMICF?R?S?\b|\bHer\s+Majesty['’]s\s+Inspectorate\s+of\s+Constabulary\b"
            r"|\bHM\s+Inspectorate\s+of\s+Constabulary\b"
        ),
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

# The verb that says who is asked to act: the body just before it is the addressee. The structure reader
# uses it too: a lead-in ending in ":" with one is a recommendation whose sub-items follow.
MODAL_RE = re.compile(r"\b(?:should|must|needs?\s+to|will\s+need\s+to|(?:is|are)\s+(?:asked|required)\s+to)\b", re.I)
# "… should be conducted by HMIC": the body after "by" acts.
_PASSIVE_RE = re.compile(r"\s+be\s+\w+(?:ed|en|ne)\s+by\s+(?:the\s+)?", re.IGNORECASE)
_CLAUSE_START_RE = re.compile(r"[.;:!?]\s")

# "HMIC recommends that …", "We recommend that …": who makes the recommendation, not who is to act on it.
_RECOMMENDER_RE = re.compile(
    r"\b(?:we|HMICF?R?S?|HM\s+Inspectorate\s+of\s+Constabulary(?:\s+and\s+Fire\s+(?:&|and)\s+Rescue\s+Services)?"
    r"|the\s+inspectorate)\s+(?:therefore\s+|also\s+|further\s+)?(?:recommends?|makes?\s+the\s+following\s+"
    r"recommendations?)\b(?:\s+that\b)?",
    re.IGNORECASE,
)

# A body named only as helper or audience is not asked to act.
_SUPPORTING_ROLE_RE = re.compile(
    r"(?:\b(?:encouraged|supported|assisted|advised|funded|informed|endorsed)\s+by"
    r"|\bin\s+partnership\s+with|\bwith\s+the\s+support\s+of|\bin\s+consultation\s+with"
    r"|\bto\s+inform(?:\s+incoming)?|\bon\s+behalf\s+of|\b(?:recommended|published|set\s+out)\s+by"
    r"|\b(?:working|together|jointly)\s+with|\balongside|\bin\s+conjunction\s+with)"
    r"\s+(?:the\s+)?(?:other\s+)?$",
    re.IGNORECASE,
)


def national_addressees(text: str) -> tuple[str, ...]:
    """Return the bodies a national recommendation asks to act, in order of mention.

    Rules: "forces", "forces and authorities", "police authorities", "each
    force" and "chief constables" mean all forces; "the force" is the force
    the report is given for at import (SUBJECT); "police and crime
    commissioners" means every force's PCC; ACPO, NPCC, HMIC, the Home Office
    and the College of Policing (including "training courses", "training
    providers" and the Strategic Command Course) are recognised by name. The
    bodies named as the subject of "should"/"must" (or after "should be …ed
    by") are the addressees; only when no sentence names one that way does
    any mention count. A body mentioned only in a supporting role
    ("encouraged by the Home Office", "in partnership with", "to inform ...")
    is not an addressee, because it is not asked to do anything, and nor is
    the recommender of "HMIC recommends that …". Returns () when no body is
    named.
    """
    text = _RECOMMENDER_RE.sub(lambda m: " " * len(m.group(0)), text)
    mentions = _mentions(text)
    actors: list[tuple[int, str]] = []
    for modal in MODAL_RE.finditer(text):
        starts = [m.end() for m in _CLAUSE_START_RE.finditer(text, 0, modal.start())]
        clause_start = starts[-1] if starts else 0
        actors += [(at, code) for at, code in mentions if clause_start <= at < modal.start()]
        passive = _PASSIVE_RE.match(text, modal.end())
        if passive:
            actors += [(at, code) for at, code in mentions if at == passive.end()]
    chosen = actors or mentions
    ordered: list[str] = []
    for _, code in sorted(chosen):
        if code not in ordered:
            ordered.append(code)
    return tuple(ordered)


def _mentions(text: str) -> list[tuple[int, str]]:
    """Return (position, body) for every body named in the text other than in a supporting role."""
    mentions: list[tuple[int, str]] = []
    for code, regex in _BODIES:
        for match in regex.finditer(text):
            before = text[max(0, match.start() - 60) : match.start()]
            if not _SUPPORTING_ROLE_RE.search(before):
                mentions.append((match.start(), code))
    return mentions
