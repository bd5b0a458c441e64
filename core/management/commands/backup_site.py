from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_make


class Command(BaseCommand):
    help = "Back the site up into a new folder: the database, the media folders, and rows per model."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="a new (or empty) folder for this backup")

    def handle(self, *args, folder: Path, **options):
        try:
            manifest = backup_make(folder=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up {sum(manifest['counts'].values())} rows of {len(manifest['counts'])} models "
                          f"({manifest['vendor']}) and {len(manifest['media'])} media folders into {folder}")
