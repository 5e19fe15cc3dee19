"""The project's management commands: Django's, with argparse's prefix matching turned off.

By default argparse takes any unambiguous prefix of an option, so ``ingest --force`` ran as
``--force-color`` and ``--rep`` as ``--report``: a typo or an option the command does not have
must be an error that says so, not another option silently.
"""
from django.core.management.base import BaseCommand


class ProjectCommand(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.allow_abbrev = False
        return parser
