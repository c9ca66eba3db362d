from django.core.management.base import BaseCommand

from news.demo_loader import load_demo


class Command(BaseCommand):
    help = "Load the demo newspaper (sections, authors, articles, comments, logins) once."

    def handle(self, *args, **options):
        result = load_demo()
        if result["loaded"]:
            self.stdout.write("Demo content loaded.")
        else:
            self.stdout.write("Demo content already present; left as it is.")
        if result["logins"]:
            self.stdout.write("\nAdmin logins (also in var/demo-logins.txt):\n" + result["logins"])
