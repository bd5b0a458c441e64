"""The timetable proposal (classes.timetable.engine.propose) for generated centres' weeks,
against the hand-written backtracking search it replaced, on the same input in the same run.

Each centre is generated from a fixed seed, so every run times the same input. Three cases,
one JSON line each:

- "ample": 20 teachers, each free 2-4 stretches a week of 2-5 hours; 30 courses of 60-120
  minutes, once or twice a week, some with preferred times, six held at the centre in one of
  three rooms. Every teacher has time for their courses.
- "overbooked": the same centre, but three teachers were each given two more courses of two
  hours twice a week (they replace the last six courses), more than their weeks hold. The old
  search stopped at its step budget here without knowing whether more could be placed.
- "large": a larger centre, 50 teachers, 100 courses, a fifth of them at the centre in one of
  ten rooms.
- "large_term": the large centre over a term of twelve weeks with two holidays, thirty days
  a teacher is away and twenty afternoons of extra free time: the proposal weighs the away
  dates and moves the classes they hit to another time that week (engine.makeups).

For each: the solver's median and slowest time, courses placed, the wishes' cost of its
timetable (engine.wishes_cost: lower is better) and whether it is proven best; the same for
the old search, whose cost is counted by the same function; and whether the issue's targets
are met (proven best in under a second for ample and overbooked; under two seconds, proven
or at the time limit, for large; never fewer courses placed than the old search).

The old search is read from the project's history (OLD_ENGINE_COMMIT) with git, not kept in
the code; without the history its fields are null. No database: only the engine is timed.
"""

import dataclasses
import json
import random
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

SEED = 20240901
# The last commit with the hand-written search (classes/timetable/engine.py).
OLD_ENGINE_COMMIT = "58807858bf5e3bf9498f0662deba062b09242850"
RUNS = 7
WARMUP = 1
STEP = 15
# Evening classes end by 21:30; the centre opens at 9:00.
OPENS, CLOSES = 9 * 60, 21 * 60 + 30
PREFERRED_WINDOWS = [(9 * 60, 12 * 60), (14 * 60, 17 * 60), (18 * 60 + 30, 21 * 60)]
# Overbooked teachers and how many extra courses of two hours, twice a week, each gets on
# top of its own: eight more hours, beyond what a short week of 2-4 stretches holds.
OVERBOOKED_TEACHERS = 3
EXTRA_COURSES_EACH = 2


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    teachers: int
    courses: int
    rooms: dict
    in_centre: int
    overbooked: bool = False
    target_ms: int = 1000
    must_be_proven: bool = True
    term_weeks: int = 0
    away_days: int = 0
    extra_afternoons: int = 0


CASES = (
    # A classroom, the hall, the computer room.
    Case("ample", teachers=20, courses=30, rooms={1: 12, 2: 20, 3: 30}, in_centre=6),
    Case("overbooked", teachers=20, courses=30, rooms={1: 12, 2: 20, 3: 30}, in_centre=6, overbooked=True),
    Case("large", teachers=50, courses=100, rooms=dict(enumerate([12, 12, 15, 15, 20, 20, 25, 30, 30, 40], start=1)),
         in_centre=20, target_ms=2000, must_be_proven=False),
    Case("large_term", teachers=50, courses=100, rooms=dict(enumerate([12, 12, 15, 15, 20, 20, 25, 30, 30, 40], start=1)),
         in_centre=20, target_ms=2000, must_be_proven=False, term_weeks=12, away_days=30, extra_afternoons=20),
)
# The term's holidays: (week, weekday).
HOLIDAYS = frozenset({(4, 0), (9, 3)})


def centre(case: Case):
    """(needs, free_time) of the case's generated centre."""
    from classes.timetable.engine import Interval, Need

    rng = random.Random(SEED)
    free_time = {}
    for teacher in range(case.teachers):
        days = sorted(rng.sample(range(7), rng.randint(2, 4)))
        stretches = []
        for day in days:
            length = rng.randint(4, 10) * 30
            start = rng.randrange(OPENS, CLOSES - length + 1, 30)
            stretches.append(Interval(day, start, start + length))
        free_time[teacher] = stretches

    # Every teacher teaches one course, some of them a second.
    teachers = list(range(case.teachers)) + rng.sample(range(case.teachers), case.courses - case.teachers)
    in_centre = set(rng.sample(range(case.courses), case.in_centre))
    needs = []
    for key, teacher in enumerate(teachers, start=1):
        seats = rng.choice([8, 10, 15, 20, 25]) if key - 1 in in_centre else 0
        needs.append(Need(
            key=key,
            teacher=teacher,
            sessions=rng.choice([1, 1, 2]),
            duration=rng.choice([60, 90, 120]),
            preferred=rng.choice(PREFERRED_WINDOWS) if rng.random() < 0.4 else None,
            seats=seats,
            room=rng.choice(list(case.rooms)) if seats and rng.random() < 0.5 else None,
        ))
    if case.overbooked:
        # The course count stays the same: the extra courses replace the last few ordinary ones.
        full = rng.sample(range(case.teachers), OVERBOOKED_TEACHERS)
        extra = [Need(key=case.courses - n, teacher=teacher, sessions=2, duration=120)
                 for n, teacher in enumerate(t for t in full for _ in range(EXTRA_COURSES_EACH))]
        needs = needs[:case.courses - len(extra)] + sorted(extra, key=lambda need: need.key)
    return needs, free_time


def term_weeks(case: Case, free_time):
    """The case's term: its holidays and, drawn from the same seed, its away days and extra afternoons."""
    from classes.timetable.engine import WHOLE_DAY, DatedChange, Interval, TermWeeks

    rng = random.Random(SEED + 1)
    changes = []
    for _ in range(case.away_days):
        teacher = rng.randrange(case.teachers)
        day = rng.choice(free_time[teacher]).weekday  # a day they teach, or it would change nothing
        changes.append(DatedChange(week=rng.randrange(case.term_weeks), teacher=teacher,
                                   interval=Interval(day, *WHOLE_DAY), away=True))
    for _ in range(case.extra_afternoons):
        changes.append(DatedChange(week=rng.randrange(case.term_weeks), teacher=rng.randrange(case.teachers),
                                   interval=Interval(rng.randrange(7), 14 * 60, 17 * 60), away=False))
    return TermWeeks(count=case.term_weeks, closed=HOLIDAYS if case.term_weeks else frozenset(), changes=tuple(changes))


def old_engine():
    """The hand-written search as it was at OLD_ENGINE_COMMIT, or None without the history."""
    try:
        source = subprocess.run(
            ["git", "show", f"{OLD_ENGINE_COMMIT}:classes/timetable/engine.py"],
            cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("timetable_engine_before_the_solver")
    # Its dataclasses look their module up by name while they are made.
    sys.modules[module.__name__] = module
    exec(compile(source, "old-engine.py", "exec"), module.__dict__)
    return module


def _timed(function) -> tuple[list[float], object]:
    for _ in range(WARMUP):
        result = function()
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


def _old_run(old, needs, free_time, rooms):
    """The old search on the same centre, its placements as the new engine's."""
    from classes.timetable.engine import Placement

    old_needs = [old.Need(**dataclasses.asdict(need)) for need in needs]
    old_free = {teacher: [old.Interval(**dataclasses.asdict(s)) for s in stretches] for teacher, stretches in free_time.items()}
    samples, proposal = _timed(lambda: old.propose(needs=old_needs, free_time=old_free, rooms=rooms, step=STEP))
    return samples, proposal.complete, [Placement(**dataclasses.asdict(p)) for p in proposal.placements]


def run(*, out) -> None:
    from classes.timetable.engine import propose, wishes_cost

    old = old_engine()
    for case in CASES:
        needs, free_time = centre(case)
        weeks = term_weeks(case, free_time)
        by_key = {need.key: need for need in needs}
        samples, proposal = _timed(
            lambda: propose(needs=needs, free_time=free_time, rooms=case.rooms, step=STEP, weeks=weeks)
        )
        placed = len({p.need for p in proposal.placements})
        line = {
            "bench": "timetable_proposal", "case": case.name, "courses": len(needs), "teachers": len(free_time),
            "rooms": len(case.rooms), "runs": RUNS,
            "median_ms": round(statistics.median(samples), 1), "max_ms": round(max(samples), 1),
            "placed": placed, "objective": proposal.objective, "proven": proposal.proven,
            "weeks": weeks.count, "classes_moved": sum(1 for m in proposal.makeups if m.moved_to),
            "classes_missed": sum(1 for m in proposal.makeups if not m.moved_to),
            "baseline": f"the hand-written backtracking search ({OLD_ENGINE_COMMIT[:7]})",
            "old_median_ms": None, "old_placed": None, "old_objective": None, "old_complete": None, "ratio": None,
        }
        if old is not None:
            old_samples, complete, old_placements = _old_run(old, needs, free_time, case.rooms)
            line.update({
                "old_median_ms": round(statistics.median(old_samples), 1),
                "old_placed": len({p.need for p in old_placements}),
                "old_objective": wishes_cost(old_placements, by_key, weeks), "old_complete": complete,
                "ratio": round(statistics.median(samples) / statistics.median(old_samples), 2),
            })
        line["target_ms"] = case.target_ms
        line["target_met"] = (
            max(samples) < case.target_ms
            and (proposal.proven or not case.must_be_proven)
            and (line["old_placed"] is None or placed >= line["old_placed"])
        )
        out.write(json.dumps(line) + "\n")
