from news.tests import factories


def test_an_article_page_shows_its_headline(client, db):
    page = factories.article("Storm closes the harbour")
    response = client.get(page.url)
    assert response.status_code == 200
    assert '<h1 id="headline">Storm closes the harbour</h1>' in response.content.decode()
