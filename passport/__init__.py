"""The learner's passport (``wallet/``), its Open Badges 3.0 REST API (``obapi/``) and the
application shell: settings, database, migrations, ``create_app()``, CLI, pages, i18n.

The top of the house: no other package imports it, so its face is empty.
"""

__all__: list[str] = []
