"""verifier component of Learner Passport."""
