"""The timetable proposal: a pure function from what courses need and when teachers
are free to a weekly placement of every course, with no database and no clock.

Hard rules: a session lies inside its teacher's free time; a teacher never teaches
two sessions at once; a room never holds two sessions at once and is large enough;
one course's sessions fall on different days. Soft wishes, in order: the course's
preferred times, its preferred room, days spread apart, earlier rather than later.

The search places the most constrained courses first, tries cheaper times first,
and backtracks, so it places every course whenever some timetable places them all
(and otherwise as many as it can) within its step budget. Each course it cannot
place gets the reason that blocked it."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

# A quarter of an hour: fine enough for real timetables, coarse enough to search fast.
DEFAULT_STEP_MINUTES = 15
# A centre's term with ample free time is placed in a few hundred steps. Proving that
# an overbooked corner (one teacher's courses competing for the one large room) cannot
# take one more course may need millions; this many keep the worst case near a fifth
# of a second, and the planner then says the search stopped early.
DEFAULT_STEP_BUDGET = 40_000
# Costs of the soft wishes, in the same units so they can be added.
COST_PER_HOUR_OUTSIDE_PREFERRED = 10
COST_OTHER_ROOM = 3
COST_NEXT_DAY = 4  # two sessions of one course on neighbouring days
COST_PER_HOUR_OF_DAY = 0.01  # prefer earlier times, only as a tie-breaker


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
    # The courses whose places leave no room for this one (TAKEN only).
    blocked_by: tuple[int, ...] = ()
    # TOO_SHORT: the longest free stretch; TOO_FEW_DAYS: how many days; NO_ROOM: the largest room.
    value: int = 0


@dataclass
class Proposal:
    placements: list[Placement] = field(default_factory=list)
    unplaced: dict[int, Reason] = field(default_factory=dict)
    # False when the step budget ran out before every possibility was tried.
    complete: bool = True
    steps: int = 0


@dataclass
class _Option:
    weekday: int
    start: int
    end: int
    room: int | None
    cost: float


def _options(need: Need, free: list[Interval], rooms: dict[int, int], step: int) -> list[_Option]:
    """Every (day, start, room) where one session of the need could go, cheapest first."""
    fitting_rooms = sorted(
        (room for room, capacity in rooms.items() if capacity >= need.seats),
        key=lambda room: (room != need.room, room),
    ) if need.needs_room else [None]
    options = []
    for stretch in free:
        for start in range(_grid_start(stretch.start, step), stretch.end - need.duration + 1, step):
            end = start + need.duration
            cost = COST_PER_HOUR_OF_DAY * start / 60
            if need.preferred:
                outside = max(0, need.preferred[0] - start) + max(0, end - need.preferred[1])
                cost += COST_PER_HOUR_OUTSIDE_PREFERRED * outside / 60
            for room in fitting_rooms:
                options.append(_Option(stretch.weekday, start, end, room, cost + (COST_OTHER_ROOM if room != need.room else 0)))
    options.sort(key=lambda o: (o.cost, o.weekday, o.start, o.room or 0))
    return options


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


def unplaceable_reason(
    *, need: Need, free_time: dict[int, list[Interval]], rooms: dict[int, int], step: int = DEFAULT_STEP_MINUTES
) -> Reason | None:
    """Why the need could not be placed even in an empty timetable, or None if it could."""
    free = _merge(free_time.get(need.teacher, []))
    return _alone_reason(need, free, rooms, _options(need, free, rooms, step), step)


def _grid_start(minute: int, step: int) -> int:
    """The first step boundary at or after minute."""
    return -(-minute // step) * step


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


class _Search:
    def __init__(self, needs: list[Need], options: dict[int, list[_Option]], budget: int, most: int | None = None):
        # Most constrained first: fewest options per session needed, then most sessions.
        self.needs = sorted(needs, key=lambda n: (len(options[n.key]) / n.sessions, -n.sessions, n.key))
        self.options = options
        self.budget = budget
        # No timetable places more than this many; the search stops when it gets there.
        self.most = len(needs) if most is None else most
        self.steps = 0
        self.teacher_busy: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self.room_busy: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self.chosen: dict[int, list[_Option]] = {}
        self.cost = 0.0
        self.best: tuple[int, float] = (-1, 0.0)
        self.best_chosen: dict[int, list[_Option]] = {}
        self.out_of_budget = False

    @staticmethod
    def _free(busy: dict, key: tuple[int, int], start: int, end: int) -> bool:
        return all(end <= s or e <= start for s, e in busy.get(key, ()))

    def _fits(self, need: Need, option: _Option) -> bool:
        return self._free(self.teacher_busy, (need.teacher, option.weekday), option.start, option.end) and (
            option.room is None or self._free(self.room_busy, (option.room, option.weekday), option.start, option.end)
        )

    def _take(self, need: Need, option: _Option, sign: int) -> None:
        spans = [(self.teacher_busy, (need.teacher, option.weekday))]
        if option.room is not None:
            spans.append((self.room_busy, (option.room, option.weekday)))
        for busy, key in spans:
            if sign > 0:
                busy.setdefault(key, []).append((option.start, option.end))
            else:
                busy[key].remove((option.start, option.end))

    def run(self) -> None:
        self._place(0, 0)

    def _record(self, placed: int) -> None:
        if (placed, -self.cost) > (self.best[0], -self.best[1]):
            self.best = (placed, self.cost)
            self.best_chosen = {key: list(chosen) for key, chosen in self.chosen.items()}

    def _done(self) -> bool:
        # As many placed as can be: stop at the first such timetable; its times were tried cheapest first.
        return self.best[0] == self.most or self.out_of_budget

    @staticmethod
    def _spread_cost(taken: list[_Option], option: _Option) -> int:
        return sum(COST_NEXT_DAY for o in taken if abs(o.weekday - option.weekday) == 1)

    def _place(self, index: int, placed: int) -> None:
        if index == len(self.needs):
            self._record(placed)
            return
        if placed + (len(self.needs) - index) <= self.best[0]:
            return  # even placing every remaining course would not beat the best found
        need = self.needs[index]
        self._sessions(need, index, placed, [], -1)
        if self._done():
            return
        if placed + (len(self.needs) - index - 1) > self.best[0]:
            self._place(index + 1, placed)  # leave this course out

    def _sessions(self, need: Need, index: int, placed: int, taken: list[_Option], after_day: int) -> None:
        if len(taken) == need.sessions:
            self.chosen[need.key] = list(taken)
            self._place(index + 1, placed + 1)
            del self.chosen[need.key]
            return
        options = self.options[need.key]
        if taken:
            # Neighbouring days cost more, so try the rest of the week in order of the total cost.
            options = sorted(options, key=lambda o: o.cost + self._spread_cost(taken, o))
        for option in options:
            if self._done():
                return
            # Days ascend within a course, so each set of days is tried once.
            if option.weekday <= after_day:
                continue
            self.steps += 1
            if self.steps > self.budget:
                self.out_of_budget = True
                return
            if not self._fits(need, option):
                continue
            spread = self._spread_cost(taken, option)
            self._take(need, option, +1)
            self.cost += option.cost + spread
            taken.append(option)
            self._sessions(need, index, placed, taken, option.weekday)
            taken.pop()
            self.cost -= option.cost + spread
            self._take(need, option, -1)


def _taken_reason(need: Need, options: list[_Option], placements: list[Placement], needs: dict[int, Need]) -> Reason:
    """The placed courses that occupy this need's teacher or rooms at the times it could use."""
    blockers = set()
    for option in options:
        wanted = Interval(option.weekday, option.start, option.end)
        for placement in placements:
            other = needs[placement.need]
            same_teacher = other.teacher == need.teacher
            same_room = option.room is not None and placement.room == option.room
            if (same_teacher or same_room) and placement.interval.overlaps(wanted):
                blockers.add(placement.need)
    return Reason(Blocked.TAKEN, blocked_by=tuple(sorted(blockers)))


def _most_placeable(group: list[Need], options: dict[int, list[_Option]], budget: int) -> int:
    """An upper bound on how many of the group's needs any timetable places: each teacher
    on their own, rooms ignored. An overbooked teacher lowers it, so the search can stop as
    soon as it has placed everything else instead of trying every way to fit one more."""
    by_teacher: dict[int, list[Need]] = {}
    for need in group:
        by_teacher.setdefault(need.teacher, []).append(need)
    most = 0
    for teacher_needs in by_teacher.values():
        if len(teacher_needs) == 1:
            most += 1
            continue
        without_rooms = {}
        for need in teacher_needs:
            cheapest: dict[tuple[int, int], _Option] = {}
            for o in options[need.key]:
                cheapest.setdefault((o.weekday, o.start), _Option(o.weekday, o.start, o.end, None, o.cost))
            without_rooms[need.key] = list(cheapest.values())
        alone = _Search(teacher_needs, without_rooms, budget)
        alone.run()
        most += len(teacher_needs) if alone.out_of_budget else alone.best[0]
    return most


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
    budget: int = DEFAULT_STEP_BUDGET,
) -> Proposal:
    """Place every need in its teacher's free time (see the module docstring).

    free_time maps a teacher to their weekly free stretches; rooms maps a room to its capacity."""
    proposal = Proposal()
    options: dict[int, list[_Option]] = {}
    searchable = []
    for need in needs:
        free = _merge(free_time.get(need.teacher, []))
        options[need.key] = _options(need, free, rooms, step)
        reason = _alone_reason(need, free, rooms, options[need.key], step)
        if reason:
            proposal.unplaced[need.key] = reason
        else:
            searchable.append(need)

    # Courses that share no teacher and no room cannot affect each other, so each
    # group is searched alone: a hard corner of one never slows down the others.
    for group in _independent_groups(searchable):
        search = _Search(group, options, budget, most=_most_placeable(group, options, budget))
        search.run()
        proposal.steps += search.steps
        proposal.complete = proposal.complete and not search.out_of_budget
        for key, chosen in sorted(search.best_chosen.items()):
            proposal.placements.extend(Placement(key, o.weekday, o.start, o.end, o.room) for o in chosen)
    placed = {p.need for p in proposal.placements}
    by_key = {need.key: need for need in needs}
    for need in searchable:
        if need.key not in placed:
            proposal.unplaced[need.key] = _taken_reason(need, options[need.key], proposal.placements, by_key)
    proposal.placements.sort(key=lambda p: (p.weekday, p.start, p.need))
    return proposal


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
