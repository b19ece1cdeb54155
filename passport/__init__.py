"""passport component of Learner Passport."""
