"""The pure credential core of Learner Passport.

No I/O, no web framework, no database and no clock reads: everything here takes its inputs
(documents, keys, ``now``) as arguments. The other packages (``keys``, ``issuers``, ``verifier``,
``passport``) build on it; it imports none of them.
"""
