"""Run Daphne with join-link tokens removed from its access log.

Daphne writes its access log itself, outside Python logging, so the redaction
is done by wrapping its log writer. Use it exactly like the `daphne` command:
    python -m learning.serve -b 127.0.0.1 -p 8000 learning.asgi:application
"""

import daphne.access
import daphne.cli

from core.logs import redact_tokens


class RedactingAccessLogGenerator(daphne.access.AccessLogGenerator):
    def write_entry(self, host, date, request, status=None, length=None, ident=None, user=None):
        super().write_entry(host, date, redact_tokens(request), status, length, ident, user)


def main() -> None:
    daphne.cli.AccessLogGenerator = RedactingAccessLogGenerator
    daphne.cli.CommandLineInterface.entrypoint()


if __name__ == "__main__":
    main()
