"""Background work of the notifications worker (`manage.py db_worker --backend notifications`).
The work itself is in classes/notifications.py; these only run it."""

from django_tasks import task

from classes.notifications import notifications_deliver, reminders_plan
from volunteers.services.help import call_lists_build


@task(backend="notifications")
def deliver_notifications() -> int:
    return notifications_deliver()


@task(backend="notifications")
def send_due_reminders() -> int:
    """A sweep of every reminder now due, so running it twice, or late, is harmless."""
    reminders_plan()
    call_lists_build()  # learners not ready for a class within two days get a volunteer's call
    return notifications_deliver()
