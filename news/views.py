from django.template.response import TemplateResponse

from .models import ArticlePage, paginate

# Characters the full-text backends cannot take inside a search term: SQLite FTS5 fails on
# an unbalanced double quote, PostgreSQL on a NUL byte. Readers mean neither.
UNSEARCHABLE = str.maketrans({'"': " ", "\x00": " "})


def search(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    results = None
    if query:
        articles = ArticlePage.objects.live().public().for_listing()
        terms = query.translate(UNSEARCHABLE).strip()
        results = paginate(request, articles.search(terms) if terms else articles.none())
    return TemplateResponse(request, "news/search.html", {"query": query, "results": results})
