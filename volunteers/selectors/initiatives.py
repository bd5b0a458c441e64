"""The centre's current calls to action (倡议), for the home pages."""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from volunteers.models import Initiative


def initiatives_current(*, today: date | None = None) -> QuerySet[Initiative]:
    """Published initiatives that have not ended: no end date, or ending today or later."""
    today = today or timezone.localdate()
    return (
        Initiative.objects.filter(published=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("course")
    )
