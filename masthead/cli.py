"""The `masthead` command: Django's management commands with masthead's settings."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    # Django command names cannot hold a dash; `masthead import-wordpress` reads better.
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    try:
        execute_from_command_line([sys.argv[0], *args])
    except ImproperlyConfigured as error:
        # A setting that is wrong says what to change: that line is the whole answer,
        # without the traceback of the settings module being imported.
        sys.exit(f"masthead: {error}")


if __name__ == "__main__":
    main()
