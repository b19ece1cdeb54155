"""The public portal: find a micro-credential program, see who stands behind it, and get there.

Search (``portal.search`` over ``portal.search_index``), program, institution and occupation
pages, the catalog API and the sitemap (``portal.routes``), and the demonstration catalog
(``portal.demo``). The portal reads the issuers' tables and never writes them, except through
the demo seeding and the search index it owns.
"""
