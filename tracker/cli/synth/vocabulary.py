"""The words synthetic records are made of, and the two ways of drawing them.

A draw picks by position among so many, so any change to these tuples changes what every
seed gives (and scripts/bench.py searches for some of these words).
"""

from __future__ import annotations

import random

from tracker.models import Category, MeetingLevel, Priority

ORGANISATIONS = (
    "Defence Cooperation Council",
    "Maritime Security Forum",
    "Regional Arms Control Agency",
    "Joint Logistics Organisation",
    "Space Situational Awareness Group",
    "Cyber Defence Alliance",
    "Humanitarian Assistance Network",
    "Peacekeeping Training Centre",
    "Coastal States Commission",
    "Export Control Regime",
)
INSTRUMENTS = (
    "Agreement",
    "Memorandum of Understanding",
    "Framework Agreement",
    "Protocol",
    "Arrangement",
    "Joint Declaration",
    "Implementing Arrangement",
    "Treaty",
)
TOPICS = (
    ("Reciprocal Provision of Supplies and Services", Category.LOGISTICS),
    ("Mutual Logistics Support", Category.LOGISTICS),
    ("Fuel and Ammunition Resupply", Category.LOGISTICS),
    ("Port Access and Ship Repair", Category.LOGISTICS),
    ("Airlift and Air-to-Air Refuelling", Category.LOGISTICS),
    ("Co-development of Unmanned Ground Vehicles", Category.DEFENCE_INDUSTRIAL),
    ("Co-production of Naval Radar Antennas", Category.DEFENCE_INDUSTRIAL),
    ("Transfer of Defence Equipment and Technology", Category.DEFENCE_INDUSTRIAL),
    ("Jet Engine Co-development", Category.DEFENCE_INDUSTRIAL),
    ("Submarine Maintenance and Overhaul", Category.DEFENCE_INDUSTRIAL),
    ("Artificial Intelligence for Situational Awareness", Category.TECHNOLOGY),
    ("Quantum-Secure Communications", Category.TECHNOLOGY),
    ("Hypersonic Materials Research", Category.TECHNOLOGY),
    ("Space Domain Awareness", Category.TECHNOLOGY),
    ("Semiconductor Supply Chain Security", Category.TECHNOLOGY),
    ("Maritime Security Dialogue", Category.SECURITY_DIALOGUE),
    ("Counter-Terrorism Cooperation", Category.SECURITY_DIALOGUE),
    ("Cyber Security Dialogue", Category.SECURITY_DIALOGUE),
    ("Nuclear Non-Proliferation Consultations", Category.SECURITY_DIALOGUE),
    ("Humanitarian Assistance and Disaster Relief", Category.EXERCISES_TRAINING),
    ("Joint Naval Exercises", Category.EXERCISES_TRAINING),
    ("Staff College Exchanges", Category.EXERCISES_TRAINING),
    ("Mountain Warfare Training", Category.EXERCISES_TRAINING),
    ("Peacekeeping Training", Category.EXERCISES_TRAINING),
    ("Exchange of Classified Information", Category.INFORMATION_SHARING),
    ("White Shipping Information", Category.INFORMATION_SHARING),
    ("Geospatial Intelligence Sharing", Category.INFORMATION_SHARING),
    ("Early Warning Data Exchange", Category.INFORMATION_SHARING),
    ("Hydrographic Survey Cooperation", Category.OTHER),
    ("Military Medicine and Field Hospitals", Category.OTHER),
    ("Veterans Affairs Cooperation", Category.OTHER),
    ("Defence Education and Languages", Category.OTHER),
)
QUALIFIERS = (
    "",
    "",
    "",
    "in the Indian Ocean",
    "in the Pacific",
    "in the Arctic",
    "in the Gulf of Aden",
    "for Coastal Surveillance",
    "for Peace Support Operations",
    "for Disaster Response",
    "for Training Areas",
    "(Phase II)",
    "(Revised)",
)
# Code names make rare words, as real files have, so searches can be specific.
CODE_SYLLABLES = (
    "al", "bar", "cor", "dan", "el", "far", "gal", "hor", "is", "jor", "kal", "lum",
    "mar", "nor", "or", "pel", "quin", "ros", "sol", "tar", "ul", "var", "wen", "zed",
)  # fmt: skip
SUBJECTS = (
    "Scope of services",
    "Reimbursement and pricing",
    "Liability and claims",
    "Customs and tax exemptions",
    "Jurisdiction over personnel",
    "Intellectual property",
    "Technology release approvals",
    "Third-party transfer",
    "Duration and termination",
    "Dispute settlement",
    "Security of information",
    "Environmental obligations",
    "Access to facilities",
    "Work share",
    "Financing",
    "Languages of the text",
)
PHRASES = (
    "The delegations reviewed the draft text article by article.",
    "Both sides agreed to exchange revised proposals before the next round.",
    "Legal experts will meet separately on the dispute settlement clause.",
    "The reimbursement formula remains the main open question.",
    "Progress was noted on customs procedures for visiting vessels.",
    "One delegation requested more time for inter-ministerial consultations.",
    "The chair circulated a compromise wording on liability.",
    "Technical annexes on fuel specifications were finalised.",
    "Parties welcomed the conclusion of the staff talks.",
    "The question of third-party transfers was referred to capitals.",
    "A joint working group on interoperability will be set up.",
    "Delegations discussed access to ports and airfields for resupply.",
    "Export licensing timelines were raised as a concern.",
    "The text on protection of classified information was agreed ad referendum.",
    "Further discussion is needed on the cost-sharing of joint exercises.",
    "Ministers instructed negotiators to conclude by the end of the year.",
    "The parties exchanged views on maritime domain awareness.",
    "Satellite data sharing arrangements were presented by the experts.",
    "Observers were briefed on the state of the negotiations.",
    "Work on the implementing arrangement will resume after the elections.",
)
OUTCOMES = (
    "Text of the preamble agreed.",
    "Open brackets reduced on the scope article.",
    "No progress; positions unchanged.",
    "Agreed to resume at expert level.",
    "Draft annex on logistics support accepted.",
    "Referred to ministers for a decision.",
    "Legal scrubbing of the text started.",
    "Signature date discussed but not fixed.",
    "Reimbursement rates to be recalculated.",
    "Consensus on dispute settlement reached.",
    "",
)
ACTIONS = (
    "Circulate the revised draft",
    "Send comments on the annex",
    "Confirm the date of the next round",
    "Prepare a costing of the proposal",
    "Consult the legal department",
    "Brief the minister",
    "Request the partner's position paper",
    "Translate the agreed text",
    "Draft the press release",
    "Arrange the signing ceremony",
)
POSITIONS = (
    "Supports the current draft.",
    "Wants a narrower scope.",
    "Insists on reciprocity.",
    "Can accept with minor changes.",
    "Needs parliamentary approval first.",
    "Proposes a phased approach.",
    "Opposes the clause as drafted.",
)
PLACES = (
    ("New Delhi", "India", "Asia/Kolkata"),
    ("Tokyo", "Japan", "Asia/Tokyo"),
    ("Canberra", "Australia", "Australia/Sydney"),
    ("Washington", "United States", "America/New_York"),
    ("Brussels", "Belgium", "Europe/Brussels"),
    ("Geneva", "Switzerland", "Europe/Zurich"),
    ("Singapore", "Singapore", "Asia/Singapore"),
    ("Jakarta", "Indonesia", "Asia/Jakarta"),
    ("Paris", "France", "Europe/Paris"),
    ("London", "United Kingdom", "Europe/London"),
    ("Nairobi", "Kenya", "Africa/Nairobi"),
    ("Brasília", "Brazil", "America/Sao_Paulo"),
    ("Seoul", "Republic of Korea", "Asia/Seoul"),
    ("Abu Dhabi", "United Arab Emirates", "Asia/Dubai"),
    ("", "", "UTC"),
)
MEETING_KINDS = (
    ("Working group on", MeetingLevel.WORKING_GROUP),
    ("Senior officials' talks on", MeetingLevel.SENIOR_OFFICIALS),
    ("Ministerial meeting on", MeetingLevel.MINISTERIAL),
    ("Video conference on", MeetingLevel.VIRTUAL),
    ("Summit on", MeetingLevel.SUMMIT),
    ("Plenary round on", MeetingLevel.MULTILATERAL),
)
PRIORITIES = (Priority.HIGH, Priority.NORMAL, Priority.NORMAL, Priority.LOW)
SIDE_ROLES = ("observer", "facilitator")
JOBS = ("Head of delegation", "Legal adviser", "Defence attaché")


def code_name(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def phrases(rng: random.Random, low: int, high: int) -> str:
    """Between ``low`` and ``high`` different phrases, as one text."""
    return " ".join(rng.sample(PHRASES, rng.randint(low, high)))
