from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Restore a backup_site folder into a fresh database (and empty media folders), "
            "then check that every model has as many rows as were backed up.")

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="a folder backup_site wrote")

    def handle(self, *args, folder: Path, **options):
        try:
            differences = backup_restore(folder=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if differences:
            lines = "\n".join(f"  {label}: backed up {before}, restored {after}"
                              for label, (before, after) in differences.items())
            raise CommandError(f"The restored rows differ from the backup's:\n{lines}")
        self.stdout.write(f"Restored from {folder}; every model has as many rows as were backed up")
