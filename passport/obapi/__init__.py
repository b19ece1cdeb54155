"""The Open Badges 3.0 REST API (OB 3.0 section 6, "Open Badges API"): the passport as a 1EdTech
Host for its learners, behind OAuth 2.0 (section 7, "Open Badges API Security").

- ``scopes``: the spec's scope URIs and which operation needs which;
- ``tables``: registered clients, authorization codes, tokens (hashed) and learners' profiles;
- ``oauth``: the authorization server, built on Authlib (RFC 6749, 7591, 7636, 7009);
- ``registration``: the spec's rules for dynamic client registration (section 7.1.2);
- ``host``: the resource server's services (credentials, profile, discovery);
- ``routes_api`` / ``routes_oauth`` / ``routes_apps``: the HTTP surface.

CLR 2.0 defines the same operations under ``/ims/clr/v2p0/``; ``scopes.ServiceFamily`` names the
prefix and scopes of one family, so CLR is a second family when its OpenAPI is at hand.
"""
