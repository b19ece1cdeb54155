"""Comprehensive Learner Records (CLR 2.0) of a learner's awards from one institution."""
