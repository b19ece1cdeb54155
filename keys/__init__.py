"""keys component of Learner Passport."""
