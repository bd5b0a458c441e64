"""The timetable proposal (classes.scheduling.propose) for a generated centre's week.

The centre is generated from a fixed seed, so every run times the same input: 20
teachers, each free 2-4 stretches a week of 2-5 hours; 30 courses of 60-120 minutes,
once or twice a week, some with preferred times, a few held at the centre in one of
three rooms. Two cases, one JSON line each:

- "ample": every teacher has time for their courses (all 30 are placed with this seed).
- "overbooked": the same centre, but three teachers were each given two more courses of
  two hours twice a week (they replace the last six courses), more than some of their
  weeks hold, so a few courses cannot be placed (27 of 30 with this seed). Proving that
  no timetable places more is the slow part: the search of independent groups one by one
  keeps it to the groups of those teachers, and the step budget (per group) bounds each;
  "complete" and "steps" say whether it ran out.

Baseline, on the same input in the same run: a greedy first fit written here, which
takes each course in turn and gives each session the first free quarter-hour (and the
first room large enough) that clashes with nothing taken so far: no backtracking, no
wishes. It shows what the search costs over the simplest thing that could work, and
how many courses that simplest thing would leave out.

No database: it only needs the scheduling module.
"""

import json
import random
import statistics
import time

SEED = 20240901
TEACHERS = 20
COURSES = 30
ROOMS = {1: 12, 2: 20, 3: 30}  # a classroom, the hall, the computer room
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


def centre(*, overbooked: bool):
    """(needs, free_time): the same teachers and free time in both cases."""
    from classes.timetable.engine import Interval, Need

    rng = random.Random(SEED)
    free_time = {}
    for teacher in range(TEACHERS):
        days = sorted(rng.sample(range(7), rng.randint(2, 4)))
        stretches = []
        for day in days:
            length = rng.randint(4, 10) * 30
            start = rng.randrange(OPENS, CLOSES - length + 1, 30)
            stretches.append(Interval(day, start, start + length))
        free_time[teacher] = stretches

    # Every teacher teaches one course, a third of them a second.
    teachers = list(range(TEACHERS)) + rng.sample(range(TEACHERS), COURSES - TEACHERS)
    in_centre = set(rng.sample(range(COURSES), 6))
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
            room=rng.choice(list(ROOMS)) if seats and rng.random() < 0.5 else None,
        ))
    if overbooked:
        # The course count stays at 30: the extra courses replace the last few ordinary ones.
        full = rng.sample(range(TEACHERS), OVERBOOKED_TEACHERS)
        extra = [Need(key=COURSES - n, teacher=teacher, sessions=2, duration=120)
                 for n, teacher in enumerate(t for t in full for _ in range(EXTRA_COURSES_EACH))]
        needs = needs[:COURSES - len(extra)] + sorted(extra, key=lambda need: need.key)
    return needs, free_time


def _busy(busy: list, who: int, day: int, start: int, end: int) -> bool:
    return any(b == who and d == day and s < end and start < e for b, d, s, e in busy)


def greedy_first_fit(*, needs, free_time, rooms, step):
    """The baseline: each course in key order, each session the first place that is free."""
    teacher_busy, room_busy, placed = [], [], {}
    for need in needs:
        taken = []
        for _ in range(need.sessions):
            found = None
            for stretch in sorted(free_time.get(need.teacher, []), key=lambda s: (s.weekday, s.start)):
                day = stretch.weekday
                if found or day in {taken_day for taken_day, _, _, _ in taken}:
                    continue
                for start in range(-(-stretch.start // step) * step, stretch.end - need.duration + 1, step):
                    end = start + need.duration
                    if _busy(teacher_busy, need.teacher, day, start, end):
                        continue
                    room = None
                    if need.seats:
                        room = next((r for r, capacity in sorted(rooms.items())
                                     if capacity >= need.seats and not _busy(room_busy, r, day, start, end)), None)
                        if room is None:
                            continue
                    found = (day, start, end, room)
                    break
            if not found:
                break
            taken.append(found)
            teacher_busy.append((need.teacher, *found[:3]))
            if found[3] is not None:
                room_busy.append((found[3], *found[:3]))
        if len(taken) == need.sessions:
            placed[need.key] = taken
        else:
            for day, start, end, room in taken:
                teacher_busy.remove((need.teacher, day, start, end))
                if room is not None:
                    room_busy.remove((room, day, start, end))
    return placed


def _timed(function) -> tuple[list[float], object]:
    for _ in range(WARMUP):
        result = function()
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


def run(*, out) -> None:
    from classes.timetable.engine import propose

    for case in ("ample", "overbooked"):
        needs, free_time = centre(overbooked=case == "overbooked")
        baseline, first_fit = _timed(lambda: greedy_first_fit(needs=needs, free_time=free_time, rooms=ROOMS,
                                                              step=STEP))
        samples, proposal = _timed(lambda: propose(needs=needs, free_time=free_time, rooms=ROOMS, step=STEP))
        median_ms, baseline_ms = statistics.median(samples), statistics.median(baseline)
        out.write(json.dumps({
            "bench": "timetable_proposal", "case": case, "courses": len(needs), "teachers": len(free_time),
            "median_ms": round(median_ms, 2), "max_ms": round(max(samples), 2), "runs": RUNS,
            "placed": len({p.need for p in proposal.placements}), "complete": proposal.complete,
            "steps": proposal.steps,
            "baseline": "greedy first fit, no backtracking", "baseline_median_ms": round(baseline_ms, 2),
            "baseline_placed": len(first_fit), "ratio": round(median_ms / baseline_ms, 2),
        }) + "\n")
