"""The public portal: find a micro-credential program, see who stands behind it, and get there.

Search (``portal.search`` over ``portal.search_index``), program, institution and occupation
pages, the catalog API and the sitemap (``portal.routes``), and the demonstration catalog
(``portal.demo``). The portal reads the issuers' tables and never writes them, except through
the demo seeding and the search index it owns.

Other packages import only the names of ``__all__``, from here (the shell mounts ``routes`` and
``api`` and migrates ``tables``).
"""

from portal import api, routes, tables
from portal.catalog_version import is_catalog_version_table
from portal.demo import demo_catalog, seed_demo_catalog
from portal.index_sync import keep_index_in_sync
from portal.search_index import is_search_index_table, reindex_programs

__all__ = [
    "api",
    "demo_catalog",
    "is_catalog_version_table",
    "is_search_index_table",
    "keep_index_in_sync",
    "reindex_programs",
    "routes",
    "seed_demo_catalog",
    "tables",
]
