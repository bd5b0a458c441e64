from classes.models.courses import (  # noqa: F401
    Audience,
    ClassSession,
    CourseCategory,
    CourseIndexPage,
    CourseMaterial,
    CoursePage,
    EnrolmentStatus,
    Level,
    SeatPool,
    SessionMode,
    Teacher,
)
from classes.models.learners import DeviceKind, Learner  # noqa: F401
from classes.models.enrolment import Enrolment, JoinLink  # noqa: F401
from classes.models.live import ChatMessage, ChatRoom, DeskCamera, DeviceCheck, Participant, RoomRole, Visit  # noqa: F401
from classes.models.groups import GroupMute, LearningGroup, ReadMark  # noqa: F401
from classes.models.timetable import (  # noqa: F401
    AvailabilityException,
    AvailabilitySlot,
    CourseNeed,
    ExceptionKind,
    Room,
    Term,
    TermHoliday,
    TimetableSlot,
    Weekday,
)
from classes.models.notifications import (  # noqa: F401
    CalendarFeed,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
)
from classes.models.recordings import (  # noqa: F401
    Recording,
    RecordingChunk,
    RecordingMaker,
    RecordingPart,
    RecordingSettings,
    RecordingStatus,
)
