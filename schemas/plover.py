"""PLOVER event types and their modes, with labels and definitions for people.

The definitions are adapted from the PLOVER codebook (Political Language
Ontology for Verifiable Event Records, Open Event Data Alliance,
https://github.com/openeventdata/PLOVER), licensed CC BY-SA 4.0, and are
shared here under the same licence. The types and modes are those POLECAT
codes (REQUEST for the codebook's DEMAND; the modes of the violent types);
the definitions of modes the codebook does not list are this project's.
"""

from dataclasses import dataclass

ATTRIBUTION = (
    "Event types and modes: PLOVER, Open Event Data Alliance"
    " (https://github.com/openeventdata/PLOVER); definitions adapted, CC BY-SA 4.0."
)


@dataclass(frozen=True)
class Term:
    """A word of a vocabulary: its code, a label for people, and what it means."""

    code: str
    label: str
    definition: str
    # The modes of an event type.
    modes: tuple = ()


def _modes(*modes):
    return tuple(Term(code, label, definition) for code, label, definition in modes)


# REQUEST and REJECT share their modes: what is asked for, or refused.
def _asked(verb):
    return _modes(
        ("assist", "Assistance", f"{verb} any form of exchange, relations or assistance."),
        (
            "change",
            "Change",
            f"{verb} changes in policy, government or institutions that are not concessions.",
        ),
        (
            "yield",
            "Concession",
            f"{verb} concessions: releasing prisoners, ending sanctions, easing curfews and"
            " boycotts, ceasefires.",
        ),
        ("meet", "Meeting", f"{verb} meetings and negotiations."),
    )


EVENT_TYPES = (
    Term(
        "AGREE",
        "Agree",
        "Agree to, offer, promise or otherwise show willingness or commitment to cooperate,"
        " including promises to sign or ratify agreements.",
    ),
    Term(
        "CONSULT",
        "Consult",
        "Consultations and meetings: visiting and hosting, meeting at a neutral place, talks"
        " by phone or other media, negotiations.",
        _modes(
            ("visit", "Visit", "The initiator visits; the target hosts."),
            ("third-party", "Hosted by a third party", "A meeting hosted by a third party."),
            (
                "multilateral",
                "Multilateral",
                "A meeting in a multilateral setting, typically an alliance or an"
                " international organisation.",
            ),
            ("phone", "Remote", "Consultation by phone or another remote medium."),
        ),
    ),
    Term(
        "SUPPORT",
        "Support",
        "Diplomatic, non-material cooperation: express support for, commend or approve a"
        " policy, action or actor; sign, ratify or finalise an agreement; recognise a state"
        " or a government.",
    ),
    Term(
        "CONCEDE",
        "Concede",
        "Verbal concessions without immediate material consequences: promises to ease"
        " restrictions, lift curfews or suspend protests; declarations (not implementations)"
        " of ceasefires and withdrawals; expressions of regret.",
    ),
    Term(
        "COOPERATE",
        "Cooperate",
        "Mutual material cooperation or exchange: economic exchange, joint military exercises,"
        " judicial cooperation such as extraditions, sharing intelligence.",
    ),
    Term(
        "AID",
        "Aid",
        "Material aid whose benefits go mainly to the recipient: money and credit, military"
        " and police assistance, humanitarian aid, asylum.",
        _modes(
            ("economic", "Economic aid", "Loans, grants, credit and other economic aid."),
            ("military", "Military aid", "Arms, personnel and other military or police aid."),
            ("humanitarian", "Humanitarian aid", "Emergency and other humanitarian aid."),
            ("asylum", "Asylum", "Granting asylum."),
        ),
    ),
    Term(
        "RETREAT",
        "Retreat",
        "Concessions with immediate material consequences: releasing prisoners, returning"
        " property, letting observers or aid workers in, disarming, observing a ceasefire,"
        " withdrawing from territory; also an official's resignation.",
        _modes(
            ("withdraw", "Withdrawal", "Retreat from territory or withdraw forces from an area."),
            ("release", "Release", "Release captives."),
            ("return", "Return", "Return property."),
            ("disarm", "Disarmament", "Disarm, or give up weapons."),
            ("ceasefire", "Ceasefire", "Implement a ceasefire."),
            (
                "access",
                "Access",
                "Let a third party (observers, peacekeepers, aid workers) in.",
            ),
            ("resign", "Resignation", "An official resigns."),
        ),
    ),
    Term(
        "REQUEST",
        "Request",
        "Requests, demands and orders: calls on another actor to act or to stop acting.",
        _asked("Asks for"),
    ),
    Term(
        "ACCUSE",
        "Accuse",
        "Disapproval, accusations and investigations: condemn or criticise a policy or an"
        " action; accuse, allege or charge, in court or not; sue; investigate.",
        _modes(
            ("disapprove", "Disapproval", "Express disapproval, condemn, complain."),
            (
                "investigate",
                "Investigation",
                "Any investigation: commissions, grand juries, judicial or political inquiries.",
            ),
            (
                "allege",
                "Allegation",
                "Accuse formally or informally; sue, indict or charge; bring to trial.",
            ),
        ),
    ),
    Term("REJECT", "Reject", "Rejections and refusals.", _asked("Refuses")),
    Term(
        "THREATEN",
        "Threaten",
        "Threats: coercive or forceful warnings with serious potential consequences. The mode"
        " is what is threatened.",
        _modes(
            (
                "restrict",
                "Restrictions",
                "Restricting the movement of people or goods: boycotts, strikes, blockades,"
                " curfews.",
            ),
            ("arrest", "Arrest", "Arrest, detention or imprisonment."),
            ("relations", "Relations", "Suspending relations or talks."),
            ("expel", "Expulsion", "Expelling diplomats, peacekeepers or organisations."),
            ("territory", "Territory", "Occupying or seizing all or part of a territory."),
            ("violence", "Violence", "Violence."),
        ),
    ),
    Term(
        "PROTEST",
        "Protest",
        "Civilian demonstrations and other collective action against the target: dissent in"
        " public, rally or gather to protest a policy, an action or an actor.",
        _modes(
            ("demo", "Demonstration", "An organised, largely peaceful demonstration."),
            (
                "riot",
                "Riot",
                "A violent riot: participants mean to injure people or damage property.",
            ),
            ("strike", "Strike", "Workers leave their workplaces, in some sectors or all."),
            ("hunger", "Hunger strike", "A hunger strike."),
            ("boycott", "Boycott", "A boycott."),
            ("obstruct", "Obstruction", "Blocking passage: blockades, sit-ins."),
        ),
    ),
    Term(
        "SANCTION",
        "Sanction",
        "Reductions in existing, routine or cooperative relations; not only formal sanctions.",
        _modes(
            ("convict", "Conviction", "Find guilty or liable in a court of law."),
            ("cancel", "Cancellation", "Cancel an agreement, a meeting or an exchange."),
            (
                "expel",
                "Expulsion",
                "Expel an actor from a group, an organisation or a country (not individual"
                " deportations).",
            ),
            (
                "withdraw",
                "Withdrawal",
                "Withdraw one's non-military resources (aid, observers, diplomats,"
                " peacekeepers) from a group, an activity or a country.",
            ),
            ("sever", "Break in relations", "Break off diplomatic, commercial or other ties."),
        ),
    ),
    Term(
        "MOBILIZE",
        "Mobilize",
        "Military or police moves short of the use of force: mobilising, deploying or raising"
        " the readiness of forces.",
        _modes(
            ("troops", "Troops", "Mobilise armed personnel or units."),
            ("weapons", "Weapons", "Raise the readiness of weapons systems."),
            ("police", "Police", "Mobilise police or security units."),
            ("militia", "Militia", "Mobilise a non-state armed group."),
        ),
    ),
    Term(
        "COERCE",
        "Coerce",
        "Repression or restriction of rights, short of physical violence.",
        _modes(
            ("seize", "Seizure", "Seize or confiscate property."),
            ("restrict", "Restrictions", "Restrict political freedoms or movement."),
            ("arrest", "Arrest", "Arrest, detain or charge."),
            ("deport", "Deportation", "Expel or deport individuals."),
            (
                "withhold",
                "Withholding",
                "Withhold public goods or services: power, water, the internet, food, medical"
                " supplies.",
            ),
            ("cyber", "Cyber operation", "An operation against computer systems or networks."),
            ("censor", "Censorship", "Censor, ban or restrict publications or information."),
            ("curfew", "Curfew", "Impose a curfew."),
            ("martial-law", "Martial law", "Impose a state of emergency or martial law."),
            (
                "misinformation",
                "Misinformation",
                "Spread deliberately false or misleading information.",
            ),
        ),
    ),
    Term(
        "ASSAULT",
        "Assault",
        "Use of force: deliberate actions that can cause substantial physical harm to people"
        " or property.",
        _modes(
            ("abduct", "Abduction", "Abduct, kidnap or hijack."),
            ("beat", "Beating", "Physical assault."),
            ("torture", "Torture", "Torture."),
            ("sexual", "Sexual violence", "Sexual violence."),
            ("destroy", "Destruction", "Destroy property."),
            (
                "primitive",
                "Primitive weapons",
                "Fire, edged weapons, rocks, farm implements.",
            ),
            ("firearms", "Firearms", "Small arms: rifles, pistols, light machine guns."),
            (
                "explosives",
                "Explosives",
                "Explosives not fired from a heavy weapon: mines, improvised devices, car bombs.",
            ),
            ("suicide-attack", "Suicide attack", "An individual or vehicular suicide attack."),
            ("heavy-weapons", "Heavy weapons", "Crew-served weapons: artillery, rockets, tanks."),
            ("aerial", "Air strike", "Bombing or firing from aircraft."),
            ("drone", "Drone strike", "An attack by unmanned aircraft."),
            ("targeted", "Targeted killing", "A targeted killing or an assassination."),
            (
                "unconventional",
                "Unconventional weapons",
                "Chemical, biological, radiological or nuclear weapons.",
            ),
            (
                "crowd-control",
                "Crowd control",
                "Force against crowds: tear gas, water cannon, rubber bullets.",
            ),
        ),
    ),
)
