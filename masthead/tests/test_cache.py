"""The default single-machine cache: files every process on the machine shares."""

from masthead.cache import FileCache


def test_processes_sharing_the_folder_see_each_others_writes(tmp_path):
    web, worker = (FileCache(str(tmp_path), {}) for _ in range(2))

    worker.set("pagecache:page:7", 123, timeout=None)

    assert web.get("pagecache:page:7") == 123


def test_the_cache_stays_near_its_size_limit(tmp_path):
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 100, "CULL_FREQUENCY": 2}})

    for i in range(1000):
        cache.set(f"key-{i}", i)

    files = list(tmp_path.glob("*.djcache"))
    assert len(files) <= 100 + FileCache.CULL_EVERY
    assert cache.get("key-999") == 999
