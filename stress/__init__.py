"""``make stress``: the load harness of issue #8 (loopback only, bounded in time and count).

``python -m stress.run`` seeds a PostgreSQL schema of its own, serves the app with two uvicorn
workers on 127.0.0.1, and drives the mix of ``stress/locustfile.py`` with locust.
"""
