"""Live classes: who is in the room, their hands and voices, visits for attendance,
the chat engine shared with the learning groups, and device checks."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classes.models.courses import ClassSession, Teacher
from classes.models.learners import Learner
from core.private_media import PrivateName, PrivateStorage

CHAT_FILES = PrivateStorage(view_name="group_file")


class ChatRoom(models.Model):
    """One conversation: a live class's chat, or (later) a course's learning group.

    `last_seq` hands out the per-room message numbers; it is only ever advanced
    with the row locked, so numbers are committed in order and a client that
    resumes after number N misses nothing.
    """

    last_seq = models.PositiveBigIntegerField(default=0)
    locked = models.BooleanField(_("chat locked"), default=False)
    pinned = models.ForeignKey(
        "classes.ChatMessage", verbose_name=_("pinned message"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")

    def __str__(self):
        return f"chat {self.pk}"


class ChatMessage(models.Model):
    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField()
    client_id = models.CharField(max_length=64, help_text="The sender's own id for the message; a retry reuses it.")
    author_learner = models.ForeignKey(Learner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=60)
    author_role = models.CharField(max_length=20)
    kind = models.CharField(max_length=10, default="text")  # "text", "image" or "voice"
    text = models.TextField(max_length=2000, blank=True)
    # Only the group's members may fetch these: private storage, random names, and URLs
    # that name the view checking who asks (classes/groups/views.py). Indexed, because that
    # view finds the message by the file's name.
    image = models.FileField(upload_to=PrivateName("chat"), storage=CHAT_FILES, blank=True, db_index=True)
    thumbnail = models.FileField(upload_to=PrivateName("chat"), storage=CHAT_FILES, blank=True, db_index=True)
    voice = models.FileField(upload_to=PrivateName("chat"), storage=CHAT_FILES, blank=True, db_index=True)
    voice_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["room", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="one_message_per_room_seq"),
            models.UniqueConstraint(
                fields=["room", "author_learner", "client_id"], condition=Q(author_learner__isnull=False),
                name="learner_message_sent_once",
            ),
            models.UniqueConstraint(
                fields=["room", "author_user", "client_id"], condition=Q(author_user__isnull=False),
                name="user_message_sent_once",
            ),
        ]

    def __str__(self):
        return f"{self.room_id}#{self.seq} {self.author_name}"


class RoomRole(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    LEARNER = "learner", _("Learner")
    VOLUNTEER = "volunteer", _("Volunteer")
    COORDINATOR = "coordinator", _("Coordinator")
    # The teacher's phone filming the desk (classes/live/desk.py): it only sends video, and
    # is never a learner for attendance, presence lists or hands.
    DESK = "desk", _("Desk camera")


class Participant(models.Model):
    """A person's place in one live class. It outlives their sockets, so a learner who
    drops and comes back keeps a raised hand, and every Daphne process sees the same."""

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="participants")
    learner = models.ForeignKey(Learner, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60)
    role = models.CharField(max_length=20, choices=RoomRole.choices)
    connections = models.PositiveIntegerField(default=0, help_text="Open sockets, across all server processes.")
    last_seen_at = models.DateTimeField(null=True, blank=True)
    hand_raised_at = models.DateTimeField(null=True, blank=True)
    may_speak = models.BooleanField(default=False)
    quality = models.CharField(max_length=10, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "learner"], condition=Q(learner__isnull=False),
                                    name="one_participant_per_learner"),
            models.UniqueConstraint(fields=["session", "user"], condition=Q(user__isnull=False),
                                    name="one_participant_per_user"),
            # Whichever phone holds the latest QR is the class's one desk view.
            models.UniqueConstraint(fields=["session"], condition=Q(role="desk"), name="one_desk_camera_per_session"),
        ]

    def __str__(self):
        return f"{self.name} ({self.role})"


class DeskCamera(models.Model):
    """A one-time QR token that lets the teacher's phone join one class as its desk camera.

    Only a SHA-256 hash of the token is stored (as join links do). The token is redeemed
    once, by a POST from the phone, which then holds the grant in its own Django session
    (`session_key`); a newer QR for the same class revokes the older ones.
    """

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="desk_cameras")
    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The phone's Django session that redeemed the token: the grant goes no further.
    session_key = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"desk camera {self.pk} for session {self.session_id}"


class Visit(models.Model):
    """One stay in a live class (one socket), for attendance: from joining to leaving."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="visits")
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)
    # The socket's last frame (pings included): a socket that ended without a goodbye
    # (its process killed, the phone gone) left at this time, not when the sweep noticed.
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["joined_at"]


class DeviceCheck(models.Model):
    """The result of a device check, which the volunteers' readiness view reads."""

    learner = models.ForeignKey(Learner, null=True, blank=True, on_delete=models.CASCADE, related_name="device_checks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(ClassSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sound_heard = models.BooleanField(null=True)
    camera_ok = models.BooleanField(null=True)
    microphone_ok = models.BooleanField(null=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    @property
    def passed(self) -> bool:
        return bool(self.sound_heard)
