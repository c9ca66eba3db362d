from django.template.response import TemplateResponse

from .models import ArticlePage, paginate


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    results = None
    if query:
        articles = ArticlePage.objects.live().public().for_listing()
        results = paginate(request, articles.search(query))
    return TemplateResponse(request, "news/search.html", {"query": query, "results": results})
