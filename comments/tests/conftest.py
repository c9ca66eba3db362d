import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache, so no rate-limit count or cached page leaks
    from one test into the next."""
    cache.clear()
    yield
    cache.clear()
