"""issuers component of Learner Passport."""
