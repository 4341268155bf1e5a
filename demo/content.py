"""What the demo reports say: inspection programmes, national reports, and the words forces and reviewers write.

The shape follows how HMIC's recommendations reach forces: national thematic reports whose recommendations go to
all 43 territorial forces, force inspection rounds that give each force its own report, and a few recommendations
to national bodies.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Programme:
    """A force inspection programme: each round gives every force a report with these kinds of recommendation."""

    title: str
    question: str
    topics: tuple[str, ...]


FORCE_PROGRAMMES = (
    Programme(
        "Police Integrity and Corruption",
        "How well does the force proactively look for, and effectively challenge and investigate misconduct and "
        "unprofessional behaviour?",
        (
            "communicate to all staff the requirements to comply with policies relating to notifiable associations, "
            "secondary employment, business interests and gifts and hospitality",
            "have a policy which informs staff of the gifts and hospitality that are appropriate to accept and why",
            "carry out regular audits of integrity-related registers including gifts and hospitality, business "
            "interests, notifiable associations and expense claims",
            "have formal arrangements for the oversight of integrity and corruption-related issues, with clear lines "
            "of reporting and accountability",
            "make sure all staff understand the support mechanisms available to those individuals reporting misconduct",
            "have the proactive capability to gather, respond and act on information which identifies patterns of "
            "unprofessional behaviour and corruption",
            "publish a policy which clarifies the position on suspension, resignation and retirement of officers under "
            "disciplinary investigation",
            "have an effective process to communicate to all staff the lessons learnt on integrity and corruption",
        ),
    ),
    Programme(
        "PEEL: Police effectiveness",
        "How effective is the force at protecting those who are vulnerable from harm, and supporting victims?",
        (
            "improve how it identifies repeat and vulnerable victims when they first contact the force",
            "make sure that risk assessments for victims of domestic abuse are completed and reviewed by trained "
            "supervisors",
            "improve its response to missing children, including the quality of return home interviews",
            "make sure officers understand and use their powers to protect victims of domestic abuse, including "
            "domestic violence protection notices and orders",
            "improve the supervision and quality of investigations, so that victims receive a consistent service",
            "reduce the backlog of digital devices awaiting examination, so that investigations are not delayed",
        ),
    ),
    Programme(
        "PEEL: Police efficiency",
        "How efficient is the force at keeping people safe and reducing crime?",
        (
            "develop a clear understanding of the demand for its services, including less visible crime",
            "have a workforce plan that sets out the skills and capabilities it will need in future",
            "evaluate the benefits of its collaboration with other forces and public bodies",
            "make sure its neighbourhood teams are not routinely taken away from their core work",
        ),
    ),
    Programme(
        "PEEL: Police legitimacy",
        "How legitimate is the force at keeping people safe and reducing crime?",
        (
            "make sure that all officers who use stop and search powers understand what constitutes reasonable grounds",
            "record and analyse its use of force, and publish the data",
            "improve how it seeks and acts on feedback from the communities it serves",
            "monitor its vetting decisions for disproportionality and act on what it finds",
            "treat the abuse of position for a sexual purpose as serious corruption and refer cases to the "
            "Independent Office for Police Conduct",
        ),
    ),
    Programme(
        "Crime Data Integrity",
        "How well does the force record crime?",
        (
            "make sure that reports of crime are recorded within 24 hours, in line with the Home Office Counting Rules",
            "improve the recording of reports of rape and other sexual offences",
            "make sure that crimes are cancelled only when there is additional verifiable information",
            "train call handlers and officers in the crime recording standards",
        ),
    ),
    Programme(
        "Inspection of police custody",
        "How well does the force treat the people detained in its custody?",
        (
            "make sure that detainees are not held in custody longer than is necessary",
            "make sure that children charged and refused bail are moved to local authority accommodation",
            "improve the recording and oversight of the use of force in custody",
            "make sure that the rights and entitlements of detainees are explained in a way they understand",
        ),
    ),
    Programme(
        "National child protection inspection",
        "How well does the force protect children at risk of harm?",
        (
            "make sure that officers attending incidents involving children record the child's views and behaviour",
            "improve the quality and timeliness of strategy discussions with children's social care",
            "make sure that children are held in police cells overnight only when it cannot be avoided",
        ),
    ),
)

NATIONAL_REPORTS = (
    "Without fear or favour: a review of police relationships",
    "Everyone's business: improving the police response to domestic abuse",
    "Crime recording: making the victim count",
    "Stolen freedom: the policing response to modern slavery and human trafficking",
    "Real lives, real crimes: a study of digital crime and policing",
    "Shining a light on betrayal: abuse of position for a sexual purpose",
    "Stop and search powers: are the police using them effectively and fairly?",
    "Living in fear: the police and CPS response to harassment and stalking",
    "Making it fair: a joint inspection of the disability hate crime",
    "Missing children: who cares?",
    "Core business: an inspection into crime prevention, police attendance and investigation",
    "Fraud: time to choose",
    "Disproportionate use of police powers: a spotlight on stop and search and the use of force",
    "Pre-charge bail and released under investigation: striking a balance",
    "An inspection of vetting, misconduct, and misogyny in the police service",
    "Police response to violence against women and girls",
    "An inspection of how well the police tackle serious youth violence",
    "State of policing: the annual assessment of policing in England and Wales",
)
NATIONAL_TOPICS = (
    "institute robust systems to ensure risks arising from relationships, information disclosure, gratuities, "
    "hospitality, contracting and secondary employment are identified, monitored and managed",
    "set clear boundaries and thresholds for gifts and hospitality, consistent across the service",
    "make sure that all staff are vetted to the national standard, and that vetting is renewed when it expires",
    "record every domestic abuse incident accurately and make sure the victim's risk is assessed",
    "appoint a chief officer lead for modern slavery and human trafficking",
    "make sure that call handlers can identify vulnerability and repeat victimisation",
    "give victims of stalking the information and support they are entitled to under the Victims' Code",
    "use body-worn video whenever stop and search powers are used, and review the footage",
    "publish their stop and search and use of force data, with an explanation of any disproportionality",
    "improve the training of investigators in obtaining digital evidence",
    "make sure that every suspect released under investigation is reviewed by a supervisor within 28 days",
    "tackle the backlog of outstanding suspects shown on the Police National Computer",
    "make sure that the counter-corruption unit has the capacity and capability to meet demand",
    "monitor the use of their IT systems to identify staff who may be abusing their position",
    "work with partner agencies to make sure children who go missing are safeguarded on their return",
    "give neighbourhood policing a clear purpose and protect its resources",
    "make sure that rape investigations are allocated to specially trained officers",
    "record and respond to reports of hate crime consistently, and keep victims informed",
    "make sure that domestic abuse protection orders are applied for and their conditions enforced",
    "improve the quality of the files they send to the Crown Prosecution Service",
)
NATIONAL_BODIES = {
    "home-office": "the Home Office",
    "acpo": "ACPO",
    "npcc": "the National Police Chiefs' Council",
    "college-of-policing": "the College of Policing",
    "hmic": "HMIC",
}
FINDINGS = (
    "staff had a limited understanding of the policy and where to find it",
    "the register was incomplete and had not been audited for over a year",
    "supervisors did not routinely review the quality of the work",
    "the force could not show how it used what it had learnt from complaints",
    "the force's performance was inconsistent across its local policing areas",
    "the force had no clear plan for meeting the demand it faces",
    "victims were not always kept informed about the progress of their case",
    "the data the force held was incomplete, so it could not monitor its use of the power",
)
PROGRESS_NOTES = (
    "Draft policy out for consultation with the staff associations.",
    "Working group set up; terms of reference agreed by the chief officer group.",
    "Audit of the register started; first results expected next month.",
    "Training package written with the College of Policing; pilot in one area.",
    "Update to the professional standards board: on track.",
    "Procurement of the new system approved; delivery planned for the autumn.",
    "Briefing delivered to all sergeants and inspectors.",
    "Awaiting sign-off from the police and crime commissioner's office.",
)
COMPLETION_NOTES = (
    "Policy published on the intranet and briefed to all staff; briefing records attached.",
    "Audit completed and findings reported to the professional standards board.",
    "Training delivered to 94% of frontline officers and staff; attendance records attached.",
    "New oversight board in place, chaired by the deputy chief constable; terms of reference attached.",
    "Process changed and embedded; dip sample of 50 cases shows it is followed.",
    "Data now published quarterly on the force website.",
)
REOPEN_REASONS = (
    "The evidence does not show the policy has reached police staff as well as officers.",
    "Please provide the audit results, not only the audit plan.",
    "The dip sample is too small to show the change is embedded.",
    "The training records do not cover the contact centre.",
)
VERIFY_NOTES = ("", "", "Evidence reviewed at the follow-up visit.", "Confirmed during the PEEL fieldwork.")
RECHECK_NOTES = (
    "",
    "Dip sample of twenty vetting files: all within date.",
    "Policy still published and staff survey shows it is known.",
    "Audit log monitoring still running; three alerts actioned this quarter.",
)
EXTENSION_REASONS = (
    "The new policy needs sign-off by the chief officer group, which meets next quarter.",
    "The IT supplier has delayed the system upgrade the audit depends on.",
    "The regional collaboration agreement is still awaiting sign-off by the partner forces.",
    "The national guidance this depends on has not yet been published by the College of Policing.",
    "Training cannot be completed before the summer abstraction period ends.",
)
REFUSAL_REASONS = (
    "The recommendation has been open long enough; please prioritise it.",
    "A revised date this far ahead is not acceptable for a safeguarding matter.",
    "The reason given does not prevent interim measures being put in place.",
)
SUPERSEDE_REASONS = (
    "Superseded by the recommendations of a later inspection.",
    "Superseded by the national vetting code of practice.",
    "Superseded by the force's new operating model, reviewed in the last PEEL inspection.",
)
NOT_ACCEPTED_REASONS = (
    "The force has shown the recommendation does not apply: it has no custody suite of its own.",
    "HMIC accepted the force's alternative arrangements.",
)
RAG_REASONS = {
    "green": (
        "On track: the plan is agreed and resourced.",
        "Delivery on schedule; reported to the professional standards board monthly.",
    ),
    "amber": (
        "At risk: waiting for the chief officer group to sign off the policy.",
        "Training slots are short before the due date; mitigation agreed.",
        "Depends on the IT supplier's upgrade, due next month.",
    ),
    "red": (
        "Will not be met: the lead post has been vacant for three months.",
        "Behind plan; extension to be requested.",
    ),
}
# (timeframe as written, months after publication or None; weights) — as the shipped reports write them.
TIMEFRAMES = (
    ("Within six months", 6, 45),
    ("Within three months", 3, 15),
    ("Within 12 months", 12, 15),
    ("With immediate effect", 0, 5),
    ("by", None, 12),  # "By March 2017": the end of a named month
    ("", None, 8),  # no deadline written: no due date, never a guess
)
# The police and crime commissioner's statutory response to a force report (Police Act 1996 s55).
COMMISSIONER_COMMENTS = (
    "I welcome HMIC's report on {force}. The chief constable and I have agreed a plan for each recommendation, and "
    "I will hold the force to account for it at my quarterly performance and accountability board, in public.",
    "I am grateful to HMIC for this inspection. The report recognises the progress {force} has made, and I share "
    "its concerns where it finds the force must do better. I accept the chief constable's comments, and I will "
    "review the force's progress against each recommendation every three months.",
    "This report makes clear where {force} must improve. I have asked the chief constable for a delivery plan, "
    "which my office will scrutinise, and I will publish an update on progress in six months' time.",
)
CHIEF_OFFICER_COMMENTS = (
    "The chief constable welcomes the report and accepts all of its recommendations. Work on each is under way and "
    "is overseen by the deputy chief constable through the force's HMIC recommendations board.",
    "The force accepts the recommendations. Several were already being addressed when the inspection took place; "
    "the remainder are in the force improvement plan with named leads and dates.",
)
RESPONSE_EXPLANATIONS = (
    "Accepted. The head of professional standards leads this work, which is to be completed by {due}; progress is "
    "reported to my accountability board.",
    "Accepted. The force has begun this work and expects to complete it by {due}. My office will check the "
    "evidence before the force asks HMIC to close the recommendation.",
    "Accepted, and included in the force improvement plan with a completion date of {due}.",
)
