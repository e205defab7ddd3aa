"""The story the demo history tells on the HR dashboard (issue 8): who takes part, who waits, which skills
are short and who carries the load. Weights are shares of people, dealt out exactly rather than drawn at
random (demo.people.deal), so that at the default size (60 mentors, 240 employees) every group has at least
5 people and is shown.
"""

from marketplace.models import JobLevel

# Departments: (share of employees, share of mentors, how keen its people are to book help). Operations
# works in shifts on the floor and rarely books; Legal a little more; People champions the programme.
DEPARTMENT_STORY: dict[str, tuple[int, int, float]] = {
    "Engineering": (20, 22, 1.0),
    "Product": (8, 12, 1.1),
    "Design": (6, 8, 1.0),
    "Data": (7, 9, 1.0),
    "Sales": (13, 8, 0.9),
    "Customer Success": (10, 7, 0.9),
    "Marketing": (8, 8, 1.0),
    "Finance": (6, 6, 0.8),
    "People": (5, 8, 1.2),
    "Operations": (13, 3, 0.3),
    "Legal": (4, 4, 0.6),
}
DEPARTMENTS = tuple(DEPARTMENT_STORY)
# Job levels: (share of employees, share of mentors, keenness). Mentors are mostly senior; juniors book most.
LEVEL_STORY: dict[str, tuple[int, int, float]] = {
    JobLevel.ASSOCIATE: (22, 2, 1.3),
    JobLevel.PROFESSIONAL: (30, 12, 1.15),
    JobLevel.SENIOR: (22, 28, 1.0),
    JobLevel.LEAD: (10, 24, 0.8),
    JobLevel.MANAGER: (11, 20, 0.7),
    JobLevel.DIRECTOR: (5, 14, 0.4),
}
# Time zones on several continents, both hemispheres, and offsets that are not whole hours: (share of
# employees, share of mentors). Asia-Pacific has half the mentors its headcount would call for.
ZONE_STORY: dict[str, tuple[int, int]] = {
    "Europe/London": (12, 16),
    "Europe/Berlin": (12, 16),
    "America/New_York": (12, 16),
    "America/Los_Angeles": (8, 12),
    "America/Sao_Paulo": (5, 6),
    "Asia/Kolkata": (10, 5),
    "Asia/Tokyo": (6, 3),
    "Asia/Singapore": (8, 4),
    "Australia/Sydney": (6, 3),
    "Pacific/Auckland": (4, 2),
    "Africa/Johannesburg": (4, 4),
}
DEMO_TIMEZONES = tuple(ZONE_STORY)
# Where mentors are scarce people wait longer for help and more of their requests expire (demo.requests).
ZONES_SHORT_OF_MENTORS = frozenset(
    zone for zone, (employees, mentors) in ZONE_STORY.items() if 2 * mentors <= employees
)
# Share of employees who ever book help, before department and level keenness; the rest never do.
KEEN_SHARE = 0.6
MOST_KEEN_SHARE = 0.95
KEEN_BOOKING_WEIGHTS = (1, 1, 2, 3)  # how often a keen person books, relative to other keen people

# Skills asked for far more than they are offered (a few experts, always busy), and skills many offer and few
# ask for. Demand and supply weights of every other skill are 1.
SCARCE_SKILLS = (
    "system-design",
    "machine-learning",
    "kubernetes",
    "salary-negotiation",
    "difficult-conversations",
)
PLENTIFUL_SKILLS = (
    "public-speaking",
    "storytelling",
    "time-management",
    "spreadsheet-modelling",
    "design-systems",
    "vendor-management",
    "writing-user-stories",
    "building-a-network",
)
SCARCE_DEMAND, SCARCE_SUPPLY = 5.0, 0.1
PLENTIFUL_DEMAND, PLENTIFUL_SUPPLY = 0.15, 3.0
# Mentors in demand: the experts in scarce skills, booked close to their weekly cap every week.
IN_DEMAND_MENTOR_SHARE = 0.05
IN_DEMAND_SCARCE_SKILLS = 2
IN_DEMAND_CAPS = (180, 240)


def skill_demand(slug: str) -> float:
    """How often requests ask for a skill, relative to an ordinary one (the story's skill gaps)."""
    if slug in SCARCE_SKILLS:
        return SCARCE_DEMAND
    return PLENTIFUL_DEMAND if slug in PLENTIFUL_SKILLS else 1.0


def skill_supply(slug: str) -> float:
    """How often mentors offer a skill, relative to an ordinary one."""
    if slug in SCARCE_SKILLS:
        return SCARCE_SUPPLY
    return PLENTIFUL_SUPPLY if slug in PLENTIFUL_SKILLS else 1.0


# When people joined Sidebar (demo.joins): most at the launch, this many weeks before the history begins;
# the others over the history, as the programme is adopted. Nobody's first session, request or moment comes
# before they joined.
JOINED_AT_LAUNCH_SHARE = 0.7
LAUNCH_WEEKS_BEFORE_HISTORY = 4
