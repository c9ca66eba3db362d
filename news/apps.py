from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = "News"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.signals import page_published

        from .models import ArticlePage
        from .seo import websub

        page_published.connect(websub.announce, sender=ArticlePage, dispatch_uid="news.websub")
