"""Text messages. The backend is chosen by settings.SMS_BACKEND, as Django chooses its
email backend: the default writes each message to the log, and a gateway backend
(a subclass of BaseSMSBackend) sends it for real."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from core.phones import phone_masked
from core.logs import redact_tokens

logger = logging.getLogger(__name__)


class BaseSMSBackend:
    """Send one text message to one mainland mobile number, or raise."""

    def send(self, *, phone: str, text: str) -> None:
        raise NotImplementedError


class LogSMSBackend(BaseSMSBackend):
    """Sends nothing: writes the message to the `classes.notifications.sms` logger instead.

    The number is masked and join tokens are taken out here rather than only by the
    console handler's filter, so no handler added later (a file, a log service)
    ever receives a learner's number or a link that opens their class."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone_masked(phone), redact_tokens(text))


def get_sms_backend() -> BaseSMSBackend:
    return import_string(settings.SMS_BACKEND)()
