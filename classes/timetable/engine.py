"""The timetable proposal: a pure function from what courses need and when teachers
are free to a weekly placement of every course, with no database and no clock.

Hard rules: a session lies inside its teacher's free time and starts on the step grid;
a teacher never teaches two sessions at once; a room never holds two sessions at once
and is large enough; one course's sessions fall on different days.

What is best: the most courses placed, and among the timetables that place that many,
the one that best meets the soft wishes, weighed against one another in this order: the
course's preferred times, its preferred room, no class on a date its teacher is away,
days spread apart, earlier rather than later.

The proposal is a constraint model solved by OR-Tools' CP-SAT: one yes/no choice for
every (day, start, room) a session could take, at most one a day per course, and at
any moment at most one session per teacher and per room. The solver says whether the
timetable it returns is proven best or the time limit ran out first. A course it cannot
place gets the reason read off the model: its teacher's free time alone rules it out
(no free time, too short, too few days, no room large enough), or the courses placed
at the times it could use leave it none, named from the solver's own proof.

A class the weekly timetable would put where its teacher is away on some date is moved,
for that week only, to another time the teacher is free that week, their extra free
time for that date included: `makeups`."""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
import types
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby

def _loaded_when_first_used(name: str) -> types.ModuleType:
    """The module `name`, its code run when one of its attributes is first read (the standard
    library's importlib.util.LazyLoader) rather than when it is imported."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# OR-Tools' CP-SAT brings numpy and pandas and takes about half a second to load. Every Django
# process imports this module (Wagtail's hooks import the planner's views at start-up: the web
# server, the worker, each manage.py command), and few of them ever propose a timetable, so the
# solver is loaded by the first proposal.
cp_model = _loaded_when_first_used("ortools.sat.python.cp_model")
# Python 3.11's lazy module has no lock of its own: while one request thread loads it, another
# would read a half-loaded module. Proposals and week changes load it under this lock first.
_FIRST_USE = threading.Lock()


def _solver_loaded() -> None:
    with _FIRST_USE:
        cp_model.OPTIMAL  # reading an attribute is what loads the module


# A quarter of an hour: fine enough for real timetables, coarse enough to solve fast.
DEFAULT_STEP_MINUTES = 15
# The planner waits this long at most (settings.TIMETABLE_SOLVER_SECONDS); a centre's term
# is proven best in well under a second, so the limit is only met by a very large centre.
DEFAULT_TIME_LIMIT_SECONDS = 2.0
# One search worker and a fixed seed: the same centre always gets the same timetable
# (CP-SAT's parallel portfolio would race its workers and could answer differently).
SOLVER_WORKERS = 1
SOLVER_SEED = 20240901
# The soft wishes' weights, in their order: an hour outside the preferred times (60,000, every
# week) outweighs another room (30,000, every week), which outweighs one class on a date its
# teacher is away (25,000: that week's class is moved, the others keep their time), which
# outweighs two sessions on neighbouring days (20,000); a minute later in the day (1) only
# breaks ties. So one away date never moves a course out of its preferred times all term.
COST_PER_MINUTE_OUTSIDE_PREFERRED = 1_000
COST_OTHER_ROOM = 30_000
COST_PER_CLASS_ON_AN_AWAY_DATE = 25_000
COST_NEXT_DAY = 20_000
COST_PER_MINUTE_OF_DAY = 1
WHOLE_DAY = (0, 24 * 60)
# A group solved after the time limit is spent still gets this long for a first timetable.
MIN_SOLVE_SECONDS = 0.05


@dataclass(frozen=True)
class Interval:
    weekday: int
    start: int  # minutes after midnight
    end: int

    def overlaps(self, other: Interval) -> bool:
        return self.weekday == other.weekday and self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Need:
    """What one course needs each week."""

    key: int
    teacher: int
    sessions: int
    duration: int
    preferred: tuple[int, int] | None = None  # minutes after midnight
    seats: int = 0  # learners at the centre; 0 when the course is online only
    room: int | None = None  # the room it would like

    @property
    def needs_room(self) -> bool:
        return self.seats > 0


@dataclass(frozen=True)
class Placement:
    need: int
    weekday: int
    start: int
    end: int
    room: int | None = None

    @property
    def interval(self) -> Interval:
        return Interval(self.weekday, self.start, self.end)


@dataclass(frozen=True)
class DatedChange:
    """A teacher's free time on one date of the term, as it differs from their weekly free time."""

    week: int  # 0 for the term's first week (the week of its first day)
    teacher: int
    interval: Interval  # the day of that week and the times; WHOLE_DAY when away all day
    away: bool  # True: away then; False: extra free time


@dataclass(frozen=True)
class TermWeeks:
    """The term's weeks, for what happens on dates rather than every week."""

    count: int = 0
    # (week, weekday) on which no class is held: holidays, and days before or after the term.
    closed: frozenset[tuple[int, int]] = frozenset()
    changes: tuple[DatedChange, ...] = ()

    def away(self, teacher: int, week: int, interval: Interval) -> bool:
        """Whether the teacher is away for some of this interval in that week."""
        return any(
            change.away and change.teacher == teacher and change.week == week and change.interval.overlaps(interval)
            for change in self.changes
        )

    def open(self, week: int, weekday: int) -> bool:
        return 0 <= week < self.count and (week, weekday) not in self.closed


class Blocked:
    """Why a course could not be placed; the codes are turned into sentences by the caller."""

    NO_FREE_TIME = "no_free_time"  # the teacher has given no free time
    TOO_SHORT = "too_short"  # no free stretch is as long as one class
    TOO_FEW_DAYS = "too_few_days"  # free on fewer days than classes a week
    NO_ROOM = "no_room"  # no room is large enough
    TAKEN = "taken"  # there is time, but other courses use it (same teacher, or every room)


@dataclass(frozen=True)
class Reason:
    code: str
    # The placed courses whose places leave no room for this one (TAKEN only).
    blocked_by: tuple[int, ...] = ()
    # TOO_SHORT: the longest free stretch; TOO_FEW_DAYS: how many days; NO_ROOM: the largest room.
    value: int = 0


@dataclass(frozen=True)
class MakeUp:
    """One week's class of a course, moved because its teacher is away at the weekly time."""

    need: int
    week: int
    missed: Placement  # the weekly time that week's class leaves
    moved_to: Placement | None  # None: the teacher is free at no other time that week


@dataclass
class Proposal:
    placements: list[Placement] = field(default_factory=list)
    unplaced: dict[int, Reason] = field(default_factory=dict)
    # True when the solver proved that no timetable is better; False when the time limit ran out first.
    proven: bool = True
    # The soft wishes' cost of the placements (wishes_cost): lower is better.
    objective: int = 0
    makeups: list[MakeUp] = field(default_factory=list)


@dataclass(frozen=True)
class _Option:
    """One place a session of a need could take, with what it costs by the wishes."""

    weekday: int
    start: int
    end: int
    room: int | None
    cost: int

    @property
    def interval(self) -> Interval:
        return Interval(self.weekday, self.start, self.end)


def _grid_start(minute: int, step: int) -> int:
    """The first step boundary at or after minute."""
    return -(-minute // step) * step


def _merge(free: list[Interval]) -> list[Interval]:
    """Touching or overlapping stretches of one day become one."""
    merged: list[Interval] = []
    for stretch in sorted(free, key=lambda s: (s.weekday, s.start)):
        last = merged[-1] if merged else None
        if last and last.weekday == stretch.weekday and stretch.start <= last.end:
            merged[-1] = Interval(last.weekday, last.start, max(last.end, stretch.end))
        else:
            merged.append(stretch)
    return merged


def _subtract(free: list[Interval], away: list[Interval]) -> list[Interval]:
    """The free stretches with the away ones cut out."""
    left = list(free)
    for gone in away:
        cut = []
        for stretch in left:
            if not stretch.overlaps(gone):
                cut.append(stretch)
                continue
            if stretch.start < gone.start:
                cut.append(Interval(stretch.weekday, stretch.start, gone.start))
            if gone.end < stretch.end:
                cut.append(Interval(stretch.weekday, gone.end, stretch.end))
        left = cut
    return left


def _away_weeks(teacher: int, interval: Interval, weeks: TermWeeks) -> int:
    """In how many weeks of the term the teacher is away for some of this weekly time."""
    return sum(
        1 for week in range(weeks.count) if weeks.open(week, interval.weekday) and weeks.away(teacher, week, interval)
    )


def _place_cost(need: Need, interval: Interval, room: int | None, weeks: TermWeeks) -> int:
    cost = COST_PER_MINUTE_OF_DAY * interval.start
    if need.preferred:
        outside = max(0, need.preferred[0] - interval.start) + max(0, interval.end - need.preferred[1])
        cost += COST_PER_MINUTE_OUTSIDE_PREFERRED * outside
    if room != need.room and need.needs_room:
        cost += COST_OTHER_ROOM
    return cost + COST_PER_CLASS_ON_AN_AWAY_DATE * _away_weeks(need.teacher, interval, weeks)


def _options(
    need: Need, free: list[Interval], rooms: dict[int, int], step: int, weeks: TermWeeks = TermWeeks()
) -> list[_Option]:
    """Every (day, start, room) where one session of the need could go."""
    fitting_rooms = sorted(room for room, capacity in rooms.items() if capacity >= need.seats) if need.needs_room else [None]
    return [
        _Option(stretch.weekday, start, start + need.duration, room,
                _place_cost(need, Interval(stretch.weekday, start, start + need.duration), room, weeks))
        for stretch in free
        for start in range(_grid_start(stretch.start, step), stretch.end - need.duration + 1, step)
        for room in fitting_rooms
    ]


def wishes_cost(placements: list[Placement], needs: dict[int, Need], weeks: TermWeeks = TermWeeks()) -> int:
    """What the placements cost by the soft wishes (the proposal's objective below the placed count)."""
    cost = sum(_place_cost(needs[p.need], p.interval, p.room, weeks) for p in placements)
    days: dict[int, set[int]] = defaultdict(set)
    for placement in placements:
        days[placement.need].add(placement.weekday)
    return cost + sum(COST_NEXT_DAY for taken in days.values() for day in taken if day + 1 in taken)


def unplaceable_reason(
    *, need: Need, free_time: dict[int, list[Interval]], rooms: dict[int, int], step: int = DEFAULT_STEP_MINUTES
) -> Reason | None:
    """Why the need could not be placed even in an empty timetable, or None if it could."""
    free = _merge(free_time.get(need.teacher, []))
    return _alone_reason(need, free, rooms, _options(need, free, rooms, step), step)


def _alone_reason(
    need: Need, free: list[Interval], rooms: dict[int, int], options: list[_Option], step: int
) -> Reason | None:
    if not free:
        return Reason(Blocked.NO_FREE_TIME)
    if not options and need.needs_room and not any(capacity >= need.seats for capacity in rooms.values()):
        return Reason(Blocked.NO_ROOM, value=max(rooms.values(), default=0))
    if not options:
        # What is usable of each stretch once classes start on the grid (09:05–10:05 holds no 60-minute class).
        longest = max(s.end - _grid_start(s.start, step) for s in free)
        return Reason(Blocked.TOO_SHORT, value=max(longest, 0))
    days = len({o.weekday for o in options})
    if days < need.sessions:
        return Reason(Blocked.TOO_FEW_DAYS, value=days)
    return None


# ------------------------------------------------------------------ the model


def _solver(time_limit: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = SOLVER_WORKERS
    solver.parameters.random_seed = SOLVER_SEED
    return solver


class _Occupancy:
    """Who and what a choice of the model would occupy, so that overlaps can be forbidden.

    The sessions that take a teacher (or a room) on one day are intervals, and two intervals
    overlap exactly when one of them holds the other's start. So "at most one chosen at each
    start point" forbids every overlap, with one constraint a start point instead of one a pair."""

    def __init__(self, model):
        self.model = model
        self.users: dict[tuple[str, int, int], list[tuple[int, int, object]]] = defaultdict(list)

    def add(self, *, teacher: int, option: _Option, choice) -> None:
        self.users[("teacher", teacher, option.weekday)].append((option.start, option.end, choice))
        if option.room is not None:
            self.users[("room", option.room, option.weekday)].append((option.start, option.end, choice))

    def forbid_overlaps(self) -> None:
        for users in self.users.values():
            for point in sorted({start for start, _end, _choice in users}):
                holding = [choice for start, end, choice in users if start <= point < end]
                if len(holding) > 1:
                    self.model.AddAtMostOne(holding)


def _solve_placements(
    needs: list[Need], options: dict[int, list[_Option]], time_limit: float
) -> tuple[dict[int, list[_Option]], bool]:
    """The chosen options of every placed need, and whether that is proven best."""
    model = cp_model.CpModel()
    occupancy = _Occupancy(model)
    placed, chosen, costs = {}, {}, []
    wish_bound = 0
    for need in needs:
        placed[need.key] = model.NewBoolVar(f"placed_{need.key}")
        chosen[need.key] = []
        by_day: dict[int, list] = defaultdict(list)
        for index, option in enumerate(options[need.key]):
            choice = model.NewBoolVar(f"n{need.key}_o{index}")
            chosen[need.key].append((option, choice))
            by_day[option.weekday].append(choice)
            occupancy.add(teacher=need.teacher, option=option, choice=choice)
            costs.append((option.cost, choice))
        model.Add(sum(choice for _option, choice in chosen[need.key]) == need.sessions * placed[need.key])
        used = {}
        for day, choices in by_day.items():
            used[day] = model.NewBoolVar(f"n{need.key}_d{day}")
            model.Add(sum(choices) == used[day])  # at most one session a day, and whether there is one
        if need.sessions > 1:
            for day in used:
                if day + 1 in used:
                    both = model.NewBoolVar(f"n{need.key}_next{day}")
                    model.AddBoolOr([used[day].Not(), used[day + 1].Not(), both])
                    costs.append((COST_NEXT_DAY, both))
        wish_bound += need.sessions * (max(o.cost for o in options[need.key]) + COST_NEXT_DAY)
    occupancy.forbid_overlaps()

    # A course placed outweighs everything the wishes can add up to, so no wish is ever met
    # by leaving a course out.
    placed_weight = wish_bound + 1
    model.Minimize(sum(cost * choice for cost, choice in costs) - placed_weight * sum(placed.values()))
    solver = _solver(time_limit)
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}, False  # not even a first timetable within the limit
    result = {
        key: [option for option, choice in pairs if solver.BooleanValue(choice)]
        for key, pairs in chosen.items()
        if solver.BooleanValue(placed[key])
    }
    return result, status == cp_model.OPTIMAL


class _Taken:
    """The placed courses by the teacher and the room they take on each day, for asking which
    of them a session at some time would run into."""

    def __init__(self, placements: list[Placement], teacher_of: dict[int, int]):
        self.by_day: dict[tuple[str, int | None, int], list[Placement]] = defaultdict(list)
        for placement in placements:
            self.by_day[("teacher", teacher_of[placement.need], placement.weekday)].append(placement)
            if placement.room is not None:
                self.by_day[("room", placement.room, placement.weekday)].append(placement)

    def conflicts(self, need: Need, option: _Option) -> set[int]:
        """The placed courses that take this option's teacher or room at its time."""
        keys = [("teacher", need.teacher, option.weekday)]
        if option.room is not None:
            keys.append(("room", option.room, option.weekday))
        wanted = option.interval
        return {
            placement.need for key in keys for placement in self.by_day.get(key, ()) if placement.interval.overlaps(wanted)
        }


def _fits_beside(need: Need, options: list[_Option], conflicts: list[set[int]], kept: set[int]):
    """Options of one need that fit beside the placed courses in `kept` (one a day) and no
    names; or None and the placed courses the solver's proof that nothing fits rests on.

    That each of those courses stays where it is are the model's assumptions, so the solver
    can say which of them its proof of infeasibility used."""
    model = cp_model.CpModel()
    stays = {key: model.NewBoolVar(f"stays_{key}") for key in sorted(set().union(*conflicts) if conflicts else set())}
    choices = [model.NewBoolVar(f"o{index}") for index in range(len(options))]
    by_day: dict[int, list] = defaultdict(list)
    for option, choice, blockers in zip(options, choices, conflicts):
        by_day[option.weekday].append(choice)
        for key in blockers:
            model.AddBoolOr([choice.Not(), stays[key].Not()])
    for day_choices in by_day.values():
        model.AddAtMostOne(day_choices)
    model.Add(sum(choices) == need.sessions)
    model.AddAssumptions([stays[key] for key in sorted(stays) if key in kept])
    for key in sorted(stays):
        if key not in kept:
            model.Add(stays[key] == 0)
    solver = _solver(DEFAULT_TIME_LIMIT_SECONDS)
    status = solver.Solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [option for option, choice in zip(options, choices) if solver.BooleanValue(choice)], set()
    by_index = {stays[key].Index(): key for key in stays}
    return None, {by_index[index] for index in solver.SufficientAssumptionsForInfeasibility()}


def _blockers(need: Need, options: list[_Option], placements: list[Placement], teacher_of: dict[int, int]):
    """Either the options that place the need beside the placements, or the placed courses
    that together leave it no time: those the solver's proof used, then trimmed until each
    one left is needed (without it, the need would fit)."""
    taken = _Taken(placements, teacher_of)
    conflicts = [taken.conflicts(need, option) for option in options]
    fitting, needed = _fits_beside(need, options, conflicts, {p.need for p in placements})
    if fitting is not None:
        return fitting, ()
    for key in sorted(needed):
        without = needed - {key}
        if _fits_beside(need, options, conflicts, without)[0] is None:
            needed = without
    return None, tuple(sorted(needed))


def _independent_groups(needs: list[Need]) -> list[list[Need]]:
    """Needs linked by a shared teacher, or by both needing a room, end up in one group."""
    parent = {need.key: need.key for need in needs}

    def root(key: int) -> int:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    first_of_teacher: dict[int, int] = {}
    first_with_room = None
    for need in needs:
        links = [first_of_teacher.setdefault(need.teacher, need.key)]
        if need.needs_room:
            first_with_room = first_with_room if first_with_room is not None else need.key
            links.append(first_with_room)
        for other in links:
            parent[root(need.key)] = root(other)
    groups: dict[int, list[Need]] = {}
    for need in needs:
        groups.setdefault(root(need.key), []).append(need)
    return list(groups.values())


def propose(
    *,
    needs: list[Need],
    free_time: dict[int, list[Interval]],
    rooms: dict[int, int],
    step: int = DEFAULT_STEP_MINUTES,
    time_limit: float = DEFAULT_TIME_LIMIT_SECONDS,
    weeks: TermWeeks = TermWeeks(),
) -> Proposal:
    """Place every need in its teacher's free time (see the module docstring).

    free_time maps a teacher to their weekly free stretches; rooms maps a room to its
    capacity; weeks holds the term's dates: its holidays and the teachers' away days and
    extra free time."""
    _solver_loaded()
    proposal = Proposal()
    options: dict[int, list[_Option]] = {}
    searchable = []
    for need in needs:
        free = _merge(free_time.get(need.teacher, []))
        options[need.key] = _options(need, free, rooms, step, weeks)
        reason = _alone_reason(need, free, rooms, options[need.key], step)
        if reason:
            proposal.unplaced[need.key] = reason
        else:
            searchable.append(need)

    # Courses that share no teacher and no room cannot affect each other, so each group is
    # solved on its own: a hard corner of one never slows down the others, and a group of
    # one teacher's two courses is proven best at once. The time limit is for all of them.
    deadline = time.monotonic() + time_limit
    chosen: dict[int, list[_Option]] = {}
    for group in _independent_groups(searchable):
        group_chosen, proven = _solve_placements(group, options, max(deadline - time.monotonic(), MIN_SOLVE_SECONDS))
        chosen.update(group_chosen)
        proposal.proven = proposal.proven and proven
    for key, taken in sorted(chosen.items()):
        proposal.placements.extend(Placement(key, o.weekday, o.start, o.end, o.room) for o in taken)
    teacher_of = {need.key: need.teacher for need in needs}
    for need in searchable:
        if need.key in chosen:
            continue
        fitting, blocked_by = _blockers(need, options[need.key], proposal.placements, teacher_of)
        if fitting is not None:
            # Only when the time limit cut the search short: a course that still fits is placed.
            proposal.placements.extend(Placement(need.key, o.weekday, o.start, o.end, o.room) for o in fitting)
        else:
            proposal.unplaced[need.key] = Reason(Blocked.TAKEN, blocked_by=blocked_by)
    proposal.placements.sort(key=lambda p: (p.weekday, p.start, p.need))
    by_key = {need.key: need for need in needs}
    proposal.objective = wishes_cost(proposal.placements, by_key, weeks)
    proposal.makeups = makeups(
        placements=proposal.placements, needs=by_key, free_time=free_time, rooms=rooms, weeks=weeks, step=step
    )
    return proposal


# ------------------------------------------------------------------ weeks that differ


def makeups(
    *,
    placements: list[Placement],
    needs: dict[int, Need],
    free_time: dict[int, list[Interval]],
    rooms: dict[int, int],
    weeks: TermWeeks,
    step: int = DEFAULT_STEP_MINUTES,
) -> list[MakeUp]:
    """For every class the weekly times put where its teacher is away on that date, another
    time that week: in the teacher's free time of that week (weekly or extra, less what they
    are away), on a day the course does not already meet that week and that is not closed,
    clashing with no class held that week. As many as can be are moved; among those ways,
    the times nearest the weekly ones, in the same room."""
    _solver_loaded()
    found = []
    for week in range(weeks.count):
        held, missed = [], []
        for placement in placements:
            if not weeks.open(week, placement.weekday):
                continue
            if weeks.away(needs[placement.need].teacher, week, placement.interval):
                missed.append(placement)
            else:
                held.append(placement)
        if missed:
            found.extend(_week_makeups(week, held, missed, needs, free_time, rooms, weeks, step))
    return found


def _free_that_week(teacher: int, week: int, weekday: int, free_time, weeks: TermWeeks) -> list[Interval]:
    changes = [c for c in weeks.changes if c.teacher == teacher and c.week == week and c.interval.weekday == weekday]
    weekly = [s for s in free_time.get(teacher, []) if s.weekday == weekday]
    free = _merge(weekly + [c.interval for c in changes if not c.away])
    return _subtract(free, [c.interval for c in changes if c.away])


def _week_makeups(week, held, missed, needs, free_time, rooms, weeks, step) -> list[MakeUp]:
    model = cp_model.CpModel()
    occupancy = _Occupancy(model)
    held_taken = _Taken(held, {key: need.teacher for key, need in needs.items()})
    candidates, moved, costs = [], [], []
    for placement in missed:
        need = needs[placement.need]
        meets = {p.weekday for p in held if p.need == need.key}
        options = []
        for weekday in range(7):
            if weekday in meets or not weeks.open(week, weekday):
                continue
            free = _free_that_week(need.teacher, week, weekday, free_time, weeks)
            options += [o for o in _options(need, free, rooms, step) if not held_taken.conflicts(need, o)]
        choices = [model.NewBoolVar("") for _ in options]
        for option, choice in zip(options, choices):
            occupancy.add(teacher=need.teacher, option=option, choice=choice)
            # Nearest the weekly time (a day away counts as a day's minutes), in its room.
            distance = abs(option.weekday - placement.weekday) * 24 * 60 + abs(option.start - placement.start)
            costs.append((distance + (COST_OTHER_ROOM if option.room != placement.room else 0), choice))
        model.AddAtMostOne(choices)
        candidates.append((placement, options, choices))
        moved.extend(choices)
    # Two make-ups of one course in one week must not share a day either.
    for key in {p.need for p in missed}:
        by_day = defaultdict(list)
        for placement, options, choices in candidates:
            if placement.need == key:
                for option, choice in zip(options, choices):
                    by_day[option.weekday].append(choice)
        for day_choices in by_day.values():
            model.AddAtMostOne(day_choices)
    occupancy.forbid_overlaps()
    move_weight = sum(cost for cost, _choice in costs) + 1
    model.Minimize(sum(cost * choice for cost, choice in costs) - move_weight * sum(moved))
    solver = _solver(DEFAULT_TIME_LIMIT_SECONDS)
    solved = solver.Solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    result = []
    for placement, options, choices in candidates:
        to = next((o for o, c in zip(options, choices) if solved and solver.BooleanValue(c)), None)
        moved_to = Placement(placement.need, to.weekday, to.start, to.end, to.room) if to else None
        result.append(MakeUp(need=placement.need, week=week, missed=placement, moved_to=moved_to))
    return result


def clashes(placements: list[Placement], needs: dict[int, Need]) -> list[tuple[Placement, Placement, str]]:
    """Pairs of placements that share a teacher or a room at the same time: ("teacher" or "room")."""
    found = []
    by_day = sorted(placements, key=lambda p: (p.weekday, p.start))
    for _day, day_placements in groupby(by_day, key=lambda p: p.weekday):
        day_placements = list(day_placements)
        for i, first in enumerate(day_placements):
            for second in day_placements[i + 1:]:
                if second.start >= first.end:
                    break
                if needs[first.need].teacher == needs[second.need].teacher:
                    found.append((first, second, "teacher"))
                elif first.room is not None and first.room == second.room:
                    found.append((first, second, "room"))
    return found
