"""Cohorts: a whole class's file validated, stored as a batch and issued in the background."""
